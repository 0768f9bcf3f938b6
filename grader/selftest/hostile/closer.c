/* Closes stdin, stdout and stderr, then exits successfully. */
#include <unistd.h>

int main(void)
{
    close(0);
    close(1);
    close(2);
    return 0;
}
