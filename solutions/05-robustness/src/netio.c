/* netio.c: socket helpers that survive a hostile network (Lab 05 reference solution). The
 * contracts are in netio.h. */
#define _POSIX_C_SOURCE 200809L

#include "netio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
        return -1;
    return 0;
}

int wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd pfd = {.fd = fd, .events = events};

    for (;;) {
        int64_t left = deadline - now_ms();
        int rc;

        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
        if (rc > 0)
            return 0;
        if (rc == -1 && errno != EINTR)
            return -1;
        /* rc == 0 (slice over) or EINTR: the loop works out what is left */
    }
}

void sleep_ms(long ms)
{
    struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        ; /* a signal woke us early: left holds what remains */
}

long backoff_delay(unsigned retry, long base_ms, long cap_ms, uint32_t r)
{
    long bound = base_ms;

    /* Double up to the cap, step by step: base_ms << (retry - 1) overflows for a large retry. */
    for (unsigned i = 1; i < retry && bound < cap_ms; i++)
        bound = bound > cap_ms / 2 ? cap_ms : bound * 2;
    if (bound > cap_ms)
        bound = cap_ms;
    return bound / 2 + (long)(r % (uint32_t)(bound / 2 + 1));
}

int connect_addr(const struct addrinfo *ai, int64_t deadline)
{
    int fd, err, saved;
    socklen_t len = sizeof err;

    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd == -1)
        return -1;
    if (set_nonblocking(fd) == -1)
        goto fail;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    /* EINPROGRESS: a non-blocking connect has started. EINTR: a signal came, and the kernel goes
     * on connecting in the background. Either way, wait until it is done and ask how it went;
     * calling connect() again would only say EALREADY. */
    if (errno != EINPROGRESS && errno != EINTR)
        goto fail;
    if (wait_fd(fd, POLLOUT, deadline) == -1)
        goto fail;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
        goto fail;
    if (err != 0) {
        errno = err;
        goto fail;
    }
    return fd;
fail:
    saved = errno; /* close() must not change the error the caller reports */
    close(fd);
    errno = saved;
    return -1;
}

int send_all(int fd, const void *buf, size_t len, int64_t deadline)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n == -1) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return -1;
            if (wait_fd(fd, POLLOUT, deadline) == -1)
                return -1;
            continue;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t recv_line(int fd, struct linebuf *lb, char *line, size_t size, int64_t deadline)
{
    for (;;) {
        ssize_t got = linebuf_next(lb, line, size), n;
        size_t room;
        char *space;

        if (got >= 0 || errno != EAGAIN)
            return got; /* a line, or EMSGSIZE */
        space = linebuf_space(lb, &room);
        n = recv(fd, space, room, 0);
        if (n > 0) {
            linebuf_commit(lb, (size_t)n);
        } else if (n == 0) {
            return -2;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (wait_fd(fd, POLLIN, deadline) == -1)
                return -1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
}
