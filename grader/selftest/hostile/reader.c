/* Tries to read the reference solution, the hidden tests and the system's secrets. */
#include <sys/prctl.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static void attempt(const char *path)
{
    char buf[120];
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return;
    n = read(fd, buf, sizeof buf);
    if (n > 0)
        printf("READ %s: %.*s\n", path, (int)n, buf);
    close(fd);
}

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    attempt("@KIT@/solutions/01-sockets/src/showip.c");
    attempt("@KIT@/grader/hidden/01-sockets/test_hidden_01.py");
    attempt("@KIT@/grader/mutants/01-sockets/ipv4-only.patch");
    attempt("../../../lab/tests/hidden/test_hidden_01.py");
    attempt("/etc/shadow");
    return 0;
}
