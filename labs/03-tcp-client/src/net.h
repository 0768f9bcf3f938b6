/* net.h: connect to a TCP server within a time limit, trying every address; wait for a socket;
 * send a whole buffer (Lab 03). Implemented in net.c. */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <sys/socket.h>

/* Wait until fd is ready for events (POLLIN to read, POLLOUT to write), at most timeout_ms
 * milliseconds in all: a poll() interrupted by a signal (EINTR) is called again with the time
 * that is left. An error or a hang-up on fd counts as ready (the next call on fd reports it).
 * Returns 0, or -1 with errno ETIMEDOUT (the time passed) or poll's error. */
int wait_fd(int fd, short events, int timeout_ms);

/* Connect fd (a new socket) to addr, giving up after timeout_ms milliseconds: connect() in
 * non-blocking mode, then wait_fd(POLLOUT) and SO_ERROR. A connect() that fails with EINTR goes
 * on in the background, like one that says EINPROGRESS. fd is back in blocking mode on success.
 * Returns 0, or -1 with errno (ECONNREFUSED, ETIMEDOUT, ...). */
int connect_timeout(int fd, const struct sockaddr *addr, socklen_t len, int timeout_ms);

/* Resolve host and port (AF_UNSPEC, SOCK_STREAM, numeric port) and connect to the first address
 * that accepts within timeout_ms milliseconds, trying each in getaddrinfo's order and closing the
 * socket of each one that fails.
 * Returns the connected socket (blocking); or -1 with *gai_err set to getaddrinfo's error code (the
 * name does not resolve); or -1 with *gai_err 0 and errno from the last address that failed
 * (ETIMEDOUT when it did not answer in time). */
int connect_any(const char *host, const char *port, int timeout_ms, int *gai_err);

/* Send all len bytes of buf, however many send() calls it takes; a send() interrupted by a signal
 * (EINTR) is called again. Never raises SIGPIPE (MSG_NOSIGNAL).
 * Returns 0, or -1 with errno (EPIPE, ECONNRESET, ...). */
int send_all(int fd, const void *buf, size_t len);

#endif
