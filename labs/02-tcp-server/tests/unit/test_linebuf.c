/* test_linebuf.c: Check unit tests for linebuf.c (cut a stream of bytes into lines). */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "linebuf.h"
#include "netlab_check.h"

#define MAX_EVENTS 16

/* What linebuf_next returned, in order, while bytes were fed in. */
struct events {
    int n;
    enum line_status status[MAX_EVENTS];
    size_t len[MAX_EVENTS];
    uint8_t line[MAX_EVENTS][MAX_LINE + 1];
};

static struct linebuf lb;
static struct events ev;
static uint8_t big[8192];

static const char *status_name(enum line_status s)
{
    return s == LINE_OK ? "LINE_OK" : s == LINE_TOO_LONG ? "LINE_TOO_LONG" : "LINE_NONE";
}

/* Up to 40 bytes of p, escaped, into a static buffer. */
static const char *esc(const uint8_t *p, size_t n)
{
    static char out[4 * 40 + 16];
    size_t used = 0;

    out[used++] = '"';
    for (size_t i = 0; i < n && i < 40; i++) {
        if (p[i] >= 32 && p[i] < 127 && p[i] != '"' && p[i] != '\\')
            out[used++] = (char)p[i];
        else
            used += (size_t)snprintf(out + used, 5, "\\x%02x", p[i]);
    }
    used += (size_t)snprintf(out + used, sizeof out - used, "\"%s", n > 40 ? "..." : "");
    return out;
}

/* Take every line out of lb into ev. */
static void drain(const char *did)
{
    const uint8_t *line = NULL;
    size_t len = 0;
    enum line_status status;

    while ((status = linebuf_next(&lb, &line, &len)) != LINE_NONE) {
        ck_assert_msg(ev.n < MAX_EVENTS,
                      "did:      %s\nexpected: at most %d lines\ngot:      more (does "
                      "linebuf_next() return the same line again and again?)",
                      did, MAX_EVENTS);
        ev.status[ev.n] = status;
        ev.len[ev.n] = status == LINE_OK ? len : 0;
        if (status == LINE_OK) {
            ck_assert_msg(len <= MAX_LINE,
                          "did:      %s\nexpected: a line of at most %d bytes\ngot:"
                          "      LINE_OK with %zu bytes",
                          did, MAX_LINE, len);
            memcpy(ev.line[ev.n], line, len);
        }
        ev.n++;
    }
}

/* Feed len bytes into lb in pieces of at most piece bytes, as recv() would deliver them, taking
 * every line after each piece. */
static void feed(const char *did, const void *data, size_t len, size_t piece)
{
    const uint8_t *p = data;

    while (len > 0) {
        size_t room = 0, n;
        uint8_t *space = linebuf_space(&lb, &room);

        ck_assert_msg(space != NULL && room > 0,
                      "did:      %s\nexpected: linebuf_space() gives room for at least one byte "
                      "after linebuf_next() returned LINE_NONE\ngot:      room %zu",
                      did, room);
        n = len < piece ? len : piece;
        n = n < room ? n : room;
        memcpy(space, p, n);
        linebuf_commit(&lb, n);
        p += n;
        len -= n;
        drain(did);
    }
}

/* Event i is a LINE_OK holding exactly want (n bytes). */
static void expect_line(const char *did, int i, const void *want, size_t n)
{
    ck_assert_msg(ev.n > i,
                  "did:      %s\nexpected: line %d: LINE_OK %s (%zu bytes)\ngot:      only %d "
                  "line(s)",
                  did, i, esc(want, n), n, ev.n);
    ck_assert_msg(ev.status[i] == LINE_OK,
                  "did:      %s\nexpected: line %d: LINE_OK %s\ngot:      %s", did, i, esc(want, n),
                  status_name(ev.status[i]));
    ck_assert_msg(ev.len[i] == n && memcmp(ev.line[i], want, n) == 0,
                  "did:      %s\nexpected: line %d: %s (%zu bytes)\ngot:      %s (%zu bytes)", did,
                  i, esc(want, n), n, esc(ev.line[i], ev.len[i]), ev.len[i]);
}

static void expect_too_long(const char *did, int i)
{
    ck_assert_msg(ev.n > i && ev.status[i] == LINE_TOO_LONG,
                  "did:      %s\nexpected: result %d: LINE_TOO_LONG\ngot:      %s", did, i,
                  ev.n > i ? status_name(ev.status[i]) : "no such result (LINE_NONE)");
}

static void expect_count(const char *did, int n)
{
    ck_assert_msg(ev.n == n, "did:      %s\nexpected: %d result(s) before LINE_NONE\ngot:      %d",
                  did, n, ev.n);
}

static void setup(void)
{
    linebuf_init(&lb);
    memset(&ev, 0, sizeof ev);
}

START_TEST(one_line)
{
    const char *did = "fed \"PING\\n\" in one piece";

    feed(did, "PING\n", 5, 64);
    expect_count(did, 1);
    expect_line(did, 0, "PING", 4);
}
END_TEST

