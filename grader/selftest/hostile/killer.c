/* Tries to kill its parent, init, its process group and every process it can. */
#include <signal.h>
#include <unistd.h>

int main(void)
{
    kill(getppid(), SIGKILL);
    kill(1, SIGKILL);
    kill(0, SIGTERM);
    kill(-1, SIGKILL);
    return 0;
}
