/*
 * signup: create a Matrix account on any homeserver, interactively, through
 * the mxreg C API.
 *
 *   signup <homeserver-url-or-server-name>
 *
 * Probes the server and prints what sign-up it offers, asks for a username
 * and a password, then walks the registration stages the server's flow
 * needs with mxreg_signup_*, asking only what each stage needs: a
 * registration token, acceptance of the terms, an email address (then the
 * link in the mail), or, for a captcha or any other stage, the server's
 * fallback web page. Prints the new user ID and device ID (never tokens).
 *
 * Answers are read line by line from standard input, so a script can drive
 * it. The password is echoed unless standard input is a terminal.
 * Exit status: 0 account created, 1 failed or cancelled, 2 usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "mxreg.h"

#define ANSWER_SIZE 512
/* What this program can complete itself; everything else goes through the
 * server's fallback page in a browser. */
#define SUPPORTED_STAGES \
  (MXREG_STAGE_REGISTRATION_TOKEN | MXREG_STAGE_TERMS | MXREG_STAGE_EMAIL | MXREG_STAGE_FALLBACK)
/* Wait out rate limits (Synapse limits /register/available to about one
 * call per second) instead of failing. */
#define RATE_LIMIT_MAX_WAIT_MS 30000

/* How a step of the conversation ended, besides a result code. */
enum outcome { OUTCOME_DONE, OUTCOME_FAILED, OUTCOME_CANCELLED, OUTCOME_END_OF_INPUT };

static void print_error(const char *what, mxreg_result rc, const mxreg_error *error) {
  fprintf(stderr, "signup: %s failed: %s: %s\n", what, mxreg_result_name(rc),
          error != NULL ? mxreg_error_message(error) : mxreg_result_describe(rc));
}

/* Server text to print: "?" where the server gave none. */
static const char *shown(const char *text) {
  return text != NULL ? text : "?";
}

/* Overwrite a buffer that held a secret; volatile so it is not optimised out. */
static void wipe(char *buffer, size_t size) {
  volatile char *byte = buffer;
  while (size-- > 0) {
    *byte++ = '\0';
  }
}

/* Print `prompt`, read one line (without its line ending) into `answer`.
 * Returns 0, or -1 at the end of input. Lines too long are refused. */
static int ask(const char *prompt, char *answer, size_t size) {
  for (;;) {
    size_t length;
    fputs(prompt, stdout);
    fflush(stdout);
    if (fgets(answer, (int)size, stdin) == NULL) {
      return -1;
    }
    length = strcspn(answer, "\r\n");
    if (answer[length] == '\0' && length == size - 1) {
      int c;
      while ((c = getchar()) != '\n' && c != EOF) {
        /* drop the rest of the line */
      }
      printf("That answer is too long (at most %u characters).\n", (unsigned)(size - 2));
      continue;
    }
    answer[length] = '\0';
    return 0;
  }
}

/* Like ask(), without echo when standard input is a terminal (the prompt
 * says "(echoed)" otherwise). */
static int ask_secret(const char *what, char *answer, size_t size) {
  struct termios saved, quiet;
  char prompt[128];
  int result;
  if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) != 0) {
    snprintf(prompt, sizeof prompt, "%s (echoed): ", what);
    return ask(prompt, answer, size);
  }
  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t)ECHO;
  if (tcsetattr(STDIN_FILENO, TCSANOW, &quiet) != 0) {
    snprintf(prompt, sizeof prompt, "%s (echoed): ", what);
    return ask(prompt, answer, size);
  }
  snprintf(prompt, sizeof prompt, "%s: ", what);
  result = ask(prompt, answer, size);
  tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  putchar('\n');
  return result;
}

/* Ask until the answer is yes or no; an empty answer is `default_yes`.
 * Returns 1 yes, 0 no, -1 end of input. */
static int ask_yes_no(const char *prompt, int default_yes) {
  char answer[ANSWER_SIZE];
  for (;;) {
    if (ask(prompt, answer, sizeof answer) != 0) {
      return -1;
    }
    if (answer[0] == '\0' && default_yes >= 0) {
      return default_yes;
    }
    if (strcmp(answer, "y") == 0 || strcmp(answer, "yes") == 0) {
      return 1;
    }
    if (strcmp(answer, "n") == 0 || strcmp(answer, "no") == 0) {
      return 0;
    }
    puts("Please answer y or n.");
  }
}

