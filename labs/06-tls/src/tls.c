/* tls.c: the TLS layer of Lab 06 on OpenSSL 3. The contracts are in tls.h; the handout
 * (README.md, section 4.1) explains each step. */
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

SSL_CTX *tls_client_context(const char *cafile, const char *certfile, const char *keyfile)
{
    /* TODO(lab 06): SSL_CTX_new(TLS_client_method()); SSL_CTX_set_min_proto_version() to
     * TLS1_2_VERSION; SSL_CTX_set_verify() with SSL_VERIFY_PEER; trust cafile
     * (SSL_CTX_load_verify_file) or, when it is NULL, the system's store
     * (SSL_CTX_set_default_verify_paths); with certfile, load the chain and the key and check that
     * they match. On any failure free the context and return NULL. */
    (void)cafile;
    (void)certfile;
    (void)keyfile;
    return NULL;
}

SSL_CTX *tls_server_context(const char *chainfile, const char *keyfile, const char *client_cafile)
{
    /* TODO(lab 06): SSL_CTX_new(TLS_server_method()); TLS 1.2 or newer;
     * SSL_CTX_use_certificate_chain_file(), SSL_CTX_use_PrivateKey_file(),
     * SSL_CTX_check_private_key(); with client_cafile, trust it and require a client certificate
     * (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT). */
    (void)chainfile;
    (void)keyfile;
    (void)client_cafile;
    return NULL;
}

int tls_expect_host(SSL *ssl, const char *host)
{
    /* TODO(lab 06): an IP address literal (inet_pton() says so): the certificate's IP address
     * is checked (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)), and no SNI is sent.
     * A name: SNI (SSL_set_tlsext_host_name) and the name check (SSL_set1_host). */
    (void)ssl;
    (void)host;
    errno = ENOSYS;
    return -1;
}

int tls_handshake(SSL *ssl, const struct timespec *deadline)
{
    /* TODO(lab 06): call SSL_connect() (a client) or SSL_accept() (SSL_is_server(ssl)) until it
     * returns 1. When it fails, SSL_get_error() says why: SSL_ERROR_WANT_READ and
     * SSL_ERROR_WANT_WRITE mean "wait for the socket (wait_fd), then call again"; anything else
     * is a failure (section 4.1 tells which errno to set). Call ERR_clear_error() before each
     * SSL call, so that SSL_get_error() does not see old errors. */
    (void)ssl;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}

ssize_t tls_read(SSL *ssl, void *buf, size_t len, const struct timespec *deadline)
{
    /* TODO(lab 06): SSL_read_ex(); SSL_ERROR_ZERO_RETURN is the peer's close_notify (return 0).
     * An EOF without close_notify is an error (EPROTO), never the end of the data. */
    (void)ssl;
    (void)buf;
    (void)len;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}

int tls_write_all(SSL *ssl, const void *buf, size_t len, const struct timespec *deadline)
{
    /* TODO(lab 06): SSL_write_ex() until every byte is written; after SSL_ERROR_WANT_WRITE (or
     * WANT_READ), call it again with the same arguments. */
    (void)ssl;
    (void)buf;
    (void)len;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}

int tls_close(SSL *ssl, const struct timespec *deadline)
{
    /* TODO(lab 06): SSL_shutdown() returns 1 when both close_notify alerts are done, 0 when ours
     * is sent (then read with tls_read() until it returns 0), < 0 to wait or on failure. */
    (void)ssl;
    (void)deadline;
    errno = ENOSYS;
    return -1;
}

const char *tls_strerror(const SSL *ssl, int err, char *buf, size_t len)
{
    /* TODO(lab 06): for EPROTO, ERR_peek_error(); when its reason is
     * SSL_R_CERTIFICATE_VERIFY_FAILED, say why with SSL_get_verify_result() and
     * X509_verify_cert_error_string(); else ERR_reason_error_string(). Otherwise strerror(err).
     * Then ERR_clear_error(). */
    (void)ssl;
    (void)err;
    snprintf(buf, len, "not implemented");
    ERR_clear_error();
    return buf;
}
