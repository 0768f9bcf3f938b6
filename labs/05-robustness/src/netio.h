/* netio.h: socket helpers that survive a hostile network: every wait has a deadline, every call
 * interrupted by a signal is retried, partial sends are finished (Lab 05). In netio.c.
 *
 * Times are milliseconds. A deadline is a point in time on the monotonic clock, as now_ms()
 * returns: it does not jump when someone sets the wall clock. */
#ifndef NETIO_H
#define NETIO_H

#include <netdb.h>
#include <stdint.h>
#include <sys/types.h>

#include "linebuf.h"

/* Milliseconds on the monotonic clock (CLOCK_MONOTONIC), for deadlines. */
int64_t now_ms(void);

/* Make fd non-blocking (O_NONBLOCK). Returns 0, or -1 with errno from fcntl. */
int set_nonblocking(int fd);

/* Wait until fd is ready for events (POLLIN or POLLOUT), or the deadline passes. A signal does not
 * cut the wait short: poll() is called again with the time that is left.
 * Returns 0 when fd is ready (or has an error or hang-up to report: the next call on it says
 * which), or -1 with errno ETIMEDOUT when the deadline passed, or poll's errno. */
int wait_fd(int fd, short events, int64_t deadline);

/* Sleep for ms milliseconds, all of them: when a signal interrupts nanosleep(), sleep the rest. */
void sleep_ms(long ms);

/* The delay before retry number `retry` (1 for the first retry): exponential backoff with a cap and
 * jitter. With b = min(cap_ms, base_ms * 2^(retry - 1)), the delay is b / 2 + (r % (b / 2 + 1)):
 * between half of b and b, where in that range chosen by the random number r. Never overflows,
 * whatever retry is. base_ms and cap_ms are at least 1. */
long backoff_delay(unsigned retry, long base_ms, long cap_ms, uint32_t r);

/* Connect a new socket to the address ai, giving up at the deadline. The socket is non-blocking
 * (use wait_fd before retrying a call that fails with EAGAIN). connect() interrupted by a signal
 * (EINTR) goes on in the background: wait for it, do not call connect() again.
 * Returns the connected socket, or -1 with errno (ECONNREFUSED, ETIMEDOUT, ...). */
int connect_addr(const struct addrinfo *ai, int64_t deadline);

/* Send all len bytes of buf on the non-blocking socket fd before the deadline: loop on partial
 * sends, retry EINTR, wait (wait_fd) on EAGAIN, and never raise SIGPIPE (MSG_NOSIGNAL).
 * Returns 0, or -1 with errno (EPIPE, ECONNRESET, ETIMEDOUT, ...). */
int send_all(int fd, const void *buf, size_t len, int64_t deadline);

/* Read one line from the non-blocking socket fd into line (size bytes, at least LINEBUF_SIZE), as
 * linebuf_next gives it, reading more into lb as needed (bytes after the line stay in lb for the
 * next call). Retries EINTR, waits (wait_fd) on EAGAIN until the deadline.
 * Returns the line's length; -2 when the peer closed the connection before a complete line; or -1
 * with errno (ETIMEDOUT, EMSGSIZE for a line too long, ECONNRESET, ...). */
ssize_t recv_line(int fd, struct linebuf *lb, char *line, size_t size, int64_t deadline);

#endif
