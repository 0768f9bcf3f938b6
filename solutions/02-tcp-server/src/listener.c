/* listener.c: open the server's listening socket (Lab 02 reference). The contract is in
 * listener.h. */
#define _POSIX_C_SOURCE 200809L

#include "listener.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

/* A socket for ai, with SO_REUSEADDR (and IPV6_V6ONLY off for IPv6), bound and listening.
 * Returns it, or -1 with errno set and nothing left open. */
static int listen_on(const struct addrinfo *ai)
{
    int fd, on = 1, off = 0, saved;

    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd == -1)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1)
        goto fail;
    if (ai->ai_family == AF_INET6 &&
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == -1)
        goto fail;
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 || listen(fd, SOMAXCONN) == -1)
        goto fail;
    return fd;
fail:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

/* The first address of family in res that accepts listen_on(); -1 with errno if none does. */
static int listen_on_family(const struct addrinfo *res, int family)
{
    int saved = EADDRNOTAVAIL;

    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd;

        if (ai->ai_family != family)
            continue;
        fd = listen_on(ai);
        if (fd != -1)
            return fd;
        saved = errno;
    }
    errno = saved;
    return -1;
}

int open_listener(const char *port, struct sockaddr_storage *bound, socklen_t *len)
{
    struct addrinfo hints, *res;
    int fd, err, saved;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    err = getaddrinfo(NULL, port, &hints, &res);
    if (err != 0) {
        if (err != EAI_SYSTEM)
            errno = EADDRNOTAVAIL;
        return -1;
    }
    /* getaddrinfo lists 0.0.0.0 before :: here: pick IPv6 first, since a dual-stack socket
     * serves both families. */
    fd = listen_on_family(res, AF_INET6);
    if (fd == -1 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
        fd = listen_on_family(res, AF_INET); /* a system without IPv6 */
    saved = errno;
    freeaddrinfo(res);
    if (fd == -1) {
        errno = saved;
        return -1;
    }
    *len = sizeof *bound;
    if (getsockname(fd, (struct sockaddr *)bound, len) == -1) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
