/* faultshim.c: an LD_PRELOAD library that makes socket I/O as unfriendly as a real network may be.
 *
 * On loopback a send of 1 MB usually goes out in one call and a recv usually returns a whole
 * message, so a program that forgets to loop on partial I/O or to retry EINTR passes every test
 * and fails in production. Preloaded, this library changes only calls on sockets (never on
 * files, pipes or terminals), deterministically, as configured by the environment:
 *
 *   NETLAB_SHIM_MAX_IO=N       each send/recv/read/write/sendto/recvfrom moves at most N bytes
 *   NETLAB_SHIM_EINTR=K        every K-th such call fails with EINTR before doing anything
 *                              (connect and accept too: connect then completes in the background,
 *                              as after a real signal, and a retry reports EALREADY or EISCONN)
 *   NETLAB_SHIM_FAIL=K:ERROR   every K-th such call fails with ERROR instead (a name such as
 *                              ECONNABORTED, EMFILE, ECONNRESET, or a number) without doing
 *                              anything: the errors the kernel may return for one connection
 *                              (a connect that fails this way was never started); counted apart
 *                              from NETLAB_SHIM_EINTR
 *   NETLAB_SHIM_RESET_AFTER=N  after N bytes have been received on a socket, its reads fail with
 *                              ECONNRESET and its writes with EPIPE (SIGPIPE unless MSG_NOSIGNAL
 *                              or the signal is ignored), as when the peer resets the connection
 *   NETLAB_SHIM_OPS=LIST       which calls are affected (comma list of send,recv,read,write,
 *                              sendto,recvfrom,connect,accept); default: all of them
 *   NETLAB_SHIM_LOG=PATH       append one line per altered call ("eintr send fd=4"), so that a
 *                              test can prove the faults really happened
 *
 * (__SOCKADDR_ARG and __CONST_SOCKADDR_ARG are glibc's types for these parameters; the
 * definitions must match its declarations exactly.)
 *
 * Every change is something the kernel is allowed to do, so a correct program must cope with it.
 * Not intercepted: readv/writev, sendmsg/recvmsg, sendfile (a program using them is not tested
 * for partial I/O by this library).
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FDS 4096

enum op {
    OP_SEND,
    OP_RECV,
    OP_READ,
    OP_WRITE,
    OP_SENDTO,
    OP_RECVFROM,
    OP_CONNECT,
    OP_ACCEPT,
    OP_COUNT
};

static const char *const op_names[OP_COUNT] = {"send",   "recv",     "read",    "write",
                                               "sendto", "recvfrom", "connect", "accept"};

static struct {
    size_t max_io;             /* 0: no cap */
    unsigned long eintr_every; /* 0: never */
    unsigned long fail_every;  /* 0: never */
    int fail_errno;
    unsigned long long reset_after; /* 0: never */
    int enabled[OP_COUNT];
    int log_fd;
} config = {.log_fd = -1};

static atomic_ulong call_count, fail_count;
static atomic_ullong received[MAX_FDS];

static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_recv)(int, void *, size_t, int);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_sendto)(int, const void *, size_t, int, __CONST_SOCKADDR_ARG, socklen_t);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, __SOCKADDR_ARG, socklen_t *);
static int (*real_connect)(int, __CONST_SOCKADDR_ARG, socklen_t);
static int (*real_accept)(int, __SOCKADDR_ARG, socklen_t *);
static int (*real_accept4)(int, __SOCKADDR_ARG, socklen_t *, int);
static int (*real_close)(int);

static unsigned long long env_number(const char *name)
{
    const char *text = getenv(name);

    return text != NULL ? strtoull(text, NULL, 10) : 0;
}

static void load_ops(void)
{
    const char *list = getenv("NETLAB_SHIM_OPS");

    for (int i = 0; i < OP_COUNT; i++) {
        size_t n = strlen(op_names[i]);
        const char *p = list;

        config.enabled[i] = list == NULL;
        while (p != NULL && *p != '\0') {
            if (strncmp(p, op_names[i], n) == 0 && (p[n] == ',' || p[n] == '\0'))
                config.enabled[i] = 1;
            p = strchr(p, ',');
            if (p != NULL)
                p++;
        }
    }
}

/* The errors NETLAB_SHIM_FAIL may name; a number is taken as it is. */
static int errno_by_name(const char *name)
{
    static const struct {
        const char *name;
        int value;
    } known[] = {{"EINTR", EINTR},
                 {"EAGAIN", EAGAIN},
                 {"ECONNABORTED", ECONNABORTED},
                 {"ECONNRESET", ECONNRESET},
                 {"ECONNREFUSED", ECONNREFUSED},
                 {"EPIPE", EPIPE},
                 {"EMFILE", EMFILE},
                 {"ENFILE", ENFILE},
                 {"ENOBUFS", ENOBUFS},
                 {"ENOMEM", ENOMEM},
                 {"EPROTO", EPROTO},
                 {"EPERM", EPERM},
                 {"ENETDOWN", ENETDOWN},
                 {"ENETUNREACH", ENETUNREACH},
                 {"EHOSTUNREACH", EHOSTUNREACH},
                 {"ETIMEDOUT", ETIMEDOUT}};

    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0)
            return known[i].value;
    return (int)strtol(name, NULL, 10);
}

