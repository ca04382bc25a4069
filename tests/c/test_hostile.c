/*
 * What a misbehaving server does to the C API, through the public header
 * only, against the scripted stand-in server (stand_in_server.h): a 429
 * asking for no delay gets exactly one request per call with retries off,
 * and spaced, capped retries with them on; the probe names the part it
 * could not find out (an OAuth-only server whose metadata is rate-limited
 * is not "SSO only"); one deadline bounds the whole probe; a 1 MB token is
 * the server's INVALID_RESPONSE. Real servers do none of this on demand.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, for the stand-in server's shared counters */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mxreg.h"

#include "harness.h"
#include "stand_in_server.h"
#include "testlib.h"

#define RATE_LIMITED_NOW "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many\",\"retry_after_ms\":0}"
#define FORBIDDEN "{\"errcode\":\"M_FORBIDDEN\",\"error\":\"Registration has been disabled\"}"

static const struct stand_in_route always_rate_limited[] = {
    {"", 429, RATE_LIMITED_NOW, 0},
    {NULL, 0, NULL, 0},
};

static void test_a_zero_delay_429_is_one_request_per_call(void) {
  struct stand_in_server server;
  const mxreg_client *client = NULL;
  mxreg_register_request request;
  mxreg_registration *registration = NULL;
  mxreg_tokens *tokens = NULL;
  mxreg_error *error = NULL;
  bool available = false;

  CHECK(stand_in_start(&server, always_rate_limited) == 0);
  CHECK((client = client_with(server.url, NULL)) != NULL);
  user_request(&request, "alice");
  CHECK(expect_rc(mxreg_client_register(client, &request, &registration, &error),
                  MXREG_RESULT_RATE_LIMITED, &error));
  CHECK(mxreg_error_retry_after_ms(error) == 0);
  mxreg_error_free(error);
  error = NULL;
  CHECK(stand_in_count(&server, 0) == 1);
  CHECK(expect_rc(mxreg_client_username_available(client, "alice", &available, &error),
                  MXREG_RESULT_RATE_LIMITED, &error));
  mxreg_error_free(error);
  error = NULL;
  CHECK(stand_in_count(&server, 0) == 2);
  CHECK(expect_rc(mxreg_client_refresh(client, "syr_old", &tokens, &error),
                  MXREG_RESULT_RATE_LIMITED, &error));
  CHECK(stand_in_count(&server, 0) == 3);

cleanup:
  mxreg_error_free(error);
  mxreg_tokens_free(tokens);
  mxreg_registration_free(registration);
  mxreg_client_free(client);
  stand_in_stop(&server);
}

static void test_retries_on_are_spaced_and_capped(void) {
  struct stand_in_server server;
  const mxreg_client *client = NULL;
  mxreg_client_options options;
  mxreg_error *error = NULL;
  bool available = false;
  int64_t started;
  int sent;

  CHECK(stand_in_start(&server, always_rate_limited) == 0);
  mxreg_client_options_init(&options);
  options.rate_limit_max_wait_ms = 2000;
  CHECK((client = client_with(server.url, &options)) != NULL);
  started = now_ms();
  CHECK(expect_rc(mxreg_client_username_available(client, "alice", &available, &error),
                  MXREG_RESULT_RATE_LIMITED, &error));
  sent = stand_in_count(&server, 0);
  NOTE("%d requests in %lld ms with a 2 s wait budget", sent, (long long)(now_ms() - started));
  /* At least 250 ms apart: at most 2000 / 250 retries after the first. */
  CHECK(sent >= 2 && sent <= 9);

cleanup:
  mxreg_error_free(error);
  mxreg_client_free(client);
  stand_in_stop(&server);
}

/* An OAuth-only homeserver (Synapse delegating to an OAuth server) whose
 * OAuth metadata is rate-limited. */
static const struct stand_in_route oauth_metadata_rate_limited[] = {
    {"/_matrix/client/versions", 200, "{\"versions\":[\"v1.15\"]}", 0},
    {"/_matrix/client/v3/login", 200, "{\"flows\":[{\"type\":\"m.login.sso\"}]}", 0},
    {"/_matrix/client/v1/auth_metadata", 429, RATE_LIMITED_NOW, 0},
    {"/_matrix/client/v3/register", 403, FORBIDDEN, 0},
    {"", 404, "{\"errcode\":\"M_NOT_FOUND\"}", 0},
    {NULL, 0, NULL, 0},
};

