/* linebuf.h: a bounded line buffer: bytes from a socket go in, complete lines come out (Lab 05).
 * Implemented in linebuf.c.
 *
 * A TCP stream has no message boundaries: one recv() may return half a line, or three lines and
 * the start of a fourth. A line buffer keeps what has arrived until a whole line is there, and it
 * never grows: a line longer than the buffer is an error, not a reason to allocate more. */
#ifndef LINEBUF_H
#define LINEBUF_H

#include <stddef.h>
#include <sys/types.h>

/* The longest line, its '\n' included. */
#define LINEBUF_SIZE 1024

struct linebuf {
    char data[LINEBUF_SIZE];
    size_t used; /* bytes held, from data[0] */
};

/* Make lb empty. */
void linebuf_init(struct linebuf *lb);

/* Where the next bytes may be written, and how many (*room, 0 when the buffer is full). Write at
 * most *room bytes there (with recv), then call linebuf_commit with the number written. */
char *linebuf_space(struct linebuf *lb, size_t *room);

/* Count n more bytes as held (n no more than the room linebuf_space gave). */
void linebuf_commit(struct linebuf *lb, size_t n);

/* Take the first complete line out of lb: copy it into line without its '\n' (and without a '\r'
 * just before it), NUL-terminated, and drop it from lb; the bytes after it stay for the next call.
 * line has room for size bytes, at least LINEBUF_SIZE.
 * Returns the line's length (it may contain any byte, NUL included), or -1 with errno EAGAIN (no
 * complete line yet: read more) or EMSGSIZE (the buffer is full and holds no '\n': the line is
 * too long; lb is left as it is). */
ssize_t linebuf_next(struct linebuf *lb, char *line, size_t size);

/* Whether lb holds no byte. */
int linebuf_empty(const struct linebuf *lb);

#endif
