/*
 * spawn_once: run one program to completion and report what it cost as a
 * whole process: wall time from spawn to exit and peak resident memory.
 *
 *   spawn_once <program> [arguments...]
 *
 * Prints {"wall_ms":W,"maxrss_kib":R,"status":S} on stdout; the program's
 * own stdout goes to /dev/null. A small launcher of our own because Linux
 * carries the parent's peak RSS into the child across exec: spawned from
 * the Python driver, every client would report at least the driver's.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* wait4() is not in POSIX; glibc declares it only for _DEFAULT_SOURCE. */
pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage);

int main(int argc, char **argv) {
  struct timespec start, end;
  struct rusage usage;
  int status = 0;
  pid_t child;

  if (argc < 2) {
    fprintf(stderr, "usage: %s <program> [arguments...]\n", argv[0]);
    return 2;
  }
  fflush(stdout);
  clock_gettime(CLOCK_MONOTONIC, &start);
  child = fork();
  if (child < 0) {
    perror("spawn_once: fork");
    return 1;
  }
  if (child == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, STDOUT_FILENO);
      close(null);
    }
    execvp(argv[1], argv + 1);
    perror("spawn_once: exec");
    _exit(127);
  }
  if (wait4(child, &status, 0, &usage) != child) {
    perror("spawn_once: wait4");
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  printf("{\"wall_ms\":%.3f,\"maxrss_kib\":%ld,\"status\":%d}\n",
         (double)(end.tv_sec - start.tv_sec) * 1e3 + (double)(end.tv_nsec - start.tv_nsec) / 1e6,
         usage.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 0;
}
