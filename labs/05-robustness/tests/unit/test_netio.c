/* test_netio.c: Check unit tests for netio.c (deadlines, EINTR, partial I/O, backoff). */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "netio.h"
#include "netlab_check.h"

/* ------------------------------------------------------------------ signals every few ms */

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
    (void)sig;
    ticks++;
}

/* SIGALRM every ms milliseconds, with a handler and no SA_RESTART, as a busy program may get. */
static void start_ticking(long ms)
{
    struct sigaction sa;
    struct itimerval it = {{0, ms * 1000}, {0, ms * 1000}};

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tick;
    sigemptyset(&sa.sa_mask);
    ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
    ticks = 0;
    ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void stop_ticking(void)
{
    struct itimerval off;

    memset(&off, 0, sizeof off);
    setitimer(ITIMER_REAL, &off, NULL);
}

/* A connected pair of non-blocking local stream sockets. */
static void make_pair(int sv[2])
{
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
    ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
}

/* ------------------------------------------------------------------ backoff_delay */

START_TEST(backoff_golden)
{
    /* base 100 ms, cap 2000 ms: bounds 100, 200, 400, 800, 1600, 2000, 2000, ... */
    EXPECT_UINT("backoff_delay(1, 100, 2000, r=0)", backoff_delay(1, 100, 2000, 0), 50);
    EXPECT_UINT("backoff_delay(1, 100, 2000, r=50)", backoff_delay(1, 100, 2000, 50), 100);
    EXPECT_UINT("backoff_delay(1, 100, 2000, r=51)", backoff_delay(1, 100, 2000, 51), 50);
    EXPECT_UINT("backoff_delay(2, 100, 2000, r=0)", backoff_delay(2, 100, 2000, 0), 100);
    EXPECT_UINT("backoff_delay(3, 100, 2000, r=7)", backoff_delay(3, 100, 2000, 7), 207);
    EXPECT_UINT("backoff_delay(5, 100, 2000, r=800)", backoff_delay(5, 100, 2000, 800), 1600);
    EXPECT_UINT("backoff_delay(6, 100, 2000, r=0) (capped)", backoff_delay(6, 100, 2000, 0), 1000);
    EXPECT_UINT("backoff_delay(7, 100, 2000, r=1000) (capped)", backoff_delay(7, 100, 2000, 1000),
                2000);
}
END_TEST

START_TEST(backoff_range)
{
    char did[96];

    for (unsigned retry = 1; retry <= 12; retry++) {
        long bound = 30L << (retry - 1);

        if (bound > 1000)
            bound = 1000;
        for (uint32_t r = 0; r < 2000; r += 37) {
            long d = backoff_delay(retry, 30, 1000, r * 2654435761u);

            snprintf(did, sizeof did, "backoff_delay(%u, 30, 1000, r) for many r", retry);
            ck_assert_msg(d >= bound / 2 && d <= bound,
                          "did:      %s\nexpected: from %ld to %ld\ngot:      %ld", did, bound / 2,
                          bound, d);
        }
    }
}
END_TEST

START_TEST(backoff_no_overflow)
{
    EXPECT_UINT("backoff_delay(64, 100, 2000, r=0)", backoff_delay(64, 100, 2000, 0), 1000);
    EXPECT_UINT("backoff_delay(4000000000, 100, 2000, r=0)",
                backoff_delay(4000000000u, 100, 2000, 0), 1000);
    EXPECT_UINT("backoff_delay(100, 3600000, 3600000, r=0)",
                backoff_delay(100, 3600000, 3600000, 0), 1800000);
    EXPECT_UINT("backoff_delay(1, 500, 300, r=0) (base above the cap)",
                backoff_delay(1, 500, 300, 0), 150);
    EXPECT_UINT("backoff_delay(3, 1, 2000, r=UINT32_MAX)", backoff_delay(3, 1, 2000, UINT32_MAX),
                2 + UINT32_MAX % 3);
}
END_TEST

/* ------------------------------------------------------------------ sleep_ms and wait_fd */

START_TEST(sleep_whole_time)
{
    int64_t t0 = now_ms(), slept;

    start_ticking(7);
    sleep_ms(150);
    slept = now_ms() - t0;
    stop_ticking();
    ck_assert_msg(ticks > 3,
                  "did:      sleep_ms(150) with SIGALRM every 7 ms\nexpected: signals "
                  "during the sleep\ngot:      %d",
                  (int)ticks);
    ck_assert_msg(slept >= 150,
                  "did:      sleep_ms(150) with SIGALRM every 7 ms\nexpected: 150 ms "
                  "or more\ngot:      %lld ms (nanosleep returned early with EINTR "
                  "and the rest was not slept)",
                  (long long)slept);
}
END_TEST

START_TEST(wait_times_out)
{
    int sv[2];
    int64_t t0;

    make_pair(sv);
    start_ticking(7);
    t0 = now_ms();
    errno = 0;
    EXPECT_ERR("wait_fd(POLLIN, in 120 ms) with nothing to read, SIGALRM every 7 ms",
               wait_fd(sv[0], POLLIN, t0 + 120), ETIMEDOUT);
    stop_ticking();
    ck_assert_msg(now_ms() - t0 >= 120,
                  "did:      wait_fd with a deadline in 120 ms\nexpected: "
                  "to return at the deadline\ngot:      after %lld ms",
                  (long long)(now_ms() - t0));
    errno = 0;
    EXPECT_ERR("wait_fd with a deadline already past", wait_fd(sv[0], POLLIN, now_ms() - 5),
               ETIMEDOUT);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(wait_ready)
{
    int sv[2];

    make_pair(sv);
    EXPECT_OK("wait_fd(POLLOUT) on a socket with room", wait_fd(sv[0], POLLOUT, now_ms() + 1000));
    ck_assert_int_eq(write(sv[1], "x", 1), 1);
    EXPECT_OK("wait_fd(POLLIN) with a byte to read", wait_fd(sv[0], POLLIN, now_ms() + 1000));
    close(sv[1]);
    close(sv[0]);
}
END_TEST

/* ------------------------------------------------------------------ send_all */

START_TEST(send_all_everything)
{
    static char out[60000], in[60000];
    int sv[2];
    size_t got = 0;

    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (char)(i * 7);
    make_pair(sv);
    EXPECT_OK("send_all of 60000 bytes", send_all(sv[0], out, sizeof out, now_ms() + 2000));
    while (got < sizeof in) {
        ssize_t n = read(sv[1], in + got, sizeof in - got);

        if (n <= 0)
            break;
        got += (size_t)n;
    }
    EXPECT_UINT("bytes received after send_all of 60000", got, sizeof in);
    ck_assert_msg(memcmp(in, out, sizeof in) == 0, "did:      send_all of 60000 bytes\nexpected: "
                                                   "the same bytes at the other end\ngot:      "
                                                   "different bytes");
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(send_all_no_sigpipe)
{
    int sv[2];

    make_pair(sv);
    close(sv[1]);
    errno = 0;
    /* Without MSG_NOSIGNAL, SIGPIPE would kill this test before the check. */
    EXPECT_ERR("send_all to a socket whose peer is closed", send_all(sv[0], "x", 1, now_ms() + 500),
               EPIPE);
    close(sv[0]);
}
END_TEST

START_TEST(send_all_deadline)
{
    static char big[1 << 20];
    int sv[2];
    int64_t t0;

    make_pair(sv);
    t0 = now_ms();
    errno = 0;
    EXPECT_ERR("send_all of 1 MiB to a peer that never reads, deadline in 150 ms",
               send_all(sv[0], big, sizeof big, t0 + 150), ETIMEDOUT);
    ck_assert_msg(now_ms() - t0 >= 150,
                  "did:      send_all with a deadline in 150 ms\nexpected: "
                  "to give up at the deadline\ngot:      after %lld ms",
                  (long long)(now_ms() - t0));
    close(sv[0]);
    close(sv[1]);
}
END_TEST

/* ------------------------------------------------------------------ recv_line */

START_TEST(recv_line_pieces)
{
    struct linebuf lb;
    char line[LINEBUF_SIZE];
    int sv[2];
    ssize_t n;

    make_pair(sv);
    linebuf_init(&lb);
    ck_assert_int_eq(write(sv[1], "hello\nwor", 9), 9);
    n = recv_line(sv[0], &lb, line, sizeof line, now_ms() + 1000);
    EXPECT_UINT("recv_line after \"hello\\nwor\" arrived", n, 5);
    EXPECT_STR("recv_line after \"hello\\nwor\" arrived", line, "hello");
    ck_assert_int_eq(write(sv[1], "ld\r\n", 4), 4);
    n = recv_line(sv[0], &lb, line, sizeof line, now_ms() + 1000);
    EXPECT_UINT("recv_line after \"ld\\r\\n\" arrived too", n, 5);
    EXPECT_STR("recv_line after \"ld\\r\\n\" arrived too", line, "world");
    ck_assert_int_eq(write(sv[1], "bye", 3), 3);
    close(sv[1]);
    n = recv_line(sv[0], &lb, line, sizeof line, now_ms() + 1000);
    ck_assert_msg(n == -2,
                  "did:      recv_line when the peer closed after \"bye\" (no newline)\n"
                  "expected: -2\ngot:      %zd",
                  n);
    close(sv[0]);
}
END_TEST

START_TEST(recv_line_timeout_and_signals)
{
    struct linebuf lb;
    char line[LINEBUF_SIZE];
    int sv[2];
    int64_t t0;
    ssize_t n;

    make_pair(sv);
    linebuf_init(&lb);
    ck_assert_int_eq(write(sv[1], "no newline", 10), 10);
    start_ticking(7);
    t0 = now_ms();
    errno = 0;
    EXPECT_ERR("recv_line with half a line and a deadline in 120 ms, SIGALRM every 7 ms",
               (int)recv_line(sv[0], &lb, line, sizeof line, t0 + 120), ETIMEDOUT);
    stop_ticking();
    ck_assert_msg(now_ms() - t0 >= 120,
                  "did:      recv_line, deadline in 120 ms\nexpected: to "
                  "wait until the deadline\ngot:      %lld ms",
                  (long long)(now_ms() - t0));
    ck_assert_int_eq(write(sv[1], " now\n", 5), 5);
    n = recv_line(sv[0], &lb, line, sizeof line, now_ms() + 1000);
    EXPECT_UINT("recv_line once the rest of the line came", n, 14);
    EXPECT_STR("recv_line once the rest of the line came", line, "no newline now");
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(recv_line_too_long)
{
    static char junk[1100];
    struct linebuf lb;
    char line[LINEBUF_SIZE];
    int sv[2];

    memset(junk, 'j', sizeof junk);
    make_pair(sv);
    linebuf_init(&lb);
    ck_assert_int_eq(write(sv[1], junk, sizeof junk), (ssize_t)sizeof junk);
    errno = 0;
    EXPECT_ERR("recv_line after 1100 bytes without a newline",
               (int)recv_line(sv[0], &lb, line, sizeof line, now_ms() + 1000), EMSGSIZE);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

/* ------------------------------------------------------------------ connect_addr */

/* An IPv4 loopback address with the port of fd (bound to 127.0.0.1 port 0). */
static void address_of(int fd, struct sockaddr_in *sin, struct addrinfo *ai)
{
    socklen_t len = sizeof *sin;

    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)sin, &len), 0);
    memset(ai, 0, sizeof *ai);
    ai->ai_family = AF_INET;
    ai->ai_socktype = SOCK_STREAM;
    ai->ai_addr = (struct sockaddr *)sin;
    ai->ai_addrlen = sizeof *sin;
}

static int bound_socket(void)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_ne(fd, -1);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    return fd;
}

START_TEST(connect_ok)
{
    struct sockaddr_in sin;
    struct addrinfo ai;
    int listener = bound_socket(), fd;

    ck_assert_int_eq(listen(listener, 4), 0);
    address_of(listener, &sin, &ai);
    fd = connect_addr(&ai, now_ms() + 2000);
    ck_assert_msg(fd >= 0,
                  "did:      connect_addr to a listening port\nexpected: a socket\n"
                  "got:      -1 (errno %d: %s)",
                  errno, strerror(errno));
    ck_assert_msg(fcntl(fd, F_GETFL) & O_NONBLOCK, "did:      connect_addr\nexpected: a "
                                                   "non-blocking socket\ngot:      a blocking one");
    close(fd);
    close(listener);
}
END_TEST

START_TEST(connect_refused)
{
    struct sockaddr_in sin;
    struct addrinfo ai;
    int closed = bound_socket(); /* bound, not listening: connections are refused */

    address_of(closed, &sin, &ai);
    errno = 0;
    EXPECT_ERR("connect_addr to a port where nothing listens", connect_addr(&ai, now_ms() + 2000),
               ECONNREFUSED);
    close(closed);
}
END_TEST

Suite *netio_suite(void);

Suite *netio_suite(void)
{
    Suite *s = suite_create("netio");
    TCase *backoff = tcase_create("backoff");
    TCase *wait = tcase_create("wait");
    TCase *send = tcase_create("send");
    TCase *recv = tcase_create("recv");
    TCase *conn = tcase_create("connect");

    tcase_add_test(backoff, backoff_golden);
    tcase_add_test(backoff, backoff_range);
    tcase_add_test(backoff, backoff_no_overflow);
    tcase_add_test(wait, sleep_whole_time);
    tcase_add_test(wait, wait_times_out);
    tcase_add_test(wait, wait_ready);
    tcase_add_test(send, send_all_everything);
    tcase_add_test(send, send_all_no_sigpipe);
    tcase_add_test(send, send_all_deadline);
    tcase_add_test(recv, recv_line_pieces);
    tcase_add_test(recv, recv_line_timeout_and_signals);
    tcase_add_test(recv, recv_line_too_long);
    tcase_add_test(conn, connect_ok);
    tcase_add_test(conn, connect_refused);
    suite_add_tcase(s, backoff);
    suite_add_tcase(s, wait);
    suite_add_tcase(s, send);
    suite_add_tcase(s, recv);
    suite_add_tcase(s, conn);
    return s;
}
