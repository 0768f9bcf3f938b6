/* test_addr.c: Check unit tests for addr.c (format and parse socket addresses). */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/un.h>

#include "addr.h"
#include "netlab_check.h"

/* An IPv4 socket address for text (numeric) and port (host byte order). */
static struct sockaddr_in make_v4(const char *text, uint16_t port)
{
    struct sockaddr_in sin;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    ck_assert_int_eq(inet_pton(AF_INET, text, &sin.sin_addr), 1);
    return sin;
}

static struct sockaddr_in6 make_v6(const char *text, uint16_t port)
{
    struct sockaddr_in6 sin6;

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    ck_assert_int_eq(inet_pton(AF_INET6, text, &sin6.sin6_addr), 1);
    return sin6;
}

/* format_sockaddr on sa must give want. */
static void expect_format(const struct sockaddr *sa, const char *did, const char *want)
{
    char buf[SOCKADDR_STRLEN];

    memset(buf, 'X', sizeof buf);
    buf[sizeof buf - 1] = '\0';
    EXPECT_OK(did, format_sockaddr(sa, buf, sizeof buf));
    EXPECT_STR(did, buf, want);
}

START_TEST(format_ipv4)
{
    struct sockaddr_in sin = make_v4("127.0.0.1", 8080);

    expect_format((struct sockaddr *)&sin, "format_sockaddr(127.0.0.1 port 8080)",
                  "127.0.0.1:8080");
    sin = make_v4("192.0.2.33", 80);
    expect_format((struct sockaddr *)&sin, "format_sockaddr(192.0.2.33 port 80)", "192.0.2.33:80");
}
END_TEST

START_TEST(format_ipv6)
{
    struct sockaddr_in6 sin6 = make_v6("::1", 8080);

    expect_format((struct sockaddr *)&sin6, "format_sockaddr(::1 port 8080)", "[::1]:8080");
    sin6 = make_v6("2001:db8::4:1", 443);
    expect_format((struct sockaddr *)&sin6, "format_sockaddr(2001:db8::4:1 port 443)",
                  "[2001:db8::4:1]:443");
    sin6 = make_v6("::ffff:127.0.0.1", 1);
    expect_format((struct sockaddr *)&sin6, "format_sockaddr(::ffff:127.0.0.1 port 1)",
                  "[::ffff:127.0.0.1]:1");
}
END_TEST

START_TEST(format_port_byte_order)
{
    struct sockaddr_in sin = make_v4("10.0.0.1", 0x1234);
    struct sockaddr_in6 sin6 = make_v6("::", 65535);

    expect_format((struct sockaddr *)&sin, "format_sockaddr(10.0.0.1 port 4660)", "10.0.0.1:4660");
    expect_format((struct sockaddr *)&sin6, "format_sockaddr(:: port 65535)", "[::]:65535");
    sin = make_v4("0.0.0.0", 0);
    expect_format((struct sockaddr *)&sin, "format_sockaddr(0.0.0.0 port 0)", "0.0.0.0:0");
}
END_TEST

START_TEST(format_address_only)
{
    struct sockaddr_in sin = make_v4("127.0.0.1", 80);
    struct sockaddr_in6 sin6 = make_v6("fe80::1", 80);
    char buf[INET6_ADDRSTRLEN];

    EXPECT_OK("format_address(127.0.0.1 port 80)",
              format_address((struct sockaddr *)&sin, buf, sizeof buf));
    EXPECT_STR("format_address(127.0.0.1 port 80)", buf, "127.0.0.1");
    EXPECT_OK("format_address(fe80::1 port 80)",
              format_address((struct sockaddr *)&sin6, buf, sizeof buf));
    EXPECT_STR("format_address(fe80::1 port 80)", buf, "fe80::1");
}
END_TEST

START_TEST(format_rejects_other_families)
{
    struct sockaddr_un sun;
    char buf[SOCKADDR_STRLEN];

    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    errno = 0;
    EXPECT_ERR("format_sockaddr(an AF_UNIX address)",
               format_sockaddr((struct sockaddr *)&sun, buf, sizeof buf), EAFNOSUPPORT);
    errno = 0;
    EXPECT_ERR("format_address(an AF_UNIX address)",
               format_address((struct sockaddr *)&sun, buf, sizeof buf), EAFNOSUPPORT);
}
END_TEST

