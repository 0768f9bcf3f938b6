/* kvclient.c: send requests to a kvserver and print its replies; retry a connection that is
 * refused, reset or turned away, with exponential backoff and jitter (Lab 05 reference solution).
 *
 *   usage: kvclient [-r RETRIES] [-b BASE_MS] [-m MAX_MS] [-t TIMEOUT_MS] HOST PORT REQUEST...
 *   prints one reply line per REQUEST on stdout; the exit status says how it went (section 4.5) */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "linebuf.h"
#include "netio.h"

/* Exit statuses (section 4.5 of the handout). */
enum {
    EXIT_OK = 0,        /* every request answered OK */
    EXIT_ERR_REPLY = 1, /* every request answered, at least one with ERR */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_RESOLVE = 3,   /* HOST does not resolve */
    EXIT_CONNECT = 4,   /* no session after every attempt */
    EXIT_LOST = 5,      /* the connection failed after a request was sent */
    EXIT_TIMEOUT = 6,   /* no reply in time */
    EXIT_PROTOCOL = 7   /* the server does not speak the protocol */
};

struct options {
    long retries, base_ms, max_ms, timeout_ms;
    const char *host, *port;
    char **requests;
    int nrequests;
};

/* Why an attempt to open a session failed: errno-style (err != 0) or a text of our own. */
struct failure {
    int err;
    const char *what;
    int retry; /* worth another attempt (the server may take us later) */
};

static uint32_t jitter_state = 1; /* xorshift32; seed_jitter() makes it differ in every run */

static void usage(void)
{
    fprintf(stderr, "usage: kvclient [-r RETRIES] [-b BASE_MS] [-m MAX_MS] [-t TIMEOUT_MS] "
                    "HOST PORT REQUEST...\n");
}

/* A number from min to max, all digits. Returns 0, or -1 when text is anything else. */
static int parse_number(const char *text, long min, long max, long *out)
{
    long value = 0;

    if (*text == '\0')
        return -1;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || value > (max - (*p - '0')) / 10)
            return -1;
        value = value * 10 + (*p - '0');
    }
    if (value < min)
        return -1;
    *out = value;
    return 0;
}

static int parse_options(int argc, char *argv[], struct options *o)
{
    long port;
    int opt;

    o->retries = 4;
    o->base_ms = 100;
    o->max_ms = 2000;
    o->timeout_ms = 5000;
    while ((opt = getopt(argc, argv, "r:b:m:t:")) != -1) {
        long *slot;

        switch (opt) {
        case 'r':
            slot = &o->retries;
            break;
        case 'b':
            slot = &o->base_ms;
            break;
        case 'm':
            slot = &o->max_ms;
            break;
        case 't':
            slot = &o->timeout_ms;
            break;
        default:
            return -1;
        }
        if (parse_number(optarg, opt == 'r' ? 0 : 1, 3600000, slot) == -1)
            return -1;
    }
    if (argc - optind < 3 || parse_number(argv[optind + 1], 1, 65535, &port) == -1)
        return -1;
    o->host = argv[optind];
    o->port = argv[optind + 1];
    o->requests = argv + optind + 2;
    o->nrequests = argc - optind - 2;
    for (int i = 0; i < o->nrequests; i++)
        if (strchr(o->requests[i], '\n') != NULL)
            return -1;
    return 0;
}

/* Different delays in every run and every process, so that clients turned away together do not
 * all come back together. */
static void seed_jitter(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    jitter_state = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^ ((uint32_t)getpid() << 16);
    if (jitter_state == 0)
        jitter_state = 1; /* xorshift stays at 0 forever */
}

/* The next pseudo-random number (xorshift32: plenty for jitter, not for secrets). */
static uint32_t next_random(void)
{
    jitter_state ^= jitter_state << 13;
    jitter_state ^= jitter_state >> 17;
    jitter_state ^= jitter_state << 5;
    return jitter_state;
}

/* Connect to the first address that accepts, each in getaddrinfo's order, each with its own
 * timeout. Returns the socket, or -1 with errno from the last address tried. */
static int connect_any(const struct addrinfo *res, long timeout_ms)
{
    int saved = ECONNREFUSED;

    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = connect_addr(ai, now_ms() + timeout_ms);

        if (fd != -1)
            return fd;
        saved = errno;
    }
    errno = saved;
    return -1;
}

/* Connect and read the server's greeting ("OK ..."). Returns the socket, ready for requests; or
 * -1 with *why filled in. lb receives any bytes that came after the greeting. */
static int open_session(const struct addrinfo *res, const struct options *o, struct linebuf *lb,
                        struct failure *why)
{
    char line[LINEBUF_SIZE];
    int fd = connect_any(res, o->timeout_ms);
    ssize_t n;

