/* http.c: the HTTP/1.1 client side of a GET: build the request, parse the response's head and
 * framing, copy its body exactly (Lab 03 reference solution). The contracts are in http.h. */
#define _POSIX_C_SOURCE 200809L

#include "http.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#define COPY_BUFSIZE 16384

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The value of a hexadecimal digit, or -1. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A character allowed in a header name (RFC 9110's "tchar"). */
static int is_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

int http_build_request(char *buf, size_t size, const char *host, const char *port, const char *path)
{
    int v6 = strchr(host, ':') != NULL, n;

    n = snprintf(buf, size,
                 "GET %s HTTP/1.1\r\n"
                 "Host: %s%s%s%s%s\r\n"
                 "User-Agent: httpget/1.0\r\n"
                 "Connection: close\r\n"
                 "\r\n",
                 path, v6 ? "[" : "", host, v6 ? "]" : "", strcmp(port, "80") == 0 ? "" : ":",
                 strcmp(port, "80") == 0 ? "" : port);
    if (n < 0)
        return -1;
    if ((size_t)n >= size) {
        errno = ENOSPC;
        return -1;
    }
    return n;
}

int http_parse_status(const char *line, int *status, const char **reason)
{
    const char *code;
    int value;

    if (strncmp(line, "HTTP/1.", 7) != 0 || !is_digit(line[7]) || line[8] != ' ') {
        errno = EBADMSG;
        return -1;
    }
    code = line + 9;
    if (!is_digit(code[0]) || !is_digit(code[1]) || !is_digit(code[2]) ||
        (code[3] != '\0' && code[3] != ' ')) {
        errno = EBADMSG;
        return -1;
    }
    value = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    if (value < 100 || value > 599) {
        errno = EBADMSG;
        return -1;
    }
    *status = value;
    *reason = code[3] == ' ' ? code + 4 : code + 3;
    return 0;
}

int http_parse_header(char *line, char **name, char **value)
{
    char *colon = strchr(line, ':'), *start, *end;

    if (colon == NULL || colon == line) {
        errno = EBADMSG;
        return -1;
    }
    for (char *p = line; p < colon; p++) {
        if (!is_token_char(*p)) {
            errno = EBADMSG;
            return -1;
        }
    }
    *colon = '\0';
    start = colon + 1;
    while (*start == ' ' || *start == '\t')
        start++;
    end = start + strlen(start);
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *end = '\0';
    *name = line;
    *value = start;
    return 0;
}

int http_parse_length(const char *text, uint64_t *length)
{
    uint64_t value = 0;
    const char *p;

    if (*text == '\0') {
        errno = EBADMSG;
        return -1;
    }
    for (p = text; *p != '\0'; p++) {
        if (!is_digit(*p)) {
            errno = EBADMSG;
            return -1;
        }
    }
    for (p = text; *p != '\0'; p++) {
        unsigned digit = (unsigned)(*p - '0');

        if (value > (UINT64_MAX - digit) / 10) {
            errno = ERANGE;
            return -1;
        }
        value = value * 10 + digit;
    }
    *length = value;
    return 0;
}

int http_parse_chunk_size(const char *line, uint64_t *size)
{
    uint64_t value = 0;
    const char *p = line;

    if (hex_value(*p) == -1) {
        errno = EBADMSG;
        return -1;
    }
    for (; hex_value(*p) != -1; p++) {
        if (value > UINT64_MAX >> 4) {
            errno = ERANGE;
            return -1;
        }
        value = value << 4 | (uint64_t)hex_value(*p);
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '\0' && *p != ';') {
        errno = EBADMSG;
        return -1;
    }
    *size = value;
    return 0;
}

/* Record why the response is broken; returns HTTP_ERR_PROTOCOL. */
static int broken(struct http_response *resp, const char *why)
{
    resp->why = why;
    return HTTP_ERR_PROTOCOL;
}

/* Read one line of the head (or of the chunked framing) into line, which has HTTP_LINE_MAX
 * bytes; closing before its end is a protocol error described by `closed`.
 * Returns HTTP_OK, HTTP_ERR_READ or HTTP_ERR_PROTOCOL. */
static int next_line(struct reader *r, char *line, struct http_response *resp, const char *closed)
{
    ssize_t n = reader_line(r, line, HTTP_LINE_MAX);

    if (n == READER_CLOSED)
        return broken(resp, closed);
    if (n == -1 && errno == EMSGSIZE)
        return broken(resp, "a line longer than 8191 bytes");
    if (n == -1)
        return HTTP_ERR_READ;
    if (strlen(line) != (size_t)n)
        return broken(resp, "a NUL byte in a line");
    return HTTP_OK;
}

/* Use one header: Content-Length and Transfer-Encoding decide how the body is framed. */
static int use_header(struct http_response *resp, const char *name, const char *value)
{
    uint64_t length;

    if (strcasecmp(name, "Content-Length") == 0) {
        if (http_parse_length(value, &length) == -1)
            return broken(resp, "malformed Content-Length");
        if (resp->has_length && length != resp->content_length)
            return broken(resp, "conflicting Content-Length headers");
        resp->has_length = 1;
        resp->content_length = length;
    } else if (strcasecmp(name, "Transfer-Encoding") == 0) {
        if (strcasecmp(value, "chunked") != 0)
            return broken(resp, "unsupported Transfer-Encoding");
        resp->chunked = 1;
    }
    return HTTP_OK;
}

/* Read one response's status line and headers into *resp. */
static int read_one_head(struct reader *r, struct http_response *resp)
{
    const char *closed = "the connection closed before the end of the response head";
    char line[HTTP_LINE_MAX], *name, *value;
    const char *reason;
    int rc;

    memset(resp, 0, sizeof *resp);
    rc = next_line(r, line, resp, closed);
    if (rc != HTTP_OK)
        return rc;
    if (http_parse_status(line, &resp->status, &reason) == -1)
        return broken(resp, "malformed status line");
    snprintf(resp->reason, sizeof resp->reason, "%s", reason);
    for (int i = 0;; i++) {
        rc = next_line(r, line, resp, closed);
        if (rc != HTTP_OK)
            return rc;
        if (line[0] == '\0')
            return HTTP_OK;
        if (i == HTTP_MAX_LINES)
            return broken(resp, "too many header lines");
        if (http_parse_header(line, &name, &value) == -1)
            return broken(resp, "malformed header line");
        rc = use_header(resp, name, value);
        if (rc != HTTP_OK)
            return rc;
    }
}

int http_read_head(struct reader *r, struct http_response *resp)
{
    int rc;

    do {
        rc = read_one_head(r, resp);
    } while (rc == HTTP_OK && resp->status < 200); /* 1xx: interim, the final response follows */
    return rc;
}

/* Copy exactly n bytes of body from r to out. */
static int copy_exact(struct reader *r, struct http_response *resp, FILE *out, uint64_t n)
{
    char buf[COPY_BUFSIZE];

    while (n > 0) {
        size_t want = n < sizeof buf ? (size_t)n : sizeof buf;
        ssize_t got = reader_read(r, buf, want);

        if (got == -1)
            return HTTP_ERR_READ;
        if (got == 0)
            return broken(resp, "the connection closed before the end of the body");
        if (fwrite(buf, 1, (size_t)got, out) != (size_t)got)
            return HTTP_ERR_WRITE;
        n -= (uint64_t)got;
    }
    return HTTP_OK;
}

/* Copy everything until the server closes the connection. */
static int copy_to_end(struct reader *r, FILE *out)
{
    char buf[COPY_BUFSIZE];
    ssize_t got;

    while ((got = reader_read(r, buf, sizeof buf)) > 0) {
        if (fwrite(buf, 1, (size_t)got, out) != (size_t)got)
            return HTTP_ERR_WRITE;
    }
    return got == 0 ? HTTP_OK : HTTP_ERR_READ;
}

/* Copy a chunked body: chunks of "SIZE\r\n" DATA "\r\n" up to a chunk of size 0, then trailer
 * lines (ignored) up to an empty line. */
static int copy_chunked(struct reader *r, struct http_response *resp, FILE *out)
{
    const char *closed = "the connection closed before the end of the body";
    char line[HTTP_LINE_MAX];
    uint64_t size;
    int rc;

    for (;;) {
        rc = next_line(r, line, resp, closed);
        if (rc != HTTP_OK)
            return rc;
        if (http_parse_chunk_size(line, &size) == -1)
            return broken(resp, "malformed chunk size");
        if (size == 0)
            break;
        rc = copy_exact(r, resp, out, size);
        if (rc == HTTP_OK)
            rc = next_line(r, line, resp, closed);
        if (rc != HTTP_OK)
            return rc;
        if (line[0] != '\0')
            return broken(resp, "chunk data not followed by CRLF");
    }
    for (int i = 0;; i++) {
        rc = next_line(r, line, resp, closed);
        if (rc != HTTP_OK || line[0] == '\0')
            return rc;
        if (i == HTTP_MAX_LINES)
            return broken(resp, "too many trailer lines");
    }
}

int http_copy_body(struct reader *r, struct http_response *resp, FILE *out)
{
    if (resp->status == 204 || resp->status == 304)
        return HTTP_OK;
    if (resp->chunked)
        return copy_chunked(r, resp, out);
    if (resp->has_length)
        return copy_exact(r, resp, out, resp->content_length);
    return copy_to_end(r, out);
}
