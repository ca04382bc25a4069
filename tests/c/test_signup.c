/*
 * The interactive-registration C API through the public header only:
 * mxreg_signup_* stage by stage (token, terms, email with save/restore,
 * fallback page), the pre-checks (username grammar and availability,
 * registration-token validity), refresh and the server probe, against the
 * real local Synapse servers (MXREG_HS_<VARIANT>), plus argument checking.
 *
 * Registration tokens and mail links come from the rig: MXREG_RIG (set by
 * the Makefile), else scripts/homeserver.py from the current directory.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mxreg.h"

#include "harness.h"
#include "loopback_http.h"
#include "testlib.h"

#define TOKEN_STAGE "m.login.registration_token"
#define TERMS_STAGE "m.login.terms"
#define EMAIL_STAGE "m.login.email.identity"

/* For argument checks: `got` is `expected` and the message names the
 * argument (quoted: "`argument"). Frees *error either way, so checks can
 * follow one another. */
static int expect_argument_error(mxreg_result got, mxreg_result expected, mxreg_error **error,
                                 const char *argument) {
  char quoted[64];
  snprintf(quoted, sizeof quoted, "`%s", argument);
  return expect_refusal(got, expected, error, quoted);
}

#define NULL_ARG(call, argument) \
  CHECK(expect_argument_error((call), MXREG_RESULT_NULL_ARGUMENT, &error, argument))
#define BAD_UTF8(call, argument) \
  CHECK(expect_argument_error((call), MXREG_RESULT_INVALID_UTF8, &error, argument))

/* GET a plain-http loopback URL as a browser would; its HTTP status, or -1. */
static int follow_link(const char *url) {
  static char body[8192];
  const char *path = starts_with(url, "http://") ? strchr(url + 7, '/') : NULL;
  int status = 0;
  if (path == NULL || loopback_http_get(url, path, "", &status, body, sizeof body) != 0) {
    NOTE("could not GET %s", url);
    return -1;
  }
  return status;
}

/* ---- no network ---------------------------------------------------------- */

/* A client of UNUSED_LOOPBACK_URL (calls that reach the network fail with
 * MXREG_RESULT_CONNECT), a request for "nobody", and a session for it with
 * every stage supported, not started. */
struct offline {
  const mxreg_client *client;
  mxreg_register_request request;
  mxreg_signup *signup;
};

/* Call it first: offline_free needs what it sets. False (with a note) when
 * the client or the session could not be made. */
static int offline_new(struct offline *offline) {
  mxreg_error *error = NULL;
  int ok;
  memset(offline, 0, sizeof *offline);
  offline->client = client_with(UNUSED_LOOPBACK_URL, NULL);
  user_request(&offline->request, "nobody");
  ok = offline->client != NULL &&
       expect_rc(mxreg_signup_new(offline->client, &offline->request, MXREG_STAGES_ALL,
                                  &offline->signup, &error),
                 MXREG_RESULT_OK, &error);
  mxreg_error_free(error);
  return ok;
}

static void offline_free(struct offline *offline) {
  mxreg_signup_free(offline->signup);
  mxreg_client_free(offline->client);
}

static void test_stage_flags_and_unknown_bits(void) {
  static const uint32_t unknown_bits[] = {1u << 7, 1u << 20, 1u << 31, MXREG_STAGES_ALL + 1};
  struct offline offline;
  mxreg_signup *signup = SENTINEL;
  mxreg_error *error = NULL;
  size_t i;

  CHECK(offline_new(&offline));
  CHECK(MXREG_STAGES_ALL == (MXREG_STAGE_DUMMY | MXREG_STAGE_REGISTRATION_TOKEN |
                             MXREG_STAGE_TERMS | MXREG_STAGE_EMAIL | MXREG_STAGE_MSISDN |
                             MXREG_STAGE_RECAPTCHA | MXREG_STAGE_FALLBACK));
  CHECK(mxreg_signup_status(NULL) == MXREG_SIGNUP_STATE_FAILED);
  for (i = 0; i < sizeof unknown_bits / sizeof unknown_bits[0]; i++) {
    mxreg_result rc =
        mxreg_signup_new(offline.client, &offline.request, unknown_bits[i], &signup, &error);
    CHECK(expect_argument_error(rc, MXREG_RESULT_INVALID_ARGUMENT, &error, "supported_stages"));
    CHECK(signup == SENTINEL);
  }
  offline.request.struct_size = sizeof offline.request - 1;
  CHECK(expect_refusal(mxreg_signup_new(offline.client, &offline.request, 0, &signup, &error),
                       MXREG_RESULT_STRUCT_SIZE, &error, NULL));
  CHECK(signup == SENTINEL);
  user_request(&offline.request, "nobody");
  offline.request.kind = 9;
  CHECK(expect_argument_error(mxreg_signup_new(offline.client, &offline.request, 0, &signup,
                                               &error),
                              MXREG_RESULT_INVALID_ARGUMENT, &error, "request.kind"));
  CHECK(signup == SENTINEL);

cleanup:
  UNSENTINEL(signup);
  mxreg_signup_free(signup);
  mxreg_error_free(error);
  offline_free(&offline);
}

