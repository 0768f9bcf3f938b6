/* clock.h: deadlines on the monotonic clock, for waits with a timeout (given). In clock.c.
 *
 * CLOCK_MONOTONIC never jumps (the wall clock may, when the system's time is set), so it is the
 * clock to measure intervals and to compute deadlines with. */
#ifndef CLOCK_H
#define CLOCK_H

#include <time.h>

/* The time ms milliseconds from now. */
struct timespec deadline_after(int ms);

/* Milliseconds left until deadline, rounded up (so that a wait of that long never ends just
 * before it); 0 once it has passed. */
int ms_until(const struct timespec *deadline);

#endif
