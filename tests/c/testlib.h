/*
 * What the C test programs (tests/c/test_*.c) share, on top of harness.h:
 * the local test servers (MXREG_HS_<VARIANT>) and the rig, clients, unique
 * usernames, registration with the dummy stage, result and text checks.
 *
 * Every function is `static inline`, so that a test including this header
 * does not trip -Wunused-function over the ones it does not call. Include
 * it after defining _POSIX_C_SOURCE 200809L (popen, clock_gettime).
 */
#ifndef MXREG_TEST_TESTLIB_H
#define MXREG_TEST_TESTLIB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mxreg.h"

#include "harness.h"

/* Meets the servers' password policy (8 characters, a digit). */
#define PASSWORD "mxreg-Passw0rd-long"
/* Completes m.login.dummy without a session (Synapse accepts that when it
 * is the only flow). */
#define DUMMY_AUTH_JSON "{\"type\":\"m.login.dummy\"}"
/* A loopback port nothing listens on: a call that reached the network would
 * fail with MXREG_RESULT_CONNECT instead of the argument error under test. */
#define UNUSED_LOOPBACK_URL "http://127.0.0.1:9"
/* The test app's OAuth redirect; nothing listens there, so the browser
 * helper stops at the redirect. */
#define REDIRECT_URI "http://127.0.0.1:18199/callback"
/* The servers are shared with other suites: patient clients wait out their
 * 429s this long (Synapse limits /register/available to about 1/s per IP). */
#define CLIENT_RATE_LIMIT_MAX_WAIT_MS 20000
/* register_patiently: how often, and how long at most per delay. */
#define REGISTER_RETRIES_ON_429 5
#define REGISTER_MAX_DELAY_MS 15000

/* An address no call returns: stored in output parameters to see whether a
 * failed call wrote them. */
static inline void *sentinel(void) {
  static int storage;
  return &storage;
}
#define SENTINEL (sentinel())
/* Reset an output pointer that may still hold the sentinel before freeing. */
#define UNSENTINEL(pointer) ((pointer) = ((void *)(pointer) == SENTINEL ? NULL : (pointer)))

/* ---- what a test holds --------------------------------------------------- */

/*
 * The library objects a test holds on to, freed together by held_free at
 * its cleanup label. Start it as `struct held held = {0};`; a member may
 * stay NULL, or keep the SENTINEL that a refused call had to leave as it
 * was.
 */
struct held {
  const mxreg_client *client;
  mxreg_registration *account;
  mxreg_registration *again; /* a second registration or login */
  mxreg_tokens *tokens;
  mxreg_probe *probe;
  mxreg_error *error;
};

static inline void held_free(struct held *held) {
  UNSENTINEL(held->account);
  UNSENTINEL(held->again);
  UNSENTINEL(held->tokens);
  UNSENTINEL(held->probe);
  mxreg_registration_free(held->account);
  mxreg_registration_free(held->again);
  mxreg_tokens_free(held->tokens);
  mxreg_probe_free(held->probe);
  mxreg_error_free(held->error);
  mxreg_client_free(held->client);
  memset(held, 0, sizeof *held);
}

/* Free the error of a call that was expected to fail, so that the next
 * call can write one. */
static inline void forget_error(mxreg_error **error) {
  mxreg_error_free(*error);
  *error = NULL;
}

/* ---- time and text -------------------------------------------------------- */

static inline int64_t now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static inline void sleep_ms(int64_t ms) {
  struct timespec delay;
  delay.tv_sec = (time_t)(ms / 1000);
  delay.tv_nsec = (long)(ms % 1000) * 1000000L;
  nanosleep(&delay, NULL);
}

static inline int starts_with(const char *text, const char *prefix) {
  return text != NULL && strncmp(text, prefix, strlen(prefix)) == 0;
}

static inline int contains(const char *text, const char *part) {
  return text != NULL && strstr(text, part) != NULL;
}

/* `expected` must not be NULL. */
static inline int equals(const char *text, const char *expected) {
  return text != NULL && strcmp(text, expected) == 0;
}

/* ---- result checks -------------------------------------------------------- */

/*
 * True when `got` is `expected`; otherwise notes what came instead. Takes
 * the address of the call's error variable (or NULL), and reads it only
 * here, after the call has written it: C leaves the order in which a call's
 * arguments are evaluated unspecified.
 */
static inline int expect_rc(mxreg_result got, mxreg_result expected, mxreg_error *const *error) {
  if (got != expected) {
    NOTE("expected %s, got %s: %s", mxreg_result_name(expected), mxreg_result_name(got),
         error != NULL && *error != NULL ? mxreg_error_message(*error)
                                         : "(no error detail)");
  }
  return got == expected;
}

