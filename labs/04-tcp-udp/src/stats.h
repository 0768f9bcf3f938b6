/* stats.h: summaries of measured times (Lab 04): percentiles by nearest rank, elapsed time.
 * Implemented in stats.c. */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>
#include <time.h>

/* Sort n values in ascending order. */
void sort_samples(double *v, size_t n);

/* The p-th percentile (0 < p <= 100) of n values sorted ascending, by nearest rank: the value at
 * rank ceil(p * n / 100), ranks counted from 1. Returns 0 and stores it in *out, or -1 with errno
 * EINVAL (n is 0, or p is out of range). */
int percentile(const double *sorted, size_t n, double p, double *out);

struct summary {
    size_t count;
    double min, p50, p99, max, mean;
};

/* Sort the n values in place and summarize them. Returns 0, or -1 with errno EINVAL if n is 0. */
int summarize(double *values, size_t n, struct summary *s);

/* Milliseconds from *start to *end (CLOCK_MONOTONIC times; negative if end is earlier). */
double elapsed_ms(const struct timespec *start, const struct timespec *end);

#endif
