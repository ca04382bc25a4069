/*
 * Misuse of the C ABI, case by case: NULL in every pointer position of every
 * function, invalid UTF-8 and over-long text in every string, a wrong
 * struct_size for every request struct, unknown enum values and flag bits,
 * NULL in required struct fields, every call on a finished signup session,
 * indexes past the end. Each gives its documented code (or NULL/0/-1/false
 * from an accessor, nothing from a free or init) and none crashes.
 *
 * The cases are generated from include/mxreg.h by scripts/gen_misuse_cases.py
 * into misuse_cases.h. This file builds the live handles they use (`fx`) on
 * the local Synapse servers MXREG_HS_OPEN, _TERMS and _OAUTH, and the checks.
 * `make c-suite` also runs it under valgrind and AddressSanitizer + UBSan.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxreg.h"

#include "harness.h"
#include "testlib.h"

/* A well-formed redirect that answers no authorization of ours (wrong
 * state): mxreg_oauth_authorization_complete refuses it before any request. */
#define STRAY_REDIRECT_URL REDIRECT_URI "?code=mxreg-misuse-code&state=mxreg-misuse-state"
/* README "API conventions": strings at most 64 KiB, JSON documents 1 MiB. */
#define MAX_TEXT_BYTES (64 * 1024)
#define MAX_DOCUMENT_BYTES (1024 * 1024)
#define TERMS_STAGE "m.login.terms"

/* Like SENTINEL (testlib.h), for bool outputs: byte by byte (never read as a bool). */
#define UNWRITTEN_BYTE 0xA5

static const char *const bad_utf8[] = {
    "\xff",                 /* a byte that never occurs in UTF-8 */
    "ab\xc3\x28",           /* a two-byte sequence cut short */
    "\xc0\xaf",             /* an over-long encoding of '/' */
    "\xed\xa0\x80",         /* a UTF-16 surrogate */
    "\xf4\x90\x80\x80",     /* beyond U+10FFFF */
    "valid start \xe2\x82", /* truncated at the end */
};
#define BAD_UTF8_COUNT (sizeof bad_utf8 / sizeof bad_utf8[0])

/* struct_size values no library of this ABI knows: 0, too small, too large. */
#define WRONG_STRUCT_SIZE_COUNT 6
static size_t wrong_struct_size(size_t right, size_t variant) {
  const size_t sizes[WRONG_STRUCT_SIZE_COUNT] = {
      0, 1, sizeof(size_t), right - 1, right + 1, right + sizeof(void *)};
  return sizes[variant];
}

/* The live handles the cases use as valid arguments. */
static struct {
  const char *open_url;
  const char *terms_url;
  const char *oauth_url;
  const mxreg_client *client; /* open server */
  const mxreg_client *terms_client;
  const mxreg_client *oauth_client;
  mxreg_error *error;                /* MXREG_RESULT_AUTH_REQUIRED from the open server */
  const mxreg_auth_info *auth_info;  /* borrowed from `error` */
  mxreg_registration *registration;  /* a real account on the open server */
  mxreg_tokens *tokens;              /* its refresh token exchanged */
  mxreg_probe *probe;                /* the open server probed */
  char *saved_signup;                /* a not-started session on the open server, saved */
  mxreg_signup *signup_needs_stage;  /* terms server, waiting at m.login.terms */
  mxreg_signup *signup_complete;     /* open server, completed on start */
  mxreg_signup *signup_failed;       /* terms server, no supported flow */
  mxreg_oauth_server *oauth_server;
  mxreg_oauth_registered_client *registered_client;
  const char *client_id; /* borrowed from `registered_client` */
  mxreg_oauth_authorization *authorization;
  char *saved_authorization;
  mxreg_oauth_device_authorization *device_authorization; /* started, never approved */
  char *long_text;     /* MAX_TEXT_BYTES + 1 bytes */
  char *long_document; /* a JSON object of MAX_DOCUMENT_BYTES + 1 bytes */
} fx;

/* One generated case (misuse_cases.h fills the table). */
struct misuse_case {
  const char *title;
  void (*run)(void);
};

/* ---- checks --------------------------------------------------------------- */

