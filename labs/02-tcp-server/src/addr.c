/* addr.c: format socket addresses and parse port numbers (Lab 02, given: Lab 01's reference
 * helpers, so that this lab does not depend on your Lab 01). The contracts are in addr.h. */
#define _POSIX_C_SOURCE 200809L

#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

int format_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
    char text[INET6_ADDRSTRLEN];
    const void *addr;
    unsigned int port;
    int n;

    switch (sa->sa_family) {
    case AF_INET:
        addr = &((const struct sockaddr_in *)sa)->sin_addr;
        port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
        break;
    case AF_INET6:
        addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
        break;
    default:
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (inet_ntop(sa->sa_family, addr, text, sizeof text) == NULL)
        return -1;
    if (sa->sa_family == AF_INET6)
        n = snprintf(buf, len, "[%s]:%u", text, port);
    else
        n = snprintf(buf, len, "%s:%u", text, port);
    if (n < 0)
        return -1;
    if ((size_t)n >= len) {
        errno = ENOSPC;
        return -1;
    }
    return 0;
}

int parse_port(const char *text, uint16_t *port)
{
    unsigned long value = 0;
    const char *p;

    if (*text == '\0') {
        errno = EINVAL;
        return -1;
    }
    for (p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            errno = EINVAL;
            return -1;
        }
    }
    for (p = text; *p != '\0'; p++) {
        value = value * 10 + (unsigned long)(*p - '0');
        if (value > 65535) {
            errno = ERANGE;
            return -1;
        }
    }
    *port = (uint16_t)value;
    return 0;
}
