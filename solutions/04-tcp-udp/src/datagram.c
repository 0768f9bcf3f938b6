/* datagram.c: the probe format, comparing socket addresses, receiving a datagram whole or knowing
 * it was not (Lab 04 reference solution). The contracts are in datagram.h. */
#define _POSIX_C_SOURCE 200809L

#include "datagram.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "bytes.h"

#define PROBE_MAGIC 0x5550u /* "UP" */

static uint8_t pattern_byte(uint32_t seq, size_t i)
{
    return (uint8_t)((seq + i) & 0xff);
}

void probe_pack(uint8_t *buf, size_t size, uint32_t seq, uint8_t attempt)
{
    put_be16(buf, PROBE_MAGIC);
    buf[2] = attempt;
    buf[3] = 0;
    put_be32(buf + 4, seq);
    for (size_t i = PROBE_HEADER_SIZE; i < size; i++)
        buf[i] = pattern_byte(seq, i);
}

int probe_parse(const uint8_t *buf, size_t len, size_t size, uint32_t *seq, uint8_t *attempt)
{
    uint32_t s;

    if (len != size) {
        errno = EMSGSIZE;
        return -1;
    }
    if (len < PROBE_HEADER_SIZE || get_be16(buf) != PROBE_MAGIC || buf[2] == 0 || buf[3] != 0) {
        errno = EBADMSG;
        return -1;
    }
    s = get_be32(buf + 4);
    for (size_t i = PROBE_HEADER_SIZE; i < len; i++) {
        if (buf[i] != pattern_byte(s, i)) {
            errno = EBADMSG;
            return -1;
        }
    }
    *seq = s;
    *attempt = buf[2];
    return 0;
}

int sockaddr_same(const struct sockaddr *a, const struct sockaddr *b)
{
    if (a->sa_family != b->sa_family)
        return 0;
    if (a->sa_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a;
        const struct sockaddr_in *y = (const struct sockaddr_in *)b;

        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->sa_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;

        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0 &&
               x->sin6_scope_id == y->sin6_scope_id;
    }
    return 0;
}

ssize_t recv_datagram(int fd, uint8_t *buf, size_t cap, int flags, struct sockaddr_storage *from,
                      socklen_t *from_len)
{
    ssize_t n;

    do {
        *from_len = sizeof *from;
        /* With MSG_TRUNC, Linux returns the datagram's real length even when it did not fit:
         * without it, a truncated datagram looks exactly like a short one. */
        n = recvfrom(fd, buf, cap, flags | MSG_TRUNC, (struct sockaddr *)from, from_len);
    } while (n == -1 && errno == EINTR);
    return n;
}
