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

/* Routes the tables below share, each answered after `delay` ms: a
 * homeserver that speaks v1.15, lets no one register and knows nothing
 * else. */
#define VERSIONS_ROUTE(delay) {"/_matrix/client/versions", 200, "{\"versions\":[\"v1.15\"]}", delay}
#define REGISTER_FORBIDDEN_ROUTE(delay) {"/_matrix/client/v3/register", 403, FORBIDDEN, delay}
#define NOT_FOUND_ROUTE(delay) {"", 404, "{\"errcode\":\"M_NOT_FOUND\"}", delay}
#define END_OF_ROUTES {NULL, 0, NULL, 0}

static const struct stand_in_route always_rate_limited[] = {
    {"", 429, RATE_LIMITED_NOW, 0},
    END_OF_ROUTES,
};

/* The stand-in server a test talks to, and what the test holds. */
struct hostile_test {
  struct stand_in_server server;
  struct held held;
};

/* Start the stand-in server with `routes`. Call it first: hostile_test_end
 * needs what it sets. */
static int hostile_test_begin(struct hostile_test *test, const struct stand_in_route *routes) {
  memset(&test->held, 0, sizeof test->held);
  return stand_in_start(&test->server, routes) == 0;
}

/* A client of the stand-in server with `options` (NULL: the defaults), held
 * by the test; false (with a note) when it cannot be made. */
static int hostile_client(struct hostile_test *test, const mxreg_client_options *options) {
  test->held.client = client_with(test->server.url, options);
  return test->held.client != NULL;
}

static void hostile_test_end(struct hostile_test *test) {
  held_free(&test->held);
  stand_in_stop(&test->server);
}

/* The probe of the stand-in server with `options`: true when it gives
 * `expected` (the probe, if any, in test->held.probe). */
static int probe_gives(struct hostile_test *test, const mxreg_client_options *options,
                       mxreg_result expected) {
  return expect_rc(mxreg_probe_server(test->server.url, options, true, &test->held.probe,
                                      &test->held.error),
                   expected, &test->held.error);
}

static void test_a_zero_delay_429_is_one_request_per_call(void) {
  struct hostile_test test;
  struct held *held = &test.held;
  mxreg_register_request request;
  bool available = false;

  CHECK(hostile_test_begin(&test, always_rate_limited));
  CHECK(hostile_client(&test, NULL));
  user_request(&request, "alice");
  CHECK(expect_rc(mxreg_client_register(held->client, &request, &held->account, &held->error),
                  MXREG_RESULT_RATE_LIMITED, &held->error));
  CHECK(mxreg_error_retry_after_ms(held->error) == 0);
  forget_error(&held->error);
  CHECK(stand_in_count(&test.server, 0) == 1);
  CHECK(expect_rc(mxreg_client_username_available(held->client, "alice", &available,
                                                  &held->error),
                  MXREG_RESULT_RATE_LIMITED, &held->error));
  forget_error(&held->error);
  CHECK(stand_in_count(&test.server, 0) == 2);
  CHECK(expect_rc(mxreg_client_refresh(held->client, "syr_old", &held->tokens, &held->error),
                  MXREG_RESULT_RATE_LIMITED, &held->error));
  CHECK(stand_in_count(&test.server, 0) == 3);

cleanup:
  hostile_test_end(&test);
}

static void test_retries_on_are_spaced_and_capped(void) {
  struct hostile_test test;
  mxreg_client_options options;
  bool available = false;
  int64_t started;
  int sent;

  mxreg_client_options_init(&options);
  options.rate_limit_max_wait_ms = 2000;
  CHECK(hostile_test_begin(&test, always_rate_limited));
  CHECK(hostile_client(&test, &options));
  started = now_ms();
  CHECK(expect_rc(mxreg_client_username_available(test.held.client, "alice", &available,
                                                  &test.held.error),
                  MXREG_RESULT_RATE_LIMITED, &test.held.error));
  sent = stand_in_count(&test.server, 0);
  NOTE("%d requests in %lld ms with a 2 s wait budget", sent, (long long)(now_ms() - started));
  /* At least 250 ms apart: at most 2000 / 250 retries after the first. */
  CHECK(sent >= 2 && sent <= 9);

cleanup:
  hostile_test_end(&test);
}

