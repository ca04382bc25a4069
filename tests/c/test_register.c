/*
 * The C API of mxreg, through the public header only: argument checking
 * (NULL, UTF-8, struct_size, enum values), result names, versions, error
 * accessors, client reference counting, and registration against the real
 * local Synapse servers (MXREG_HS_<VARIANT>, set by `make test-c`).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mxreg.h"

#include "harness.h"
#include "loopback_http.h"
#include "testlib.h"

#define NULL_ARG(call, argument) \
  CHECK(expect_refusal((call), MXREG_RESULT_NULL_ARGUMENT, &error, argument))
#define BAD_UTF8(call, argument) \
  CHECK(expect_refusal((call), MXREG_RESULT_INVALID_UTF8, &error, argument))

/* A new user on a test server: the client, the request (a unique name and
 * the test password, for the test to adjust) and what registering gave. */
struct new_user {
  const mxreg_client *client;
  char username[64];
  mxreg_register_request request;
  mxreg_registration *registration;
  mxreg_error *error;
};

/* A client for `variant` and a request for a new user named after `prefix`;
 * false (with a note) without the server. Call it first: new_user_free
 * needs what it sets. */
static int new_user_prepare(struct new_user *user, const char *variant, const char *prefix) {
  memset(user, 0, sizeof *user);
  user->client = client_for(variant);
  unique_username(user->username, sizeof user->username, prefix);
  user_request(&user->request, user->username);
  return user->client != NULL;
}

/* Register the user with the dummy stage: true when the call gives
 * `expected`. A registration is kept in user->registration, the error of
 * the last call in user->error; a refused call must not write
 * registration_out. */
static int new_user_register(struct new_user *user, mxreg_result expected) {
  mxreg_registration *registration = SENTINEL;
  mxreg_result rc;
  int ok;
  forget_error(&user->error);
  rc = register_with_dummy(user->client, &user->request, &registration, &user->error);
  ok = expect_rc(rc, expected, &user->error);
  if (registration != SENTINEL) {
    if (rc != MXREG_RESULT_OK) {
      NOTE("registration_out was written although the call failed");
      ok = 0;
    }
    mxreg_registration_free(user->registration);
    user->registration = registration;
  }
  return ok;
}

/* Register the user; the server must refuse it with `expected`, the Matrix
 * `errcode` and the HTTP `status` (user->error holds the rest). */
static int new_user_refused(struct new_user *user, mxreg_result expected, const char *errcode,
                            int status) {
  const char *got = NULL;
  if (!new_user_register(user, expected)) {
    return 0;
  }
  got = mxreg_error_errcode(user->error);
  if (!equals(got, errcode) || mxreg_error_http_status(user->error) != status) {
    NOTE("expected %s with HTTP %d, got %s with HTTP %d", errcode, status,
         got != NULL ? got : "no errcode", mxreg_error_http_status(user->error));
    return 0;
  }
  return 1;
}

static void new_user_free(struct new_user *user) {
  mxreg_registration_free(user->registration);
  mxreg_error_free(user->error);
  mxreg_client_free(user->client);
}

/* ---- versions, names, sizes ---------------------------------------------- */

static void test_versions_match_the_header(void) {
  CHECK(equals(mxreg_version(), MXREG_VERSION));
  CHECK(mxreg_abi_version() == MXREG_ABI_VERSION);
cleanup:;
}