    *why = (struct failure){0, NULL, 1};
    if (fd == -1) {
        why->err = errno;
        return -1;
    }
    linebuf_init(lb);
    n = recv_line(fd, lb, line, sizeof line, now_ms() + o->timeout_ms);
    if (n >= 0 && strncmp(line, "OK", 2) == 0)
        return fd;
    if (n == -1)
        why->err = errno; /* saved before close(), which could change errno */
    else if (n == -2)
        why->what = "closed the connection before its greeting";
    else if (strcmp(line, "ERR busy") == 0)
        why->what = "server busy";
    else
        *why = (struct failure){0, "unexpected greeting", 0};
    if (why->err == EMSGSIZE)
        *why = (struct failure){0, "greeting too long", 0};
    close(fd);
    return -1;
}

static const char *reason(const struct failure *f)
{
    return f->what != NULL ? f->what : strerror(f->err);
}

/* Open a session, retrying with backoff. Returns the socket, or -1 after the last attempt (the
 * message is printed) with *status set. */
static int open_with_retries(const struct addrinfo *res, const struct options *o,
                             struct linebuf *lb, int *status)
{
    struct failure why;

    for (long retry = 0;; retry++) {
        long delay;
        int fd = open_session(res, o, lb, &why);

        if (fd != -1)
            return fd;
        if (!why.retry || retry == o->retries)
            break;
        delay = backoff_delay((unsigned)retry + 1, o->base_ms, o->max_ms, next_random());
        fprintf(stderr, "kvclient: %s port %s: %s; retry %ld of %ld in %ld ms\n", o->host, o->port,
                reason(&why), retry + 1, o->retries, delay);
        sleep_ms(delay);
    }
    if (!why.retry) {
        fprintf(stderr, "kvclient: %s port %s: %s\n", o->host, o->port, reason(&why));
        *status = EXIT_PROTOCOL;
    } else {
        fprintf(stderr, "kvclient: %s port %s: %s (gave up after %ld attempts)\n", o->host, o->port,
                reason(&why), o->retries + 1);
        *status = EXIT_CONNECT;
    }
    return -1;
}

/* Send each request and print its reply. A request that was sent is never sent again: the server
 * may have carried it out (APPEND twice is not APPEND once). Returns the exit status. */
static int exchange(int fd, const struct options *o, struct linebuf *lb)
{
    char line[LINEBUF_SIZE];
    int status = EXIT_OK;

    for (int i = 0; i < o->nrequests; i++) {
        const char *req = o->requests[i];
        size_t len = strlen(req);
        ssize_t n;

        if (send_all(fd, req, len, now_ms() + o->timeout_ms) == -1 ||
            send_all(fd, "\n", 1, now_ms() + o->timeout_ms) == -1) {
            fprintf(stderr, "kvclient: %s port %s: %s\n", o->host, o->port, strerror(errno));
            return errno == ETIMEDOUT ? EXIT_TIMEOUT : EXIT_LOST;
        }
        n = recv_line(fd, lb, line, sizeof line, now_ms() + o->timeout_ms);
        if (n == -2) {
            fprintf(stderr, "kvclient: %s port %s: closed the connection before replying\n",
                    o->host, o->port);
            return EXIT_LOST;
        }
        if (n == -1) {
            int err = errno;

            fprintf(stderr, "kvclient: %s port %s: %s\n", o->host, o->port,
                    err == EMSGSIZE ? "reply too long" : strerror(err));
            return err == ETIMEDOUT ? EXIT_TIMEOUT : err == EMSGSIZE ? EXIT_PROTOCOL : EXIT_LOST;
        }
        printf("%s\n", line);
        if (strncmp(line, "OK", 2) != 0)
            status = EXIT_ERR_REPLY;
    }
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "kvclient: write error: %s\n", strerror(errno));
        return EXIT_LOST;
    }
    return status;
}

int main(int argc, char *argv[])
{
    struct options o;
    struct addrinfo hints, *res;
    struct linebuf lb;
    int fd, err, status;

    if (parse_options(argc, argv, &o) == -1) {
        usage();
        return EXIT_USAGE;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    err = getaddrinfo(o.host, o.port, &hints, &res);
    if (err != 0) {
        fprintf(stderr, "kvclient: %s: %s\n", o.host,
                err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
        return EXIT_RESOLVE;
    }
    seed_jitter();
    fd = open_with_retries(res, &o, &lb, &status);
    freeaddrinfo(res);
    if (fd == -1)
        return status;
    status = exchange(fd, &o, &lb);
    close(fd);
    return status;
}
