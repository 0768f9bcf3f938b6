/* netio.c: socket helpers that survive a hostile network (Lab 05). The contracts are in netio.h. */
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
    /* TODO(lab 05): poll() this one descriptor with the milliseconds left until the deadline.
     * Ready: 0. Time is up: ETIMEDOUT. EINTR: work out what is left and poll again. */
    (void)fd;
    (void)events;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}

void sleep_ms(long ms)
{
    /* TODO(lab 05): nanosleep(); when a signal interrupts it (EINTR), its second argument holds
     * the time left: sleep that. */
    (void)ms;
}

long backoff_delay(unsigned retry, long base_ms, long cap_ms, uint32_t r)
{
    /* TODO(lab 05): b = min(cap_ms, base_ms * 2^(retry - 1)), computed without overflow (double
     * step by step and stop at the cap: base_ms << 40 is undefined); then b / 2 + r % (b / 2 + 1).
     */
    (void)retry;
    (void)base_ms;
    (void)cap_ms;
    (void)r;
    return 0;
}

int connect_addr(const struct addrinfo *ai, int64_t deadline)
{
    /* TODO(lab 05): socket(), set_nonblocking(), connect(). 0: connected. EINPROGRESS or EINTR:
     * wait_fd(POLLOUT) until the deadline, then getsockopt(SO_ERROR) says how it went (0, or the
     * errno to report). On failure, close the socket without losing errno. */
    (void)ai;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}

int send_all(int fd, const void *buf, size_t len, int64_t deadline)
{
    /* TODO(lab 05): send() with MSG_NOSIGNAL until all len bytes are gone: advance past what
     * each call sent, retry EINTR, wait_fd(POLLOUT) on EAGAIN. */
    (void)fd;
    (void)buf;
    (void)len;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}

ssize_t recv_line(int fd, struct linebuf *lb, char *line, size_t size, int64_t deadline)
{
    /* TODO(lab 05): loop: a line in lb? return it (linebuf_next). Otherwise recv() into
     * linebuf_space(): bytes (commit them), 0 (the peer closed: -2), EINTR (again), EAGAIN
     * (wait_fd(POLLIN) until the deadline), or an error. */
    (void)fd;
    (void)lb;
    (void)line;
    (void)size;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}