static int same_text(const char *text, const char *expected) {
  return text != NULL && expected != NULL && strcmp(text, expected) == 0;
}

/* The message quotes the argument: "`name`", or "`name[" for an array entry. */
static int names_argument(const char *message, const char *name) {
  size_t length = strlen(name);
  const char *at = message;
  while ((at = strchr(at, '`')) != NULL) {
    at++;
    if (strncmp(at, name, length) == 0 && (at[length] == '`' || at[length] == '[')) {
      return 1;
    }
  }
  return 0;
}

static int expect_code(mxreg_result got, mxreg_result expected) {
  if (got != expected) {
    NOTE("expected %s, got %s", mxreg_result_name(expected), mxreg_result_name(got));
  }
  return got == expected;
}

/* A refused call: the code, an error with that code and a message naming
 * `name` (when not NULL) and containing `detail` (when not NULL). Frees the
 * error either way, so that calls can follow one another. */
static int expect_refused(mxreg_result got, mxreg_result expected, mxreg_error **error,
                          const char *name, const char *detail) {
  const char *message = mxreg_error_message(*error);
  int ok = 0;
  if (got != expected) {
    NOTE("expected %s, got %s: %s", mxreg_result_name(expected), mxreg_result_name(got),
         message != NULL ? message : "(no error detail)");
  } else if (*error == NULL || mxreg_error_code(*error) != expected) {
    NOTE("error_out was not filled with the code");
  } else if (message == NULL || *message == '\0') {
    NOTE("the error has no message");
  } else if (name != NULL && !names_argument(message, name)) {
    NOTE("the message does not name `%s`: %s", name, message);
  } else if (detail != NULL && !contains(message, detail)) {
    NOTE("the message does not say \"%s\": %s", detail, message);
  } else {
    ok = 1;
  }
  mxreg_error_free(*error);
  *error = NULL;
  return ok;
}

/* NULL where the contract allows it: anything but MXREG_RESULT_NULL_ARGUMENT,
 * and error_out left alone on success. Frees the error. */
static int expect_accepted(mxreg_result got, mxreg_error **error) {
  int ok = got != MXREG_RESULT_NULL_ARGUMENT;
  if (!ok) {
    NOTE("refused as NULL: %s", mxreg_error_message(*error));
  } else if (got == MXREG_RESULT_OK && *error != NULL) {
    NOTE("error_out was written although the call succeeded");
    ok = 0;
  }
  mxreg_error_free(*error);
  *error = NULL;
  return ok;
}

static int unwritten(const unsigned char *bytes, size_t size) {
  size_t i;
  for (i = 0; i < size; i++) {
    if (bytes[i] != UNWRITTEN_BYTE) {
      return 0;
    }
  }
  return 1;
}

static void fill_entries(const char **entries, size_t count, const char *value) {
  size_t i;
  for (i = 0; i < count; i++) {
    entries[i] = value;
  }
}

/* ---- valid arguments ------------------------------------------------------ */

/* The cases fill request structs with these, and with fill_client_options and
 * fill_oauth_client_metadata from testlib.h. */

/* A unique username that stays valid while the request that holds it is
 * used: the last eight are kept. */
static const char *request_username(void) {
  static char names[8][64];
  static unsigned next;
  char *name = names[next++ % 8];
  unique_username(name, sizeof names[0], "cmisuse");
  return name;
}

static void fill_register_request(mxreg_register_request *request) {
  user_request(request, request_username());
}

static void fill_login_request(mxreg_login_request *request) {
  mxreg_login_request_init(request);
  request->user = request_username();
  request->password = "mxreg-misuse-Passw0rd";
}

static void fill_oauth_authorization_request(mxreg_oauth_authorization_request *request) {
  oauth_request_for(request, fx.client_id);
}

/* A new session on `client` for `stages`, started; NULL (with a note) when
 * the start does not give `expected`. */
