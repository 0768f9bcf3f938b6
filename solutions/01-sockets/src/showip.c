/* showip.c: print every address that getaddrinfo() finds for each host (Lab 01 reference).
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

static const char *family_name(int family)
{
    return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* The text of a getaddrinfo error; EAI_SYSTEM means the cause is in errno. */
static const char *resolve_error(int err)
{
    return err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err);
}

/* Print one line per address of host, restricted to family (AF_UNSPEC for both).
 * Returns 0, or a getaddrinfo error code (EAI_SYSTEM with errno set if an address cannot be shown).
 */
static int show_host(const char *host, int family)
{
    struct addrinfo hints, *res, *ai;
    char text[INET6_ADDRSTRLEN];
    int err;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM; /* one entry per address, not one per socket type */
    err = getaddrinfo(host, NULL, &hints, &res);
    if (err != 0)
        return err;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        if (format_address(ai->ai_addr, text, sizeof text) == -1) {
            err = EAI_SYSTEM;
            break;
        }
        printf("%s %s %s\n", host, family_name(ai->ai_family), text);
    }
    freeaddrinfo(res);
    return err;
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
            fflush(stdout); /* keep stdout and stderr in order when both go to one terminal */
            fprintf(stderr, "showip: %s: %s\n", argv[i], resolve_error(err));
            status = EXIT_FAILURE;
        }
    }
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "showip: write error: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    return status;
}
