/* linebuf.h: cut a stream of bytes into lines, binary-safe, with a limit on the length of a line
 * (Lab 02). Implemented in linebuf.c.
 *
 * TCP delivers bytes, not messages: one recv() may return half a line, or three lines and the
 * start of a fourth. A linebuf keeps what arrived until a whole line is there:
 *
 *     space = linebuf_space(&lb, &room);      recv() straight into the free space
 *     linebuf_commit(&lb, n);                 n bytes arrived
 *     while (linebuf_next(&lb, &line, &len) != LINE_NONE)
 *         ...                                 one line (or one over-long line) at a time
 */
#ifndef LINEBUF_H
#define LINEBUF_H

#include <stddef.h>
#include <stdint.h>

/* The longest line accepted: bytes before its '\n'. */
#define MAX_LINE 1024

/* A line buffer. The bytes not yet taken are data[consumed..used). Use the functions below rather
 * than the fields. */
struct linebuf {
    uint8_t data[MAX_LINE + 1]; /* room for the longest line and its '\n' */
    size_t used;                /* bytes stored in data */
    size_t consumed;            /* bytes at the front already taken by linebuf_next */
    int discarding;             /* 1 inside an over-long line: drop bytes up to its '\n' */
};

/* What linebuf_next found. */
enum line_status {
    LINE_NONE,    /* no complete line in the buffer: read more bytes */
    LINE_OK,      /* a line */
    LINE_TOO_LONG /* more than MAX_LINE bytes without a '\n' */
};

/* Start empty. */
void linebuf_init(struct linebuf *lb);

/* The free space at the end of the buffer, where the next bytes go (recv() into it); its size in
 * *room. Bytes already taken by linebuf_next are dropped first, which moves the others to the
 * front: a line returned earlier is no longer valid. After linebuf_next returned LINE_NONE,
 * *room is at least 1. */
uint8_t *linebuf_space(struct linebuf *lb, size_t *room);

/* Record that n bytes (at most the room that linebuf_space gave) were written into that space. */
void linebuf_commit(struct linebuf *lb, size_t n);

/* Take the next line from the buffer.
 *   LINE_OK        *line points to the line's bytes and *len is their number, without the '\n'.
 *                  Any byte may appear in a line, NUL included. Valid until the next call on lb.
 *   LINE_TOO_LONG  MAX_LINE + 1 bytes arrived without a '\n'. They are dropped, and so is the
 *                  rest of that line up to and including its '\n', as it arrives. Reported once
 *                  per line.
 *   LINE_NONE      no complete line is buffered. */
enum line_status linebuf_next(struct linebuf *lb, const uint8_t **line, size_t *len);

#endif
