/* datagram.c: the probe format, comparing socket addresses, receiving a datagram whole or knowing
 * it was not (Lab 04). The contracts are in datagram.h. */
#define _POSIX_C_SOURCE 200809L

#include "datagram.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "bytes.h"

void probe_pack(uint8_t *buf, size_t size, uint32_t seq, uint8_t attempt)
{
    /* TODO(lab 04): the magic "UP", attempt, a zero byte, seq (put_be32), then the pattern:
     * byte i is (seq + i) & 0xff, for i from 8 to size - 1. */
    (void)buf;
    (void)size;
    (void)seq;
    (void)attempt;
}

int probe_parse(const uint8_t *buf, size_t len, size_t size, uint32_t *seq, uint8_t *attempt)
{
    /* TODO(lab 04): EMSGSIZE unless len == size; EBADMSG unless the magic, a non-zero attempt, the
     * zero byte and every pattern byte are right; only then store *seq and *attempt. */
    (void)buf;
    (void)len;
    (void)size;
    (void)seq;
    (void)attempt;
    errno = ENOSYS;
    return -1;
}

int sockaddr_same(const struct sockaddr *a, const struct sockaddr *b)
{
    /* TODO(lab 04): same family, then compare the fields that name a sender: sin_addr and
     * sin_port for IPv4; sin6_addr, sin6_port (and sin6_scope_id) for IPv6. Not memcmp() of the
     * whole structures: they have padding and fields that are not part of the address. */
    (void)a;
    (void)b;
    return 0;
}

ssize_t recv_datagram(int fd, uint8_t *buf, size_t cap, int flags, struct sockaddr_storage *from,
                      socklen_t *from_len)
{
    /* TODO(lab 04): recvfrom() with flags | MSG_TRUNC, so that it returns the datagram's real
     * length; set *from_len to sizeof *from before each call; retry on EINTR. */
    (void)fd;
    (void)buf;
    (void)cap;
    (void)flags;
    (void)from;
    (void)from_len;
    errno = ENOSYS;
    return -1;
}
