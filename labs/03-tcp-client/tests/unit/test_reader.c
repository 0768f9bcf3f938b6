/* test_reader.c: Check unit tests for reader.c (lines and bytes through a buffer, with timeouts).
 *
 * Each test sends bytes into one end of a socket pair and reads them with a reader on the other
 * end. The sending end is closed when a test needs an end of file, and stays open (nothing more
 * arrives) when it needs a timeout. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlab_check.h"
#include "reader.h"

enum { KEEP_OPEN = 0, THEN_CLOSE = 1 };

static struct reader rd;         /* 16 KiB: static rather than on the stack */
static int ours = -1, peer = -1; /* the reader's end and the sending end */

/* A reader whose peer has sent len bytes of data (and closed, if asked). */
static void start(const void *data, size_t len, int close_peer, int timeout_ms)
{
    int sv[2];
    const char *p = data;

    ck_assert_msg(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair: %s", strerror(errno));
    ours = sv[0];
    peer = sv[1];
    while (len > 0) {
        ssize_t n = write(peer, p, len);

        ck_assert_msg(n > 0, "the test could not write its data: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    if (close_peer) {
        close(peer);
        peer = -1;
    }
    reader_init(&rd, ours, timeout_ms);
}

static void start_text(const char *text, int close_peer)
{
    start(text, strlen(text), close_peer, 5000);
}

static void close_both(void)
{
    if (ours != -1)
        close(ours);
    if (peer != -1)
        close(peer);
    ours = peer = -1;
}

/* An integer result (possibly negative) must be want; got is evaluated once. */
#define EXPECT_INT(did, got, want)                                                                 \
    do {                                                                                           \
        long long got_ = (long long)(got), want_ = (long long)(want);                              \
        ck_assert_msg(got_ == want_,                                                               \
                      "did:      %s\nexpected: %lld\ngot:      %lld (errno %d: %s)", (did), want_, \
                      got_, errno, strerror(errno));                                               \
    } while (0)

/* reader_line must return the line want (and its length). */
static void expect_line(const char *did, const char *want)
{
    char line[256];
    ssize_t n;

    memset(line, 'X', sizeof line);
    errno = 0;
    n = reader_line(&rd, line, sizeof line);
    ck_assert_msg(n == (ssize_t)strlen(want),
                  "did:      %s\nexpected: the line \"%s\" (length %zu)\ngot:      return value "
                  "%zd (errno %d: %s)",
                  did, want, strlen(want), n, errno, strerror(errno));
    EXPECT_STR(did, line, want);
}

/* Read with reader_read until end of file; the bytes must be want (n bytes). */
static void expect_rest(const char *did, const void *want, size_t n)
{
    static char got[65536];
    size_t total = 0;
    ssize_t k;

    while ((k = reader_read(&rd, got + total, sizeof got - total)) > 0)
        total += (size_t)k;
    ck_assert_msg(k == 0, "did:      %s\nexpected: end of file (0)\ngot:      %zd (errno %d: %s)",
                  did, k, errno, strerror(errno));
    EXPECT_UINT(did, total, n);
    ck_assert_msg(memcmp(got, want, n) == 0,
                  "did:      %s\nexpected: the bytes that were sent\ngot:      other bytes", did);
}

START_TEST(line_crlf_and_lf)
{
    start_text("HTTP/1.1 200 OK\r\nServer: test\n\r\nbody", THEN_CLOSE);
    expect_line("reader_line on \"HTTP/1.1 200 OK\\r\\n...\"", "HTTP/1.1 200 OK");
    expect_line("second reader_line: \"Server: test\\n\" (a bare \\n ends a line too)",
                "Server: test");
    expect_line("third reader_line: \"\\r\\n\" (an empty line)", "");
    expect_rest("reader_read after the lines, until end of file", "body", 4);
}
END_TEST

START_TEST(bytes_after_line_kept)
{
    static unsigned char data[6 + 5000];

    memcpy(data, "line\r\n", 6);
    for (size_t i = 6; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7);
    start(data, sizeof data, THEN_CLOSE, 5000);
    expect_line("reader_line on \"line\\r\\n\" followed by 5000 bytes", "line");
    expect_rest("reader_read of the 5000 bytes that arrived with the line", data + 6, 5000);
}
END_TEST

START_TEST(read_buffered_first)
{
    char buf[16];
    ssize_t n;

    start_text("abc\ndefgh", KEEP_OPEN);
    expect_line("reader_line on \"abc\\ndefgh\"", "abc");
    n = reader_read(&rd, buf, 2);
    EXPECT_INT("reader_read(r, buf, 2) after the line (returns how many bytes)", n, 2);
    EXPECT_BYTES("reader_read(r, buf, 2) after the line", buf, "de", 2);
    n = reader_read(&rd, buf, sizeof buf);
    EXPECT_INT("reader_read(r, buf, 16): the 3 bytes still buffered, without waiting for more", n,
               3);
    EXPECT_BYTES("reader_read(r, buf, 16) after that", buf, "fgh", 3);
    EXPECT_INT("reader_read(r, buf, 0)", reader_read(&rd, buf, 0), 0);
}
END_TEST

START_TEST(many_lines)
{
    static char data[40000];
    size_t len = 0;
    char want[32], did[64];

    for (int i = 0; i < 3000; i++)
        len +=
            (size_t)snprintf(data + len, sizeof data - len, "line %d%s", i, i % 2 ? "\r\n" : "\n");
    start(data, len, THEN_CLOSE, 5000);
    for (int i = 0; i < 3000; i++) {
        snprintf(want, sizeof want, "line %d", i);
        snprintf(did, sizeof did, "reader_line number %d of 3000 (%zu bytes in all)", i + 1, len);
        expect_line(did, want);
    }
    expect_rest("reader_read after the 3000 lines", "", 0);
}
END_TEST

START_TEST(line_too_long)
{
    char *line = malloc(100); /* exactly 100 bytes: no room for a 100-character line and its NUL */
    ssize_t n;

    ck_assert_ptr_nonnull(line);
    start_text("0123456789012345678901234567890123456789012345678901234567890123456789"
               "012345678901234567890123456789\r\n",
               THEN_CLOSE);
    errno = 0;
    n = reader_line(&rd, line, 100);
    free(line);
    EXPECT_ERR("reader_line(r, line, 100) on a line of 100 characters and \"\\r\\n\"", n, EMSGSIZE);
}
END_TEST

START_TEST(line_that_fits_exactly)
{
    char line[11];

    start_text("0123456789\r\nnext\r\n", THEN_CLOSE);
    EXPECT_INT("reader_line(r, line, 11) on \"0123456789\\r\\n\" (10 characters and the NUL fit)",
               reader_line(&rd, line, sizeof line), 10);
    EXPECT_STR("reader_line(r, line, 11) on \"0123456789\\r\\n\"", line, "0123456789");
    expect_line("the next reader_line", "next");
}
END_TEST

START_TEST(endless_line)
{
    static char data[20000];
    char line[8192];
    ssize_t n;

    memset(data, 'x', sizeof data);
    start(data, sizeof data, KEEP_OPEN, 5000);
    errno = 0;
    n = reader_line(&rd, line, sizeof line);
    EXPECT_ERR("reader_line(r, line, 8192) while 20000 bytes without '\\n' have arrived (and the "
               "connection stays open): give up as soon as the line cannot fit",
               n, EMSGSIZE);
}
END_TEST

START_TEST(closed_mid_line)
{
    char line[64];

    start_text("HTTP/1.1 200", THEN_CLOSE);
    EXPECT_INT("reader_line on \"HTTP/1.1 200\" and then the end of the connection (READER_CLOSED)",
               reader_line(&rd, line, sizeof line), READER_CLOSED);
    close_both();
    start_text("", THEN_CLOSE);
    EXPECT_INT("reader_line on a connection that closes at once (READER_CLOSED)",
               reader_line(&rd, line, 64), READER_CLOSED);
}
END_TEST

START_TEST(end_of_file)
{
    char buf[8];

    start_text("", THEN_CLOSE);
    EXPECT_INT("reader_read on a connection that closes at once", reader_read(&rd, buf, 8), 0);
}
END_TEST

START_TEST(timeout)
{
    char line[64];
    ssize_t n;

    start("", 0, KEEP_OPEN, 100);
    errno = 0;
    n = reader_line(&rd, line, sizeof line);
    EXPECT_ERR("reader_line with a timeout of 100 ms, nothing sent, connection open", n, ETIMEDOUT);
    errno = 0;
    n = reader_read(&rd, line, sizeof line);
    EXPECT_ERR("reader_read with a timeout of 100 ms, nothing sent, connection open", n, ETIMEDOUT);
    close_both();
    start("HTTP/1.1 200 OK\r\nDate", 22, KEEP_OPEN, 100);
    expect_line("reader_line on \"HTTP/1.1 200 OK\\r\\nDate\"", "HTTP/1.1 200 OK");
    errno = 0;
    n = reader_line(&rd, line, sizeof line);
    EXPECT_ERR("a second reader_line: \"Date\" and then nothing for 100 ms", n, ETIMEDOUT);
}
END_TEST

Suite *reader_suite(void);

Suite *reader_suite(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("reader");

    tcase_add_checked_fixture(tc, NULL, close_both);
    tcase_add_test(tc, line_crlf_and_lf);
    tcase_add_test(tc, bytes_after_line_kept);
    tcase_add_test(tc, read_buffered_first);
    tcase_add_test(tc, many_lines);
    tcase_add_test(tc, line_too_long);
    tcase_add_test(tc, line_that_fits_exactly);
    tcase_add_test(tc, endless_line);
    tcase_add_test(tc, closed_mid_line);
    tcase_add_test(tc, end_of_file);
    tcase_add_test(tc, timeout);
    suite_add_tcase(s, tc);
    return s;
}
