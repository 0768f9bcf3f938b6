/* test_stream.c: Check unit tests for stream.c (send_all, recv_all, tcp_connect), over socket
 * pairs and loopback TCP. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "netlab_check.h"
#include "stream.h"

#define BIG (4 * 1024 * 1024) /* far more than a socket's buffer holds */

/* A connected pair of stream sockets; every receive on them times out after 10 s. */
static void stream_pair(int sv[2])
{
    struct timeval tv = {.tv_sec = 10, .tv_usec = 0};

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(setsockopt(sv[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
        ck_assert_int_eq(setsockopt(sv[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), 0);
    }
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + i / 251);
}

/* Wait (3 s at most) until the peer of fd has read everything fd sent: then a further write
 * reaches a reader that is already waiting, and the reader's first call got only what came before.
 */
static int wait_until_read(int fd)
{
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 1000000};
    int queued = 0;

    for (int i = 0; i < 3000; i++) {
        if (ioctl(fd, TIOCOUTQ, &queued) == -1)
            return -1;
        if (queued == 0)
            return 0;
        nanosleep(&pause, NULL);
    }
    return -1;
}

/* Read BIG bytes in small pieces from the socket *arg; the result says whether all were right. */
static void *read_everything(void *arg)
{
    static const char *const verdicts[] = {"every byte arrived, in order", "fewer bytes arrived",
                                           "wrong bytes arrived"};
    int fd = *(int *)arg;
    size_t got = 0;
    uint8_t piece[4096];
    ssize_t n;

    while ((n = read(fd, piece, sizeof piece)) > 0)
        for (ssize_t k = 0; k < n; k++, got++)
            if (got >= BIG || piece[k] != pattern(got))
                return (void *)verdicts[2];
    return (void *)(got == BIG ? verdicts[0] : verdicts[1]);
}

START_TEST(send_all_everything)
{
    uint8_t *buf = malloc(BIG);
    void *verdict;
    pthread_t reader;
    int sv[2];

    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < BIG; i++)
        buf[i] = pattern(i);
    stream_pair(sv);
    ck_assert_int_eq(pthread_create(&reader, NULL, read_everything, &sv[1]), 0);
    EXPECT_OK("send_all of 4 MiB to a slower reader", send_all(sv[0], buf, BIG));
    close(sv[0]);
    ck_assert_int_eq(pthread_join(reader, &verdict), 0);
    close(sv[1]);
    EXPECT_STR("send_all of 4 MiB, read by another thread", (const char *)verdict,
               "every byte arrived, in order");
    free(buf);
}
END_TEST

START_TEST(send_all_closed_peer)
{
    int sv[2];
    uint8_t buf[1024] = {0};

    stream_pair(sv);
    close(sv[1]);
    errno = 0;
    /* Without MSG_NOSIGNAL, SIGPIPE would kill this test before the check. */
    EXPECT_ERR("send_all to a socket whose peer has closed", send_all(sv[0], buf, sizeof buf),
               EPIPE);
    close(sv[0]);
}
END_TEST

/* Write "abc", and "defghij" only once the reader has read those 3 bytes. */
static void *write_in_two_pieces(void *arg)
{
    int fd = *(int *)arg;

    if (write(fd, "abc", 3) != 3 || wait_until_read(fd) == -1 || write(fd, "defghij", 7) != 7)
        return (void *)"the writer failed";
    return NULL;
}

