/* request.c: the kvserver protocol, one request line in, one reply line out (Lab 05). Given: read
 * it, do not change it. */
#define _POSIX_C_SOURCE 200809L

#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A request split into its command, key and value (the rest of the line, spaces included). */
struct parsed {
    char command[8];
    char key[KV_MAX_KEY + 1];
    const char *value;
    size_t value_len;
    int words; /* 1: command only, 2: and a key, 3: and a value */
};

static int key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
}

/* The length of the word at p (up to a space or end), or 0 when it is not a valid key/command. */
static size_t word_length(const char *p, size_t len, size_t max)
{
    size_t n = 0;

    while (n < len && p[n] != ' ') {
        if (!key_char(p[n]) || n == max)
            return 0;
        n++;
    }
    return n;
}

/* Split line into words. Returns 0, or -1 when it is malformed. */
static int parse(const char *line, size_t len, struct parsed *req)
{
    size_t n = word_length(line, len, sizeof req->command - 1), k;

    memset(req, 0, sizeof *req);
    if (n == 0)
        return -1;
    memcpy(req->command, line, n);
    req->words = 1;
    if (n == len)
        return 0;
    line += n + 1; /* skip the space */
    len -= n + 1;
    k = word_length(line, len, KV_MAX_KEY);
    if (k == 0)
        return -1;
    memcpy(req->key, line, k);
    req->words = 2;
    if (k == len)
        return 0;
    req->value = line + k + 1;
    req->value_len = len - k - 1;
    if (req->value_len == 0 || memchr(req->value, '\0', req->value_len) != NULL)
        return -1;
    req->words = 3;
    return 0;
}

/* "ERR code\n" for errno values from the store. */
static size_t store_error(char *reply, int err)
{
    const char *code = err == EFBIG ? "too-large" : err == ENOSPC ? "full" : "out-of-memory";

    return (size_t)snprintf(reply, MAX_REPLY, "ERR %s\n", code);
}

static size_t text(char *reply, const char *line)
{
    return (size_t)snprintf(reply, MAX_REPLY, "%s\n", line);
}

size_t handle_request(struct kvstore *store, const char *line, size_t len, size_t clients,
                      char reply[MAX_REPLY], enum after_reply *after)
{
    struct parsed req;
    const char *value;
    size_t vlen;
    long n;

    *after = KEEP_OPEN;
    if (parse(line, len, &req) == -1)
        return text(reply, "ERR bad-request");
    if (strcmp(req.command, "PING") == 0 && req.words == 1)
        return text(reply, "OK PONG");
    if (strcmp(req.command, "QUIT") == 0 && req.words == 1) {
        *after = CLOSE;
        return text(reply, "OK bye");
    }
    if (strcmp(req.command, "STATS") == 0 && req.words == 1)
        return (size_t)snprintf(reply, MAX_REPLY, "OK clients=%zu keys=%zu\n", clients,
                                kvstore_count(store));
    if (strcmp(req.command, "GET") == 0 && req.words == 2) {
        value = kvstore_get(store, req.key, &vlen);
        if (value == NULL)
            return text(reply, "ERR not-found");
        memcpy(reply, "OK ", 3);
        memcpy(reply + 3, value, vlen);
        reply[3 + vlen] = '\n';
        return vlen + 4;
    }
    if (strcmp(req.command, "SET") == 0 && req.words == 3) {
        if (kvstore_set(store, req.key, req.value, req.value_len) == -1)
            return store_error(reply, errno);
        return text(reply, "OK");
    }
    if (strcmp(req.command, "APPEND") == 0 && req.words == 3) {
        n = kvstore_append(store, req.key, req.value, req.value_len);
        if (n == -1)
            return store_error(reply, errno);
        return (size_t)snprintf(reply, MAX_REPLY, "OK %ld\n", n);
    }
    if (strcmp(req.command, "DEL") == 0 && req.words == 2) {
        if (kvstore_del(store, req.key) == -1)
            return text(reply, "ERR not-found");
        return text(reply, "OK");
    }
    return text(reply, "ERR bad-request");
}