/* NETLAB_SHIM_FAIL=K:ERROR */
static void load_fail(void)
{
    const char *text = getenv("NETLAB_SHIM_FAIL");
    const char *colon = text != NULL ? strchr(text, ':') : NULL;

    if (colon == NULL)
        return;
    config.fail_every = strtoul(text, NULL, 10);
    config.fail_errno = errno_by_name(colon + 1);
    if (config.fail_errno <= 0)
        config.fail_every = 0; /* an unknown name: no fault rather than a wrong one */
}

__attribute__((constructor)) static void shim_init(void)
{
    const char *log = getenv("NETLAB_SHIM_LOG");

    /* POSIX's way to store dlsym's result in a function pointer (ISO C has no such cast). */
    *(void **)&real_send = dlsym(RTLD_NEXT, "send");
    *(void **)&real_recv = dlsym(RTLD_NEXT, "recv");
    *(void **)&real_read = dlsym(RTLD_NEXT, "read");
    *(void **)&real_write = dlsym(RTLD_NEXT, "write");
    *(void **)&real_sendto = dlsym(RTLD_NEXT, "sendto");
    *(void **)&real_recvfrom = dlsym(RTLD_NEXT, "recvfrom");
    *(void **)&real_connect = dlsym(RTLD_NEXT, "connect");
    *(void **)&real_accept = dlsym(RTLD_NEXT, "accept");
    *(void **)&real_accept4 = dlsym(RTLD_NEXT, "accept4");
    *(void **)&real_close = dlsym(RTLD_NEXT, "close");
    config.max_io = (size_t)env_number("NETLAB_SHIM_MAX_IO");
    config.eintr_every = (unsigned long)env_number("NETLAB_SHIM_EINTR");
    config.reset_after = env_number("NETLAB_SHIM_RESET_AFTER");
    load_ops();
    load_fail();
    if (log != NULL)
        config.log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

/* The log is closed at exit, so that valgrind's --track-fds does not count it as the program's. */
__attribute__((destructor)) static void shim_fini(void)
{
    if (config.log_fd != -1 && real_close != NULL) {
        real_close(config.log_fd);
        config.log_fd = -1;
    }
}

static int is_socket(int fd)
{
    struct stat st;
    int saved = errno, yes = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);

    errno = saved;
    return yes;
}

/* One line to the log; never changes errno. The log descriptor is not a socket. */
static void note(const char *what, enum op op, int fd)
{
    char line[96];
    int saved = errno, n;

    if (config.log_fd == -1)
        return;
    n = snprintf(line, sizeof line, "%s %s fd=%d\n", what, op_names[op], fd);
    if (n > 0 && real_write != NULL)
        (void)real_write(config.log_fd, line, (size_t)n);
    errno = saved;
}

/* Whether this call on fd is one the shim may alter. */
static int affected(enum op op, int fd)
{
    return config.enabled[op] && is_socket(fd);
}

/* True (and errno EINTR) when this call is the K-th one and must fail as if interrupted. */
static int interrupt_now(enum op op, int fd)
{
    if (config.eintr_every == 0)
        return 0;
    if ((atomic_fetch_add(&call_count, 1) + 1) % config.eintr_every != 0)
        return 0;
    note("eintr", op, fd);
    errno = EINTR;
    return 1;
}

/* True (and errno set) when this call is the K-th one of NETLAB_SHIM_FAIL and must fail. */
static int fail_now(enum op op, int fd)
{
    if (config.fail_every == 0)
        return 0;
    if ((atomic_fetch_add(&fail_count, 1) + 1) % config.fail_every != 0)
        return 0;
    note("fail", op, fd);
    errno = config.fail_errno;
    return 1;
}

static size_t cap(enum op op, int fd, size_t len)
{
    if (config.max_io != 0 && len > config.max_io) {
        note("short", op, fd);
        return config.max_io;
    }
    return len;
}

static int was_reset(int fd)
{
    return config.reset_after != 0 && fd >= 0 && fd < MAX_FDS &&
           atomic_load(&received[fd]) >= config.reset_after;
}

static void count_received(int fd, ssize_t n)
{
    if (n > 0 && fd >= 0 && fd < MAX_FDS)
        atomic_fetch_add(&received[fd], (unsigned long long)n);
}