/* A refused call: `got` is `expected`, and so is the error's code, and its
 * message contains `part` (when not NULL). Frees *error either way, so that
 * checks can follow one another. */
static inline int expect_refusal(mxreg_result got, mxreg_result expected, mxreg_error **error,
                                 const char *part) {
  int ok = expect_rc(got, expected, error);
  if (ok && mxreg_error_code(*error) != expected) {
    NOTE("the error's code is %s", mxreg_result_name(mxreg_error_code(*error)));
    ok = 0;
  }
  if (ok && part != NULL && !contains(mxreg_error_message(*error), part)) {
    NOTE("the message does not say \"%s\": %s", part, mxreg_error_message(*error));
    ok = 0;
  }
  forget_error(error);
  return ok;
}

/* ---- the test servers and the rig ----------------------------------------- */

/* The base URL of a running test server, or NULL (with a note) when the
 * suite was started without the servers. */
static inline const char *homeserver(const char *variant) {
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

/*
 * Run `command` (trusted text: it goes to the shell) and put the first line
 * it prints into `out`. Returns 0, or -1 with a note that names the command
 * by `label` (the command itself may hold a password).
 */
static inline int command_first_line(const char *command, const char *label, char *out,
                                     size_t size) {
  FILE *pipe = popen(command, "r");
  int status;
  if (pipe == NULL) {
    NOTE("cannot run %s", label);
    return -1;
  }
  if (fgets(out, (int)size, pipe) == NULL) {
    out[0] = '\0';
  }
  while (fgetc(pipe) != EOF) {
    /* drain, so that the command never blocks on a full pipe */
  }
  status = pclose(pipe);
  out[strcspn(out, "\r\n")] = '\0';
  if (status != 0 || out[0] == '\0') {
    NOTE("%s failed (status %d)", label, status);
    return -1;
  }
  return 0;
}

/*
 * Run the rig (MXREG_RIG, else scripts/homeserver.py from the current
 * directory) with `arguments` (trusted text) and put the first line it
 * prints, e.g. a registration token or a mail link, into `out`. Returns 0,
 * or -1 (with a note).
 */
static inline int rig(const char *arguments, char *out, size_t size) {
  const char *script = getenv("MXREG_RIG");
  char command[1024], label[1040];
  if (script == NULL || *script == '\0') {
    script = "scripts/homeserver.py";
  }
  if (strchr(script, '\'') != NULL) {
    NOTE("MXREG_RIG contains a quote: %s", script);
    return -1;
  }
  snprintf(command, sizeof command, "python3 '%s' %s", script, arguments);
  snprintf(label, sizeof label, "`%s`", command);
  return command_first_line(command, label, out, size);
}

/*
 * Run the browser helper (tests/oauth/browser.py; MXREG_OAUTH_BROWSER
 * overrides the path) as `username` doing `action` (signup, login or deny):
 * on the authorization URL `url` until it reaches `redirect_uri`, or, with
 * `redirect_uri` NULL, on the device verification URI `url`. The first line
 * it prints (the redirect, or how the visit ended) goes into `out`. True
 * when it ran.
 */
static inline int browser_helper(const char *url, const char *redirect_uri, const char *username,
                                 const char *action, char *out, size_t size) {
  const char *browser = getenv("MXREG_OAUTH_BROWSER");
  char target[8192], command[8192];
  int length;
  /* Single-quoted for the shell: percent-encoding leaves no quote. */
  if (url == NULL || strchr(url, '\'') != NULL) {
    return 0;
  }
  length = redirect_uri == NULL
               ? snprintf(target, sizeof target, "--device '%s'", url)
               : snprintf(target, sizeof target, "'%s' --redirect-uri '%s'", url, redirect_uri);
  if (length < 0 || (size_t)length >= sizeof target) {
    return 0;
  }
  length = snprintf(command, sizeof command,
                    "python3 '%s' %s --username '%s' --password '%s' --action %s",
                    browser != NULL ? browser : "tests/oauth/browser.py", target, username,
                    PASSWORD, action);
  return length >= 0 && (size_t)length < sizeof command &&
         command_first_line(command, "the browser helper", out, size) == 0;
}

/* ---- clients and accounts ------------------------------------------------- */

/* A client for `url` with `options` (NULL: the defaults); NULL (with a note)
 * when `url` is NULL or the client cannot be made. */
static inline const mxreg_client *client_with(const char *url,
                                              const mxreg_client_options *options) {
  const mxreg_client *client = NULL;
  mxreg_error *error = NULL;
  if (url != NULL && mxreg_client_new(url, options, &client, &error) != MXREG_RESULT_OK) {
    NOTE("mxreg_client_new(%s): %s", url, mxreg_error_message(error));
  }
  mxreg_error_free(error);
  return client;
}

/* A client for a test server with the default options: a 429 reaches the
 * test. NULL (with a note) on failure. */
static inline const mxreg_client *client_for(const char *variant) {
  return client_with(homeserver(variant), NULL);
}

/* Options for a patient client: it waits out the shared servers' 429s.
 * (The generated misuse cases call it by this name for valid options.) */
static inline void fill_client_options(mxreg_client_options *options) {
  mxreg_client_options_init(options);
  options->rate_limit_max_wait_ms = CLIENT_RATE_LIMIT_MAX_WAIT_MS;
}

/* A client for `url` that waits out 429s; NULL (with a note) on failure. */
static inline const mxreg_client *patient_client_at(const char *url) {
  mxreg_client_options options;
  fill_client_options(&options);
  return client_with(url, &options);
}

static inline const mxreg_client *patient_client_for(const char *variant) {
  return patient_client_at(homeserver(variant));
}

/* A localpart no other run uses: prefix, pid, time, counter. */
static inline void unique_username(char *out, size_t size, const char *prefix) {
  static unsigned counter;
  snprintf(out, size, "%s%ldx%lldx%u", prefix, (long)getpid(), (long long)now_ms(), counter++);
}

/* A user request with the test password. */
static inline void user_request(mxreg_register_request *request, const char *username) {
  mxreg_register_request_init(request);
  request->username = username;
  request->password = PASSWORD;
}

/* The registration is of "@<username>:localhost" (the test servers' name). */
static inline int registered_as(const mxreg_registration *registration, const char *username) {
  char user_id[128];
  snprintf(user_id, sizeof user_id, "@%s:localhost", username);
  return equals(mxreg_registration_user_id(registration), user_id);
}

/* One register call, repeated after the server's delay while it answers 429
 * (the servers are shared with other suites). */
static inline mxreg_result register_patiently(const mxreg_client *client,
                                              const mxreg_register_request *request,
                                              mxreg_registration **registration_out,
                                              mxreg_error **error_out) {
  int attempt;
  for (attempt = 0;; attempt++) {
    int64_t wait;
    mxreg_result rc = mxreg_client_register(client, request, registration_out, error_out);
    if (rc != MXREG_RESULT_RATE_LIMITED || attempt == REGISTER_RETRIES_ON_429) {
      return rc;
    }
    wait = mxreg_error_retry_after_ms(*error_out);
    if (wait > REGISTER_MAX_DELAY_MS) {
      return rc;
    }
    forget_error(error_out);
    sleep_ms(wait < 0 ? 1000 : wait);
  }
}

/* Register in one request, completing the dummy stage without a session. */
static inline mxreg_result register_with_dummy(const mxreg_client *client,
                                               const mxreg_register_request *request,
                                               mxreg_registration **registration_out,
                                               mxreg_error **error_out) {
  mxreg_register_request with_auth = *request;
  with_auth.auth_json = DUMMY_AUTH_JSON;
  return register_patiently(client, &with_auth, registration_out, error_out);
}

/* A new signup session for `username` (the test password), started. */
static inline mxreg_result start_signup(const mxreg_client *client, const char *username,
                                        uint32_t supported_stages, mxreg_signup **signup_out,
                                        mxreg_error **error_out) {
  mxreg_register_request request;
  mxreg_result rc;
  user_request(&request, username);
  rc = mxreg_signup_new(client, &request, supported_stages, signup_out, error_out);
  if (rc != MXREG_RESULT_OK) {
    return rc;
  }
  return mxreg_signup_start(*signup_out, error_out);
}

/* ---- OAuth ---------------------------------------------------------------- */

/* The test app's metadata: a name, a home page and REDIRECT_URI. (The
 * generated misuse cases call it by this name for valid metadata.) */
static inline void fill_oauth_client_metadata(mxreg_oauth_client_metadata *metadata) {
  static const char *const redirect_uris[] = {REDIRECT_URI};
  mxreg_oauth_client_metadata_init(metadata);
  metadata->client_name = "mxreg C tests";
  metadata->client_uri = "https://mxreg.test.invalid/";
  metadata->redirect_uris = redirect_uris;
  metadata->redirect_uri_count = 1;
}

/* An authorization request of the registered test app `client_id`. */
static inline void oauth_request_for(mxreg_oauth_authorization_request *request,
                                     const char *client_id) {
  mxreg_oauth_authorization_request_init(request);
  request->client_id = client_id;
  request->redirect_uri = REDIRECT_URI;
}

#endif /* MXREG_TEST_TESTLIB_H */
