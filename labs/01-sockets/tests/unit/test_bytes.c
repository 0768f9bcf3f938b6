/* test_bytes.c: Check unit tests for bytes.c, against golden byte vectors. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "netlab_check.h"

/* Written and read at an odd offset inside this buffer, to prove alignment does not matter. */
static uint8_t buffer[32];

START_TEST(be16_golden)
{
    uint8_t *p = buffer + 1;

    memset(buffer, 0, sizeof buffer);
    put_be16(p, 0x1234);
    EXPECT_BYTES("put_be16(p, 0x1234)", p, "\x12\x34", 2);
    put_be16(p, 0xFF00);
    EXPECT_BYTES("put_be16(p, 0xff00)", p, "\xff\x00", 2);
    EXPECT_UINT("get_be16 of bytes 12 34", get_be16((const uint8_t *)"\x12\x34"), 0x1234);
    EXPECT_UINT("get_be16 of bytes 80 01", get_be16((const uint8_t *)"\x80\x01"), 0x8001);
    EXPECT_UINT("bytes after put_be16 (must not be written)", buffer[3], 0);
}
END_TEST

START_TEST(be32_golden)
{
    uint8_t *p = buffer + 3;

    memset(buffer, 0, sizeof buffer);
    put_be32(p, 0x01020304u);
    EXPECT_BYTES("put_be32(p, 0x01020304)", p, "\x01\x02\x03\x04", 4);
    put_be32(p, 0xDEADBEEFu);
    EXPECT_BYTES("put_be32(p, 0xdeadbeef)", p, "\xde\xad\xbe\xef", 4);
    EXPECT_UINT("get_be32 of bytes de ad be ef", get_be32(p), 0xDEADBEEFu);
    EXPECT_UINT("get_be32 of bytes 80 00 00 01", get_be32((const uint8_t *)"\x80\x00\x00\x01"),
                0x80000001u);
    EXPECT_UINT("bytes after put_be32 (must not be written)", buffer[7], 0);
}
END_TEST

START_TEST(be64_golden)
{
    uint8_t *p = buffer + 5;

    memset(buffer, 0, sizeof buffer);
    put_be64(p, 0x0102030405060708ull);
    EXPECT_BYTES("put_be64(p, 0x0102030405060708)", p, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    EXPECT_UINT("get_be64 of bytes 01 02 03 04 05 06 07 08", get_be64(p), 0x0102030405060708ull);
    EXPECT_UINT("get_be64 of bytes ff 00 00 00 00 00 00 01",
                get_be64((const uint8_t *)"\xff\x00\x00\x00\x00\x00\x00\x01"),
                0xFF00000000000001ull);
    EXPECT_UINT("bytes after put_be64 (must not be written)", buffer[13], 0);
}
END_TEST

/* A header and its 16 bytes on the wire. */
static const struct msg_header golden = {
    .version = 1, .type = 7, .length = 0x00010203u, .sequence = 0x1122334455667788ull};
static const uint8_t golden_wire[MSG_HEADER_SIZE] = {
    0x4E, 0x4C, 0x01, 0x07, 0x00, 0x01, 0x02, 0x03, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

START_TEST(header_pack_golden)
{
    uint8_t *out = buffer + 1;

    memset(buffer, 0xEE, sizeof buffer);
    header_pack(&golden, out);
    EXPECT_BYTES("header_pack(version 1, type 7, length 0x10203, sequence 0x1122334455667788)", out,
                 golden_wire, MSG_HEADER_SIZE);
    EXPECT_UINT("the byte after the packed header (must not be written)", out[MSG_HEADER_SIZE],
                0xEE);
}
END_TEST

START_TEST(header_unpack_golden)
{
    struct msg_header h;
    const char *did = "header_unpack(4e 4c 01 07 00 01 02 03 11 22 33 44 55 66 77 88)";

    memcpy(buffer + 3, golden_wire, sizeof golden_wire);
    memset(&h, 0, sizeof h);
    EXPECT_OK(did, header_unpack(buffer + 3, &h));
    EXPECT_UINT(did, h.version, 1);
    EXPECT_UINT(did, h.type, 7);
    EXPECT_UINT(did, h.length, 0x00010203u);
    EXPECT_UINT(did, h.sequence, 0x1122334455667788ull);
}
END_TEST

START_TEST(header_bad_magic)
{
    uint8_t wire[MSG_HEADER_SIZE];
    struct msg_header h = {.version = 9, .type = 9, .length = 9, .sequence = 9};

    memcpy(wire, golden_wire, sizeof wire);
    wire[0] = 0x4C; /* magic bytes swapped: "LN" */
    wire[1] = 0x4E;
    errno = 0;
    EXPECT_ERR("header_unpack of a header starting 4c 4e (magic in the wrong byte order)",
               header_unpack(wire, &h), EBADMSG);
    EXPECT_UINT("h.length after a rejected header (must be unchanged)", h.length, 9);
}
END_TEST

START_TEST(header_round_trip)
{
    struct msg_header in = {.version = 255, .type = 0, .length = 0xFFFFFFFFu, .sequence = 1};
    struct msg_header out;
    uint8_t wire[MSG_HEADER_SIZE];

    header_pack(&in, wire);
    EXPECT_OK("header_unpack(header_pack(h))", header_unpack(wire, &out));
    EXPECT_UINT("version after a round trip", out.version, 255);
    EXPECT_UINT("length after a round trip", out.length, 0xFFFFFFFFu);
    EXPECT_UINT("sequence after a round trip", out.sequence, 1);
}
END_TEST

Suite *bytes_suite(void);

Suite *bytes_suite(void)
{
    Suite *s = suite_create("bytes");
    TCase *order = tcase_create("byteorder");
    TCase *header = tcase_create("header");

    tcase_add_test(order, be16_golden);
    tcase_add_test(order, be32_golden);
    tcase_add_test(order, be64_golden);
    tcase_add_test(header, header_pack_golden);
    tcase_add_test(header, header_unpack_golden);
    tcase_add_test(header, header_bad_magic);
    tcase_add_test(header, header_round_trip);
    suite_add_tcase(s, order);
    suite_add_tcase(s, header);
    return s;
}
