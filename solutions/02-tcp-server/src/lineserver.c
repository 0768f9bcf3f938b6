/* lineserver.c: a TCP server for the line protocol, one process per connection (Lab 02
 * reference).
 *
 *   usage: lineserver -p PORT
 *   prints "listening on ADDR:PORT" on stderr once it accepts connections; stops on SIGINT or
 *   SIGTERM, after its children, and exits 0.
 *
 * The parent only accepts connections and looks after its children; each child serves one
 * connection. SIGINT, SIGTERM and SIGCHLD stay blocked in the parent except inside pselect(), so a
 * signal cannot slip in between checking stop_requested and waiting (see section 3.5). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "linebuf.h"
#include "listener.h"
#include "protocol.h"

#define MAX_CLIENTS 128 /* connections served at the same time */

static const char busy_reply[] = "ERR busy\n";

/* Parent: set by the handler of SIGINT and SIGTERM. */
static volatile sig_atomic_t stop_requested;
/* Child: its connection, which the handler of SIGINT and SIGTERM shuts down. */
static volatile sig_atomic_t child_conn = -1;

/* The parent's children: one per connection being served. */
struct children {
    pid_t pid[MAX_CLIENTS];
    size_t count;
};

static void usage(void)
{
    fprintf(stderr, "usage: lineserver -p PORT\n");
}

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Does nothing: a caught SIGCHLD interrupts pselect(), and the main loop then reaps. */
static void on_child_exit(int sig)
{
    (void)sig;
}

/* In a child: end the conversation. shutdown() is async-signal-safe, and it wakes the child
 * wherever it waits: recv() returns 0, send() fails with EPIPE, now or later. */
static void on_stop_child(int sig)
{
    int saved = errno;

    (void)sig;
    if (child_conn != -1)
        shutdown(child_conn, SHUT_RDWR);
    errno = saved;
}

/* Install handler for sig, without SA_RESTART. Returns 0, or -1 with errno. */
static int set_handler(int sig, void (*handler)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
}

/* Parent's signals: SIGPIPE ignored (a send to a vanished client fails with EPIPE instead of
 * killing the process), handlers for SIGINT, SIGTERM and SIGCHLD, which are blocked from now on.
 * Stores the mask to restore in *old and the mask to wait with in *wait_mask.
 * Returns 0, or -1 with errno. */
static int setup_signals(sigset_t *old, sigset_t *wait_mask)
{
    sigset_t block;

    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &block, old) == -1)
        return -1;
    *wait_mask = *old;
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGTERM);
    sigdelset(wait_mask, SIGCHLD);
    if (set_handler(SIGPIPE, SIG_IGN) == -1 || set_handler(SIGINT, on_stop) == -1 ||
        set_handler(SIGTERM, on_stop) == -1 || set_handler(SIGCHLD, on_child_exit) == -1)
        return -1;
    return 0;
}

/* Answer the client's requests until it closes the connection, sends QUIT, or the connection
 * fails. Returns 0 when the conversation ended normally, -1 with errno when recv or send failed
 * (a client that resets the connection, for example). */
static int serve_client(int fd, const struct sockaddr *peer)
{
    struct linebuf lb;
    const uint8_t *line;
    enum line_status status;
    size_t len, room;
    uint8_t *space;
    ssize_t n;
    int rc;

    linebuf_init(&lb);
    for (;;) {
        while ((status = linebuf_next(&lb, &line, &len)) != LINE_NONE) {
            rc = status == LINE_OK ? handle_request(fd, peer, line, len) : reply_too_long(fd);
            if (rc == -1)
                return -1;
            if (rc == REPLY_CLOSE)
                return 0;
        }
        space = linebuf_space(&lb, &room);
        n = recv(fd, space, room, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        if (n == 0)
            return 0; /* the client closed: an unfinished last line is dropped */
        linebuf_commit(&lb, (size_t)n);
    }
}

/* The child's life: signals set for a child, one conversation, then exit. Never returns. */
static void run_child(int fd, const struct sockaddr *peer, const sigset_t *old)
{
    int status = EXIT_SUCCESS;

    child_conn = fd;
    if (set_handler(SIGINT, on_stop_child) == -1 || set_handler(SIGTERM, on_stop_child) == -1 ||
        set_handler(SIGCHLD, SIG_DFL) == -1 || sigprocmask(SIG_SETMASK, old, NULL) == -1) {
        fprintf(stderr, "lineserver: cannot set up a child's signals: %s\n", strerror(errno));
        status = EXIT_FAILURE;
    } else if (serve_client(fd, peer) == -1) {
        status = EXIT_FAILURE; /* the client went away: nothing to report */
    }
    close(fd);
    exit(status);
}

/* Tell a client that it cannot be served now, and close its connection. */
static void refuse(int fd)
{
    (void)send(fd, busy_reply, sizeof busy_reply - 1, MSG_DONTWAIT);
    close(fd);
}

/* Serve the connection fd in a new child process, and close it in the parent. */
static void start_child(struct children *kids, int listen_fd, int fd, const struct sockaddr *peer,
                        const sigset_t *old)
{
    pid_t pid;

    if (kids->count == MAX_CLIENTS) {
        refuse(fd);
        return;
    }
    pid = fork();
    if (pid == -1) {
        fprintf(stderr, "lineserver: cannot start a process for a client: %s\n", strerror(errno));
        refuse(fd);
        return;
    }
    if (pid == 0) {
        close(listen_fd);
        run_child(fd, peer, old);
    }
    kids->pid[kids->count++] = pid;
    close(fd);
}

static void forget_child(struct children *kids, pid_t pid)
{
    for (size_t i = 0; i < kids->count; i++) {
        if (kids->pid[i] == pid) {
            kids->pid[i] = kids->pid[--kids->count];
            return;
        }
    }
}

/* Collect every child that has exited, without waiting for the others. */
static void reap_children(struct children *kids)
{
    pid_t pid;

    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        forget_child(kids, pid);
}

/* Ask every child to end its conversation, and wait until all have exited. */
static void stop_children(struct children *kids)
{
    for (size_t i = 0; i < kids->count; i++)
        kill(kids->pid[i], SIGTERM);
    while (kids->count > 0) {
        pid_t pid = waitpid(-1, NULL, 0);

        if (pid == -1) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: none left */
        }
        forget_child(kids, pid);
    }
}

