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

/* A test's client of the sso server, the new user's name and the redirect
 * the app last received, and what the test holds. */
struct sso_test {
  struct held held;
  char username[64];
  char redirect[2048];
};

/* A client of the sso server and a new user (a fresh name starting with
 * `prefix`) signed up through the identity provider, in test->held.account.
 * Call it first: held_free needs what it sets. False (with a note) when a
 * step failed. */
static int sso_test_sign_up(struct sso_test *test, const char *prefix) {
  memset(&test->held, 0, sizeof test->held);
  test->held.client = client_for("SSO");
  return test->held.client != NULL &&
         (test->held.account =
              sso_sign_up(test->held.client, prefix, test->username, sizeof test->username,
                          test->redirect, sizeof test->redirect)) != NULL;
}

/* Redeem the redirect the app last received again: true when the call gives
 * `expected` (the login in test->held.again). */
static int sso_complete_again(struct sso_test *test, mxreg_result expected) {
  return expect_rc(mxreg_client_sso_complete(test->held.client, test->redirect, &test->held.again,
                                             &test->held.error),
                   expected, &test->held.error);
}

static void test_first_sign_in_creates_the_account_the_second_logs_in(void) {
  struct sso_test test;
  const mxreg_registration *account;

  CHECK(sso_test_sign_up(&test, "csso"));
  account = test.held.account;
  CHECK(registered_as(account, test.username));
  CHECK(mxreg_registration_refresh_token(account) != NULL);
  CHECK(whoami_is(account, test.username));

  CHECK(sso_redirect(test.held.client, NULL, MXREG_SSO_ACTION_LOGIN, test.username,
                     test.redirect, sizeof test.redirect));
  CHECK(sso_complete_again(&test, MXREG_RESULT_OK));
  CHECK(registered_as(test.held.again, test.username));
  CHECK(!equals(mxreg_registration_device_id(test.held.again),
                mxreg_registration_device_id(account)));

cleanup:
  held_free(&test.held);
}

static void test_a_login_token_is_redeemed_once(void) {
  struct sso_test test;
  const char *token;

  CHECK(sso_test_sign_up(&test, "cssotwice"));
  test.held.again = SENTINEL;
  CHECK(sso_complete_again(&test, MXREG_RESULT_FORBIDDEN));
  CHECK(test.held.again == SENTINEL);
  token = strstr(test.redirect, "loginToken=");
  CHECK(token != NULL &&
        !contains(mxreg_error_message(test.held.error), token + strlen("loginToken=")));

cleanup:
  held_free(&test.held);
}

/* Refused with a clear code: an identity provider the server does not
 * list, a relative redirect URL, a server without SSO, a redirect
 * without a loginToken. */
static void test_bad_input_is_refused(void) {
  struct held held = {0};
  const mxreg_client *open = client_for("OPEN");
  char *url = SENTINEL;

  held.client = client_for("SSO");
  held.account = SENTINEL;
  CHECK(held.client != NULL && open != NULL);
  CHECK(expect_refusal(mxreg_client_sso_url(held.client, "oidc-nowhere", SSO_REDIRECT_URL,
                                            MXREG_SSO_ACTION_REGISTER, &url, &held.error),
                       MXREG_RESULT_INVALID_ARGUMENT, &held.error, IDP));
  CHECK(expect_refusal(mxreg_client_sso_url(held.client, NULL, "/mxreg-sso",
                                            MXREG_SSO_ACTION_REGISTER, &url, &held.error),
                       MXREG_RESULT_INVALID_ARGUMENT, &held.error, "redirect_url"));
  CHECK(expect_refusal(mxreg_client_sso_url(open, NULL, SSO_REDIRECT_URL,
                                            MXREG_SSO_ACTION_REGISTER, &url, &held.error),
                       MXREG_RESULT_UNSUPPORTED_FLOW, &held.error, "m.login.sso"));
  CHECK(url == SENTINEL);
  CHECK(expect_refusal(mxreg_client_sso_complete(held.client, SSO_REDIRECT_URL "?error=denied",
                                                 &held.account, &held.error),
                       MXREG_RESULT_INVALID_ARGUMENT, &held.error, "loginToken"));
  CHECK(held.account == SENTINEL);

cleanup:
  mxreg_client_free(open);
  held_free(&held);
}

int main(void) {
  RUN_TEST(test_first_sign_in_creates_the_account_the_second_logs_in);
  RUN_TEST(test_a_login_token_is_redeemed_once);
  RUN_TEST(test_bad_input_is_refused);
  return harness_finish();
}
