/* listener.c: open the server's listening socket (Lab 02). The contract is in listener.h. */
#define _POSIX_C_SOURCE 200809L

#include "listener.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

int open_listener(const char *port, struct sockaddr_storage *bound, socklen_t *len)
{
    /* TODO(lab 02): getaddrinfo(NULL, port) with AF_UNSPEC, SOCK_STREAM, AI_PASSIVE and
     * AI_NUMERICSERV. It lists 0.0.0.0 before ::, so look for an AF_INET6 result first. For it:
     * socket(); setsockopt() SO_REUSEADDR on and IPV6_V6ONLY off; bind(); listen(fd, SOMAXCONN).
     * Close the socket if any step fails (keeping errno), and try IPv4 only if the system has
     * no IPv6. freeaddrinfo(). Then getsockname() into *bound. */
    (void)port;
    (void)bound;
    (void)len;
    errno = ENOSYS;
    return -1;
}
