/* reader.h: read lines and bytes from a socket through a buffer, with a time limit on every wait
 * (Lab 03). Implemented in reader.c.
 *
 * recv() returns whatever has arrived: part of a line, or a line and the start of the body. A
 * reader keeps what it received but did not hand out yet, so that nothing is lost between
 * reader_line() and reader_read(). */
#ifndef READER_H
#define READER_H

#include <stddef.h>
#include <sys/types.h>

#define READER_BUFSIZE 16384

/* reader_line(): the connection closed before the end of the line. */
#define READER_CLOSED (-2)

struct reader {
    int fd;
    int timeout_ms;    /* the longest wait for the next bytes */
    size_t start, end; /* the bytes not handed out yet are buf[start] to buf[end - 1] */
    char buf[READER_BUFSIZE];
};

/* Start reading fd, with nothing buffered, waiting at most timeout_ms for each arrival. */
void reader_init(struct reader *r, int fd, int timeout_ms);

/* Read one line, up to '\n', into line (NUL-terminated, without the '\n' and without a '\r' just
 * before it). size is the room in line, at most READER_BUFSIZE - 1. Bytes after the '\n' stay
 * buffered for the next call.
 * Returns the line's length; READER_CLOSED if the connection closes before a '\n'; or -1 with
 * errno: EMSGSIZE (the line and its NUL do not fit in size bytes), ETIMEDOUT (nothing arrived
 * for timeout_ms), or recv's error. */
ssize_t reader_line(struct reader *r, char *line, size_t size);

/* Read up to len bytes into buf: the buffered ones first; only when none is buffered, wait for
 * the connection. len 0 returns 0 at once.
 * Returns how many bytes (at least 1), 0 at end of file, or -1 with errno (ETIMEDOUT, ...). */
ssize_t reader_read(struct reader *r, void *buf, size_t len);

#endif
