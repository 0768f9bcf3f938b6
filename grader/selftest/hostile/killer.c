/* Tries to kill its parent, init, its process group and every process it can. */
#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    kill(getppid(), SIGKILL);
    kill(1, SIGKILL);
    kill(0, SIGTERM);
    kill(-1, SIGKILL);
    return 0;
}