/* The common path of every read-like call: EINTR, reset, cap, then the real call. */
#define READ_LIKE(op, fd, len, call)                                                               \
    do {                                                                                           \
        ssize_t n_;                                                                                \
        if (!affected(op, fd))                                                                     \
            return call(len);                                                                      \
        if (interrupt_now(op, fd) || fail_now(op, fd))                                             \
            return -1;                                                                             \
        if (was_reset(fd)) {                                                                       \
            note("reset", op, fd);                                                                 \
            errno = ECONNRESET;                                                                    \
            return -1;                                                                             \
        }                                                                                          \
        n_ = call(cap(op, fd, len));                                                               \
        count_received(fd, n_);                                                                    \
        return n_;                                                                                 \
    } while (0)

/* The common path of every write-like call; a reset connection raises SIGPIPE as the kernel does.
 */
#define WRITE_LIKE(op, fd, len, flags, call)                                                       \
    do {                                                                                           \
        if (!affected(op, fd))                                                                     \
            return call(len);                                                                      \
        if (interrupt_now(op, fd) || fail_now(op, fd))                                             \
            return -1;                                                                             \
        if (was_reset(fd)) {                                                                       \
            note("reset", op, fd);                                                                 \
            if (!((flags)&MSG_NOSIGNAL))                                                           \
                raise(SIGPIPE);                                                                    \
            errno = EPIPE;                                                                         \
            return -1;                                                                             \
        }                                                                                          \
        return call(cap(op, fd, len));                                                             \
    } while (0)

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
#define CALL(l) real_send(fd, buf, l, flags)
    WRITE_LIKE(OP_SEND, fd, len, flags, CALL);
#undef CALL
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, __CONST_SOCKADDR_ARG to,
               socklen_t tolen)
{
#define CALL(l) real_sendto(fd, buf, l, flags, to, tolen)
    /* A datagram is never split: only EINTR and resets apply to sendto on a datagram socket. */
    int type = 0;
    socklen_t tl = sizeof type;

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type != SOCK_STREAM) {
        if (affected(OP_SENDTO, fd) && (interrupt_now(OP_SENDTO, fd) || fail_now(OP_SENDTO, fd)))
            return -1;
        return CALL(len);
    }
    WRITE_LIKE(OP_SENDTO, fd, len, flags, CALL);
#undef CALL
}

ssize_t write(int fd, const void *buf, size_t len)
{
#define CALL(l) real_write(fd, buf, l)
    WRITE_LIKE(OP_WRITE, fd, len, 0, CALL);
#undef CALL
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
#define CALL(l) real_recv(fd, buf, l, flags)
    READ_LIKE(OP_RECV, fd, len, CALL);
#undef CALL
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, __SOCKADDR_ARG from, socklen_t *fromlen)
{
#define CALL(l) real_recvfrom(fd, buf, l, flags, from, fromlen)
    int type = 0;
    socklen_t tl = sizeof type;

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type != SOCK_STREAM) {
        if (affected(OP_RECVFROM, fd) &&
            (interrupt_now(OP_RECVFROM, fd) || fail_now(OP_RECVFROM, fd)))
            return -1;
        return CALL(len); /* capping would truncate a datagram, which the kernel never does */
    }
    READ_LIKE(OP_RECVFROM, fd, len, CALL);
#undef CALL
}

ssize_t read(int fd, void *buf, size_t len)
{
#define CALL(l) real_read(fd, buf, l)
    READ_LIKE(OP_READ, fd, len, CALL);
#undef CALL
}

int connect(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
    if (affected(OP_CONNECT, fd) && fail_now(OP_CONNECT, fd))
        return -1;
    if (affected(OP_CONNECT, fd) && config.eintr_every != 0) {
        /* A signal during a blocking connect: the kernel keeps connecting in the background and
         * returns EINTR. Start the connection, then report the interruption. */
        int rc = real_connect(fd, addr, len);

        if (rc == 0 || errno == EINPROGRESS) {
            if ((atomic_fetch_add(&call_count, 1) + 1) % config.eintr_every == 0) {
                note("eintr", OP_CONNECT, fd);
                errno = EINTR;
                return -1;
            }
            return rc;
        }
        return rc;
    }
    return real_connect(fd, addr, len);
}

int accept(int fd, __SOCKADDR_ARG addr, socklen_t *len)
{
    if (affected(OP_ACCEPT, fd) && (interrupt_now(OP_ACCEPT, fd) || fail_now(OP_ACCEPT, fd)))
        return -1;
    return real_accept(fd, addr, len);
}

int accept4(int fd, __SOCKADDR_ARG addr, socklen_t *len, int flags)
{
    if (affected(OP_ACCEPT, fd) && (interrupt_now(OP_ACCEPT, fd) || fail_now(OP_ACCEPT, fd)))
        return -1;
    return real_accept4(fd, addr, len, flags);
}

/* A closed descriptor's number is reused by the next socket: forget what it received. */
int close(int fd)
{
    if (fd >= 0 && fd < MAX_FDS)
        atomic_store(&received[fd], 0);
    return real_close(fd);
}