/*
 * Copy the top-level string `key` of the probe's JSON into `out` (JSON
 * escapes other than \" and \\ are kept as they are). The probe writes it
 * with serde_json, so `"key":"` can only be a key, never inside a string,
 * where quotes are escaped. Returns 0, or -1 when absent.
 */
static int probe_string(const mxreg_probe *probe, const char *key, char *out, size_t size) {
  char pattern[64];
  const char *text;
  size_t length = 0;
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  text = strstr(mxreg_probe_json(probe), pattern);
  if (text == NULL || size == 0) {
    return -1;
  }
  for (text += strlen(pattern); *text != '\0' && *text != '"' && length + 1 < size; text++) {
    if (*text == '\\' && (text[1] == '"' || text[1] == '\\')) {
      text++;
    }
    out[length++] = *text;
  }
  out[length] = '\0';
  return 0;
}

/* What the probe found, in words. */
static void print_probe(const mxreg_probe *probe) {
  static const struct {
    uint32_t flag;
    const char *words;
  } methods[] = {
      {MXREG_SIGNUP_METHOD_LEGACY, "registration API (this program)"},
      {MXREG_SIGNUP_METHOD_OAUTH_CREATE, "OAuth 2.0 account creation (in a browser)"},
      {MXREG_SIGNUP_METHOD_OAUTH, "OAuth 2.0 login"},
      {MXREG_SIGNUP_METHOD_SSO, "single sign-on (in a browser)"},
      {MXREG_SIGNUP_METHOD_GUEST, "guest accounts"},
  };
  const mxreg_auth_info *info = mxreg_probe_auth_info(probe);
  uint32_t offered = mxreg_probe_signup_methods(probe);
  size_t i, flow, stage;

  printf("Homeserver: %s\n", mxreg_probe_homeserver_url(probe));
  printf("Sign-up offered:");
  if (offered == 0) {
    printf(" none");
  }
  for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    if (offered & methods[i].flag) {
      printf("\n  - %s", methods[i].words);
    }
  }
  putchar('\n');
  /* A part the probe could not find out is not "not offered": say so. */
  for (i = 0; i < mxreg_probe_unknown_count(probe); i++) {
    printf("Could not find out (%s): %s\n",
           mxreg_result_describe(mxreg_probe_unknown_result(probe, i)),
           shown(mxreg_probe_unknown_message(probe, i)));
  }
  for (flow = 0; flow < mxreg_auth_info_flow_count(info); flow++) {
    printf("Registration flow %u:", (unsigned)(flow + 1));
    for (stage = 0; stage < mxreg_auth_info_flow_stage_count(info, flow); stage++) {
      const char *type = mxreg_auth_info_flow_stage(info, flow, stage);
      printf("%s %s", stage == 0 ? "" : " ->", shown(type));
    }
    putchar('\n');
  }
}

/* Why this program cannot sign up here, when it cannot: 0 when it can. */
static int explain_unusable_server(const mxreg_probe *probe) {
  uint32_t offered = mxreg_probe_signup_methods(probe);
  char text[512];
  if (offered & MXREG_SIGNUP_METHOD_LEGACY) {
    return 0;
  }
  if (offered & (MXREG_SIGNUP_METHOD_OAUTH_CREATE | MXREG_SIGNUP_METHOD_OAUTH)) {
    printf("This server only signs up through OAuth 2.0 in a browser");
    if (probe_string(probe, "oauth_issuer", text, sizeof text) == 0) {
      printf(" (authorization server: %s)", text);
    }
    puts(", which this program does not do.\nCreate the account with a Matrix client that "
         "supports OAuth 2.0 sign-up.");
  } else if (offered & MXREG_SIGNUP_METHOD_SSO) {
    puts("This server only signs up through single sign-on in a browser, which this program "
         "does not do.");
  } else {
    printf("Sign-up is closed on this server");
    if (probe_string(probe, "registration_refused", text, sizeof text) == 0) {
      printf(" (%s)", text);
    }
    puts(".");
  }
  return 1;
}

/* The username, checked against the grammar and, if the user wants, free
 * on the server. Returns 0, or -1 at the end of input. */
