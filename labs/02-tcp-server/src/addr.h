/* addr.h: format socket addresses and parse port numbers (Lab 02, given: Lab 01's helpers). */
#ifndef ADDR_H
#define ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for the longest text format_sockaddr writes: "[" IPv6 "]:" 5 digits and the NUL. */
#define SOCKADDR_STRLEN (INET6_ADDRSTRLEN + 8)

/* Write "ADDR:PORT" for IPv4 and "[ADDR]:PORT" for IPv6: "127.0.0.1:80", "[::1]:8080".
 * Returns 0, or -1 with errno EAFNOSUPPORT (neither AF_INET nor AF_INET6) or ENOSPC (len too
 * small for the text and its NUL). */
int format_sockaddr(const struct sockaddr *sa, char *buf, size_t len);

/* Parse a decimal port number from 0 to 65535: digits only, no sign, no spaces.
 * Returns 0 and stores the port in host byte order, or -1 with errno EINVAL (not a number) or
 * ERANGE (a number above 65535). */
int parse_port(const char *text, uint16_t *port);

#endif
