/* linebuf.c: cut a stream of bytes into lines, binary-safe, with a limit on the length of a line
 * (Lab 02). The contracts are in linebuf.h. */
#define _POSIX_C_SOURCE 200809L

#include "linebuf.h"

#include <string.h>

void linebuf_init(struct linebuf *lb)
{
    lb->used = 0;
    lb->consumed = 0;
    lb->discarding = 0;
}

uint8_t *linebuf_space(struct linebuf *lb, size_t *room)
{
    /* TODO(lab 02): drop the bytes linebuf_next already took (data[0..consumed)) by moving the
     * others to the front: memmove(), since the two ranges may overlap. Then the free space is
     * what follows data[used], up to the end of data. */
    *room = 0;
    return lb->data + lb->used;
}

void linebuf_commit(struct linebuf *lb, size_t n)
{
    /* TODO(lab 02): n more bytes are stored. */
    (void)lb;
    (void)n;
}

enum line_status linebuf_next(struct linebuf *lb, const uint8_t **line, size_t *len)
{
    /* TODO(lab 02): look for '\n' in data[consumed..used) with memchr() (a line may hold NUL
     * bytes: not strchr()).
     *   - found: the line is the bytes before it; mark them and the '\n' as consumed.
     *   - not found, and more than MAX_LINE bytes waiting: LINE_TOO_LONG; drop them, and set
     *     discarding, so that the bytes up to the next '\n' are dropped as they come.
     *   - otherwise LINE_NONE: wait for more bytes.
     * While discarding, first drop everything up to and including a '\n' (or all of it). */
    (void)lb;
    (void)line;
    (void)len;
    return LINE_NONE;
}
