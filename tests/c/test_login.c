/*
 * mxreg_client_login through the public header against the real local
 * Synapse (MXREG_HS_OPEN, set by `make test-c`): a password login after an
 * inhibit_login registration, a wrong password, an unknown user, a login
 * token (from the rig) used twice, and the request's argument checks.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mxreg.h"

#include "harness.h"
#include "loopback_http.h"
#include "testlib.h"

/* Register `username` with inhibit_login: an account without a device. */
static int register_without_device(const mxreg_client *client, const char *username) {
  mxreg_register_request request;
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  int ok;
  user_request(&request, username);
  request.inhibit_login = true;
  ok = expect_rc(register_with_dummy(client, &request, &registration, &error), MXREG_RESULT_OK,
                 &error) &&
       mxreg_registration_access_token(registration) == NULL;
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  return ok;
}

/* The account's device answers GET /devices/{id} with its own token. */
static int device_works(const mxreg_registration *account) {
  char path[200], body[4096];
  int status = 0;
  snprintf(path, sizeof path, "/_matrix/client/v3/devices/%s",
           mxreg_registration_device_id(account));
  return loopback_http_get(homeserver("OPEN"), path, mxreg_registration_access_token(account),
                           &status, body, sizeof body) == 0 &&
         status == 200;
}

/* A login test: a client of the open server and a new account without a
 * device, named after `prefix` (in `username`). Call it first: held_free
 * needs what it sets. False (with a note) when a step failed. */
static int login_test_begin(struct held *held, const char *prefix, char *username,
                            size_t size) {
  memset(held, 0, sizeof *held);
  held->client = client_for("OPEN");
  unique_username(username, size, prefix);
  return held->client != NULL && register_without_device(held->client, username);
}

/* Log in with `request`: true when the call gives `expected`; the account
 * goes to `account`, the error to held->error. */
static int login_gives(struct held *held, const mxreg_login_request *request,
                       mxreg_registration **account, mxreg_result expected) {
  return expect_rc(mxreg_client_login(held->client, request, account, &held->error), expected,
                   &held->error);
}

static void test_password_login_after_inhibit_login(void) {
  struct held held;
  mxreg_login_request request;
  char username[64];

  CHECK(login_test_begin(&held, "clogin", username, sizeof username));
  mxreg_login_request_init(&request);
  CHECK(request.struct_size == mxreg_login_request_size());
  CHECK(request.refresh_token);
  request.user = username;
  request.password = PASSWORD;
  request.initial_device_display_name = "mxreg C login test";
  CHECK(login_gives(&held, &request, &held.account, MXREG_RESULT_OK));
  CHECK(registered_as(held.account, username));
  CHECK(mxreg_registration_device_id(held.account) != NULL);
  CHECK(mxreg_registration_refresh_token(held.account) != NULL);
  CHECK(mxreg_registration_expires_at_ms(held.account) > now_ms());
  CHECK(device_works(held.account));

cleanup:
  held_free(&held);
}

/* Wrong password and unknown user: both M_FORBIDDEN, and nothing written. */
static void test_wrong_password_and_unknown_user_are_forbidden(void) {
  struct held held;
  mxreg_login_request request;
  char username[64], nobody[64];

  CHECK(login_test_begin(&held, "cwrong", username, sizeof username));
  held.account = SENTINEL;
  unique_username(nobody, sizeof nobody, "cnobody");
  mxreg_login_request_init(&request);
  request.user = username;
  request.password = "not-the-Passw0rd";
  CHECK(login_gives(&held, &request, &held.account, MXREG_RESULT_FORBIDDEN));
  CHECK(equals(mxreg_error_errcode(held.error), "M_FORBIDDEN"));
  CHECK(mxreg_error_http_status(held.error) == 403);
  CHECK(!contains(mxreg_error_message(held.error), "not-the-Passw0rd"));
  CHECK(held.account == SENTINEL);
  forget_error(&held.error);

  request.user = nobody;
  request.password = PASSWORD;
  CHECK(login_gives(&held, &request, &held.account, MXREG_RESULT_FORBIDDEN));
  CHECK(equals(mxreg_error_errcode(held.error), "M_FORBIDDEN"));
  CHECK(held.account == SENTINEL);

cleanup:
  held_free(&held);
}

static void test_login_token_works_once(void) {
  struct held held;
  mxreg_login_request request;
  char username[64], arguments[160], token[256];

  CHECK(login_test_begin(&held, "ctoken", username, sizeof username));
  held.again = SENTINEL;
  snprintf(arguments, sizeof arguments, "login-token open --user @%s:localhost", username);
  CHECK(rig(arguments, token, sizeof token) == 0);
  mxreg_login_request_init(&request);
  request.login_token = token;
  CHECK(login_gives(&held, &request, &held.account, MXREG_RESULT_OK));
  CHECK(registered_as(held.account, username));
  CHECK(device_works(held.account));

  CHECK(login_gives(&held, &request, &held.again, MXREG_RESULT_FORBIDDEN));
  CHECK(held.again == SENTINEL);
  CHECK(!contains(mxreg_error_message(held.error), token));

cleanup:
  held_free(&held);
}

/* Either a password (with a user) or a token: anything else is refused
 * before a request is sent. */
/* One login `request` the client must refuse before sending it: `expected`,
 * with `part` in the message, and nothing written to held->account. */
static int login_refused(struct held *held, const mxreg_login_request *request,
                         mxreg_result expected, const char *part) {
  return expect_refusal(mxreg_client_login(held->client, request, &held->account, &held->error),
                        expected, &held->error, part) &&
         held->account == SENTINEL;
}

static void test_request_needs_one_credential(void) {
  struct held held = {0};
  mxreg_login_request request;

  held.account = SENTINEL;
  CHECK((held.client = client_with(UNUSED_LOOPBACK_URL, NULL)) != NULL);
  mxreg_login_request_init(&request);
  CHECK(login_refused(&held, &request, MXREG_RESULT_INVALID_ARGUMENT, "request"));
  request.password = PASSWORD;
  CHECK(login_refused(&held, &request, MXREG_RESULT_NULL_ARGUMENT, "request.user"));
  request.user = "alice";
  request.login_token = "a-token";
  CHECK(login_refused(&held, &request, MXREG_RESULT_INVALID_ARGUMENT, "request.login_token"));
  request.login_token = NULL;
  request.password = "";
  CHECK(login_refused(&held, &request, MXREG_RESULT_INVALID_ARGUMENT, "password"));

cleanup:
  held_free(&held);
}

int main(void) {
  RUN_TEST(test_password_login_after_inhibit_login);
  RUN_TEST(test_wrong_password_and_unknown_user_are_forbidden);
  RUN_TEST(test_login_token_works_once);
  RUN_TEST(test_request_needs_one_credential);
  return harness_finish();
}
