/* stream.c: send and receive exactly n bytes on a TCP stream, connect with or without Nagle's
 * algorithm (Lab 04 reference solution). The contracts are in stream.h. */
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
    const char *p = buf;

    while (n > 0) {
        ssize_t sent = send(fd, p, n, MSG_NOSIGNAL);

        if (sent == -1 && errno == EINTR)
            continue;
        if (sent == -1)
            return -1;
        p += sent;
        n -= (size_t)sent;
    }
    return 0;
}

ssize_t recv_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t got = 0;

    while (got < n) {
        ssize_t r = recv(fd, p + got, n - got, 0);

        if (r == -1 && errno == EINTR)
            continue;
        if (r == -1)
            return -1;
        if (r == 0)
            break; /* the peer closed: return what arrived */
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int tcp_connect(const char *host, const char *port, int family, int nodelay, int *gai_err)
{
    struct addrinfo hints, *res, *ai;
    int fd = -1, saved = ECONNREFUSED, on = nodelay ? 1 : 0;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    *gai_err = getaddrinfo(host, port, &hints, &res);
    if (*gai_err != 0)
        return -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd == -1) {
            saved = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd == -1) {
        errno = saved;
        return -1;
    }
    /* Set it either way: the setting is then explicit, whatever the system's default. */
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == -1) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
