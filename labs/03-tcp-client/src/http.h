/* http.h: the HTTP/1.1 client side of a GET: build the request, parse the response's status line,
 * headers and chunked framing, and copy its body exactly (Lab 03). Implemented in http.c. */
#ifndef HTTP_H
#define HTTP_H

#include <stdint.h>
#include <stdio.h>

#include "reader.h"

#define HTTP_LINE_MAX 8192  /* room for the longest status or header line, with its NUL */
#define HTTP_MAX_LINES 100  /* most header (or trailer) lines in one response */
#define HTTP_REASON_MAX 128 /* room for the reason phrase kept from the status line */

/* Results of http_read_head() and http_copy_body(). */
enum http_result {
    HTTP_OK = 0,
    HTTP_ERR_READ = -1,     /* reading the socket failed: see errno (ETIMEDOUT: nothing came) */
    HTTP_ERR_PROTOCOL = -2, /* the response breaks HTTP/1.1: resp->why says how */
    HTTP_ERR_WRITE = -3,    /* writing the body to out failed: see errno */
};

struct http_response {
    int status;                   /* 200 */
    char reason[HTTP_REASON_MAX]; /* "OK", cut short if longer */
    int chunked;                  /* Transfer-Encoding: chunked */
    int has_length;               /* a Content-Length header was present... */
    uint64_t content_length;      /* ...with this value */
    const char *why;              /* after HTTP_ERR_PROTOCOL: what was wrong (a constant text) */
};

/* Write the request for GET path from host and port (port "80" is left out of the Host header; an
 * IPv6 address goes in brackets) into buf, NUL-terminated:
 *   GET PATH HTTP/1.1\r\n
 *   Host: HOST[:PORT]\r\n
 *   User-Agent: httpget/1.0\r\n
 *   Connection: close\r\n
 *   \r\n
 * Returns its length (without the NUL), or -1 with errno ENOSPC when it does not fit in size. */
int http_build_request(char *buf, size_t size, const char *host, const char *port,
                       const char *path);

/* Parse a status line (line endings removed): "HTTP/1.1 200 OK". The version is HTTP/1.0 or
 * HTTP/1.1 (HTTP/1. and one digit); one space; three digits making a code from 100 to 599; then
 * the end of the line, or one space and the reason phrase (possibly empty).
 * Returns 0 and sets *status and *reason (pointing into line), or -1 with errno EBADMSG. */
int http_parse_status(const char *line, int *status, const char **reason);

/* Split a header line "Name: value" in place: *name is the text before the first ':' (at least
 * one character, letters, digits and !#$%&'*+-.^_`|~ only), *value the text after it without the
 * spaces and tabs at its start and end. line is changed (NULs are written into it).
 * Returns 0, or -1 with errno EBADMSG (no ':', an empty or invalid name). */
int http_parse_header(char *line, char **name, char **value);

/* Parse a Content-Length value: decimal digits only (at least one).
 * Returns 0 and sets *length, or -1 with errno EBADMSG (not a number) or ERANGE (above
 * UINT64_MAX). */
int http_parse_length(const char *text, uint64_t *length);

/* Parse a chunk-size line (line endings removed): hexadecimal digits (either case, at least one),
 * then optionally spaces or tabs and a chunk extension starting with ';', which is ignored:
 * "1a", "1A;name=value", "0".
 * Returns 0 and sets *size, or -1 with errno EBADMSG (malformed) or ERANGE (above UINT64_MAX). */
int http_parse_chunk_size(const char *line, uint64_t *size);

/* Read a response's status line and header lines, up to the empty line that ends them, into
 * *resp. An interim response (1xx) and its headers are skipped: the final response follows.
 * Returns HTTP_OK, HTTP_ERR_READ (errno set) or HTTP_ERR_PROTOCOL (resp->why set). */
int http_read_head(struct reader *r, struct http_response *resp);

/* Copy the body of the response whose head http_read_head() read to out, byte for byte: none for
 * status 204 and 304; chunked; else Content-Length bytes; else everything until the server closes.
 * Reads nothing after the body.
 * Returns HTTP_OK, HTTP_ERR_READ (errno), HTTP_ERR_PROTOCOL (resp->why) or HTTP_ERR_WRITE
 * (errno). */
int http_copy_body(struct reader *r, struct http_response *resp, FILE *out);

#endif
