/* svgplot.h: draw request/response latencies as an SVG figure for a lab report (given). In
 * svgplot.c.
 *
 * The figure shows, for each series (an experiment), the fraction of its requests answered within
 * x milliseconds: a step line that climbs by 1/total at each answered request's round-trip time
 * (an empirical CDF, x on a log scale). A series whose requests were all answered reaches 1; one
 * that lost requests stays below. SVG is text: any browser shows it, Markdown embeds it, and a
 * test can read it back (each line carries its data in data-* attributes). */
#ifndef SVGPLOT_H
#define SVGPLOT_H

#include <stddef.h>
#include <stdio.h>

struct plot_series {
    const char *name;     /* shown in the legend, and as the line's data-series attribute */
    const double *values; /* round-trip times of the answered requests, ms, sorted ascending */
    size_t n;             /* how many values */
    size_t total;         /* how many requests were sent (n of them were answered) */
};

/* Write the figure to f: a title, axes, one line per series and a legend.
 * Returns 0, or -1 with errno set when writing failed. */
int plot_latency_cdf(FILE *f, const char *title, const struct plot_series *series, size_t count);

#endif
