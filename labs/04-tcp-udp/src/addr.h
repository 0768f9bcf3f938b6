/* addr.h: print socket addresses and parse port numbers (given; Lab 01's helpers, copied so that
 * this lab builds on its own). Implemented in addr.c. */
#ifndef ADDR_H
#define ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for the longest text format_sockaddr writes: "[" IPv6 "]:" 5 digits and the NUL. */
#define SOCKADDR_STRLEN (INET6_ADDRSTRLEN + 8)

/* Write the address alone, without the port: "127.0.0.1", "::1".
 * Returns 0, or -1 with errno EAFNOSUPPORT (neither AF_INET nor AF_INET6) or ENOSPC. */
int format_address(const struct sockaddr *sa, char *buf, size_t len);

/* Write "ADDR:PORT" for IPv4 and "[ADDR]:PORT" for IPv6: "127.0.0.1:80", "[::1]:8080".
 * Returns 0, or -1 with errno EAFNOSUPPORT or ENOSPC, as format_address. */
int format_sockaddr(const struct sockaddr *sa, char *buf, size_t len);

/* Parse a decimal port number from 0 to 65535: digits only, no sign, no spaces.
 * Returns 0 and stores the port in host byte order, or -1 with errno EINVAL or ERANGE. */
int parse_port(const char *text, uint16_t *port);

/* Parse a decimal number from min to max (digits only) into *value.
 * Returns 0, or -1 with errno EINVAL (not a number) or ERANGE (outside min..max). */
int parse_number(const char *text, unsigned long min, unsigned long max, unsigned long *value);

/* Print "listening on ADDR:PORT" on stderr for the bound socket fd (the servers' readiness line).
 * Returns 0, or -1 with errno set. */
int announce_listening(int fd);

#endif
