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
#define DEFAULT_BROWSER "tests/oauth/browser.py"

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
  const mxreg_client *client;
  mxreg_oauth_server *server;
  char client_id[256];
  char username[64];
};

/* Call it first: oauth_app_free needs what it sets. False (with a note)
 * when a step failed. */
static int oauth_app_prepare(struct oauth_app *app, const char *prefix) {
  memset(app, 0, sizeof *app);
  app->client = client_for("OAUTH");
  app->server = discover(app->client);
  unique_username(app->username, sizeof app->username, prefix);
  return app->server != NULL && register_app(app->server, app->client_id, sizeof app->client_id);
}

/* Frees the server and the client, and forgets them. */
static void oauth_app_free(struct oauth_app *app) {
  mxreg_oauth_server_free(app->server);
  mxreg_client_free(app->client);
  app->server = NULL;
  app->client = NULL;
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

/* Run the browser helper on the authorization URL (`action`: signup, login
 * or deny) as the app's user; writes the redirect it reached to `redirect`. */
static int browse(const mxreg_oauth_authorization *authorization, const struct oauth_app *app,
                  const char *action, char *redirect, size_t size) {
  const char *browser = getenv("MXREG_OAUTH_BROWSER");
  const char *url = mxreg_oauth_authorization_url(authorization);
  char command[8192];
  int length;
  /* The URL is single-quoted for the shell: percent-encoding leaves no quote. */
  if (url == NULL || strchr(url, '\'') != NULL) {
    return 0;
  }
  length = snprintf(command, sizeof command,
                    "python3 '%s' '%s' --redirect-uri '%s' --username '%s' --password '%s' "
                    "--action %s",
                    browser != NULL ? browser : DEFAULT_BROWSER, url, REDIRECT_URI, app->username,
                    PASSWORD, action);
  return length >= 0 && (size_t)length < sizeof command &&
         command_first_line(command, "the browser helper", redirect, size) == 0;
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
 * authorization (its redirect in `redirect`), or NULL (with a note). */
static mxreg_oauth_authorization *browsed_sign_up(const struct oauth_app *app, const char *action,
                                                  char *redirect, size_t size) {
  mxreg_oauth_authorization *authorization = start(app, MXREG_OAUTH_INTENT_SIGN_UP);
  if (authorization != NULL && !browse(authorization, app, action, redirect, size)) {
    mxreg_oauth_authorization_free(authorization);
    authorization = NULL;
  }
  return authorization;
}

/* Sign the app's user up end to end; the registration, or NULL (with a note). */
static mxreg_registration *sign_up(const struct oauth_app *app) {
  char redirect[4096];
  mxreg_oauth_authorization *authorization =
      browsed_sign_up(app, "signup", redirect, sizeof redirect);
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  if (authorization != NULL &&
      mxreg_oauth_authorization_complete(authorization, redirect, &registration, &error) !=
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
  const char *browser = getenv("MXREG_OAUTH_BROWSER");
  const char *uri = mxreg_oauth_device_authorization_verification_uri_complete(device);
  char command[4096], outcome[64];
  int length;
  if (uri == NULL || strchr(uri, '\'') != NULL) {
    return 0;
  }
  length = snprintf(command, sizeof command,
                    "python3 '%s' --device '%s' --username '%s' --password '%s' --action %s",
                    browser != NULL ? browser : DEFAULT_BROWSER, uri, app->username, PASSWORD,
                    action);
  return length >= 0 && (size_t)length < sizeof command &&
         command_first_line(command, "the browser helper", outcome, sizeof outcome) == 0 &&
         equals(outcome, expected);
}

static void test_device_grant_approved_on_another_device(void) {
  struct oauth_app app;
  mxreg_oauth_device_authorization *device = NULL;
  mxreg_registration *account = NULL, *signed_up = NULL, *unwritten = SENTINEL;
  mxreg_error *error = NULL;
  char body[4096];

  CHECK(oauth_app_prepare(&app, "cdevice"));
  CHECK(mxreg_oauth_server_supports_device_authorization(app.server));
  signed_up = sign_up(&app); /* the device flow signs in: the account comes first */
  CHECK(signed_up != NULL);
  device = start_device(&app);
  CHECK(device != NULL);
  CHECK(strlen(mxreg_oauth_device_authorization_user_code(device)) > 0);
  CHECK(contains(mxreg_oauth_device_authorization_verification_uri(device), "/device"));
  CHECK(mxreg_oauth_device_authorization_expires_at_ms(device) > now_ms());
  CHECK(mxreg_oauth_device_authorization_interval_ms(device) >= 1000);

  CHECK(expect_rc(mxreg_oauth_device_authorization_poll(device, &unwritten, &error),
                  MXREG_RESULT_OAUTH_AUTHORIZATION_PENDING, &error));
  CHECK(equals(mxreg_error_errcode(error), "authorization_pending"));
  CHECK(unwritten == SENTINEL);
  mxreg_error_free(error);
  error = NULL;

  CHECK(user_visits(device, &app, "login", "approved"));
  CHECK(expect_rc(mxreg_oauth_device_authorization_wait(device, &account, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(registered_as(account, app.username));
  CHECK(equals(mxreg_registration_device_id(account),
               mxreg_oauth_device_authorization_device_id(device)));
  CHECK(mxreg_registration_refresh_token(account) != NULL);
  CHECK(whoami(mxreg_registration_access_token(account), body, sizeof body) == 200);
  CHECK(whoami_says(body, mxreg_registration_user_id(account),
                    mxreg_registration_device_id(account)));

  /* The device code is spent. */
  CHECK(expect_rc(mxreg_oauth_device_authorization_poll(device, &unwritten, &error),
                  MXREG_RESULT_OAUTH_INVALID_GRANT, &error));

cleanup:
  mxreg_registration_free(account);
  mxreg_registration_free(signed_up);
  mxreg_oauth_device_authorization_free(device);
  mxreg_error_free(error);
  oauth_app_free(&app);
}

static void test_device_grant_denied_is_access_denied(void) {
  struct oauth_app app;
  mxreg_oauth_device_authorization *device = NULL;
  mxreg_registration *unwritten = SENTINEL;
  mxreg_error *error = NULL;

  CHECK(oauth_app_prepare(&app, "cdevdeny"));
  device = start_device(&app);
  CHECK(device != NULL);
  CHECK(user_visits(device, &app, "deny", "denied"));
  CHECK(expect_rc(mxreg_oauth_device_authorization_wait(device, &unwritten, &error),
                  MXREG_RESULT_OAUTH_ACCESS_DENIED, &error));
  CHECK(equals(mxreg_error_errcode(error), "access_denied"));
  CHECK(unwritten == SENTINEL);

cleanup:
  mxreg_oauth_device_authorization_free(device);
  mxreg_error_free(error);
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
static void test_appservice_registers_with_inhibit_login_only(void) {
  const mxreg_client *client = client_for("OAUTH");
  const char *as_token = getenv("MXREG_HS_OAUTH_APPSERVICE_TOKEN");
  mxreg_register_request request;
  mxreg_registration *account = NULL, *second = NULL;
  mxreg_error *error = NULL;
  char username[64];

  CHECK(client != NULL && as_token != NULL);
  unique_username(username, sizeof username, "mxregbot_c");
  mxreg_register_request_init(&request);
  request.username = username;
  request.appservice_token = as_token;
  request.inhibit_login = true;
  CHECK(expect_rc(mxreg_client_register(client, &request, &account, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(registered_as(account, username));
  CHECK(mxreg_registration_access_token(account) == NULL);

  unique_username(username, sizeof username, "mxregbot_c");
  request.inhibit_login = false;
  CHECK(expect_rc(mxreg_client_register(client, &request, &second, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(registered_as(second, username));
  CHECK(mxreg_registration_access_token(second) == NULL);

cleanup:
  mxreg_registration_free(account);
  mxreg_registration_free(second);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_the_server_offers_sign_up_and_refuses_legacy_registration(void) {
  const mxreg_client *client = client_for("OAUTH");
  mxreg_oauth_server *server = NULL;
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char username[64];
  CHECK(client != NULL);
  server = discover(client);
  CHECK(server != NULL);
  CHECK(mxreg_oauth_server_supports_sign_up(server));
  CHECK(mxreg_oauth_server_issuer(server) != NULL);
  CHECK(mxreg_oauth_server_registration_endpoint(server) != NULL);
  CHECK(mxreg_oauth_server_revocation_endpoint(server) != NULL);
  CHECK(contains(mxreg_oauth_server_metadata_json(server), "\"create\""));
  unique_username(username, sizeof username, "ocl");
  user_request(&request, username);
  CHECK(expect_rc(mxreg_client_register(client, &request, &registration, &error),
                  MXREG_RESULT_FORBIDDEN, &error));
  CHECK(registration == NULL);
cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_oauth_server_free(server);
  mxreg_client_free(client);
}

static void test_a_legacy_homeserver_has_no_oauth(void) {
  const mxreg_client *client = client_for("OPEN");
  mxreg_oauth_server *server = SENTINEL;
  mxreg_error *error = NULL;
  CHECK(client != NULL);
  CHECK(expect_rc(mxreg_oauth_server_discover(client, &server, &error),
                  MXREG_RESULT_OAUTH_UNSUPPORTED, &error));
  CHECK(server == SENTINEL);
cleanup:
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_sign_up_creates_an_account_that_works_on_synapse(void) {
  struct oauth_app app;
  mxreg_oauth_authorization *authorization = NULL;
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  char user_id[128], redirect[4096], body[4096];
  CHECK(oauth_app_prepare(&app, "oca"));
  authorization = start(&app, MXREG_OAUTH_INTENT_SIGN_UP);
  CHECK(authorization != NULL);
  CHECK(contains(mxreg_oauth_authorization_url(authorization), "prompt=create"));
  CHECK(mxreg_oauth_authorization_intent(authorization) == MXREG_OAUTH_INTENT_SIGN_UP);
  CHECK(browse(authorization, &app, "signup", redirect, sizeof redirect));
  CHECK(expect_rc(mxreg_oauth_authorization_complete(authorization, redirect, &registration, &error),
                  MXREG_RESULT_OK, &error));
  snprintf(user_id, sizeof user_id, "@%s:localhost", app.username);
  CHECK(equals(mxreg_registration_user_id(registration), user_id));
  CHECK(equals(mxreg_registration_device_id(registration),
               mxreg_oauth_authorization_device_id(authorization)));
  CHECK(mxreg_registration_refresh_token(registration) != NULL);
  CHECK(mxreg_registration_expires_in_ms(registration) == 300000);
  CHECK(mxreg_registration_expires_at_ms(registration) > now_ms());
  CHECK(whoami(mxreg_registration_access_token(registration), body, sizeof body) == 200);
  CHECK(whoami_says(body, user_id, mxreg_oauth_authorization_device_id(authorization)));
cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_oauth_authorization_free(authorization);
  oauth_app_free(&app);
}

static void test_the_same_user_logs_in_on_a_second_device(void) {
  struct oauth_app app;
  mxreg_oauth_authorization *authorization = NULL;
  mxreg_registration *first = NULL, *second = NULL;
  mxreg_error *error = NULL;
  char redirect[4096], body[4096];
  CHECK(oauth_app_prepare(&app, "ocb"));
  CHECK((first = sign_up(&app)) != NULL);
  authorization = start(&app, MXREG_OAUTH_INTENT_LOGIN);
  CHECK(authorization != NULL);
  CHECK(!contains(mxreg_oauth_authorization_url(authorization), "prompt="));
  CHECK(browse(authorization, &app, "login", redirect, sizeof redirect));
  CHECK(expect_rc(mxreg_oauth_authorization_complete(authorization, redirect, &second, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(equals(mxreg_registration_user_id(second), mxreg_registration_user_id(first)));
  CHECK(!equals(mxreg_registration_device_id(second), mxreg_registration_device_id(first)));
  CHECK(whoami(mxreg_registration_access_token(second), body, sizeof body) == 200);
  CHECK(whoami_says(body, mxreg_registration_user_id(first),
                    mxreg_oauth_authorization_device_id(authorization)));
cleanup:
  mxreg_registration_free(first);
  mxreg_registration_free(second);
  mxreg_error_free(error);
  mxreg_oauth_authorization_free(authorization);
  oauth_app_free(&app);
}

static void test_a_redirect_for_another_authorization_is_a_state_mismatch(void) {
  struct oauth_app app;
  mxreg_oauth_authorization *mine = NULL, *other = NULL;
  mxreg_registration *registration = SENTINEL;
  mxreg_error *error = NULL;
  char redirect[4096];
  CHECK(oauth_app_prepare(&app, "occ"));
  CHECK((mine = start(&app, MXREG_OAUTH_INTENT_SIGN_UP)) != NULL);
  CHECK((other = start(&app, MXREG_OAUTH_INTENT_SIGN_UP)) != NULL);
  CHECK(!equals(mxreg_oauth_authorization_state(mine), mxreg_oauth_authorization_state(other)));
  CHECK(browse(other, &app, "signup", redirect, sizeof redirect));
  CHECK(expect_rc(mxreg_oauth_authorization_complete(mine, redirect, &registration, &error),
                  MXREG_RESULT_OAUTH_STATE_MISMATCH, &error));
  CHECK(registration == SENTINEL);
  registration = NULL;
  /* Nothing was sent: the redirect still completes its own authorization. */
  CHECK(expect_rc(mxreg_oauth_authorization_complete(other, redirect, &registration, NULL),
                  MXREG_RESULT_OK, NULL));
cleanup:
  UNSENTINEL(registration);
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_oauth_authorization_free(mine);
  mxreg_oauth_authorization_free(other);
  oauth_app_free(&app);
}

static void test_a_replayed_code_is_an_invalid_grant(void) {
  struct oauth_app app;
  mxreg_oauth_authorization *authorization = NULL;
  mxreg_registration *registration = NULL, *replayed = NULL;
  mxreg_error *error = NULL;
  char redirect[4096];
  CHECK(oauth_app_prepare(&app, "ocd"));
  CHECK((authorization = browsed_sign_up(&app, "signup", redirect, sizeof redirect)) != NULL);
  CHECK(expect_rc(mxreg_oauth_authorization_complete(authorization, redirect, &registration, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(expect_rc(mxreg_oauth_authorization_complete(authorization, redirect, &replayed, &error),
                  MXREG_RESULT_OAUTH_INVALID_GRANT, &error));
  CHECK(equals(mxreg_error_errcode(error), "invalid_grant"));
  CHECK(mxreg_error_http_status(error) == 400);
  CHECK(contains(mxreg_error_body_json(error), "invalid_grant"));
cleanup:
  mxreg_registration_free(registration);
  mxreg_registration_free(replayed);
  mxreg_error_free(error);
  mxreg_oauth_authorization_free(authorization);
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
  mxreg_oauth_authorization *authorization = NULL, *tampered = NULL;
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  char *saved = NULL;
  char redirect[4096];
  CHECK(oauth_app_prepare(&app, "oce"));
  CHECK((authorization = start(&app, MXREG_OAUTH_INTENT_SIGN_UP)) != NULL);
  CHECK(expect_rc(mxreg_oauth_authorization_save(authorization, &saved, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(tamper_verifier(saved));
  CHECK(expect_rc(mxreg_oauth_authorization_restore(app.server, saved, &tampered, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(browse(authorization, &app, "signup", redirect, sizeof redirect));
  CHECK(expect_rc(mxreg_oauth_authorization_complete(tampered, redirect, &registration, &error),
                  MXREG_RESULT_OAUTH_INVALID_GRANT, &error));
  mxreg_error_free(error);
  error = NULL;
  CHECK(expect_rc(mxreg_oauth_authorization_complete(authorization, redirect, &registration, &error),
                  MXREG_RESULT_OK, &error));
cleanup:
  mxreg_string_free(saved);
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_oauth_authorization_free(authorization);
  mxreg_oauth_authorization_free(tampered);
  oauth_app_free(&app);
}

static void test_a_denied_consent_is_access_denied(void) {
  struct oauth_app app;
  mxreg_oauth_authorization *authorization = NULL;
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  char redirect[4096];
  CHECK(oauth_app_prepare(&app, "ocf"));
  CHECK((authorization = browsed_sign_up(&app, "deny", redirect, sizeof redirect)) != NULL);
  CHECK(expect_rc(mxreg_oauth_authorization_complete(authorization, redirect, &registration, &error),
                  MXREG_RESULT_OAUTH_ACCESS_DENIED, &error));
  CHECK(equals(mxreg_error_errcode(error), "access_denied"));
cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_oauth_authorization_free(authorization);
  oauth_app_free(&app);
}

static void test_refresh_rotates_and_the_old_refresh_token_is_refused(void) {
  struct oauth_app app;
  mxreg_registration *registration = NULL;
  mxreg_tokens *tokens = NULL, *replayed = NULL;
  mxreg_error *error = NULL;
  char body[4096];
  const char *old_refresh;
  CHECK(oauth_app_prepare(&app, "ocg"));
  CHECK((registration = sign_up(&app)) != NULL);
  old_refresh = mxreg_registration_refresh_token(registration);
  CHECK(old_refresh != NULL);
  CHECK(expect_rc(mxreg_oauth_server_refresh_token(app.server, app.client_id, old_refresh, &tokens,
                                                   &error),
                  MXREG_RESULT_OK, &error));
  CHECK(!equals(mxreg_tokens_access_token(tokens), mxreg_registration_access_token(registration)));
  CHECK(mxreg_tokens_refresh_token(tokens) != NULL);
  CHECK(!equals(mxreg_tokens_refresh_token(tokens), old_refresh));
  CHECK(mxreg_tokens_expires_in_ms(tokens) == 300000);
  CHECK(whoami(mxreg_tokens_access_token(tokens), body, sizeof body) == 200);
  CHECK(contains(body, mxreg_registration_user_id(registration)));
  CHECK(expect_rc(mxreg_oauth_server_refresh_token(app.server, app.client_id, old_refresh,
                                                   &replayed, &error),
                  MXREG_RESULT_OAUTH_INVALID_GRANT, &error));
  CHECK(replayed == NULL);
cleanup:
  mxreg_tokens_free(tokens);
  mxreg_tokens_free(replayed);
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  oauth_app_free(&app);
}

static void test_revoking_logs_the_device_out(void) {
  struct oauth_app app;
  mxreg_registration *registration = NULL;
  mxreg_tokens *tokens = NULL;
  mxreg_error *error = NULL;
  char body[4096];
  const char *access_token;
  CHECK(oauth_app_prepare(&app, "och"));
  CHECK((registration = sign_up(&app)) != NULL);
  access_token = mxreg_registration_access_token(registration);
  CHECK(whoami(access_token, body, sizeof body) == 200);
  CHECK(expect_rc(mxreg_oauth_server_revoke_token(app.server, app.client_id, access_token, &error),
                  MXREG_RESULT_OK, &error));
  CHECK(whoami(access_token, body, sizeof body) == 401);
  CHECK(contains(body, "M_UNKNOWN_TOKEN"));
  CHECK(expect_rc(mxreg_oauth_server_refresh_token(app.server, app.client_id,
                                                   mxreg_registration_refresh_token(registration),
                                                   &tokens, &error),
                  MXREG_RESULT_OAUTH_INVALID_GRANT, &error));
cleanup:
  mxreg_tokens_free(tokens);
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  oauth_app_free(&app);
}

static void test_a_saved_authorization_completes_after_a_restart(void) {
  struct oauth_app app;
  mxreg_oauth_authorization *authorization = NULL;
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  char *saved = NULL;
  char user_id[128], device_id[256], redirect[4096], body[4096];
  CHECK(oauth_app_prepare(&app, "oci"));
  CHECK((authorization = start(&app, MXREG_OAUTH_INTENT_SIGN_UP)) != NULL);
  CHECK(expect_rc(mxreg_oauth_authorization_save(authorization, &saved, &error), MXREG_RESULT_OK,
                  &error));
  snprintf(device_id, sizeof device_id, "%s", mxreg_oauth_authorization_device_id(authorization));
  CHECK(browse(authorization, &app, "signup", redirect, sizeof redirect));
  /* The app is killed while the browser is open: only `saved` survives. */
  mxreg_oauth_authorization_free(authorization);
  authorization = NULL;
  oauth_app_free(&app);
  app.client = client_for("OAUTH");
  CHECK((app.server = discover(app.client)) != NULL);
  CHECK(expect_rc(mxreg_oauth_authorization_restore(app.server, saved, &authorization, &error),
                  MXREG_RESULT_OK, &error));
  /* The restored authorization outlives the server handle it came from. */
  mxreg_oauth_server_free(app.server);
  app.server = NULL;
  CHECK(equals(mxreg_oauth_authorization_device_id(authorization), device_id));
  CHECK(expect_rc(mxreg_oauth_authorization_complete(authorization, redirect, &registration, &error),
                  MXREG_RESULT_OK, &error));
  snprintf(user_id, sizeof user_id, "@%s:localhost", app.username);
  CHECK(equals(mxreg_registration_user_id(registration), user_id));
  CHECK(whoami(mxreg_registration_access_token(registration), body, sizeof body) == 200);
  CHECK(whoami_says(body, user_id, device_id));
cleanup:
  mxreg_string_free(saved);
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_oauth_authorization_free(authorization);
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
  mxreg_error *error = NULL;
  CHECK(oauth_app_prepare(&app, "ocj"));
  server = app.server;
  CHECK(expect_rc(mxreg_oauth_server_discover(NULL, &server, NULL), MXREG_RESULT_NULL_ARGUMENT,
                  NULL));
  mxreg_oauth_client_metadata_init(&metadata);
  metadata.client_uri = "https://mxreg.test.invalid/";
  CHECK(expect_rc(mxreg_oauth_server_register_client(server, &metadata, &registered, &error),
                  MXREG_RESULT_INVALID_ARGUMENT, &error));
  CHECK(registered == SENTINEL);
  mxreg_error_free(error);
  error = NULL;
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
                                                     &registration, &error),
                  MXREG_RESULT_INVALID_ARGUMENT, &error));
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
  mxreg_error_free(error);
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
