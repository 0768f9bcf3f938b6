/* test_listener.c: Check unit tests for listener.c (the listening socket), on loopback. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listener.h"
#include "netlab_check.h"

static int listener = -1;
static struct sockaddr_storage bound;
static socklen_t bound_len;

static void teardown(void)
{
    if (listener != -1)
        close(listener);
    listener = -1;
}

/* open_listener("0") must work: every other test starts from it. */
static void open_any_port(void)
{
    errno = 0;
    bound_len = 0;
    listener = open_listener("0", &bound, &bound_len);
    ck_assert_msg(listener >= 0,
                  "did:      open_listener(\"0\", &bound, &len)\nexpected: a socket\ngot:      %d "
                  "(errno %d: %s)",
                  listener, errno, strerror(errno));
}

static uint16_t bound_port(void)
{
    if (bound.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    return ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

static int int_option(int fd, int level, int name)
{
    int value = -1;
    socklen_t len = sizeof value;

    ck_assert_int_eq(getsockopt(fd, level, name, &value, &len), 0);
    return value;
}

/* The lowest descriptor number free now: the same before and after a call means it leaked none. */
static int lowest_free_fd(void)
{
    int fd = dup(0);

    close(fd);
    return fd;
}

/* A connected client socket to the listener's port on host (a numeric address). */
static int connect_to(int family, const char *host, uint16_t port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd;

    memset(&ss, 0, sizeof ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        inet_pton(AF_INET6, host, &sin6->sin6_addr);
        len = sizeof *sin6;
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        inet_pton(AF_INET, host, &sin->sin_addr);
        len = sizeof *sin;
    }
    fd = socket(family, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

START_TEST(dual_stack)
{
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&bound;
    struct sockaddr_storage actual;
    socklen_t actual_len = sizeof actual;

    open_any_port();
    ck_assert_msg(
        bound.ss_family == AF_INET6,
        "did:      open_listener(\"0\")\nexpected: an IPv6 socket (AF_INET6, %d) in *bound, "
        "which serves IPv4 too\ngot:      family %d (getaddrinfo lists 0.0.0.0 first: "
        "prefer the IPv6 address)",
        AF_INET6, bound.ss_family);
    ck_assert_msg(
        IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr),
        "did:      open_listener(\"0\")\nexpected: bound to the address :: (any)\ngot:      "
        "another address (use getaddrinfo with AI_PASSIVE and no host)");
    ck_assert_msg(
        bound_port() != 0,
        "did:      open_listener(\"0\")\nexpected: the port the kernel picked in *bound\ngot: "
        "     port 0 (read the address back with getsockname() after bind())");
    ck_assert_int_eq(getsockname(listener, (struct sockaddr *)&actual, &actual_len), 0);
    ck_assert_msg(bound_len == actual_len && memcmp(&actual, &bound, actual_len) == 0,
                  "did:      open_listener(\"0\", &bound, &len)\nexpected: *bound and *len as "
                  "getsockname() gives them for the socket\ngot:      something else (len %u, "
                  "expected %u)",
                  (unsigned)bound_len, (unsigned)actual_len);
    ck_assert_msg(int_option(listener, IPPROTO_IPV6, IPV6_V6ONLY) == 0,
                  "did:      open_listener(\"0\"), then getsockopt(IPV6_V6ONLY)\nexpected: 0 (off: "
                  "IPv4 clients are served too)\ngot:      1 (set it to 0 before bind())");
}
END_TEST

START_TEST(reuse_address)
{
    open_any_port();
    ck_assert_msg(
        int_option(listener, SOL_SOCKET, SO_REUSEADDR) != 0,
        "did:      open_listener(\"0\"), then getsockopt(SO_REUSEADDR)\nexpected: on\ngot: "
        "     off (set it before bind(): a restarted server must get its port back at "
        "once)");
}
END_TEST

START_TEST(accepts_both_families)
{
    const char *hosts[] = {"::1", "127.0.0.1"};
    const int families[] = {AF_INET6, AF_INET};

    open_any_port();
    ck_assert_msg(
        int_option(listener, SOL_SOCKET, SO_ACCEPTCONN) == 1,
        "did:      open_listener(\"0\"), then getsockopt(SO_ACCEPTCONN)\nexpected: 1 (the "
        "socket listens)\ngot:      0 (call listen())");
    for (int i = 0; i < 2; i++) {
        int client = connect_to(families[i], hosts[i], bound_port()), conn;

        ck_assert_msg(client != -1,
                      "did:      open_listener(\"0\"), then connect() to %s port %u\nexpected: a "
                      "connection\ngot:      %s",
                      hosts[i], bound_port(), strerror(errno));
        conn = accept(listener, NULL, NULL);
        ck_assert_msg(conn != -1,
                      "did:      accept() on the listener\nexpected: the connection from "
                      "%s\ngot:      %s",
                      hosts[i], strerror(errno));
        close(conn);
        close(client);
    }
}
END_TEST

START_TEST(port_in_use)
{
    char port[8];
    struct sockaddr_storage again;
    socklen_t again_len;
    int second, before;

    open_any_port();
    snprintf(port, sizeof port, "%u", bound_port());
    before = lowest_free_fd();
    errno = 0;
    second = open_listener(port, &again, &again_len);
    if (second != -1)
        close(second);
    ck_assert_msg(second == -1 && errno == EADDRINUSE,
                  "did:      open_listener(\"%s\") while another socket listens on that port\n"
                  "expected: -1 with errno EADDRINUSE\ngot:      %d with errno %d (%s)",
                  port, second, errno, strerror(errno));
    ck_assert_msg(lowest_free_fd() == before,
                  "did:      open_listener(\"%s\") that failed (port in use)\nexpected: every "
                  "socket it opened closed again\ngot:      a descriptor left open (close the "
                  "socket when bind() fails)",
                  port);
}
END_TEST

START_TEST(same_port_again)
{
    char port[8], dummy;
    int client, conn;

    open_any_port();
    snprintf(port, sizeof port, "%u", bound_port());
    client = connect_to(AF_INET6, "::1", bound_port());
    ck_assert_int_ge(client, 0);
    conn = accept(listener, NULL, NULL);
    ck_assert_int_ge(conn, 0);
    close(conn); /* the server's end closes first: it stays in FIN_WAIT or TIME_WAIT for a while */
    ck_assert_int_eq(recv(client, &dummy, 1, 0), 0);
    close(client);
    close(listener);
    errno = 0;
    listener = open_listener(port, &bound, &bound_len);
    ck_assert_msg(listener >= 0,
                  "did:      open_listener(\"%s\") just after closing a listener on that port, "
                  "whose last connection waits in TIME_WAIT\nexpected: a socket\ngot:      -1 "
                  "(errno %d: %s) (SO_REUSEADDR lets bind() take the port at once)",
                  port, errno, strerror(errno));
}
END_TEST

Suite *listener_suite(void);

Suite *listener_suite(void)
{
    Suite *s = suite_create("listener");
    TCase *tc = tcase_create("listener");

    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, dual_stack);
    tcase_add_test(tc, reuse_address);
    tcase_add_test(tc, accepts_both_families);
    tcase_add_test(tc, port_in_use);
    tcase_add_test(tc, same_port_again);
    suite_add_tcase(s, tc);
    return s;
}

Suite *linebuf_suite(void);
Suite *protocol_suite(void);

Suite *(*const unit_suites[])(void) = {linebuf_suite, protocol_suite, listener_suite, NULL};
