/*
 * responder: the fast local homeserver stand-in the benchmark measures
 * clients against. HTTP/1.1 on 127.0.0.1, one thread per connection,
 * keep-alive, and a canned answer for every request:
 *
 *   POST .../register       200 with a register response (user_id, tokens)
 *   GET  .../versions       200 with a versions document
 *   anything else           404 M_UNRECOGNIZED
 *
 *   responder [lifetime-seconds]
 *
 * Prints the port it listens on (one line) once it accepts connections.
 * It stops by itself: when its standard input reaches end of file (the
 * driver closes it) or after lifetime-seconds (default 900), whichever comes
 * first. Each answer is one write(), so the client's syscalls are its own.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_BUFFER 65536

static const char REGISTER_BODY[] =
    "{\"user_id\":\"@bench:localhost\",\"access_token\":\"syt_YmVuY2g_bench_token\","
    "\"device_id\":\"BENCHDEVICE\",\"home_server\":\"localhost\"}";
static const char VERSIONS_BODY[] = "{\"versions\":[\"v1.11\",\"v1.19\"],\"unstable_features\":{}}";
static const char NOT_FOUND_BODY[] = "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request\"}";

/* The three answers, headers and body, built once at start. */
static char register_answer[512];
static char versions_answer[512];
static char not_found_answer[512];
static size_t register_length, versions_length, not_found_length;

static size_t build_answer(char *out, size_t size, const char *status, const char *body) {
  int written = snprintf(out, size,
                         "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n%s",
                         status, strlen(body), body);
  if (written < 0 || (size_t)written >= size) {
    fprintf(stderr, "responder: answer does not fit\n");
    exit(1);
  }
  return (size_t)written;
}

static int write_all(int fd, const char *data, size_t length) {
  while (length > 0) {
    ssize_t sent = write(fd, data, length);
    if (sent <= 0) {
      return -1;
    }
    data += sent;
    length -= (size_t)sent;
  }
  return 0;
}

/* The value of header `name` (given with its colon, lower case) in the
 * head [head, end), spaces skipped; NULL if absent. */
static const char *header_value(const char *head, const char *end, const char *name) {
  size_t name_length = strlen(name);
  const char *line = head;
  while (line < end) {
    const char *next = memchr(line, '\n', (size_t)(end - line));
    if (next == NULL) {
      break;
    }
    if ((size_t)(next - line) > name_length && strncasecmp(line, name, name_length) == 0) {
      const char *value = line + name_length;
      while (*value == ' ') {
        value++;
      }
      return value;
    }
    line = next + 1;
  }
  return NULL;
}

/* Value of the Content-Length header in the head [head, end), 0 if absent. */
static long content_length(const char *head, const char *end) {
  const char *value = header_value(head, end, "content-length:");
  return value != NULL ? strtol(value, NULL, 10) : 0;
}

/* Whether the head asks to close the connection after this answer. */
static int wants_close(const char *head, const char *end) {
  const char *value = header_value(head, end, "connection:");
  return value != NULL && strncasecmp(value, "close", 5) == 0;
}

/* Pick the answer for a request line. */
static void choose_answer(const char *head, const char **answer, size_t *length) {
  const char *line_end = strstr(head, "\r\n");
  size_t line_length = line_end != NULL ? (size_t)(line_end - head) : strlen(head);
  char line[1024];
  if (line_length >= sizeof line) {
    line_length = sizeof line - 1;
  }
  memcpy(line, head, line_length);
  line[line_length] = '\0';
  if (strncmp(line, "POST ", 5) == 0 && strstr(line, "/register") != NULL &&
      strstr(line, "/register/") == NULL) {
    *answer = register_answer;
    *length = register_length;
  } else if (strncmp(line, "GET ", 4) == 0 && strstr(line, "/versions") != NULL) {
    *answer = versions_answer;
    *length = versions_length;
  } else {
    *answer = not_found_answer;
    *length = not_found_length;
  }
}

/* Serve one connection until the client closes it. Requests may arrive in
 * pieces or pipelined; leftover bytes stay in the buffer for the next one. */
static void *serve_connection(void *argument) {
  int fd = (int)(long)argument;
  char *buffer = malloc(REQUEST_BUFFER + 1);
  size_t filled = 0;
  if (buffer == NULL) {
    close(fd);
    return NULL;
  }
  for (;;) {
    char *head_end;
    size_t head_length, request_length;
    long body_length;
    const char *answer;
    size_t answer_length;
    int closing;

    buffer[filled] = '\0';
    head_end = strstr(buffer, "\r\n\r\n");
    if (head_end == NULL) {
      ssize_t got;
      if (filled == REQUEST_BUFFER) {
        break; /* a head larger than the buffer: not a client we bench */
      }
      got = read(fd, buffer + filled, REQUEST_BUFFER - filled);
      if (got <= 0) {
        break;
      }
      filled += (size_t)got;
      continue;
    }
    head_length = (size_t)(head_end - buffer) + 4;
    body_length = content_length(buffer, head_end + 2);
    if (body_length < 0 || (size_t)body_length > REQUEST_BUFFER - head_length) {
      break;
    }
    request_length = head_length + (size_t)body_length;
    while (filled < request_length) {
      ssize_t got = read(fd, buffer + filled, REQUEST_BUFFER - filled);
      if (got <= 0) {
        goto done;
      }
      filled += (size_t)got;
    }
    closing = wants_close(buffer, head_end + 2);
    choose_answer(buffer, &answer, &answer_length);
    if (write_all(fd, answer, answer_length) != 0 || closing) {
      break;
    }
    memmove(buffer, buffer + request_length, filled - request_length);
    filled -= request_length;
  }
done:
  free(buffer);
  close(fd);
  return NULL;
}

/* Ends the process when the driver closes our standard input. */
static void *watch_stdin(void *unused) {
  char byte;
  (void)unused;
  while (read(STDIN_FILENO, &byte, 1) > 0) {
  }
  exit(0);
  return NULL;
}

int main(int argc, char **argv) {
  unsigned lifetime = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 900;
  struct sockaddr_in address;
  socklen_t address_length = sizeof address;
  pthread_attr_t detached;
  pthread_t watcher;
  int listener, one = 1;

  register_length = build_answer(register_answer, sizeof register_answer, "200 OK", REGISTER_BODY);
  versions_length = build_answer(versions_answer, sizeof versions_answer, "200 OK", VERSIONS_BODY);
  not_found_length =
      build_answer(not_found_answer, sizeof not_found_answer, "404 Not Found", NOT_FOUND_BODY);

  listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) {
    perror("responder: socket");
    return 1;
  }
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
      listen(listener, 128) != 0 ||
      getsockname(listener, (struct sockaddr *)&address, &address_length) != 0) {
    perror("responder: bind");
    return 1;
  }
  alarm(lifetime); /* the default SIGALRM action ends the process */
  pthread_attr_init(&detached);
  pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&watcher, &detached, watch_stdin, NULL) != 0) {
    fprintf(stderr, "responder: cannot start the stdin watcher\n");
    return 1;
  }
  printf("%u\n", (unsigned)ntohs(address.sin_port));
  fflush(stdout);

  for (;;) {
    pthread_t thread;
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) {
      continue;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (pthread_create(&thread, &detached, serve_connection, (void *)(long)fd) != 0) {
      close(fd);
    }
  }
}
