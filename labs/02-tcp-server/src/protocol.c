/* protocol.c: answer the line protocol's requests (Lab 02). The contracts are in protocol.h; the
 * protocol is in section 4.1 of the handout. */
#define _POSIX_C_SOURCE 200809L

#include "protocol.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "linebuf.h"

int send_all(int fd, const void *buf, size_t len)
{
    /* TODO(lab 02): send() until all len bytes are gone; retry on EINTR; stop at an error. */
    (void)fd;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

int reply_too_long(int fd)
{
    /* TODO(lab 02): send "ERR line too long\n". */
    (void)fd;
    errno = ENOSYS;
    return -1;
}

int format_peer(const struct sockaddr *sa, char *buf, size_t len)
{
    /* TODO(lab 02): an AF_INET6 address for which IN6_IS_ADDR_V4MAPPED() holds carries an IPv4
     * address in its last 4 bytes (s6_addr[12..15]): copy them and the port into a zeroed
     * struct sockaddr_in and format that. Any other address: format_sockaddr() as it is. */
    (void)sa;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

void chargen_line(unsigned long i, uint8_t out[CHARGEN_WIDTH + 1])
{
    /* TODO(lab 02): character k of line i is '!' + (i + k) % 94; then '\n'. */
    (void)i;
    memset(out, 0, CHARGEN_WIDTH + 1);
}

int handle_request(int fd, const struct sockaddr *peer, const uint8_t *line, size_t len)
{
    /* TODO(lab 02): the command word is everything before the first space (or the whole line).
     * Compare lengths and bytes (memcmp), never C strings: the line is not NUL-terminated and may
     * hold NUL bytes. Then ECHO, PING, WHO, CHARGEN and QUIT as section 4.1 specifies; build a
     * reply in a buffer and send it with send_all() (ECHO's data and '\n' in one send). CHARGEN:
     * send the lines in batches of a few kilobytes, not all at once and not one per send(). */
    (void)fd;
    (void)peer;
    (void)line;
    (void)len;
    errno = ENOSYS;
    return -1;
}
