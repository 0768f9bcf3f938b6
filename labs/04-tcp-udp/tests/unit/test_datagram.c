/* test_datagram.c: Check unit tests for datagram.c (the probe format, comparing addresses,
 * receiving a datagram with MSG_TRUNC). */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "datagram.h"
#include "netlab_check.h"

/* The probe (seq 0x01020304, attempt 2) of 12 bytes: header, then (seq + i) & 0xff for i 8..11. */
static const uint8_t golden_probe[12] = {0x55, 0x50, 0x02, 0x00, 0x01, 0x02,
                                         0x03, 0x04, 0x0c, 0x0d, 0x0e, 0x0f};

START_TEST(probe_pack_golden)
{
    uint8_t buf[16];

    memset(buf, 0xEE, sizeof buf);
    probe_pack(buf + 1, 12, 0x01020304u, 2);
    EXPECT_BYTES("probe_pack(buf, 12, seq 0x01020304, attempt 2)", buf + 1, golden_probe, 12);
    EXPECT_UINT("the byte after the 12-byte probe (must not be written)", buf[13], 0xEE);
    EXPECT_UINT("the byte before the probe (must not be written)", buf[0], 0xEE);
}
END_TEST

START_TEST(probe_pack_pattern_wraps)
{
    uint8_t *buf = malloc(PROBE_MAX_SIZE);

    ck_assert_ptr_nonnull(buf);
    probe_pack(buf, PROBE_MAX_SIZE, 0xFFFFFFF0u, 1);
    EXPECT_BYTES("the header of probe_pack(buf, 65507, seq 0xfffffff0, attempt 1)", buf,
                 "\x55\x50\x01\x00\xff\xff\xff\xf0", 8);
    EXPECT_UINT("byte 8 of that probe: (0xfffffff0 + 8) & 0xff", buf[8], 0xF8);
    EXPECT_UINT("byte 300 of that probe: (0xfffffff0 + 300) & 0xff", buf[300], (0xF0 + 300) & 0xFF);
    EXPECT_UINT("the last byte, 65506, of that probe", buf[PROBE_MAX_SIZE - 1],
                (0xF0 + PROBE_MAX_SIZE - 1) & 0xFF);
    free(buf);
}
END_TEST

START_TEST(probe_parse_valid)
{
    static const size_t sizes[] = {PROBE_HEADER_SIZE, 9, 64, 1400, PROBE_MAX_SIZE};
    uint8_t *buf = malloc(PROBE_MAX_SIZE);
    char did[96];

    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t seq = 0;
        uint8_t attempt = 0;

        probe_pack(buf, sizes[i], 1000 + (uint32_t)i, (uint8_t)(i + 1));
        snprintf(did, sizeof did, "probe_parse of probe_pack(buf, %zu, seq %zu, attempt %zu)",
                 sizes[i], 1000 + i, i + 1);
        EXPECT_OK(did, probe_parse(buf, sizes[i], sizes[i], &seq, &attempt));
        EXPECT_UINT(did, seq, 1000 + i);
        EXPECT_UINT(did, attempt, i + 1);
    }
    free(buf);
}
END_TEST

START_TEST(probe_parse_wrong_size)
{
    uint8_t buf[128];
    uint32_t seq = 7;
    uint8_t attempt = 7;

    probe_pack(buf, sizeof buf, 5, 1);
    errno = 0;
    EXPECT_ERR("probe_parse of a 64-byte probe, expecting 128 bytes",
               probe_parse(buf, 64, 128, &seq, &attempt), EMSGSIZE);
    errno = 0;
    EXPECT_ERR("probe_parse of a 128-byte probe, expecting 64 bytes (a longer datagram)",
               probe_parse(buf, 128, 64, &seq, &attempt), EMSGSIZE);
    errno = 0;
    EXPECT_ERR("probe_parse of an empty datagram, expecting 64 bytes",
               probe_parse(buf, 0, 64, &seq, &attempt), EMSGSIZE);
    EXPECT_UINT("seq after probe_parse failed (must be unchanged)", seq, 7);
    EXPECT_UINT("attempt after probe_parse failed (must be unchanged)", attempt, 7);
}
END_TEST

START_TEST(probe_parse_corrupt)
{
    static const struct {
        size_t offset;
        uint8_t value;
        const char *what;
    } damage[] = {
        {0, 0x50, "the magic's first byte is 0x50"},
        {1, 0x55, "the magic's second byte is 0x55"},
        {2, 0x00, "attempt is 0"},
        {3, 0x01, "the zero byte is 1"},
        {8, 0x00, "the first pattern byte is wrong"},
        {63, 0x00, "the last pattern byte is wrong"},
    };
    uint8_t buf[64];
    char did[128];

    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        uint32_t seq = 7;
        uint8_t attempt = 7;

        probe_pack(buf, sizeof buf, 0x100, 3);
        buf[damage[i].offset] = damage[i].value;
        snprintf(did, sizeof did, "probe_parse of a 64-byte probe whose %s", damage[i].what);
        errno = 0;
        EXPECT_ERR(did, probe_parse(buf, sizeof buf, sizeof buf, &seq, &attempt), EBADMSG);
        EXPECT_UINT(did, seq, 7);
    }
}
END_TEST

