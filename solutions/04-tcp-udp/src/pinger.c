/* pinger.c: send numbered probes over UDP and sort out what comes back (Lab 04 reference
 * solution). The contract is in pinger.h. */
#define _POSIX_C_SOURCE 200809L

#include "pinger.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "datagram.h"
#include "stats.h"

/* Resolve host and port for UDP and open a socket for the first address that allows one; store
 * the socket and that address in p. Returns 0; or -1 with *gai_err set (a getaddrinfo error); or
 * -1 with *gai_err 0 and errno from the last socket() that failed. */
static int open_socket(struct pinger *p, const char *host, const char *port, int family,
                       int *gai_err)
{
    struct addrinfo hints, *res, *ai;
    int saved = EAFNOSUPPORT;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    *gai_err = getaddrinfo(host, port, &hints, &res);
    if (*gai_err != 0)
        return -1;
    for (ai = res; ai != NULL && p->fd == -1; ai = ai->ai_next) {
        p->fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (p->fd == -1) {
            saved = errno;
            continue;
        }
        memcpy(&p->server, ai->ai_addr, ai->ai_addrlen);
        p->server_len = ai->ai_addrlen;
    }
    freeaddrinfo(res);
    if (p->fd == -1) {
        errno = saved;
        return -1;
    }
    return 0;
}

int pinger_open(struct pinger *p, const char *host, const char *port, int family, size_t size,
                int timeout_ms, int retries, uint32_t count, int *gai_err)
{
    memset(p, 0, sizeof *p);
    p->fd = -1;
    if (open_socket(p, host, port, family, gai_err) == -1)
        return -1;
    p->size = size;
    p->timeout_ms = timeout_ms;
    p->retries = retries;
    p->count = count;
    p->state = calloc((size_t)count + 1, 1);
    p->attempts = calloc((size_t)count + 1, 1);
    p->out = malloc(size);
    p->in = malloc(size);
    if (p->state == NULL || p->attempts == NULL || p->out == NULL || p->in == NULL) {
        pinger_close(p);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void pinger_close(struct pinger *p)
{
    if (p->fd != -1)
        close(p->fd);
    p->fd = -1;
    free(p->state);
    free(p->attempts);
    free(p->out);
    free(p->in);
    p->state = p->attempts = NULL;
    p->out = p->in = NULL;
}

/* One line about an event, if the caller wants them. */
static void say(struct pinger *p, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void say(struct pinger *p, const char *format, ...)
{
    va_list ap;

    if (p->events == NULL)
        return;
    va_start(ap, format);
    vfprintf(p->events, format, ap);
    va_end(ap);
}

/* Read one datagram (there is one waiting) and sort it out. When it answers the probe `current`
 * (0 for none), store its round-trip time in *rtt_ms and return 1; otherwise return 0; -1 with
 * errno on an error. */
static int handle_datagram(struct pinger *p, uint32_t current, double *rtt_ms)
{
    struct sockaddr_storage from;
    socklen_t from_len;
    struct timespec now;
    uint32_t seq;
    uint8_t attempt;
    ssize_t n;

    n = recv_datagram(p->fd, p->in, p->size, MSG_DONTWAIT, &from, &from_len);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (n == -1)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    if (!sockaddr_same((struct sockaddr *)&from, (struct sockaddr *)&p->server)) {
        char text[SOCKADDR_STRLEN];

        if (format_sockaddr((struct sockaddr *)&from, text, sizeof text) == -1)
            strcpy(text, "an unknown address");
        p->c.ignored++;
        say(p, "ignored bytes=%zd from %s\n", n, text);
        return 0;
    }
    if ((size_t)n > p->size) {
        p->c.truncated++;
        say(p, "truncated bytes=%zd\n", n);
        return 0;
    }
    if (probe_parse(p->in, (size_t)n, p->size, &seq, &attempt) == -1 || seq == 0 ||
        seq > p->count || attempt > p->attempts[seq]) {
        p->c.invalid++;
        say(p, "invalid bytes=%zd\n", n);
        return 0;
    }
    switch (p->state[seq]) {
    case PROBE_WAITING:
        if (seq != current)
            break;
        *rtt_ms = elapsed_ms(&p->sent_at[attempt - 1], &now);
        p->state[seq] = PROBE_ANSWERED;
        p->c.replies++;
        say(p, "reply seq=%lu attempt=%u bytes=%zd rtt=%.3f ms\n", (unsigned long)seq, attempt, n,
            *rtt_ms);
        return 1;
    case PROBE_ANSWERED:
        p->c.duplicates++;
        say(p, "duplicate seq=%lu attempt=%u\n", (unsigned long)seq, attempt);
        return 0;
    case PROBE_LOST:
        p->c.late++;
        say(p, "late seq=%lu attempt=%u\n", (unsigned long)seq, attempt);
        return 0;
    default:
        break;
    }
    p->c.invalid++; /* a reply to a probe never sent */
    say(p, "invalid bytes=%zd\n", n);
    return 0;
}

/* Sort out datagrams until the deadline passes, or until probe `current` is answered (return 1).
 * Returns 0 at the deadline, -1 with errno on an error. */
static int wait_until(struct pinger *p, const struct timespec *deadline, uint32_t current,
                      double *rtt_ms)
{
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    int left, ready, r;

    /* The deadline is fixed before the loop: datagrams that answer nothing must not extend it. */
    while ((left = ms_until(deadline)) > 0) {
        ready = poll(&pfd, 1, left);
        if (ready == -1 && errno == EINTR)
            continue;
        if (ready == -1)
            return -1;
        if (ready == 0)
            continue; /* the loop condition decides whether the deadline has passed */
        r = handle_datagram(p, current, rtt_ms);
        if (r != 0)
            return r;
    }
    return 0;
}

/* Send the probe in p->out to the server. Returns 0, or -1 with errno set. */
static int send_probe(struct pinger *p)
{
    ssize_t n;

    do
        n = sendto(p->fd, p->out, p->size, 0, (struct sockaddr *)&p->server, p->server_len);
    while (n == -1 && errno == EINTR);
    return n == -1 ? -1 : 0;
}

int pinger_probe(struct pinger *p, uint32_t seq, double *rtt_ms)
{
    p->state[seq] = PROBE_WAITING;
    for (int attempt = 1; attempt <= 1 + p->retries; attempt++) {
        struct timespec deadline;
        int r;

        probe_pack(p->out, p->size, seq, (uint8_t)attempt);
        clock_gettime(CLOCK_MONOTONIC, &p->sent_at[attempt - 1]);
        if (send_probe(p) == -1)
            return -1;
        p->c.sent++;
        p->attempts[seq] = (unsigned char)attempt;
        deadline = deadline_after(p->timeout_ms);
        r = wait_until(p, &deadline, seq, rtt_ms);
        if (r != 0)
            return r;
    }
    p->state[seq] = PROBE_LOST;
    p->c.lost++;
    say(p, "lost seq=%lu attempts=%d\n", (unsigned long)seq, 1 + p->retries);
    return 0;
}

int pinger_linger(struct pinger *p)
{
    struct timespec deadline = deadline_after(p->timeout_ms);
    double unused;

    return wait_until(p, &deadline, 0, &unused);
}
