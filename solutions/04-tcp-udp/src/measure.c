/* measure.c: compare TCP and UDP on one path: request/response latency, delivery under loss, the
 * write-write-read stall that TCP_NODELAY removes, and throughput; write a CSV report and an SVG
 * figure (Lab 04 reference solution).
 *
 *   usage: measure [-4|-6] [-n COUNT] [-s SIZE] [-t TIMEOUT_MS] [-b BYTES] [-o PREFIX] HOST PORT
 *   talks to udpecho (UDP) and tcpecho (TCP) at the same HOST and PORT; prints one summary line
 *   per experiment; writes PREFIX.csv and PREFIX.svg (see the handout, section 5) */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "bytes.h"
#include "datagram.h"
#include "pinger.h"
#include "stats.h"
#include "stream.h"
#include "svgplot.h"

struct options {
    int family;
    unsigned long count, size, timeout_ms, bulk;
    const char *prefix, *host, *port;
};

/* One experiment: what was sent, and the round-trip time of each request (NAN: no answer). */
struct experiment {
    const char *name;
    size_t count; /* requests sent */
    size_t bytes; /* payload bytes of each request */
    double *rtt;  /* rtt[i] is request i + 1's, in ms */
    size_t answered;
    unsigned long late; /* UDP: answers that came after their request was given up */
    unsigned long duplicates;
};

enum { UDP, TCP, TCP_NAGLE, BULK, EXPERIMENTS };

static void usage(void)
{
    fprintf(stderr, "usage: measure [-4|-6] [-n COUNT] [-s SIZE] [-t TIMEOUT_MS] [-b BYTES] "
                    "[-o PREFIX] HOST PORT\n");
}

/* Parse the command line into *o. Returns 0, or -1 after printing the usage line. */
static int parse_options(int argc, char *argv[], struct options *o)
{
    uint16_t port;
    int opt, bad = 0;

    o->family = AF_UNSPEC;
    o->count = 50;
    o->size = 64;
    o->timeout_ms = 500;
    o->bulk = 1048576;
    o->prefix = "measure";
    while ((opt = getopt(argc, argv, "46n:s:t:b:o:")) != -1) {
        switch (opt) {
        case '4':
            o->family = AF_INET;
            break;
        case '6':
            o->family = AF_INET6;
            break;
        case 'n':
            bad |= parse_number(optarg, 1, 100000, &o->count);
            break;
        case 's':
            bad |= parse_number(optarg, PROBE_HEADER_SIZE, PROBE_MAX_SIZE, &o->size);
            break;
        case 't':
            bad |= parse_number(optarg, 1, 60000, &o->timeout_ms);
            break;
        case 'b':
            bad |= parse_number(optarg, PROBE_HEADER_SIZE, MESSAGE_MAX, &o->bulk);
            break;
        case 'o':
            o->prefix = optarg;
            bad |= *optarg == '\0' ? -1 : 0;
            break;
        default:
            bad = -1;
        }
    }
    if (bad || argc - optind != 2 || parse_port(argv[optind + 1], &port) == -1 || port == 0) {
        usage();
        return -1;
    }
    o->host = argv[optind];
    o->port = argv[optind + 1];
    return 0;
}

/* Make e an experiment of count requests of bytes each, none answered yet.
 * Returns 0, or -1 with errno ENOMEM. */
static int experiment_init(struct experiment *e, const char *name, size_t count, size_t bytes)
{
    e->name = name;
    e->count = count;
    e->bytes = bytes;
    e->answered = 0;
    e->late = e->duplicates = 0;
    e->rtt = malloc(count * sizeof *e->rtt);
    if (e->rtt == NULL) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < count; i++)
        e->rtt[i] = NAN;
    return 0;
}

/* Print "measure: WHAT: REASON" for a failed call; REASON from getaddrinfo or errno. */
static void report_error(const char *what, int gai_err)
{
    fprintf(stderr, "measure: %s: %s\n", what,
            gai_err != 0 && gai_err != EAI_SYSTEM ? gai_strerror(gai_err) : strerror(errno));
}

/* The UDP experiment: one probe per request, no retry; a probe not answered within the timeout is
 * lost. Returns 0, or -1 after printing why. */
