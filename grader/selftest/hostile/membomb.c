/* Allocates and touches memory until it cannot. */
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    for (;;) {
        char *p = malloc(64 << 20);

        if (p == NULL)
            abort();
        memset(p, 1, 64 << 20);
    }
}
