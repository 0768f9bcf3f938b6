/* udpecho.c: a UDP echo server for IPv6 and IPv4 that never echoes a truncated datagram (Lab 04).
 *
 *   usage: udpecho [-p PORT] [-b BYTES]
 *   prints "listening on [::]:PORT" on stderr; on SIGINT or SIGTERM prints its counts and exits */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "datagram.h"
#include "signals.h"

#define DEFAULT_BUFFER 65536 /* more than any UDP payload: nothing is ever truncated */

struct echo_counts {
    unsigned long echoed, bytes, truncated, errors;
};

static void usage(void)
{
    fprintf(stderr, "usage: udpecho [-p PORT] [-b BYTES]\n");
}

/* A UDP socket bound to port on every address: IPv6 with IPV6_V6ONLY off, so that IPv4 clients
 * reach it too (as ::ffff:a.b.c.d); plain IPv4 where this machine has no IPv6.
 * Returns the socket, or -1 with errno set. */
static int open_dual_stack(uint16_t port)
{
    /* TODO(lab 04): socket(AF_INET6, SOCK_DGRAM, 0); setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
     * bind to in6addr_any and htons(port). If socket() fails with EAFNOSUPPORT, do the same with
     * AF_INET and INADDR_ANY instead. On any failure, close the socket and keep errno. */
    (void)port;
    errno = ENOSYS;
    return -1;
}

/* Receive one datagram and send it back to where it came from, unless it did not fit in buf.
 * Returns 0 (also when one datagram could not be echoed: that is counted and reported), or -1
 * with errno set when the socket itself fails. */
static int echo_one(int fd, uint8_t *buf, size_t cap, struct echo_counts *c)
{
    /* TODO(lab 04): recv_datagram() with MSG_DONTWAIT (EAGAIN: nothing after all, return 0). A
     * datagram longer than cap is counted as truncated and reported on stderr, not echoed; any
     * other (an empty one too) goes back to its sender with sendto(), retried on EINTR. A failed
     * sendto() is counted in errors and reported; it does not stop the server. */
    (void)fd;
    (void)buf;
    (void)cap;
    (void)c;
    errno = ENOSYS;
    return -1;
}

int main(int argc, char *argv[])
{
    struct echo_counts counts = {0, 0, 0, 0};
    unsigned long cap = DEFAULT_BUFFER;
    uint16_t port = 0;
    sigset_t waiting_mask;
    uint8_t *buf = NULL;
    int opt, fd = -1, r, status = EXIT_FAILURE;

    while ((opt = getopt(argc, argv, "p:b:")) != -1) {
        if ((opt == 'p' && parse_port(optarg, &port) == 0) ||
            (opt == 'b' && parse_number(optarg, 1, DEFAULT_BUFFER, &cap) == 0))
            continue;
        usage();
        return 2;
    }
    if (optind != argc) {
        usage();
        return 2;
    }
    if (catch_stop_signals(&waiting_mask) == -1) {
        fprintf(stderr, "udpecho: signals: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    buf = malloc(cap);
    if (buf == NULL) {
        fprintf(stderr, "udpecho: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    fd = open_dual_stack(port);
    if (fd == -1 || announce_listening(fd) == -1) {
        fprintf(stderr, "udpecho: port %u: %s\n", port, strerror(errno));
        goto out;
    }
    while ((r = wait_readable(fd, &waiting_mask)) == 1) {
        if (echo_one(fd, buf, cap, &counts) == -1) {
            r = -1;
            break;
        }
    }
    if (r == -1) {
        fprintf(stderr, "udpecho: %s\n", strerror(errno));
        goto out;
    }
    printf("echoed=%lu bytes=%lu truncated=%lu errors=%lu\n", counts.echoed, counts.bytes,
           counts.truncated, counts.errors);
    status = fflush(stdout) == EOF ? EXIT_FAILURE : EXIT_SUCCESS;
out:
    if (fd != -1)
        close(fd);
    free(buf);
    return status;
}
