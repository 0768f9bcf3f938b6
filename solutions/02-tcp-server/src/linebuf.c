/* linebuf.c: cut a stream of bytes into lines, binary-safe, with a limit on the length of a line
 * (Lab 02 reference). The contracts are in linebuf.h. */
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
    if (lb->consumed > 0) {
        memmove(lb->data, lb->data + lb->consumed, lb->used - lb->consumed);
        lb->used -= lb->consumed;
        lb->consumed = 0;
    }
    *room = sizeof lb->data - lb->used;
    return lb->data + lb->used;
}

void linebuf_commit(struct linebuf *lb, size_t n)
{
    lb->used += n;
}

enum line_status linebuf_next(struct linebuf *lb, const uint8_t **line, size_t *len)
{
    for (;;) {
        const uint8_t *start = lb->data + lb->consumed;
        size_t avail = lb->used - lb->consumed;
        const uint8_t *newline = memchr(start, '\n', avail);

        if (lb->discarding) {
            if (newline == NULL) {
                lb->consumed = lb->used; /* all of it belongs to the over-long line */
                return LINE_NONE;
            }
            lb->consumed += (size_t)(newline - start) + 1;
            lb->discarding = 0;
            continue;
        }
        if (newline != NULL) {
            *line = start;
            *len = (size_t)(newline - start);
            lb->consumed += *len + 1;
            return LINE_OK;
        }
        if (avail > MAX_LINE) {
            lb->consumed = lb->used;
            lb->discarding = 1;
            return LINE_TOO_LONG;
        }
        return LINE_NONE;
    }
}
