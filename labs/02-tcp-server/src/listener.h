/* listener.h: open the server's listening socket (Lab 02). Implemented in listener.c. */
#ifndef LISTENER_H
#define LISTENER_H

#include <sys/socket.h>

/* Open a TCP socket listening on every local address, IPv6 and IPv4, at port (decimal digits;
 * "0" lets the kernel pick a free port):
 *   - the addresses come from getaddrinfo(NULL, port) with AI_PASSIVE;
 *   - an IPv6 address is preferred, on a dual-stack socket (IPV6_V6ONLY off) that also accepts
 *     IPv4 clients; IPv4 alone only on a system without IPv6 (getaddrinfo gives no IPv6
 *     address, or socket() fails with EAFNOSUPPORT);
 *   - SO_REUSEADDR is on, so that a restarted server can bind the port at once;
 *   - listen() with a backlog of SOMAXCONN.
 * Stores the address it is bound to (as getsockname() reads it: with the real port) in *bound
 * and its size in *len. Returns the socket, or -1 with errno set (from socket, setsockopt, bind,
 * listen or getsockname; EADDRNOTAVAIL when getaddrinfo finds nothing), every socket closed. */
int open_listener(const char *port, struct sockaddr_storage *bound, socklen_t *len);

#endif
