/* tcpecho.c: a TCP server that echoes length-prefixed messages, each one whole and in one write
 * (Lab 04 reference solution).
 *
 *   usage: tcpecho [-p PORT]
 *   prints "listening on [::]:PORT" on stderr; serves one connection at a time; on SIGINT or
 *   SIGTERM prints its counts and exits */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "addr.h"
#include "bytes.h"
#include "signals.h"
#include "stream.h"

#define READ_CHUNK 65536
#define SEND_TIMEOUT_S 10 /* a client that does not read its echo for this long is dropped */

struct echo_counts {
    unsigned long connections, messages, bytes, errors;
};

/* The bytes received on a connection that are not yet a whole message. */
struct inbox {
    uint8_t *data;
    size_t used, cap;
};

static void usage(void)
{
    fprintf(stderr, "usage: tcpecho [-p PORT]\n");
}

/* A listening TCP socket on port, every address: IPv6 with IPV6_V6ONLY off, so that IPv4 clients
 * reach it too; plain IPv4 where this machine has no IPv6. Returns it, or -1 with errno set. */
static int listen_dual_stack(uint16_t port)
{
    struct sockaddr_in6 sin6;
    struct sockaddr_in sin;
    int fd, on = 1, off = 0, saved;

    fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd == -1 && errno == EAFNOSUPPORT) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd == -1)
            return -1;
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_ANY);
        sin.sin_port = htons(port);
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
            bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 || listen(fd, 16) == -1)
            goto fail;
        return fd;
    }
    if (fd == -1)
        return -1;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = in6addr_any;
    sin6.sin6_port = htons(port);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == -1 ||
        bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == -1 || listen(fd, 16) == -1)
        goto fail;
    return fd;
fail:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

/* Give up a send that makes no progress for SEND_TIMEOUT_S seconds (errno EAGAIN).
 * Returns 0, or -1 with errno set. */
static int set_send_timeout(int fd)
{
    struct timeval tv = {.tv_sec = SEND_TIMEOUT_S, .tv_usec = 0};

    return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Make room for `want` bytes in the inbox. Returns 0, or -1 with errno ENOMEM. */
static int inbox_reserve(struct inbox *in, size_t want)
{
    uint8_t *bigger;

    if (want <= in->cap)
        return 0;
    bigger = realloc(in->data, want);
    if (bigger == NULL) {
        errno = ENOMEM;
        return -1;
    }
    in->data = bigger;
    in->cap = want;
    return 0;
}

/* Echo every whole message at the start of the inbox, each in one write, and keep the rest.
 * Returns 0; or -1 with errno EMSGSIZE (a length above MESSAGE_MAX) or set by send_all. */
static int echo_whole_messages(int fd, struct inbox *in, struct echo_counts *c)
{
    size_t start = 0;

    while (in->used - start >= MESSAGE_HEADER_SIZE) {
        uint32_t length = get_be32(in->data + start);
        size_t whole = MESSAGE_HEADER_SIZE + (size_t)length;

        if (length > MESSAGE_MAX) {
            errno = EMSGSIZE;
            return -1;
        }
        if (in->used - start < whole)
            break; /* the rest of this message has not arrived yet */
        /* Header and payload in one write: two writes would let Nagle's algorithm hold back the
         * payload until the client acknowledges the header (the write-write-read stall). */
        if (send_all(fd, in->data + start, whole) == -1)
            return -1;
        c->messages++;
        c->bytes += length;
        start += whole;
    }
    memmove(in->data, in->data + start, in->used - start);
    in->used -= start;
    return 0;
}

/* Serve one connection until the client closes it, it fails, or a stop is requested.
 * Returns 0, or -1 with errno set when the stop came from an error of this connection. */
static int serve_connection(int fd, struct inbox *in, const sigset_t *waiting_mask,
                            struct echo_counts *c)
{
    in->used = 0;
    for (;;) {
        ssize_t n;
        size_t want = in->used + READ_CHUNK;
        int r = wait_readable(fd, waiting_mask);

        if (r <= 0)
            return r;
        if (in->used >= MESSAGE_HEADER_SIZE) {
            size_t whole = MESSAGE_HEADER_SIZE + (size_t)get_be32(in->data);

            if (whole > want && whole <= MESSAGE_HEADER_SIZE + (size_t)MESSAGE_MAX)
                want = whole; /* read the rest of a long message with few calls */
        }
        if (inbox_reserve(in, want) == -1)
            return -1;
        n = recv(fd, in->data + in->used, in->cap - in->used, MSG_DONTWAIT);
        if (n == -1 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n == -1)
            return -1;
        if (n == 0) {
            if (in->used > 0) {
                errno = EPROTO;
                return -1; /* closed in the middle of a message */
            }
            return 0;
        }
        in->used += (size_t)n;
        if (echo_whole_messages(fd, in, c) == -1)
            return -1;
    }
}

int main(int argc, char *argv[])
{
    struct echo_counts counts = {0, 0, 0, 0};
    struct inbox in = {NULL, 0, 0};
    uint16_t port = 0;
    sigset_t waiting_mask;
    int opt, fd = -1, r, status = EXIT_FAILURE;

    while ((opt = getopt(argc, argv, "p:")) != -1) {
        if (opt == 'p' && parse_port(optarg, &port) == 0)
            continue;
        usage();
        return 2;
    }
    if (optind != argc) {
        usage();
        return 2;
    }
    if (catch_stop_signals(&waiting_mask) == -1) {
        fprintf(stderr, "tcpecho: signals: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    fd = listen_dual_stack(port);
    /* Non-blocking: a connection that is gone again between wait_readable() and accept() must not
     * leave the server blocked in accept() with the stop signals blocked. */
    if (fd == -1 || fcntl(fd, F_SETFL, O_NONBLOCK) == -1 || announce_listening(fd) == -1) {
        fprintf(stderr, "tcpecho: port %u: %s\n", port, strerror(errno));
        goto out;
    }
    while ((r = wait_readable(fd, &waiting_mask)) == 1) {
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof peer;
        char text[SOCKADDR_STRLEN];
        int conn = accept(fd, (struct sockaddr *)&peer, &peer_len);

        if (conn == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                fprintf(stderr, "tcpecho: accept: %s\n", strerror(errno));
            continue;
        }
        counts.connections++;
        if (set_send_timeout(conn) == -1 ||
            serve_connection(conn, &in, &waiting_mask, &counts) == -1) {
            counts.errors++;
            if (format_sockaddr((struct sockaddr *)&peer, text, sizeof text) == -1)
                strcpy(text, "a client");
            fprintf(stderr, "tcpecho: connection from %s: %s\n", text, strerror(errno));
        }
        close(conn);
    }
    if (r == -1) {
        fprintf(stderr, "tcpecho: %s\n", strerror(errno));
        goto out;
    }
    printf("connections=%lu messages=%lu bytes=%lu errors=%lu\n", counts.connections,
           counts.messages, counts.bytes, counts.errors);
    status = fflush(stdout) == EOF ? EXIT_FAILURE : EXIT_SUCCESS;
out:
    if (fd != -1)
        close(fd);
    free(in.data);
    return status;
}
