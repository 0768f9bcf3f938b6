/* reader.c: read lines and bytes from a socket through a buffer, with a time limit on every wait
 * (Lab 03 reference solution). The contracts are in reader.h. */
#define _POSIX_C_SOURCE 200809L

#include "reader.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"

void reader_init(struct reader *r, int fd, int timeout_ms)
{
    r->fd = fd;
    r->timeout_ms = timeout_ms;
    r->start = 0;
    r->end = 0;
}

/* Move the unread bytes to the front of the buffer, then wait for more and append them.
 * Returns how many bytes arrived, 0 at end of file, or -1 with errno (ETIMEDOUT, ...).
 * The caller makes sure the buffer is not full. */
static ssize_t fill(struct reader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    for (;;) {
        ssize_t n;

        if (wait_fd(r->fd, POLLIN, r->timeout_ms) == -1)
            return -1;
        n = recv(r->fd, r->buf + r->end, sizeof r->buf - r->end, 0);
        if (n >= 0) {
            r->end += (size_t)n;
            return n;
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
    }
}

ssize_t reader_line(struct reader *r, char *line, size_t size)
{
    size_t scanned = 0; /* buffered bytes already known not to be '\n' */

    for (;;) {
        size_t have = r->end - r->start;
        char *first = r->buf + r->start;
        char *nl = memchr(first + scanned, '\n', have - scanned);
        ssize_t n;

        if (nl != NULL) {
            size_t len = (size_t)(nl - first);

            r->start += len + 1;
            if (len > 0 && first[len - 1] == '\r')
                len--;
            if (len >= size) {
                errno = EMSGSIZE;
                return -1;
            }
            memcpy(line, first, len);
            line[len] = '\0';
            return (ssize_t)len;
        }
        scanned = have;
        if (scanned > size) { /* even without a '\r' to drop, it cannot fit any more */
            errno = EMSGSIZE;
            return -1;
        }
        n = fill(r);
        if (n == 0)
            return READER_CLOSED;
        if (n == -1)
            return -1;
    }
}

ssize_t reader_read(struct reader *r, void *buf, size_t len)
{
    size_t have;

    if (len == 0)
        return 0;
    if (r->start == r->end) {
        ssize_t n;

        r->start = r->end = 0;
        n = fill(r);
        if (n <= 0)
            return n;
    }
    have = r->end - r->start;
    if (have > len)
        have = len;
    memcpy(buf, r->buf + r->start, have);
    r->start += have;
    return (ssize_t)have;
}
