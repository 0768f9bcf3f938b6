/* bytes.h: big-endian (network byte order) integers and a message header (Lab 01). In bytes.c. */
#ifndef BYTES_H
#define BYTES_H

#include <stdint.h>

/* Store v at p, most significant byte first; p need not be aligned. */
void put_be16(uint8_t *p, uint16_t v);
void put_be32(uint8_t *p, uint32_t v);
void put_be64(uint8_t *p, uint64_t v);

/* Read a big-endian integer from p; p need not be aligned. */
uint16_t get_be16(const uint8_t *p);
uint32_t get_be32(const uint8_t *p);
uint64_t get_be64(const uint8_t *p);

/* A message header on the wire, 16 bytes, every field big-endian:
 *   offset 0  magic    2 bytes  always MSG_MAGIC ("NL")
 *   offset 2  version  1 byte
 *   offset 3  type     1 byte
 *   offset 4  length   4 bytes  length of the body that follows the header
 *   offset 8  sequence 8 bytes
 */
#define MSG_MAGIC 0x4E4Cu
#define MSG_HEADER_SIZE 16

struct msg_header {
    uint8_t version;
    uint8_t type;
    uint32_t length;
    uint64_t sequence;
};

/* Write h to out in the wire format above. */
void header_pack(const struct msg_header *h, uint8_t out[MSG_HEADER_SIZE]);

/* Read a header from in. Returns 0, or -1 with errno EBADMSG when the magic is wrong (then *h is
 * left unchanged). */
int header_unpack(const uint8_t in[MSG_HEADER_SIZE], struct msg_header *h);

#endif
