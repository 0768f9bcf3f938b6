/* At run time, tries to rewrite the tests, the Makefile, the binaries and the results. Its cwd is
 * WORK/logs/plain/TEST/, so WORK is ../../.. */
#include <sys/prctl.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void attempt(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

    if (fd >= 0) {
        (void)write(fd, "pwned\n", 6);
        close(fd);
        printf("TAMPERED %s\n", path);
    }
}

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    attempt("../../../lab/Makefile");
    attempt("../../../lab/tests/test_showip.py");
    attempt("../../../lab/tests/hidden/test_hidden_01.py");
    attempt("../../../lab/build/showip");
    attempt("../../../lab/build/unit_tests");
    attempt("../../../lab/new-file");
    attempt("../../../results/raw.json");
    attempt("../../../results/pytest-plain.json");
    attempt("../../../kit/grader/mk/lab.mk");
    return 0;
}
