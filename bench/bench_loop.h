/*
 * bench_loop: the timed call loop shared by the C benchmark clients (the
 * raw-socket floor and mxreg through its C API), so both are measured the
 * same way.
 *
 * Each of `threads` threads sets up its own state, makes `warmup` calls,
 * waits for the others, then calls until `seconds` have passed or it has
 * made its share of `max_calls`; a thread stops at its first failed call
 * (the call itself says why on stderr). The loop prints one JSON line on stdout:
 *
 *   {"calls":N,"errors":E,"wall_s":W,"cpu_s":C,"threads":T}
 *
 * where `cpu_s` is the process's user plus system CPU over the timed part.
 */
#ifndef BENCH_LOOP_H
#define BENCH_LOOP_H

/* One call; returns 0 on success. `state` is the thread's own. */
typedef int (*bench_call_fn)(void *state);
/* Per-thread set-up from the shared context; NULL means failure. */
typedef void *(*bench_setup_fn)(void *shared);
/* Per-thread tear-down. */
typedef void (*bench_teardown_fn)(void *state);

typedef struct bench_options {
  unsigned threads;
  double seconds;
  unsigned long max_calls;
  unsigned long warmup;
} bench_options;

/* Parse `<threads> <seconds> <max-calls> <warmup>` from argv; returns 0 on
 * success, prints usage to stderr and returns -1 otherwise. */
int bench_parse_options(int argc, char **argv, int first, bench_options *options);

/* Run the loop and print the JSON line; returns the process exit status
 * (0 when every call succeeded). */
int bench_run(const bench_options *options, void *shared, bench_setup_fn setup,
              bench_call_fn call, bench_teardown_fn teardown);

#endif /* BENCH_LOOP_H */