static void test_the_probe_names_what_it_could_not_find_out(void) {
  struct stand_in_server server;
  mxreg_client_options options;
  mxreg_probe *probe = NULL;
  mxreg_error *error = NULL;

  CHECK(stand_in_start(&server, oauth_metadata_rate_limited) == 0);
  mxreg_client_options_init(&options);
  CHECK(expect_rc(mxreg_probe_server(server.url, &options, true, &probe, &error),
                  MXREG_RESULT_OK, &error));
  /* Not "SSO only": the OAuth part is unknown, and says why. */
  CHECK(mxreg_probe_signup_methods(probe) == MXREG_SIGNUP_METHOD_SSO);
  CHECK(mxreg_probe_unknown_parts(probe) == MXREG_PROBE_PART_OAUTH);
  CHECK(mxreg_probe_unknown_count(probe) == 1);
  CHECK(mxreg_probe_unknown_part(probe, 0) == MXREG_PROBE_PART_OAUTH);
  CHECK(mxreg_probe_unknown_result(probe, 0) == MXREG_RESULT_RATE_LIMITED);
  CHECK(contains(mxreg_probe_unknown_message(probe, 0), "M_LIMIT_EXCEEDED"));
  CHECK(mxreg_probe_unknown_part(probe, 1) == 0);
  CHECK(mxreg_probe_unknown_result(probe, 1) == MXREG_RESULT_INVALID_ARGUMENT);
  CHECK(mxreg_probe_unknown_message(probe, 1) == NULL);
  CHECK(contains(mxreg_probe_json(probe), "\"unknown\":[{\"part\":\"oauth\""));
  CHECK(stand_in_count(&server, 2) == 1);

cleanup:
  mxreg_error_free(error);
  mxreg_probe_free(probe);
  stand_in_stop(&server);
}

/* Every answer a second late. */
static const struct stand_in_route slow_server[] = {
    {"/_matrix/client/versions", 200, "{\"versions\":[\"v1.15\"]}", 1000},
    {"/_matrix/client/v3/login", 200, "{\"flows\":[{\"type\":\"m.login.password\"}]}", 1000},
    {"/_matrix/client/v3/register", 403, FORBIDDEN, 1000},
    {"", 404, "{\"errcode\":\"M_NOT_FOUND\"}", 1000},
    {NULL, 0, NULL, 0},
};

static void test_one_deadline_bounds_the_probe(void) {
  struct stand_in_server server;
  mxreg_client_options options;
  mxreg_probe *probe = NULL;
  mxreg_error *error = NULL;
  int64_t started, took;

  CHECK(stand_in_start(&server, slow_server) == 0);
  mxreg_client_options_init(&options);
  CHECK(options.call_timeout_ms == 60000);
  options.call_timeout_ms = 1500;
  started = now_ms();
  CHECK(expect_rc(mxreg_probe_server(server.url, &options, true, &probe, &error),
                  MXREG_RESULT_TIMEOUT, &error));
  took = now_ms() - started;
  NOTE("probe of a server answering each request 1 s late: %lld ms",
       (long long)took);
  /* Well past the deadline would be a hang, not a slow machine. */
  CHECK(took < 1500 + 5000);
  CHECK(probe == NULL);

cleanup:
  mxreg_error_free(error);
  mxreg_probe_free(probe);
  stand_in_stop(&server);
}

static char huge_token_answer[1100 * 1000];

static void test_a_1_mb_token_is_the_servers_invalid_response(void) {
  static const char head[] = "{\"access_token\":\"";
  static const char tail[] = "\",\"refresh_token\":\"syr_b\"}";
  struct stand_in_route routes[] = {
      {"/_matrix/client/v3/refresh", 200, huge_token_answer, 0},
      {NULL, 0, NULL, 0},
  };
  struct stand_in_server server;
  const mxreg_client *client = NULL;
  mxreg_client_options options;
  mxreg_tokens *tokens = NULL;
  mxreg_error *error = NULL;
  size_t token = 1000 * 1000;

  memcpy(huge_token_answer, head, sizeof head - 1);
  memset(huge_token_answer + sizeof head - 1, 't', token);
  memcpy(huge_token_answer + sizeof head - 1 + token, tail, sizeof tail);
  CHECK(stand_in_start(&server, routes) == 0);
  mxreg_client_options_init(&options);
  options.max_response_bytes = 2 * 1024 * 1024;
  CHECK((client = client_with(server.url, &options)) != NULL);
  CHECK(expect_rc(mxreg_client_refresh(client, "syr_old", &tokens, &error),
                  MXREG_RESULT_INVALID_RESPONSE, &error));
  CHECK(contains(mxreg_error_message(error), "access_token"));
  CHECK(tokens == NULL);

cleanup:
  mxreg_error_free(error);
  mxreg_tokens_free(tokens);
  mxreg_client_free(client);
  stand_in_stop(&server);
}

int main(void) {
  RUN_TEST(test_a_zero_delay_429_is_one_request_per_call);
  RUN_TEST(test_retries_on_are_spaced_and_capped);
  RUN_TEST(test_the_probe_names_what_it_could_not_find_out);
  RUN_TEST(test_one_deadline_bounds_the_probe);
  RUN_TEST(test_a_1_mb_token_is_the_servers_invalid_response);
  return harness_finish();
}
