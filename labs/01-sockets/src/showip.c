/* showip.c: print every address that getaddrinfo() finds for each host (Lab 01).
 *
 *   usage: showip [-4|-6] HOST...
 *   prints one line "HOST IPv4 ADDRESS" or "HOST IPv6 ADDRESS" per address, in getaddrinfo's order
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"

static void usage(void)
{
    fprintf(stderr, "usage: showip [-4|-6] HOST...\n");
}

/* Print one line per address of host, restricted to family (AF_UNSPEC for both).
 * Returns 0, or a getaddrinfo error code (EAI_SYSTEM with errno set if an address cannot be shown).
 */
static int show_host(const char *host, int family)
{
    /* TODO(lab 01): getaddrinfo() with hints for family and SOCK_STREAM; for every result in the
     * list, format_address() and print "HOST IPv4 ADDR" or "HOST IPv6 ADDR"; freeaddrinfo(). */
    (void)host;
    (void)family;
    errno = ENOSYS;
    return EAI_SYSTEM;
}

int main(int argc, char *argv[])
{
    int family = AF_UNSPEC, status = EXIT_SUCCESS, opt, err;

    while ((opt = getopt(argc, argv, "46")) != -1) {
        switch (opt) {
        case '4':
            family = AF_INET;
            break;
        case '6':
            family = AF_INET6;
            break;
        default:
            usage();
            return 2;
        }
    }
    if (optind == argc) {
        usage();
        return 2;
    }
    for (int i = optind; i < argc; i++) {
        err = show_host(argv[i], family);
        if (err != 0) {
            /* TODO(lab 01): say why: gai_strerror(err), or strerror(errno) when err is EAI_SYSTEM.
             * (perror() does not know getaddrinfo's error codes.) */
            fflush(stdout);
            fprintf(stderr, "showip: %s: not implemented\n", argv[i]);
            status = EXIT_FAILURE;
        }
    }
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "showip: write error: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    return status;
}
