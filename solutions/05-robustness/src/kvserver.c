/* kvserver.c: a key-value server that survives a hostile network: one process, one poll() loop,
 * every buffer bounded, every client on a deadline (Lab 05 reference solution).
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
    int saved = errno;

    if (sig == SIGUSR1)
        status_requested = 1;
    else
        stop_requested = 1;
    if (wake_fd != -1 && write(wake_fd, "", 1) == -1) {
        /* EAGAIN: the pipe is full, so poll() will wake up anyway */
    }
    errno = saved;
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
    struct sigaction sa;

    if (pipe(s->wake) == -1)
        return -1;
    if (set_nonblocking(s->wake[0]) == -1 || set_nonblocking(s->wake[1]) == -1)
        return -1;
    wake_fd = s->wake[1];
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1 ||
        sigaction(SIGUSR1, &sa, NULL) == -1)
        return -1;
    sa.sa_handler = SIG_IGN;
    return sigaction(SIGPIPE, &sa, NULL);
}

/* Empty the self-pipe; the flags say what the signals asked for. */
static void drain_wake_pipe(struct server *s)
{
    char buf[64];

    while (read(s->wake[0], buf, sizeof buf) > 0)
        ;
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
    while (pending(c) > 0) {
        ssize_t n = send(c->fd, c->out + c->out_sent, pending(c), MSG_NOSIGNAL);

        if (n == -1) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        c->out_sent += (size_t)n;
    }
    c->out_used = c->out_sent = 0;
    return 0;
}

/* Carry out the complete requests c's input holds, while its output has room. Returns 1 when it
 * stopped for lack of room (requests may be waiting), else 0. */
static int serve_requests(struct server *s, struct client *c)
{
    char line[LINEBUF_SIZE], reply[MAX_REPLY];
    enum after_reply after;

    while (!c->closing) {
        ssize_t len;
        size_t n;

        if (pending(c) >= OUT_LIMIT)
            return 1; /* back-pressure: wait until the client reads its replies */
        len = linebuf_next(&c->in, line, sizeof line);
        if (len == -1 && errno == EAGAIN)
            return 0;
        if (len == -1) { /* EMSGSIZE: no newline in a full buffer */
            queue_reply(c, "ERR too-long\n", 13);
            c->closing = 1;
            fprintf(stderr, "kvserver: %s: request too long\n", c->peer);
            return 0;
        }
        n = handle_request(s->store, line, (size_t)len, s->nclients, reply, &after);
        queue_reply(c, reply, n);
        c->deadline = now_ms() + s->timeout_ms;
        if (after == CLOSE)
            c->closing = 1;
    }
    return 0;
}

/* Serve c's requests and send the replies, for as long as the socket takes them: when the output
 * empties, requests that waited for room are served at once (nothing else would wake us for them).
 * Returns 1 to keep c, 0 when c is finished (it asked to close and all is sent), or -1 with errno
 * when its connection failed. */
static int pump(struct server *s, struct client *c)
{
    int waiting;

    do {
        waiting = serve_requests(s, c);
        if (flush_client(c) == -1)
            return -1;
    } while (waiting && pending(c) == 0);
    return c->closing && pending(c) == 0 ? 0 : 1;
}

/* Read what c sent and serve it. Returns as pump(), and 0 when the client closed its end. */
static int read_client(struct server *s, struct client *c)
{
    size_t room;
    char *space = linebuf_space(&c->in, &room);
    ssize_t n;

    if (room == 0)
        return pump(s, c); /* a hang-up or error reported while the buffer is full */
    n = recv(c->fd, space, room, 0);
    if (n == 0)
        return 0; /* the client closed its end */
    if (n == -1) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            return 1; /* nothing now; poll() says when */
        return -1;
    }
    linebuf_commit(&c->in, (size_t)n);
    return pump(s, c);
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
    while (send(fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT) == -1 && errno == EINTR)
        ;
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
    int fd;

    if (s->spare_fd != -1) {
        close(s->spare_fd);
        fd = accept(s->listen_fd, NULL, NULL);
        if (fd != -1)
            refuse(fd);
    }
    s->spare_fd = open("/dev/null", O_RDONLY);
    fprintf(stderr, "kvserver: out of descriptors: refused a connection\n");
}

/* Register a new connection (non-blocking, greeted, on a deadline); refuse it when the table is
 * full or memory is short. */
static void add_client(struct server *s, int fd, const struct sockaddr *sa, socklen_t len)
{
    static const char greeting[] = "OK ready\n";
    struct client *c;

    if (s->nclients == MAX_CLIENTS || set_nonblocking(fd) == -1 ||
        (c = malloc(sizeof *c)) == NULL) {
        refuse(fd);
        return;
    }
    c->fd = fd;
    format_peer(sa, len, c->peer);
    linebuf_init(&c->in);
    c->out_used = c->out_sent = 0;
    c->deadline = now_ms() + s->timeout_ms;
    c->closing = 0;
    queue_reply(c, greeting, sizeof greeting - 1);
    s->clients[s->nclients++] = c;
}

