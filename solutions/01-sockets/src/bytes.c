/* bytes.c: big-endian integers and the message header, byte by byte (Lab 01 reference solution).
 *
 * Shifting bytes in and out works the same on every CPU, whatever its own byte order, and never
 * reads a multi-byte integer from an address that may not be aligned for it. */
#define _POSIX_C_SOURCE 200809L

#include "bytes.h"

#include <errno.h>

void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, (uint16_t)(v >> 16));
    put_be16(p + 2, (uint16_t)v);
}

void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)get_be16(p) << 16) | get_be16(p + 2);
}

uint64_t get_be64(const uint8_t *p)
{
    return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

void header_pack(const struct msg_header *h, uint8_t out[MSG_HEADER_SIZE])
{
    put_be16(out, MSG_MAGIC);
    out[2] = h->version;
    out[3] = h->type;
    put_be32(out + 4, h->length);
    put_be64(out + 8, h->sequence);
}

int header_unpack(const uint8_t in[MSG_HEADER_SIZE], struct msg_header *h)
{
    if (get_be16(in) != MSG_MAGIC) {
        errno = EBADMSG;
        return -1;
    }
    h->version = in[2];
    h->type = in[3];
    h->length = get_be32(in + 4);
    h->sequence = get_be64(in + 8);
    return 0;
}