START_TEST(recv_all_in_pieces)
{
    uint8_t buf[10] = {0};
    pthread_t writer;
    void *failed;
    ssize_t n;
    int sv[2];

    stream_pair(sv);
    ck_assert_int_eq(pthread_create(&writer, NULL, write_in_two_pieces, &sv[1]), 0);
    n = recv_all(sv[0], buf, 10);
    ck_assert_int_eq(pthread_join(writer, &failed), 0);
    ck_assert_msg(failed == NULL, "%s", (const char *)failed);
    EXPECT_UINT("recv_all(10 bytes) when 3 arrive first and 7 once those were read", n, 10);
    EXPECT_BYTES("the 10 bytes recv_all read", buf, "abcdefghij", 10);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(recv_all_leaves_the_rest)
{
    int sv[2];
    uint8_t buf[16];
    ssize_t n;

    stream_pair(sv);
    ck_assert_int_eq(write(sv[1], "0123456789ABCDE", 15), 15);
    n = recv_all(sv[0], buf, 10);
    EXPECT_UINT("recv_all(10 bytes) with 15 waiting", n, 10);
    n = read(sv[0], buf, sizeof buf);
    EXPECT_UINT(
        "bytes left to read after recv_all(10) of 15 (recv_all must read no more than asked)", n,
        5);
    EXPECT_BYTES("the 5 bytes left", buf, "ABCDE", 5);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(recv_all_at_end_of_stream)
{
    int sv[2];
    uint8_t buf[10];
    ssize_t n;

    stream_pair(sv);
    ck_assert_int_eq(write(sv[1], "hello", 5), 5);
    close(sv[1]);
    n = recv_all(sv[0], buf, 10);
    EXPECT_UINT("recv_all(10 bytes) when the peer sends 5 and closes", n, 5);
    n = recv_all(sv[0], buf, 10);
    EXPECT_UINT("recv_all(10 bytes) again, at the end of the stream", n, 0);
    close(sv[0]);
}
END_TEST

/* A listening TCP socket on 127.0.0.1 (any port); its port as text in port. */
static int listen_loopback(char port[8])
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    snprintf(port, 8, "%u", ntohs(sin.sin_port));
    return fd;
}

START_TEST(tcp_connect_nodelay)
{
    char port[8];
    int lfd = listen_loopback(port), gai_err = -1;

    for (int want = 1; want >= 0; want--) {
        int fd = tcp_connect("127.0.0.1", port, AF_UNSPEC, want, &gai_err), on = -1;
        socklen_t len = sizeof on;
        char did[96];

        snprintf(did, sizeof did, "tcp_connect(\"127.0.0.1\", \"%s\", AF_UNSPEC, nodelay %d)", port,
                 want);
        ck_assert_msg(fd >= 0, "did:      %s\nexpected: a connected socket\ngot:      -1 (%s)", did,
                      strerror(errno));
        ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
        EXPECT_UINT(did, on != 0, want);
        close(fd);
    }
    close(lfd);
}
END_TEST

START_TEST(tcp_connect_refused)
{
    char port[8];
    int lfd = listen_loopback(port), gai_err = -1, fd;

    close(lfd); /* nothing listens there any more */
    errno = 0;
    fd = tcp_connect("127.0.0.1", port, AF_UNSPEC, 1, &gai_err);
    EXPECT_ERR("tcp_connect to a loopback port where nothing listens", fd, ECONNREFUSED);
    EXPECT_UINT("*gai_err after a refused connection (the name resolved: 0)", gai_err, 0);
    fd = tcp_connect("no-such-host..invalid", "80", AF_UNSPEC, 1, &gai_err);
    ck_assert_msg(fd == -1 && gai_err != 0,
                  "did:      tcp_connect(\"no-such-host..invalid\", \"80\", ...)\nexpected: -1 "
                  "and a getaddrinfo error in *gai_err\ngot:      %d, *gai_err %d",
                  fd, gai_err);
}
END_TEST

Suite *stream_suite(void);

Suite *stream_suite(void)
{
    Suite *s = suite_create("stream");
    TCase *io = tcase_create("io");
    TCase *conn = tcase_create("connect");

    tcase_add_test(io, send_all_everything);
    tcase_add_test(io, send_all_closed_peer);
    tcase_add_test(io, recv_all_in_pieces);
    tcase_add_test(io, recv_all_leaves_the_rest);
    tcase_add_test(io, recv_all_at_end_of_stream);
    tcase_add_test(conn, tcp_connect_nodelay);
    tcase_add_test(conn, tcp_connect_refused);
    suite_add_tcase(s, io);
    suite_add_tcase(s, conn);
    return s;
}
