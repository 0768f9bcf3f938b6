/* bytes.h: big-endian (network byte order) integers at any address (given; from Lab 01). */
#ifndef BYTES_H
#define BYTES_H

#include <stdint.h>

/* Store v at p, most significant byte first; p need not be aligned. */
void put_be16(uint8_t *p, uint16_t v);
void put_be32(uint8_t *p, uint32_t v);

/* Read a big-endian integer from p; p need not be aligned. */
uint16_t get_be16(const uint8_t *p);
uint32_t get_be32(const uint8_t *p);

#endif
