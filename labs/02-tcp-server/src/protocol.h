/* protocol.h: the line protocol's requests and replies (Lab 02). Implemented in protocol.c.
 * The protocol is specified in section 4.1 of the handout (README.md). */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CHARGEN_WIDTH 72    /* characters in a CHARGEN line, before its '\n' */
#define CHARGEN_MAX 1000000 /* the most lines one CHARGEN request may ask for */

/* What the connection does after a request. */
enum reply_status {
    REPLY_CONTINUE = 0, /* read the next request */
    REPLY_CLOSE = 1     /* close the connection now (after QUIT's reply) */
};

/* Answer one request: line holds len bytes (at most MAX_LINE, without the '\n'), sent by the
 * client at address peer over the connected socket fd. The whole reply is sent before returning.
 * Returns REPLY_CONTINUE or REPLY_CLOSE, or -1 with errno when sending failed. */
int handle_request(int fd, const struct sockaddr *peer, const uint8_t *line, size_t len);

/* Send the reply to a line longer than MAX_LINE. Returns 0, or -1 with errno. */
int reply_too_long(int fd);

/* Send all len bytes of buf on the socket fd: send() may send fewer than asked, so loop; retry
 * when a signal interrupted it (EINTR). Returns 0, or -1 with errno from send(). */
int send_all(int fd, const void *buf, size_t len);

/* Write a client's address the way WHO shows it: as format_sockaddr does, except that an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d, how an IPv4 client appears on a dual-stack IPv6
 * socket) is written as the IPv4 address it stands for: "a.b.c.d:PORT".
 * Returns 0, or -1 with errno as format_sockaddr. */
int format_peer(const struct sockaddr *sa, char *buf, size_t len);

/* Line number i (the first is 0) of CHARGEN's pattern: CHARGEN_WIDTH characters, then '\n'. */
void chargen_line(unsigned long i, uint8_t out[CHARGEN_WIDTH + 1]);

#endif
