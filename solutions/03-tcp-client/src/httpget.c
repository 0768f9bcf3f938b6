/* httpget.c: download the body of an http:// URL to stdout, byte for byte, and say clearly what
 * went wrong when the network or the server does not cooperate (Lab 03 reference solution).
 *
 *   usage: httpget [-t SECONDS] URL        URL: http://HOST[:PORT][/PATH]
 *   exit status: 0 done, 1 I/O error, 2 usage, 3 cannot resolve, 4 cannot connect, 5 timed out,
 *                6 protocol error, 7 HTTP error (a status other than 2xx) */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http.h"
#include "net.h"
#include "reader.h"

#define URL_MAX 2048
#define DEFAULT_TIMEOUT_MS 10000

enum exit_status {
    EXIT_IO = 1, /* sending, receiving or writing the output failed */
    EXIT_USAGE = 2,
    EXIT_RESOLVE = 3,
    EXIT_CONNECT = 4,
    EXIT_TIMEOUT = 5,
    EXIT_PROTOCOL = 6,
    EXIT_HTTP = 7,
};

struct url {
    char host[256]; /* without the brackets of an IPv6 address */
    char port[6];   /* decimal, "80" when the URL gives none */
    char path[URL_MAX];
};

static void usage(void)
{
    fprintf(stderr, "usage: httpget [-t SECONDS] URL\n");
}

/* Parse SECONDS: a number above 0 and at most 3600; decimals are allowed ("0.5").
 * Returns 0 and sets *ms (at least 1), or -1. */
static int parse_timeout(const char *text, int *ms)
{
    char *end;
    double seconds;

    errno = 0;
    seconds = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !(seconds > 0) || seconds > 3600)
        return -1;
    *ms = (int)(seconds * 1000 + 0.5);
    if (*ms < 1)
        *ms = 1;
    return 0;
}

/* Parse "http://HOST[:PORT][/PATH]": HOST is a name, an IPv4 address or an IPv6 address in
 * brackets; PORT is 1 to 65535 (80 if absent); PATH is "/" if absent, and loses any "#fragment".
 * Returns 0, or -1 with *why saying what is wrong. */
static int parse_url(const char *text, struct url *u, const char **why)
{
    const char *host, *host_end, *rest, *port = NULL;
    unsigned long number = 80;
    size_t host_len;

    if (strlen(text) >= URL_MAX) {
        *why = "the URL is too long";
        return -1;
    }
    for (const char *p = text; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) { /* they would break the request line */
            *why = "a URL may not contain spaces or control characters";
            return -1;
        }
    }
    if (strncasecmp(text, "http://", 7) != 0) {
        *why = "only http:// URLs are supported";
        return -1;
    }
    host = text + 7;
    rest = host + strcspn(host, "/?#");
    if (memchr(host, '@', (size_t)(rest - host)) != NULL) {
        *why = "user names in URLs are not supported";
        return -1;
    }
    if (*host == '[') {
        host++;
        host_end = memchr(host, ']', (size_t)(rest - host));
        if (host_end == NULL || (host_end + 1 != rest && host_end[1] != ':')) {
            *why = "an IPv6 address goes in brackets: http://[::1]:8080/";
            return -1;
        }
        if (host_end + 1 != rest)
            port = host_end + 2;
    } else {
        host_end = memchr(host, ':', (size_t)(rest - host));
        if (host_end == NULL)
            host_end = rest;
        else
            port = host_end + 1;
    }
    host_len = (size_t)(host_end - host);
    if (host_len == 0 || host_len >= sizeof u->host) {
        *why = "the host name is empty or too long";
        return -1;
    }
    if (port != NULL) {
        number = 0;
        for (const char *p = port; p < rest && number <= 65535; p++)
            number = *p >= '0' && *p <= '9' ? number * 10 + (unsigned long)(*p - '0') : 65536;
        if (number == 0 || number > 65535) { /* also an empty port: "http://host:/" */
            *why = "the port is a number from 1 to 65535";
            return -1;
        }
    }
    memcpy(u->host, host, host_len);
    u->host[host_len] = '\0';
    snprintf(u->port, sizeof u->port, "%lu", number);
    snprintf(u->path, sizeof u->path, "%s%.*s", *rest == '/' ? "" : "/", (int)strcspn(rest, "#"),
             rest);
    return 0;
}

