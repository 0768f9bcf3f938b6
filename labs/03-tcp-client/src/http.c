/* http.c: the HTTP/1.1 client side of a GET: build the request, parse the response's head and
 * framing, copy its body exactly (Lab 03). The contracts are in http.h. */
#define _POSIX_C_SOURCE 200809L

#include "http.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

int http_build_request(char *buf, size_t size, const char *host, const char *port, const char *path)
{
    /* TODO(lab 03): one snprintf() of the five lines in http.h; brackets when host contains ':';
     * ":PORT" unless port is "80". snprintf returns the length it wanted: compare with size. */
    (void)buf;
    (void)size;
    (void)host;
    (void)port;
    (void)path;
    errno = ENOSYS;
    return -1;
}

int http_parse_status(const char *line, int *status, const char **reason)
{
    /* TODO(lab 03): "HTTP/1.", a digit, ' ', three digits (100 to 599), then the end of the line
     * or ' ' and the reason. Check each character; sscanf() would accept too much. */
    (void)line;
    (void)status;
    (void)reason;
    errno = ENOSYS;
    return -1;
}

int http_parse_header(char *line, char **name, char **value)
{
    /* TODO(lab 03): find the first ':'; check the name before it; write '\0' over the ':'; skip
     * spaces and tabs after it; cut spaces and tabs at the end of the value. */
    (void)line;
    (void)name;
    (void)value;
    errno = ENOSYS;
    return -1;
}

int http_parse_length(const char *text, uint64_t *length)
{
    /* TODO(lab 03): digits only (atoi and strtoull accept "-5", " 5" and "5x"); check for
     * overflow before each value * 10 + digit. */
    (void)text;
    (void)length;
    errno = ENOSYS;
    return -1;
}

int http_parse_chunk_size(const char *line, uint64_t *size)
{
    /* TODO(lab 03): the size is hexadecimal: "1a" is 26. Then only spaces/tabs, or ';' and an
     * extension to ignore. Check for overflow before each value * 16 + digit. */
    (void)line;
    (void)size;
    errno = ENOSYS;
    return -1;
}

int http_read_head(struct reader *r, struct http_response *resp)
{
    /* TODO(lab 03): memset *resp to 0; reader_line() the status line and http_parse_status() it;
     * then reader_line() and http_parse_header() each header line until an empty line:
     * Content-Length and Transfer-Encoding (names in any case: strcasecmp) decide the framing.
     * Set resp->why and return HTTP_ERR_PROTOCOL for anything malformed (see the handout, 4.4),
     * including a connection closed early (READER_CLOSED) or a line too long (EMSGSIZE).
     * A 1xx status: read the next head. */
    (void)r;
    memset(resp, 0, sizeof *resp);
    errno = ENOSYS;
    return HTTP_ERR_READ;
}

int http_copy_body(struct reader *r, struct http_response *resp, FILE *out)
{
    /* TODO(lab 03): no body for 204 and 304; chunked; Content-Length; else until the end.
     * reader_read() and fwrite() (never a string function: the body may hold '\0' bytes). */
    (void)r;
    (void)resp;
    (void)out;
    errno = ENOSYS;
    return HTTP_ERR_READ;
}
