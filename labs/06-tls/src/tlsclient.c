/* tlsclient.c: send standard input to a TLS server over a verified connection and print the
 * server's answer, which ends with the server's close_notify (Lab 06).
 *
 *   usage: tlsclient [-a CAFILE] [-c CERTFILE -k KEYFILE] [-t SECONDS] HOST PORT */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "tls.h"

#define DEFAULT_TIMEOUT 10
#define MAX_TIMEOUT 3600

struct options {
    const char *cafile, *certfile, *keyfile, *host, *port;
    unsigned int timeout;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: tlsclient [-a CAFILE] [-c CERTFILE -k KEYFILE] [-t SECONDS] HOST PORT\n");
}

/* Fill *o from the command line. Returns 0, or -1 for a usage error. */
static int parse_options(int argc, char *argv[], struct options *o)
{
    unsigned long value;
    int opt;

    memset(o, 0, sizeof *o);
    o->timeout = DEFAULT_TIMEOUT;
    while ((opt = getopt(argc, argv, "a:c:k:t:")) != -1) {
        switch (opt) {
        case 'a':
            o->cafile = optarg;
            break;
        case 'c':
            o->certfile = optarg;
            break;
        case 'k':
            o->keyfile = optarg;
            break;
        case 't':
            if (parse_number(optarg, MAX_TIMEOUT, &value) == -1 || value == 0)
                return -1;
            o->timeout = (unsigned int)value;
            break;
        default:
            return -1;
        }
    }
    if (argc - optind != 2 || (o->certfile == NULL) != (o->keyfile == NULL))
        return -1;
    o->host = argv[optind];
    o->port = argv[optind + 1];
    if (parse_number(o->port, 65535, &value) == -1 || value == 0)
        return -1;
    return 0;
}

/* Send all of standard input over ssl. Returns 0; -1 with errno when sending fails; -2 with
 * errno when reading standard input fails. */
static int send_request(SSL *ssl, unsigned int timeout)
{
    char buf[16384];

    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        struct timespec deadline;

        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -2;
        if (n == 0)
            return 0;
        deadline = deadline_in(timeout);
        if (tls_write_all(ssl, buf, (size_t)n, &deadline) == -1)
            return -1;
    }
}

/* Copy what the server sends to standard output until its close_notify. Returns 0; -1 with errno
 * when reading fails (EPROTO: closed without close_notify); -2 with errno when writing fails. */
static int print_response(SSL *ssl, unsigned int timeout)
{
    /* TODO(lab 06): tls_read() into a buffer (a new deadline for each read) and fwrite() what
     * came to stdout, until tls_read() returns 0; then fflush(stdout). */
    (void)ssl;
    (void)timeout;
    errno = ENOSYS;
    return -1;
}

/* Talk to the server over the connected socket fd: handshake, request, response, close.
 * Prints its own error message. Returns 0 or -1. */
static int converse(SSL_CTX *ctx, int fd, const struct options *o)
{
    /* TODO(lab 06): SSL_new(), SSL_set_fd(), tls_expect_host(o->host); tls_handshake() (nothing
     * is sent before it succeeds); send_request(); print_response(); tls_close(). One error line
     * for each failure, as section 4.2 shows; SSL_free() on every path. */
    (void)ctx;
    (void)fd;
    (void)o;
    (void)send_request; /* used once converse() is written: then remove these two lines */
    (void)print_response;
    fprintf(stderr, "tlsclient: not implemented\n");
    return -1;
}

int main(int argc, char *argv[])
{
    struct options o;
    struct timespec deadline;
    char why[256];
    SSL_CTX *ctx;
    int fd, gai_err, status = EXIT_FAILURE;

    if (parse_options(argc, argv, &o) == -1) {
        usage();
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a server that goes away is an error to report, not a crash */
    ctx = tls_client_context(o.cafile, o.certfile, o.keyfile);
    if (ctx == NULL) {
        fprintf(stderr, "tlsclient: cannot set up TLS: %s\n",
                tls_strerror(NULL, EPROTO, why, sizeof why));
        return EXIT_FAILURE;
    }
    deadline = deadline_in(o.timeout);
    fd = connect_tcp(o.host, o.port, &deadline, &gai_err);
    if (fd == -1) {
        if (gai_err != 0)
            fprintf(stderr, "tlsclient: %s: %s\n", o.host,
                    gai_err == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai_err));
        else
            fprintf(stderr, "tlsclient: connect to %s port %s: %s\n", o.host, o.port,
                    strerror(errno));
        goto out;
    }
    if (converse(ctx, fd, &o) == 0)
        status = EXIT_SUCCESS;
    close(fd);
out:
    SSL_CTX_free(ctx);
    return status;
}