static struct sockaddr_in v4(const char *text, uint16_t port)
{
    struct sockaddr_in sin;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    ck_assert_int_eq(inet_pton(AF_INET, text, &sin.sin_addr), 1);
    return sin;
}

static struct sockaddr_in6 v6(const char *text, uint16_t port)
{
    struct sockaddr_in6 sin6;

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    ck_assert_int_eq(inet_pton(AF_INET6, text, &sin6.sin6_addr), 1);
    return sin6;
}

#define SAME(a, b) sockaddr_same((const struct sockaddr *)&(a), (const struct sockaddr *)&(b))

START_TEST(sockaddr_same_ipv4)
{
    struct sockaddr_in a = v4("127.0.0.1", 9000), b = v4("127.0.0.1", 9000);
    struct sockaddr_in other_port = v4("127.0.0.1", 9001), other_addr = v4("127.0.0.2", 9000);

    memset(b.sin_zero, 0x55, sizeof b.sin_zero); /* padding is not part of the address */
    EXPECT_UINT("sockaddr_same(127.0.0.1:9000, 127.0.0.1:9000)", SAME(a, b), 1);
    EXPECT_UINT("sockaddr_same(127.0.0.1:9000, 127.0.0.1:9001)", SAME(a, other_port), 0);
    EXPECT_UINT("sockaddr_same(127.0.0.1:9000, 127.0.0.2:9000)", SAME(a, other_addr), 0);
}
END_TEST

START_TEST(sockaddr_same_ipv6)
{
    struct sockaddr_in6 a = v6("::1", 9000), b = v6("::1", 9000);
    struct sockaddr_in6 other_port = v6("::1", 9001), other_addr = v6("::2", 9000);
    struct sockaddr_in6 last_byte = v6("2001:db8::1", 9000), last_byte2 = v6("2001:db8::2", 9000);

    b.sin6_flowinfo = 7; /* the flow label does not name the sender */
    EXPECT_UINT("sockaddr_same([::1]:9000, [::1]:9000)", SAME(a, b), 1);
    EXPECT_UINT("sockaddr_same([::1]:9000, [::1]:9001)", SAME(a, other_port), 0);
    EXPECT_UINT("sockaddr_same([::1]:9000, [::2]:9000)", SAME(a, other_addr), 0);
    EXPECT_UINT("sockaddr_same([2001:db8::1]:9000, [2001:db8::2]:9000)",
                SAME(last_byte, last_byte2), 0);
}
END_TEST

START_TEST(sockaddr_same_families)
{
    struct sockaddr_in a = v4("127.0.0.1", 9000);
    struct sockaddr_in6 mapped = v6("::ffff:127.0.0.1", 9000);
    struct sockaddr_un u1, u2;

    memset(&u1, 0, sizeof u1);
    memset(&u2, 0, sizeof u2);
    u1.sun_family = u2.sun_family = AF_UNIX;
    struct sockaddr_in6 mapped2 = v6("::ffff:127.0.0.1", 9000);

    EXPECT_UINT("sockaddr_same([::ffff:127.0.0.1]:9000, [::ffff:127.0.0.1]:9000)",
                SAME(mapped, mapped2), 1);
    EXPECT_UINT("sockaddr_same(127.0.0.1:9000, [::ffff:127.0.0.1]:9000)", SAME(a, mapped), 0);
    EXPECT_UINT("sockaddr_same(an AF_UNIX address, the same AF_UNIX address)", SAME(u1, u2), 0);
}
END_TEST

/* Two UDP sockets on 127.0.0.1: *rx bound to a port of its own, *tx another; *rx_addr is where
 * rx listens. Every receive in these tests has a timeout (SO_RCVTIMEO). */
