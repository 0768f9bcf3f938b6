/* stream.h: TCP byte streams (Lab 04): send and receive exactly n bytes, connect with or without
 * Nagle's algorithm. Messages on a stream are framed by a length prefix:
 *   offset 0  length   4 bytes  big-endian, at most MESSAGE_MAX
 *   offset 4  payload  length bytes
 * Implemented in stream.c. */
#ifndef STREAM_H
#define STREAM_H

#include <stddef.h>
#include <sys/types.h>

#define MESSAGE_HEADER_SIZE 4
#define MESSAGE_MAX (16u * 1024 * 1024)

/* Write all n bytes of buf to the connected socket fd: loop over partial writes, retry EINTR, and
 * never raise SIGPIPE (MSG_NOSIGNAL). Returns 0, or -1 with errno set (EPIPE: the peer is gone). */
int send_all(int fd, const void *buf, size_t n);

/* Read exactly n bytes from fd into buf: loop over partial reads, retry EINTR.
 * Returns n; or fewer (0 if none) when the peer closed the connection first; or -1 with errno. */
ssize_t recv_all(int fd, void *buf, size_t n);

/* Connect over TCP to host and port, trying each address getaddrinfo() returns (family AF_UNSPEC,
 * AF_INET or AF_INET6) in order; then set TCP_NODELAY when nodelay is non-zero.
 * Returns the connected socket; or -1 with *gai_err set to a getaddrinfo error; or -1 with
 * *gai_err 0 and errno set (by the last connect that failed, or by setsockopt). */
int tcp_connect(const char *host, const char *port, int family, int nodelay, int *gai_err);

#endif
