/* test_protocol.c: Check unit tests for protocol.c: each request's reply, read back from the other
 * end of a socket pair. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "linebuf.h"
#include "netlab_check.h"
#include "protocol.h"

static int pair[2] = {-1, -1}; /* handle_request writes to pair[0]; the test reads pair[1] */
static struct sockaddr_in6 peer6;
static uint8_t got[128 * 1024];

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    memset(&peer6, 0, sizeof peer6);
    peer6.sin6_family = AF_INET6;
    peer6.sin6_port = htons(5555);
    peer6.sin6_addr = in6addr_loopback;
}

static void teardown(void)
{
    for (int i = 0; i < 2; i++)
        if (pair[i] != -1)
            close(pair[i]);
}

/* Everything written to the pair so far (handle_request sends its whole reply before it returns).
 */
static size_t read_reply(void)
{
    size_t used = 0;

    for (;;) {
        ssize_t n = recv(pair[1], got + used, sizeof got - used, MSG_DONTWAIT);

        if (n <= 0)
            return used;
        used += (size_t)n;
    }
}

/* Escaped, shortened bytes for messages (two static buffers, so that two fit in one message). */
static const char *esc(const void *data, size_t n)
{
    static char bufs[2][4 * 48 + 24];
    static int which;
    const uint8_t *p = data;
    char *out = bufs[which ^= 1];
    size_t used = 0;

    out[used++] = '"';
    for (size_t i = 0; i < n && i < 48; i++) {
        if (p[i] >= 32 && p[i] < 127 && p[i] != '"' && p[i] != '\\')
            out[used++] = (char)p[i];
        else if (p[i] == '\n')
            used += (size_t)snprintf(out + used, 3, "\\n");
        else
            used += (size_t)snprintf(out + used, 5, "\\x%02x", p[i]);
    }
    snprintf(out + used, 24, "\"%s (%zu bytes)", n > 48 ? "..." : "", n);
    return out;
}

/* handle_request(line) from peer returns want_rc and sends exactly reply. */
static void expect_request(const struct sockaddr *peer, const void *line, size_t len,
                           const void *reply, size_t reply_len, int want_rc)
{
    char did[256];
    size_t n;
    int rc, saved;

    snprintf(did, sizeof did, "handle_request(fd, peer, %s)", esc(line, len));
    errno = 0;
    rc = handle_request(pair[0], peer, line, len);
    saved = errno;
    n = read_reply();
    ck_assert_msg(rc == want_rc,
                  "did:      %s\nexpected: return value %d\ngot:      %d (errno %d: %s)", did,
                  want_rc, rc, saved, strerror(saved));
    ck_assert_msg(n == reply_len && memcmp(got, reply, n) == 0,
                  "did:      %s\nexpected: the reply %s\ngot:      %s", did, esc(reply, reply_len),
                  esc(got, n));
}

#define REQUEST(line, reply)                                                                       \
    expect_request((struct sockaddr *)&peer6, line, sizeof line - 1, reply, sizeof reply - 1,      \
                   REPLY_CONTINUE)

START_TEST(echo)
{
    REQUEST("ECHO hello", "hello\n");
    REQUEST("ECHO a\0b\r\xff", "a\0b\r\xff\n");
    REQUEST("ECHO  two  spaces ", " two  spaces \n");
    REQUEST("ECHO ", "\n");
    REQUEST("ECHO", "\n");
}
END_TEST

START_TEST(echo_longest)
{
    uint8_t line[MAX_LINE], reply[MAX_LINE - 5 + 1];

    memset(line, 'e', sizeof line);
    memcpy(line, "ECHO ", 5);
    memset(reply, 'e', sizeof reply);
    reply[sizeof reply - 1] = '\n';
    expect_request((struct sockaddr *)&peer6, line, sizeof line, reply, sizeof reply,
                   REPLY_CONTINUE);
}
END_TEST

START_TEST(ping_and_quit)
{
    REQUEST("PING", "PONG\n");
    expect_request((struct sockaddr *)&peer6, "QUIT", 4, "BYE\n", 4, REPLY_CLOSE);
}
END_TEST

START_TEST(bad_requests)
{
    REQUEST("HELLO", "ERR unknown command\n");
    REQUEST("ping", "ERR unknown command\n");
    REQUEST("", "ERR unknown command\n");
    REQUEST(" PING", "ERR unknown command\n");
    REQUEST("PING\r", "ERR unknown command\n");
    REQUEST("PINGPONG", "ERR unknown command\n");
    REQUEST("PING\0", "ERR unknown command\n");
    REQUEST("PING x", "ERR bad argument\n");
    REQUEST("PING ", "ERR bad argument\n");
    REQUEST("WHO x", "ERR bad argument\n");
    REQUEST("QUIT now", "ERR bad argument\n");
    REQUEST("CHARGEN", "ERR bad argument\n");
    REQUEST("CHARGEN ", "ERR bad argument\n");
    REQUEST("CHARGEN x1", "ERR bad argument\n");
    REQUEST("CHARGEN 1x", "ERR bad argument\n");
    REQUEST("CHARGEN -1", "ERR bad argument\n");
    REQUEST("CHARGEN 1 ", "ERR bad argument\n");
    REQUEST("CHARGEN 1000001", "ERR bad argument\n");
    REQUEST("CHARGEN 18446744073709551617", "ERR bad argument\n");
}
END_TEST

START_TEST(too_long_reply)
{
    int rc = reply_too_long(pair[0]);
    size_t n = read_reply();

    EXPECT_OK("reply_too_long(fd)", rc);
    ck_assert_msg(n == 18 && memcmp(got, "ERR line too long\n", 18) == 0,
                  "did:      reply_too_long(fd)\nexpected: \"ERR line too long\\n\"\ngot:      %s",
                  esc(got, n));
}
END_TEST

