/*
 * Account creation through OAuth 2.0 (prompt=create) with the C API, on the
 * rig's OAuth-delegated Synapse (MXREG_HS_OAUTH): discovery, client
 * registration, authorization, completion, refresh, revocation, save and
 * restore, and the failure codes. The user's browser is played by
 * tests/oauth/browser.py (MXREG_OAUTH_BROWSER overrides the path), which
 * prints the redirect the app would receive. New tokens are checked on
 * Synapse with a plain HTTP GET of /account/whoami, not through mxreg.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxreg.h"

#include "harness.h"
#include "loopback_http.h"
#include "testlib.h"

#define WHOAMI_PATH "/_matrix/client/v3/account/whoami"

/* The discovered OAuth server of the oauth variant, or NULL (with a note). */
static mxreg_oauth_server *discover(const mxreg_client *client) {
  mxreg_oauth_server *server = NULL;
  mxreg_error *error = NULL;
  if (client != NULL && mxreg_oauth_server_discover(client, &server, &error) != MXREG_RESULT_OK) {
    NOTE("mxreg_oauth_server_discover: %s", mxreg_error_message(error));
  }
  mxreg_error_free(error);
  return server;
}

/* Register the test app; copies its client ID into `client_id`. */
static int register_app(const mxreg_oauth_server *server, char *client_id, size_t size) {
  mxreg_oauth_client_metadata metadata;
  mxreg_oauth_registered_client *registered = NULL;
  mxreg_error *error = NULL;
  mxreg_result rc;
  fill_oauth_client_metadata(&metadata);
  rc = mxreg_oauth_server_register_client(server, &metadata, &registered, &error);
  if (expect_rc(rc, MXREG_RESULT_OK, &error)) {
    snprintf(client_id, size, "%s", mxreg_oauth_registered_client_client_id(registered));
  }
  mxreg_oauth_registered_client_free(registered);
  mxreg_error_free(error);
  return rc == MXREG_RESULT_OK;
}

/* What most tests start from: a client of the OAuth-delegated server, its
 * discovered OAuth server, the test app registered there, a new username. */
struct oauth_app {
  mxreg_oauth_server *server;
  char client_id[256];
  char username[64];
  /* The client, and what a test holds on to (NULL when unused), freed with
   * the app: a registration in held.account, a second one (a second login,
   * or what a replay must not give) in held.again. */
  struct held held;
  mxreg_oauth_authorization *authorization;
  mxreg_oauth_device_authorization *device;
  char redirect[4096];
};

/* Call it first: oauth_app_free needs what it sets. False (with a note)
 * when a step failed. */
static int oauth_app_prepare(struct oauth_app *app, const char *prefix) {
  memset(app, 0, sizeof *app);
  app->held.client = client_for("OAUTH");
  app->server = discover(app->held.client);
  unique_username(app->username, sizeof app->username, prefix);
  return app->server != NULL && register_app(app->server, app->client_id, sizeof app->client_id);
}

/* Frees what the app holds, the server and the client, and forgets them. */
static void oauth_app_free(struct oauth_app *app) {
  mxreg_oauth_authorization_free(app->authorization);
  mxreg_oauth_device_authorization_free(app->device);
  mxreg_oauth_server_free(app->server);
  app->authorization = NULL;
  app->device = NULL;
  app->server = NULL;
  held_free(&app->held);
}

/* Start a sign-up or login for the test app, or NULL (with a note). */
static mxreg_oauth_authorization *start(const struct oauth_app *app, mxreg_oauth_intent intent) {
  mxreg_oauth_authorization_request request;
  mxreg_oauth_authorization *authorization = NULL;
  mxreg_error *error = NULL;
  oauth_request_for(&request, app->client_id);
  request.intent = (uint32_t)intent;
  if (mxreg_oauth_authorization_start(app->server, &request, &authorization, &error) !=
      MXREG_RESULT_OK) {
    NOTE("mxreg_oauth_authorization_start: %s", mxreg_error_message(error));
  }
  mxreg_error_free(error);
  return authorization;
}

/* oauth_app_prepare, then a sign-up started for the test app in
 * app->authorization. False (with a note) when a step failed. */
