/* kvserver.c: a key-value server that survives a hostile network: one process, one poll() loop,
 * every buffer bounded, every client on a deadline (Lab 05).
 *
 * Given: the data structures, the command line, listening, the client table's bookkeeping and
 * main(). Yours: every function marked TODO(lab 05), in the order of the handout's steps.
 *
 *   usage: kvserver -p PORT [-t TIMEOUT_MS]
 *   prints "listening on [::]:PORT" on stderr once it accepts connections */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linebuf.h"
#include "netio.h"
#include "request.h"

#define MAX_CLIENTS 1000
#define OUT_LIMIT 16384 /* stop reading a client's requests while this much output waits */
#define ACCEPT_BATCH 64 /* connections accepted per turn of the loop, to stay fair to clients */
#define DEFAULT_TIMEOUT_MS 30000
#define PEER_STRLEN 64
#define FIRST_CLIENT 2 /* pfds[0]: the listening socket, pfds[1]: the self-pipe, then clients */

struct client {
    int fd;
    char peer[PEER_STRLEN]; /* "[::1]:40000", for log lines */
    struct linebuf in;
    char out[OUT_LIMIT + MAX_REPLY]; /* replies not sent yet: out[sent..used) */
    size_t out_used, out_sent;
    int64_t deadline; /* a complete request must arrive before this, or the client is dropped */
    int closing;      /* close once the output is sent (after QUIT or a request too long) */
};

struct server {
    int listen_fd;
    int spare_fd; /* held open, and given up to refuse a connection when descriptors run out */
    int wake[2];  /* the self-pipe: signal handlers write to wake[1], poll() watches wake[0] */
    long timeout_ms;
    struct kvstore *store;
    struct client *clients[MAX_CLIENTS];
    size_t nclients;
    struct pollfd pfds[FIRST_CLIENT + MAX_CLIENTS];
};

static volatile sig_atomic_t stop_requested, status_requested;
static int wake_fd = -1; /* the write end of the self-pipe, for the signal handler */

/* Set the flag, and wake poll() up through the self-pipe: a signal that arrives just before poll()
 * is called does not interrupt it, but the byte in the pipe does. Only async-signal-safe calls
 * here, and errno is given back as it was. */
static void on_signal(int sig)
{
    /* TODO(lab 05): set stop_requested (SIGINT, SIGTERM) or status_requested (SIGUSR1), then
     * write one byte to wake_fd (if it is not -1). Only async-signal-safe calls; save errno
     * first and give it back at the end. */
    (void)sig;
}

static void usage(void)
{
    fprintf(stderr, "usage: kvserver -p PORT [-t TIMEOUT_MS]\n");
}

/* A number from min to max, all digits. Returns 0, or -1 when text is anything else. */
static int parse_number(const char *text, long min, long max, long *out)
{
    long value = 0;

    if (*text == '\0')
        return -1;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || value > (max - (*p - '0')) / 10)
            return -1;
        value = value * 10 + (*p - '0');
    }
    if (value < min)
        return -1;
    *out = value;
    return 0;
}

/* The self-pipe (both ends non-blocking), then the handlers: SIGINT and SIGTERM ask the loop to
 * stop, SIGUSR1 to print a status line. SIGPIPE is ignored: writing to a connection the peer reset
 * must be an error (EPIPE) for one client, not the death of the server.
 * Returns 0, or -1 with errno from pipe, fcntl or sigaction. */
static int setup_signals(struct server *s)
{
    /* TODO(lab 05): pipe(s->wake), both ends set_nonblocking(), wake_fd = s->wake[1]; then
     * sigaction() for SIGINT, SIGTERM and SIGUSR1 (handler on_signal, no SA_RESTART) and SIG_IGN
     * for SIGPIPE. */
    (void)s;
    (void)on_signal;
    return 0;
}

/* Empty the self-pipe; the flags say what the signals asked for. */
static void drain_wake_pipe(struct server *s)
{
    /* TODO(lab 05): read() s->wake[0] until it has nothing left (it is non-blocking). */
    (void)s;
}

