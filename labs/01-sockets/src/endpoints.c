/* endpoints.c: connect to a TCP server, print both ends of the connection and the server's first
 * line (Lab 01).
 *
 *   usage: endpoints HOST PORT
 *   prints "local ADDR:PORT", "remote ADDR:PORT" and "server: LINE" */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"

#define LINE_MAX_BYTES 512

static void usage(void)
{
    fprintf(stderr, "usage: endpoints HOST PORT\n");
}

/* Connect to the first address of host and port that accepts, trying each in getaddrinfo's order.
 * Returns the connected socket; or -1 with *gai_err set to a getaddrinfo error (name not found),
 * or -1 with *gai_err 0 and errno from the last address that failed. */
static int connect_any(const char *host, const char *port, int *gai_err)
{
    /* TODO(lab 01): getaddrinfo() with AF_UNSPEC, SOCK_STREAM and AI_NUMERICSERV; for each result,
     * socket() and connect(); keep the first that connects and close() every one that does not;
     * freeaddrinfo(). When none connects, leave the last connect() error in errno. */
    (void)host;
    (void)port;
    *gai_err = 0;
    errno = ENOSYS;
    return -1;
}

/* Print "local ADDR:PORT" and "remote ADDR:PORT" for a connected socket.
 * Returns 0, or -1 with errno set by getsockname, getpeername or format_sockaddr. */
static int print_endpoints(int fd)
{
    /* TODO(lab 01): getsockname() and getpeername() into struct sockaddr_storage, then
     * format_sockaddr() each and print the two lines. */
    (void)fd;
    errno = ENOSYS;
    return -1;
}

/* Read one line, up to and including '\n', into buf (NUL-terminated, newline removed).
 * Reads one byte at a time so that nothing after the line is consumed.
 * Returns the line's length; -2 if the connection closed before a '\n'; -1 with errno set
 * (EMSGSIZE when the line does not fit in size bytes). */
static ssize_t read_line(int fd, char *buf, size_t size)
{
    /* TODO(lab 01): recv() one byte at a time until '\n': retry on EINTR, return -2 when recv()
     * returns 0 (the server closed first), and stop with EMSGSIZE before buf overflows. */
    (void)fd;
    (void)buf;
    (void)size;
    errno = ENOSYS;
    return -1;
}

int main(int argc, char *argv[])
{
    const char *host, *port;
    char line[LINE_MAX_BYTES];
    uint16_t port_number;
    int fd, gai_err, status = EXIT_FAILURE;
    ssize_t n;

    if (argc != 3 || parse_port(argv[2], &port_number) == -1 || port_number == 0) {
        usage();
        return 2;
    }
    host = argv[1];
    port = argv[2];
    fd = connect_any(host, port, &gai_err);
    if (fd == -1) {
        if (gai_err != 0)
            fprintf(stderr, "endpoints: %s: %s\n", host,
                    gai_err == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai_err));
        else
            fprintf(stderr, "endpoints: connect to %s port %s: %s\n", host, port, strerror(errno));
        return EXIT_FAILURE;
    }
    if (print_endpoints(fd) == -1) {
        fprintf(stderr, "endpoints: cannot read the socket's addresses: %s\n", strerror(errno));
        goto out;
    }
    n = read_line(fd, line, sizeof line);
    if (n == -2) {
        fprintf(stderr, "endpoints: %s port %s closed the connection before a complete line\n",
                host, port);
        goto out;
    }
    if (n == -1) {
        fprintf(stderr, "endpoints: reading from %s port %s: %s\n", host, port, strerror(errno));
        goto out;
    }
    printf("server: %s\n", line);
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "endpoints: write error: %s\n", strerror(errno));
        goto out;
    }
    status = EXIT_SUCCESS;
out:
    close(fd);
    return status;
}
