/* linebuf.c: a bounded line buffer: bytes from a socket go in, complete lines come out (Lab 05).
 * The contracts are in linebuf.h. */
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
    /* TODO(lab 05): the free part of lb->data starts after the bytes held; how big is it? */
    *room = 0;
    return lb->data;
}

void linebuf_commit(struct linebuf *lb, size_t n)
{
    /* TODO(lab 05): n more bytes are held. */
    (void)lb;
    (void)n;
}

ssize_t linebuf_next(struct linebuf *lb, char *line, size_t size)
{
    /* TODO(lab 05): find the first '\n' among the bytes held (memchr). None: EAGAIN, or EMSGSIZE
     * when the buffer is full. Otherwise copy the line without its '\n' (and without a '\r' just
     * before it) into line, NUL-terminate it, and move the bytes after the '\n' to the front of
     * lb->data (memmove: the two areas overlap). */
    (void)lb;
    (void)line;
    (void)size;
    errno = ENOSYS;
    return -1;
}

int linebuf_empty(const struct linebuf *lb)
{
    return lb->used == 0;
}
