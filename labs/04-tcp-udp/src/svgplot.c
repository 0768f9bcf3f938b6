/* svgplot.c: draw request/response latencies as an SVG figure (given). See svgplot.h. */
#define _POSIX_C_SOURCE 200809L

#include "svgplot.h"

#include <errno.h>
#include <math.h>

/* The figure's size and the plot area inside it, in SVG units (pixels). */
#define WIDTH 720.0
#define HEIGHT 470.0
#define LEFT 70.0
#define RIGHT 700.0
#define TOP 44.0
#define BOTTOM 360.0
#define SMALLEST_MS 0.001 /* values below this are drawn at it (the log scale has no zero) */

static const char *const colors[] = {"#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e"};

/* The decades the x axis spans: 10^lo to 10^hi milliseconds. */
struct axis {
    int lo, hi;
};

static double clamp_ms(double v)
{
    return v < SMALLEST_MS ? SMALLEST_MS : v;
}

static struct axis x_axis(const struct plot_series *series, size_t count)
{
    double min = INFINITY, max = -INFINITY;
    struct axis a = {-1, 2};

    for (size_t s = 0; s < count; s++) {
        if (series[s].n == 0)
            continue;
        min = fmin(min, clamp_ms(series[s].values[0]));
        max = fmax(max, clamp_ms(series[s].values[series[s].n - 1]));
    }
    if (min > max)
        return a; /* nothing answered: any axis will do */
    a.lo = (int)floor(log10(min));
    a.hi = (int)ceil(log10(max));
    if (a.hi <= a.lo)
        a.hi = a.lo + 1;
    return a;
}

static double x_of(struct axis a, double ms)
{
    return LEFT + (RIGHT - LEFT) * (log10(clamp_ms(ms)) - a.lo) / (a.hi - a.lo);
}

static double y_of(double fraction)
{
    return BOTTOM - (BOTTOM - TOP) * fraction;
}

/* Write text with the five characters XML reserves escaped. */
static void put_escaped(FILE *f, const char *text)
{
    for (; *text != '\0'; text++) {
        switch (*text) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            fputc(*text, f);
        }
    }
}

static void draw_axes(FILE *f, struct axis a)
{
    fprintf(f,
            "<g id=\"axes\" data-x-log10-min=\"%d\" data-x-log10-max=\"%d\" stroke-width=\"1\">\n",
            a.lo, a.hi);
    for (int k = a.lo; k <= a.hi; k++) {
        double x = x_of(a, pow(10, k));

        fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#bbbbbb\"/>\n",
                x, TOP, x, BOTTOM);
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%g</text>\n", x, BOTTOM + 18,
                pow(10, k));
        for (int m = 2; m <= 9 && k < a.hi; m++) {
            double xm = x_of(a, m * pow(10, k));

            fprintf(f,
                    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#eeeeee\"/>\n",
                    xm, TOP, xm, BOTTOM);
        }
    }
    for (int q = 0; q <= 4; q++) {
        double y = y_of(q / 4.0);

        fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#bbbbbb\"/>\n",
                LEFT, y, RIGHT, y);
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%.2f</text>\n", LEFT - 6, y + 4,
                q / 4.0);
    }
    fprintf(f,
            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
            "stroke=\"#333333\"/>\n",
            LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP);
    fprintf(f,
            "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">round-trip time, ms "
            "(log scale)</text>\n",
            (LEFT + RIGHT) / 2, BOTTOM + 40);
    fprintf(f,
            "<text transform=\"translate(18 %.2f) rotate(-90)\" text-anchor=\"middle\">"
            "fraction of requests answered</text>\n",
            (TOP + BOTTOM) / 2);
    fputs("</g>\n", f);
}

/* One series as a step line: up by 1/total at each value, then flat to the right edge. */
static void draw_series(FILE *f, struct axis a, const struct plot_series *s, const char *color)
{
    double total = s->total > 0 ? (double)s->total : 1.0;

    fputs("<polyline data-series=\"", f);
    put_escaped(f, s->name);
    fprintf(f, "\" data-total=\"%zu\" data-values=\"", s->total);
    for (size_t i = 0; i < s->n; i++)
        fprintf(f, "%s%.3f", i > 0 ? " " : "", s->values[i]);
    fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", color);
    fprintf(f, "%.2f,%.2f", s->n > 0 ? x_of(a, s->values[0]) : LEFT, y_of(0));
    for (size_t i = 0; i < s->n; i++) {
        double x = x_of(a, s->values[i]);

        fprintf(f, " %.2f,%.2f %.2f,%.2f", x, y_of(i / total), x, y_of((i + 1) / total));
    }
    fprintf(f, " %.2f,%.2f\"/>\n", RIGHT, y_of(s->n / total));
}

static void draw_legend(FILE *f, const struct plot_series *series, size_t count)
{
    fputs("<g id=\"legend\">\n", f);
    for (size_t s = 0; s < count; s++) {
        double x = 30 + 230.0 * (double)(s % 3), y = BOTTOM + 70 + 22.0 * (double)(s / 3);

        fprintf(f,
                "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                "stroke-width=\"3\"/>\n",
                x, y - 4, x + 24, y - 4, colors[s % (sizeof colors / sizeof colors[0])]);
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\">", x + 30, y);
        put_escaped(f, series[s].name);
        fprintf(f, ": %zu/%zu answered</text>\n", series[s].n, series[s].total);
    }
    fputs("</g>\n", f);
}

int plot_latency_cdf(FILE *f, const char *title, const struct plot_series *series, size_t count)
{
    struct axis a = x_axis(series, count);

    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"13\">\n",
            WIDTH, HEIGHT, WIDTH, HEIGHT);
    fputs("<title>", f);
    put_escaped(f, title);
    fputs("</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
    fprintf(f, "<text x=\"%.2f\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">", WIDTH / 2);
    put_escaped(f, title);
    fputs("</text>\n", f);
    draw_axes(f, a);
    fputs("<g id=\"series\">\n", f);
    for (size_t s = 0; s < count; s++)
        draw_series(f, a, &series[s], colors[s % (sizeof colors / sizeof colors[0])]);
    fputs("</g>\n", f);
    draw_legend(f, series, count);
    fputs("</svg>\n", f);
    if (ferror(f)) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}