static void test_a_new_session_before_start(void) {
  struct offline offline;
  mxreg_signup *signup;
  mxreg_signup *restored = NULL;
  mxreg_error *error = NULL;
  char *saved = NULL;

  CHECK(offline_new(&offline));
  signup = offline.signup;
  CHECK(mxreg_signup_status(signup) == MXREG_SIGNUP_STATE_NOT_STARTED);
  CHECK(mxreg_signup_next_stage(signup) == NULL);
  CHECK(mxreg_signup_auth_info(signup) == NULL);
  CHECK(mxreg_signup_policy_count(signup) == 0);
  CHECK(mxreg_signup_policy_id(signup, 0) == NULL);
  CHECK(mxreg_signup_fallback_url(signup) == NULL);
  CHECK(mxreg_signup_registration(signup) == NULL);

  /* An unstarted session can be saved and restored as it was. */
  CHECK(expect_rc(mxreg_signup_save(signup, &saved, &error), MXREG_RESULT_OK, &error));
  CHECK(saved != NULL && saved[0] == '{');
  CHECK(expect_rc(mxreg_signup_restore(offline.client, saved, &restored, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(mxreg_signup_status(restored) == MXREG_SIGNUP_STATE_NOT_STARTED);

  /* The start reaches the (absent) server: a transport error, and the
   * session stays startable. */
  CHECK(expect_rc(mxreg_signup_start(signup, &error), MXREG_RESULT_CONNECT, &error));
  CHECK(mxreg_signup_status(signup) == MXREG_SIGNUP_STATE_NOT_STARTED);

cleanup:
  mxreg_string_free(saved);
  mxreg_signup_free(restored);
  mxreg_error_free(error);
  offline_free(&offline);
}

static void test_null_arguments(void) {
  struct offline offline;
  const mxreg_client *client;
  mxreg_signup *signup;
  mxreg_signup *out_signup = SENTINEL;
  mxreg_tokens *tokens = SENTINEL;
  mxreg_probe *probe = SENTINEL;
  mxreg_error *error = NULL;
  const mxreg_register_request *request = &offline.request;
  char *saved = SENTINEL;
  bool flag = true;

  CHECK(offline_new(&offline));
  client = offline.client;
  signup = offline.signup;

  /* Session creation and persistence. */
  NULL_ARG(mxreg_signup_new(NULL, request, 0, &out_signup, &error), "client");
  NULL_ARG(mxreg_signup_new(client, NULL, 0, &out_signup, &error), "request");
  NULL_ARG(mxreg_signup_new(client, request, 0, NULL, &error), "signup_out");
  NULL_ARG(mxreg_signup_restore(NULL, "{}", &out_signup, &error), "client");
  NULL_ARG(mxreg_signup_restore(client, NULL, &out_signup, &error), "saved");
  NULL_ARG(mxreg_signup_restore(client, "{}", NULL, &error), "signup_out");
  CHECK(out_signup == SENTINEL);
  NULL_ARG(mxreg_signup_save(NULL, &saved, &error), "signup");
  NULL_ARG(mxreg_signup_save(signup, NULL, &error), "saved_out");
  CHECK(saved == SENTINEL);
  mxreg_string_free(NULL);
  mxreg_signup_free(NULL);

  /* Steps: a NULL session, then each NULL string on a live session (checked
   * before the session's state, which would refuse these steps). */
  NULL_ARG(mxreg_signup_start(NULL, &error), "signup");
  NULL_ARG(mxreg_signup_submit_token(NULL, "t", &error), "signup");
  NULL_ARG(mxreg_signup_submit_token(signup, NULL, &error), "token");
  NULL_ARG(mxreg_signup_accept_terms(NULL, &error), "signup");
  NULL_ARG(mxreg_signup_request_email_token(NULL, "a@example.org", NULL, &error), "signup");
  NULL_ARG(mxreg_signup_request_email_token(signup, NULL, NULL, &error), "email");
  NULL_ARG(mxreg_signup_check_email(NULL, &error), "signup");
  NULL_ARG(mxreg_signup_request_msisdn_token(NULL, "GB", "7700900000", &error), "signup");
  NULL_ARG(mxreg_signup_request_msisdn_token(signup, NULL, "7700900000", &error), "country");
  NULL_ARG(mxreg_signup_request_msisdn_token(signup, "GB", NULL, &error), "phone_number");
  NULL_ARG(mxreg_signup_submit_msisdn_code(NULL, "123456", &error), "signup");
  NULL_ARG(mxreg_signup_submit_msisdn_code(signup, NULL, &error), "code");
  NULL_ARG(mxreg_signup_submit_recaptcha(NULL, "response", &error), "signup");
  NULL_ARG(mxreg_signup_submit_recaptcha(signup, NULL, &error), "response");
  NULL_ARG(mxreg_signup_fallback_done(NULL, &error), "signup");
  NULL_ARG(mxreg_signup_submit_auth_json(NULL, "{}", &error), "signup");
  NULL_ARG(mxreg_signup_submit_auth_json(signup, NULL, &error), "auth_json");
  CHECK(mxreg_signup_status(signup) == MXREG_SIGNUP_STATE_NOT_STARTED);

  /* Accessors: NULL in, NULL/0 out. */
  CHECK(mxreg_signup_status(NULL) == MXREG_SIGNUP_STATE_FAILED);
  CHECK(mxreg_signup_next_stage(NULL) == NULL);
  CHECK(mxreg_signup_auth_info(NULL) == NULL);
  CHECK(mxreg_signup_policy_count(NULL) == 0);
  CHECK(mxreg_signup_policy_id(NULL, 0) == NULL);
  CHECK(mxreg_signup_policy_version(NULL, 0) == NULL);
  CHECK(mxreg_signup_policy_name(NULL, 0, NULL) == NULL);
  CHECK(mxreg_signup_policy_url(NULL, 0, "en") == NULL);
  CHECK(mxreg_signup_fallback_url(NULL) == NULL);
  CHECK(mxreg_signup_registration(NULL) == NULL);

  /* Pre-checks, refresh, probe. */
  NULL_ARG(mxreg_username_check(NULL, NULL, &error), "username");
  CHECK(mxreg_username_check("alice", NULL, NULL) == MXREG_RESULT_OK);
  NULL_ARG(mxreg_client_username_available(NULL, "alice", &flag, &error), "client");
  NULL_ARG(mxreg_client_username_available(client, NULL, &flag, &error), "username");
  NULL_ARG(mxreg_client_username_available(client, "alice", NULL, &error), "available_out");
  NULL_ARG(mxreg_client_registration_token_valid(NULL, "t", &flag, &error), "client");
  NULL_ARG(mxreg_client_registration_token_valid(client, NULL, &flag, &error), "token");
  NULL_ARG(mxreg_client_registration_token_valid(client, "t", NULL, &error), "valid_out");
  CHECK(flag == true);
  NULL_ARG(mxreg_client_refresh(NULL, "t", &tokens, &error), "client");
  NULL_ARG(mxreg_client_refresh(client, NULL, &tokens, &error), "refresh_token");
  NULL_ARG(mxreg_client_refresh(client, "t", NULL, &error), "tokens_out");
  CHECK(tokens == SENTINEL);
  CHECK(mxreg_tokens_access_token(NULL) == NULL);
  CHECK(mxreg_tokens_refresh_token(NULL) == NULL);
  CHECK(mxreg_tokens_expires_in_ms(NULL) == -1);
  CHECK(mxreg_tokens_expires_at_ms(NULL) == -1);
  mxreg_tokens_free(NULL);
  NULL_ARG(mxreg_probe_server(NULL, NULL, false, &probe, &error), "server");
  NULL_ARG(mxreg_probe_server(UNUSED_LOOPBACK_URL, NULL, false, NULL, &error), "probe_out");
  CHECK(probe == SENTINEL);
  CHECK(mxreg_probe_homeserver_url(NULL) == NULL);
  CHECK(mxreg_probe_signup_methods(NULL) == 0);
  CHECK(mxreg_probe_auth_info(NULL) == NULL);
  CHECK(mxreg_probe_json(NULL) == NULL);
  CHECK(mxreg_probe_unknown_parts(NULL) == 0);
  CHECK(mxreg_probe_unknown_count(NULL) == 0);
  CHECK(mxreg_probe_unknown_part(NULL, 0) == 0);
  CHECK(mxreg_probe_unknown_result(NULL, 0) == MXREG_RESULT_INVALID_ARGUMENT);
  CHECK(mxreg_probe_unknown_message(NULL, 0) == NULL);
  mxreg_probe_free(NULL);

  /* The error detail is optional everywhere. */
  CHECK(mxreg_signup_start(NULL, NULL) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(mxreg_client_refresh(client, NULL, &tokens, NULL) == MXREG_RESULT_NULL_ARGUMENT);

cleanup:
  UNSENTINEL(out_signup);
  UNSENTINEL(tokens);
  UNSENTINEL(probe);
  UNSENTINEL(saved);
  mxreg_signup_free(out_signup);
  mxreg_tokens_free(tokens);
  mxreg_probe_free(probe);
  mxreg_string_free(saved);
  mxreg_error_free(error);
  offline_free(&offline);
}

static void test_invalid_utf8(void) {
  struct offline offline;
  const mxreg_client *client;
  mxreg_signup *signup;
  mxreg_signup *out_signup = SENTINEL;
  mxreg_probe *probe = SENTINEL;
  mxreg_error *error = NULL;
  const mxreg_register_request *request = &offline.request;
  bool flag = true;

  CHECK(offline_new(&offline));
  client = offline.client;
  signup = offline.signup;
  offline.request.username = "bad\xff";
  BAD_UTF8(mxreg_signup_new(client, request, 0, &out_signup, &error), "request.username");
  BAD_UTF8(mxreg_signup_restore(client, "{\"\xc3\"}", &out_signup, &error), "saved");
  CHECK(out_signup == SENTINEL);
  BAD_UTF8(mxreg_signup_submit_token(signup, "\xff", &error), "token");
  BAD_UTF8(mxreg_signup_request_email_token(signup, "a@example.org", "\xfe", &error), "next_link");
  BAD_UTF8(mxreg_signup_submit_auth_json(signup, "\xff", &error), "auth_json");
  BAD_UTF8(mxreg_username_check("al\xe9", NULL, &error), "username");
  BAD_UTF8(mxreg_client_username_available(client, "al\xe9", &flag, &error), "username");
  BAD_UTF8(mxreg_client_registration_token_valid(client, "\xff", &flag, &error), "token");
  BAD_UTF8(mxreg_probe_server("\xff", NULL, false, &probe, &error), "server");
  CHECK(probe == SENTINEL);
  CHECK(flag == true);

cleanup:
  UNSENTINEL(out_signup);
  UNSENTINEL(probe);
  mxreg_signup_free(out_signup);
  mxreg_probe_free(probe);
  mxreg_error_free(error);
  offline_free(&offline);
}

static void test_username_grammar_is_checked_locally(void) {
  static const char *const good[] = {"alice", "a.b-c_d=e/f+g9", "0x"};
  static const char *const bad[] = {"", "Alice", "bad name", "al:ice", "émile"};
  mxreg_error *error = NULL;
  char long_name[300];
  size_t i;

  for (i = 0; i < sizeof good / sizeof good[0]; i++) {
    CHECK(expect_rc(mxreg_username_check(good[i], "example.org", &error), MXREG_RESULT_OK, &error));
  }
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK(expect_argument_error(mxreg_username_check(bad[i], NULL, &error),
                                MXREG_RESULT_INVALID_ARGUMENT, &error, "username"));
  }
  CHECK(mxreg_username_check("Alice", NULL, &error) == MXREG_RESULT_INVALID_ARGUMENT);
  CHECK(contains(mxreg_error_message(error), "lower case"));
  forget_error(&error);

  /* "@" + 242 + ":" + "example.org" is 255 bytes, the limit; one more is
   * over it. Without a server name only the grammar counts. */
  memset(long_name, 'a', sizeof long_name);
  long_name[242] = '\0';
  CHECK(expect_rc(mxreg_username_check(long_name, "example.org", &error), MXREG_RESULT_OK, &error));
  long_name[242] = 'a';
  long_name[243] = '\0';
  CHECK(mxreg_username_check(long_name, "example.org", &error) == MXREG_RESULT_INVALID_ARGUMENT);
  CHECK(contains(mxreg_error_message(error), "255"));
  forget_error(&error);
  CHECK(expect_rc(mxreg_username_check(long_name, NULL, &error), MXREG_RESULT_OK, &error));

cleanup:
  mxreg_error_free(error);
}

/* ---- against the servers ------------------------------------------------- */

/* Someone signing up on a test server: its URL, a patient client, a unique
 * username and, once started, the session. */
struct new_account {
  const char *url;
  const mxreg_client *client;
  char username[64];
  mxreg_signup *signup;
};

/* Call it first: new_account_free needs what it sets. False (with a note)
 * without the server. */
static int new_account_prepare(struct new_account *account, const char *variant,
                               const char *prefix) {
  memset(account, 0, sizeof *account);
  account->url = homeserver(variant);
  account->client = patient_client_at(account->url);
  unique_username(account->username, sizeof account->username, prefix);
  return account->client != NULL;
}

/* Start a session for the account with `stages` supported: true when the
 * start gives `expected`. The session is kept either way. */
static int new_account_start(struct new_account *account, uint32_t stages, mxreg_result expected,
                             mxreg_error **error) {
  return expect_rc(start_signup(account->client, account->username, stages, &account->signup,
                                error),
                   expected, error);
}

static void new_account_free(struct new_account *account) {
  mxreg_signup_free(account->signup);
  mxreg_client_free(account->client);
}

/* A finished session (in `state`) can be neither saved nor started again,
 * and stays as it is. */
static int stays_finished(mxreg_signup *signup, mxreg_signup_state state) {
  mxreg_error *error = NULL;
  char *saved = SENTINEL;
  int ok = expect_rc(mxreg_signup_save(signup, &saved, &error), MXREG_RESULT_INVALID_STATE,
                     &error) &&
           saved == SENTINEL;
  UNSENTINEL(saved);
  mxreg_string_free(saved);
  forget_error(&error);
  ok = expect_rc(mxreg_signup_start(signup, &error), MXREG_RESULT_INVALID_STATE, &error) && ok;
  mxreg_error_free(error);
  return ok && mxreg_signup_status(signup) == state;
}

static void test_open_server_completes_on_start(void) {
  struct new_account account;
  mxreg_error *error = NULL;
  const mxreg_registration *registration;

  CHECK(new_account_prepare(&account, "OPEN", "csopen"));
  CHECK(new_account_start(&account, 0, MXREG_RESULT_OK, &error));
  CHECK(error == NULL);
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_COMPLETE);
  CHECK(mxreg_signup_next_stage(account.signup) == NULL);
  CHECK(mxreg_signup_fallback_url(account.signup) == NULL);
  registration = mxreg_signup_registration(account.signup);
  CHECK(registration != NULL);
  CHECK(registered_as(registration, account.username));
  CHECK(mxreg_registration_device_id(registration) != NULL);
  CHECK(mxreg_registration_access_token(registration) != NULL);
  CHECK(stays_finished(account.signup, MXREG_SIGNUP_STATE_COMPLETE));

cleanup:
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_registration_token_stage(void) {
  struct new_account account;
  mxreg_signup *again = NULL;
  mxreg_error *error = NULL;
  const mxreg_auth_info *info;
  char token[256], other_username[64];
  bool valid = false;

  CHECK(new_account_prepare(&account, "TOKEN", "cstok"));
  CHECK(rig("token-create token --uses 1", token, sizeof token) == 0);
  CHECK(expect_rc(mxreg_client_registration_token_valid(account.client, token, &valid, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(valid == true);
  CHECK(expect_rc(mxreg_client_registration_token_valid(account.client, "no-such-token", &valid,
                                                        &error),
                  MXREG_RESULT_OK, &error));
  CHECK(valid == false);

  CHECK(new_account_start(&account, MXREG_STAGE_REGISTRATION_TOKEN, MXREG_RESULT_OK, &error));
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_NEEDS_STAGE);
  CHECK(equals(mxreg_signup_next_stage(account.signup), TOKEN_STAGE));
  CHECK(mxreg_signup_registration(account.signup) == NULL);
  info = mxreg_signup_auth_info(account.signup);
  CHECK(info != NULL);
  CHECK(mxreg_auth_info_session(info) != NULL);
  CHECK(mxreg_auth_info_flow_count(info) == 1);
  CHECK(equals(mxreg_auth_info_flow_stage(info, 0, 0), TOKEN_STAGE));
  CHECK(mxreg_auth_info_completed_count(info) == 0);

  /* A wrong token: rejected, and the session goes on. */
  CHECK(expect_rc(mxreg_signup_submit_token(account.signup, "wrong-token", &error),
                  MXREG_RESULT_STAGE_REJECTED, &error));
  CHECK(equals(mxreg_error_errcode(error), "M_UNAUTHORIZED"));
  CHECK(!contains(mxreg_error_message(error), PASSWORD));
  forget_error(&error);
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_NEEDS_STAGE);
  CHECK(equals(mxreg_signup_next_stage(account.signup), TOKEN_STAGE));

  /* The valid one: the dummy stage that follows is completed automatically. */
  CHECK(expect_rc(mxreg_signup_submit_token(account.signup, token, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_COMPLETE);
  CHECK(registered_as(mxreg_signup_registration(account.signup), account.username));

  /* Its single use is spent: the pre-check and another session say so. */
  CHECK(expect_rc(mxreg_client_registration_token_valid(account.client, token, &valid, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(valid == false);
  unique_username(other_username, sizeof other_username, "cstok");
  CHECK(expect_rc(start_signup(account.client, other_username, MXREG_STAGE_REGISTRATION_TOKEN,
                               &again, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_signup_submit_token(again, token, &error), MXREG_RESULT_STAGE_REJECTED,
                  &error));
  CHECK(mxreg_signup_status(again) == MXREG_SIGNUP_STATE_NEEDS_STAGE);

cleanup:
  mxreg_signup_free(again);
  mxreg_error_free(error);
  new_account_free(&account);
}

/* A new account on the token server with a registration token called
 * `name` (made with the admin API if missing): true when it completes. */
static int registers_with_token_named(const char *name) {
  struct new_account account;
  mxreg_error *error = NULL;
  char arguments[128], token[64];
  int ok;

  snprintf(arguments, sizeof arguments, "token-create token --token %s --exist-ok", name);
  if (rig(arguments, token, sizeof token) != 0 || !equals(token, name)) {
    return 0;
  }
  ok = new_account_prepare(&account, "TOKEN", "csname") &&
       new_account_start(&account, MXREG_STAGE_REGISTRATION_TOKEN, MXREG_RESULT_OK, &error) &&
       expect_rc(mxreg_signup_submit_token(account.signup, token, &error), MXREG_RESULT_OK,
                 &error) &&
       mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_COMPLETE;
  mxreg_error_free(error);
  new_account_free(&account);
  return ok;
}

/* Tokens named like words of the server's answer ("m.login.dummy", the
 * token stage): hiding them from errors must not change the flows read. */
static void test_tokens_named_like_parts_of_the_answer(void) {
  CHECK(registers_with_token_named("login"));
  CHECK(registers_with_token_named("token"));
  CHECK(registers_with_token_named("dummy"));
  CHECK(registers_with_token_named("registration"));
cleanup:;
}

static void test_token_validity_on_a_closed_server(void) {
  const mxreg_client *client = patient_client_for("CLOSED");
  mxreg_error *error = NULL;
  bool valid = true;

  CHECK(client != NULL);
  CHECK(expect_rc(mxreg_client_registration_token_valid(client, "any", &valid, &error),
                  MXREG_RESULT_FORBIDDEN, &error));
  CHECK(valid == true); /* not written on failure */

cleanup:
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_unsupported_flow_names_the_stage(void) {
  struct new_account account;
  mxreg_error *error = NULL;

  CHECK(new_account_prepare(&account, "TOKEN", "csunsup"));
  CHECK(new_account_start(&account, 0, MXREG_RESULT_UNSUPPORTED_FLOW, &error));
  CHECK(mxreg_error_code(error) == MXREG_RESULT_UNSUPPORTED_FLOW);
  CHECK(contains(mxreg_error_message(error), TOKEN_STAGE));
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_FAILED);
  CHECK(mxreg_signup_next_stage(account.signup) == NULL);

cleanup:
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_terms_policies_and_acceptance(void) {
  struct new_account account;
  mxreg_signup *signup;
  mxreg_error *error = NULL;
  const char *name;
  char consent[128];

  CHECK(new_account_prepare(&account, "TERMS", "csterms"));
  CHECK(new_account_start(&account, MXREG_STAGE_TERMS, MXREG_RESULT_OK, &error));
  signup = account.signup;
  CHECK(equals(mxreg_signup_next_stage(signup), TERMS_STAGE));
  CHECK(mxreg_signup_policy_count(signup) == 1);
  CHECK(equals(mxreg_signup_policy_id(signup, 0), "privacy_policy"));
  CHECK(equals(mxreg_signup_policy_version(signup, 0), "1.0"));
  name = mxreg_signup_policy_name(signup, 0, "en");
  CHECK(equals(name, "mxreg Test Privacy Policy"));
  snprintf(consent, sizeof consent, "%s/_matrix/consent", account.url);
  CHECK(starts_with(mxreg_signup_policy_url(signup, 0, "en"), consent));
  /* Only English exists: NULL and other languages fall back to it. */
  CHECK(equals(mxreg_signup_policy_name(signup, 0, NULL), name));
  CHECK(equals(mxreg_signup_policy_name(signup, 0, "fr"), name));
  CHECK(equals(mxreg_signup_policy_url(signup, 0, "de"), mxreg_signup_policy_url(signup, 0, "en")));
  /* Out of range. */
  CHECK(mxreg_signup_policy_id(signup, 1) == NULL);
  CHECK(mxreg_signup_policy_version(signup, 1) == NULL);
  CHECK(mxreg_signup_policy_name(signup, 1, "en") == NULL);
  CHECK(mxreg_signup_policy_url(signup, (size_t)-1, NULL) == NULL);
  /* The policy page is real. */
  CHECK(follow_link(mxreg_signup_policy_url(signup, 0, NULL)) == 200);

  CHECK(expect_rc(mxreg_signup_accept_terms(signup, &error), MXREG_RESULT_OK, &error));
  CHECK(mxreg_signup_status(signup) == MXREG_SIGNUP_STATE_COMPLETE);
  CHECK(mxreg_signup_registration(signup) != NULL);

cleanup:
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_submit_auth_json_completes_a_stage(void) {
  struct new_account account;
  mxreg_error *error = NULL;

  CHECK(new_account_prepare(&account, "TERMS", "csjson"));
  CHECK(new_account_start(&account, MXREG_STAGE_TERMS, MXREG_RESULT_OK, &error));
  CHECK(expect_argument_error(mxreg_signup_submit_auth_json(account.signup, "not json", &error),
                              MXREG_RESULT_INVALID_ARGUMENT, &error, "auth_json"));
  CHECK(expect_argument_error(mxreg_signup_submit_auth_json(account.signup, "[1]", &error),
                              MXREG_RESULT_INVALID_ARGUMENT, &error, "auth"));
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_NEEDS_STAGE);
  CHECK(expect_rc(mxreg_signup_submit_auth_json(account.signup, "{\"type\":\"m.login.terms\"}",
                                                &error),
                  MXREG_RESULT_OK, &error));
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_COMPLETE);

cleanup:
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_email_stage_survives_save_free_restore(void) {
  struct new_account account;
  const mxreg_client *second_client = NULL;
  mxreg_signup *resumed = NULL;
  mxreg_error *error = NULL;
  char address[128], arguments[256], link[2048];
  char *saved = NULL;

  CHECK(new_account_prepare(&account, "EMAIL", "csmail"));
  snprintf(address, sizeof address, "%s@example.org", account.username);
  CHECK(new_account_start(&account, MXREG_STAGE_EMAIL, MXREG_RESULT_OK, &error));
  CHECK(equals(mxreg_signup_next_stage(account.signup), EMAIL_STAGE));

  /* Checking before any mail was asked for is out of order. */
  CHECK(expect_rc(mxreg_signup_check_email(account.signup, &error), MXREG_RESULT_INVALID_STATE,
                  &error));
  forget_error(&error);

  CHECK(expect_rc(mxreg_signup_request_email_token(account.signup, address, NULL, &error),
                  MXREG_RESULT_OK, &error));
  /* Before the click: not yet, and the session goes on. */
  CHECK(expect_rc(mxreg_signup_check_email(account.signup, &error), MXREG_RESULT_STAGE_REJECTED,
                  &error));
  forget_error(&error);
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_NEEDS_STAGE);

  /* The app is closed here: save, free everything. */
  CHECK(expect_rc(mxreg_signup_save(account.signup, &saved, &error), MXREG_RESULT_OK, &error));
  CHECK(contains(saved, address));
  mxreg_signup_free(account.signup);
  account.signup = NULL;
  mxreg_client_free(account.client);
  account.client = NULL;

  /* The user follows the link in the mail. */
  snprintf(arguments, sizeof arguments, "mail-link email --to '%s' --timeout 20", address);
  CHECK(rig(arguments, link, sizeof link) == 0);
  CHECK(follow_link(link) == 200);

  /* A new run of the app resumes and completes. */
  second_client = patient_client_for("EMAIL");
  CHECK(second_client != NULL);
  CHECK(expect_rc(mxreg_signup_restore(second_client, saved, &resumed, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(mxreg_signup_status(resumed) == MXREG_SIGNUP_STATE_NEEDS_STAGE);
  CHECK(equals(mxreg_signup_next_stage(resumed), EMAIL_STAGE));
  CHECK(expect_rc(mxreg_signup_check_email(resumed, &error), MXREG_RESULT_OK, &error));
  CHECK(mxreg_signup_status(resumed) == MXREG_SIGNUP_STATE_COMPLETE);
  CHECK(registered_as(mxreg_signup_registration(resumed), account.username));

cleanup:
  mxreg_string_free(saved);
  mxreg_signup_free(resumed);
  mxreg_error_free(error);
  mxreg_client_free(second_client);
  new_account_free(&account);
}

/* A server that mails a code and gives a submit_url (the spec's example
 * requestToken answer, replayed by tests/standin/email_code_server.py on
 * loopback): the code the user types goes there; waiting for a link would
 * never end, so check_email refuses. */
static void test_email_code_goes_to_the_submit_url(void) {
  const mxreg_client *client = NULL;
  mxreg_signup *signup = NULL;
  mxreg_error *error = NULL;
  char url[128] = "", submit_url[160], stopped[16];
  int status = 0;

  CHECK(command_first_line("python3 tests/standin/email_code_server.py --detach",
                           "the email code stand-in", url, sizeof url) == 0);
  client = client_with(url, NULL);
  CHECK(client != NULL);
  CHECK(expect_rc(start_signup(client, "scripted", MXREG_STAGE_EMAIL, &signup, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(mxreg_signup_email_submit_url(signup) == NULL);
  CHECK(expect_rc(mxreg_signup_request_email_token(signup, "alice@example.org", NULL, &error),
                  MXREG_RESULT_OK, &error));
  snprintf(submit_url, sizeof submit_url, "%s/path/to/submitToken", url);
  CHECK(equals(mxreg_signup_email_submit_url(signup), submit_url));
  CHECK(expect_rc(mxreg_signup_check_email(signup, &error), MXREG_RESULT_INVALID_STATE, &error));
  forget_error(&error);
  CHECK(expect_rc(mxreg_signup_submit_email_code(signup, "000000", &error),
                  MXREG_RESULT_STAGE_REJECTED, &error));
  forget_error(&error);
  CHECK(mxreg_signup_status(signup) == MXREG_SIGNUP_STATE_NEEDS_STAGE);
  CHECK(expect_rc(mxreg_signup_submit_email_code(signup, "654321", &error), MXREG_RESULT_OK,
                  &error));
  CHECK(mxreg_signup_status(signup) == MXREG_SIGNUP_STATE_COMPLETE);

cleanup:
  if (url[0] != '\0') {
    loopback_http_get(url, "/stop", "", &status, stopped, sizeof stopped);
  }
  mxreg_signup_free(signup);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_fallback_page_and_early_done(void) {
  struct new_account account;
  mxreg_error *error = NULL;
  char expected[256];
  const char *page;

  CHECK(new_account_prepare(&account, "TOKEN", "csfb"));
  CHECK(new_account_start(&account, MXREG_STAGE_FALLBACK, MXREG_RESULT_OK, &error));
  CHECK(equals(mxreg_signup_next_stage(account.signup), TOKEN_STAGE));
  snprintf(expected, sizeof expected,
           "%s/_matrix/client/v3/auth/" TOKEN_STAGE "/fallback/web?session=", account.url);
  page = mxreg_signup_fallback_url(account.signup);
  CHECK(starts_with(page, expected));
  CHECK(contains(page, mxreg_auth_info_session(mxreg_signup_auth_info(account.signup))));
  CHECK(follow_link(page) == 200);

  /* Done before the page was completed: the stage is still pending. */
  CHECK(expect_rc(mxreg_signup_fallback_done(account.signup, &error), MXREG_RESULT_STAGE_REJECTED,
                  &error));
  CHECK(contains(mxreg_error_message(error), TOKEN_STAGE));
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_NEEDS_STAGE);
  CHECK(equals(mxreg_signup_next_stage(account.signup), TOKEN_STAGE));

cleanup:
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_closed_server_fails_with_forbidden(void) {
  struct new_account account;
  mxreg_error *error = NULL;

  CHECK(new_account_prepare(&account, "CLOSED", "csclosed"));
  CHECK(new_account_start(&account, MXREG_STAGES_ALL, MXREG_RESULT_FORBIDDEN, &error));
  CHECK(equals(mxreg_error_errcode(error), "M_FORBIDDEN"));
  CHECK(mxreg_error_http_status(error) == 403);
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_FAILED);
  CHECK(mxreg_signup_auth_info(account.signup) == NULL);
  CHECK(mxreg_signup_registration(account.signup) == NULL);
  CHECK(stays_finished(account.signup, MXREG_SIGNUP_STATE_FAILED));

cleanup:
  mxreg_error_free(error);
  new_account_free(&account);
}

/* One out-of-order step: INVALID_STATE, and the status is unchanged. */
static int refused_in_state(mxreg_result rc, mxreg_error **error, const mxreg_signup *signup,
                            mxreg_signup_state state) {
  int ok = expect_rc(rc, MXREG_RESULT_INVALID_STATE, error) &&
           mxreg_signup_status(signup) == state;
  mxreg_error_free(*error);
  *error = NULL;
  return ok;
}

#define REFUSED(call, state) CHECK(refused_in_state((call), &error, signup, state))

static void test_calls_out_of_order(void) {
  struct new_account account;
  mxreg_signup *signup;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  const mxreg_signup_state before = MXREG_SIGNUP_STATE_NOT_STARTED;
  const mxreg_signup_state waiting = MXREG_SIGNUP_STATE_NEEDS_STAGE;
  const mxreg_signup_state complete = MXREG_SIGNUP_STATE_COMPLETE;

  CHECK(new_account_prepare(&account, "TERMS", "csorder"));
  user_request(&request, account.username);
  CHECK(mxreg_signup_new(account.client, &request, MXREG_STAGE_TERMS, &account.signup, &error) ==
        MXREG_RESULT_OK);
  signup = account.signup;

  /* Before start: every step. */
  REFUSED(mxreg_signup_accept_terms(signup, &error), before);
  REFUSED(mxreg_signup_submit_token(signup, "x", &error), before);
  REFUSED(mxreg_signup_request_email_token(signup, "a@example.org", NULL, &error), before);
  REFUSED(mxreg_signup_check_email(signup, &error), before);
  REFUSED(mxreg_signup_request_msisdn_token(signup, "GB", "7700900000", &error), before);
  REFUSED(mxreg_signup_submit_msisdn_code(signup, "123456", &error), before);
  REFUSED(mxreg_signup_submit_recaptcha(signup, "response", &error), before);
  REFUSED(mxreg_signup_fallback_done(signup, &error), before);
  REFUSED(mxreg_signup_submit_auth_json(signup, "{\"type\":\"m.login.terms\"}", &error), before);

  /* Started: a second start, and stages the chosen flow does not have. */
  CHECK(expect_rc(mxreg_signup_start(signup, &error), MXREG_RESULT_OK, &error));
  REFUSED(mxreg_signup_start(signup, &error), waiting);
  REFUSED(mxreg_signup_submit_token(signup, "x", &error), waiting);
  REFUSED(mxreg_signup_request_email_token(signup, "a@example.org", NULL, &error), waiting);
  REFUSED(mxreg_signup_check_email(signup, &error), waiting);
  REFUSED(mxreg_signup_submit_recaptcha(signup, "response", &error), waiting);
  CHECK(equals(mxreg_signup_next_stage(signup), TERMS_STAGE));

  /* Complete: nothing more. */
  CHECK(expect_rc(mxreg_signup_accept_terms(signup, &error), MXREG_RESULT_OK, &error));
  REFUSED(mxreg_signup_accept_terms(signup, &error), complete);
  REFUSED(mxreg_signup_fallback_done(signup, &error), complete);
  REFUSED(mxreg_signup_submit_auth_json(signup, "{}", &error), complete);

cleanup:
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_restore_refuses_garbage_and_other_homeservers(void) {
  static const char *const garbage[] = {"", "garbage", "{}", "[]", "{\"version\":1}"};
  struct new_account account;
  const mxreg_client *other = patient_client_for("OPEN");
  mxreg_signup *restored = SENTINEL;
  mxreg_error *error = NULL;
  char *saved = NULL;
  size_t i;

  CHECK(new_account_prepare(&account, "TERMS", "csrestore") && other != NULL);
  for (i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
    CHECK(expect_argument_error(mxreg_signup_restore(account.client, garbage[i], &restored,
                                                     &error),
                                MXREG_RESULT_INVALID_ARGUMENT, &error, "saved"));
    CHECK(restored == SENTINEL);
  }

  CHECK(new_account_start(&account, MXREG_STAGE_TERMS, MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_signup_save(account.signup, &saved, &error), MXREG_RESULT_OK, &error));

  /* Another homeserver's client. */
  CHECK(mxreg_signup_restore(other, saved, &restored, &error) == MXREG_RESULT_INVALID_ARGUMENT);
  CHECK(contains(mxreg_error_message(error), account.url));
  CHECK(!contains(mxreg_error_message(error), PASSWORD));
  CHECK(restored == SENTINEL);
  forget_error(&error);

  /* The right one: the policies come back and the session completes. */
  CHECK(expect_rc(mxreg_signup_restore(account.client, saved, &restored, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(mxreg_signup_status(restored) == MXREG_SIGNUP_STATE_NEEDS_STAGE);
  CHECK(equals(mxreg_signup_next_stage(restored), TERMS_STAGE));
  CHECK(equals(mxreg_signup_policy_id(restored, 0), "privacy_policy"));
  CHECK(equals(mxreg_auth_info_session(mxreg_signup_auth_info(restored)),
               mxreg_auth_info_session(mxreg_signup_auth_info(account.signup))));
  CHECK(expect_rc(mxreg_signup_accept_terms(restored, &error), MXREG_RESULT_OK, &error));
  CHECK(mxreg_signup_status(restored) == MXREG_SIGNUP_STATE_COMPLETE);

cleanup:
  UNSENTINEL(restored);
  mxreg_signup_free(restored);
  mxreg_string_free(saved);
  mxreg_error_free(error);
  mxreg_client_free(other);
  new_account_free(&account);
}

static void test_a_name_taken_while_stages_were_pending(void) {
  struct new_account account;
  mxreg_signup *second = NULL;
  mxreg_error *error = NULL;

  CHECK(new_account_prepare(&account, "TERMS", "csrace"));
  CHECK(new_account_start(&account, MXREG_STAGE_TERMS, MXREG_RESULT_OK, &error));
  CHECK(expect_rc(start_signup(account.client, account.username, MXREG_STAGE_TERMS, &second,
                               &error),
                  MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_signup_accept_terms(account.signup, &error), MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_signup_accept_terms(second, &error), MXREG_RESULT_USER_IN_USE, &error));
  CHECK(equals(mxreg_error_errcode(error), "M_USER_IN_USE"));
  CHECK(mxreg_signup_status(second) == MXREG_SIGNUP_STATE_FAILED);

cleanup:
  mxreg_signup_free(second);
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_an_unknown_session_is_expired(void) {
  struct new_account account;
  mxreg_signup *forged = NULL;
  mxreg_error *error = NULL;
  char *saved = NULL, *found;
  const char *session;
  size_t length;
  int replaced = 0;

  CHECK(new_account_prepare(&account, "TERMS", "csgone"));
  CHECK(new_account_start(&account, MXREG_STAGE_TERMS, MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_signup_save(account.signup, &saved, &error), MXREG_RESULT_OK, &error));
  session = mxreg_auth_info_session(mxreg_signup_auth_info(account.signup));
  CHECK(session != NULL && *session != '\0');
  /* A session ID the server never gave, of the same length. */
  length = strlen(session);
  while ((found = strstr(saved, session)) != NULL) {
    memset(found, 'z', length);
    replaced++;
  }
  CHECK(replaced > 0);
  CHECK(expect_rc(mxreg_signup_restore(account.client, saved, &forged, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(expect_rc(mxreg_signup_accept_terms(forged, &error), MXREG_RESULT_SESSION_EXPIRED, &error));
  CHECK(mxreg_signup_status(forged) == MXREG_SIGNUP_STATE_FAILED);

cleanup:
  mxreg_string_free(saved);
  mxreg_signup_free(forged);
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_username_availability(void) {
  struct new_account account;
  mxreg_error *error = NULL;
  bool available = false;

  CHECK(new_account_prepare(&account, "OPEN", "csavail"));
  CHECK(expect_rc(mxreg_client_username_available(account.client, account.username, &available,
                                                  &error),
                  MXREG_RESULT_OK, &error));
  CHECK(available == true);
  CHECK(new_account_start(&account, 0, MXREG_RESULT_OK, &error));
  CHECK(mxreg_signup_status(account.signup) == MXREG_SIGNUP_STATE_COMPLETE);
  CHECK(expect_rc(mxreg_client_username_available(account.client, account.username, &available,
                                                  &error),
                  MXREG_RESULT_OK, &error));
  CHECK(available == false);

  /* The local grammar first (no request), then the server's own rules. */
  available = true;
  CHECK(expect_argument_error(mxreg_client_username_available(account.client, "Bad Name",
                                                              &available, &error),
                              MXREG_RESULT_INVALID_ARGUMENT, &error, "username"));
  CHECK(expect_rc(mxreg_client_username_available(account.client, "_reserved", &available,
                                                  &error),
                  MXREG_RESULT_INVALID_USERNAME, &error));
  CHECK(equals(mxreg_error_errcode(error), "M_INVALID_USERNAME"));
  CHECK(available == true); /* not written on failure */

cleanup:
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_refresh_gives_a_new_pair(void) {
  struct new_account account;
  mxreg_tokens *tokens = NULL;
  mxreg_tokens *rotated = NULL;
  mxreg_tokens *refused = SENTINEL;
  mxreg_error *error = NULL;
  const mxreg_registration *registration;
  const char *first;
  char user_id[96], body[4096];
  int64_t before;
  int status = 0;

  CHECK(new_account_prepare(&account, "OPEN", "csref"));
  CHECK(new_account_start(&account, 0, MXREG_RESULT_OK, &error));
  registration = mxreg_signup_registration(account.signup);
  first = mxreg_registration_refresh_token(registration);
  CHECK(first != NULL);

  before = now_ms();
  CHECK(expect_rc(mxreg_client_refresh(account.client, first, &tokens, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(mxreg_tokens_access_token(tokens) != NULL);
  CHECK(!equals(mxreg_tokens_access_token(tokens), mxreg_registration_access_token(registration)));
  CHECK(mxreg_tokens_refresh_token(tokens) != NULL); /* Synapse rotates them */
  CHECK(!equals(mxreg_tokens_refresh_token(tokens), first));
  CHECK(mxreg_tokens_expires_in_ms(tokens) > 0);
  CHECK(mxreg_tokens_expires_at_ms(tokens) >= before + mxreg_tokens_expires_in_ms(tokens));

  /* The new access token works; using it retires the old refresh token. */
  CHECK(loopback_http_get(account.url, "/_matrix/client/v3/account/whoami",
                          mxreg_tokens_access_token(tokens), &status, body, sizeof body) == 0);
  CHECK(status == 200);
  snprintf(user_id, sizeof user_id, "\"user_id\":\"@%s:localhost\"", account.username);
  CHECK(contains(body, user_id));
  CHECK(expect_rc(mxreg_client_refresh(account.client, first, &refused, &error),
                  MXREG_RESULT_FORBIDDEN, &error));
  forget_error(&error);
  CHECK(expect_rc(mxreg_client_refresh(account.client, mxreg_tokens_refresh_token(tokens),
                                       &rotated, &error),
                  MXREG_RESULT_OK, &error));

  CHECK(expect_rc(mxreg_client_refresh(account.client, "garbage", &refused, &error),
                  MXREG_RESULT_UNKNOWN_TOKEN, &error));
  CHECK(equals(mxreg_error_errcode(error), "M_UNKNOWN_TOKEN"));
  CHECK(!contains(mxreg_error_message(error), "garbage"));
  CHECK(refused == SENTINEL);

cleanup:
  UNSENTINEL(refused);
  mxreg_tokens_free(refused);
  mxreg_tokens_free(rotated);
  mxreg_tokens_free(tokens);
  mxreg_error_free(error);
  new_account_free(&account);
}

static void test_probe_open_server(void) {
  const char *url = homeserver("OPEN");
  mxreg_probe *probe = NULL;
  mxreg_error *error = NULL;
  const mxreg_auth_info *info;

  CHECK(url != NULL);
  CHECK(expect_rc(mxreg_probe_server(url, NULL, true, &probe, &error), MXREG_RESULT_OK, &error));
  CHECK(mxreg_probe_signup_methods(probe) ==
        (MXREG_SIGNUP_METHOD_LEGACY | MXREG_SIGNUP_METHOD_GUEST));
  CHECK(equals(mxreg_probe_homeserver_url(probe), url));
  info = mxreg_probe_auth_info(probe);
  CHECK(info != NULL);
  CHECK(mxreg_auth_info_flow_count(info) == 1);
  CHECK(equals(mxreg_auth_info_flow_stage(info, 0, 0), "m.login.dummy"));
  CHECK(contains(mxreg_probe_json(probe), "\"flows\":[{\"stages\":[\"m.login.dummy\"]}]"));
  CHECK(contains(mxreg_probe_json(probe), "\"guest_access\":true"));
  CHECK(contains(mxreg_probe_json(probe), "m.login.password"));
  /* Every part found out: nothing unknown. */
  CHECK(mxreg_probe_unknown_parts(probe) == 0);
  CHECK(mxreg_probe_unknown_count(probe) == 0);
  CHECK(!contains(mxreg_probe_json(probe), "\"unknown\""));

cleanup:
  mxreg_probe_free(probe);
  mxreg_error_free(error);
}

static void test_probe_token_and_closed_servers(void) {
  mxreg_probe *token = NULL;
  mxreg_probe *closed = NULL;
  mxreg_error *error = NULL;
  const mxreg_auth_info *info;

  CHECK(homeserver("TOKEN") != NULL && homeserver("CLOSED") != NULL);
  CHECK(expect_rc(mxreg_probe_server(homeserver("TOKEN"), NULL, true, &token, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(mxreg_probe_signup_methods(token) == MXREG_SIGNUP_METHOD_LEGACY);
  info = mxreg_probe_auth_info(token);
  CHECK(equals(mxreg_auth_info_flow_stage(info, 0, 0), TOKEN_STAGE));
  CHECK(contains(mxreg_probe_json(token), "\"guest_access\":false"));

  CHECK(expect_rc(mxreg_probe_server(homeserver("CLOSED"), NULL, false, &closed, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(mxreg_probe_signup_methods(closed) == 0);
  CHECK(mxreg_probe_auth_info(closed) == NULL);
  CHECK(contains(mxreg_probe_json(closed), "\"signup_methods\":0"));
  CHECK(contains(mxreg_probe_json(closed), "M_FORBIDDEN"));
  CHECK(!contains(mxreg_probe_json(closed), "guest_access"));

cleanup:
  mxreg_probe_free(closed);
  mxreg_probe_free(token);
  mxreg_error_free(error);
}

static void test_probe_transport_errors(void) {
  mxreg_probe *probe = SENTINEL;
  mxreg_error *error = NULL;

  CHECK(expect_rc(mxreg_probe_server(UNUSED_LOOPBACK_URL, NULL, false, &probe, &error),
                  MXREG_RESULT_CONNECT, &error));
  forget_error(&error);
  CHECK(expect_rc(mxreg_probe_server("http://matrix.example.org", NULL, false, &probe, &error),
                  MXREG_RESULT_INSECURE_URL, &error));
  CHECK(probe == SENTINEL);

cleanup:
  UNSENTINEL(probe);
  mxreg_probe_free(probe);
  mxreg_error_free(error);
}

int main(void) {
  RUN_TEST(test_stage_flags_and_unknown_bits);
  RUN_TEST(test_a_new_session_before_start);
  RUN_TEST(test_null_arguments);
  RUN_TEST(test_invalid_utf8);
  RUN_TEST(test_username_grammar_is_checked_locally);
  RUN_TEST(test_open_server_completes_on_start);
  RUN_TEST(test_registration_token_stage);
  RUN_TEST(test_tokens_named_like_parts_of_the_answer);
  RUN_TEST(test_token_validity_on_a_closed_server);
  RUN_TEST(test_unsupported_flow_names_the_stage);
  RUN_TEST(test_terms_policies_and_acceptance);
  RUN_TEST(test_submit_auth_json_completes_a_stage);
  RUN_TEST(test_email_stage_survives_save_free_restore);
  RUN_TEST(test_email_code_goes_to_the_submit_url);
  RUN_TEST(test_fallback_page_and_early_done);
  RUN_TEST(test_closed_server_fails_with_forbidden);
  RUN_TEST(test_calls_out_of_order);
  RUN_TEST(test_restore_refuses_garbage_and_other_homeservers);
  RUN_TEST(test_a_name_taken_while_stages_were_pending);
  RUN_TEST(test_an_unknown_session_is_expired);
  RUN_TEST(test_username_availability);
  RUN_TEST(test_refresh_gives_a_new_pair);
  RUN_TEST(test_probe_open_server);
  RUN_TEST(test_probe_token_and_closed_servers);
  RUN_TEST(test_probe_transport_errors);
  return harness_finish();
}
