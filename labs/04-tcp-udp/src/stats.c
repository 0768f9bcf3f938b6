/* stats.c: percentiles by nearest rank and elapsed time (Lab 04). The contracts are in stats.h. */
#define _POSIX_C_SOURCE 200809L

#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

void sort_samples(double *v, size_t n)
{
    /* TODO(lab 04): qsort() with a comparison function that returns -1, 0 or 1. (Returning
     * (int)(x - y) is wrong for doubles: 0.4 - 0.1 becomes 0.) */
    (void)v;
    (void)n;
}

int percentile(const double *sorted, size_t n, double p, double *out)
{
    /* TODO(lab 04): EINVAL for n == 0 or p outside (0, 100]; otherwise the value at rank
     * ceil(p * n / 100), counted from 1. Compute p * n before dividing: 0.99 * 100 need not be 99
     * in floating point. */
    (void)sorted;
    (void)n;
    (void)p;
    (void)out;
    errno = ENOSYS;
    return -1;
}

int summarize(double *values, size_t n, struct summary *s)
{
    /* TODO(lab 04): sort, then fill count, min, p50, p99, max and mean. */
    (void)values;
    (void)n;
    (void)s;
    errno = ENOSYS;
    return -1;
}

double elapsed_ms(const struct timespec *start, const struct timespec *end)
{
    /* TODO(lab 04): seconds and nanoseconds, both into milliseconds. */
    (void)start;
    (void)end;
    return 0.0;
}