START_TEST(format_buffer_too_small)
{
    struct sockaddr_in sin = make_v4("127.0.0.1", 8080); /* "127.0.0.1:8080" is 14 characters */
    struct sockaddr_in6 sin6 = make_v6("::1", 80);       /* "[::1]:80" is 8 */
    char buf[SOCKADDR_STRLEN];

    EXPECT_OK("format_sockaddr(127.0.0.1 port 8080, buffer of 15 bytes)",
              format_sockaddr((struct sockaddr *)&sin, buf, 15));
    EXPECT_STR("format_sockaddr(127.0.0.1 port 8080, buffer of 15 bytes)", buf, "127.0.0.1:8080");
    errno = 0;
    EXPECT_ERR("format_sockaddr(127.0.0.1 port 8080, buffer of 14 bytes)",
               format_sockaddr((struct sockaddr *)&sin, buf, 14), ENOSPC);
    errno = 0;
    EXPECT_ERR("format_sockaddr([::1] port 80, buffer of 8 bytes)",
               format_sockaddr((struct sockaddr *)&sin6, buf, 8), ENOSPC);
    errno = 0;
    EXPECT_ERR("format_address(127.0.0.1, buffer of 9 bytes)",
               format_address((struct sockaddr *)&sin, buf, 9), ENOSPC);
}
END_TEST

START_TEST(parse_port_valid)
{
    static const struct {
        const char *text;
        uint16_t want;
    } cases[] = {{"0", 0}, {"80", 80}, {"8080", 8080}, {"65535", 65535}, {"00443", 443}};
    char did[64];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint16_t port = 1;

        snprintf(did, sizeof did, "parse_port(\"%s\")", cases[i].text);
        EXPECT_OK(did, parse_port(cases[i].text, &port));
        EXPECT_UINT(did, port, cases[i].want);
    }
}
END_TEST

START_TEST(parse_port_invalid)
{
    static const char *const bad[] = {"",    "http", "8o",   " 80", "80 ",
                                      "+80", "-1",   "0x50", "1.5", "80\n"};
    char did[64];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint16_t port = 7;

        snprintf(did, sizeof did, "parse_port(\"%s\")", bad[i]);
        errno = 0;
        EXPECT_ERR(did, parse_port(bad[i], &port), EINVAL);
        EXPECT_UINT(did, port, 7); /* untouched on error */
    }
}
END_TEST

START_TEST(parse_port_out_of_range)
{
    static const char *const big[] = {"65536", "70000", "99999999999999999999999"};
    char did[64];

    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        uint16_t port = 7;

        snprintf(did, sizeof did, "parse_port(\"%s\")", big[i]);
        errno = 0;
        EXPECT_ERR(did, parse_port(big[i], &port), ERANGE);
    }
}
END_TEST

START_TEST(split_valid)
{
    static const struct {
        const char *text, *host, *port;
    } cases[] = {
        {"127.0.0.1:80", "127.0.0.1", "80"},
        {"[::1]:8080", "::1", "8080"},
        {"example.org:http", "example.org", "http"},
        {"[fe80::1%lo]:22", "fe80::1%lo", "22"},
    };
    char host[64], port[16], did[80];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(did, sizeof did, "split_hostport(\"%s\")", cases[i].text);
        EXPECT_OK(did, split_hostport(cases[i].text, host, sizeof host, port, sizeof port));
        EXPECT_STR(did, host, cases[i].host);
        EXPECT_STR(did, port, cases[i].port);
    }
}
END_TEST

START_TEST(split_invalid)
{
    static const char *const bad[] = {"127.0.0.1", "::1:80", "[::1]", "[::1]80", "[::1:80",
                                      ":80",       "host:",  "[]:80", ""};
    char host[64], port[16], did[80];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(did, sizeof did, "split_hostport(\"%s\")", bad[i]);
        errno = 0;
        EXPECT_ERR(did, split_hostport(bad[i], host, sizeof host, port, sizeof port), EINVAL);
    }
}
END_TEST

START_TEST(split_no_room)
{
    char host[10], port[3];

    errno = 0;
    EXPECT_ERR("split_hostport(\"[2001:db8::1]:80\") with a 10-byte host buffer",
               split_hostport("[2001:db8::1]:80", host, sizeof host, port, sizeof port), ENOSPC);
    errno = 0;
    EXPECT_ERR("split_hostport(\"a:443\") with a 3-byte port buffer",
               split_hostport("a:443", host, sizeof host, port, sizeof port), ENOSPC);
    EXPECT_OK("split_hostport(\"a:44\") with a 3-byte port buffer",
              split_hostport("a:44", host, sizeof host, port, sizeof port));
}
END_TEST

