/* reader.c: read lines and bytes from a socket through a buffer, with a time limit on every wait
 * (Lab 03). The contracts are in reader.h. */
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

/* TODO(lab 03): a helper that both functions below need, for example
 *     static ssize_t fill(struct reader *r);
 * "move the unread bytes to the front of buf, wait_fd(POLLIN) for at most r->timeout_ms, then
 * recv() into the free space after them; retry EINTR; return what recv returned". */

ssize_t reader_line(struct reader *r, char *line, size_t size)
{
    /* TODO(lab 03): look for '\n' in the buffered bytes (memchr); none yet: fill and look again
     * (only in the new bytes). Found: copy the line without "\n" or "\r\n" and move r->start past
     * the '\n'. EMSGSIZE as soon as the line cannot fit in size bytes any more; READER_CLOSED
     * when recv() returns 0 first. */
    (void)r;
    (void)line;
    (void)size;
    errno = ENOSYS;
    return -1;
}

ssize_t reader_read(struct reader *r, void *buf, size_t len)
{
    /* TODO(lab 03): hand out buffered bytes first (at most len); fill only when none is left. */
    (void)r;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}
