/* datagram.h: UDP datagrams (Lab 04): the probe format udpping and measure send, comparing
 * senders' addresses, and receiving a datagram without missing that it was truncated.
 * Implemented in datagram.c. */
#ifndef DATAGRAM_H
#define DATAGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* A probe on the wire: an 8-byte header, then a pattern that fills it up to its size.
 *   offset 0  magic     2 bytes  'U' 'P' (0x55 0x50)
 *   offset 2  attempt   1 byte   1 for the first send of a probe, 2 for its first retry, ...
 *   offset 3  zero      1 byte   always 0
 *   offset 4  sequence  4 bytes  big-endian
 *   offset 8  pattern   byte i (i from 8 to size - 1) is (sequence + i) & 0xff
 * An echo server sends it back unchanged, so a reply is byte for byte the probe it answers. */
#define PROBE_HEADER_SIZE 8
#define PROBE_MAX_SIZE 65507 /* the largest UDP payload over IPv4 */

/* Write the probe (seq, attempt) of `size` bytes (PROBE_HEADER_SIZE or more) into buf. */
void probe_pack(uint8_t *buf, size_t size, uint32_t seq, uint8_t attempt);

/* Is the len-byte datagram at buf exactly a probe of `size` bytes, as probe_pack writes it?
 * Returns 0 and stores its sequence and attempt, or -1 with errno EMSGSIZE (len is not size) or
 * EBADMSG (the magic, the zero byte or the pattern is wrong, or attempt is 0); then *seq and
 * *attempt are left unchanged. */
int probe_parse(const uint8_t *buf, size_t len, size_t size, uint32_t *seq, uint8_t *attempt);

/* Are a and b the same IPv4 or IPv6 socket address (family, address and port)?
 * Returns 1 or 0; addresses of other families are never the same. */
int sockaddr_same(const struct sockaddr *a, const struct sockaddr *b);

/* Receive one datagram into buf (cap bytes of room) with recvfrom(), passing flags (MSG_DONTWAIT,
 * say) and MSG_TRUNC; store its sender in *from and the sender's length in *from_len (which holds
 * sizeof *from on the way in). Retries when interrupted by a signal (EINTR).
 * Returns the datagram's real length: 0 for an empty datagram, more than cap when it did not fit
 * (then only its first cap bytes are in buf); or -1 with errno set. */
ssize_t recv_datagram(int fd, uint8_t *buf, size_t cap, int flags, struct sockaddr_storage *from,
                      socklen_t *from_len);

#endif
