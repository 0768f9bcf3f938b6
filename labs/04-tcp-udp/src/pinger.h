/* pinger.h: send numbered probes over UDP and sort out what comes back (Lab 04): replies,
 * losses, duplicates, late replies, truncated and invalid datagrams, datagrams from strangers.
 * Used by udpping and measure. Implemented in pinger.c. */
#ifndef PINGER_H
#define PINGER_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#define PING_MAX_RETRIES 10

/* What became of each probe, by sequence number. */
enum probe_state { PROBE_UNSENT, PROBE_WAITING, PROBE_ANSWERED, PROBE_LOST };

struct ping_counts {
    unsigned long sent;       /* datagrams sent (every attempt of every probe) */
    unsigned long replies;    /* probes answered in time (each counted once) */
    unsigned long lost;       /* probes given up after their last attempt timed out */
    unsigned long duplicates; /* further replies to a probe already answered */
    unsigned long late;       /* replies to a probe already given up */
    unsigned long truncated;  /* datagrams from the server longer than a probe */
    unsigned long invalid;    /* other datagrams from the server that answer no probe sent */
    unsigned long ignored;    /* datagrams from any other address */
};

struct pinger {
    int fd;                         /* the UDP socket */
    struct sockaddr_storage server; /* where probes go, and the only source of replies */
    socklen_t server_len;
    size_t size;             /* bytes per probe, PROBE_HEADER_SIZE to PROBE_MAX_SIZE */
    int timeout_ms;          /* how long to wait for each attempt's reply */
    int retries;             /* attempts after the first, 0 to PING_MAX_RETRIES */
    uint32_t count;          /* probes to send: sequence numbers 1 to count */
    unsigned char *state;    /* state[seq], an enum probe_state; count + 1 entries */
    unsigned char *attempts; /* attempts[seq], how many times seq was sent */
    struct timespec sent_at[PING_MAX_RETRIES + 1]; /* when each attempt of the current probe left */
    uint8_t *out;                                  /* the probe being sent (size bytes) */
    uint8_t *in;                                   /* room for one received datagram (size bytes) */
    struct ping_counts c;
    FILE *events; /* one line per event (see the handout), or NULL for none */
};

/* Prepare p: resolve host and port for UDP (family AF_UNSPEC, AF_INET or AF_INET6), open a socket
 * for the first address that allows one, remember that address, and allocate the buffers.
 * size, timeout_ms, retries and count are stored as given (the caller checked their ranges).
 * Returns 0; or -1 with *gai_err set to a getaddrinfo error; or -1 with *gai_err 0 and errno set.
 * On failure nothing is left to release. */
int pinger_open(struct pinger *p, const char *host, const char *port, int family, size_t size,
                int timeout_ms, int retries, uint32_t count, int *gai_err);

/* Send probe seq (1 to count) and wait for its reply: timeout_ms per attempt, then the next
 * attempt, up to 1 + retries attempts. Meanwhile sort out every other datagram that arrives.
 * Returns 1 when the probe was answered (its round-trip time in *rtt_ms, measured from the send of
 * the attempt that the reply echoes), 0 when it was given up, -1 with errno set on an error. */
int pinger_probe(struct pinger *p, uint32_t seq, double *rtt_ms);

/* After the last probe: keep sorting out what arrives for timeout_ms more (late replies and
 * duplicates). Returns 0, or -1 with errno set. */
int pinger_linger(struct pinger *p);

/* Close the socket and free the buffers. */
void pinger_close(struct pinger *p);

#endif
