/* test_linebuf.c: Check unit tests for linebuf.c (a bounded line buffer). */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <errno.h>
#include <string.h>

#include "linebuf.h"
#include "netlab_check.h"

/* Put text (n bytes) into lb the way recv() would: through linebuf_space and linebuf_commit. */
static void feed(struct linebuf *lb, const char *text, size_t n)
{
    size_t room;
    char *space = linebuf_space(lb, &room);

    ck_assert_msg(n <= room,
                  "did:      fed %zu bytes to the line buffer\nexpected: room for them\n"
                  "got:      linebuf_space gave room for %zu",
                  n, room);
    memcpy(space, text, n);
    linebuf_commit(lb, n);
}

/* The next line must be want. */
static void expect_line(struct linebuf *lb, const char *did, const char *want)
{
    char line[LINEBUF_SIZE];
    ssize_t n;

    errno = 0;
    n = linebuf_next(lb, line, sizeof line);
    ck_assert_msg(
        n == (ssize_t)strlen(want),
        "did:      %s\nexpected: a line of %zu bytes (\"%s\")\ngot:      %zd (errno %d: %s)", did,
        strlen(want), want, n, errno, strerror(errno));
    EXPECT_STR(did, line, want);
}

static void expect_none(struct linebuf *lb, const char *did, int want)
{
    char line[LINEBUF_SIZE];

    errno = 0;
    EXPECT_ERR(did, (int)linebuf_next(lb, line, sizeof line), want);
}

START_TEST(empty)
{
    struct linebuf lb;
    size_t room = 0;

    linebuf_init(&lb);
    ck_assert_msg(linebuf_empty(&lb),
                  "did:      linebuf_init\nexpected: an empty buffer\ngot:      "
                  "linebuf_empty() says no");
    linebuf_space(&lb, &room);
    EXPECT_UINT("room in an empty buffer (linebuf_space)", room, LINEBUF_SIZE);
    expect_none(&lb, "linebuf_next on an empty buffer", EAGAIN);
}
END_TEST

START_TEST(one_line)
{
    struct linebuf lb;

    linebuf_init(&lb);
    feed(&lb, "PING\n", 5);
    expect_line(&lb, "fed \"PING\\n\", took a line", "PING");
    ck_assert_msg(linebuf_empty(&lb), "did:      took the only line\nexpected: an empty buffer\n"
                                      "got:      bytes left");
    expect_none(&lb, "took a line from a buffer that held one", EAGAIN);
}
END_TEST

START_TEST(partial_line)
{
    struct linebuf lb;

    linebuf_init(&lb);
    feed(&lb, "SET a", 5);
    expect_none(&lb, "fed \"SET a\" (no newline yet)", EAGAIN);
    feed(&lb, " 1", 2);
    expect_none(&lb, "fed \"SET a\" and \" 1\"", EAGAIN);
    feed(&lb, "\nGE", 3);
    expect_line(&lb, "fed \"SET a\", \" 1\" and \"\\nGE\"", "SET a 1");
    expect_none(&lb, "took \"SET a 1\"; \"GE\" is left", EAGAIN);
    feed(&lb, "T a\n", 4);
    expect_line(&lb, "fed \"T a\\n\" after the left-over \"GE\"", "GET a");
}
END_TEST

START_TEST(several_lines)
{
    struct linebuf lb;
    const char *text = "A\nBB\n\nCCC\nDD";

    linebuf_init(&lb);
    feed(&lb, text, strlen(text));
    expect_line(&lb, "fed \"A\\nBB\\n\\nCCC\\nDD\", first line", "A");
    expect_line(&lb, "second line", "BB");
    expect_line(&lb, "third line (empty)", "");
    expect_line(&lb, "fourth line", "CCC");
    expect_none(&lb, "\"DD\" has no newline yet", EAGAIN);
}
END_TEST

