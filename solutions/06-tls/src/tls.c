/* tls.c: the TLS layer of Lab 06 on OpenSSL 3 (reference solution). The contracts are in tls.h. */
#define _POSIX_C_SOURCE 200809L

#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "net.h"

/* Load a certificate chain and its private key into ctx, and check that they belong together.
 * Returns 0, or -1 with OpenSSL's error queue set. */
static int load_identity(SSL_CTX *ctx, const char *chainfile, const char *keyfile)
{
    if (SSL_CTX_use_certificate_chain_file(ctx, chainfile) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, keyfile, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1)
        return -1;
    return 0;
}

SSL_CTX *tls_client_context(const char *cafile, const char *certfile, const char *keyfile)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL)
        return NULL;
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
        goto fail;
    /* Fail the handshake, before any data is sent, unless the server's chain verifies. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (cafile != NULL ? SSL_CTX_load_verify_file(ctx, cafile) != 1
                       : SSL_CTX_set_default_verify_paths(ctx) != 1)
        goto fail;
    if (certfile != NULL && load_identity(ctx, certfile, keyfile) == -1)
        goto fail;
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

SSL_CTX *tls_server_context(const char *chainfile, const char *keyfile, const char *client_cafile)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    if (ctx == NULL)
        return NULL;
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        load_identity(ctx, chainfile, keyfile) == -1)
        goto fail;
    if (client_cafile != NULL) {
        if (SSL_CTX_load_verify_file(ctx, client_cafile) != 1)
            goto fail;
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

static int is_ip_literal(const char *host)
{
    unsigned char addr[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

int tls_expect_host(SSL *ssl, const char *host)
{
    if (is_ip_literal(host)) {
        /* Compare with the certificate's IP addresses; an IP address is never sent as SNI. */
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) != 1)
            goto fail;
        return 0;
    }
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set_tlsext_host_name(ssl, host) != 1 || SSL_set1_host(ssl, host) != 1)
        goto fail;
    return 0;
fail:
    errno = EPROTO;
    return -1;
}

/* An SSL call on ssl just failed with ret. When OpenSSL only needs the network
 * (SSL_ERROR_WANT_READ or SSL_ERROR_WANT_WRITE), wait for the socket until deadline and return 0:
 * the caller then makes the same call again. Otherwise return -1 with errno: EPROTO for a TLS
 * failure (including a connection closed without close_notify), or the system call's error. */
static int wait_or_fail(SSL *ssl, int ret, const struct timespec *deadline)
{
    int saved = errno;

    switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        return wait_fd(SSL_get_fd(ssl), POLLIN, deadline);
    case SSL_ERROR_WANT_WRITE:
        return wait_fd(SSL_get_fd(ssl), POLLOUT, deadline);
    case SSL_ERROR_SYSCALL:
        errno = saved != 0 ? saved : EPROTO;
        return -1;
    default: /* SSL_ERROR_SSL, or SSL_ERROR_ZERO_RETURN where no close is expected */
        errno = EPROTO;
        return -1;
    }
}

int tls_handshake(SSL *ssl, const struct timespec *deadline)
{
    for (;;) {
        int ret;

        ERR_clear_error(); /* SSL_get_error() looks at the queue: start it empty */
        errno = 0;
        ret = SSL_is_server(ssl) ? SSL_accept(ssl) : SSL_connect(ssl);
        if (ret == 1)
            return 0;
        if (wait_or_fail(ssl, ret, deadline) == -1)
            return -1;
    }
}

ssize_t tls_read(SSL *ssl, void *buf, size_t len, const struct timespec *deadline)
{
    for (;;) {
        size_t n;

        ERR_clear_error();
        errno = 0;
        if (SSL_read_ex(ssl, buf, len, &n) == 1)
            return (ssize_t)n;
        if (SSL_get_error(ssl, 0) == SSL_ERROR_ZERO_RETURN)
            return 0; /* close_notify: the peer is done, and nothing was cut */
        if (wait_or_fail(ssl, 0, deadline) == -1)
            return -1;
    }
}

int tls_write_all(SSL *ssl, const void *buf, size_t len, const struct timespec *deadline)
{
    const unsigned char *p = buf;

    while (len > 0) {
        size_t n;

        ERR_clear_error();
        errno = 0;
        if (SSL_write_ex(ssl, p, len, &n) == 1) {
            p += n;
            len -= n;
        } else if (wait_or_fail(ssl, 0, deadline) == -1) {
            return -1;
        }
    }
    return 0;
}

int tls_close(SSL *ssl, const struct timespec *deadline)
{
    unsigned char discard[1024];

    for (;;) {
        int ret;

        ERR_clear_error();
        errno = 0;
        ret = SSL_shutdown(ssl);
        if (ret == 1)
            return 0; /* both close_notify alerts have been exchanged */
        if (ret == 0)
            break; /* ours is sent; the peer's has not arrived yet */
        if (wait_or_fail(ssl, ret, deadline) == -1)
            return -1;
    }
    for (;;) {
        ssize_t n = tls_read(ssl, discard, sizeof discard, deadline);

        if (n <= 0)
            return (int)n;
    }
}

const char *tls_strerror(const SSL *ssl, int err, char *buf, size_t len)
{
    unsigned long e = ERR_peek_error();
    long verify = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;

    if (err != EPROTO) {
        snprintf(buf, len, "%s", strerror(err));
    } else if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
               ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED && verify != X509_V_OK) {
        snprintf(buf, len, "certificate verify failed: %s", X509_verify_cert_error_string(verify));
    } else if (reason != NULL) {
        snprintf(buf, len, "%s", reason);
    } else if (e != 0) {
        ERR_error_string_n(e, buf, len);
    } else {
        snprintf(buf, len, "TLS protocol error");
    }
    ERR_clear_error();
    return buf;
}
