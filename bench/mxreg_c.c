/*
 * mxreg_c: registrations through the mxreg C API, timed by bench_loop.
 *
 *   mxreg_c [--unique-names] <homeserver-url> <threads> <seconds> <max-calls> <warmup-calls>
 *
 * One client is shared by every thread (the API's documented use). Each call
 * registers one account: one mxreg_client_register(), plus a second one with
 * an m.login.dummy auth dict when the server asks for user-interactive auth
 * (a real Synapse does; the benchmark's responder answers 200 at once). A
 * call counts as an error unless it ends in MXREG_RESULT_OK with a user ID.
 * The username is "bench", as the peers send, or with --unique-names (for a
 * real server) one that no other call uses.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_loop.h"
#include "mxreg.h"

typedef struct registrar {
  const mxreg_client *client;
  unsigned thread;
  unsigned long count;
} registrar;

static pthread_mutex_t thread_numbers = PTHREAD_MUTEX_INITIALIZER;
static unsigned next_thread;
static long run_id;
static int unique_names;

static void *start_registrar(void *shared) {
  registrar *self = malloc(sizeof *self);
  if (self == NULL) {
    return NULL;
  }
  self->client = shared;
  self->count = 0;
  pthread_mutex_lock(&thread_numbers);
  self->thread = next_thread++;
  pthread_mutex_unlock(&thread_numbers);
  return self;
}

static void stop_registrar(void *state) {
  free(state);
}

static void report(const char *what, mxreg_result rc, const mxreg_error *error) {
  fprintf(stderr, "mxreg_c: %s: %s: %s\n", what, mxreg_result_name(rc),
          error != NULL ? mxreg_error_message(error) : mxreg_result_describe(rc));
}

static int one_registration(void *state) {
  registrar *self = state;
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  mxreg_result rc = MXREG_RESULT_OK;
  char username[96], auth[512];
  int attempt, status;

  mxreg_register_request_init(&request);
  request.username = "bench";
  if (unique_names) {
    snprintf(username, sizeof username, "bench%ld_%u_%lu", run_id, self->thread, self->count++);
    request.username = username;
  }
  request.password = "bench-Passw0rd-floor";
  request.initial_device_display_name = "mxreg bench";
  for (attempt = 0; attempt < 2; attempt++) {
    const char *session;
    rc = mxreg_client_register(self->client, &request, &registration, &error);
    if (rc != MXREG_RESULT_AUTH_REQUIRED) {
      break;
    }
    session = mxreg_auth_info_session(mxreg_error_auth_info(error));
    if (session == NULL || strlen(session) > 256) {
      break;
    }
    snprintf(auth, sizeof auth, "{\"type\":\"m.login.dummy\",\"session\":\"%s\"}", session);
    request.auth_json = auth;
    mxreg_error_free(error);
    error = NULL;
  }
  status = rc == MXREG_RESULT_OK && mxreg_registration_user_id(registration) != NULL ? 0 : -1;
  if (status != 0) {
    report("register", rc, error);
  }
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  return status;
}

int main(int argc, char **argv) {
  const mxreg_client *client = NULL;
  mxreg_error *error = NULL;
  bench_options options;
  mxreg_result rc;
  int status = 1;

  unique_names = argc > 1 && strcmp(argv[1], "--unique-names") == 0;
  if (unique_names) {
    argv++;
    argc--;
  }
  if (argc < 2 || bench_parse_options(argc, argv, 2, &options) != 0) {
    fprintf(stderr,
            "usage: mxreg_c [--unique-names] <homeserver-url> <threads> <seconds> <max-calls> "
            "<warmup-calls>\n");
    return 2;
  }
  /* Names stay unique across runs against a server that keeps accounts. */
  run_id = (long)time(NULL) % 100000000L * 100000L + (long)getpid() % 100000L;
  rc = mxreg_client_new(argv[1], NULL, &client, &error);
  if (rc != MXREG_RESULT_OK) {
    report("client", rc, error);
    goto cleanup;
  }
  status = bench_run(&options, (void *)client, start_registrar, one_registration, stop_registrar);

cleanup:
  mxreg_error_free(error);
  mxreg_client_free(client);
  return status;
}