static int ask_username(const mxreg_client *client, char *username, size_t size) {
  for (;;) {
    mxreg_error *error = NULL;
    mxreg_result rc;
    bool available = false;
    int check;

    if (ask("Username: ", username, size) != 0) {
      return -1;
    }
    rc = mxreg_username_check(username, NULL, &error);
    if (rc != MXREG_RESULT_OK) {
      printf("That username cannot be used: %s\n", mxreg_error_message(error));
      mxreg_error_free(error);
      continue;
    }
    check = ask_yes_no("Check whether this username is free first? [y/N] ", 0);
    if (check < 0) {
      return -1;
    }
    if (!check) {
      return 0;
    }
    rc = mxreg_client_username_available(client, username, &available, &error);
    if (rc == MXREG_RESULT_OK && available) {
      puts("The username is free.");
      return 0;
    }
    if (rc == MXREG_RESULT_OK) {
      puts("That username is taken; choose another.");
    } else if (rc == MXREG_RESULT_INVALID_USERNAME) {
      printf("The server refuses that username: %s\n", mxreg_error_message(error));
    } else {
      /* The check is only a courtesy: go on, the registration will tell. */
      print_error("availability check", rc, error);
      mxreg_error_free(error);
      return 0;
    }
    mxreg_error_free(error);
  }
}

/* ---- one function per kind of stage -------------------------------------- */

/* What the user's answer goes to, e.g. mxreg_signup_submit_token. */
typedef mxreg_result (*submit_answer)(mxreg_signup *signup, const char *answer,
                                      mxreg_error **error);

/* Ask `prompt` and submit the answer until the server takes it or fails
 * otherwise (then OUTCOME_DONE, with *rc). A rejection says `refused`,
 * followed by the server's message and "Try again." when `with_reason`,
 * and asks again. The answer is wiped: it may be a secret. */
static enum outcome until_accepted(mxreg_signup *signup, const char *prompt, submit_answer submit,
                                   const char *refused, int with_reason, mxreg_result *rc,
                                   mxreg_error **error) {
  char answer[ANSWER_SIZE];
  enum outcome outcome = OUTCOME_DONE;
  for (;;) {
    if (ask(prompt, answer, sizeof answer) != 0) {
      outcome = OUTCOME_END_OF_INPUT;
      break;
    }
    *rc = submit(signup, answer, error);
    if (*rc != MXREG_RESULT_STAGE_REJECTED) {
      break;
    }
    if (with_reason) {
      printf("%s: %s\nTry again.\n", refused, mxreg_error_message(*error));
    } else {
      puts(refused);
    }
    mxreg_error_free(*error);
    *error = NULL;
  }
  wipe(answer, sizeof answer);
  return outcome;
}

static enum outcome token_stage(mxreg_signup *signup, mxreg_result *rc, mxreg_error **error) {
  return until_accepted(signup, "Registration token: ", mxreg_signup_submit_token,
                        "The server did not accept that token", 1, rc, error);
}

static enum outcome terms_stage(mxreg_signup *signup, mxreg_result *rc, mxreg_error **error) {
  size_t count = mxreg_signup_policy_count(signup), i;
  int accept;
  puts("The server asks you to accept these documents:");
  for (i = 0; i < count; i++) {
    printf("  - %s (version %s)\n    %s\n", shown(mxreg_signup_policy_name(signup, i, NULL)),
           shown(mxreg_signup_policy_version(signup, i)),
           shown(mxreg_signup_policy_url(signup, i, NULL)));
  }
  if (count == 0) {
    puts("  (the server lists no documents)");
  }
  accept = ask_yes_no("Do you accept these terms? [y/n] ", -1);
  if (accept < 0) {
    return OUTCOME_END_OF_INPUT;
  }
  if (!accept) {
    puts("Sign-up cancelled: this server requires accepting its terms.");
    return OUTCOME_CANCELLED;
  }
  *rc = mxreg_signup_accept_terms(signup, error);
  return OUTCOME_DONE;
}

