/* test_stats.c: Check unit tests for stats.c (nearest-rank percentiles, summaries, elapsed time).
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "netlab_check.h"
#include "stats.h"

/* Two doubles are equal to within a millionth. */
#define EXPECT_NEAR(did, got, want)                                                                \
    ck_assert_msg(fabs((double)(got) - (double)(want)) < 1e-6,                                     \
                  "did:      %s\nexpected: %.6f\ngot:      %.6f", (did), (double)(want),           \
                  (double)(got))

START_TEST(percentile_nearest_rank)
{
    static const double ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const struct {
        double p, want;
    } cases[] = {{50, 5}, {10, 1}, {11, 2}, {90, 9}, {99, 10}, {100, 10}, {25, 3}, {0.5, 1}};
    char did[96];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double got = -1;

        snprintf(did, sizeof did, "percentile(1, 2, ..., 10; p = %g)", cases[i].p);
        EXPECT_OK(did, percentile(ten, 10, cases[i].p, &got));
        EXPECT_NEAR(did, got, cases[i].want);
    }
}
END_TEST

START_TEST(percentile_of_a_hundred)
{
    double v[100], got = -1;

    for (int i = 0; i < 100; i++)
        v[i] = (i + 1) * 0.5; /* 0.5, 1.0, ..., 50.0 */
    EXPECT_OK("percentile(0.5, 1.0, ..., 50.0; p = 99)", percentile(v, 100, 99, &got));
    EXPECT_NEAR("percentile(0.5, 1.0, ..., 50.0; p = 99): the 99th value", got, 49.5);
    EXPECT_OK("percentile(0.5, 1.0, ..., 50.0; p = 50)", percentile(v, 100, 50, &got));
    EXPECT_NEAR("percentile(0.5, 1.0, ..., 50.0; p = 50): the 50th value", got, 25.0);
    EXPECT_OK("percentile(one value 3.25; p = 99)",
              percentile((const double[]){3.25}, 1, 99, &got));
    EXPECT_NEAR("percentile(one value 3.25; p = 99)", got, 3.25);
}
END_TEST

START_TEST(percentile_invalid)
{
    static const double v[] = {1, 2, 3};
    double got = 42;

    errno = 0;
    EXPECT_ERR("percentile of no values", percentile(v, 0, 50, &got), EINVAL);
    errno = 0;
    EXPECT_ERR("percentile(p = 0)", percentile(v, 3, 0, &got), EINVAL);
    errno = 0;
    EXPECT_ERR("percentile(p = 100.5)", percentile(v, 3, 100.5, &got), EINVAL);
    errno = 0;
    EXPECT_ERR("percentile(p = -50)", percentile(v, 3, -50, &got), EINVAL);
    EXPECT_NEAR("the result after percentile failed (must be unchanged)", got, 42);
}
END_TEST

START_TEST(summarize_golden)
{
    double v[] = {5.5, 1.25, 4, 2, 3, 100};
    struct summary s;

    EXPECT_OK("summarize(5.5, 1.25, 4, 2, 3, 100)", summarize(v, 6, &s));
    EXPECT_UINT("count", s.count, 6);
    EXPECT_NEAR("min of 5.5, 1.25, 4, 2, 3, 100", s.min, 1.25);
    EXPECT_NEAR("max of 5.5, 1.25, 4, 2, 3, 100", s.max, 100);
    EXPECT_NEAR("p50 of 5.5, 1.25, 4, 2, 3, 100 (the 3rd smallest)", s.p50, 3);
    EXPECT_NEAR("p99 of 5.5, 1.25, 4, 2, 3, 100 (the 6th smallest)", s.p99, 100);
    EXPECT_NEAR("mean of 5.5, 1.25, 4, 2, 3, 100", s.mean, 115.75 / 6);
    EXPECT_NEAR("the first value after summarize (sorted in place)", v[0], 1.25);
    EXPECT_NEAR("the last value after summarize (sorted in place)", v[5], 100);
    errno = 0;
    EXPECT_ERR("summarize of no values", summarize(v, 0, &s), EINVAL);
}
END_TEST

START_TEST(sort_samples_order)
{
    double v[1000];

    for (int i = 0; i < 1000; i++)
        v[i] = (999 - i) * 0.001 - 0.25; /* descending, negatives too, differences below 1 */
    sort_samples(v, 1000);
    for (int i = 1; i < 1000; i++)
        ck_assert_msg(v[i - 1] <= v[i],
                      "did:      sort_samples of 1000 values 0.749, 0.748, ..., -0.25\n"
                      "expected: ascending order\ngot:      %.3f before %.3f at position %d",
                      v[i - 1], v[i], i);
    EXPECT_NEAR("the smallest value after sort_samples", v[0], -0.25);
}
END_TEST

START_TEST(elapsed_ms_golden)
{
    struct timespec a = {.tv_sec = 1, .tv_nsec = 900000000},
                    b = {.tv_sec = 2, .tv_nsec = 100000000};
    struct timespec c = {.tv_sec = 2, .tv_nsec = 100001500};

    EXPECT_NEAR("elapsed_ms(1.9 s, 2.1 s)", elapsed_ms(&a, &b), 200.0);
    EXPECT_NEAR("elapsed_ms(2.1 s, 1.9 s)", elapsed_ms(&b, &a), -200.0);
    EXPECT_NEAR("elapsed_ms(2.1 s, 2.1 s + 1500 ns)", elapsed_ms(&b, &c), 0.0015);
}
END_TEST

Suite *stats_suite(void);

Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *pct = tcase_create("percentile");
    TCase *summary = tcase_create("summary");

    tcase_add_test(pct, percentile_nearest_rank);
    tcase_add_test(pct, percentile_of_a_hundred);
    tcase_add_test(pct, percentile_invalid);
    tcase_add_test(summary, summarize_golden);
    tcase_add_test(summary, sort_samples_order);
    tcase_add_test(summary, elapsed_ms_golden);
    suite_add_tcase(s, pct);
    suite_add_tcase(s, summary);
    return s;
}
