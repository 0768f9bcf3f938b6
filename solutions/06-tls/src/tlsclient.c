/* tlsclient.c: send standard input to a TLS server over a verified connection and print the
 * server's answer, which ends with the server's close_notify (Lab 06 reference).
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
    char buf[16384];

    for (;;) {
        struct timespec deadline = deadline_in(timeout);
        ssize_t n = tls_read(ssl, buf, sizeof buf, &deadline);

        if (n == -1)
            return -1;
        if (n == 0)
            return fflush(stdout) == EOF ? -2 : 0;
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            return -2;
    }
}

/* Talk to the server over the connected socket fd: handshake, request, response, close.
 * Prints its own error message. Returns 0 or -1. */
static int converse(SSL_CTX *ctx, int fd, const struct options *o)
{
    char why[256];
    struct timespec deadline;
    SSL *ssl;
    int rc, status = -1;

    ssl = SSL_new(ctx);
    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 || tls_expect_host(ssl, o->host) == -1) {
        fprintf(stderr, "tlsclient: cannot set up TLS: %s\n",
                tls_strerror(ssl, EPROTO, why, sizeof why));
        goto out;
    }
    deadline = deadline_in(o->timeout);
    if (tls_handshake(ssl, &deadline) == -1) {
        fprintf(stderr, "tlsclient: TLS handshake with %s port %s failed: %s\n", o->host, o->port,
                tls_strerror(ssl, errno, why, sizeof why));
        goto out;
    }
    rc = send_request(ssl, o->timeout);
    if (rc == -2) {
        fprintf(stderr, "tlsclient: reading standard input: %s\n", strerror(errno));
        goto out;
    }
    if (rc == -1) {
        fprintf(stderr, "tlsclient: sending to %s port %s: %s\n", o->host, o->port,
                tls_strerror(ssl, errno, why, sizeof why));
        goto out;
    }
    rc = print_response(ssl, o->timeout);
    if (rc == -2) {
        fprintf(stderr, "tlsclient: writing standard output: %s\n", strerror(errno));
        goto out;
    }
    if (rc == -1) {
        fprintf(stderr, "tlsclient: reading from %s port %s: %s\n", o->host, o->port,
                tls_strerror(ssl, errno, why, sizeof why));
        goto out;
    }
    /* The answer is complete. Send our close_notify too; if the server has gone already, nothing
     * is lost, so a failure here is not an error. */
    deadline = deadline_in(o->timeout);
    if (tls_close(ssl, &deadline) == -1)
        tls_strerror(ssl, errno, why, sizeof why); /* empties the error queue */
    status = 0;
out:
    SSL_free(ssl);
    return status;
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
