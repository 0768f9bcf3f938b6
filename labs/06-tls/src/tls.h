/* tls.h: the TLS layer of Lab 06 on OpenSSL 3: contexts for a client and a server, the peer's
 * name, the handshake, reading and writing with a deadline, a clean close, and error messages.
 * Implemented in tls.c; used by tlsclient.c and tlsserver.c.
 *
 * Sockets are non-blocking: when OpenSSL cannot go on without the network
 * (SSL_ERROR_WANT_READ or SSL_ERROR_WANT_WRITE), these functions wait with wait_fd() (net.h)
 * until the socket is ready or the deadline passes, and then call OpenSSL again.
 *
 * Error contract: the functions returning int or ssize_t return -1 on failure, with errno:
 *   EPROTO     a TLS failure; OpenSSL's error queue says which (tls_strerror() explains it)
 *   ETIMEDOUT  the deadline passed first
 *   another    a system call failed (ECONNRESET, ...)
 * The functions returning SSL_CTX * return NULL on failure, with OpenSSL's error queue set. */
#ifndef TLS_H
#define TLS_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* A client context: TLS 1.2 or newer only, and the server's certificate must verify against the
 * CA certificates in cafile (a PEM file) or, when cafile is NULL, the system's default store. When
 * certfile is not NULL, the client presents that certificate (chain) with the private key in
 * keyfile, which must match it (mutual TLS).
 * Returns the context, or NULL with OpenSSL's error queue saying why. */
SSL_CTX *tls_client_context(const char *cafile, const char *certfile, const char *keyfile);

/* A server context: TLS 1.2 or newer only; the certificate chain in chainfile (PEM: the server's
 * certificate first, then the intermediate CA certificates) and the private key in keyfile, which
 * must match the certificate. When client_cafile is not NULL, every client must present a
 * certificate that verifies against the CA certificates in that file (mutual TLS).
 * Returns the context, or NULL with OpenSSL's error queue saying why. */
SSL_CTX *tls_server_context(const char *chainfile, const char *keyfile, const char *client_cafile);

/* Prepare a client's ssl to talk to host (a name or an IP address literal, as typed by the
 * user): the handshake must fail unless the server's certificate is valid for host. A name is
 * also sent in the handshake (SNI); an IP address never is (RFC 6066).
 * Returns 0, or -1 with errno EPROTO. */
int tls_expect_host(SSL *ssl, const char *host);

/* Run the handshake of ssl (SSL_connect for a client, SSL_accept for a server) to the end, on its
 * non-blocking socket, before deadline. Returns 0, or -1 with errno. */
int tls_handshake(SSL *ssl, const struct timespec *deadline);

/* Read up to len bytes (len > 0) before deadline.
 * Returns the number of bytes read (> 0); 0 when the peer closed the connection cleanly, with
 * close_notify; or -1 with errno (EPROTO for a connection closed without close_notify: the data
 * may have been cut short by an attacker). */
ssize_t tls_read(SSL *ssl, void *buf, size_t len, const struct timespec *deadline);

/* Write all len bytes before deadline. Returns 0, or -1 with errno. */
int tls_write_all(SSL *ssl, const void *buf, size_t len, const struct timespec *deadline);

/* Close the TLS connection cleanly before deadline: send close_notify and, unless the peer's
 * close_notify has arrived already, read (and discard) until it does.
 * Returns 0, or -1 with errno. The socket itself stays open: close() it after SSL_free(). */
int tls_close(SSL *ssl, const struct timespec *deadline);

/* Write into buf (len bytes) a one-line message for a failure of the functions above, whose
 * errno was err: for EPROTO, why certificate verification failed (ssl may be NULL when there is
 * no connection) or else the reason of the first error in OpenSSL's error queue; for any other
 * err, strerror(err). Empties OpenSSL's error queue. Returns buf. */
const char *tls_strerror(const SSL *ssl, int err, char *buf, size_t len);

#endif
