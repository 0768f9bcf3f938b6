/* udpping.c: send numbered UDP probes to an echo server and report what came back (Lab 04).
 *
 *   usage: udpping [-4|-6] [-c COUNT] [-s SIZE] [-t TIMEOUT_MS] [-r RETRIES] HOST PORT
 *   prints one line per event, then a summary (see the handout, section 4.3) */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "datagram.h"
#include "pinger.h"
#include "stats.h"

struct options {
    int family;
    unsigned long count, size, timeout_ms, retries;
    const char *host, *port;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: udpping [-4|-6] [-c COUNT] [-s SIZE] [-t TIMEOUT_MS] [-r RETRIES] HOST PORT\n");
}

/* Parse the command line into *o. Returns 0, or -1 after printing the usage line. */
static int parse_options(int argc, char *argv[], struct options *o)
{
    uint16_t port;
    int opt, bad = 0;

    o->family = AF_UNSPEC;
    o->count = 10;
    o->size = 64;
    o->timeout_ms = 1000;
    o->retries = 0;
    while ((opt = getopt(argc, argv, "46c:s:t:r:")) != -1) {
        switch (opt) {
        case '4':
            o->family = AF_INET;
            break;
        case '6':
            o->family = AF_INET6;
            break;
        case 'c':
            bad |= parse_number(optarg, 1, 1000000, &o->count);
            break;
        case 's':
            bad |= parse_number(optarg, PROBE_HEADER_SIZE, PROBE_MAX_SIZE, &o->size);
            break;
        case 't':
            bad |= parse_number(optarg, 1, 60000, &o->timeout_ms);
            break;
        case 'r':
            bad |= parse_number(optarg, 0, PING_MAX_RETRIES, &o->retries);
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

/* The summary: the counts, and the round-trip times of the answered probes. */
static void print_summary(const struct ping_counts *c, double *rtts, size_t n)
{
    printf("probes=%lu sent=%lu replies=%lu lost=%lu duplicates=%lu late=%lu truncated=%lu "
           "invalid=%lu ignored=%lu\n",
           c->replies + c->lost, c->sent, c->replies, c->lost, c->duplicates, c->late, c->truncated,
           c->invalid, c->ignored);
    /* TODO(lab 04): when n > 0, summarize() the n round-trip times and print
     * "rtt min=%.3f p50=%.3f p99=%.3f max=%.3f ms". */
    (void)rtts;
    (void)n;
}

int main(int argc, char *argv[])
{
    struct options o;
    struct pinger p;
    double *rtts;
    size_t answered = 0;
    int gai_err, status = EXIT_FAILURE;

    if (parse_options(argc, argv, &o) == -1)
        return 2;
    if (pinger_open(&p, o.host, o.port, o.family, o.size, (int)o.timeout_ms, (int)o.retries,
                    (uint32_t)o.count, &gai_err) == -1) {
        fprintf(stderr, "udpping: %s: %s\n", o.host,
                gai_err != 0 && gai_err != EAI_SYSTEM ? gai_strerror(gai_err) : strerror(errno));
        return EXIT_FAILURE;
    }
    p.events = stdout;
    rtts = malloc(o.count * sizeof *rtts);
    if (rtts == NULL) {
        fprintf(stderr, "udpping: %s\n", strerror(errno));
        goto out;
    }
    for (uint32_t seq = 1; seq <= o.count; seq++) {
        int r = pinger_probe(&p, seq, &rtts[answered]);

        if (r == -1) {
            fflush(stdout);
            fprintf(stderr, "udpping: probe %lu to %s port %s: %s\n", (unsigned long)seq, o.host,
                    o.port, strerror(errno));
            goto out;
        }
        answered += (size_t)r;
    }
    if (pinger_linger(&p) == -1) {
        fflush(stdout);
        fprintf(stderr, "udpping: waiting for late replies: %s\n", strerror(errno));
        goto out;
    }
    print_summary(&p.c, rtts, answered);
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "udpping: write error: %s\n", strerror(errno));
        goto out;
    }
    status = p.c.replies > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
out:
    free(rtts);
    pinger_close(&p);
    return status;
}