/* Say what went wrong with the response, if anything (rc from http_read_head or http_copy_body),
 * and return the exit status for it. */
static int report(const struct url *u, int rc, const struct http_response *resp)
{
    int timed_out = errno == ETIMEDOUT;

    switch (rc) {
    case HTTP_OK:
        return EXIT_SUCCESS;
    case HTTP_ERR_PROTOCOL:
        fprintf(stderr, "httpget: %s port %s: protocol error: %s\n", u->host, u->port, resp->why);
        return EXIT_PROTOCOL;
    case HTTP_ERR_WRITE:
        fprintf(stderr, "httpget: write error: %s\n", strerror(errno));
        return EXIT_IO;
    default:
        fprintf(stderr, "httpget: reading from %s port %s: %s\n", u->host, u->port,
                strerror(errno));
        return timed_out ? EXIT_TIMEOUT : EXIT_IO;
    }
}

/* GET the URL and copy the body of a 2xx response to stdout; every failure is reported on
 * stderr in one line. Returns the exit status. */
static int fetch(const struct url *u, int timeout_ms)
{
    char request[URL_MAX + 512];
    struct reader reader;
    struct http_response resp;
    int fd, gai_err, len, rc, status = EXIT_IO;

    len = http_build_request(request, sizeof request, u->host, u->port, u->path);
    if (len == -1) {
        fprintf(stderr, "httpget: cannot build the request: %s\n", strerror(errno));
        return EXIT_IO;
    }
    fd = connect_any(u->host, u->port, timeout_ms, &gai_err);
    if (fd == -1 && gai_err != 0) {
        fprintf(stderr, "httpget: %s: %s\n", u->host,
                gai_err == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai_err));
        return EXIT_RESOLVE;
    }
    if (fd == -1) {
        int timed_out = errno == ETIMEDOUT;

        fprintf(stderr, "httpget: connect to %s port %s: %s\n", u->host, u->port, strerror(errno));
        return timed_out ? EXIT_TIMEOUT : EXIT_CONNECT;
    }
    if (send_all(fd, request, (size_t)len) == -1) {
        fprintf(stderr, "httpget: sending to %s port %s: %s\n", u->host, u->port, strerror(errno));
        goto out;
    }
    reader_init(&reader, fd, timeout_ms);
    rc = http_read_head(&reader, &resp);
    if (rc == HTTP_OK && (resp.status < 200 || resp.status > 299)) {
        fprintf(stderr, "httpget: %s port %s: HTTP %d%s%s\n", u->host, u->port, resp.status,
                resp.reason[0] != '\0' ? " " : "", resp.reason);
        status = EXIT_HTTP;
        goto out;
    }
    if (rc == HTTP_OK)
        rc = http_copy_body(&reader, &resp, stdout);
    if (rc == HTTP_OK && fflush(stdout) == EOF)
        rc = HTTP_ERR_WRITE;
    status = report(u, rc, &resp);
out:
    close(fd);
    return status;
}

int main(int argc, char *argv[])
{
    struct url url;
    const char *why;
    int timeout_ms = DEFAULT_TIMEOUT_MS, opt;

    while ((opt = getopt(argc, argv, "t:")) != -1) {
        if (opt != 't' || parse_timeout(optarg, &timeout_ms) == -1) {
            if (opt == 't')
                fprintf(stderr, "httpget: -t takes a number of seconds above 0, at most 3600\n");
            usage();
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage();
        return EXIT_USAGE;
    }
    if (parse_url(argv[optind], &url, &why) == -1) {
        fprintf(stderr, "httpget: bad URL: %s\n", why);
        usage();
        return EXIT_USAGE;
    }
    return fetch(&url, timeout_ms);
}