static mxreg_signup *signup_on(const mxreg_client *client, uint32_t stages,
                               mxreg_result expected) {
  mxreg_signup *signup = NULL;
  mxreg_error *error = NULL;
  mxreg_result rc = start_signup(client, request_username(), stages, &signup, &error);
  if (rc != expected) {
    NOTE("a signup ended with %s instead of %s: %s", mxreg_result_name(rc),
         mxreg_result_name(expected), error != NULL ? mxreg_error_message(error) : "");
    mxreg_signup_free(signup);
    signup = NULL;
  }
  mxreg_error_free(error);
  return signup;
}

/* A new session on the terms server, waiting at m.login.terms. */
static mxreg_signup *fresh_signup(void) {
  return signup_on(fx.terms_client, MXREG_STAGE_TERMS, MXREG_RESULT_OK);
}

/* A refused call left the shared session where it was. */
static int signup_unchanged(const mxreg_signup *signup) {
  int same = mxreg_signup_status(signup) == MXREG_SIGNUP_STATE_NEEDS_STAGE &&
             same_text(mxreg_signup_next_stage(signup), TERMS_STAGE) &&
             mxreg_signup_policy_count(signup) == 1;
  if (!same) {
    NOTE("the session changed: status %u, next stage %s", (unsigned)mxreg_signup_status(signup),
         mxreg_signup_next_stage(signup) != NULL ? mxreg_signup_next_stage(signup) : "(none)");
  }
  return same;
}

#include "misuse_cases.h"

/* ---- fixtures ------------------------------------------------------------- */

/* `url` with its loopback address 127.0.0.1 spelled `localhost`. */
static int by_host_name(const char *url, char *out, size_t size) {
  static const char loopback[] = "http://127.0.0.1:";
  if (strncmp(url, loopback, sizeof loopback - 1) != 0) {
    NOTE("not a http://127.0.0.1 URL: %s", url);
    return 0;
  }
  return snprintf(out, size, "http://localhost:%s", url + sizeof loopback - 1) < (int)size;
}

/* `length` bytes of text that is valid everywhere except for its length. */
static char *long_text(size_t length) {
  char *text = malloc(length + 1);
  if (text != NULL) {
    memset(text, 'a', length);
    text[length] = '\0';
  }
  return text;
}

/* A JSON object of exactly `length` bytes: refused for its size alone. */
static char *long_document(size_t length) {
  static const char head[] = "{\"type\":\"m.login.dummy\",\"padding\":\"";
  static const char tail[] = "\"}";
  char *text = long_text(length);
  if (text != NULL) {
    memcpy(text, head, sizeof head - 1);
    memcpy(text + length - (sizeof tail - 1), tail, sizeof tail - 1);
  }
  return text;
}

static void free_fixtures(void) {
  mxreg_oauth_device_authorization_free(fx.device_authorization);
  mxreg_string_free(fx.saved_authorization);
  mxreg_oauth_authorization_free(fx.authorization);
  mxreg_oauth_registered_client_free(fx.registered_client);
  mxreg_oauth_server_free(fx.oauth_server);
  mxreg_signup_free(fx.signup_failed);
  mxreg_signup_free(fx.signup_complete);
  mxreg_signup_free(fx.signup_needs_stage);
  mxreg_string_free(fx.saved_signup);
  mxreg_probe_free(fx.probe);
  mxreg_tokens_free(fx.tokens);
  mxreg_registration_free(fx.registration);
  mxreg_error_free(fx.error);
  mxreg_client_free(fx.oauth_client);
  mxreg_client_free(fx.terms_client);
  mxreg_client_free(fx.client);
  free(fx.long_document);
  free(fx.long_text);
  memset(&fx, 0, sizeof fx);
}