static enum outcome email_stage(mxreg_signup *signup, mxreg_result *rc, mxreg_error **error) {
  char address[ANSWER_SIZE], answer[ANSWER_SIZE];
  for (;;) {
    if (ask("Email address: ", address, sizeof address) != 0) {
      return OUTCOME_END_OF_INPUT;
    }
    *rc = mxreg_signup_request_email_token(signup, address, NULL, error);
    if (*rc == MXREG_RESULT_OK) {
      break;
    }
    if (*rc != MXREG_RESULT_INVALID_ARGUMENT && *rc < MXREG_RESULT_MATRIX_ERROR) {
      return OUTCOME_DONE; /* local or transport trouble: reported by the caller */
    }
    printf("The server cannot send a mail to that address (%s).\n", mxreg_error_message(*error));
    mxreg_error_free(*error);
    *error = NULL;
  }
  if (mxreg_signup_email_submit_url(signup) != NULL) {
    /* The server mailed a code to type in, not a link. */
    return until_accepted(signup, "Code from the mail: ", mxreg_signup_submit_email_code,
                          "That code was not accepted.", 0, rc, error);
  }
  printf("A mail with a link was sent to %s.\n", address);
  for (;;) {
    if (ask("Follow the link in the mail, then press Enter (or type \"resend\"): ", answer,
            sizeof answer) != 0) {
      return OUTCOME_END_OF_INPUT;
    }
    if (strcmp(answer, "resend") == 0) {
      *rc = mxreg_signup_request_email_token(signup, address, NULL, error);
      if (*rc != MXREG_RESULT_OK) {
        return OUTCOME_DONE;
      }
      puts("Sent again.");
      continue;
    }
    *rc = mxreg_signup_check_email(signup, error);
    if (*rc != MXREG_RESULT_STAGE_REJECTED) {
      return OUTCOME_DONE;
    }
    puts("The address is not validated yet.");
    mxreg_error_free(*error);
    *error = NULL;
  }
}

/* The fallback page is done when the user says so: Enter, whatever typed. */
static mxreg_result fallback_done(mxreg_signup *signup, const char *answer, mxreg_error **error) {
  (void)answer;
  return mxreg_signup_fallback_done(signup, error);
}

static enum outcome fallback_stage(mxreg_signup *signup, const char *stage, mxreg_result *rc,
                                   mxreg_error **error) {
  const char *url = mxreg_signup_fallback_url(signup);
  if (url == NULL) {
    printf("The server gave no web page for %s.\n", stage);
    return OUTCOME_FAILED;
  }
  printf("This program cannot complete %s itself. Open this page in a browser and finish it "
         "there:\n  %s\n",
         stage, url);
  return until_accepted(signup, "Press Enter when you have finished on that page: ",
                        fallback_done, "The server says that page is not finished yet.", 0, rc,
                        error);
}

static const char *describe_stage(const char *stage) {
  if (strcmp(stage, "m.login.registration_token") == 0) {
    return "registration token";
  }
  if (strcmp(stage, "m.login.terms") == 0) {
    return "terms of service";
  }
  if (strcmp(stage, "m.login.email.identity") == 0) {
    return "email address";
  }
  if (strcmp(stage, "m.login.recaptcha") == 0) {
    return "captcha, in a browser";
  }
  return "in a browser";
}

/* Complete the session's pending stages, one at a time. */
static enum outcome walk_stages(mxreg_signup *signup, mxreg_result *rc, mxreg_error **error) {
  unsigned step = 0;
  while (mxreg_signup_status(signup) == MXREG_SIGNUP_STATE_NEEDS_STAGE) {
    char stage[256];
    enum outcome outcome;
    const char *next = mxreg_signup_next_stage(signup);
    /* Copied: the session's strings last only until its next call. */
    snprintf(stage, sizeof stage, "%s", next != NULL ? next : "(unknown)");
    printf("\nStep %u: %s (%s)\n", ++step, stage, describe_stage(stage));
    if (strcmp(stage, "m.login.registration_token") == 0) {
      outcome = token_stage(signup, rc, error);
    } else if (strcmp(stage, "m.login.terms") == 0) {
      outcome = terms_stage(signup, rc, error);
    } else if (strcmp(stage, "m.login.email.identity") == 0) {
      outcome = email_stage(signup, rc, error);
    } else {
      outcome = fallback_stage(signup, stage, rc, error);
    }
    if (outcome != OUTCOME_DONE) {
      return outcome;
    }
    if (*rc != MXREG_RESULT_OK) {
      print_error(stage, *rc, *error);
      return OUTCOME_FAILED;
    }
    printf("Step %u done.\n", step);
  }
  return OUTCOME_DONE;
}

/* A started session, asking again for the username or password when the
 * server refuses them. NULL on failure or at the end of input. */
