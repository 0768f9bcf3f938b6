/* A fork bomb: every process forks as fast as it can, forever. */
#include <sys/prctl.h>
#include <unistd.h>

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    for (;;)
        fork();
}