static void test_fixtures(void) {
  mxreg_error *error = NULL;
  mxreg_signup *not_started = NULL;
  mxreg_register_request request;
  mxreg_oauth_client_metadata metadata;
  mxreg_oauth_authorization_request authorization_request;
  char url[256];

  fx.long_text = long_text(MAX_TEXT_BYTES + 1);
  fx.long_document = long_document(MAX_DOCUMENT_BYTES + 1);
  CHECK(fx.long_text != NULL && fx.long_document != NULL);
  fx.open_url = homeserver("OPEN");
  fx.terms_url = homeserver("TERMS");
  fx.oauth_url = homeserver("OAUTH");
  CHECK(fx.open_url != NULL && fx.terms_url != NULL && fx.oauth_url != NULL);
  fx.client = patient_client_at(fx.open_url);
  fx.terms_client = patient_client_at(fx.terms_url);
  fx.oauth_client = patient_client_at(fx.oauth_url);
  CHECK(fx.client != NULL && fx.terms_client != NULL && fx.oauth_client != NULL);

  fill_register_request(&request);
  CHECK(expect_rc(mxreg_client_register(fx.client, &request, &fx.registration, &fx.error),
                  MXREG_RESULT_AUTH_REQUIRED, &fx.error));
  fx.auth_info = mxreg_error_auth_info(fx.error);
  CHECK(fx.auth_info != NULL && mxreg_auth_info_flow_count(fx.auth_info) > 0);

  fill_register_request(&request);
  CHECK(expect_rc(register_with_dummy(fx.client, &request, &fx.registration, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(mxreg_registration_refresh_token(fx.registration) != NULL);
  CHECK(expect_rc(mxreg_client_refresh(fx.client, mxreg_registration_refresh_token(fx.registration),
                                       &fx.tokens, &error),
                  MXREG_RESULT_OK, &error));
  /* Through the host name, so that the checked runs also cover the
   * resolver's lookup thread (see tests/c/valgrind.supp). */
  CHECK(by_host_name(fx.open_url, url, sizeof url));
  CHECK(expect_rc(mxreg_probe_server(url, NULL, false, &fx.probe, &error), MXREG_RESULT_OK,
                  &error));

  fill_register_request(&request);
  CHECK(expect_rc(mxreg_signup_new(fx.client, &request, MXREG_STAGES_ALL, &not_started, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_signup_save(not_started, &fx.saved_signup, &error), MXREG_RESULT_OK,
                  &error));
  fx.signup_needs_stage = fresh_signup();
  CHECK(fx.signup_needs_stage != NULL && signup_unchanged(fx.signup_needs_stage));
  fx.signup_complete = signup_on(fx.client, MXREG_STAGES_ALL, MXREG_RESULT_OK);
  CHECK(mxreg_signup_status(fx.signup_complete) == MXREG_SIGNUP_STATE_COMPLETE);
  fx.signup_failed = signup_on(fx.terms_client, 0, MXREG_RESULT_UNSUPPORTED_FLOW);
  CHECK(fx.signup_failed != NULL);
  CHECK(mxreg_signup_status(fx.signup_failed) == MXREG_SIGNUP_STATE_FAILED);

  CHECK(expect_rc(mxreg_oauth_server_discover(fx.oauth_client, &fx.oauth_server, &error),
                  MXREG_RESULT_OK, &error));
  fill_oauth_client_metadata(&metadata);
  CHECK(expect_rc(mxreg_oauth_server_register_client(fx.oauth_server, &metadata,
                                                     &fx.registered_client, &error),
                  MXREG_RESULT_OK, &error));
  fx.client_id = mxreg_oauth_registered_client_client_id(fx.registered_client);
  CHECK(fx.client_id != NULL);
  fill_oauth_authorization_request(&authorization_request);
  CHECK(expect_rc(mxreg_oauth_authorization_start(fx.oauth_server, &authorization_request,
                                                  &fx.authorization, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_oauth_authorization_save(fx.authorization, &fx.saved_authorization,
                                                 &error),
                  MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_oauth_device_authorization_start(fx.oauth_server, fx.client_id, NULL,
                                                         &fx.device_authorization, &error),
                  MXREG_RESULT_OK, &error));

cleanup:
  mxreg_signup_free(not_started);
  mxreg_error_free(error);
}

int main(void) {
  size_t i, count = sizeof misuse_cases / sizeof misuse_cases[0];
  int status;

  RUN_TEST(test_fixtures);
  if (harness_fail_count == 0) {
    NOTE("%lu generated cases", (unsigned long)count);
    for (i = 0; i < count; i++) {
      harness_run(misuse_cases[i].title, misuse_cases[i].run);
    }
  } else {
    NOTE("without the fixtures the %lu generated cases cannot run", (unsigned long)count);
  }
  status = harness_finish();
  free_fixtures();
  return status;
}
