/* kvstore.h: a small, bounded key-value store in memory (Lab 05). Given: read it, do not change it.
 *
 * Keys are NUL-terminated strings of at most KV_MAX_KEY bytes; values are byte strings of at most
 * KV_MAX_VALUE bytes (no NUL inside, since they come from text lines). The store holds at most the
 * number of keys given to kvstore_new(), so its memory is bounded too. */
#ifndef KVSTORE_H
#define KVSTORE_H

#include <stddef.h>

#define KV_MAX_KEY 64
#define KV_MAX_VALUE 1000

struct kvstore;

/* A new, empty store for at most max_keys keys. Returns NULL (errno ENOMEM) when out of memory. */
struct kvstore *kvstore_new(size_t max_keys);

/* Free the store and everything in it. NULL is allowed. */
void kvstore_free(struct kvstore *store);

/* The value of key and its length in *len, or NULL when the key is not there. The pointer is
 * valid until the next change to the store. */
const char *kvstore_get(const struct kvstore *store, const char *key, size_t *len);

/* Set key to the len bytes at value (replacing any old value).
 * Returns 0, or -1 with errno EFBIG (len > KV_MAX_VALUE), ENOSPC (a new key and the store is
 * full) or ENOMEM. On error the store is unchanged. */
int kvstore_set(struct kvstore *store, const char *key, const char *value, size_t len);

/* Append the len bytes at value to key's value (a missing key starts empty).
 * Returns the new length, or -1 with errno as kvstore_set (EFBIG: the result would be too long). */
long kvstore_append(struct kvstore *store, const char *key, const char *value, size_t len);

/* Remove key. Returns 0, or -1 with errno ENOENT when it is not there. */
int kvstore_del(struct kvstore *store, const char *key);

/* How many keys the store holds. */
size_t kvstore_count(const struct kvstore *store);

#endif
