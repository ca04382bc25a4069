/*
 * A scripted stand-in HTTP server for answers no real server gives on
 * demand (a 429 asking for no delay, OAuth metadata that is rate-limited,
 * a 1 MB token): a forked child on 127.0.0.1 that answers each request by
 * the first route whose path prefix its target starts with, after an
 * optional delay, and closes the connection; connections are served at
 * the same time. It counts the requests per route in memory shared with
 * the parent. Plain POSIX; the test tool does
 * no allocation. Needs _POSIX_C_SOURCE >= 200809L and _DEFAULT_SOURCE.
 */
#ifndef MXREG_TEST_STAND_IN_SERVER_H
#define MXREG_TEST_STAND_IN_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STAND_IN_MAX_ROUTES 8

struct stand_in_route {
  const char *prefix; /* NULL ends the table; "" matches everything */
  int status;
  const char *body;
  int delay_ms;
};

struct stand_in_server {
  pid_t pid;
  char url[64];
  /* Requests per route, shared with the child. */
  volatile int *counts;
};

static void stand_in_answer(int fd, const struct stand_in_route *routes, volatile int *counts) {
  static char head[16384];
  static char reply[512];
  size_t got = 0;
  const char *target, *end;
  int i;
  for (;;) {
    ssize_t n = read(fd, head + got, sizeof head - 1 - got);
    if (n <= 0) {
      return;
    }
    got += (size_t)n;
    head[got] = '\0';
    if (strstr(head, "\r\n\r\n") != NULL || got == sizeof head - 1) {
      break;
    }
  }
  target = strchr(head, ' ');
  end = target != NULL ? strchr(target + 1, ' ') : NULL;
  if (end == NULL) {
    return;
  }
  target++;
  for (i = 0; routes[i].prefix != NULL; i++) {
    size_t length = strlen(routes[i].prefix);
    if ((size_t)(end - target) >= length && strncmp(target, routes[i].prefix, length) == 0) {
      break;
    }
  }
  if (routes[i].prefix == NULL) {
    return;
  }
  __sync_fetch_and_add(&counts[i], 1);
  if (routes[i].delay_ms > 0) {
    struct timespec pause;
    pause.tv_sec = routes[i].delay_ms / 1000;
    pause.tv_nsec = (long)(routes[i].delay_ms % 1000) * 1000000L;
    nanosleep(&pause, NULL);
  }
  snprintf(reply, sizeof reply,
           "HTTP/1.1 %d Stand-in\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
           "Connection: close\r\n\r\n",
           routes[i].status, strlen(routes[i].body));
  if (write(fd, reply, strlen(reply)) > 0) {
    size_t sent = 0, total = strlen(routes[i].body);
    while (sent < total) {
      ssize_t n = write(fd, routes[i].body + sent, total - sent);
      if (n <= 0) {
        break;
      }
      sent += (size_t)n;
    }
  }
}

/* Start serving `routes` (which must outlive the server). 0, or -1. */
static int stand_in_start(struct stand_in_server *server, const struct stand_in_route *routes) {
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  int listener;
  memset(server, 0, sizeof *server);
  server->counts = mmap(NULL, sizeof(int) * STAND_IN_MAX_ROUTES, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (server->counts == MAP_FAILED) {
    return -1;
  }
  memset((void *)server->counts, 0, sizeof(int) * STAND_IN_MAX_ROUTES);
  listener = socket(AF_INET, SOCK_STREAM, 0);
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
      listen(listener, 32) != 0 ||
      getsockname(listener, (struct sockaddr *)&address, &length) != 0) {
    return -1;
  }
  snprintf(server->url, sizeof server->url, "http://127.0.0.1:%d", ntohs(address.sin_port));
  fflush(NULL);
  server->pid = fork();
  if (server->pid < 0) {
    close(listener);
    return -1;
  }
  if (server->pid == 0) {
    /* The child serves until the parent ends it, at most 60 s; each
     * connection in a process of its own (10 s at most), since a client may
     * open several before it sends on any (the probe opens them ahead). */
    alarm(60);
    signal(SIGCHLD, SIG_IGN);
    for (;;) {
      int fd = accept(listener, NULL, NULL);
      if (fd < 0) {
        continue;
      }
      if (fork() == 0) {
        alarm(10);
        close(listener);
        stand_in_answer(fd, routes, server->counts);
        shutdown(fd, SHUT_WR);
        close(fd);
        _exit(0);
      }
      close(fd);
    }
  }
  close(listener);
  return 0;
}

/* How many requests route `index` answered so far. */
static int stand_in_count(const struct stand_in_server *server, int index) {
  return server->counts[index];
}

static void stand_in_stop(struct stand_in_server *server) {
  if (server->pid > 0) {
    kill(server->pid, SIGKILL);
    waitpid(server->pid, NULL, 0);
    server->pid = 0;
  }
  if (server->counts != NULL && server->counts != MAP_FAILED) {
    munmap((void *)server->counts, sizeof(int) * STAND_IN_MAX_ROUTES);
    server->counts = NULL;
  }
}

#endif /* MXREG_TEST_STAND_IN_SERVER_H */
