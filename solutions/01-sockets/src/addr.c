/* addr.c: format and parse IPv4 and IPv6 socket addresses (Lab 01 reference solution). */
#define _POSIX_C_SOURCE 200809L

#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Copy the n bytes at src into buf as a NUL-terminated string.
 * Returns 0, or -1 with errno ENOSPC when n bytes and the NUL do not fit in len. */
static int copy_span(char *buf, size_t len, const char *src, size_t n)
{
    if (n >= len) {
        errno = ENOSPC;
        return -1;
    }
    memcpy(buf, src, n);
    buf[n] = '\0';
    return 0;
}

int format_address(const struct sockaddr *sa, char *buf, size_t len)
{
    char text[INET6_ADDRSTRLEN];
    const void *addr;

    switch (sa->sa_family) {
    case AF_INET:
        addr = &((const struct sockaddr_in *)sa)->sin_addr;
        break;
    case AF_INET6:
        addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        break;
    default:
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (inet_ntop(sa->sa_family, addr, text, sizeof text) == NULL)
        return -1;
    return copy_span(buf, len, text, strlen(text));
}

int format_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
    char text[INET6_ADDRSTRLEN];
    unsigned int port;
    int n;

    if (format_address(sa, text, sizeof text) == -1)
        return -1;
    if (sa->sa_family == AF_INET6) {
        port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
        n = snprintf(buf, len, "[%s]:%u", text, port);
    } else {
        port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
        n = snprintf(buf, len, "%s:%u", text, port);
    }
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

int split_hostport(const char *text, char *host, size_t hostlen, char *port, size_t portlen)
{
    const char *host_start = text, *host_end, *colon;

    if (text[0] == '[') {
        host_start = text + 1;
        host_end = strchr(host_start, ']');
        if (host_end == NULL || host_end[1] != ':') {
            errno = EINVAL;
            return -1;
        }
        colon = host_end + 1;
    } else {
        colon = strchr(text, ':');
        if (colon == NULL || strchr(colon + 1, ':') != NULL) {
            errno = EINVAL; /* no port, or an IPv6 address without brackets */
            return -1;
        }
        host_end = colon;
    }
    if (host_end == host_start || colon[1] == '\0') {
        errno = EINVAL;
        return -1;
    }
    if (copy_span(host, hostlen, host_start, (size_t)(host_end - host_start)) == -1)
        return -1;
    return copy_span(port, portlen, colon + 1, strlen(colon + 1));
}

int sockaddr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[INET6_ADDRSTRLEN], port_text[8];
    uint16_t port;

    if (split_hostport(text, host, sizeof host, port_text, sizeof port_text) == -1 ||
        parse_port(port_text, &port) == -1) {
        errno = EINVAL;
        return -1;
    }
    memset(ss, 0, sizeof *ss);
    if (text[0] != '[') {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;

        if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
            errno = EINVAL;
            return -1;
        }
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        *len = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
            errno = EINVAL;
            return -1;
        }
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        *len = sizeof *sin6;
    }
    return 0;
}
