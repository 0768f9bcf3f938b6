/* endpoints.c: connect to a TCP server, print both ends of the connection and the server's first
 * line (Lab 01 reference).
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
    struct addrinfo hints, *res, *ai;
    int fd = -1, saved = ECONNREFUSED;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    *gai_err = getaddrinfo(host, port, &hints, &res);
    if (*gai_err != 0)
        return -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd == -1) {
            saved = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd == -1)
        errno = saved;
    return fd;
}

/* Print "local ADDR:PORT" and "remote ADDR:PORT" for a connected socket.
 * Returns 0, or -1 with errno set by getsockname, getpeername or format_sockaddr. */
static int print_endpoints(int fd)
{
    struct sockaddr_storage local, remote;
    socklen_t local_len = sizeof local, remote_len = sizeof remote;
    char local_text[SOCKADDR_STRLEN], remote_text[SOCKADDR_STRLEN];

    if (getsockname(fd, (struct sockaddr *)&local, &local_len) == -1 ||
        getpeername(fd, (struct sockaddr *)&remote, &remote_len) == -1)
        return -1;
    if (format_sockaddr((struct sockaddr *)&local, local_text, sizeof local_text) == -1 ||
        format_sockaddr((struct sockaddr *)&remote, remote_text, sizeof remote_text) == -1)
        return -1;
    printf("local %s\nremote %s\n", local_text, remote_text);
    return 0;
}

/* Read one line, up to and including '\n', into buf (NUL-terminated, newline removed).
 * Reads one byte at a time so that nothing after the line is consumed.
 * Returns the line's length; -2 if the connection closed before a '\n'; -1 with errno set
 * (EMSGSIZE when the line does not fit in size bytes). */
static ssize_t read_line(int fd, char *buf, size_t size)
{
    size_t used = 0;
    char c;

    for (;;) {
        ssize_t n = recv(fd, &c, 1, 0);

        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        if (n == 0)
            return -2;
        if (c == '\n')
            break;
        if (used + 1 >= size) {
            errno = EMSGSIZE;
            return -1;
        }
        buf[used++] = c;
    }
    buf[used] = '\0';
    return (ssize_t)used;
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
