/*
 * floor: the least a client can do per registration on a kept-alive
 * connection: one write() of a prepared request and read() until the whole
 * answer is in. No HTTP library, no JSON, no allocation per call. The
 * benchmark reports every other client as a ratio against this.
 *
 *   floor <port> <threads> <seconds> <max-calls> <warmup-calls>
 *
 * Each thread opens its own connection to 127.0.0.1:<port>. The request is
 * the same size and shape as the one mxreg sends.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_loop.h"

#define ANSWER_BUFFER 16384

static const char REQUEST_BODY[] =
    "{\"username\":\"bench\",\"password\":\"bench-Passw0rd-floor\","
    "\"initial_device_display_name\":\"mxreg bench\",\"refresh_token\":true}";

typedef struct floor_shared {
  unsigned short port;
  char request[1024];
  size_t request_length;
} floor_shared;

typedef struct floor_connection {
  const floor_shared *shared;
  int fd;
  char answer[ANSWER_BUFFER];
} floor_connection;

static void *open_connection(void *argument) {
  const floor_shared *shared = argument;
  floor_connection *connection = malloc(sizeof *connection);
  struct sockaddr_in address;
  int one = 1;
  if (connection == NULL) {
    return NULL;
  }
  connection->shared = shared;
  connection->fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(shared->port);
  if (connection->fd < 0 ||
      connect(connection->fd, (struct sockaddr *)&address, sizeof address) != 0) {
    perror("floor: connect");
    if (connection->fd >= 0) {
      close(connection->fd);
    }
    free(connection);
    return NULL;
  }
  setsockopt(connection->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return connection;
}

static void close_connection(void *state) {
  floor_connection *connection = state;
  close(connection->fd);
  free(connection);
}

/* Bytes the whole answer takes once its head is in, or 0 if not yet known. */
static size_t answer_length(const char *answer, size_t filled) {
  const char *head_end, *header;
  size_t head_length;
  if (filled >= ANSWER_BUFFER) {
    return 0;
  }
  head_end = strstr(answer, "\r\n\r\n");
  if (head_end == NULL) {
    return 0;
  }
  head_length = (size_t)(head_end - answer) + 4;
  for (header = answer; header < head_end; header = strchr(header, '\n') + 1) {
    if (strncasecmp(header, "content-length:", 15) == 0) {
      return head_length + strtoul(header + 15, NULL, 10);
    }
  }
  return head_length;
}

static int one_call(void *state) {
  floor_connection *connection = state;
  const floor_shared *shared = connection->shared;
  size_t filled = 0, needed = 0;
  if (write(connection->fd, shared->request, shared->request_length) !=
      (ssize_t)shared->request_length) {
    return -1;
  }
  while (needed == 0 || filled < needed) {
    ssize_t got = read(connection->fd, connection->answer + filled, ANSWER_BUFFER - 1 - filled);
    if (got <= 0) {
      return -1;
    }
    filled += (size_t)got;
    connection->answer[filled] = '\0';
    if (needed == 0) {
      needed = answer_length(connection->answer, filled);
    }
  }
  return strncmp(connection->answer, "HTTP/1.1 200", 12) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  floor_shared shared;
  bench_options options;
  int written;
  if (argc < 2 || bench_parse_options(argc, argv, 2, &options) != 0) {
    fprintf(stderr, "usage: %s <port> <threads> <seconds> <max-calls> <warmup-calls>\n",
            argv[0]);
    return 2;
  }
  shared.port = (unsigned short)strtoul(argv[1], NULL, 10);
  written = snprintf(shared.request, sizeof shared.request,
                     "POST /_matrix/client/v3/register HTTP/1.1\r\n"
                     "host: 127.0.0.1:%u\r\n"
                     "accept: application/json\r\n"
                     "content-type: application/json\r\n"
                     "user-agent: mxreg/0.1.0\r\n"
                     "content-length: %zu\r\n\r\n%s",
                     (unsigned)shared.port, strlen(REQUEST_BODY), REQUEST_BODY);
  if (written < 0 || (size_t)written >= sizeof shared.request) {
    return 1;
  }
  shared.request_length = (size_t)written;
  return bench_run(&options, &shared, open_connection, one_call, close_connection);
}
