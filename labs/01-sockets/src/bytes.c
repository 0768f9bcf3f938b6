/* bytes.c: big-endian integers and the message header (Lab 01). The contracts are in bytes.h. */
#define _POSIX_C_SOURCE 200809L

#include "bytes.h"

#include <errno.h>

/* TODO(lab 01): implement each function by shifting bytes: p[0] = (uint8_t)(v >> 8), ...
 * Do not cast p to a wider pointer type: p may not be aligned for it. */

void put_be16(uint8_t *p, uint16_t v)
{
    (void)p;
    (void)v;
}

void put_be32(uint8_t *p, uint32_t v)
{
    (void)p;
    (void)v;
}

void put_be64(uint8_t *p, uint64_t v)
{
    (void)p;
    (void)v;
}

uint16_t get_be16(const uint8_t *p)
{
    (void)p;
    return 0;
}

uint32_t get_be32(const uint8_t *p)
{
    (void)p;
    return 0;
}

uint64_t get_be64(const uint8_t *p)
{
    (void)p;
    return 0;
}

void header_pack(const struct msg_header *h, uint8_t out[MSG_HEADER_SIZE])
{
    /* TODO(lab 01): magic, version, type, length, sequence at the offsets given in bytes.h. */
    (void)h;
    (void)out;
}

int header_unpack(const uint8_t in[MSG_HEADER_SIZE], struct msg_header *h)
{
    /* TODO(lab 01): check the magic first (EBADMSG), then read every field. */
    (void)in;
    (void)h;
    errno = ENOSYS;
    return -1;
}
