/* Tries to reach an address outside loopback (192.0.2.1, a documentation address). */
#include <sys/prctl.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    prctl(PR_SET_NAME, "@NAME@", 0, 0, 0); /* found by the test if left running */
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(80);
    inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0)
        printf("CONNECTED\n");
    else
        printf("connect: %s\n", strerror(errno));
    close(fd);
    return 0;
}
