/* The timed call loop shared by the C benchmark clients: see bench_loop.h. */
#define _POSIX_C_SOURCE 200809L

#include "bench_loop.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_THREADS 64

typedef struct worker {
  pthread_t thread;
  const bench_options *options;
  void *shared;
  bench_setup_fn setup;
  bench_call_fn call;
  bench_teardown_fn teardown;
  pthread_barrier_t *warm;
  pthread_barrier_t *go;
  const double *deadline;
  unsigned long quota;
  unsigned long calls;
  unsigned long errors;
  int setup_failed;
} worker;

static double monotonic_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
         (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static void *work(void *argument) {
  worker *self = argument;
  void *state = self->setup(self->shared);
  unsigned long i;
  self->setup_failed = state == NULL;
  /* A thread stops at its first failed call: the bench measures success. */
  for (i = 0; state != NULL && i < self->options->warmup && self->errors == 0; i++) {
    self->errors += self->call(state) != 0;
  }
  pthread_barrier_wait(self->warm);
  pthread_barrier_wait(self->go);
  while (state != NULL && self->errors == 0 && self->calls < self->quota) {
    /* Checking the clock every 16 calls keeps its cost out of the figures. */
    if ((self->calls & 15) == 0 && monotonic_seconds() >= *self->deadline) {
      break;
    }
    self->errors += self->call(state) != 0;
    self->calls++;
  }
  if (state != NULL) {
    self->teardown(state);
  }
  return NULL;
}

int bench_parse_options(int argc, char **argv, int first, bench_options *options) {
  if (argc != first + 4) {
    fprintf(stderr, "arguments: <threads> <seconds> <max-calls> <warmup-calls>\n");
    return -1;
  }
  options->threads = (unsigned)strtoul(argv[first], NULL, 10);
  options->seconds = strtod(argv[first + 1], NULL);
  options->max_calls = strtoul(argv[first + 2], NULL, 10);
  options->warmup = strtoul(argv[first + 3], NULL, 10);
  if (options->threads == 0 || options->threads > MAX_THREADS || options->seconds <= 0 ||
      options->max_calls == 0) {
    fprintf(stderr, "threads must be 1..%d, seconds and max-calls positive\n", MAX_THREADS);
    return -1;
  }
  return 0;
}

int bench_run(const bench_options *options, void *shared, bench_setup_fn setup,
              bench_call_fn call, bench_teardown_fn teardown) {
  worker workers[MAX_THREADS];
  pthread_barrier_t warm, go;
  double deadline = 0, wall_start, cpu_start, wall, cpu;
  unsigned long calls = 0, errors = 0;
  unsigned i;
  int setup_failed = 0;

  pthread_barrier_init(&warm, NULL, options->threads + 1);
  pthread_barrier_init(&go, NULL, options->threads + 1);
  for (i = 0; i < options->threads; i++) {
    worker *w = &workers[i];
    w->options = options;
    w->shared = shared;
    w->setup = setup;
    w->call = call;
    w->teardown = teardown;
    w->warm = &warm;
    w->go = &go;
    w->deadline = &deadline;
    /* Spread max_calls over the threads; the first ones take the remainder. */
    w->quota = options->max_calls / options->threads + (i < options->max_calls % options->threads);
    w->calls = 0;
    w->errors = 0;
    w->setup_failed = 0;
    if (pthread_create(&w->thread, NULL, work, w) != 0) {
      fprintf(stderr, "bench: cannot start thread %u\n", i);
      exit(1);
    }
  }
  pthread_barrier_wait(&warm);
  wall_start = monotonic_seconds();
  cpu_start = cpu_seconds();
  deadline = wall_start + options->seconds;
  pthread_barrier_wait(&go);
  for (i = 0; i < options->threads; i++) {
    pthread_join(workers[i].thread, NULL);
    calls += workers[i].calls;
    errors += workers[i].errors;
    setup_failed |= workers[i].setup_failed;
  }
  wall = monotonic_seconds() - wall_start;
  cpu = cpu_seconds() - cpu_start;
  pthread_barrier_destroy(&warm);
  pthread_barrier_destroy(&go);

  printf("{\"calls\":%lu,\"errors\":%lu,\"wall_s\":%.6f,\"cpu_s\":%.6f,\"threads\":%u}\n", calls,
         errors, wall, cpu, options->threads);
  if (setup_failed) {
    fprintf(stderr, "bench: a thread could not set up\n");
  }
  return errors == 0 && !setup_failed ? 0 : 1;
}
