/* net.c: connect to a TCP server within a time limit, trying every address; wait for a socket;
 * send a whole buffer (Lab 03 reference solution). The contracts are in net.h. */
#define _POSIX_C_SOURCE 200809L

#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Milliseconds on the monotonic clock, which does not jump when the time of day is changed. */
static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    long long deadline = now_ms() + timeout_ms;

    for (;;) {
        long long left = deadline - now_ms();
        int n = poll(&pfd, 1, left > 0 ? (int)left : 0);

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

int connect_timeout(int fd, const struct sockaddr *addr, socklen_t len, int timeout_ms)
{
    int flags, err = 0;
    socklen_t err_len = sizeof err;

    flags = fcntl(fd, F_GETFL);
    if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
        return -1;
    if (connect(fd, addr, len) == -1) {
        /* The handshake goes on in the background: after EINPROGRESS, and also after EINTR (a
         * signal arrived). Calling connect() again would only say EALREADY: wait instead. */
        if (errno != EINPROGRESS && errno != EINTR)
            return -1;
        if (wait_fd(fd, POLLOUT, timeout_ms) == -1)
            return -1;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == -1)
            return -1;
        if (err != 0) {
            errno = err;
            return -1;
        }
    }
    return fcntl(fd, F_SETFL, flags);
}

int connect_any(const char *host, const char *port, int timeout_ms, int *gai_err)
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
        if (connect_timeout(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd == -1)
        errno = saved;
    return fd;
}

int send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}