static int run_udp(const struct options *o, struct experiment *e)
{
    struct pinger p;
    int gai_err, status = -1;

    if (pinger_open(&p, o->host, o->port, o->family, e->bytes, (int)o->timeout_ms, 0,
                    (uint32_t)e->count, &gai_err) == -1) {
        report_error(o->host, gai_err);
        return -1;
    }
    for (uint32_t seq = 1; seq <= e->count; seq++) {
        int r = pinger_probe(&p, seq, &e->rtt[seq - 1]);

        if (r == -1) {
            report_error("udp", 0);
            goto out;
        }
        e->answered += (size_t)r;
    }
    if (pinger_linger(&p) == -1) {
        report_error("udp", 0);
        goto out;
    }
    e->late = p.c.late;
    e->duplicates = p.c.duplicates;
    status = 0;
out:
    pinger_close(&p);
    return status;
}

/* One request/response on a TCP connection: the message (header and payload, msg_len bytes in
 * msg) is written in two writes, the length and then the payload, the way many programs write a
 * header and a body; then the echo is read whole into echo and compared.
 * Returns 0 and the round-trip time in *rtt_ms; or -1 with errno set (EPROTO: the server closed
 * the connection or its echo differs). */
static int tcp_exchange(int fd, const uint8_t *msg, size_t msg_len, uint8_t *echo, double *rtt_ms)
{
    struct timespec start, end;
    ssize_t n;

    clock_gettime(CLOCK_MONOTONIC, &start);
    if (send_all(fd, msg, MESSAGE_HEADER_SIZE) == -1 ||
        send_all(fd, msg + MESSAGE_HEADER_SIZE, msg_len - MESSAGE_HEADER_SIZE) == -1)
        return -1;
    n = recv_all(fd, echo, msg_len);
    clock_gettime(CLOCK_MONOTONIC, &end);
    if (n == -1)
        return -1;
    if ((size_t)n != msg_len || memcmp(msg, echo, msg_len) != 0) {
        errno = EPROTO;
        return -1;
    }
    *rtt_ms = elapsed_ms(&start, &end);
    return 0;
}

/* A TCP experiment: one connection, with TCP_NODELAY or without, and e->count exchanges of
 * e->bytes each. Returns 0, or -1 after printing why. */
static int run_tcp(const struct options *o, struct experiment *e, int nodelay)
{
    size_t msg_len = MESSAGE_HEADER_SIZE + e->bytes;
    uint8_t *msg = malloc(msg_len), *echo = malloc(msg_len);
    int fd = -1, gai_err, status = -1;
    char what[96];

    if (msg == NULL || echo == NULL) {
        report_error(e->name, 0);
        goto out;
    }
    fd = tcp_connect(o->host, o->port, o->family, nodelay, &gai_err);
    if (fd == -1) {
        snprintf(what, sizeof what, "%s: connect to %s port %s", e->name, o->host, o->port);
        report_error(what, gai_err);
        goto out;
    }
    put_be32(msg, (uint32_t)e->bytes);
    for (uint32_t seq = 1; seq <= e->count; seq++) {
        probe_pack(msg + MESSAGE_HEADER_SIZE, e->bytes, seq, 1);
        if (tcp_exchange(fd, msg, msg_len, echo, &e->rtt[seq - 1]) == -1) {
            snprintf(what, sizeof what, "%s: message %lu", e->name, (unsigned long)seq);
            report_error(what, 0);
            goto out;
        }
        e->answered++;
    }
    status = 0;
out:
    if (fd != -1)
        close(fd);
    free(msg);
    free(echo);
    return status;
}

/* The answered requests' round-trip times, sorted, in a new array (NULL with errno ENOMEM).
 * An experiment with none gives an array of one unused element, so that NULL means an error. */
static double *answered_sorted(const struct experiment *e)
{
    double *v = malloc((e->answered > 0 ? e->answered : 1) * sizeof *v);
    size_t n = 0;

    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < e->count; i++)
        if (!isnan(e->rtt[i]))
            v[n++] = e->rtt[i];
    sort_samples(v, n);
    return v;
}

static void print_latency(const struct experiment *e)
{
    double *v = answered_sorted(e), p50, p99;

    printf("%s count=%zu answered=%zu", e->name, e->count, e->answered);
    if (strcmp(e->name, "udp") == 0)
        printf(" lost=%zu late=%lu duplicates=%lu", e->count - e->answered, e->late, e->duplicates);
    if (v != NULL && percentile(v, e->answered, 50, &p50) == 0 &&
        percentile(v, e->answered, 99, &p99) == 0)
        printf(" p50=%.3f p99=%.3f ms\n", p50, p99);
    else
        printf(" p50=- p99=- ms\n");
    free(v);
}

