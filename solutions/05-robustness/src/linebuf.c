/* linebuf.c: a bounded line buffer: bytes from a socket go in, complete lines come out (Lab 05
 * reference solution). The contracts are in linebuf.h. */
#define _POSIX_C_SOURCE 200809L

#include "linebuf.h"

#include <errno.h>
#include <string.h>

void linebuf_init(struct linebuf *lb)
{
    lb->used = 0;
}

char *linebuf_space(struct linebuf *lb, size_t *room)
{
    *room = sizeof lb->data - lb->used;
    return lb->data + lb->used;
}

void linebuf_commit(struct linebuf *lb, size_t n)
{
    lb->used += n;
}

ssize_t linebuf_next(struct linebuf *lb, char *line, size_t size)
{
    const char *newline = memchr(lb->data, '\n', lb->used);
    size_t taken, len;

    if (newline == NULL) {
        errno = lb->used == sizeof lb->data ? EMSGSIZE : EAGAIN;
        return -1;
    }
    taken = (size_t)(newline - lb->data) + 1; /* the line and its '\n' */
    len = taken - 1;
    if (len > 0 && lb->data[len - 1] == '\r')
        len--;
    if (len >= size) { /* cannot happen when size >= LINEBUF_SIZE, as the contract asks */
        errno = EMSGSIZE;
        return -1;
    }
    memcpy(line, lb->data, len);
    line[len] = '\0';
    memmove(lb->data, lb->data + taken, lb->used - taken);
    lb->used -= taken;
    return (ssize_t)len;
}

int linebuf_empty(const struct linebuf *lb)
{
    return lb->used == 0;
}
