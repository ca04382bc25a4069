/*
 * The C API of mxreg, through the public header only: argument checking
 * (NULL, UTF-8, struct_size, enum values), result names, versions, error
 * accessors, client reference counting, and registration against the real
 * local Synapse servers (MXREG_HS_<VARIANT>, set by `make test-c`).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mxreg.h"

#include "harness.h"
#include "loopback_http.h"

/* Meets the open servers' policy (8 characters, a digit). */
#define PASSWORD "mxreg-Passw0rd-long"
#define DUMMY_AUTH "{\"type\":\"m.login.dummy\"}"
#define RATE_LIMIT_RETRIES 5
#define MAX_RATE_LIMIT_WAIT_MS 15000
/* A loopback port nothing listens on: a call that reached the network would
 * fail with MXREG_RESULT_CONNECT instead of the argument error under test. */
#define UNUSED_LOOPBACK_URL "http://127.0.0.1:9"

/* Stored in output parameters to see whether a failed call wrote them. */
static int sentinel_storage;
#define SENTINEL ((void *)&sentinel_storage)

static int64_t now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms) {
  struct timespec delay;
  delay.tv_sec = (time_t)(ms / 1000);
  delay.tv_nsec = (long)(ms % 1000) * 1000000L;
  nanosleep(&delay, NULL);
}

static int starts_with(const char *text, const char *prefix) {
  return text != NULL && strncmp(text, prefix, strlen(prefix)) == 0;
}

static int contains(const char *text, const char *part) {
  return text != NULL && strstr(text, part) != NULL;
}

static int equals(const char *text, const char *expected) {
  return text != NULL && strcmp(text, expected) == 0;
}

/* True when `got` is `expected`; otherwise notes what came instead. */
/* `error` is the address of the call's error variable, read only after the
 * call has filled it (C leaves argument evaluation order unspecified). */
static int expect_rc(mxreg_result got, mxreg_result expected, mxreg_error *const *error) {
  if (got != expected) {
    NOTE("expected %s, got %s: %s", mxreg_result_name(expected), mxreg_result_name(got),
         *error != NULL ? mxreg_error_message(*error) : "(no error detail)");
  }
  return got == expected;
}

/* The base URL of a running test server, or NULL (with a note) when the
 * suite was started without the servers. */
static const char *homeserver(const char *variant) {
  char name[64];
  const char *url;
  snprintf(name, sizeof name, "MXREG_HS_%s", variant);
  url = getenv(name);
  if (url == NULL || *url == '\0') {
    NOTE("%s is not set: run this suite via `make test-c`, or export the servers with "
         "eval \"$(python3 scripts/homeserver.py env | sed 's/^/export /')\"",
         name);
    return NULL;
  }
  return url;
}

/* A client for a test server, or NULL (with a note). */
static const mxreg_client *client_for(const char *variant) {
  const char *url = homeserver(variant);
  const mxreg_client *client = NULL;
  mxreg_error *error = NULL;
  if (url != NULL && mxreg_client_new(url, NULL, &client, &error) != MXREG_RESULT_OK) {
    NOTE("mxreg_client_new(%s): %s", url, mxreg_error_message(error));
  }
  mxreg_error_free(error);
  return client;
}

/* A localpart no other run uses: prefix, pid, time, counter. */
static void unique_username(char *out, size_t size, const char *prefix) {
  static unsigned counter;
  snprintf(out, size, "%s%ldx%lldx%u", prefix, (long)getpid(), (long long)now_ms(), counter++);
}

/* A user request with the test password. */
static void user_request(mxreg_register_request *request, const char *username) {
  mxreg_register_request_init(request);
  request->username = username;
  request->password = PASSWORD;
}

/* One register call, repeated after the server's delay while it answers 429
 * (the servers are shared with other suites). */