/* Accept the connections that wait, up to ACCEPT_BATCH. Errors that concern one connection only
 * (it was reset before we got to it, ...) are skipped. Returns 0, or -1 with errno when the
 * listening socket itself is broken. */
static int accept_clients(struct server *s)
{
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept(s->listen_fd, (struct sockaddr *)&ss, &len);

        if (fd != -1) {
            add_client(s, fd, (struct sockaddr *)&ss, len);
            continue;
        }
        switch (errno) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return 0; /* no more waiting */
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            refuse_for_lack_of_descriptors(s);
            return 0;
        case EBADF:
        case EFAULT:
        case EINVAL:
        case ENOTSOCK:
        case EOPNOTSUPP:
            return -1; /* a bug, not the network */
        default:
            continue; /* EINTR, ECONNABORTED, EPROTO, EPERM, ENETDOWN, ...: try the next one */
        }
    }
    return 0;
}

/* Drop the clients whose deadline passed, telling them why (best effort). Returns the time in ms
 * until the next deadline (for poll), or -1 when there is no client. */
static int expire_clients(struct server *s)
{
    int64_t now = now_ms(), next = -1;

    for (size_t i = 0; i < s->nclients;) {
        struct client *c = s->clients[i];

        if (c->deadline <= now) {
            if (!c->closing)
                send_last_words(c->fd, "ERR timeout\n");
            fprintf(stderr, "kvserver: %s: timed out\n", c->peer);
            drop_client(s, i);
            continue;
        }
        if (next == -1 || c->deadline - now < next)
            next = c->deadline - now;
        i++;
    }
    return next > 60000 ? 60000 : (int)next;
}

/* The poll set: the listening socket, then every client, each asking for what it can use now. */
static nfds_t build_poll_set(struct server *s)
{
    s->pfds[0].fd = s->listen_fd;
    s->pfds[0].events = POLLIN;
    s->pfds[1].fd = s->wake[0];
    s->pfds[1].events = POLLIN;
    for (size_t i = 0; i < s->nclients; i++) {
        struct client *c = s->clients[i];
        struct pollfd *p = &s->pfds[FIRST_CLIENT + i];

        p->fd = c->fd;
        p->events = 0;
        if (pending(c) > 0)
            p->events |= POLLOUT;
        if (!c->closing && pending(c) < OUT_LIMIT)
            p->events |= POLLIN; /* otherwise: back-pressure, the requests wait in the kernel */
    }
    return (nfds_t)(FIRST_CLIENT + s->nclients);
}

/* Handle what poll() reported for the clients (before accepting new ones, so that indexes match).
 * A client that fails is dropped with one log line; a client that finished is dropped silently. */
static void serve_clients(struct server *s, nfds_t nfds)
{
    for (nfds_t k = nfds; k-- > FIRST_CLIENT;) { /* backwards: drop_client moves the last one */
        size_t i = k - FIRST_CLIENT;
        struct client *c = s->clients[i];
        short ev = s->pfds[k].revents;
        int rc = 1;

        if (ev & POLLOUT)
            rc = pump(s, c);
        if (rc == 1 && (ev & (POLLIN | POLLHUP | POLLERR)))
            rc = read_client(s, c);
        if (rc == -1)
            fprintf(stderr, "kvserver: %s: %s\n", c->peer, strerror(errno));
        if (rc != 1)
            drop_client(s, i);
    }
}

static void print_status(const struct server *s)
{
    fprintf(stderr, "kvserver: clients=%zu keys=%zu\n", s->nclients, kvstore_count(s->store));
}

/* The event loop, until SIGINT or SIGTERM. Deadlines are checked after the events are served: a
 * request that arrived while the server was not running (a busy machine) still counts.
 * Returns 0, or -1 with errno on a fatal error. */
static int run(struct server *s)
{
    int timeout = -1; /* no client yet: wait for one */

    while (!stop_requested) {
        nfds_t nfds = build_poll_set(s);

        if (poll(s->pfds, nfds, timeout) == -1) {
            if (errno != EINTR)
                return -1;
            /* a signal: the byte in the self-pipe wakes the next poll() at once */
        } else {
            if (s->pfds[1].revents & POLLIN)
                drain_wake_pipe(s);
            if (status_requested) {
                status_requested = 0;
                print_status(s);
            }
            serve_clients(s, nfds);
            if ((s->pfds[0].revents & POLLIN) && accept_clients(s) == -1)
                return -1;
        }
        timeout = expire_clients(s);
    }
    return 0;
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
