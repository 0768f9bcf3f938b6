/* Binds two thousand loopback ports, then leaves a child holding them. */
#include <sys/prctl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    for (int port = 20000; port < 22000; port++) {
        struct sockaddr_in sin;
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        sin.sin_port = htons((unsigned short)port);
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0)
            listen(fd, 1);
    }
    if (fork() == 0) {
        setsid();
        for (;;)
            pause();
    }
    return 0;
}
