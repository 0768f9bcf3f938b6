/* kvstore.c: a small, bounded key-value store in memory (Lab 05). Given: read it, do not change it.
 *
 * A plain array of entries searched from the start: at most a thousand keys, so simple beats
 * clever here. Every value is its own allocation, sized to fit. */
#define _POSIX_C_SOURCE 200809L

#include "kvstore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    char key[KV_MAX_KEY + 1];
    char *value;
    size_t len;
};

struct kvstore {
    struct entry *entries;
    size_t count, max;
};

struct kvstore *kvstore_new(size_t max_keys)
{
    struct kvstore *store = calloc(1, sizeof *store);

    if (store == NULL)
        return NULL;
    store->entries = calloc(max_keys > 0 ? max_keys : 1, sizeof *store->entries);
    if (store->entries == NULL) {
        free(store);
        errno = ENOMEM;
        return NULL;
    }
    store->max = max_keys;
    return store;
}

void kvstore_free(struct kvstore *store)
{
    if (store == NULL)
        return;
    for (size_t i = 0; i < store->count; i++)
        free(store->entries[i].value);
    free(store->entries);
    free(store);
}

static struct entry *find(const struct kvstore *store, const char *key)
{
    for (size_t i = 0; i < store->count; i++)
        if (strcmp(store->entries[i].key, key) == 0)
            return &store->entries[i];
    return NULL;
}

const char *kvstore_get(const struct kvstore *store, const char *key, size_t *len)
{
    const struct entry *e = find(store, key);

    if (e == NULL)
        return NULL;
    *len = e->len;
    return e->value;
}

/* The entry for key, created (empty) if it is missing; NULL with errno ENOSPC when full. */
static struct entry *find_or_add(struct kvstore *store, const char *key)
{
    struct entry *e = find(store, key);

    if (e != NULL)
        return e;
    if (store->count == store->max || strlen(key) > KV_MAX_KEY) {
        errno = ENOSPC;
        return NULL;
    }
    e = &store->entries[store->count];
    strcpy(e->key, key);
    e->value = NULL;
    e->len = 0;
    return e;
}

/* Store prefix (keep bytes of the old value) followed by len bytes of value in e. */
static int put(struct kvstore *store, struct entry *e, size_t keep, const char *value, size_t len)
{
    char *copy;

    if (keep + len > KV_MAX_VALUE) {
        errno = EFBIG;
        return -1;
    }
    copy = malloc(keep + len + 1); /* + 1: never malloc(0) */
    if (copy == NULL)
        return -1;
    if (keep > 0)
        memcpy(copy, e->value, keep);
    memcpy(copy + keep, value, len);
    free(e->value);
    e->value = copy;
    e->len = keep + len;
    if (e == &store->entries[store->count])
        store->count++; /* a new key becomes part of the store only once it has its value */
    return 0;
}

int kvstore_set(struct kvstore *store, const char *key, const char *value, size_t len)
{
    struct entry *e = find_or_add(store, key);

    if (e == NULL)
        return -1;
    return put(store, e, 0, value, len);
}

long kvstore_append(struct kvstore *store, const char *key, const char *value, size_t len)
{
    struct entry *e = find_or_add(store, key);

    if (e == NULL || put(store, e, e->len, value, len) == -1)
        return -1;
    return (long)e->len;
}

int kvstore_del(struct kvstore *store, const char *key)
{
    struct entry *e = find(store, key);

    if (e == NULL) {
        errno = ENOENT;
        return -1;
    }
    free(e->value);
    *e = store->entries[--store->count]; /* the last entry fills the hole */
    return 0;
}

size_t kvstore_count(const struct kvstore *store)
{
    return store->count;
}