static int oauth_app_start_sign_up(struct oauth_app *app, const char *prefix) {
  return oauth_app_prepare(app, prefix) &&
         (app->authorization = start(app, MXREG_OAUTH_INTENT_SIGN_UP)) != NULL;
}

/* Run the browser helper on the authorization URL (`action`: signup, login
 * or deny) as the app's user; writes the redirect it reached to
 * app->redirect. */
static int browse(const mxreg_oauth_authorization *authorization, struct oauth_app *app,
                  const char *action) {
  return browser_helper(mxreg_oauth_authorization_url(authorization), REDIRECT_URI, app->username,
                        action, app->redirect, sizeof app->redirect);
}

/* GET /account/whoami with `access_token`: the HTTP status (body in `body`),
 * or -1 when the request failed. */
static int whoami(const char *access_token, char *body, size_t size) {
  int status = -1;
  if (loopback_http_get(homeserver("OAUTH"), WHOAMI_PATH, access_token, &status, body, size) !=
      0) {
    return -1;
  }
  return status;
}

/* `"user_id":"<user_id>"` and `"device_id":"<device_id>"` are in `body`. */
static int whoami_says(const char *body, const char *user_id, const char *device_id) {
  char user[512], device[512];
  snprintf(user, sizeof user, "\"user_id\":\"%s\"", user_id);
  snprintf(device, sizeof device, "\"device_id\":\"%s\"", device_id);
  return contains(body, user) && contains(body, device);
}

/* Start a sign-up and let the browser helper do `action` on it: the
 * authorization (its redirect in app->redirect), or NULL (with a note). */
static mxreg_oauth_authorization *browsed_sign_up(struct oauth_app *app, const char *action) {
  mxreg_oauth_authorization *authorization = start(app, MXREG_OAUTH_INTENT_SIGN_UP);
  if (authorization != NULL && !browse(authorization, app, action)) {
    mxreg_oauth_authorization_free(authorization);
    authorization = NULL;
  }
  return authorization;
}

/* Complete `authorization` with the redirect the browser reached; an error
 * goes to app->held.error. */
static mxreg_result complete(struct oauth_app *app, const mxreg_oauth_authorization *authorization,
                             mxreg_registration **registration) {
  return mxreg_oauth_authorization_complete(authorization, app->redirect, registration,
                                            &app->held.error);
}

/* oauth_app_prepare, a sign-up the browser helper does `action` on, and
 * its completion into app->held.account: true when that gives `expected`. */
static int oauth_app_browsed_sign_up(struct oauth_app *app, const char *prefix,
                                     const char *action, mxreg_result expected) {
  return oauth_app_prepare(app, prefix) &&
         (app->authorization = browsed_sign_up(app, action)) != NULL &&
         expect_rc(complete(app, app->authorization, &app->held.account), expected,
                   &app->held.error);
}

/* Sign the app's user up end to end; the registration, or NULL (with a note). */
static mxreg_registration *sign_up(struct oauth_app *app) {
  mxreg_oauth_authorization *authorization = browsed_sign_up(app, "signup");
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  if (authorization != NULL &&
      mxreg_oauth_authorization_complete(authorization, app->redirect, &registration, &error) !=
          MXREG_RESULT_OK) {
    NOTE("mxreg_oauth_authorization_complete: %s", mxreg_error_message(error));
  }
  mxreg_error_free(error);
  mxreg_oauth_authorization_free(authorization);
  return registration;
}

/* ---- the device authorization grant (RFC 8628) ---------------------------- */

/* The rig's OAuth server gives clients with this in their name device codes
 * that expire after 3 s (scripts/oauth/provider.mjs). */
#define SHORT_LIVED_CLIENT_NAME "mxreg C device tests (short-lived device codes)"

/* Start a device authorization for the app, or NULL (with a note). */
static mxreg_oauth_device_authorization *start_device(const struct oauth_app *app) {
  mxreg_oauth_device_authorization *device = NULL;
  mxreg_error *error = NULL;
  if (mxreg_oauth_device_authorization_start(app->server, app->client_id, NULL, &device,
                                             &error) != MXREG_RESULT_OK) {
    NOTE("mxreg_oauth_device_authorization_start: %s", mxreg_error_message(error));
  }
  mxreg_error_free(error);
  return device;
}

