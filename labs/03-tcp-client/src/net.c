/* net.c: connect to a TCP server within a time limit, trying every address; wait for a socket;
 * send a whole buffer (Lab 03). The contracts are in net.h. */
#define _POSIX_C_SOURCE 200809L

#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int wait_fd(int fd, short events, int timeout_ms)
{
    /* TODO(lab 03): poll() fd for events. poll() returning 0 means the time passed: ETIMEDOUT.
     * When poll() fails with EINTR, call it again with the time that is left: compute a deadline
     * from clock_gettime(CLOCK_MONOTONIC, ...) first. */
    (void)fd;
    (void)events;
    (void)timeout_ms;
    errno = ENOSYS;
    return -1;
}

int connect_timeout(int fd, const struct sockaddr *addr, socklen_t len, int timeout_ms)
{
    /* TODO(lab 03): set O_NONBLOCK with fcntl(F_GETFL / F_SETFL); connect(); if it fails with
     * EINPROGRESS or EINTR, wait_fd(POLLOUT), then read the outcome with
     * getsockopt(SOL_SOCKET, SO_ERROR) (non-zero: that is the errno). Restore the flags. */
    (void)fd;
    (void)addr;
    (void)len;
    (void)timeout_ms;
    errno = ENOSYS;
    return -1;
}

int connect_any(const char *host, const char *port, int timeout_ms, int *gai_err)
{
    /* TODO(lab 03): as in Lab 01: getaddrinfo() (AF_UNSPEC, SOCK_STREAM, AI_NUMERICSERV), then
     * socket() and connect_timeout() for each address in order; keep the first that connects,
     * close() each one that fails, freeaddrinfo(); leave the last failure's errno. */
    (void)host;
    (void)port;
    (void)timeout_ms;
    *gai_err = 0;
    errno = ENOSYS;
    return -1;
}

int send_all(int fd, const void *buf, size_t len)
{
    /* TODO(lab 03): send() with MSG_NOSIGNAL may send fewer bytes than asked, or fail with EINTR
     * having sent nothing: loop until every byte is sent. */
    (void)fd;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}
