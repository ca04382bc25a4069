/*
 * register: create a Matrix account through the mxreg C API.
 *
 *   register <homeserver-url> <username> <password>
 *
 * Completes the server's user-interactive auth when it only needs
 * m.login.dummy, then prints one JSON object with the user ID, device ID,
 * token lifetime and whether a refresh token came back (never the tokens).
 * On failure prints the result code, errcode and message to stderr and exits 1.
 */
#include <stdio.h>
#include <string.h>

#include "mxreg.h"

/* A flow whose remaining stages are all m.login.dummy, or -1. */
static long dummy_only_flow(const mxreg_auth_info *info) {
  size_t flow, stage, done;
  for (flow = 0; flow < mxreg_auth_info_flow_count(info); flow++) {
    int usable = 1;
    for (stage = 0; stage < mxreg_auth_info_flow_stage_count(info, flow); stage++) {
      const char *type = mxreg_auth_info_flow_stage(info, flow, stage);
      int completed = 0;
      for (done = 0; done < mxreg_auth_info_completed_count(info); done++) {
        completed |= strcmp(mxreg_auth_info_completed(info, done), type) == 0;
      }
      if (!completed && strcmp(type, "m.login.dummy") != 0) {
        usable = 0;
      }
    }
    if (usable) {
      return (long)flow;
    }
  }
  return -1;
}

/* Print a string as a JSON string (the values printed here are plain ASCII
 * identifiers, but quote and backslash are escaped all the same). */
static void print_json_string(const char *text) {
  putchar('"');
  for (; *text; text++) {
    if (*text == '"' || *text == '\\') {
      putchar('\\');
    }
    putchar(*text);
  }
  putchar('"');
}

static void print_error(const char *what, mxreg_result rc, const mxreg_error *error) {
  const char *errcode = mxreg_error_errcode(error);
  fprintf(stderr, "register: %s failed: %s (%u)", what, mxreg_result_name(rc), (unsigned)rc);
  if (errcode != NULL) {
    fprintf(stderr, " %s", errcode);
  }
  fprintf(stderr, ": %s\n",
          error != NULL ? mxreg_error_message(error) : mxreg_result_describe(rc));
}

int main(int argc, char **argv) {
  const mxreg_client *client = NULL;
  mxreg_registration *registration = NULL;
  mxreg_error *error = NULL;
  mxreg_register_request request;
  char auth[512];
  int attempt, status = 1;
  mxreg_result rc;

  if (argc != 4) {
    fprintf(stderr, "usage: %s <homeserver-url> <username> <password>\n", argv[0]);
    return 2;
  }

  rc = mxreg_client_new(argv[1], NULL, &client, &error);
  if (rc != MXREG_RESULT_OK) {
    print_error("client", rc, error);
    goto cleanup;
  }

  mxreg_register_request_init(&request);
  request.username = argv[2];
  request.password = argv[3];
  request.initial_device_display_name = "mxreg example";

  /* The first request usually answers with the flows; a dummy stage
   * completes the simplest one. Three attempts are more than enough. */
  for (attempt = 0; attempt < 3; attempt++) {
    const mxreg_auth_info *info;
    const char *session;
    long flow;

    rc = mxreg_client_register(client, &request, &registration, &error);
    if (rc != MXREG_RESULT_AUTH_REQUIRED) {
      break;
    }
    info = mxreg_error_auth_info(error);
    flow = dummy_only_flow(info);
    session = mxreg_auth_info_session(info);
    if (flow < 0 || session == NULL || strlen(session) > 256) {
      fprintf(stderr, "register: the server needs stages this example does not handle "
                      "(try examples/signup)\n");
      break;
    }
    snprintf(auth, sizeof auth, "{\"type\":\"m.login.dummy\",\"session\":\"%s\"}", session);
    request.auth_json = auth;
    mxreg_error_free(error);
    error = NULL;
  }
  if (rc != MXREG_RESULT_OK) {
    print_error("registration", rc, error);
    goto cleanup;
  }

  printf("{\"user_id\":");
  print_json_string(mxreg_registration_user_id(registration));
  printf(",\"device_id\":");
  if (mxreg_registration_device_id(registration) != NULL) {
    print_json_string(mxreg_registration_device_id(registration));
  } else {
    printf("null");
  }
  printf(",\"expires_in_ms\":");
  if (mxreg_registration_expires_in_ms(registration) >= 0) {
    printf("%lld", (long long)mxreg_registration_expires_in_ms(registration));
  } else {
    printf("null");
  }
  printf(",\"refresh_token\":%s}\n",
         mxreg_registration_refresh_token(registration) != NULL ? "true" : "false");
  status = 0;

cleanup:
  mxreg_registration_free(registration);
  mxreg_error_free(error);
  mxreg_client_free(client);
  return status;
}