START_TEST(sockaddr_parse_ipv4)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    socklen_t len = 0;
    static const uint8_t want_addr[4] = {192, 0, 2, 7};
    const char *did = "sockaddr_parse(\"192.0.2.7:8080\")";

    memset(&ss, 0xAA, sizeof ss);
    EXPECT_OK(did, sockaddr_parse("192.0.2.7:8080", &ss, &len));
    EXPECT_UINT(did, sin->sin_family, AF_INET);
    EXPECT_UINT("the length sockaddr_parse(\"192.0.2.7:8080\") stores", len,
                sizeof(struct sockaddr_in));
    EXPECT_BYTES("sin_port after sockaddr_parse(\"192.0.2.7:8080\") (network byte order)",
                 &sin->sin_port, "\x1f\x90", 2);
    EXPECT_BYTES("sin_addr after sockaddr_parse(\"192.0.2.7:8080\")", &sin->sin_addr, want_addr, 4);
}
END_TEST

START_TEST(sockaddr_parse_ipv6)
{
    struct sockaddr_storage ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    socklen_t len = 0;
    struct in6_addr loopback = IN6ADDR_LOOPBACK_INIT;
    const char *did = "sockaddr_parse(\"[::1]:443\")";

    memset(&ss, 0xAA, sizeof ss);
    EXPECT_OK(did, sockaddr_parse("[::1]:443", &ss, &len));
    EXPECT_UINT(did, sin6->sin6_family, AF_INET6);
    EXPECT_UINT("the length sockaddr_parse(\"[::1]:443\") stores", len,
                sizeof(struct sockaddr_in6));
    EXPECT_BYTES("sin6_port after sockaddr_parse(\"[::1]:443\") (network byte order)",
                 &sin6->sin6_port, "\x01\xbb", 2);
    EXPECT_BYTES("sin6_addr after sockaddr_parse(\"[::1]:443\")", &sin6->sin6_addr, &loopback, 16);
    EXPECT_UINT("sin6_flowinfo after sockaddr_parse(\"[::1]:443\") (must be zeroed)",
                sin6->sin6_flowinfo, 0);
    EXPECT_UINT("sin6_scope_id after sockaddr_parse(\"[::1]:443\") (must be zeroed)",
                sin6->sin6_scope_id, 0);
}
END_TEST

START_TEST(sockaddr_parse_invalid)
{
    static const char *const bad[] = {"localhost:80", "[127.0.0.1]:80", "::1:80", "1.2.3.4:99999",
                                      "1.2.3.4:http", "1.2.3:80",       "[::1]:", "256.0.0.1:80"};
    struct sockaddr_storage ss;
    socklen_t len;
    char did[80];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(did, sizeof did, "sockaddr_parse(\"%s\")", bad[i]);
        errno = 0;
        EXPECT_ERR(did, sockaddr_parse(bad[i], &ss, &len), EINVAL);
    }
}
END_TEST

START_TEST(round_trip)
{
    static const char *const texts[] = {"127.0.0.1:1", "[::1]:65535",
                                        "[2001:db8::8:800:200c:417a]:80", "0.0.0.0:0"};
    struct sockaddr_storage ss;
    socklen_t len;
    char buf[SOCKADDR_STRLEN], did[96];

    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        snprintf(did, sizeof did, "format_sockaddr(sockaddr_parse(\"%s\"))", texts[i]);
        EXPECT_OK(did, sockaddr_parse(texts[i], &ss, &len));
        EXPECT_OK(did, format_sockaddr((struct sockaddr *)&ss, buf, sizeof buf));
        EXPECT_STR(did, buf, texts[i]);
    }
}
END_TEST

static Suite *addr_suite(void)
{
    Suite *s = suite_create("addr");
    TCase *format = tcase_create("format");
    TCase *port = tcase_create("port");
    TCase *split = tcase_create("split");
    TCase *parse = tcase_create("parse");

    tcase_add_test(format, format_ipv4);
    tcase_add_test(format, format_ipv6);
    tcase_add_test(format, format_port_byte_order);
    tcase_add_test(format, format_address_only);
    tcase_add_test(format, format_rejects_other_families);
    tcase_add_test(format, format_buffer_too_small);
    tcase_add_test(port, parse_port_valid);
    tcase_add_test(port, parse_port_invalid);
    tcase_add_test(port, parse_port_out_of_range);
    tcase_add_test(split, split_valid);
    tcase_add_test(split, split_invalid);
    tcase_add_test(split, split_no_room);
    tcase_add_test(parse, sockaddr_parse_ipv4);
    tcase_add_test(parse, sockaddr_parse_ipv6);
    tcase_add_test(parse, sockaddr_parse_invalid);
    tcase_add_test(parse, round_trip);
    suite_add_tcase(s, format);
    suite_add_tcase(s, port);
    suite_add_tcase(s, split);
    suite_add_tcase(s, parse);
    return s;
}

Suite *bytes_suite(void);

Suite *(*const unit_suites[])(void) = {addr_suite, bytes_suite, NULL};
