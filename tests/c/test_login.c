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

static void test_password_login_after_inhibit_login(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *account = NULL;
  mxreg_error *error = NULL;
  mxreg_login_request request;
  char username[64];

  CHECK(client != NULL);
  unique_username(username, sizeof username, "clogin");
  CHECK(register_without_device(client, username));
  mxreg_login_request_init(&request);
  CHECK(request.struct_size == mxreg_login_request_size());
  CHECK(request.refresh_token);
  request.user = username;
  request.password = PASSWORD;
  request.initial_device_display_name = "mxreg C login test";
  CHECK(expect_rc(mxreg_client_login(client, &request, &account, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(registered_as(account, username));
  CHECK(mxreg_registration_device_id(account) != NULL);
  CHECK(mxreg_registration_refresh_token(account) != NULL);
  CHECK(mxreg_registration_expires_at_ms(account) > now_ms());
  CHECK(device_works(account));

cleanup:
  mxreg_registration_free(account);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

/* Wrong password and unknown user: both M_FORBIDDEN, and nothing written. */
static void test_wrong_password_and_unknown_user_are_forbidden(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *account = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_login_request request;
  char username[64], nobody[64];

  CHECK(client != NULL);
  unique_username(username, sizeof username, "cwrong");
  unique_username(nobody, sizeof nobody, "cnobody");
  CHECK(register_without_device(client, username));
  mxreg_login_request_init(&request);
  request.user = username;
  request.password = "not-the-Passw0rd";
  CHECK(expect_rc(mxreg_client_login(client, &request, &account, &error), MXREG_RESULT_FORBIDDEN,
                  &error));
  CHECK(equals(mxreg_error_errcode(error), "M_FORBIDDEN"));
  CHECK(mxreg_error_http_status(error) == 403);
  CHECK(!contains(mxreg_error_message(error), "not-the-Passw0rd"));
  CHECK(account == SENTINEL);
  mxreg_error_free(error);
  error = NULL;

  request.user = nobody;
  request.password = PASSWORD;
  CHECK(expect_rc(mxreg_client_login(client, &request, &account, &error), MXREG_RESULT_FORBIDDEN,
                  &error));
  CHECK(equals(mxreg_error_errcode(error), "M_FORBIDDEN"));
  CHECK(account == SENTINEL);

cleanup:
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_login_token_works_once(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *account = NULL, *again = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_login_request request;
  char username[64], arguments[160], token[256];

  CHECK(client != NULL);
  unique_username(username, sizeof username, "ctoken");
  CHECK(register_without_device(client, username));
  snprintf(arguments, sizeof arguments, "login-token open --user @%s:localhost", username);
  CHECK(rig(arguments, token, sizeof token) == 0);
  mxreg_login_request_init(&request);
  request.login_token = token;
  CHECK(expect_rc(mxreg_client_login(client, &request, &account, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(registered_as(account, username));
  CHECK(device_works(account));

  CHECK(expect_rc(mxreg_client_login(client, &request, &again, &error), MXREG_RESULT_FORBIDDEN,
                  &error));
  CHECK(again == SENTINEL);
  CHECK(!contains(mxreg_error_message(error), token));

cleanup:
  mxreg_registration_free(account);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

/* Either a password (with a user) or a token: anything else is refused
 * before a request is sent. */
static void test_request_needs_one_credential(void) {
  const mxreg_client *client = client_with("http://127.0.0.1:9", NULL);
  mxreg_registration *account = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_login_request request;

  CHECK(client != NULL);
  mxreg_login_request_init(&request);
  CHECK(expect_refusal(mxreg_client_login(client, &request, &account, &error),
                       MXREG_RESULT_INVALID_ARGUMENT, &error, "request"));
  request.password = PASSWORD;
  CHECK(expect_refusal(mxreg_client_login(client, &request, &account, &error),
                       MXREG_RESULT_NULL_ARGUMENT, &error, "request.user"));
  request.user = "alice";
  request.login_token = "a-token";
  CHECK(expect_refusal(mxreg_client_login(client, &request, &account, &error),
                       MXREG_RESULT_INVALID_ARGUMENT, &error, "request.login_token"));
  request.login_token = NULL;
  request.password = "";
  CHECK(expect_refusal(mxreg_client_login(client, &request, &account, &error),
                       MXREG_RESULT_INVALID_ARGUMENT, &error, "password"));
  CHECK(account == SENTINEL);

cleanup:
  mxreg_error_free(error);
  mxreg_client_free(client);
}

int main(void) {
  RUN_TEST(test_password_login_after_inhibit_login);
  RUN_TEST(test_wrong_password_and_unknown_user_are_forbidden);
  RUN_TEST(test_login_token_works_once);
  RUN_TEST(test_request_needs_one_credential);
  return harness_finish();
}
