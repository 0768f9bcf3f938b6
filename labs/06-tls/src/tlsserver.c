/* tlsserver.c: a TLS echo server. Each client sends one line and gets it back, then the server
 * closes the connection cleanly; with -a, only clients with a certificate from that CA get in.
 * One client at a time, each within a time limit (Lab 06).
 *
 *   usage: tlsserver -c CHAINFILE -k KEYFILE [-a CAFILE] [-p PORT] [-t SECONDS] */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "tls.h"

#define DEFAULT_TIMEOUT 10
#define MAX_TIMEOUT 3600
#define LINE_MAX_BYTES 1024 /* the longest request line, its '\n' included */

struct options {
    const char *chainfile, *keyfile, *cafile;
    uint16_t port;
    unsigned int timeout;
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: tlsserver -c CHAINFILE -k KEYFILE [-a CAFILE] [-p PORT] [-t SECONDS]\n");
}

/* Fill *o from the command line. Returns 0, or -1 for a usage error. */
static int parse_options(int argc, char *argv[], struct options *o)
{
    unsigned long value;
    int opt;

    memset(o, 0, sizeof *o);
    o->timeout = DEFAULT_TIMEOUT;
    while ((opt = getopt(argc, argv, "a:c:k:p:t:")) != -1) {
        switch (opt) {
        case 'a':
            o->cafile = optarg;
            break;
        case 'c':
            o->chainfile = optarg;
            break;
        case 'k':
            o->keyfile = optarg;
            break;
        case 'p':
            if (parse_number(optarg, 65535, &value) == -1)
                return -1;
            o->port = (uint16_t)value;
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
    if (optind != argc || o->chainfile == NULL || o->keyfile == NULL)
        return -1;
    return 0;
}

/* Read one request line into line (NUL-terminated; the '\n' and a '\r' before it removed).
 * Returns its length; -2 if the client closed (with close_notify) before a whole line; or -1
 * with errno (EMSGSIZE: no '\n' within size - 1 bytes). Bytes after the '\n' are ignored. */
static ssize_t read_request(SSL *ssl, char *line, size_t size, const struct timespec *deadline)
{
    /* TODO(lab 06): tls_read() more until a '\n' has come: one read may bring part of a line. */
    (void)ssl;
    (void)line;
    (void)size;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}

/* Answer line: "echo: LINE", after "client: NAME" when the client has a certificate. */
static int answer(SSL *ssl, const char *line, const struct timespec *deadline)
{
    /* TODO(lab 06): the client's certificate (SSL_get1_peer_certificate, X509_free it), its
     * common name (X509_NAME_get_text_by_NID with NID_commonName); one tls_write_all(). */
    (void)ssl;
    (void)line;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}

/* Serve one client on the connected socket fd, within timeout seconds in all, and close fd.
 * Failures are logged as "tlsserver: PEER: what: why"; the server goes on with the next client. */
static void serve(SSL_CTX *ctx, int fd, const char *peer, unsigned int timeout)
{
    /* TODO(lab 06): one SSL per connection (SSL_new, SSL_set_fd), one deadline for all of it;
     * tls_handshake(), read_request(), answer(), tls_close(); one log line for a failure;
     * SSL_free() and close(fd) on every path. */
    (void)ctx;
    (void)timeout;
    (void)read_request; /* used once serve() is written: then remove these two lines */
    (void)answer;
    fprintf(stderr, "tlsserver: %s: not implemented\n", peer);
    close(fd);
}

/* SIGINT and SIGTERM set stop_requested, and are blocked except while waiting for a client
 * (old_mask is the mask to wait with). SIGPIPE is ignored. Returns 0 or -1 with errno. */
static int setup_signals(sigset_t *old_mask)
{
    struct sigaction sa;
    sigset_t stop_signals;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal; /* no SA_RESTART: the wait for a client returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
        return -1;
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    return sigprocmask(SIG_BLOCK, &stop_signals, old_mask);
}

/* Print "listening on ADDR:PORT" for the listening socket fd. Returns 0 or -1 with errno. */
static int announce(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char text[SOCKADDR_STRLEN];

    if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
        format_sockaddr((struct sockaddr *)&ss, text, sizeof text) == -1)
        return -1;
    fprintf(stderr, "listening on %s\n", text);
    return 0;
}

int main(int argc, char *argv[])
{
    struct sockaddr_storage peer;
    struct options o;
    sigset_t wait_mask;
    char why[256], peer_text[SOCKADDR_STRLEN];
    SSL_CTX *ctx;
    int lfd, fd;

    if (parse_options(argc, argv, &o) == -1) {
        usage();
        return 2;
    }
    if (setup_signals(&wait_mask) == -1) {
        fprintf(stderr, "tlsserver: signals: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    ctx = tls_server_context(o.chainfile, o.keyfile, o.cafile);
    if (ctx == NULL) {
        fprintf(stderr, "tlsserver: cannot set up TLS: %s\n",
                tls_strerror(NULL, EPROTO, why, sizeof why));
        return EXIT_FAILURE;
    }
    lfd = listen_tcp(o.port);
    if (lfd == -1 || announce(lfd) == -1) {
        fprintf(stderr, "tlsserver: cannot listen on port %u: %s\n", o.port, strerror(errno));
        if (lfd != -1)
            close(lfd);
        SSL_CTX_free(ctx);
        return EXIT_FAILURE;
    }
    while (!stop_requested) {
        fd = accept_tcp(lfd, &peer, &wait_mask);
        if (fd == -1) {
            if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
                fprintf(stderr, "tlsserver: accept: %s\n", strerror(errno));
            continue;
        }
        if (format_sockaddr((struct sockaddr *)&peer, peer_text, sizeof peer_text) == -1)
            snprintf(peer_text, sizeof peer_text, "a client");
        serve(ctx, fd, peer_text, o.timeout);
    }
    close(lfd);
    SSL_CTX_free(ctx);
    return EXIT_SUCCESS;
}
