/* stream.c: send and receive exactly n bytes on a TCP stream, connect with or without Nagle's
 * algorithm (Lab 04). The contracts are in stream.h. */
#define _POSIX_C_SOURCE 200809L

#include "stream.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int send_all(int fd, const void *buf, size_t n)
{
    /* TODO(lab 04): send() with MSG_NOSIGNAL until all n bytes are gone; retry EINTR. */
    (void)fd;
    (void)buf;
    (void)n;
    errno = ENOSYS;
    return -1;
}

ssize_t recv_all(int fd, void *buf, size_t n)
{
    /* TODO(lab 04): recv() until n bytes arrived or recv() returns 0 (the peer closed); retry
     * EINTR. Never ask for more than what is still missing. */
    (void)fd;
    (void)buf;
    (void)n;
    errno = ENOSYS;
    return -1;
}

int tcp_connect(const char *host, const char *port, int family, int nodelay, int *gai_err)
{
    /* TODO(lab 04): as endpoints did in Lab 01 (getaddrinfo, try each address, freeaddrinfo),
     * then setsockopt(IPPROTO_TCP, TCP_NODELAY) with 1 or 0. */
    (void)host;
    (void)port;
    (void)family;
    (void)nodelay;
    *gai_err = 0;
    errno = ENOSYS;
    return -1;
}
