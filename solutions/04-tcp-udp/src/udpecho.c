/* udpecho.c: a UDP echo server for IPv6 and IPv4 that never echoes a truncated datagram (Lab 04
 * reference solution).
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
    struct sockaddr_in6 sin6;
    struct sockaddr_in sin;
    int fd, off = 0, saved;

    fd = socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd == -1 && errno == EAFNOSUPPORT) {
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd == -1)
            return -1;
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_ANY);
        sin.sin_port = htons(port);
        if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
            goto fail;
        return fd;
    }
    if (fd == -1)
        return -1;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = in6addr_any;
    sin6.sin6_port = htons(port);
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == -1 ||
        bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == -1)
        goto fail;
    return fd;
fail:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

/* sendto(), retried when interrupted by a signal. Returns 0, or -1 with errno set. */
static int send_datagram(int fd, const uint8_t *buf, size_t n, const struct sockaddr_storage *to,
                         socklen_t to_len)
{
    ssize_t sent;

    do
        sent = sendto(fd, buf, n, 0, (const struct sockaddr *)to, to_len);
    while (sent == -1 && errno == EINTR);
    return sent == -1 ? -1 : 0;
}

/* Receive one datagram and send it back to where it came from, unless it did not fit in buf.
 * Returns 0 (also when one datagram could not be echoed: that is counted and reported), or -1
 * with errno set when the socket itself fails. */
static int echo_one(int fd, uint8_t *buf, size_t cap, struct echo_counts *c)
{
    struct sockaddr_storage from;
    socklen_t from_len;
    char text[SOCKADDR_STRLEN];
    ssize_t n;

    n = recv_datagram(fd, buf, cap, MSG_DONTWAIT, &from, &from_len);
    if (n == -1)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    if (format_sockaddr((struct sockaddr *)&from, text, sizeof text) == -1)
        strcpy(text, "an unknown address");
    if ((size_t)n > cap) {
        c->truncated++;
        fprintf(stderr,
                "udpecho: %zd-byte datagram from %s is longer than the buffer (%zu bytes); "
                "not echoed\n",
                n, text, cap);
        return 0;
    }
    /* n may be 0: an empty datagram is a datagram, and its echo is empty too. */
    if (send_datagram(fd, buf, (size_t)n, &from, from_len) == -1) {
        c->errors++;
        fprintf(stderr, "udpecho: echo to %s: %s\n", text, strerror(errno));
        return 0;
    }
    c->echoed++;
    c->bytes += (unsigned long)n;
    return 0;
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