START_TEST(crlf)
{
    struct linebuf lb;

    linebuf_init(&lb);
    feed(&lb, "PING\r\nA\rB\r\n\r\n", 14);
    expect_line(&lb, "fed \"PING\\r\\n\"", "PING");
    expect_line(&lb, "fed \"A\\rB\\r\\n\" (only the \\r before \\n goes)", "A\rB");
    expect_line(&lb, "fed \"\\r\\n\"", "");
}
END_TEST

START_TEST(binary_bytes)
{
    struct linebuf lb;
    char line[LINEBUF_SIZE];
    ssize_t n;

    linebuf_init(&lb);
    feed(&lb, "a\0b\xff\n", 5);
    n = linebuf_next(&lb, line, sizeof line);
    EXPECT_UINT("length of the line \"a\\0b\\xff\"", n, 4);
    EXPECT_BYTES("the line \"a\\0b\\xff\"", line, "a\0b\xff", 5);
}
END_TEST

START_TEST(longest_line)
{
    struct linebuf lb;
    char text[LINEBUF_SIZE], want[LINEBUF_SIZE];

    memset(text, 'x', sizeof text);
    text[LINEBUF_SIZE - 1] = '\n';
    memset(want, 'x', sizeof want - 1);
    want[LINEBUF_SIZE - 1] = '\0';
    linebuf_init(&lb);
    feed(&lb, text, 600);
    feed(&lb, text + 600, LINEBUF_SIZE - 600);
    expect_line(&lb, "fed 1023 bytes and a newline (the longest line)", want);
}
END_TEST

START_TEST(too_long)
{
    struct linebuf lb;
    char text[LINEBUF_SIZE];
    size_t room = 1;

    memset(text, 'y', sizeof text);
    linebuf_init(&lb);
    feed(&lb, text, 1000);
    expect_none(&lb, "fed 1000 bytes without a newline", EAGAIN);
    feed(&lb, text, LINEBUF_SIZE - 1000);
    linebuf_space(&lb, &room);
    EXPECT_UINT("room after 1024 bytes without a newline", room, 0);
    expect_none(&lb, "fed 1024 bytes without a newline", EMSGSIZE);
    expect_none(&lb, "called linebuf_next again on the full buffer", EMSGSIZE);
}
END_TEST

START_TEST(room_comes_back)
{
    struct linebuf lb;
    char text[LINEBUF_SIZE], want[100], line[LINEBUF_SIZE];
    size_t room = 0;
    ssize_t n;

    memset(text, 'z', sizeof text);
    text[99] = '\n';
    linebuf_init(&lb);
    feed(&lb, text, LINEBUF_SIZE);
    linebuf_space(&lb, &room);
    EXPECT_UINT("room in a full buffer", room, 0);
    memset(want, 'z', 99);
    want[99] = '\0';
    expect_line(&lb, "took a 99-byte line from a full buffer", want);
    linebuf_space(&lb, &room);
    EXPECT_UINT("room after taking 100 bytes out of a full buffer", room, 100);
    feed(&lb, "\n", 1);
    n = linebuf_next(&lb, line, sizeof line);
    EXPECT_UINT("length of the 924-byte line left, once its newline came", n, LINEBUF_SIZE - 100);
}
END_TEST

static Suite *linebuf_suite(void)
{
    Suite *s = suite_create("linebuf");
    TCase *lines = tcase_create("lines");
    TCase *bounds = tcase_create("bounds");

    tcase_add_test(lines, empty);
    tcase_add_test(lines, one_line);
    tcase_add_test(lines, partial_line);
    tcase_add_test(lines, several_lines);
    tcase_add_test(lines, crlf);
    tcase_add_test(lines, binary_bytes);
    tcase_add_test(bounds, longest_line);
    tcase_add_test(bounds, too_long);
    tcase_add_test(bounds, room_comes_back);
    suite_add_tcase(s, lines);
    suite_add_tcase(s, bounds);
    return s;
}

Suite *netio_suite(void);

Suite *(*const unit_suites[])(void) = {linebuf_suite, netio_suite, NULL};