static mxreg_result register_patiently(const mxreg_client *client,
                                       const mxreg_register_request *request,
                                       mxreg_registration **registration_out,
                                       mxreg_error **error_out) {
  int attempt;
  for (attempt = 0;; attempt++) {
    int64_t wait;
    mxreg_result rc = mxreg_client_register(client, request, registration_out, error_out);
    if (rc != MXREG_RESULT_RATE_LIMITED || attempt == RATE_LIMIT_RETRIES) {
      return rc;
    }
    wait = mxreg_error_retry_after_ms(*error_out);
    if (wait > MAX_RATE_LIMIT_WAIT_MS) {
      return rc;
    }
    mxreg_error_free(*error_out);
    *error_out = NULL;
    sleep_ms(wait < 0 ? 1000 : wait);
  }
}

/* Register in one request, completing the dummy stage without a session
 * (Synapse accepts that when m.login.dummy is the only flow). */
static mxreg_result register_with_dummy(const mxreg_client *client,
                                        const mxreg_register_request *request,
                                        mxreg_registration **registration_out,
                                        mxreg_error **error_out) {
  mxreg_register_request with_auth = *request;
  with_auth.auth_json = DUMMY_AUTH;
  return register_patiently(client, &with_auth, registration_out, error_out);
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
  CHECK(mxreg_client_new(NULL, NULL, &out_client, &error) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(out_client == SENTINEL);
  CHECK(mxreg_error_code(error) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(contains(mxreg_error_message(error), "homeserver_url"));
  mxreg_error_free(error);
  error = NULL;
  CHECK(mxreg_client_new(UNUSED_LOOPBACK_URL, NULL, NULL, &error) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(contains(mxreg_error_message(error), "client_out"));
  mxreg_error_free(error);
  error = NULL;
  /* error_out is optional; options NULL means the defaults. */
  CHECK(mxreg_client_new(NULL, NULL, &out_client, NULL) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(out_client == SENTINEL);
  out_client = NULL;
  CHECK(mxreg_client_new(UNUSED_LOOPBACK_URL, NULL, &client, NULL) == MXREG_RESULT_OK);
  CHECK(client != NULL);

  /* mxreg_client_register: client, request and registration_out are required. */
  user_request(&request, "nobody");
  CHECK(mxreg_client_register(NULL, &request, &registration, &error) ==
        MXREG_RESULT_NULL_ARGUMENT);
  CHECK(contains(mxreg_error_message(error), "client"));
  mxreg_error_free(error);
  error = NULL;
  CHECK(mxreg_client_register(client, NULL, &registration, &error) ==
        MXREG_RESULT_NULL_ARGUMENT);
  CHECK(contains(mxreg_error_message(error), "request"));
  mxreg_error_free(error);
  error = NULL;
  /* Checked before any I/O: the unused port would give CONNECT otherwise. */
  CHECK(mxreg_client_register(client, &request, NULL, &error) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(contains(mxreg_error_message(error), "registration_out"));
  mxreg_error_free(error);
  error = NULL;
  CHECK(mxreg_client_register(NULL, NULL, NULL, NULL) == MXREG_RESULT_NULL_ARGUMENT);
  CHECK(registration == SENTINEL);
  registration = NULL;

cleanup:
  if (registration == SENTINEL) {
    registration = NULL;
  }
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_invalid_utf8(void) {
  static const char bad[] = "ab\xc3\x28"; /* a truncated two-byte sequence */
  const mxreg_client *client = NULL;
  const mxreg_client *out_client = SENTINEL;
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_client_options options;
  mxreg_register_request request;

  CHECK(mxreg_client_new("http://127.0.0.1:9/\xff", NULL, &out_client, &error) ==
        MXREG_RESULT_INVALID_UTF8);
  CHECK(contains(mxreg_error_message(error), "homeserver_url"));
  CHECK(out_client == SENTINEL);
  mxreg_error_free(error);
  error = NULL;

  mxreg_client_options_init(&options);
  options.user_agent = bad;
  CHECK(mxreg_client_new(UNUSED_LOOPBACK_URL, &options, &out_client, &error) ==
        MXREG_RESULT_INVALID_UTF8);
  CHECK(contains(mxreg_error_message(error), "user_agent"));
  CHECK(out_client == SENTINEL);
  mxreg_error_free(error);
  error = NULL;
  out_client = NULL;

  CHECK(mxreg_client_new(UNUSED_LOOPBACK_URL, NULL, &client, &error) == MXREG_RESULT_OK);

  user_request(&request, bad);
  CHECK(mxreg_client_register(client, &request, &registration, &error) ==
        MXREG_RESULT_INVALID_UTF8);
  CHECK(contains(mxreg_error_message(error), "username"));
  mxreg_error_free(error);
  error = NULL;

  user_request(&request, "nobody");
  request.password = bad;
  CHECK(mxreg_client_register(client, &request, &registration, &error) ==
        MXREG_RESULT_INVALID_UTF8);
  CHECK(contains(mxreg_error_message(error), "password"));
  CHECK(!contains(mxreg_error_message(error), bad));
  mxreg_error_free(error);
  error = NULL;

  user_request(&request, "nobody");
  request.auth_json = "{\"type\":\"m.login.dummy\",\"session\":\"\xff\"}";
  CHECK(mxreg_client_register(client, &request, &registration, &error) ==
        MXREG_RESULT_INVALID_UTF8);
  CHECK(contains(mxreg_error_message(error), "auth_json"));
  mxreg_error_free(error);
  error = NULL;

  /* Valid UTF-8 that is not a JSON object is an invalid argument. */
  request.auth_json = "{not json";
  CHECK(mxreg_client_register(client, &request, &registration, &error) ==
        MXREG_RESULT_INVALID_ARGUMENT);
  mxreg_error_free(error);
  error = NULL;
  request.auth_json = "[1, 2]";
  CHECK(mxreg_client_register(client, &request, &registration, &error) ==
        MXREG_RESULT_INVALID_ARGUMENT);
  CHECK(registration == SENTINEL);
  registration = NULL;

cleanup:
  if (registration == SENTINEL) {
    registration = NULL;
  }
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

/* A wrong struct_size: 0, one byte short, or a larger (newer) struct. */
static size_t wrong_size(size_t right, size_t variant) {
  return variant == 0 ? 0 : variant == 1 ? right - 1 : right + 8;
}

static void test_wrong_struct_size(void) {
  const mxreg_client *client = NULL;
  const mxreg_client *out_client = SENTINEL;
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_client_options options;
  mxreg_register_request request;
  size_t variant;

  CHECK(mxreg_client_new(UNUSED_LOOPBACK_URL, NULL, &client, &error) == MXREG_RESULT_OK);
  for (variant = 0; variant < 3; variant++) {
    mxreg_client_options_init(&options);
    options.struct_size = wrong_size(sizeof options, variant);
    CHECK(mxreg_client_new(UNUSED_LOOPBACK_URL, &options, &out_client, &error) ==
          MXREG_RESULT_STRUCT_SIZE);
    CHECK(mxreg_error_code(error) == MXREG_RESULT_STRUCT_SIZE);
    CHECK(contains(mxreg_error_message(error), "struct_size"));
    CHECK(out_client == SENTINEL);
    mxreg_error_free(error);
    error = NULL;

    user_request(&request, "nobody");
    request.struct_size = wrong_size(sizeof request, variant);
    CHECK(mxreg_client_register(client, &request, &registration, &error) ==
          MXREG_RESULT_STRUCT_SIZE);
    CHECK(mxreg_error_code(error) == MXREG_RESULT_STRUCT_SIZE);
    CHECK(contains(mxreg_error_message(error), "struct_size"));
    CHECK(registration == SENTINEL);
    mxreg_error_free(error);
    error = NULL;
  }
  out_client = NULL;
  registration = NULL;

cleanup:
  if (registration == SENTINEL) {
    registration = NULL;
  }
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_unknown_account_kind(void) {
  const mxreg_client *client = NULL;
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_register_request request;

  CHECK(mxreg_client_new(UNUSED_LOOPBACK_URL, NULL, &client, &error) == MXREG_RESULT_OK);
  user_request(&request, "nobody");
  request.kind = 7;
  CHECK(mxreg_client_register(client, &request, &registration, &error) ==
        MXREG_RESULT_INVALID_ARGUMENT);
  CHECK(contains(mxreg_error_message(error), "kind"));
  CHECK(registration == SENTINEL);
  registration = NULL;

cleanup:
  if (registration == SENTINEL) {
    registration = NULL;
  }
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_plain_http_to_a_remote_host_is_refused(void) {
  static const char *const refused[] = {"http://matrix.example.org", "http://10.1.2.3:8008",
                                        "http://[2001:db8::1]:8008"};
  const mxreg_client *client = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_client_options options;
  size_t i;

  for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    CHECK(expect_rc(mxreg_client_new(refused[i], NULL, &client, &error),
                    MXREG_RESULT_INSECURE_URL, &error));
    CHECK(client == SENTINEL);
    CHECK(mxreg_error_http_status(error) == 0);
    mxreg_error_free(error);
    error = NULL;
  }
  CHECK(mxreg_client_new("https://x.org/?a=b", NULL, &client, &error) ==
        MXREG_RESULT_INVALID_ARGUMENT);
  mxreg_error_free(error);
  error = NULL;
  CHECK(mxreg_client_new("", NULL, &client, &error) == MXREG_RESULT_INVALID_ARGUMENT);
  CHECK(client == SENTINEL);
  client = NULL;

  mxreg_client_options_init(&options);
  options.allow_insecure_http = true;
  CHECK(expect_rc(mxreg_client_new("http://matrix.example.org/prefix/", &options, &client, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(equals(mxreg_client_homeserver_url(client), "http://matrix.example.org/prefix"));

cleanup:
  if (client == SENTINEL) {
    client = NULL;
  }
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
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  const mxreg_auth_info *info;
  mxreg_register_request request;
  char username[64], user_id[96], auth[256];
  const char *session;

  CHECK(client != NULL);
  unique_username(username, sizeof username, "cdummy");
  user_request(&request, username);

  CHECK(expect_rc(register_patiently(client, &request, &registration, &error),
                  MXREG_RESULT_AUTH_REQUIRED, &error));
  CHECK(registration == SENTINEL);
  CHECK(mxreg_error_code(error) == MXREG_RESULT_AUTH_REQUIRED);
  CHECK(mxreg_error_http_status(error) == 401);
  CHECK(mxreg_error_errcode(error) == NULL);
  CHECK(mxreg_error_retry_after_ms(error) == -1);
  CHECK(contains(mxreg_error_body_json(error), "\"flows\""));
  info = mxreg_error_auth_info(error);
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
  mxreg_error_free(error);
  error = NULL;

  request.auth_json = auth;
  CHECK(expect_rc(register_patiently(client, &request, &registration, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(error == NULL); /* error_out is not written on success */
  snprintf(user_id, sizeof user_id, "@%s:localhost", username);
  CHECK(equals(mxreg_registration_user_id(registration), user_id));
  CHECK(mxreg_registration_device_id(registration) != NULL);
  CHECK(mxreg_registration_access_token(registration) != NULL);
  /* refresh_token is requested by default. */
  CHECK(mxreg_registration_refresh_token(registration) != NULL);
  CHECK(mxreg_registration_expires_in_ms(registration) > 0);

cleanup:
  if (registration == SENTINEL) {
    registration = NULL;
  }
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_taken_username(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *registration = NULL;
  mxreg_registration *second = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char username[64];

  CHECK(client != NULL);
  unique_username(username, sizeof username, "ctaken");
  user_request(&request, username);
  CHECK(expect_rc(register_with_dummy(client, &request, &registration, &error), MXREG_RESULT_OK,
                  &error));

  CHECK(expect_rc(register_with_dummy(client, &request, &second, &error),
                  MXREG_RESULT_USER_IN_USE, &error));
  CHECK(second == SENTINEL);
  CHECK(mxreg_error_code(error) == MXREG_RESULT_USER_IN_USE);
  CHECK(equals(mxreg_error_errcode(error), "M_USER_IN_USE"));
  CHECK(mxreg_error_http_status(error) == 400);
  CHECK(mxreg_error_retry_after_ms(error) == -1);
  CHECK(contains(mxreg_error_body_json(error), "\"errcode\":\"M_USER_IN_USE\""));
  CHECK(mxreg_error_auth_info(error) == NULL);
  CHECK(contains(mxreg_error_message(error), "M_USER_IN_USE"));

cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_invalid_username(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_register_request request;

  CHECK(client != NULL);
  user_request(&request, "bad name!");
  CHECK(expect_rc(register_with_dummy(client, &request, &registration, &error),
                  MXREG_RESULT_INVALID_USERNAME, &error));
  CHECK(equals(mxreg_error_errcode(error), "M_INVALID_USERNAME"));
  CHECK(mxreg_error_http_status(error) == 400);
  CHECK(registration == SENTINEL);
  registration = NULL;

cleanup:
  if (registration == SENTINEL) {
    registration = NULL;
  }
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_weak_password(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char username[64];

  CHECK(client != NULL);
  unique_username(username, sizeof username, "cweak");
  user_request(&request, username);
  request.password = "sh0rt";
  CHECK(expect_rc(register_with_dummy(client, &request, &registration, &error),
                  MXREG_RESULT_WEAK_PASSWORD, &error));
  CHECK(equals(mxreg_error_errcode(error), "M_PASSWORD_TOO_SHORT"));
  CHECK(mxreg_error_http_status(error) == 400);
  CHECK(!contains(mxreg_error_message(error), "sh0rt"));
  CHECK(!contains(mxreg_error_body_json(error), "sh0rt"));
  CHECK(registration == SENTINEL);
  registration = NULL;

cleanup:
  if (registration == SENTINEL) {
    registration = NULL;
  }
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_refresh_token_and_expiry(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char username[64];
  int64_t before, after, lifetime, expires_at;

  CHECK(client != NULL);
  unique_username(username, sizeof username, "crefresh");
  user_request(&request, username);
  request.refresh_token = true;
  before = now_ms();
  CHECK(expect_rc(register_with_dummy(client, &request, &registration, &error), MXREG_RESULT_OK,
                  &error));
  after = now_ms();
  CHECK(mxreg_registration_refresh_token(registration) != NULL);
  CHECK(*mxreg_registration_refresh_token(registration) != '\0');
  lifetime = mxreg_registration_expires_in_ms(registration);
  expires_at = mxreg_registration_expires_at_ms(registration);
  CHECK(lifetime > 0);
  CHECK(expires_at >= before + lifetime);
  CHECK(expires_at <= after + lifetime);

cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_no_refresh_token_when_not_asked(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char username[64];

  CHECK(client != NULL);
  unique_username(username, sizeof username, "cnorefresh");
  user_request(&request, username);
  request.refresh_token = false;
  CHECK(expect_rc(register_with_dummy(client, &request, &registration, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(mxreg_registration_access_token(registration) != NULL);
  CHECK(mxreg_registration_refresh_token(registration) == NULL);
  CHECK(mxreg_registration_expires_in_ms(registration) == -1);
  CHECK(mxreg_registration_expires_at_ms(registration) == -1);

cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_inhibit_login(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char username[64], user_id[96];

  CHECK(client != NULL);
  unique_username(username, sizeof username, "cinhibit");
  user_request(&request, username);
  request.inhibit_login = true;
  CHECK(expect_rc(register_with_dummy(client, &request, &registration, &error), MXREG_RESULT_OK,
                  &error));
  snprintf(user_id, sizeof user_id, "@%s:localhost", username);
  CHECK(equals(mxreg_registration_user_id(registration), user_id));
  CHECK(mxreg_registration_access_token(registration) == NULL);
  CHECK(mxreg_registration_device_id(registration) == NULL);
  CHECK(mxreg_registration_refresh_token(registration) == NULL);
  CHECK(mxreg_registration_expires_in_ms(registration) == -1);

cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_guest(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  const char *user_id;
  size_t digits;

  CHECK(client != NULL);
  mxreg_register_request_init(&request);
  request.kind = MXREG_ACCOUNT_KIND_GUEST;
  CHECK(expect_rc(register_patiently(client, &request, &registration, &error), MXREG_RESULT_OK,
                  &error));
  user_id = mxreg_registration_user_id(registration);
  CHECK(starts_with(user_id, "@"));
  digits = strspn(user_id + 1, "0123456789");
  CHECK(digits > 0);
  CHECK(equals(user_id + 1 + digits, ":localhost"));
  CHECK(mxreg_registration_access_token(registration) != NULL);
  CHECK(mxreg_registration_device_id(registration) != NULL);

cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_custom_device_id_and_display_name(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char username[64], device_id[80], display_name[128], path[160], expected[200], body[4096];
  int status = 0;
  size_t i;

  CHECK(client != NULL);
  unique_username(username, sizeof username, "cdevice");
  snprintf(device_id, sizeof device_id, "MXREGC%s", username);
  for (i = 0; device_id[i] != '\0'; i++) {
    if (device_id[i] >= 'a' && device_id[i] <= 'z') {
      device_id[i] = (char)(device_id[i] - 'a' + 'A');
    }
  }
  snprintf(display_name, sizeof display_name, "mxreg C test device %s", username);
  user_request(&request, username);
  request.device_id = device_id;
  request.initial_device_display_name = display_name;
  CHECK(expect_rc(register_with_dummy(client, &request, &registration, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(equals(mxreg_registration_device_id(registration), device_id));

  /* What the server stored, read with the new token outside mxreg. */
  snprintf(path, sizeof path, "/_matrix/client/v3/devices/%s", device_id);
  CHECK(loopback_http_get(homeserver("OPEN"), path, mxreg_registration_access_token(registration),
                          &status, body, sizeof body) == 0);
  CHECK(status == 200);
  snprintf(expected, sizeof expected, "\"display_name\":\"%s\"", display_name);
  CHECK(contains(body, expected));
  snprintf(expected, sizeof expected, "\"device_id\":\"%s\"", device_id);
  CHECK(contains(body, expected));

cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_closed_server_forbids(void) {
  const mxreg_client *client = client_for("CLOSED");
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char username[64];

  CHECK(client != NULL);
  unique_username(username, sizeof username, "cclosed");
  user_request(&request, username);
  CHECK(expect_rc(register_with_dummy(client, &request, &registration, &error),
                  MXREG_RESULT_FORBIDDEN, &error));
  CHECK(equals(mxreg_error_errcode(error), "M_FORBIDDEN"));
  CHECK(mxreg_error_http_status(error) == 403);
  CHECK(mxreg_error_retry_after_ms(error) == -1);
  CHECK(contains(mxreg_error_body_json(error), "M_FORBIDDEN"));
  CHECK(registration == SENTINEL);
  registration = NULL;

cleanup:
  if (registration == SENTINEL) {
    registration = NULL;
  }
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_rate_limited_with_a_delay(void) {
  /* burst_count 2 per IP: at most three completed registrations in a row
   * before a 429, fewer when another suite used the server just before. */
  const mxreg_client *client = client_for("RATELIMIT");
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char username[64];
  mxreg_result rc = MXREG_RESULT_OK;
  int attempt;

  CHECK(client != NULL);
  for (attempt = 0; attempt < 4 && rc == MXREG_RESULT_OK; attempt++) {
    unique_username(username, sizeof username, "climit");
    user_request(&request, username);
    request.auth_json = DUMMY_AUTH;
    mxreg_registration_free(registration);
    registration = NULL;
    rc = mxreg_client_register(client, &request, &registration, &error);
  }
  CHECK(expect_rc(rc, MXREG_RESULT_RATE_LIMITED, &error));
  CHECK(registration == NULL);
  CHECK(equals(mxreg_error_errcode(error), "M_LIMIT_EXCEEDED"));
  CHECK(mxreg_error_http_status(error) == 429);
  CHECK(mxreg_error_retry_after_ms(error) > 0);
  CHECK(mxreg_error_retry_after_ms(error) <= 60000);
  CHECK(contains(mxreg_error_body_json(error), "retry_after_ms"));

cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
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
  return harness_finish();
}
