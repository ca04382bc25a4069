/*
 * Single sign-on with the C API on the rig's sso variant (MXREG_HS_SSO):
 * Synapse signs users in through the rig's OAuth server as upstream OpenID
 * Connect provider. mxreg_client_sso_url builds the URL, the browser is
 * played by tests/oauth/browser.py (MXREG_OAUTH_BROWSER overrides the
 * path) up to the app's redirect URL, and mxreg_client_sso_complete
 * redeems its loginToken. New tokens are checked on Synapse with a plain
 * HTTP GET of /account/whoami, not through mxreg.
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

/* Never opened: the rig's Synapse redirects there without a confirmation page. */
#define SSO_REDIRECT_URL "http://127.0.0.1:9/mxreg-sso"
#define IDP "oidc-rig"

/* Open `url` in the browser helper as `username` (`action`: signup or
 * login); writes the redirect the app received to `redirect`. */
static int browse(const char *url, const char *username, const char *action, char *redirect,
                  size_t size) {
  return browser_helper(url, SSO_REDIRECT_URL, username, action, redirect, size);
}

/* The account's access token works on Synapse and names the account. */
static int whoami_is(const mxreg_registration *account, const char *username) {
  char body[4096], user[200];
  int status = 0;
  snprintf(user, sizeof user, "\"user_id\":\"@%s:localhost\"", username);
  return loopback_http_get(homeserver("SSO"), "/_matrix/client/v3/account/whoami",
                           mxreg_registration_access_token(account), &status, body,
                           sizeof body) == 0 &&
         status == 200 && contains(body, user);
}

/* SSO through the browser helper: the redirect the app received. */
static int sso_redirect(const mxreg_client *client, const char *idp, mxreg_sso_action action,
                        const char *username, char *redirect, size_t size) {
  char *url = NULL;
  mxreg_error *error = NULL;
  int ok = expect_rc(mxreg_client_sso_url(client, idp, SSO_REDIRECT_URL, action, &url, &error),
                     MXREG_RESULT_OK, &error) &&
           browse(url, username, action == MXREG_SSO_ACTION_REGISTER ? "signup" : "login",
                  redirect, size);
  mxreg_string_free(url);
  mxreg_error_free(error);
  return ok;
}

/* A new user (a fresh name starting with `prefix`, in `username`) signs in
 * for the first time through the identity provider (the redirect in
 * `redirect`): the new account, or NULL (with a note). */
static mxreg_registration *sso_sign_up(const mxreg_client *client, const char *prefix,
                                       char *username, size_t username_size, char *redirect,
                                       size_t redirect_size) {
  mxreg_registration *account = NULL;
  mxreg_error *error = NULL;
  unique_username(username, username_size, prefix);
  if (sso_redirect(client, IDP, MXREG_SSO_ACTION_REGISTER, username, redirect, redirect_size)) {
    expect_rc(mxreg_client_sso_complete(client, redirect, &account, &error), MXREG_RESULT_OK,
              &error);
  }
  mxreg_error_free(error);
  return account;
}

static void test_first_sign_in_creates_the_account_the_second_logs_in(void) {
  const mxreg_client *client = client_for("SSO");
  mxreg_registration *account = NULL, *again = NULL;
  mxreg_error *error = NULL;
  char username[64], redirect[2048];

  CHECK(client != NULL);
  CHECK((account = sso_sign_up(client, "csso", username, sizeof username, redirect,
                               sizeof redirect)) != NULL);
  CHECK(registered_as(account, username));
  CHECK(mxreg_registration_refresh_token(account) != NULL);
  CHECK(whoami_is(account, username));

  CHECK(sso_redirect(client, NULL, MXREG_SSO_ACTION_LOGIN, username, redirect, sizeof redirect));
  CHECK(expect_rc(mxreg_client_sso_complete(client, redirect, &again, &error), MXREG_RESULT_OK,
                  &error));
  CHECK(registered_as(again, username));
  CHECK(!equals(mxreg_registration_device_id(again), mxreg_registration_device_id(account)));

cleanup:
  mxreg_registration_free(account);
  mxreg_registration_free(again);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

static void test_a_login_token_is_redeemed_once(void) {
  const mxreg_client *client = client_for("SSO");
  mxreg_registration *account = NULL, *again = SENTINEL;
  mxreg_error *error = NULL;
  char username[64], redirect[2048];
  const char *token;

  CHECK(client != NULL);
  CHECK((account = sso_sign_up(client, "cssotwice", username, sizeof username, redirect,
                               sizeof redirect)) != NULL);
  CHECK(expect_rc(mxreg_client_sso_complete(client, redirect, &again, &error),
                  MXREG_RESULT_FORBIDDEN, &error));
  CHECK(again == SENTINEL);
  token = strstr(redirect, "loginToken=");
  CHECK(token != NULL && !contains(mxreg_error_message(error), token + strlen("loginToken=")));

cleanup:
  mxreg_registration_free(account);
  mxreg_error_free(error);
  mxreg_client_free(client);
}

/* Refused with a clear code: an identity provider the server does not
 * list, a relative redirect URL, a server without SSO, a redirect
 * without a loginToken. */
static void test_bad_input_is_refused(void) {
  const mxreg_client *client = client_for("SSO");
  const mxreg_client *open = client_for("OPEN");
  mxreg_registration *account = SENTINEL;
  mxreg_error *error = NULL;
  char *url = SENTINEL;

  CHECK(client != NULL && open != NULL);
  CHECK(expect_refusal(mxreg_client_sso_url(client, "oidc-nowhere", SSO_REDIRECT_URL,
                                            MXREG_SSO_ACTION_REGISTER, &url, &error),
                       MXREG_RESULT_INVALID_ARGUMENT, &error, IDP));
  CHECK(expect_refusal(mxreg_client_sso_url(client, NULL, "/mxreg-sso", MXREG_SSO_ACTION_REGISTER,
                                            &url, &error),
                       MXREG_RESULT_INVALID_ARGUMENT, &error, "redirect_url"));
  CHECK(expect_refusal(mxreg_client_sso_url(open, NULL, SSO_REDIRECT_URL,
                                            MXREG_SSO_ACTION_REGISTER, &url, &error),
                       MXREG_RESULT_UNSUPPORTED_FLOW, &error, "m.login.sso"));
  CHECK(url == SENTINEL);
  CHECK(expect_refusal(
      mxreg_client_sso_complete(client, SSO_REDIRECT_URL "?error=denied", &account, &error),
      MXREG_RESULT_INVALID_ARGUMENT, &error, "loginToken"));
  CHECK(account == SENTINEL);

cleanup:
  mxreg_error_free(error);
  mxreg_client_free(client);
  mxreg_client_free(open);
}

int main(void) {
  RUN_TEST(test_first_sign_in_creates_the_account_the_second_logs_in);
  RUN_TEST(test_a_login_token_is_redeemed_once);
  RUN_TEST(test_bad_input_is_refused);
  return harness_finish();
}
