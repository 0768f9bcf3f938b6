/* Spins forever. */
#include <sys/prctl.h>

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    for (;;) {
    }
}