/* The user, on another device: the browser helper opens the complete
 * verification URI and does `action` (login or deny); true when it ended
 * with `expected` (approved or denied). */
static int user_visits(const mxreg_oauth_device_authorization *device,
                       const struct oauth_app *app, const char *action, const char *expected) {
  char outcome[64];
  return browser_helper(mxreg_oauth_device_authorization_verification_uri_complete(device), NULL,
                        app->username, action, outcome, sizeof outcome) &&
         equals(outcome, expected);
}

static void test_device_grant_approved_on_another_device(void) {
  struct oauth_app app;
  mxreg_registration *unwritten = SENTINEL;
  char body[4096];

  CHECK(oauth_app_prepare(&app, "cdevice"));
  CHECK(mxreg_oauth_server_supports_device_authorization(app.server));
  app.held.account = sign_up(&app); /* the device flow signs in: the account comes first */
  CHECK(app.held.account != NULL);
  app.device = start_device(&app);
  CHECK(app.device != NULL);
  CHECK(strlen(mxreg_oauth_device_authorization_user_code(app.device)) > 0);
  CHECK(contains(mxreg_oauth_device_authorization_verification_uri(app.device), "/device"));
  CHECK(mxreg_oauth_device_authorization_expires_at_ms(app.device) > now_ms());
  CHECK(mxreg_oauth_device_authorization_interval_ms(app.device) >= 1000);

  CHECK(expect_rc(mxreg_oauth_device_authorization_poll(app.device, &unwritten, &app.held.error),
                  MXREG_RESULT_OAUTH_AUTHORIZATION_PENDING, &app.held.error));
  CHECK(equals(mxreg_error_errcode(app.held.error), "authorization_pending"));
  CHECK(unwritten == SENTINEL);
  forget_error(&app.held.error);

  CHECK(user_visits(app.device, &app, "login", "approved"));
  CHECK(expect_rc(
      mxreg_oauth_device_authorization_wait(app.device, &app.held.again, &app.held.error),
      MXREG_RESULT_OK, &app.held.error));
  CHECK(registered_as(app.held.again, app.username));
  CHECK(equals(mxreg_registration_device_id(app.held.again),
               mxreg_oauth_device_authorization_device_id(app.device)));
  CHECK(mxreg_registration_refresh_token(app.held.again) != NULL);
  CHECK(whoami(mxreg_registration_access_token(app.held.again), body, sizeof body) == 200);
  CHECK(whoami_says(body, mxreg_registration_user_id(app.held.again),
                    mxreg_registration_device_id(app.held.again)));

  /* The device code is spent. */
  CHECK(expect_rc(mxreg_oauth_device_authorization_poll(app.device, &unwritten, &app.held.error),
                  MXREG_RESULT_OAUTH_INVALID_GRANT, &app.held.error));

cleanup:
  oauth_app_free(&app);
}

static void test_device_grant_denied_is_access_denied(void) {
  struct oauth_app app;
  mxreg_registration *unwritten = SENTINEL;

  CHECK(oauth_app_prepare(&app, "cdevdeny"));
  app.device = start_device(&app);
  CHECK(app.device != NULL);
  CHECK(user_visits(app.device, &app, "deny", "denied"));
  CHECK(expect_rc(mxreg_oauth_device_authorization_wait(app.device, &unwritten, &app.held.error),
                  MXREG_RESULT_OAUTH_ACCESS_DENIED, &app.held.error));
  CHECK(equals(mxreg_error_errcode(app.held.error), "access_denied"));
  CHECK(unwritten == SENTINEL);

cleanup:
  oauth_app_free(&app);
}

