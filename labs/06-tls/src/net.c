/* net.c: the TCP plumbing of Lab 06, given complete (deadlines, connect with a time limit,
 * listen, accept, addresses). The contracts are in net.h. */
#define _POSIX_C_SOURCE 200809L

#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#define BACKLOG 64

struct timespec deadline_in(unsigned int seconds)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    now.tv_sec += (time_t)seconds;
    return now;
}

/* Milliseconds from now until deadline, 0 if it has passed, rounded up so that a wait never
 * ends a little before the deadline. */
static int ms_until(const struct timespec *deadline)
{
    struct timespec now;
    long long ms;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
         (deadline->tv_nsec - now.tv_nsec + 999999) / 1000000;
    if (ms < 0)
        return 0;
    return ms > 86400000 ? 86400000 : (int)ms;
}

int wait_fd(int fd, short events, const struct timespec *deadline)
{
    struct pollfd pfd = {.fd = fd, .events = events};

    for (;;) {
        int n = poll(&pfd, 1, ms_until(deadline));

        if (n > 0)
            return 0;
        if (n == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (errno != EINTR)
            return -1;
    }
}

int parse_number(const char *text, unsigned long max, unsigned long *value)
{
    unsigned long v = 0;
    const char *p;

    if (*text == '\0') {
        errno = EINVAL;
        return -1;
    }
    for (p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            errno = EINVAL;
            return -1;
        }
    }
    for (p = text; *p != '\0'; p++) {
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > max) {
            errno = ERANGE;
            return -1;
        }
    }
    *value = v;
    return 0;
}

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
        return -1;
    return 0;
}

/* Connect fd (non-blocking) to one address before deadline. Returns 0, or -1 with errno. */
static int connect_one(int fd, const struct addrinfo *ai, const struct timespec *deadline)
{
    int err = 0;
    socklen_t len = sizeof err;

    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return 0;
    if (errno != EINPROGRESS && errno != EINTR)
        return -1;
    if (wait_fd(fd, POLLOUT, deadline) == -1)
        return -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
        return -1;
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

int connect_tcp(const char *host, const char *port, const struct timespec *deadline, int *gai_err)
{
    struct addrinfo hints, *res, *ai;
    int fd = -1, saved = ECONNREFUSED;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
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
        if (set_nonblocking(fd) == 0 && connect_one(fd, ai, deadline) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
        if (saved == ETIMEDOUT)
            break; /* the deadline is for all addresses together */
    }
    freeaddrinfo(res);
    if (fd == -1)
        errno = saved;
    return fd;
}

/* A socket of family bound to port on every address of that family and listening. */
static int listen_family(int family, uint16_t port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, on = 1, off = 0;

    memset(&ss, 0, sizeof ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

        sin6->sin6_family = AF_INET6;
        sin6->sin6_addr = in6addr_any;
        sin6->sin6_port = htons(port);
        len = sizeof *sin6;
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_ANY);
        sin->sin_port = htons(port);
        len = sizeof *sin;
    }
    fd = socket(family, SOCK_STREAM, 0);
    if (fd == -1)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
        (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == -1) ||
        bind(fd, (struct sockaddr *)&ss, len) == -1 || listen(fd, BACKLOG) == -1 ||
        set_nonblocking(fd) == -1) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int listen_tcp(uint16_t port)
{
    int fd = listen_family(AF_INET6, port);

    if (fd == -1 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
        fd = listen_family(AF_INET, port);
    return fd;
}

int accept_tcp(int lfd, struct sockaddr_storage *peer, const sigset_t *wait_mask)
{
    socklen_t len = sizeof *peer;
    fd_set readable;
    int fd;

    FD_ZERO(&readable);
    FD_SET(lfd, &readable);
    if (pselect(lfd + 1, &readable, NULL, NULL, NULL, wait_mask) == -1)
        return -1;
    fd = accept(lfd, (struct sockaddr *)peer, &len);
    if (fd == -1)
        return -1;
    if (set_nonblocking(fd) == -1) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int format_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
    char text[INET6_ADDRSTRLEN];
    unsigned int port;
    int n;

    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

        if (inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text) == NULL)
            return -1;
        port = ntohs(sin6->sin6_port);
        n = snprintf(buf, len, "[%s]:%u", text, port);
    } else if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

        if (inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text) == NULL)
            return -1;
        port = ntohs(sin->sin_port);
        n = snprintf(buf, len, "%s:%u", text, port);
    } else {
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (n < 0)
        return -1;
    if ((size_t)n >= len) {
        errno = ENOSPC;
        return -1;
    }
    return 0;
}
