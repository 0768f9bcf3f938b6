/* netlab_check.h: assertions for the labs' Check unit tests that explain a failure to a student:
 * what the test did, what it expected, and what it got (the grader shows these three lines). */
#ifndef NETLAB_CHECK_H
#define NETLAB_CHECK_H

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Each lab's tests define this NULL-terminated list of suite constructors. */
extern Suite *(*const unit_suites[])(void);

/* The call returned 0. */
#define EXPECT_OK(did, rc)                                                                         \
    ck_assert_msg((rc) == 0,                                                                       \
                  "did:      %s\nexpected: return value 0\ngot:      %d (errno %d: %s)", (did),    \
                  (int)(rc), errno, strerror(errno))

/* The call returned -1 and set errno to want. */
#define EXPECT_ERR(did, rc, want)                                                                  \
    ck_assert_msg((rc) == -1 && errno == (want),                                                   \
                  "did:      %s\nexpected: return value -1 with errno %s\n"                        \
                  "got:      %d with errno %d (%s)",                                               \
                  (did), #want, (int)(rc), errno, strerror(errno))

/* Two NUL-terminated strings are equal. */
#define EXPECT_STR(did, got, want)                                                                 \
    ck_assert_msg(strcmp((got), (want)) == 0, "did:      %s\nexpected: \"%s\"\ngot:      \"%s\"",  \
                  (did), (want), (got))

/* Two unsigned integers are equal (printed in decimal and hex). */
#define EXPECT_UINT(did, got, want)                                                                \
    ck_assert_msg((uintmax_t)(got) == (uintmax_t)(want),                                           \
                  "did:      %s\nexpected: %ju (0x%jx)\ngot:      %ju (0x%jx)", (did),             \
                  (uintmax_t)(want), (uintmax_t)(want), (uintmax_t)(got), (uintmax_t)(got))

/* n bytes are equal; both are printed in hex. */
#define EXPECT_BYTES(did, got, want, n)                                                            \
    do {                                                                                           \
        char got_hex_[3 * 64 + 1], want_hex_[3 * 64 + 1];                                          \
        netlab_hex(got_hex_, (const uint8_t *)(got), (n));                                         \
        netlab_hex(want_hex_, (const uint8_t *)(want), (n));                                       \
        ck_assert_msg(memcmp((got), (want), (n)) == 0, "did:      %s\nexpected: %s\ngot:      %s", \
                      (did), want_hex_, got_hex_);                                                 \
    } while (0)

/* Hex dump of up to 64 bytes into out (3 * 64 + 1 bytes). */
static inline void netlab_hex(char *out, const uint8_t *p, size_t n)
{
    size_t i;

    if (n > 64)
        n = 64;
    out[0] = '\0';
    for (i = 0; i < n; i++)
        snprintf(out + 3 * i, 4, "%02x%s", p[i], i + 1 < n ? " " : "");
}

#endif
