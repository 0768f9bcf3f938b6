/* protocol.c: answer the line protocol's requests (Lab 02 reference). The contracts are in
 * protocol.h; the protocol is in section 4.1 of the handout. */
#define _POSIX_C_SOURCE 200809L

#include "protocol.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "linebuf.h"

#define CHARGEN_BATCH 56 /* lines per send(): 56 * 73 = 4088 bytes */

static const char unknown_reply[] = "ERR unknown command\n";
static const char bad_argument_reply[] = "ERR bad argument\n";
static const char too_long_reply[] = "ERR line too long\n";

/* A request cut in two at its first space: the command word, and what follows the space. */
struct request {
    const uint8_t *word;
    size_t word_len;
    int has_arg; /* 1 when there was a space, even with nothing after it */
    const uint8_t *arg;
    size_t arg_len;
};

int send_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, 0);

        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_text(int fd, const char *text)
{
    return send_all(fd, text, strlen(text));
}

int reply_too_long(int fd)
{
    return send_text(fd, too_long_reply);
}

static void split_request(const uint8_t *line, size_t len, struct request *req)
{
    const uint8_t *space = memchr(line, ' ', len);

    req->word = line;
    req->word_len = space != NULL ? (size_t)(space - line) : len;
    req->has_arg = space != NULL;
    req->arg = space != NULL ? space + 1 : line + len;
    req->arg_len = space != NULL ? len - req->word_len - 1 : 0;
}

static int is_command(const struct request *req, const char *word)
{
    size_t n = strlen(word);

    return req->word_len == n && memcmp(req->word, word, n) == 0;
}

/* Parse CHARGEN's count: decimal digits only, at most CHARGEN_MAX. Returns 0, or -1. */
static int parse_count(const uint8_t *text, size_t len, unsigned long *count)
{
    unsigned long value = 0;

    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (unsigned long)(text[i] - '0');
        if (value > CHARGEN_MAX)
            return -1;
    }
    *count = value;
    return 0;
}

int format_peer(const struct sockaddr *sa, char *buf, size_t len)
{
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
    struct sockaddr_in sin;

    if (sa->sa_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
        return format_sockaddr(sa, buf, len);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = sin6->sin6_port;
    memcpy(&sin.sin_addr, &sin6->sin6_addr.s6_addr[12], sizeof sin.sin_addr);
    return format_sockaddr((const struct sockaddr *)&sin, buf, len);
}

void chargen_line(unsigned long i, uint8_t out[CHARGEN_WIDTH + 1])
{
    for (unsigned long k = 0; k < CHARGEN_WIDTH; k++)
        out[k] = (uint8_t)('!' + (i + k) % 94);
    out[CHARGEN_WIDTH] = '\n';
}

/* The data and a '\n', in one send: two sends would let Nagle's algorithm hold back the '\n'. */
static int do_echo(int fd, const uint8_t *data, size_t len)
{
    uint8_t reply[MAX_LINE + 1];

    if (len > MAX_LINE) {
        errno = EMSGSIZE;
        return -1;
    }
    memcpy(reply, data, len);
    reply[len] = '\n';
    return send_all(fd, reply, len + 1);
}

static int do_who(int fd, const struct sockaddr *peer)
{
    char text[SOCKADDR_STRLEN], reply[SOCKADDR_STRLEN + 8];
    int n;

    if (format_peer(peer, text, sizeof text) == -1)
        return -1;
    n = snprintf(reply, sizeof reply, "YOU %s\n", text);
    if (n < 0)
        return -1;
    if ((size_t)n >= sizeof reply) {
        errno = ENOSPC;
        return -1;
    }
    return send_all(fd, reply, (size_t)n);
}

/* count lines of the pattern, a batch of whole lines per send(): a few thousand system calls for
 * a million lines, not a million. */
static int do_chargen(int fd, unsigned long count)
{
    uint8_t batch[CHARGEN_BATCH * (CHARGEN_WIDTH + 1)];
    size_t used = 0;

    for (unsigned long i = 0; i < count; i++) {
        chargen_line(i, batch + used);
        used += CHARGEN_WIDTH + 1;
        if (used == sizeof batch || i + 1 == count) {
            if (send_all(fd, batch, used) == -1)
                return -1;
            used = 0;
        }
    }
    return 0;
}

int handle_request(int fd, const struct sockaddr *peer, const uint8_t *line, size_t len)
{
    struct request req;
    unsigned long count;
    int rc;

    split_request(line, len, &req);
    if (is_command(&req, "ECHO"))
        rc = do_echo(fd, req.arg, req.arg_len);
    else if (is_command(&req, "PING"))
        rc = req.has_arg ? send_text(fd, bad_argument_reply) : send_text(fd, "PONG\n");
    else if (is_command(&req, "WHO"))
        rc = req.has_arg ? send_text(fd, bad_argument_reply) : do_who(fd, peer);
    else if (is_command(&req, "CHARGEN"))
        rc = parse_count(req.arg, req.arg_len, &count) == -1 ? send_text(fd, bad_argument_reply)
                                                             : do_chargen(fd, count);
    else if (is_command(&req, "QUIT")) {
        if (req.has_arg)
            rc = send_text(fd, bad_argument_reply);
        else
            return send_text(fd, "BYE\n") == -1 ? -1 : REPLY_CLOSE;
    } else
        rc = send_text(fd, unknown_reply);
    return rc == -1 ? -1 : REPLY_CONTINUE;
}