/* An OAuth-only homeserver (Synapse delegating to an OAuth server) whose
 * OAuth metadata is rate-limited. */
static const struct stand_in_route oauth_metadata_rate_limited[] = {
    VERSIONS_ROUTE(0),
    {"/_matrix/client/v3/login", 200, "{\"flows\":[{\"type\":\"m.login.sso\"}]}", 0},
    {"/_matrix/client/v1/auth_metadata", 429, RATE_LIMITED_NOW, 0},
    REGISTER_FORBIDDEN_ROUTE(0),
    NOT_FOUND_ROUTE(0),
    END_OF_ROUTES,
};

static void test_the_probe_names_what_it_could_not_find_out(void) {
  struct hostile_test test;
  mxreg_client_options options;
  const mxreg_probe *probe;

  CHECK(hostile_test_begin(&test, oauth_metadata_rate_limited));
  mxreg_client_options_init(&options);
  CHECK(probe_gives(&test, &options, MXREG_RESULT_OK));
  probe = test.held.probe;
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
  CHECK(stand_in_count(&test.server, 2) == 1);

cleanup:
  hostile_test_end(&test);
}

/* Every answer a second late. */
static const struct stand_in_route slow_server[] = {
    VERSIONS_ROUTE(1000),
    {"/_matrix/client/v3/login", 200, "{\"flows\":[{\"type\":\"m.login.password\"}]}", 1000},
    REGISTER_FORBIDDEN_ROUTE(1000),
    NOT_FOUND_ROUTE(1000),
    END_OF_ROUTES,
};

static void test_one_deadline_bounds_the_probe(void) {
  struct hostile_test test;
  mxreg_client_options options;
  int64_t started, took;

  CHECK(hostile_test_begin(&test, slow_server));
  mxreg_client_options_init(&options);
  CHECK(options.call_timeout_ms == 60000);
  options.call_timeout_ms = 1500;
  started = now_ms();
  CHECK(probe_gives(&test, &options, MXREG_RESULT_TIMEOUT));
  took = now_ms() - started;
  NOTE("probe of a server answering each request 1 s late: %lld ms",
       (long long)took);
  /* Well past the deadline would be a hang, not a slow machine. */
  CHECK(took < 1500 + 5000);
  CHECK(test.held.probe == NULL);

cleanup:
  hostile_test_end(&test);
}

static char huge_token_answer[1100 * 1000];

static void test_a_1_mb_token_is_the_servers_invalid_response(void) {
  static const char head[] = "{\"access_token\":\"";
  static const char tail[] = "\",\"refresh_token\":\"syr_b\"}";
  struct stand_in_route routes[] = {
      {"/_matrix/client/v3/refresh", 200, huge_token_answer, 0},
      END_OF_ROUTES,
  };
  struct hostile_test test;
  struct held *held = &test.held;
  mxreg_client_options options;
  size_t token = 1000 * 1000;

  memcpy(huge_token_answer, head, sizeof head - 1);
  memset(huge_token_answer + sizeof head - 1, 't', token);
  memcpy(huge_token_answer + sizeof head - 1 + token, tail, sizeof tail);
  mxreg_client_options_init(&options);
  options.max_response_bytes = 2 * 1024 * 1024;
  CHECK(hostile_test_begin(&test, routes));
  CHECK(hostile_client(&test, &options));
  CHECK(expect_rc(mxreg_client_refresh(held->client, "syr_old", &held->tokens, &held->error),
                  MXREG_RESULT_INVALID_RESPONSE, &held->error));
  CHECK(contains(mxreg_error_message(held->error), "access_token"));
  CHECK(held->tokens == NULL);

cleanup:
  hostile_test_end(&test);
}

int main(void) {
  RUN_TEST(test_a_zero_delay_429_is_one_request_per_call);
  RUN_TEST(test_retries_on_are_spaced_and_capped);
  RUN_TEST(test_the_probe_names_what_it_could_not_find_out);
  RUN_TEST(test_one_deadline_bounds_the_probe);
  RUN_TEST(test_a_1_mb_token_is_the_servers_invalid_response);
  return harness_finish();
}