/* "ADDR:PORT" or "[ADDR]:PORT" for a socket address, into buf (PEER_STRLEN bytes). */
static void format_peer(const struct sockaddr *sa, socklen_t len, char *buf)
{
    char host[INET6_ADDRSTRLEN + 16], port[8]; /* numeric: an address, a port number */

    if (getnameinfo(sa, len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(buf, PEER_STRLEN, "(unknown)");
        return;
    }
    snprintf(buf, PEER_STRLEN, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

/* A listening TCP socket on every local address at port: IPv6 and IPv4 on one socket when the
 * system allows it, else IPv4. Returns the socket (non-blocking), or -1 with errno, or -2 with
 * *gai_err set when getaddrinfo fails. */
static int listen_on(const char *port, int *gai_err)
{
    struct addrinfo hints, *res, *ai;
    int fd = -1, saved = EAFNOSUPPORT, on = 1, off = 0;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    *gai_err = getaddrinfo(NULL, port, &hints, &res);
    if (*gai_err != 0)
        return -2;
    for (int pass = 0; pass < 2 && fd == -1; pass++) { /* IPv6 first, then IPv4 */
        for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
            if ((ai->ai_family == AF_INET6) != (pass == 0))
                continue;
            fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
            if (fd == -1) {
                saved = errno;
                continue;
            }
            if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
                (ai->ai_family == AF_INET6 &&
                 setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == -1) ||
                bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 || listen(fd, 128) == -1 ||
                set_nonblocking(fd) == -1) {
                saved = errno;
                close(fd);
                fd = -1;
            }
        }
    }
    freeaddrinfo(res);
    if (fd == -1)
        errno = saved;
    return fd;
}

/* Print the readiness line with the address and port the socket really has. */
static int announce(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char text[PEER_STRLEN];

    if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
        return -1;
    format_peer((struct sockaddr *)&ss, len, text);
    fprintf(stderr, "listening on %s\n", text);
    return 0;
}

/* Add a reply to c's output. There is always room: requests are only read while less than
 * OUT_LIMIT bytes wait, and one reply is at most MAX_REPLY bytes. */
static void queue_reply(struct client *c, const char *reply, size_t len)
{
    if (c->out_sent > 0) { /* move what is left to the front */
        memmove(c->out, c->out + c->out_sent, c->out_used - c->out_sent);
        c->out_used -= c->out_sent;
        c->out_sent = 0;
    }
    if (len > sizeof c->out - c->out_used)
        len = sizeof c->out - c->out_used; /* cannot happen; never overflow all the same */
    memcpy(c->out + c->out_used, reply, len);
    c->out_used += len;
}

static size_t pending(const struct client *c)
{
    return c->out_used - c->out_sent;
}

/* Send what c's output holds, as much as the socket takes now.
 * Returns 0 (all sent, or the rest must wait for POLLOUT), or -1 with errno. */
static int flush_client(struct client *c)
{
    /* TODO(lab 05): send() (MSG_NOSIGNAL) what is pending, from c->out + c->out_sent, and count
     * what each call took. EINTR: again. EAGAIN: stop for now (POLLOUT says when). Anything else:
     * -1. Once everything is sent, reset out_used and out_sent to 0. */
    (void)c;
    errno = ENOSYS;
    return -1;
}

/* Carry out the complete requests c's input holds, while its output has room. Returns 1 when it
 * stopped for lack of room (requests may be waiting), else 0. */
static int serve_requests(struct server *s, struct client *c)
{
    /* TODO(lab 05): while the client is not closing: stop (return 1) when pending(c) >= OUT_LIMIT;
     * take the next line (linebuf_next): EAGAIN, return 0; EMSGSIZE, queue "ERR too-long\n",
     * close after it, log "kvserver: PEER: request too long", return 0. Otherwise
     * handle_request(), queue_reply(), push the deadline back, and close after it if asked. */
    (void)s;
    (void)c;
    return 0;
}

/* Serve c's requests and send the replies, for as long as the socket takes them: when the output
 * empties, requests that waited for room are served at once (nothing else would wake us for them).
 * Returns 1 to keep c, 0 when c is finished (it asked to close and all is sent), or -1 with errno
 * when its connection failed. */
static int pump(struct server *s, struct client *c)
{
    /* TODO(lab 05): serve_requests() and flush_client(), again and again while requests wait for
     * room and the output emptied; then 0 when the client is closing and all is sent, else 1. */
    (void)s;
    (void)c;
    (void)serve_requests;
    (void)flush_client;
    errno = ENOSYS;
    return -1;
}

/* Read what c sent and serve it. Returns as pump(), and 0 when the client closed its end. */
static int read_client(struct server *s, struct client *c)
{
    /* TODO(lab 05): recv() into linebuf_space() (if the buffer is full, just pump()). 0: the
     * client closed. EINTR, EAGAIN: nothing now, keep it. Another error: -1. Bytes: commit them
     * and pump(). */
    (void)s;
    (void)c;
    (void)pump;
    errno = ENOSYS;
    return -1;
}

static void free_client(struct client *c)
{
    close(c->fd);
    free(c);
}

/* Remove clients[i] from the table (the last one takes its place). */
static void drop_client(struct server *s, size_t i)
{
    free_client(s->clients[i]);
    s->clients[i] = s->clients[--s->nclients];
}

/* Send a last line to a connection about to be closed. Best effort: never waits, and a client
 * that does not read it loses it; but a signal does not make us give up. */
static void send_last_words(int fd, const char *text)
{
    /* TODO(lab 05): one send() (MSG_NOSIGNAL | MSG_DONTWAIT) of text, again if EINTR. */
    (void)fd;
    (void)text;
}

/* Tell a connection the server cannot take it, and close it. */
static void refuse(int fd)
{
    send_last_words(fd, "ERR busy\n");
    close(fd);
}

/* Out of descriptors: give up the spare one to accept the waiting connection, refuse it, and take
 * the spare back. Otherwise the connection would stay in the queue, poll() would report the
 * listening socket readable again at once, and the loop would spin. */
static void refuse_for_lack_of_descriptors(struct server *s)
{
    /* TODO(lab 05): close the spare descriptor, accept() the waiting connection and refuse() it,
     * open the spare again (open("/dev/null", O_RDONLY)), log "kvserver: out of descriptors:
     * refused a connection". */
    (void)s;
}

/* Register a new connection (non-blocking, greeted, on a deadline); refuse it when the table is
 * full or memory is short. */
static void add_client(struct server *s, int fd, const struct sockaddr *sa, socklen_t len)
{
    /* TODO(lab 05): refuse() when the table is full, set_nonblocking() fails or malloc() fails;
     * otherwise fill in a new struct client (format_peer, linebuf_init, deadline), queue the
     * greeting "OK ready\n" and add it to s->clients. */
    (void)s;
    (void)sa;
    (void)len;
    (void)format_peer;
    refuse(fd);
}

/* Accept the connections that wait, up to ACCEPT_BATCH. Errors that concern one connection only
 * (it was reset before we got to it, ...) are skipped. Returns 0, or -1 with errno when the
 * listening socket itself is broken. */
static int accept_clients(struct server *s)
{
    /* TODO(lab 05): accept() up to ACCEPT_BATCH connections and add_client() each. When accept()
     * fails, errno says what to do (section 4.3): EAGAIN, no more; EMFILE, ENFILE, ENOBUFS,
     * ENOMEM, refuse_for_lack_of_descriptors(); EBADF, EFAULT, EINVAL, ENOTSOCK, EOPNOTSUPP are
     * bugs (-1); anything else (EINTR, ECONNABORTED, EPROTO, ...) concerns one connection: go on.
     */
    (void)s;
    (void)add_client;
    (void)refuse_for_lack_of_descriptors;
    errno = ENOSYS;
    return -1;
}

/* Drop the clients whose deadline passed, telling them why (best effort). Returns the time in ms
 * until the next deadline (for poll), or -1 when there is no client. */
static int expire_clients(struct server *s)
{
    /* TODO(lab 05): drop every client whose deadline has passed (send_last_words "ERR timeout\n"
     * unless it is closing; log "kvserver: PEER: timed out"). Return the ms until the earliest
     * deadline left (at most 60000), or -1 when there is no client. */
    (void)s;
    (void)send_last_words;
    return -1;
}

/* The poll set: the listening socket, then every client, each asking for what it can use now. */
static nfds_t build_poll_set(struct server *s)
{
    /* TODO(lab 05): pfds[0] the listening socket (POLLIN), pfds[1] the self-pipe (POLLIN), then
     * client i at pfds[FIRST_CLIENT + i]: POLLOUT when output is pending, POLLIN unless it is
     * closing or its output is full (back-pressure). Return how many entries are used. */
    (void)s;
    return 0;
}

/* Handle what poll() reported for the clients (before accepting new ones, so that indexes match).
 * A client that fails is dropped with one log line; a client that finished is dropped silently. */
static void serve_clients(struct server *s, nfds_t nfds)
{
    /* TODO(lab 05): for each client entry of pfds, from the last to the first (drop_client moves
     * the last client into the hole): POLLOUT, pump(); then POLLIN, POLLHUP or POLLERR,
     * read_client(). -1: log "kvserver: PEER: strerror(errno)" and drop it; 0: drop it. */
    (void)s;
    (void)nfds;
    (void)read_client;
}

static void print_status(const struct server *s)
{
    /* TODO(lab 05): "kvserver: clients=N keys=N" on stderr. */
    (void)s;
}

/* The event loop, until SIGINT or SIGTERM. Deadlines are checked after the events are served: a
 * request that arrived while the server was not running (a busy machine) still counts.
 * Returns 0, or -1 with errno on a fatal error. */
static int run(struct server *s)
{
    /* TODO(lab 05): until stop_requested: build_poll_set(), poll() with the timeout the last
     * expire_clients() gave (-1 at first). EINTR: not an error. Otherwise: the self-pipe (drain
     * it), the status flag (print_status), serve_clients(), and accept_clients() when pfds[0] is
     * readable. Then expire_clients(), after the events: a request that came counts. */
    (void)s;
    (void)expire_clients;
    (void)build_poll_set;
    (void)serve_clients;
    (void)print_status;
    (void)drain_wake_pipe;
    (void)stop_requested;
    (void)status_requested;
    (void)accept_clients;
    (void)queue_reply;
    (void)pending;
    fprintf(stderr, "kvserver: the event loop is not implemented\n");
    errno = ENOSYS;
    return -1;
}

static void server_close(struct server *s)
{
    while (s->nclients > 0)
        drop_client(s, s->nclients - 1);
    if (s->listen_fd != -1)
        close(s->listen_fd);
    if (s->spare_fd != -1)
        close(s->spare_fd);
    wake_fd = -1; /* first, so that a late signal does not write to a closed descriptor */
    for (int i = 0; i < 2; i++)
        if (s->wake[i] != -1)
            close(s->wake[i]);
    kvstore_free(s->store);
    free(s);
}

int main(int argc, char *argv[])
{
    const char *port = NULL;
    long timeout_ms = DEFAULT_TIMEOUT_MS, number;
    struct server *s;
    int opt, gai_err, status = EXIT_FAILURE;

    while ((opt = getopt(argc, argv, "p:t:")) != -1) {
        switch (opt) {
        case 'p':
            if (parse_number(optarg, 0, 65535, &number) == -1) {
                usage();
                return 2;
            }
            port = optarg;
            break;
        case 't':
            if (parse_number(optarg, 1, 86400000, &timeout_ms) == -1) {
                usage();
                return 2;
            }
            break;
        default:
            usage();
            return 2;
        }
    }
    if (port == NULL || optind != argc) {
        usage();
        return 2;
    }
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        fprintf(stderr, "kvserver: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    s->listen_fd = s->spare_fd = s->wake[0] = s->wake[1] = -1;
    s->timeout_ms = timeout_ms;
    if (setup_signals(s) == -1 || (s->store = kvstore_new(MAX_KEYS)) == NULL ||
        (s->spare_fd = open("/dev/null", O_RDONLY)) == -1) {
        fprintf(stderr, "kvserver: %s\n", strerror(errno));
        goto out;
    }
    s->listen_fd = listen_on(port, &gai_err);
    if (s->listen_fd == -2) {
        s->listen_fd = -1;
        fprintf(stderr, "kvserver: port %s: %s\n", port, gai_strerror(gai_err));
        goto out;
    }
    if (s->listen_fd == -1 || announce(s->listen_fd) == -1) {
        fprintf(stderr, "kvserver: port %s: %s\n", port, strerror(errno));
        goto out;
    }
    if (run(s) == -1) {
        fprintf(stderr, "kvserver: %s\n", strerror(errno));
        goto out;
    }
    status = EXIT_SUCCESS;
out:
    server_close(s);
    return status;
}
