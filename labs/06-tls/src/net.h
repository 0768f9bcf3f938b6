/* net.h: the TCP plumbing of Lab 06, given complete: deadlines, connecting with a time limit,
 * a dual-stack listening socket, accepting without missing a signal, and printing addresses.
 * Implemented in net.c. You do not change these files; your TLS code (tls.c) uses wait_fd(). */
#ifndef NET_H
#define NET_H

#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

/* Room for the longest text format_sockaddr writes: "[" IPv6 "]:" 5 digits and the NUL. */
#define SOCKADDR_STRLEN (INET6_ADDRSTRLEN + 8)

/* The point in time `seconds` from now, on CLOCK_MONOTONIC (not affected by clock changes). */
struct timespec deadline_in(unsigned int seconds);

/* Wait until fd is ready for events (POLLIN to read, POLLOUT to write) or deadline passes.
 * An error or hang-up on fd counts as ready: the next read or write reports it. EINTR is retried.
 * Returns 0 when ready, or -1 with errno ETIMEDOUT (the deadline passed) or set by poll(). */
int wait_fd(int fd, short events, const struct timespec *deadline);

/* Parse a decimal number from 0 to max: digits only. Returns 0, or -1 with errno EINVAL (not a
 * number) or ERANGE (above max). */
int parse_number(const char *text, unsigned long max, unsigned long *value);

/* Connect over TCP to host and port (a number), trying each address getaddrinfo() returns, in
 * order, until one connects; the whole attempt ends at deadline. The socket returned is
 * non-blocking (O_NONBLOCK), ready for OpenSSL's non-blocking mode.
 * Returns the socket; or -1 with *gai_err set to a getaddrinfo() error (the name did not
 * resolve); or -1 with *gai_err 0 and errno from the last address that failed. */
int connect_tcp(const char *host, const char *port, const struct timespec *deadline, int *gai_err);

/* A listening TCP socket on port (0: the kernel picks one) of every local address: IPv6 and
 * IPv4 on one dual-stack socket ([::]), or IPv4 only (0.0.0.0) where IPv6 is not available.
 * Returns the socket, or -1 with errno. */
int listen_tcp(uint16_t port);

/* Wait for a connection on the listening socket lfd and accept it. While waiting (and only
 * then) the signals are those of wait_mask, set atomically by ppoll(): with SIGINT and SIGTERM
 * blocked everywhere else, a signal cannot slip in between a check of the stop flag and the wait.
 * Returns the connected socket, non-blocking, with its address in *peer; or -1 with errno EINTR
 * (a signal was handled) or another errno (the connection failed before it was accepted). */
int accept_tcp(int lfd, struct sockaddr_storage *peer, const sigset_t *wait_mask);

/* Write "127.0.0.1:443" or "[::1]:443" for an IPv4 or IPv6 socket address.
 * Returns 0, or -1 with errno EAFNOSUPPORT (another family) or ENOSPC (len too small). */
int format_sockaddr(const struct sockaddr *sa, char *buf, size_t len);

#endif
