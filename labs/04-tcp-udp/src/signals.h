/* signals.h: stop a server cleanly on SIGINT or SIGTERM, without a race (given). In signals.c.
 *
 * The two signals stay blocked while the server works, and are let through only while it waits in
 * pselect(): so a signal can never slip in between "is a stop requested?" and a blocking call. */
#ifndef SIGNALS_H
#define SIGNALS_H

#include <signal.h>

/* Set (to 1) by the handler when SIGINT or SIGTERM arrives. */
extern volatile sig_atomic_t stop_requested;

/* Block SIGINT and SIGTERM, saving the previous signal mask in *waiting_mask, and install a handler
 * that sets stop_requested. SIGPIPE is ignored (a write to a closed connection fails with EPIPE
 * instead of killing the server). Returns 0, or -1 with errno set. */
int catch_stop_signals(sigset_t *waiting_mask);

/* Wait until fd is readable or a stop is requested, with the signals let through only while
 * waiting. Returns 1 when fd is readable, 0 when a stop was requested, -1 with errno set. */
int wait_readable(int fd, const sigset_t *waiting_mask);

#endif