static void print_throughput(const struct experiment *e)
{
    double seconds = e->rtt[0] / 1e3;

    /* The message crosses the path twice: to the server and back. */
    printf("%s bytes=%zu seconds=%.6f throughput=%.3f MB/s\n", e->name, e->bytes, seconds,
           2.0 * (double)e->bytes / seconds / 1e6);
}

/* Write one line per request: experiment,seq,bytes,status,rtt_ms. Returns 0, or -1 with errno. */
static int write_csv(const char *path, const struct experiment *ex, size_t n)
{
    FILE *f = fopen(path, "w");
    int saved;

    if (f == NULL)
        return -1;
    fprintf(f, "experiment,seq,bytes,status,rtt_ms\n");
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < ex[k].count; i++) {
            if (isnan(ex[k].rtt[i]))
                fprintf(f, "%s,%zu,%zu,lost,\n", ex[k].name, i + 1, ex[k].bytes);
            else
                fprintf(f, "%s,%zu,%zu,ok,%.3f\n", ex[k].name, i + 1, ex[k].bytes, ex[k].rtt[i]);
        }
    }
    if (ferror(f)) {
        saved = errno;
        fclose(f);
        errno = saved;
        return -1;
    }
    return fclose(f) == EOF ? -1 : 0;
}

/* The figure: the latency experiments (not bulk), as fractions answered within x ms. */
static int write_figure(const char *path, const struct options *o, const struct experiment *ex)
{
    struct plot_series series[BULK];
    char title[200];
    FILE *f = NULL;
    int status = -1, saved = 0;

    memset(series, 0, sizeof series);
    for (int k = 0; k < BULK; k++) {
        series[k].name = ex[k].name;
        series[k].values = answered_sorted(&ex[k]);
        series[k].n = ex[k].answered;
        series[k].total = ex[k].count;
        if (series[k].values == NULL)
            goto out;
    }
    snprintf(title, sizeof title, "%lu requests of %lu bytes to %s port %s", o->count, o->size,
             o->host, o->port);
    f = fopen(path, "w");
    if (f == NULL || plot_latency_cdf(f, title, series, BULK) == -1)
        goto out;
    status = 0;
out:
    saved = errno;
    if (f != NULL && fclose(f) == EOF && status == 0) {
        saved = errno;
        status = -1;
    }
    for (int k = 0; k < BULK; k++)
        free((void *)series[k].values);
    errno = saved;
    return status;
}

int main(int argc, char *argv[])
{
    struct experiment ex[EXPERIMENTS];
    struct options o;
    char csv[4096], svg[4096];
    int status = EXIT_FAILURE;

    if (parse_options(argc, argv, &o) == -1)
        return 2;
    if ((size_t)snprintf(csv, sizeof csv, "%s.csv", o.prefix) >= sizeof csv ||
        (size_t)snprintf(svg, sizeof svg, "%s.svg", o.prefix) >= sizeof svg) {
        usage();
        return 2;
    }
    for (int k = 0; k < EXPERIMENTS; k++)
        ex[k].rtt = NULL;
    if (experiment_init(&ex[UDP], "udp", o.count, o.size) == -1 ||
        experiment_init(&ex[TCP], "tcp", o.count, o.size) == -1 ||
        experiment_init(&ex[TCP_NAGLE], "tcp-nagle", o.count, o.size) == -1 ||
        experiment_init(&ex[BULK], "bulk", 1, o.bulk) == -1) {
        report_error("memory", 0);
        goto out;
    }
    if (run_udp(&o, &ex[UDP]) == -1 || run_tcp(&o, &ex[TCP], 1) == -1 ||
        run_tcp(&o, &ex[TCP_NAGLE], 0) == -1 || run_tcp(&o, &ex[BULK], 1) == -1)
        goto out;
    for (int k = 0; k < BULK; k++)
        print_latency(&ex[k]);
    print_throughput(&ex[BULK]);
    if (write_csv(csv, ex, EXPERIMENTS) == -1) {
        report_error(csv, 0);
        goto out;
    }
    if (write_figure(svg, &o, ex) == -1) {
        report_error(svg, 0);
        goto out;
    }
    printf("wrote %s and %s\n", csv, svg);
    status = fflush(stdout) == EOF ? EXIT_FAILURE : EXIT_SUCCESS;
out:
    for (int k = 0; k < EXPERIMENTS; k++)
        free(ex[k].rtt);
    return status;
}
