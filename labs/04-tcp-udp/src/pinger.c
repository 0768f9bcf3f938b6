/* pinger.c: send numbered probes over UDP and sort out what comes back (Lab 04). The contract is
 * in pinger.h; section 4.3 of the handout says what each kind of datagram is. */
#define _POSIX_C_SOURCE 200809L

#include "pinger.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "datagram.h"
#include "stats.h"

int pinger_open(struct pinger *p, const char *host, const char *port, int family, size_t size,
                int timeout_ms, int retries, uint32_t count, int *gai_err)
{
    /* TODO(lab 04): zero *p (fd -1); getaddrinfo() with SOCK_DGRAM and AI_NUMERICSERV; a socket
     * for the first address that allows one; copy that address into p->server and p->server_len;
     * freeaddrinfo(). Then store the settings and allocate state and attempts (count + 1 bytes,
     * zeroed: calloc) and out and in (size bytes each). On any failure, release what you got. */
    (void)p;
    (void)host;
    (void)port;
    (void)family;
    (void)size;
    (void)timeout_ms;
    (void)retries;
    (void)count;
    *gai_err = 0;
    errno = ENOSYS;
    return -1;
}

void pinger_close(struct pinger *p)
{
    /* TODO(lab 04): close the socket and free the four buffers. */
    (void)p;
}

/* TODO(lab 04): two helpers make pinger_probe() and pinger_linger() short:
 *
 * - one that reads one waiting datagram (recv_datagram with MSG_DONTWAIT into p->in, p->size
 *   bytes) and sorts it out, in this order: from another address (ignored); longer than a probe
 *   (truncated); not a probe you sent (invalid: probe_parse fails, seq is 0 or above count, or
 *   attempt is above attempts[seq]); then by state[seq]: the probe being waited for (a reply:
 *   its rtt is measured from sent_at[attempt - 1]), one already answered (duplicate), one given
 *   up (late). It counts it, prints its line to p->events if that is not NULL, and says whether
 *   it answered the probe being waited for.
 *
 * - one that waits until a deadline (clock.h), or until the probe being waited for is answered:
 *   while ms_until(deadline) > 0, poll() the socket for at most that long and read what arrived.
 *   The deadline is fixed before the loop: datagrams that answer nothing must not extend it. */

int pinger_probe(struct pinger *p, uint32_t seq, double *rtt_ms)
{
    /* TODO(lab 04): state[seq] = PROBE_WAITING; for each attempt (1 to 1 + retries): probe_pack,
     * note the time in sent_at, sendto the server (retry EINTR), count it, set attempts[seq], and
     * wait timeout_ms for the reply. No reply after the last attempt: PROBE_LOST, and its line. */
    (void)p;
    (void)seq;
    (void)rtt_ms;
    errno = ENOSYS;
    return -1;
}

int pinger_linger(struct pinger *p)
{
    /* TODO(lab 04): wait timeout_ms more, sorting out what arrives (no probe is waited for). */
    (void)p;
    errno = ENOSYS;
    return -1;
}
