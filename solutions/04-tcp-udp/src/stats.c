/* stats.c: percentiles by nearest rank and elapsed time (Lab 04 reference solution). The
 * contracts are in stats.h. */
#define _POSIX_C_SOURCE 200809L

#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y); /* not x - y: the difference of doubles is no int */
}

void sort_samples(double *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, compare_doubles);
}

int percentile(const double *sorted, size_t n, double p, double *out)
{
    double rank;

    if (n == 0 || !(p > 0.0 && p <= 100.0)) {
        errno = EINVAL;
        return -1;
    }
    /* p * n first (99 * 100 / 100 is exactly 99, 0.99 * 100 need not be), and a hair less, so
     * that a rounding error above a whole number does not move the rank up by one. */
    rank = ceil(p * (double)n / 100.0 - 1e-9);
    if (rank < 1.0)
        rank = 1.0;
    *out = sorted[(size_t)rank - 1];
    return 0;
}

int summarize(double *values, size_t n, struct summary *s)
{
    double sum = 0.0;

    if (n == 0) {
        errno = EINVAL;
        return -1;
    }
    sort_samples(values, n);
    for (size_t i = 0; i < n; i++)
        sum += values[i];
    s->count = n;
    s->min = values[0];
    s->max = values[n - 1];
    s->mean = sum / (double)n;
    percentile(values, n, 50.0, &s->p50);
    percentile(values, n, 99.0, &s->p99);
    return 0;
}

double elapsed_ms(const struct timespec *start, const struct timespec *end)
{
    return (double)(end->tv_sec - start->tv_sec) * 1e3 +
           (double)(end->tv_nsec - start->tv_nsec) / 1e6;
}
