/* addr.c: print socket addresses and parse numbers (given; Lab 01's helpers). See addr.h. */
#define _POSIX_C_SOURCE 200809L

#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int format_address(const struct sockaddr *sa, char *buf, size_t len)
{
    char text[INET6_ADDRSTRLEN];
    const void *addr;
    size_t n;

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
    n = strlen(text);
    if (n >= len) {
        errno = ENOSPC;
        return -1;
    }
    memcpy(buf, text, n + 1);
    return 0;
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

int parse_number(const char *text, unsigned long min, unsigned long max, unsigned long *value)
{
    unsigned long v = 0;
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
        unsigned long digit = (unsigned long)(*p - '0');

        if (v > max / 10 || (v == max / 10 && digit > max % 10)) {
            errno = ERANGE;
            return -1;
        }
        v = v * 10 + digit;
    }
    if (v < min) {
        errno = ERANGE;
        return -1;
    }
    *value = v;
    return 0;
}

int parse_port(const char *text, uint16_t *port)
{
    unsigned long v;

    if (parse_number(text, 0, 65535, &v) == -1)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

int announce_listening(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char text[SOCKADDR_STRLEN];

    if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
        format_sockaddr((struct sockaddr *)&ss, text, sizeof text) == -1)
        return -1;
    fprintf(stderr, "listening on %s\n", text);
    return 0;
}
