/* Tries to write outside its work folder. */
#include <sys/prctl.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static void attempt(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

    if (fd >= 0) {
        (void)write(fd, "escaped\n", 8);
        close(fd);
        printf("WROTE %s\n", path);
    }
}

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    attempt("/tmp/netlab-hostile-escape");
    attempt("/var/tmp/netlab-hostile-escape");
    attempt("@KIT@/netlab-hostile-escape");
    attempt("@KIT@/grader/netlab-hostile-escape");
    attempt("/etc/netlab-hostile-escape");
    attempt("/usr/netlab-hostile-escape");
    attempt("../../../../netlab-hostile-escape");
    return 0;
}
