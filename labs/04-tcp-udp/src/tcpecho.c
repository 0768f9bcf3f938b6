/* tcpecho.c: a TCP server that echoes length-prefixed messages, each one whole and in one write
 * (Lab 04).
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
    /* TODO(lab 04): as udpecho's open_dual_stack(), with SOCK_STREAM, SO_REUSEADDR (so that a
     * restarted server can bind at once) and listen(). */
    (void)port;
    errno = ENOSYS;
    return -1;
}

/* Give up a send that makes no progress for SEND_TIMEOUT_S seconds (errno EAGAIN).
 * Returns 0, or -1 with errno set. */
static int set_send_timeout(int fd)
{
    struct timeval tv = {.tv_sec = SEND_TIMEOUT_S, .tv_usec = 0};

    return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Serve one connection until the client closes it, it fails, or a stop is requested.
 * Returns 0, or -1 with errno set when the stop came from an error of this connection. */
static int serve_connection(int fd, struct inbox *in, const sigset_t *waiting_mask,
                            struct echo_counts *c)
{
    /* TODO(lab 04): loop: wait_readable(fd, waiting_mask) (0: a stop was requested, return 0);
     * recv() with MSG_DONTWAIT what has arrived into the inbox (grow it with realloc() when
     * needed); then echo every whole message at its start: a message is whole once 4 + length
     * bytes are there; send it back in one send_all(), count it, and keep the bytes after it.
     * recv() returning 0 ends the connection (EPROTO if part of a message is left); a length
     * above MESSAGE_MAX is an error (EMSGSIZE). */
    (void)fd;
    (void)in;
    (void)waiting_mask;
    (void)c;
    errno = ENOSYS;
    return -1;
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