static void test_result_names_and_descriptions(void) {
  static const mxreg_result known[] = {
      MXREG_RESULT_OK,
      MXREG_RESULT_NULL_ARGUMENT,
      MXREG_RESULT_INVALID_UTF8,
      MXREG_RESULT_INVALID_ARGUMENT,
      MXREG_RESULT_STRUCT_SIZE,
      MXREG_RESULT_PANIC,
      MXREG_RESULT_INSECURE_URL,
      MXREG_RESULT_INVALID_STATE,
      MXREG_RESULT_UNSUPPORTED_FLOW,
      MXREG_RESULT_DNS,
      MXREG_RESULT_CONNECT,
      MXREG_RESULT_TLS,
      MXREG_RESULT_TIMEOUT,
      MXREG_RESULT_OUTCOME_UNKNOWN,
      MXREG_RESULT_BODY_TOO_LARGE,
      MXREG_RESULT_INVALID_RESPONSE,
      MXREG_RESULT_REDIRECT,
      MXREG_RESULT_IO,
      MXREG_RESULT_MATRIX_ERROR,
      MXREG_RESULT_AUTH_REQUIRED,
      MXREG_RESULT_RATE_LIMITED,
      MXREG_RESULT_USER_IN_USE,
      MXREG_RESULT_INVALID_USERNAME,
      MXREG_RESULT_WEAK_PASSWORD,
      MXREG_RESULT_FORBIDDEN,
      MXREG_RESULT_UNKNOWN_TOKEN,
      MXREG_RESULT_HTTP_ERROR,
  };
  /* Outside every group's range (1..99, 100..199, 200..299), so that codes
   * added later within a group never make this list wrong. */
  static const uint32_t unknown[] = {300, 999, 65535, UINT32_MAX};
  size_t i;

  CHECK(equals(mxreg_result_name(MXREG_RESULT_OK), "MXREG_RESULT_OK"));
  CHECK(equals(mxreg_result_name(MXREG_RESULT_USER_IN_USE), "MXREG_RESULT_USER_IN_USE"));
  CHECK(equals(mxreg_result_name(MXREG_RESULT_RATE_LIMITED), "MXREG_RESULT_RATE_LIMITED"));
  CHECK(equals(mxreg_result_describe(MXREG_RESULT_OK), "success"));
  CHECK(equals(mxreg_result_describe(MXREG_RESULT_USER_IN_USE), "the user ID is already taken"));
  for (i = 0; i < sizeof known / sizeof known[0]; i++) {
    const char *name = mxreg_result_name(known[i]);
    const char *description = mxreg_result_describe(known[i]);
    CHECK(starts_with(name, "MXREG_RESULT_"));
    CHECK(!equals(name, "MXREG_RESULT_UNKNOWN"));
    CHECK(description != NULL && *description != '\0');
    CHECK(!equals(description, "unknown result code"));
  }
  for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    CHECK(equals(mxreg_result_name(unknown[i]), "MXREG_RESULT_UNKNOWN"));
    CHECK(equals(mxreg_result_describe(unknown[i]), "unknown result code"));
  }
cleanup:;
}

static void test_request_structs_and_defaults(void) {
  mxreg_client_options options;
  mxreg_register_request request;

  CHECK(mxreg_client_options_size() == sizeof(mxreg_client_options));
  CHECK(mxreg_register_request_size() == sizeof(mxreg_register_request));

  memset(&options, 0xAB, sizeof options);
  mxreg_client_options_init(&options);
  CHECK(options.struct_size == sizeof options);
  CHECK(options.user_agent == NULL);
  CHECK(options.allow_insecure_http == false);

  memset(&request, 0xAB, sizeof request);
  mxreg_register_request_init(&request);
  CHECK(request.struct_size == sizeof request);
  CHECK(request.username == NULL && request.password == NULL && request.device_id == NULL);
  CHECK(request.initial_device_display_name == NULL && request.guest_access_token == NULL);
  CHECK(request.appservice_token == NULL && request.auth_json == NULL);
  CHECK(request.kind == MXREG_ACCOUNT_KIND_USER);
  CHECK(request.inhibit_login == false);
  CHECK(request.refresh_token == true);
cleanup:;
}

/* ---- argument checking (no network) -------------------------------------- */

/* Register `request` on a client of UNUSED_LOOPBACK_URL: refused before any
 * I/O with `expected` and a message that contains `part` (when not NULL)
 * and not the password; registration_out left unwritten. */
static int refused_locally(const mxreg_register_request *request, mxreg_result expected,
                           const char *part) {
  const mxreg_client *client = client_with(UNUSED_LOOPBACK_URL, NULL);
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_result rc;
  int ok = 1;
  if (client == NULL) {
    return 0;
  }
  rc = mxreg_client_register(client, request, &registration, &error);
  if (request->password != NULL && contains(mxreg_error_message(error), request->password)) {
    NOTE("the message repeats the password");
    ok = 0;
  }
  ok = expect_refusal(rc, expected, &error, part) && ok;
  if (registration != SENTINEL) {
    NOTE("registration_out was written although the call failed");
    mxreg_registration_free(registration);
    ok = 0;
  }
  mxreg_client_free(client);
  return ok;
}

