/* measure.c: compare TCP and UDP on one path: request/response latency, delivery under loss, the
 * write-write-read stall that TCP_NODELAY removes, and throughput; write a CSV report and an SVG
 * figure (Lab 04).
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
    /* TODO(lab 04): pinger_open() with e->bytes, the timeout, 0 retries and e->count probes (on
     * failure: report_error(o->host, gai_err)); pinger_probe() each sequence number, storing its
     * time in e->rtt[seq - 1] and counting the answered; pinger_linger(); copy late and
     * duplicates from the pinger's counts; pinger_close(). */
    (void)o;
    (void)e;
    errno = ENOSYS;
    report_error("udp", 0);
    return -1;
}

/* A TCP experiment: one connection, with TCP_NODELAY or without, and e->count exchanges of
 * e->bytes each. Returns 0, or -1 after printing why. */
static int run_tcp(const struct options *o, struct experiment *e, int nodelay)
{
    /* TODO(lab 04): tcp_connect() (on failure: report_error() of "NAME: connect to HOST port
     * PORT", section 5.4); then for each sequence number, one exchange, best in a helper of its
     * own: the message is the 4-byte length (put_be32) and a probe_pack() payload of e->bytes;
     * start the clock, send_all() the length, send_all() the payload (two writes: that is the
     * experiment), recv_all() the whole echo, stop the clock; the echo must be identical (else
     * EPROTO). Store each time in e->rtt[seq - 1]. Free and close everything on every path. */
    (void)o;
    (void)e;
    (void)nodelay;
    errno = ENOSYS;
    report_error("tcp", 0);
    return -1;
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
    /* TODO(lab 04): the header line, then one line per request of each of the n experiments
     * (section 5.5): "udp,3,64,ok,0.213" or "udp,4,64,lost,". Check for write errors (ferror,
     * fclose) before returning 0. */
    (void)path;
    (void)ex;
    (void)n;
    errno = ENOSYS;
    return -1;
}

/* The figure: the latency experiments (not bulk), as fractions answered within x ms. */
static int write_figure(const char *path, const struct options *o, const struct experiment *ex)
{
    /* TODO(lab 04): one struct plot_series per latency experiment (udp, tcp, tcp-nagle): its
     * name, its answered times sorted (answered_sorted(), free them after), how many, and how many
     * requests; a title such as "50 requests of 64 bytes to ::1 port 9000"; then fopen(),
     * plot_latency_cdf() and fclose(), keeping errno of the first failure. */
    (void)path;
    (void)o;
    (void)ex;
    errno = ENOSYS;
    return -1;
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
