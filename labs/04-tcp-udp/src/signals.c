/* signals.c: stop a server cleanly on SIGINT or SIGTERM, without a race (given). See signals.h. */
#define _POSIX_C_SOURCE 200809L

#include "signals.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/select.h>

volatile sig_atomic_t stop_requested = 0;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int catch_stop_signals(sigset_t *waiting_mask)
{
    struct sigaction sa;
    sigset_t stop_signals;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) == -1)
        return -1;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop_signals, waiting_mask) == -1)
        return -1;
    sigdelset(waiting_mask, SIGINT); /* let them through while waiting, even if blocked before */
    sigdelset(waiting_mask, SIGTERM);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: pselect() returns EINTR */
    if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
        return -1;
    return 0;
}

int wait_readable(int fd, const sigset_t *waiting_mask)
{
    fd_set readable;

    for (;;) {
        if (stop_requested)
            return 0;
        FD_ZERO(&readable);
        FD_SET(fd, &readable);
        if (pselect(fd + 1, &readable, NULL, NULL, NULL, waiting_mask) == -1) {
            if (errno == EINTR)
                continue; /* the loop checks stop_requested */
            return -1;
        }
        return 1;
    }
}
