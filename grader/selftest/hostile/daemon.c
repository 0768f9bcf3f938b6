/* Leaves a daemon behind: double fork, new session, then sleeps for an hour. */
#include <sys/prctl.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    if (fork() == 0) {
        setsid();
        if (fork() == 0) {
            close(0);
            close(1);
            close(2);
            sleep(3600);
        }
        _exit(0);
    }
    return 0;
}
