/* request.h: the kvserver protocol, one request line in, one reply line out (Lab 05). Given: read
 * it, do not change it. The protocol is in section 4.1 of the handout. */
#ifndef REQUEST_H
#define REQUEST_H

#include <stddef.h>

#include "kvstore.h"

#define MAX_KEYS 1000 /* the server's store holds at most this many keys */
/* The longest reply line, newline included: "OK " and the longest value and "\n". */
#define MAX_REPLY (KV_MAX_VALUE + 8)

/* What the server does after sending a reply. */
enum after_reply {
    KEEP_OPEN, /* read the next request */
    CLOSE      /* close the connection once the reply is sent (QUIT) */
};

/* Carry out one request on store. line holds len bytes, without the newline; it need not be
 * NUL-terminated and may contain any byte. clients is the number of connected clients (STATS).
 * Writes the reply line, newline included, into reply (MAX_REPLY bytes) and returns its length;
 * *after says whether to keep the connection open. Never fails: errors are reply lines. */
size_t handle_request(struct kvstore *store, const char *line, size_t len, size_t clients,
                      char reply[MAX_REPLY], enum after_reply *after);

#endif