START_TEST(several_lines_at_once)
{
    const char *did = "fed \"a\\nbb\\n\\nccc\\n\" in one piece";

    feed(did, "a\nbb\n\nccc\n", 10, 64);
    expect_count(did, 4);
    expect_line(did, 0, "a", 1);
    expect_line(did, 1, "bb", 2);
    expect_line(did, 2, "", 0);
    expect_line(did, 3, "ccc", 3);
}
END_TEST

START_TEST(line_in_pieces)
{
    const char *did = "fed \"ECHO hello\\nWHO\\n\" one byte at a time";

    feed(did, "ECHO hello\nWHO\n", 15, 1);
    expect_count(did, 2);
    expect_line(did, 0, "ECHO hello", 10);
    expect_line(did, 1, "WHO", 3);
    setup();
    did = "fed \"PI\", then \"NG\\nPO\", then \"NG\\n\"";
    feed(did, "PI", 2, 64);
    expect_count("fed \"PI\" (half a line)", 0);
    feed(did, "NG\nPO", 5, 64);
    feed(did, "NG\n", 3, 64);
    expect_count(did, 2);
    expect_line(did, 0, "PING", 4);
    expect_line(did, 1, "PONG", 4);
}
END_TEST

START_TEST(binary_bytes)
{
    static const uint8_t data[] = {'a', 0, 'b', '\r', 0xff, 0x80, 0, '\n', 0, '\n'};
    const char *did = "fed the bytes 61 00 62 0d ff 80 00 0a 00 0a";

    feed(did, data, sizeof data, 3);
    expect_count(did, 2);
    expect_line(did, 0, data, 7);
    expect_line(did, 1, "\0", 1);
}
END_TEST

START_TEST(longest_line)
{
    const char *did = "fed MAX_LINE (1024) bytes, then \"\\n\" separately";

    memset(big, 'x', sizeof big);
    feed(did, big, MAX_LINE, 4096);
    expect_count("fed MAX_LINE bytes without a '\\n'", 0);
    feed(did, "\n", 1, 1);
    expect_count(did, 1);
    expect_line(did, 0, big, MAX_LINE);
    setup();
    did = "fed \"hi\\n\", MAX_LINE bytes and \"\\n\", in pieces of 700 bytes";
    memcpy(big, "hi\n", 3);
    big[3 + MAX_LINE] = '\n';
    feed(did, big, 3 + MAX_LINE + 1, 700);
    expect_count(did, 2);
    expect_line(did, 0, "hi", 2);
    memset(big, 'x', sizeof big);
    expect_line(did, 1, big, MAX_LINE);
}
END_TEST

START_TEST(too_long)
{
    const char *did = "fed MAX_LINE + 1 (1025) bytes, \"\\n\", \"next\\n\", in pieces of 100 bytes";

    memset(big, 'y', sizeof big);
    memcpy(big + MAX_LINE + 1, "\nnext\n", 6);
    feed(did, big, MAX_LINE + 1 + 6, 100);
    expect_count(did, 2);
    expect_too_long(did, 0);
    expect_line(did, 1, "next", 4);
    setup();
    did = "fed \"a\\n\", 5000 bytes, \"\\nb\\n\", in pieces of 600 bytes";
    memset(big, 'z', sizeof big);
    memcpy(big, "a\n", 2);
    memcpy(big + 2 + 5000, "\nb\n", 3);
    feed(did, big, 2 + 5000 + 3, 600);
    expect_count(did, 3);
    expect_line(did, 0, "a", 1);
    expect_too_long(did, 1);
    expect_line(did, 2, "b", 1);
}
END_TEST

START_TEST(too_long_before_newline)
{
    const char *did = "fed MAX_LINE + 1 bytes and no '\\n'";

    memset(big, 'q', sizeof big);
    feed(did, big, MAX_LINE + 1, 4096);
    expect_count(did, 1);
    expect_too_long(did, 0);
    did = "fed MAX_LINE + 1 bytes, then 6000 more, then \"\\nok\\n\"";
    feed(did, big, 6000, 512);
    expect_count("fed MAX_LINE + 1 bytes, then 6000 more (still no '\\n')", 1);
    feed(did, "\nok\n", 4, 4096);
    expect_count(did, 2);
    expect_line(did, 1, "ok", 2);
}
END_TEST

Suite *linebuf_suite(void);

Suite *linebuf_suite(void)
{
    Suite *s = suite_create("linebuf");
    TCase *tc = tcase_create("linebuf");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, one_line);
    tcase_add_test(tc, several_lines_at_once);
    tcase_add_test(tc, line_in_pieces);
    tcase_add_test(tc, binary_bytes);
    tcase_add_test(tc, longest_line);
    tcase_add_test(tc, too_long);
    tcase_add_test(tc, too_long_before_newline);
    suite_add_tcase(s, tc);
    return s;
}
