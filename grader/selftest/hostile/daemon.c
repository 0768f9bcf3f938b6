/* Leaves a daemon behind: double fork, new session, then sleeps for an hour. */
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
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