static void udp_pair(int *rx, int *tx, struct sockaddr_in *rx_addr, struct sockaddr_in *tx_addr)
{
    struct sockaddr_in any = v4("127.0.0.1", 0);
    struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
    socklen_t len = sizeof *rx_addr;

    *rx = socket(AF_INET, SOCK_DGRAM, 0);
    *tx = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(*rx, 0);
    ck_assert_int_ge(*tx, 0);
    ck_assert_int_eq(bind(*rx, (struct sockaddr *)&any, sizeof any), 0);
    ck_assert_int_eq(bind(*tx, (struct sockaddr *)&any, sizeof any), 0);
    ck_assert_int_eq(setsockopt(*rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    ck_assert_int_eq(getsockname(*rx, (struct sockaddr *)rx_addr, &len), 0);
    len = sizeof *tx_addr;
    ck_assert_int_eq(getsockname(*tx, (struct sockaddr *)tx_addr, &len), 0);
}

START_TEST(recv_datagram_whole)
{
    struct sockaddr_in rx_addr, tx_addr;
    struct sockaddr_storage from;
    socklen_t from_len = 0;
    uint8_t out[100], in[200];
    ssize_t n;
    int rx, tx;

    udp_pair(&rx, &tx, &rx_addr, &tx_addr);
    probe_pack(out, sizeof out, 1, 1);
    ck_assert_int_eq(sendto(tx, out, sizeof out, 0, (struct sockaddr *)&rx_addr, sizeof rx_addr),
                     100);
    n = recv_datagram(rx, in, sizeof in, 0, &from, &from_len);
    EXPECT_UINT("recv_datagram(200 bytes of room) of a 100-byte datagram", n, 100);
    EXPECT_BYTES("the bytes recv_datagram stored", in, out, 100);
    EXPECT_UINT("the sender's length recv_datagram stored", from_len, sizeof(struct sockaddr_in));
    EXPECT_UINT("the sender recv_datagram stored is the sending socket",
                sockaddr_same((struct sockaddr *)&from, (struct sockaddr *)&tx_addr), 1);
    close(rx);
    close(tx);
}
END_TEST

START_TEST(recv_datagram_truncated)
{
    struct sockaddr_in rx_addr, tx_addr;
    struct sockaddr_storage from;
    socklen_t from_len;
    uint8_t out[300], in[128];
    ssize_t n;
    int rx, tx;

    udp_pair(&rx, &tx, &rx_addr, &tx_addr);
    probe_pack(out, sizeof out, 2, 1);
    memset(in, 0xEE, sizeof in);
    ck_assert_int_eq(sendto(tx, out, sizeof out, 0, (struct sockaddr *)&rx_addr, sizeof rx_addr),
                     300);
    n = recv_datagram(rx, in, 100, 0, &from, &from_len);
    EXPECT_UINT(
        "recv_datagram(100 bytes of room) of a 300-byte datagram: its real length (MSG_TRUNC)", n,
        300);
    EXPECT_BYTES("the first 100 bytes recv_datagram stored", in, out, 100);
    EXPECT_UINT("byte 100 of the buffer (beyond cap: must not be written)", in[100], 0xEE);
    close(rx);
    close(tx);
}
END_TEST

START_TEST(recv_datagram_empty)
{
    struct sockaddr_in rx_addr, tx_addr;
    struct sockaddr_storage from;
    socklen_t from_len;
    uint8_t in[64];
    ssize_t n;
    int rx, tx;

    udp_pair(&rx, &tx, &rx_addr, &tx_addr);
    ck_assert_int_eq(sendto(tx, in, 0, 0, (struct sockaddr *)&rx_addr, sizeof rx_addr), 0);
    ck_assert_int_eq(sendto(tx, "x", 1, 0, (struct sockaddr *)&rx_addr, sizeof rx_addr), 1);
    n = recv_datagram(rx, in, sizeof in, 0, &from, &from_len);
    EXPECT_UINT("recv_datagram of an empty datagram", n, 0);
    n = recv_datagram(rx, in, sizeof in, 0, &from, &from_len);
    EXPECT_UINT("recv_datagram of the 1-byte datagram sent after it", n, 1);
    close(rx);
    close(tx);
}
END_TEST

START_TEST(recv_datagram_nothing_waiting)
{
    struct sockaddr_in rx_addr, tx_addr;
    struct sockaddr_storage from;
    socklen_t from_len;
    uint8_t in[64];
    ssize_t n;
    int rx, tx;

    udp_pair(&rx, &tx, &rx_addr, &tx_addr);
    errno = 0;
    n = recv_datagram(rx, in, sizeof in, MSG_DONTWAIT, &from, &from_len);
    EXPECT_ERR("recv_datagram(MSG_DONTWAIT) with no datagram waiting", n, EAGAIN);
    close(rx);
    close(tx);
}
END_TEST

Suite *stats_suite(void);
Suite *stream_suite(void);

static Suite *datagram_suite(void)
{
    Suite *s = suite_create("datagram");
    TCase *probe = tcase_create("probe");
    TCase *addr = tcase_create("address");
    TCase *recv = tcase_create("recv");

    tcase_add_test(probe, probe_pack_golden);
    tcase_add_test(probe, probe_pack_pattern_wraps);
    tcase_add_test(probe, probe_parse_valid);
    tcase_add_test(probe, probe_parse_wrong_size);
    tcase_add_test(probe, probe_parse_corrupt);
    tcase_add_test(addr, sockaddr_same_ipv4);
    tcase_add_test(addr, sockaddr_same_ipv6);
    tcase_add_test(addr, sockaddr_same_families);
    tcase_add_test(recv, recv_datagram_whole);
    tcase_add_test(recv, recv_datagram_truncated);
    tcase_add_test(recv, recv_datagram_empty);
    tcase_add_test(recv, recv_datagram_nothing_waiting);
    suite_add_tcase(s, probe);
    suite_add_tcase(s, addr);
    suite_add_tcase(s, recv);
    return s;
}

Suite *(*const unit_suites[])(void) = {datagram_suite, stats_suite, stream_suite, NULL};