static void test_device_code_left_to_expire_is_expired_token(void) {
  const mxreg_client *client = client_for("OAUTH");
  mxreg_oauth_server *server = discover(client);
  mxreg_oauth_client_metadata metadata;
  mxreg_oauth_registered_client *registered = NULL;
  mxreg_oauth_device_authorization *device = NULL;
  mxreg_registration *unwritten = SENTINEL;
  mxreg_error *error = NULL;
  int64_t left;

  CHECK(server != NULL);
  fill_oauth_client_metadata(&metadata);
  metadata.client_name = SHORT_LIVED_CLIENT_NAME;
  CHECK(expect_rc(mxreg_oauth_server_register_client(server, &metadata, &registered, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_oauth_device_authorization_start(
                      server, mxreg_oauth_registered_client_client_id(registered), "MXREGCDEV",
                      &device, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(equals(mxreg_oauth_device_authorization_device_id(device), "MXREGCDEV"));
  left = mxreg_oauth_device_authorization_expires_at_ms(device) - now_ms();
  CHECK(left <= 3000);
  sleep_ms(left + 1000);
  CHECK(expect_rc(mxreg_oauth_device_authorization_poll(device, &unwritten, &error),
                  MXREG_RESULT_OAUTH_EXPIRED_TOKEN, &error));
  CHECK(equals(mxreg_error_errcode(error), "expired_token"));
  CHECK(unwritten == SENTINEL);

cleanup:
  mxreg_oauth_device_authorization_free(device);
  mxreg_oauth_registered_client_free(registered);
  mxreg_oauth_server_free(server);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

/* Spec v1.17: on an OAuth-delegated server an application service registers
 * with inhibit_login only (the rig's oauth variant has one, @mxregbot_*);
 * mxreg sends it even when the request leaves it false (Synapse would answer
 * M_APPSERVICE_LOGIN_UNSUPPORTED otherwise). */
/* Register `request` on the app's client: true when the call gives
 * `expected` (the registration in `registration`, the error in app->held.error). */
static int register_gives(struct oauth_app *app, const mxreg_register_request *request,
                          mxreg_registration **registration, mxreg_result expected) {
  return expect_rc(mxreg_client_register(app->held.client, request, registration, &app->held.error),
                   expected, &app->held.error);
}

/* A fresh appservice user (@mxregbot_*) registered with `inhibit_login`:
 * true when it is registered, without an access token. */
static int appservice_user_without_token(struct oauth_app *app, mxreg_register_request *request,
                                         bool inhibit_login, mxreg_registration **registration) {
  unique_username(app->username, sizeof app->username, "mxregbot_c");
  request->inhibit_login = inhibit_login;
  return register_gives(app, request, registration, MXREG_RESULT_OK) &&
         registered_as(*registration, app->username) &&
         mxreg_registration_access_token(*registration) == NULL;
}

static void test_appservice_registers_with_inhibit_login_only(void) {
  struct oauth_app app;
  const char *as_token = getenv("MXREG_HS_OAUTH_APPSERVICE_TOKEN");
  mxreg_register_request request;

  memset(&app, 0, sizeof app);
  app.held.client = client_for("OAUTH");
  CHECK(app.held.client != NULL && as_token != NULL);
  mxreg_register_request_init(&request);
  request.username = app.username;
  request.appservice_token = as_token;
  CHECK(appservice_user_without_token(&app, &request, true, &app.held.account));
  CHECK(appservice_user_without_token(&app, &request, false, &app.held.again));

cleanup:
  oauth_app_free(&app);
}

static void test_the_server_offers_sign_up_and_refuses_legacy_registration(void) {
  struct oauth_app app;
  const mxreg_oauth_server *server;
  mxreg_register_request request;
  memset(&app, 0, sizeof app);
  app.held.client = client_for("OAUTH");
  CHECK(app.held.client != NULL);
  server = app.server = discover(app.held.client);
  CHECK(server != NULL);
  CHECK(mxreg_oauth_server_supports_sign_up(server));
  CHECK(mxreg_oauth_server_issuer(server) != NULL);
  CHECK(mxreg_oauth_server_registration_endpoint(server) != NULL);
  CHECK(mxreg_oauth_server_revocation_endpoint(server) != NULL);
  CHECK(contains(mxreg_oauth_server_metadata_json(server), "\"create\""));
  unique_username(app.username, sizeof app.username, "ocl");
  user_request(&request, app.username);
  CHECK(register_gives(&app, &request, &app.held.account, MXREG_RESULT_FORBIDDEN));
  CHECK(app.held.account == NULL);
cleanup:
  oauth_app_free(&app);
}

static void test_a_legacy_homeserver_has_no_oauth(void) {
  struct oauth_app app;
  memset(&app, 0, sizeof app);
  app.held.client = client_for("OPEN");
  app.server = SENTINEL;
  CHECK(app.held.client != NULL);
  CHECK(expect_rc(mxreg_oauth_server_discover(app.held.client, &app.server, &app.held.error),
                  MXREG_RESULT_OAUTH_UNSUPPORTED, &app.held.error));
  CHECK(app.server == SENTINEL);
cleanup:
  UNSENTINEL(app.server);
  oauth_app_free(&app);
}

static void test_sign_up_creates_an_account_that_works_on_synapse(void) {
  struct oauth_app app;
  char user_id[128], body[4096];
  CHECK(oauth_app_start_sign_up(&app, "oca"));
  CHECK(contains(mxreg_oauth_authorization_url(app.authorization), "prompt=create"));
  CHECK(mxreg_oauth_authorization_intent(app.authorization) == MXREG_OAUTH_INTENT_SIGN_UP);
  CHECK(browse(app.authorization, &app, "signup"));
  CHECK(expect_rc(complete(&app, app.authorization, &app.held.account),
                  MXREG_RESULT_OK, &app.held.error));
  snprintf(user_id, sizeof user_id, "@%s:localhost", app.username);
  CHECK(equals(mxreg_registration_user_id(app.held.account), user_id));
  CHECK(equals(mxreg_registration_device_id(app.held.account),
               mxreg_oauth_authorization_device_id(app.authorization)));
  CHECK(mxreg_registration_refresh_token(app.held.account) != NULL);
  CHECK(mxreg_registration_expires_in_ms(app.held.account) == 300000);
  CHECK(mxreg_registration_expires_at_ms(app.held.account) > now_ms());
  CHECK(whoami(mxreg_registration_access_token(app.held.account), body, sizeof body) == 200);
  CHECK(whoami_says(body, user_id, mxreg_oauth_authorization_device_id(app.authorization)));
cleanup:
  oauth_app_free(&app);
}

static void test_the_same_user_logs_in_on_a_second_device(void) {
  struct oauth_app app;
  char body[4096];
  CHECK(oauth_app_prepare(&app, "ocb"));
  CHECK((app.held.account = sign_up(&app)) != NULL);
  app.authorization = start(&app, MXREG_OAUTH_INTENT_LOGIN);
  CHECK(app.authorization != NULL);
  CHECK(!contains(mxreg_oauth_authorization_url(app.authorization), "prompt="));
  CHECK(browse(app.authorization, &app, "login"));
  CHECK(expect_rc(complete(&app, app.authorization, &app.held.again),
                  MXREG_RESULT_OK, &app.held.error));
  CHECK(equals(mxreg_registration_user_id(app.held.again),
               mxreg_registration_user_id(app.held.account)));
  CHECK(!equals(mxreg_registration_device_id(app.held.again),
                mxreg_registration_device_id(app.held.account)));
  CHECK(whoami(mxreg_registration_access_token(app.held.again), body, sizeof body) == 200);
  CHECK(whoami_says(body, mxreg_registration_user_id(app.held.account),
                    mxreg_oauth_authorization_device_id(app.authorization)));
cleanup:
  oauth_app_free(&app);
}

static void test_a_redirect_for_another_authorization_is_a_state_mismatch(void) {
  struct oauth_app app;
  const mxreg_oauth_authorization *mine;
  mxreg_oauth_authorization *other = NULL;
  CHECK(oauth_app_start_sign_up(&app, "occ"));
  app.held.account = SENTINEL;
  mine = app.authorization;
  CHECK((other = start(&app, MXREG_OAUTH_INTENT_SIGN_UP)) != NULL);
  CHECK(!equals(mxreg_oauth_authorization_state(mine), mxreg_oauth_authorization_state(other)));
  CHECK(browse(other, &app, "signup"));
  CHECK(expect_rc(complete(&app, mine, &app.held.account),
                  MXREG_RESULT_OAUTH_STATE_MISMATCH, &app.held.error));
  CHECK(app.held.account == SENTINEL);
  app.held.account = NULL;
  /* Nothing was sent: the redirect still completes its own authorization. */
  CHECK(expect_rc(mxreg_oauth_authorization_complete(other, app.redirect, &app.held.account, NULL),
                  MXREG_RESULT_OK, NULL));
cleanup:
  mxreg_oauth_authorization_free(other);
  oauth_app_free(&app);
}

static void test_a_replayed_code_is_an_invalid_grant(void) {
  struct oauth_app app;
  CHECK(oauth_app_browsed_sign_up(&app, "ocd", "signup", MXREG_RESULT_OK));
  CHECK(expect_rc(complete(&app, app.authorization, &app.held.again),
                  MXREG_RESULT_OAUTH_INVALID_GRANT, &app.held.error));
  CHECK(equals(mxreg_error_errcode(app.held.error), "invalid_grant"));
  CHECK(mxreg_error_http_status(app.held.error) == 400);
  CHECK(contains(mxreg_error_body_json(app.held.error), "invalid_grant"));
cleanup:
  oauth_app_free(&app);
}

/* Change one character of the saved PKCE verifier (still a valid verifier). */
static int tamper_verifier(char *saved) {
  char *value = strstr(saved, "\"code_verifier\":\"");
  if (value == NULL) {
    return 0;
  }
  value += strlen("\"code_verifier\":\"");
  *value = *value == 'A' ? 'B' : 'A';
  return 1;
}

static void test_a_wrong_verifier_is_an_invalid_grant_and_keeps_the_code(void) {
  struct oauth_app app;
  const mxreg_oauth_authorization *authorization;
  mxreg_oauth_authorization *tampered = NULL;
  char *saved = NULL;
  CHECK(oauth_app_start_sign_up(&app, "oce"));
  authorization = app.authorization;
  CHECK(expect_rc(mxreg_oauth_authorization_save(authorization, &saved, &app.held.error),
                  MXREG_RESULT_OK, &app.held.error));
  CHECK(tamper_verifier(saved));
  CHECK(expect_rc(mxreg_oauth_authorization_restore(app.server, saved, &tampered, &app.held.error),
                  MXREG_RESULT_OK, &app.held.error));
  CHECK(browse(authorization, &app, "signup"));
  CHECK(expect_rc(complete(&app, tampered, &app.held.account),
                  MXREG_RESULT_OAUTH_INVALID_GRANT, &app.held.error));
  forget_error(&app.held.error);
  CHECK(expect_rc(complete(&app, authorization, &app.held.account),
                  MXREG_RESULT_OK, &app.held.error));
cleanup:
  mxreg_string_free(saved);
  mxreg_oauth_authorization_free(tampered);
  oauth_app_free(&app);
}

static void test_a_denied_consent_is_access_denied(void) {
  struct oauth_app app;
  CHECK(oauth_app_browsed_sign_up(&app, "ocf", "deny", MXREG_RESULT_OAUTH_ACCESS_DENIED));
  CHECK(equals(mxreg_error_errcode(app.held.error), "access_denied"));
cleanup:
  oauth_app_free(&app);
}

static void test_refresh_rotates_and_the_old_refresh_token_is_refused(void) {
  struct oauth_app app;
  mxreg_tokens *tokens = NULL, *replayed = NULL;
  char body[4096];
  const char *old_refresh;
  CHECK(oauth_app_prepare(&app, "ocg"));
  CHECK((app.held.account = sign_up(&app)) != NULL);
  old_refresh = mxreg_registration_refresh_token(app.held.account);
  CHECK(old_refresh != NULL);
  CHECK(expect_rc(mxreg_oauth_server_refresh_token(app.server, app.client_id, old_refresh, &tokens,
                                                   &app.held.error),
                  MXREG_RESULT_OK, &app.held.error));
  CHECK(!equals(mxreg_tokens_access_token(tokens),
                mxreg_registration_access_token(app.held.account)));
  CHECK(mxreg_tokens_refresh_token(tokens) != NULL);
  CHECK(!equals(mxreg_tokens_refresh_token(tokens), old_refresh));
  CHECK(mxreg_tokens_expires_in_ms(tokens) == 300000);
  CHECK(whoami(mxreg_tokens_access_token(tokens), body, sizeof body) == 200);
  CHECK(contains(body, mxreg_registration_user_id(app.held.account)));
  CHECK(expect_rc(mxreg_oauth_server_refresh_token(app.server, app.client_id, old_refresh,
                                                   &replayed, &app.held.error),
                  MXREG_RESULT_OAUTH_INVALID_GRANT, &app.held.error));
  CHECK(replayed == NULL);
cleanup:
  mxreg_tokens_free(tokens);
  mxreg_tokens_free(replayed);
  oauth_app_free(&app);
}

static void test_revoking_logs_the_device_out(void) {
  struct oauth_app app;
  mxreg_tokens *tokens = NULL;
  char body[4096];
  const char *access_token;
  CHECK(oauth_app_prepare(&app, "och"));
  CHECK((app.held.account = sign_up(&app)) != NULL);
  access_token = mxreg_registration_access_token(app.held.account);
  CHECK(whoami(access_token, body, sizeof body) == 200);
  CHECK(expect_rc(
      mxreg_oauth_server_revoke_token(app.server, app.client_id, access_token, &app.held.error),
      MXREG_RESULT_OK, &app.held.error));
  CHECK(whoami(access_token, body, sizeof body) == 401);
  CHECK(contains(body, "M_UNKNOWN_TOKEN"));
  CHECK(expect_rc(
      mxreg_oauth_server_refresh_token(app.server, app.client_id,
                                       mxreg_registration_refresh_token(app.held.account), &tokens,
                                       &app.held.error),
      MXREG_RESULT_OAUTH_INVALID_GRANT, &app.held.error));
cleanup:
  mxreg_tokens_free(tokens);
  oauth_app_free(&app);
}

static void test_a_saved_authorization_completes_after_a_restart(void) {
  struct oauth_app app;
  char *saved = NULL;
  char user_id[128], device_id[256], body[4096];
  CHECK(oauth_app_start_sign_up(&app, "oci"));
  CHECK(expect_rc(mxreg_oauth_authorization_save(app.authorization, &saved, &app.held.error),
                  MXREG_RESULT_OK, &app.held.error));
  snprintf(device_id, sizeof device_id, "%s",
           mxreg_oauth_authorization_device_id(app.authorization));
  CHECK(browse(app.authorization, &app, "signup"));
  /* The app is killed while the browser is open: only `saved` survives. */
  mxreg_oauth_authorization_free(app.authorization);
  app.authorization = NULL;
  oauth_app_free(&app);
  app.held.client = client_for("OAUTH");
  CHECK((app.server = discover(app.held.client)) != NULL);
  CHECK(expect_rc(
      mxreg_oauth_authorization_restore(app.server, saved, &app.authorization, &app.held.error),
      MXREG_RESULT_OK, &app.held.error));
  /* The restored authorization outlives the server handle it came from. */
  mxreg_oauth_server_free(app.server);
  app.server = NULL;
  CHECK(equals(mxreg_oauth_authorization_device_id(app.authorization), device_id));
  CHECK(expect_rc(complete(&app, app.authorization, &app.held.account),
                  MXREG_RESULT_OK, &app.held.error));
  snprintf(user_id, sizeof user_id, "@%s:localhost", app.username);
  CHECK(equals(mxreg_registration_user_id(app.held.account), user_id));
  CHECK(whoami(mxreg_registration_access_token(app.held.account), body, sizeof body) == 200);
  CHECK(whoami_says(body, user_id, device_id));
cleanup:
  mxreg_string_free(saved);
  oauth_app_free(&app);
}

static void test_bad_arguments_get_clear_codes(void) {
  struct oauth_app app;
  mxreg_oauth_server *server = NULL;
  mxreg_oauth_authorization *authorization = NULL, *restored = SENTINEL;
  mxreg_oauth_registered_client *registered = SENTINEL;
  mxreg_registration *registration = SENTINEL;
  mxreg_oauth_authorization_request request;
  mxreg_oauth_client_metadata metadata;
  CHECK(oauth_app_prepare(&app, "ocj"));
  server = app.server;
  CHECK(expect_rc(mxreg_oauth_server_discover(NULL, &server, NULL), MXREG_RESULT_NULL_ARGUMENT,
                  NULL));
  mxreg_oauth_client_metadata_init(&metadata);
  metadata.client_uri = "https://mxreg.test.invalid/";
  CHECK(expect_rc(
      mxreg_oauth_server_register_client(server, &metadata, &registered, &app.held.error),
      MXREG_RESULT_INVALID_ARGUMENT, &app.held.error));
  CHECK(registered == SENTINEL);
  forget_error(&app.held.error);
  oauth_request_for(&request, app.client_id);
  request.struct_size = 1;
  CHECK(expect_rc(mxreg_oauth_authorization_start(server, &request, &authorization, NULL),
                  MXREG_RESULT_STRUCT_SIZE, NULL));
  oauth_request_for(&request, app.client_id);
  request.intent = 7;
  CHECK(expect_rc(mxreg_oauth_authorization_start(server, &request, &authorization, NULL),
                  MXREG_RESULT_INVALID_ARGUMENT, NULL));
  request.intent = MXREG_OAUTH_INTENT_SIGN_UP;
  request.device_id = "not a device";
  CHECK(expect_rc(mxreg_oauth_authorization_start(server, &request, &authorization, NULL),
                  MXREG_RESULT_INVALID_ARGUMENT, NULL));
  request.device_id = NULL;
  CHECK(expect_rc(mxreg_oauth_authorization_start(server, &request, &authorization, NULL),
                  MXREG_RESULT_OK, NULL));
  CHECK(expect_rc(mxreg_oauth_authorization_complete(authorization, "https://elsewhere.invalid/",
                                                     &registration, &app.held.error),
                  MXREG_RESULT_INVALID_ARGUMENT, &app.held.error));
  CHECK(registration == SENTINEL);
  CHECK(expect_rc(mxreg_oauth_authorization_complete(authorization, NULL, &registration, NULL),
                  MXREG_RESULT_NULL_ARGUMENT, NULL));
  CHECK(expect_rc(mxreg_oauth_authorization_restore(server, "{\"not\":\"saved\"}", &restored, NULL),
                  MXREG_RESULT_INVALID_ARGUMENT, NULL));
  CHECK(restored == SENTINEL);
  CHECK(mxreg_oauth_authorization_url(NULL) == NULL);
  CHECK(!mxreg_oauth_server_supports_sign_up(NULL));
  CHECK(mxreg_oauth_client_metadata_size() == sizeof(mxreg_oauth_client_metadata));
  CHECK(mxreg_oauth_authorization_request_size() == sizeof(mxreg_oauth_authorization_request));
  CHECK(equals(mxreg_result_name(MXREG_RESULT_OAUTH_STATE_MISMATCH),
               "MXREG_RESULT_OAUTH_STATE_MISMATCH"));
cleanup:
  mxreg_oauth_authorization_free(authorization);
  oauth_app_free(&app);
}

int main(void) {
  RUN_TEST(test_the_server_offers_sign_up_and_refuses_legacy_registration);
  RUN_TEST(test_a_legacy_homeserver_has_no_oauth);
  RUN_TEST(test_sign_up_creates_an_account_that_works_on_synapse);
  RUN_TEST(test_the_same_user_logs_in_on_a_second_device);
  RUN_TEST(test_a_redirect_for_another_authorization_is_a_state_mismatch);
  RUN_TEST(test_a_replayed_code_is_an_invalid_grant);
  RUN_TEST(test_a_wrong_verifier_is_an_invalid_grant_and_keeps_the_code);
  RUN_TEST(test_a_denied_consent_is_access_denied);
  RUN_TEST(test_refresh_rotates_and_the_old_refresh_token_is_refused);
  RUN_TEST(test_revoking_logs_the_device_out);
  RUN_TEST(test_a_saved_authorization_completes_after_a_restart);
  RUN_TEST(test_bad_arguments_get_clear_codes);
  RUN_TEST(test_device_grant_approved_on_another_device);
  RUN_TEST(test_device_grant_denied_is_access_denied);
  RUN_TEST(test_device_code_left_to_expire_is_expired_token);
  RUN_TEST(test_appservice_registers_with_inhibit_login_only);
  return harness_finish();
}
