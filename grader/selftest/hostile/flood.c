/* Writes a gigabyte to stdout and another to stderr. */
#include <sys/prctl.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    static char buf[1 << 16];

    memset(buf, 'A', sizeof buf);
    for (int i = 0; i < (1 << 14); i++) {
        fwrite(buf, 1, sizeof buf, stdout);
        fwrite(buf, 1, sizeof buf, stderr);
    }
    return 0;
}