START_TEST(chargen_pattern)
{
    uint8_t line[CHARGEN_WIDTH + 1], again[CHARGEN_WIDTH + 1];
    static const char first[] =
        "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\n";
    static const char second[] =
        "\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghi\n";
    static const char last[] =
        "~!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\n";

    chargen_line(0, line);
    ck_assert_msg(memcmp(line, first, sizeof line) == 0,
                  "did:      chargen_line(0)\nexpected: %s\ngot:      %s", esc(first, 73),
                  esc(line, 73));
    chargen_line(1, line);
    ck_assert_msg(memcmp(line, second, sizeof line) == 0,
                  "did:      chargen_line(1)\nexpected: %s\ngot:      %s", esc(second, 73),
                  esc(line, 73));
    chargen_line(93, line);
    ck_assert_msg(memcmp(line, last, sizeof line) == 0,
                  "did:      chargen_line(93)\nexpected: %s\ngot:      %s", esc(last, 73),
                  esc(line, 73));
    chargen_line(94 * 1000 + 1, again);
    ck_assert_msg(
        memcmp(again, second, sizeof again) == 0,
        "did:      chargen_line(94001) (the pattern repeats every 94 lines)\nexpected: %s\n"
        "got:      %s",
        esc(second, 73), esc(again, 73));
}
END_TEST

START_TEST(chargen_requests)
{
    uint8_t want[1000 * (CHARGEN_WIDTH + 1)];

    for (unsigned long i = 0; i < 1000; i++)
        chargen_line(i, want + i * (CHARGEN_WIDTH + 1));
    expect_request((struct sockaddr *)&peer6, "CHARGEN 0", 9, "", 0, REPLY_CONTINUE);
    expect_request((struct sockaddr *)&peer6, "CHARGEN 3", 9, want, 3 * 73, REPLY_CONTINUE);
    expect_request((struct sockaddr *)&peer6, "CHARGEN 0057", 12, want, 57 * 73, REPLY_CONTINUE);
    expect_request((struct sockaddr *)&peer6, "CHARGEN 1000", 12, want, sizeof want,
                   REPLY_CONTINUE);
}
END_TEST

START_TEST(who)
{
    struct sockaddr_in sin;
    struct sockaddr_in6 mapped;

    REQUEST("WHO", "YOU [::1]:5555\n");
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(40000);
    sin.sin_addr.s_addr = htonl(0x7F000001);
    expect_request((struct sockaddr *)&sin, "WHO", 3, "YOU 127.0.0.1:40000\n", 20, REPLY_CONTINUE);
    memset(&mapped, 0, sizeof mapped);
    mapped.sin6_family = AF_INET6;
    mapped.sin6_port = htons(8080);
    ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:192.0.2.7", &mapped.sin6_addr), 1);
    expect_request((struct sockaddr *)&mapped, "WHO", 3, "YOU 192.0.2.7:8080\n", 19,
                   REPLY_CONTINUE);
}
END_TEST

START_TEST(format_peer_mapped)
{
    struct sockaddr_in6 sin6;
    char buf[SOCKADDR_STRLEN];

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(443);
    ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:10.1.2.3", &sin6.sin6_addr), 1);
    EXPECT_OK("format_peer([::ffff:10.1.2.3]:443)",
              format_peer((struct sockaddr *)&sin6, buf, sizeof buf));
    EXPECT_STR("format_peer([::ffff:10.1.2.3]:443)", buf, "10.1.2.3:443");
    ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::ffff:a01:203", &sin6.sin6_addr), 1);
    EXPECT_OK("format_peer([2001:db8::ffff:a01:203]:443)",
              format_peer((struct sockaddr *)&sin6, buf, sizeof buf));
    EXPECT_STR("format_peer([2001:db8::ffff:a01:203]:443) (not a mapped address)", buf,
               "[2001:db8::ffff:a01:203]:443");
    ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:10.1.2.3", &sin6.sin6_addr), 1);
    errno = 0;
    EXPECT_ERR("format_peer([::ffff:10.1.2.3]:443, buf, 12) (room for 11 characters)",
               format_peer((struct sockaddr *)&sin6, buf, 12), ENOSPC);
}
END_TEST

START_TEST(send_failure_reported)
{
    int rc;

    close(pair[1]);
    pair[1] = -1;
    errno = 0;
    rc = handle_request(pair[0], (struct sockaddr *)&peer6, (const uint8_t *)"CHARGEN 10", 10);
    ck_assert_msg(
        rc == -1 && errno == EPIPE,
        "did:      closed the other end, then handle_request(fd, peer, \"CHARGEN 10\")\n"
        "expected: -1 with errno EPIPE (the send failed)\ngot:      %d with errno %d (%s)",
        rc, errno, strerror(errno));
}
END_TEST

Suite *protocol_suite(void);

Suite *protocol_suite(void)
{
    Suite *s = suite_create("protocol");
    TCase *tc = tcase_create("protocol");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, echo);
    tcase_add_test(tc, echo_longest);
    tcase_add_test(tc, ping_and_quit);
    tcase_add_test(tc, bad_requests);
    tcase_add_test(tc, too_long_reply);
    tcase_add_test(tc, chargen_pattern);
    tcase_add_test(tc, chargen_requests);
    tcase_add_test(tc, who);
    tcase_add_test(tc, format_peer_mapped);
    tcase_add_test(tc, send_failure_reported);
    suite_add_tcase(s, tc);
    return s;
}
