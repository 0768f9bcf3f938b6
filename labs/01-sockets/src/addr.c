/* addr.c: format and parse IPv4 and IPv6 socket addresses (Lab 01). The contracts are in addr.h. */
#define _POSIX_C_SOURCE 200809L

#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int format_address(const struct sockaddr *sa, char *buf, size_t len)
{
    /* TODO(lab 01): pick sin_addr or sin6_addr by sa->sa_family (anything else: EAFNOSUPPORT),
     * turn it into text with inet_ntop(), and copy it into buf if it fits (else ENOSPC). */
    (void)sa;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

int format_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
    /* TODO(lab 01): format_address(), then append ":PORT", with brackets around an IPv6 address.
     * The port in a socket address is in network byte order: ntohs() turns it around. snprintf()
     * returns the length it wanted to write, which tells you whether it fit. */
    (void)sa;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

int parse_port(const char *text, uint16_t *port)
{
    /* TODO(lab 01): accept only the digits of a number from 0 to 65535 (EINVAL for anything else,
     * ERANGE above 65535). Beware: atoi() accepts "80abc", strtoul() accepts " +80". */
    (void)text;
    (void)port;
    errno = ENOSYS;
    return -1;
}

int split_hostport(const char *text, char *host, size_t hostlen, char *port, size_t portlen)
{
    /* TODO(lab 01): "[...]:PORT" takes the host between the brackets; otherwise the host is
     * everything before the only ':'. Reject an empty host or port, copy both if they fit. */
    (void)text;
    (void)host;
    (void)hostlen;
    (void)port;
    (void)portlen;
    errno = ENOSYS;
    return -1;
}

int sockaddr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
    /* TODO(lab 01): split_hostport() and parse_port(), then inet_pton() into a zeroed
     * sockaddr_in (no brackets) or sockaddr_in6 (brackets). Store the port with htons(). */
    (void)text;
    (void)ss;
    (void)len;
    errno = ENOSYS;
    return -1;
}
