/*
 * A minimal HTTP/1.0 GET over a POSIX socket, for checking what the server
 * stored (e.g. a device's display name) independently of mxreg. Only for
 * plain-http test servers on loopback. Needs _POSIX_C_SOURCE >= 200112L.
 */
#ifndef MXREG_TEST_LOOPBACK_HTTP_H
#define MXREG_TEST_LOOPBACK_HTTP_H

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* Split "http://host:port[/...]" into host and port; -1 when it is not that. */
static int loopback_http_split(const char *base_url, char *host, size_t host_size, char *port,
                               size_t port_size) {
  const char *start, *colon, *end;
  if (strncmp(base_url, "http://", 7) != 0) {
    return -1;
  }
  start = base_url + 7;
  colon = strchr(start, ':');
  if (colon == NULL || (size_t)(colon - start) >= host_size) {
    return -1;
  }
  end = colon + 1 + strspn(colon + 1, "0123456789");
  if (end == colon + 1 || (size_t)(end - colon - 1) >= port_size) {
    return -1;
  }
  memcpy(host, start, (size_t)(colon - start));
  host[colon - start] = '\0';
  memcpy(port, colon + 1, (size_t)(end - colon - 1));
  port[end - colon - 1] = '\0';
  return 0;
}

/*
 * GET `path` from `base_url` with `Authorization: Bearer <bearer>`. Writes
 * the status to *status and the body (NUL-terminated, cut to body_size - 1)
 * to body. HTTP/1.0, so the server closes the connection and never chunks.
 * Returns 0, or -1 when the exchange failed.
 */
static int loopback_http_get(const char *base_url, const char *path, const char *bearer,
                             int *status, char *body, size_t body_size) {
  char host[256], port[16], request[2048], response[65536];
  struct addrinfo hints, *address = NULL;
  size_t received = 0;
  int fd = -1, result = -1, length;
  const char *header_end;

  if (body_size == 0 || loopback_http_split(base_url, host, sizeof host, port, sizeof port) != 0) {
    return -1;
  }
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &address) != 0) {
    return -1;
  }
  fd = socket(address->ai_family, address->ai_socktype, address->ai_protocol);
  if (fd < 0 || connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
    goto cleanup;
  }
  length = snprintf(request, sizeof request,
                    "GET %s HTTP/1.0\r\nHost: %s:%s\r\nAuthorization: Bearer %s\r\n"
                    "Accept: application/json\r\n\r\n",
                    path, host, port, bearer);
  if (length < 0 || (size_t)length >= sizeof request ||
      write(fd, request, (size_t)length) != (ssize_t)length) {
    goto cleanup;
  }
  for (;;) {
    ssize_t got = read(fd, response + received, sizeof response - 1 - received);
    if (got < 0) {
      goto cleanup;
    }
    if (got == 0 || received + (size_t)got == sizeof response - 1) {
      received += (size_t)got;
      break;
    }
    received += (size_t)got;
  }
  response[received] = '\0';
  if (sscanf(response, "HTTP/%*d.%*d %d", status) != 1) {
    goto cleanup;
  }
  header_end = strstr(response, "\r\n\r\n");
  if (header_end == NULL) {
    goto cleanup;
  }
  strncpy(body, header_end + 4, body_size - 1);
  body[body_size - 1] = '\0';
  result = 0;

cleanup:
  /* The request held an access token. */
  memset(request, 0, sizeof request);
  if (fd >= 0) {
    close(fd);
  }
  freeaddrinfo(address);
  return result;
}

#endif /* MXREG_TEST_LOOPBACK_HTTP_H */
