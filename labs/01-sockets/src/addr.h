/* addr.h: format and parse IPv4 and IPv6 socket addresses (Lab 01). Implemented in addr.c. */
#ifndef ADDR_H
#define ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for the longest text format_sockaddr writes: "[" IPv6 "]:" 5 digits and the NUL. */
#define SOCKADDR_STRLEN (INET6_ADDRSTRLEN + 8)

/* Write the address alone, without the port: "127.0.0.1", "::1".
 * Returns 0, or -1 with errno EAFNOSUPPORT (neither AF_INET nor AF_INET6) or ENOSPC (len too
 * small for the text and its NUL). */
int format_address(const struct sockaddr *sa, char *buf, size_t len);

/* Write "ADDR:PORT" for IPv4 and "[ADDR]:PORT" for IPv6: "127.0.0.1:80", "[::1]:8080".
 * Returns 0, or -1 with errno EAFNOSUPPORT or ENOSPC, as format_address. */
int format_sockaddr(const struct sockaddr *sa, char *buf, size_t len);

/* Parse a decimal port number from 0 to 65535: digits only, no sign, no spaces.
 * Returns 0 and stores the port in host byte order, or -1 with errno EINVAL (not a number) or
 * ERANGE (a number above 65535). */
int parse_port(const char *text, uint16_t *port);

/* Split "HOST:PORT" or "[IPV6]:PORT" into its host and port texts (brackets removed). Neither may
 * be empty, and an unbracketed host may not contain ':'.
 * Returns 0, or -1 with errno EINVAL (malformed) or ENOSPC (host or port does not fit). */
int split_hostport(const char *text, char *host, size_t hostlen, char *port, size_t portlen);

/* Turn a numeric "ADDR:PORT" or "[IPV6]:PORT" into a socket address, port in network byte order.
 * No name is looked up. Returns 0 and fills *ss and *len (the size of the sockaddr_in or
 * sockaddr_in6 used), or -1 with errno EINVAL. */
int sockaddr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len);

#endif