/* Wait until a connection is waiting on listen_fd or a signal arrives: the blocked signals are
 * let through only for the time of pselect(). Returns 1 when a connection is waiting, 0 when a
 * signal came, -1 with errno on failure. */
static int wait_for_client(int listen_fd, const sigset_t *wait_mask)
{
    fd_set readable;

    FD_ZERO(&readable);
    FD_SET(listen_fd, &readable);
    if (pselect(listen_fd + 1, &readable, NULL, NULL, NULL, wait_mask) == -1)
        return errno == EINTR ? 0 : -1;
    return 1;
}

/* Accept connections and start a child for each, until SIGINT or SIGTERM; then close the
 * listening socket and stop the children. Returns 0, or -1 with errno when waiting failed. */
static int serve(int listen_fd, const sigset_t *old, const sigset_t *wait_mask)
{
    struct children kids = {.count = 0};
    int rc = 0;

    for (;;) {
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof peer;
        int ready, fd;

        reap_children(&kids);
        if (stop_requested)
            break;
        ready = wait_for_client(listen_fd, wait_mask);
        if (ready == -1) {
            rc = -1;
            break;
        }
        if (ready == 0)
            continue;
        fd = accept(listen_fd, (struct sockaddr *)&peer, &peer_len);
        if (fd == -1) {
            /* That one connection failed (it was reset while waiting, say): serve the others. */
            if (errno != ECONNABORTED && errno != EINTR && errno != EAGAIN && errno != EPROTO)
                fprintf(stderr, "lineserver: accept: %s\n", strerror(errno));
            continue;
        }
        start_child(&kids, listen_fd, fd, (struct sockaddr *)&peer, old);
    }
    close(listen_fd);
    stop_children(&kids);
    return rc;
}

int main(int argc, char *argv[])
{
    const char *port = NULL;
    struct sockaddr_storage bound;
    socklen_t bound_len;
    sigset_t old, wait_mask;
    char text[SOCKADDR_STRLEN];
    uint16_t port_number;
    int opt, listen_fd;

    while ((opt = getopt(argc, argv, "p:")) != -1) {
        if (opt != 'p' || parse_port(optarg, &port_number) == -1) {
            usage();
            return 2;
        }
        port = optarg;
    }
    if (port == NULL || optind != argc) {
        usage();
        return 2;
    }
    if (setup_signals(&old, &wait_mask) == -1) {
        fprintf(stderr, "lineserver: cannot set up signals: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    listen_fd = open_listener(port, &bound, &bound_len);
    if (listen_fd == -1) {
        fprintf(stderr, "lineserver: cannot listen on port %s: %s\n", port, strerror(errno));
        return EXIT_FAILURE;
    }
    if (format_sockaddr((struct sockaddr *)&bound, text, sizeof text) == -1) {
        fprintf(stderr, "lineserver: cannot show the listening address: %s\n", strerror(errno));
        close(listen_fd);
        return EXIT_FAILURE;
    }
    fprintf(stderr, "listening on %s\n", text);
    if (serve(listen_fd, &old, &wait_mask) == -1) {
        fprintf(stderr, "lineserver: waiting for connections: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
