/*
 * A tiny test harness for the C suites.
 *
 * Each test is a `static void test_x(void)` function that ends with a
 * `cleanup:` label freeing what it allocated. CHECK(expr) records the first
 * failed expression and jumps to `cleanup`. RUN_TEST prints one line per
 * test, `ok - name` or `FAIL - name: file:line: expression`; NOTE prints
 * diagnostics as `# ...` lines. harness_finish() prints exactly one line
 * `N passed, N failed` and gives the process exit status.
 */
#ifndef MXREG_TEST_HARNESS_H
#define MXREG_TEST_HARNESS_H

#include <stdarg.h>
#include <stdio.h>

/* The first failed check of the running test (NULL while it passes). */
static const char *harness_failed_expression;
static const char *harness_failed_file;
static int harness_failed_line;
static int harness_pass_count;
static int harness_fail_count;

static void harness_fail(const char *file, int line, const char *expression) {
  if (harness_failed_expression == NULL) {
    harness_failed_file = file;
    harness_failed_line = line;
    harness_failed_expression = expression;
  }
}

#define CHECK(expression)                                   \
  do {                                                      \
    if (!(expression)) {                                    \
      harness_fail(__FILE__, __LINE__, #expression);        \
      goto cleanup;                                         \
    }                                                       \
  } while (0)

/* A diagnostic line; never pass secrets to it. */
static void harness_note(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("# ", stdout);
  vprintf(format, args);
  fputc('\n', stdout);
  va_end(args);
}

#define NOTE harness_note

static void harness_run(const char *name, void (*test)(void)) {
  harness_failed_expression = NULL;
  test();
  if (harness_failed_expression == NULL) {
    harness_pass_count++;
    printf("ok - %s\n", name);
  } else {
    harness_fail_count++;
    printf("FAIL - %s: %s:%d: %s\n", name, harness_failed_file, harness_failed_line,
           harness_failed_expression);
  }
  fflush(stdout);
}

#define RUN_TEST(test) harness_run(#test, test)

/* Print the summary line; the exit status for main (non-zero on any failure). */
static int harness_finish(void) {
  printf("%d passed, %d failed\n", harness_pass_count, harness_fail_count);
  return harness_fail_count == 0 ? 0 : 1;
}

#endif /* MXREG_TEST_HARNESS_H */