static mxreg_signup *start_session(const mxreg_client *client, char *username, char *password,
                                   size_t size, enum outcome *outcome) {
  mxreg_register_request request;
  for (;;) {
    mxreg_signup *signup = NULL;
    mxreg_error *error = NULL;
    mxreg_result rc;

    mxreg_register_request_init(&request);
    request.username = username;
    request.password = password;
    request.initial_device_display_name = "mxreg signup example";
    rc = mxreg_signup_new(client, &request, SUPPORTED_STAGES, &signup, &error);
    if (rc == MXREG_RESULT_OK) {
      rc = mxreg_signup_start(signup, &error);
    }
    if (rc == MXREG_RESULT_OK) {
      return signup;
    }
    mxreg_signup_free(signup);
    if (rc == MXREG_RESULT_USER_IN_USE || rc == MXREG_RESULT_INVALID_USERNAME) {
      printf("The server refuses that username: %s\n", mxreg_error_message(error));
      mxreg_error_free(error);
      if (ask_username(client, username, size) != 0) {
        *outcome = OUTCOME_END_OF_INPUT;
        return NULL;
      }
    } else if (rc == MXREG_RESULT_WEAK_PASSWORD) {
      printf("The server refuses that password: %s\n", mxreg_error_message(error));
      mxreg_error_free(error);
      if (ask_secret("Password", password, size) != 0) {
        *outcome = OUTCOME_END_OF_INPUT;
        return NULL;
      }
    } else {
      if (rc == MXREG_RESULT_UNSUPPORTED_FLOW) {
        puts("None of the server's registration flows can be completed here.");
      }
      print_error("registration", rc, error);
      mxreg_error_free(error);
      *outcome = OUTCOME_FAILED;
      return NULL;
    }
  }
}

int main(int argc, char **argv) {
  const mxreg_client *client = NULL;
  mxreg_probe *probe = NULL;
  mxreg_signup *signup = NULL;
  mxreg_error *error = NULL;
  mxreg_client_options options;
  const mxreg_registration *registration;
  char username[ANSWER_SIZE], password[ANSWER_SIZE];
  enum outcome outcome = OUTCOME_FAILED;
  mxreg_result rc = MXREG_RESULT_OK;

  memset(password, 0, sizeof password);
  if (argc != 2) {
    fprintf(stderr,
            "usage: %s <homeserver-url-or-server-name>\n"
            "Creates a Matrix account, asking on standard input for what the server needs.\n"
            "Answers are read line by line (a script can drive it); the password is\n"
            "echoed unless standard input is a terminal.\n",
            argv[0]);
    return 2;
  }

  mxreg_client_options_init(&options);
  options.rate_limit_max_wait_ms = RATE_LIMIT_MAX_WAIT_MS;
  printf("Looking at %s ...\n", argv[1]);
  rc = mxreg_probe_server(argv[1], &options, false, &probe, &error);
  if (rc != MXREG_RESULT_OK) {
    print_error("server probe", rc, error);
    goto cleanup;
  }
  print_probe(probe);
  if (explain_unusable_server(probe)) {
    goto cleanup;
  }
  rc = mxreg_client_new(mxreg_probe_homeserver_url(probe), &options, &client, &error);
  if (rc != MXREG_RESULT_OK) {
    print_error("client", rc, error);
    goto cleanup;
  }

  putchar('\n');
  if (ask_username(client, username, sizeof username) != 0 ||
      ask_secret("Password", password, sizeof password) != 0) {
    outcome = OUTCOME_END_OF_INPUT;
    goto cleanup;
  }
  signup = start_session(client, username, password, sizeof username, &outcome);
  if (signup == NULL) {
    goto cleanup;
  }
  outcome = walk_stages(signup, &rc, &error);
  if (outcome != OUTCOME_DONE) {
    goto cleanup;
  }

  registration = mxreg_signup_registration(signup);
  if (mxreg_signup_status(signup) != MXREG_SIGNUP_STATE_COMPLETE || registration == NULL) {
    fprintf(stderr, "signup: the server ended the registration without an account\n");
    outcome = OUTCOME_FAILED;
    goto cleanup;
  }
  printf("\nAccount created.\nUser ID: %s\nDevice ID: %s\n",
         mxreg_registration_user_id(registration),
         mxreg_registration_device_id(registration) != NULL
             ? mxreg_registration_device_id(registration)
             : "(none)");

cleanup:
  if (outcome == OUTCOME_END_OF_INPUT) {
    fprintf(stderr, "\nsignup: standard input ended; no account was created\n");
  }
  wipe(password, sizeof password);
  mxreg_signup_free(signup);
  mxreg_error_free(error);
  mxreg_probe_free(probe);
  mxreg_client_free(client);
  return outcome == OUTCOME_DONE ? 0 : 1;
}