static void test_null_arguments(void) {
  const mxreg_client *client = NULL;
  const mxreg_client *out_client = SENTINEL;
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_register_request request;

  /* Accessors and frees: NULL in, NULL/0/-1 out, no crash. */
  CHECK(mxreg_auth_info_session(NULL) == NULL);
  CHECK(mxreg_auth_info_flow_count(NULL) == 0);
  CHECK(mxreg_auth_info_flow_stage_count(NULL, 0) == 0);
  CHECK(mxreg_auth_info_flow_stage(NULL, 0, 0) == NULL);
  CHECK(mxreg_auth_info_completed_count(NULL) == 0);
  CHECK(mxreg_auth_info_completed(NULL, 0) == NULL);
  CHECK(mxreg_auth_info_params_json(NULL) == NULL);
  mxreg_client_options_init(NULL);
  mxreg_register_request_init(NULL);
  CHECK(mxreg_client_clone(NULL) == NULL);
  CHECK(mxreg_client_homeserver_url(NULL) == NULL);
  mxreg_client_free(NULL);
  CHECK(mxreg_error_code(NULL) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(mxreg_error_message(NULL) == NULL);
  CHECK(mxreg_error_errcode(NULL) == NULL);
  CHECK(mxreg_error_http_status(NULL) == 0);
  CHECK(mxreg_error_retry_after_ms(NULL) == -1);
  CHECK(mxreg_error_body_json(NULL) == NULL);
  CHECK(mxreg_error_auth_info(NULL) == NULL);
  mxreg_error_free(NULL);
  CHECK(mxreg_registration_user_id(NULL) == NULL);
  CHECK(mxreg_registration_device_id(NULL) == NULL);
  CHECK(mxreg_registration_access_token(NULL) == NULL);
  CHECK(mxreg_registration_refresh_token(NULL) == NULL);
  CHECK(mxreg_registration_expires_in_ms(NULL) == -1);
  CHECK(mxreg_registration_expires_at_ms(NULL) == -1);
  mxreg_registration_free(NULL);

  /* mxreg_client_new: homeserver_url and client_out are required. */
  NULL_ARG(mxreg_client_new(NULL, NULL, &out_client, &error), "homeserver_url");
  CHECK(out_client == SENTINEL);
  NULL_ARG(mxreg_client_new(UNUSED_LOOPBACK_URL, NULL, NULL, &error), "client_out");
  /* error_out is optional; options NULL means the defaults. */
  CHECK(mxreg_client_new(NULL, NULL, &out_client, NULL) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(out_client == SENTINEL);
  out_client = NULL;
  CHECK(mxreg_client_new(UNUSED_LOOPBACK_URL, NULL, &client, NULL) == MXREG_RESULT_OK);
  CHECK(client != NULL);

  /* mxreg_client_register: client, request and registration_out are required. */
  user_request(&request, "nobody");
  NULL_ARG(mxreg_client_register(NULL, &request, &registration, &error), "client");
  NULL_ARG(mxreg_client_register(client, NULL, &registration, &error), "request");
  /* Checked before any I/O: the unused port would give CONNECT otherwise. */
  NULL_ARG(mxreg_client_register(client, &request, NULL, &error), "registration_out");
  CHECK(mxreg_client_register(NULL, NULL, NULL, NULL) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(registration == SENTINEL);

cleanup:
  UNSENTINEL(registration);
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_invalid_utf8(void) {
  static const char bad[] = "ab\xc3\x28"; /* a truncated two-byte sequence */
  static const char *const not_objects[] = {"{not json", "[1, 2]"};
  const mxreg_client *out_client = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_client_options options;
  mxreg_register_request request;
  size_t i;

  BAD_UTF8(mxreg_client_new("http://127.0.0.1:9/\xff", NULL, &out_client, &error),
           "homeserver_url");
  CHECK(out_client == SENTINEL);
  mxreg_client_options_init(&options);
  options.user_agent = bad;
  BAD_UTF8(mxreg_client_new(UNUSED_LOOPBACK_URL, &options, &out_client, &error), "user_agent");
  CHECK(out_client == SENTINEL);

  user_request(&request, bad);
  CHECK(refused_locally(&request, MXREG_RESULT_INVALID_UTF8, "username"));
  user_request(&request, "nobody");
  request.password = bad;
  CHECK(refused_locally(&request, MXREG_RESULT_INVALID_UTF8, "password"));
  user_request(&request, "nobody");
  request.auth_json = "{\"type\":\"m.login.dummy\",\"session\":\"\xff\"}";
  CHECK(refused_locally(&request, MXREG_RESULT_INVALID_UTF8, "auth_json"));

  /* Valid UTF-8 that is not a JSON object is an invalid argument. */
  for (i = 0; i < sizeof not_objects / sizeof not_objects[0]; i++) {
    request.auth_json = not_objects[i];
    CHECK(refused_locally(&request, MXREG_RESULT_INVALID_ARGUMENT, NULL));
  }

cleanup:
  mxreg_error_free(error);
}

/* A wrong struct_size: 0, one byte short, or a larger (newer) struct. */
static size_t wrong_size(size_t right, size_t variant) {
  return variant == 0 ? 0 : variant == 1 ? right - 1 : right + 8;
}

static void test_wrong_struct_size(void) {
  const mxreg_client *out_client = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_client_options options;
  mxreg_register_request request;
  size_t variant;

  for (variant = 0; variant < 3; variant++) {
    mxreg_client_options_init(&options);
    options.struct_size = wrong_size(sizeof options, variant);
    CHECK(expect_refusal(mxreg_client_new(UNUSED_LOOPBACK_URL, &options, &out_client, &error),
                         MXREG_RESULT_STRUCT_SIZE, &error, "struct_size"));
    CHECK(out_client == SENTINEL);

    user_request(&request, "nobody");
    request.struct_size = wrong_size(sizeof request, variant);
    CHECK(refused_locally(&request, MXREG_RESULT_STRUCT_SIZE, "struct_size"));
  }

cleanup:
  mxreg_error_free(error);
}

static void test_unknown_account_kind(void) {
  mxreg_register_request request;

  user_request(&request, "nobody");
  request.kind = 7;
  CHECK(refused_locally(&request, MXREG_RESULT_INVALID_ARGUMENT, "kind"));

cleanup:;
}

static void test_plain_http_to_a_remote_host_is_refused(void) {
  static const char *const refused[] = {"http://matrix.example.org", "http://10.1.2.3:8008",
                                        "http://[2001:db8::1]:8008"};
  static const char *const malformed[] = {"https://x.org/?a=b", ""};
  const mxreg_client *client = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_client_options options;
  size_t i;

  for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    CHECK(expect_rc(mxreg_client_new(refused[i], NULL, &client, &error),
                    MXREG_RESULT_INSECURE_URL, &error));
    CHECK(client == SENTINEL);
    CHECK(mxreg_error_http_status(error) == 0);
    forget_error(&error);
  }
  for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
    CHECK(expect_refusal(mxreg_client_new(malformed[i], NULL, &client, &error),
                         MXREG_RESULT_INVALID_ARGUMENT, &error, NULL));
  }
  CHECK(client == SENTINEL);
  client = NULL;

  mxreg_client_options_init(&options);
  options.allow_insecure_http = true;
  CHECK(expect_rc(mxreg_client_new("http://matrix.example.org/prefix/", &options, &client, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(equals(mxreg_client_homeserver_url(client), "http://matrix.example.org/prefix"));

cleanup:
  UNSENTINEL(client);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_error_accessors_without_a_server_answer(void) {
  const mxreg_client *client = NULL;
  mxreg_error *error = NULL;

  CHECK(mxreg_client_new(NULL, NULL, &client, &error) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(mxreg_error_code(error) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(mxreg_error_message(error) != NULL);
  CHECK(mxreg_error_errcode(error) == NULL);
  CHECK(mxreg_error_http_status(error) == 0);
  CHECK(mxreg_error_retry_after_ms(error) == -1);
  CHECK(mxreg_error_body_json(error) == NULL);
  CHECK(mxreg_error_auth_info(error) == NULL);

cleanup:
  mxreg_error_free(error);
  mxreg_client_free(client);
}

/* ---- against the servers ------------------------------------------------- */

static void test_client_clone_outlives_the_original(void) {
  const mxreg_client *client = client_for("OPEN");
  const mxreg_client *clone = NULL;
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;

  CHECK(client != NULL);
  clone = mxreg_client_clone(client);
  CHECK(clone != NULL);
  CHECK(equals(mxreg_client_homeserver_url(clone), mxreg_client_homeserver_url(client)));
  mxreg_client_free(client);
  client = NULL;

  /* The clone still works after the original reference is gone. */
  CHECK(equals(mxreg_client_homeserver_url(clone), homeserver("OPEN")));
  mxreg_register_request_init(&request);
  request.kind = MXREG_ACCOUNT_KIND_GUEST;
  CHECK(expect_rc(register_patiently(clone, &request, &registration, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(mxreg_registration_user_id(registration) != NULL);

cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(clone);
  mxreg_client_free(client);
}

static void test_dummy_stage_through_auth_info(void) {
  struct new_user user;
  mxreg_registration *registration = SENTINEL;
  const mxreg_auth_info *info;
  char auth[256];
  const char *session;

  CHECK(new_user_prepare(&user, "OPEN", "cdummy"));
  CHECK(expect_rc(register_patiently(user.client, &user.request, &registration, &user.error),
                  MXREG_RESULT_AUTH_REQUIRED, &user.error));
  CHECK(registration == SENTINEL);
  CHECK(mxreg_error_code(user.error) == MXREG_RESULT_AUTH_REQUIRED);
  CHECK(mxreg_error_http_status(user.error) == 401);
  CHECK(mxreg_error_errcode(user.error) == NULL);
  CHECK(mxreg_error_retry_after_ms(user.error) == -1);
  CHECK(contains(mxreg_error_body_json(user.error), "\"flows\""));
  info = mxreg_error_auth_info(user.error);
  CHECK(info != NULL);
  CHECK(mxreg_auth_info_flow_count(info) == 1);
  CHECK(mxreg_auth_info_flow_stage_count(info, 0) == 1);
  CHECK(mxreg_auth_info_flow_stage_count(info, 1) == 0);
  CHECK(equals(mxreg_auth_info_flow_stage(info, 0, 0), "m.login.dummy"));
  CHECK(mxreg_auth_info_flow_stage(info, 0, 1) == NULL);
  CHECK(mxreg_auth_info_flow_stage(info, 1, 0) == NULL);
  CHECK(mxreg_auth_info_completed_count(info) == 0);
  CHECK(mxreg_auth_info_completed(info, 0) == NULL);
  CHECK(equals(mxreg_auth_info_params_json(info), "{}"));
  session = mxreg_auth_info_session(info);
  CHECK(session != NULL && *session != '\0');
  CHECK(strlen(session) < 128);
  snprintf(auth, sizeof auth, "{\"type\":\"m.login.dummy\",\"session\":\"%s\"}", session);
  forget_error(&user.error);

  user.request.auth_json = auth;
  CHECK(expect_rc(register_patiently(user.client, &user.request, &registration, &user.error),
                  MXREG_RESULT_OK, &user.error));
  CHECK(user.error == NULL); /* error_out is not written on success */
  CHECK(registered_as(registration, user.username));
  CHECK(mxreg_registration_device_id(registration) != NULL);
  CHECK(mxreg_registration_access_token(registration) != NULL);
  /* refresh_token is requested by default. */
  CHECK(mxreg_registration_refresh_token(registration) != NULL);
  CHECK(mxreg_registration_expires_in_ms(registration) > 0);

cleanup:
  UNSENTINEL(registration);
  mxreg_registration_free(registration);
  new_user_free(&user);
}

static void test_taken_username(void) {
  struct new_user user;

  CHECK(new_user_prepare(&user, "OPEN", "ctaken"));
  CHECK(new_user_register(&user, MXREG_RESULT_OK));
  CHECK(new_user_refused(&user, MXREG_RESULT_USER_IN_USE, "M_USER_IN_USE", 400));
  CHECK(mxreg_error_code(user.error) == MXREG_RESULT_USER_IN_USE);
  CHECK(mxreg_error_retry_after_ms(user.error) == -1);
  CHECK(contains(mxreg_error_body_json(user.error), "\"errcode\":\"M_USER_IN_USE\""));
  CHECK(mxreg_error_auth_info(user.error) == NULL);
  CHECK(contains(mxreg_error_message(user.error), "M_USER_IN_USE"));

cleanup:
  new_user_free(&user);
}

static void test_invalid_username(void) {
  struct new_user user;

  CHECK(new_user_prepare(&user, "OPEN", "cinvalid"));
  user.request.username = "bad name!";
  CHECK(new_user_refused(&user, MXREG_RESULT_INVALID_USERNAME, "M_INVALID_USERNAME", 400));

cleanup:
  new_user_free(&user);
}

static void test_weak_password(void) {
  struct new_user user;

  CHECK(new_user_prepare(&user, "OPEN", "cweak"));
  user.request.password = "sh0rt";
  CHECK(new_user_refused(&user, MXREG_RESULT_WEAK_PASSWORD, "M_PASSWORD_TOO_SHORT", 400));
  CHECK(!contains(mxreg_error_message(user.error), "sh0rt"));
  CHECK(!contains(mxreg_error_body_json(user.error), "sh0rt"));

cleanup:
  new_user_free(&user);
}

static void test_refresh_token_and_expiry(void) {
  struct new_user user;
  int64_t before, after, lifetime, expires_at;

  CHECK(new_user_prepare(&user, "OPEN", "crefresh"));
  user.request.refresh_token = true;
  before = now_ms();
  CHECK(new_user_register(&user, MXREG_RESULT_OK));
  after = now_ms();
  CHECK(mxreg_registration_refresh_token(user.registration) != NULL);
  CHECK(*mxreg_registration_refresh_token(user.registration) != '\0');
  lifetime = mxreg_registration_expires_in_ms(user.registration);
  expires_at = mxreg_registration_expires_at_ms(user.registration);
  CHECK(lifetime > 0);
  CHECK(expires_at >= before + lifetime);
  CHECK(expires_at <= after + lifetime);

cleanup:
  new_user_free(&user);
}

static void test_no_refresh_token_when_not_asked(void) {
  struct new_user user;

  CHECK(new_user_prepare(&user, "OPEN", "cnorefresh"));
  user.request.refresh_token = false;
  CHECK(new_user_register(&user, MXREG_RESULT_OK));
  CHECK(mxreg_registration_access_token(user.registration) != NULL);
  CHECK(mxreg_registration_refresh_token(user.registration) == NULL);
  CHECK(mxreg_registration_expires_in_ms(user.registration) == -1);
  CHECK(mxreg_registration_expires_at_ms(user.registration) == -1);

cleanup:
  new_user_free(&user);
}

static void test_inhibit_login(void) {
  struct new_user user;

  CHECK(new_user_prepare(&user, "OPEN", "cinhibit"));
  user.request.inhibit_login = true;
  CHECK(new_user_register(&user, MXREG_RESULT_OK));
  CHECK(registered_as(user.registration, user.username));
  CHECK(mxreg_registration_access_token(user.registration) == NULL);
  CHECK(mxreg_registration_device_id(user.registration) == NULL);
  CHECK(mxreg_registration_refresh_token(user.registration) == NULL);
  CHECK(mxreg_registration_expires_in_ms(user.registration) == -1);

cleanup:
  new_user_free(&user);
}

static void test_guest(void) {
  struct held held = {0};
  const mxreg_registration *registration;
  mxreg_register_request request;
  const char *user_id;
  size_t digits;

  CHECK((held.client = client_for("OPEN")) != NULL);
  mxreg_register_request_init(&request);
  request.kind = MXREG_ACCOUNT_KIND_GUEST;
  CHECK(expect_rc(register_patiently(held.client, &request, &held.account, &held.error),
                  MXREG_RESULT_OK, &held.error));
  registration = held.account;
  user_id = mxreg_registration_user_id(registration);
  CHECK(starts_with(user_id, "@"));
  digits = strspn(user_id + 1, "0123456789");
  CHECK(digits > 0);
  CHECK(equals(user_id + 1 + digits, ":localhost"));
  CHECK(mxreg_registration_access_token(registration) != NULL);
  CHECK(mxreg_registration_device_id(registration) != NULL);

cleanup:
  held_free(&held);
}

static void test_custom_device_id_and_display_name(void) {
  struct new_user user;
  char device_id[80], display_name[128], path[160], expected[200], body[4096];
  int status = 0;
  size_t i;

  CHECK(new_user_prepare(&user, "OPEN", "cdevice"));
  snprintf(device_id, sizeof device_id, "MXREGC%s", user.username);
  for (i = 0; device_id[i] != '\0'; i++) {
    if (device_id[i] >= 'a' && device_id[i] <= 'z') {
      device_id[i] = (char)(device_id[i] - 'a' + 'A');
    }
  }
  snprintf(display_name, sizeof display_name, "mxreg C test device %s", user.username);
  user.request.device_id = device_id;
  user.request.initial_device_display_name = display_name;
  CHECK(new_user_register(&user, MXREG_RESULT_OK));
  CHECK(equals(mxreg_registration_device_id(user.registration), device_id));

  /* What the server stored, read with the new token outside mxreg. */
  snprintf(path, sizeof path, "/_matrix/client/v3/devices/%s", device_id);
  CHECK(loopback_http_get(homeserver("OPEN"), path,
                          mxreg_registration_access_token(user.registration), &status, body,
                          sizeof body) == 0);
  CHECK(status == 200);
  snprintf(expected, sizeof expected, "\"display_name\":\"%s\"", display_name);
  CHECK(contains(body, expected));
  snprintf(expected, sizeof expected, "\"device_id\":\"%s\"", device_id);
  CHECK(contains(body, expected));

cleanup:
  new_user_free(&user);
}

static void test_closed_server_forbids(void) {
  struct new_user user;

  CHECK(new_user_prepare(&user, "CLOSED", "cclosed"));
  CHECK(new_user_refused(&user, MXREG_RESULT_FORBIDDEN, "M_FORBIDDEN", 403));
  CHECK(mxreg_error_retry_after_ms(user.error) == -1);
  CHECK(contains(mxreg_error_body_json(user.error), "M_FORBIDDEN"));

cleanup:
  new_user_free(&user);
}

static void test_a_disabled_server_names_its_admin_contact(void) {
  struct new_user user;

  CHECK(new_user_prepare(&user, "LIMITED", "climited"));
  CHECK(new_user_refused(&user, MXREG_RESULT_RESOURCE_LIMIT_EXCEEDED, "M_RESOURCE_LIMIT_EXCEEDED",
                         403));
  CHECK(equals(mxreg_error_admin_contact(user.error), "mailto:admin@localhost"));
  CHECK(mxreg_error_consent_uri(user.error) == NULL);
  CHECK(mxreg_error_info_uri(user.error) == NULL);
  CHECK(!mxreg_error_can_upgrade(user.error));

cleanup:
  new_user_free(&user);
}

static void test_a_name_in_an_appservice_namespace_is_exclusive(void) {
  struct new_user user;

  CHECK(new_user_prepare(&user, "OPEN", "mxregbot_c"));
  CHECK(new_user_refused(&user, MXREG_RESULT_EXCLUSIVE, "M_EXCLUSIVE", 400));
  CHECK(mxreg_error_admin_contact(user.error) == NULL);

cleanup:
  new_user_free(&user);
}

/* Recovery on an account that exists (as after a lost answer): the re-sent
 * attempt finds the name taken, and mxreg logs in onto the device named. */
static void test_recovery_ends_on_the_device_named(void) {
  struct new_user user;
  mxreg_registration *recovered = NULL;
  char device_id[80];

  CHECK(new_user_prepare(&user, "OPEN", "crecover"));
  CHECK(new_user_register(&user, MXREG_RESULT_OK));
  /* No device in the request: mxreg chose one and gives it back. */
  CHECK(mxreg_registration_device_id(user.registration) != NULL);
  snprintf(device_id, sizeof device_id, "%s", mxreg_registration_device_id(user.registration));
  CHECK(strlen(device_id) == 10);

  user.request.auth_json = DUMMY_AUTH_JSON;
  forget_error(&user.error);
  CHECK(expect_refusal(mxreg_client_recover_registration(user.client, &user.request, &recovered,
                                                         &user.error),
                       MXREG_RESULT_INVALID_ARGUMENT, &user.error, "device_id"));
  user.request.device_id = device_id;
  CHECK(expect_rc(mxreg_client_recover_registration(user.client, &user.request, &recovered,
                                                    &user.error),
                  MXREG_RESULT_OK, &user.error));
  CHECK(equals(mxreg_registration_device_id(recovered), device_id));
  CHECK(equals(mxreg_registration_user_id(recovered),
               mxreg_registration_user_id(user.registration)));
  CHECK(mxreg_registration_access_token(recovered) != NULL);

cleanup:
  mxreg_registration_free(recovered);
  new_user_free(&user);
}

static void test_rate_limited_with_a_delay(void) {
  /* burst_count 2 per IP: at most three completed registrations in a row
   * before a 429, fewer when another suite used the server just before. */
  struct held held = {0};
  mxreg_register_request request;
  char username[64];
  mxreg_result rc = MXREG_RESULT_OK;
  int attempt;

  CHECK((held.client = client_for("RATELIMIT")) != NULL);
  for (attempt = 0; attempt < 4 && rc == MXREG_RESULT_OK; attempt++) {
    unique_username(username, sizeof username, "climit");
    user_request(&request, username);
    request.auth_json = DUMMY_AUTH_JSON;
    mxreg_registration_free(held.account);
    held.account = NULL;
    rc = mxreg_client_register(held.client, &request, &held.account, &held.error);
  }
  CHECK(expect_rc(rc, MXREG_RESULT_RATE_LIMITED, &held.error));
  CHECK(held.account == NULL);
  CHECK(equals(mxreg_error_errcode(held.error), "M_LIMIT_EXCEEDED"));
  CHECK(mxreg_error_http_status(held.error) == 429);
  CHECK(mxreg_error_retry_after_ms(held.error) > 0);
  CHECK(mxreg_error_retry_after_ms(held.error) <= 60000);
  CHECK(contains(mxreg_error_body_json(held.error), "retry_after_ms"));

cleanup:
  held_free(&held);
}

int main(void) {
  RUN_TEST(test_versions_match_the_header);
  RUN_TEST(test_result_names_and_descriptions);
  RUN_TEST(test_request_structs_and_defaults);
  RUN_TEST(test_null_arguments);
  RUN_TEST(test_invalid_utf8);
  RUN_TEST(test_wrong_struct_size);
  RUN_TEST(test_unknown_account_kind);
  RUN_TEST(test_plain_http_to_a_remote_host_is_refused);
  RUN_TEST(test_error_accessors_without_a_server_answer);
  RUN_TEST(test_client_clone_outlives_the_original);
  RUN_TEST(test_dummy_stage_through_auth_info);
  RUN_TEST(test_taken_username);
  RUN_TEST(test_invalid_username);
  RUN_TEST(test_weak_password);
  RUN_TEST(test_refresh_token_and_expiry);
  RUN_TEST(test_no_refresh_token_when_not_asked);
  RUN_TEST(test_inhibit_login);
  RUN_TEST(test_guest);
  RUN_TEST(test_custom_device_id_and_display_name);
  RUN_TEST(test_closed_server_forbids);
  RUN_TEST(test_rate_limited_with_a_delay);
  RUN_TEST(test_a_disabled_server_names_its_admin_contact);
  RUN_TEST(test_a_name_in_an_appservice_namespace_is_exclusive);
  RUN_TEST(test_recovery_ends_on_the_device_named);
  return harness_finish();
}
