/* test_tls.c: Check unit tests for tls.c: the contexts, the peer's name, the error messages, and
 * the I/O functions over a socket pair, with a TLS server running in a second thread. The
 * certificates are made when each test case starts (testpki.c). */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "netlab_check.h"
#include "testpki.h"
#include "tls.h"

static struct test_pki pki;
static int pki_made;

/* What a program has done before it calls tls.c: OpenSSL is initialized (error strings loaded)
 * and SIGPIPE is ignored (a peer that is gone must not kill the process). */
static void library_setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
}

static void pki_setup(void)
{
    pki_made = test_pki_make(&pki) == 0;
}

static void pki_teardown(void)
{
    if (pki_made)
        test_pki_remove(&pki);
}

/* Every test that needs the certificates starts with this. */
static void require_pki(void)
{
    ck_assert_msg(pki_made, "the test could not make its certificates (see the test's stderr)");
}

/* The reason of the first error in OpenSSL's queue, or "(empty)"; the queue is left as it is. */
static const char *first_error(void)
{
    unsigned long e = ERR_peek_error();
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;

    return e == 0           ? "(the error queue is empty)"
           : reason != NULL ? reason
                            : "(an error without reason)";
}

/* After a call that must fail with NULL: OpenSSL's error queue must say why. Empties it. */
static void expect_null_with_reason(const char *did, const void *got)
{
    unsigned long e = ERR_peek_error();

    ck_assert_msg(got == NULL, "did:      %s\nexpected: NULL (a failure)\ngot:      a context",
                  did);
    ERR_clear_error();
    ck_assert_msg(e != 0,
                  "did:      %s\nexpected: NULL, with OpenSSL's error queue saying why\n"
                  "got:      NULL, with an empty error queue",
                  did);
}

/* The context must refuse TLS 1.0 and 1.1: by its minimum version, or by both options. */
static void expect_tls12_or_newer(const char *did, SSL_CTX *ctx)
{
    long min = SSL_CTX_get_min_proto_version(ctx);
    uint64_t opts = SSL_CTX_get_options(ctx);
    int ok = min >= TLS1_2_VERSION || ((opts & SSL_OP_NO_TLSv1) && (opts & SSL_OP_NO_TLSv1_1));

    ck_assert_msg(ok,
                  "did:      %s\nexpected: TLS 1.2 or newer only (minimum version 0x%x)\n"
                  "got:      minimum version 0x%lx (0: none), so TLS 1.0 and 1.1 are allowed",
                  did, TLS1_2_VERSION, min);
}

/* The number of certificates in the context's trust store. */
static int trusted_count(SSL_CTX *ctx)
{
    return sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx)));
}

/* --------------------------------------------------------------------------- client context */

START_TEST(client_verifies_server)
{
    const char *did = "tls_client_context(\"ca.pem\", NULL, NULL)";
    SSL_CTX *ctx;

    require_pki();
    ctx = tls_client_context(pki.ca, NULL, NULL);
    ck_assert_msg(ctx != NULL, "did:      %s\nexpected: a context\ngot:      NULL (%s)", did,
                  first_error());
    ck_assert_msg(
        (SSL_CTX_get_verify_mode(ctx) & SSL_VERIFY_PEER) != 0,
        "did:      %s\nexpected: verify mode SSL_VERIFY_PEER (the handshake fails unless the "
        "server's certificate verifies)\ngot:      verify mode %d",
        did, SSL_CTX_get_verify_mode(ctx));
    expect_tls12_or_newer(did, ctx);
    SSL_CTX_free(ctx);
}
END_TEST

START_TEST(client_trusts_cafile_only)
{
    const char *did =
        "tls_client_context(\"ca.pem\", NULL, NULL), then counting its trusted certificates";
    SSL_CTX *ctx;

    require_pki();
    ctx = tls_client_context(pki.ca, NULL, NULL);
    ck_assert_msg(ctx != NULL, "did:      %s\nexpected: a context\ngot:      NULL (%s)", did,
                  first_error());
    EXPECT_UINT(did, trusted_count(ctx), 1); /* the one CA of ca.pem, not the system's too */
    SSL_CTX_free(ctx);
}
END_TEST

START_TEST(client_default_store)
{
    const char *did =
        "tls_client_context(NULL, NULL, NULL) with SSL_CERT_FILE set to a file of one "
        "CA certificate, then counting its trusted certificates";
    SSL_CTX *ctx;

    require_pki();
    /* OpenSSL's default store is the file named by SSL_CERT_FILE when it is set. */
    ck_assert_int_eq(setenv("SSL_CERT_FILE", pki.ca, 1), 0);
    ctx = tls_client_context(NULL, NULL, NULL);
    unsetenv("SSL_CERT_FILE");
    ck_assert_msg(ctx != NULL, "did:      %s\nexpected: a context\ngot:      NULL (%s)", did,
                  first_error());
    EXPECT_UINT(did, trusted_count(ctx), 1);
    SSL_CTX_free(ctx);
}
END_TEST

START_TEST(client_missing_cafile)
{
    expect_null_with_reason("tls_client_context(\"/nonexistent/ca.pem\", NULL, NULL)",
                            tls_client_context("/nonexistent/ca.pem", NULL, NULL));
}
END_TEST

START_TEST(client_certificate)
{
    const char *did = "tls_client_context(\"ca.pem\", \"chain.pem\", \"key.pem\")";
    SSL_CTX *ctx;

    require_pki();
    ctx = tls_client_context(pki.ca, pki.chain, pki.key);
    ck_assert_msg(ctx != NULL, "did:      %s\nexpected: a context\ngot:      NULL (%s)", did,
                  first_error());
    ck_assert_msg(SSL_CTX_get0_certificate(ctx) != NULL,
                  "did:      %s\nexpected: the client's certificate loaded\ngot:      none", did);
    SSL_CTX_free(ctx);
    expect_null_with_reason(
        "tls_client_context(\"ca.pem\", \"chain.pem\", a key of another certificate)",
        tls_client_context(pki.ca, pki.chain, pki.other_key));
}
END_TEST

/* --------------------------------------------------------------------------- server context */

START_TEST(server_loads_chain)
{
    const char *did = "tls_server_context(\"chain.pem\", \"key.pem\", NULL)";
    STACK_OF(X509) *chain = NULL;
    char cn[64] = "";
    SSL_CTX *ctx;
    X509 *cert;

    require_pki();
    ctx = tls_server_context(pki.chain, pki.key, NULL);
    ck_assert_msg(ctx != NULL, "did:      %s\nexpected: a context\ngot:      NULL (%s)", did,
                  first_error());
    cert = SSL_CTX_get0_certificate(ctx);
    ck_assert_msg(cert != NULL, "did:      %s\nexpected: a certificate\ngot:      none", did);
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    EXPECT_STR("the certificate's name after tls_server_context(\"chain.pem\", ...)", cn,
               "localhost");
    SSL_CTX_get_extra_chain_certs(ctx, &chain);
    EXPECT_UINT("CA certificates sent after the server's own (the intermediate of chain.pem): "
                "load the whole chain, not only the first certificate",
                chain != NULL ? sk_X509_num(chain) : 0, 1);
    expect_tls12_or_newer(did, ctx);
    EXPECT_UINT("verify mode without client_cafile (SSL_VERIFY_NONE: no client certificate asked)",
                SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE);
    SSL_CTX_free(ctx);
}
END_TEST

START_TEST(server_key_must_match)
{
    require_pki();
    expect_null_with_reason("tls_server_context(\"chain.pem\", another EC key, NULL)",
                            tls_server_context(pki.chain, pki.other_key, NULL));
    /* A key of another type is accepted by SSL_CTX_use_PrivateKey_file (it has a slot of its
     * own): only SSL_CTX_check_private_key() finds that the certificate has no key. */
    expect_null_with_reason("tls_server_context(\"chain.pem\", an Ed25519 key, NULL)",
                            tls_server_context(pki.chain, pki.ed25519_key, NULL));
}
END_TEST

START_TEST(server_missing_files)
{
    require_pki();
    expect_null_with_reason("tls_server_context(\"/nonexistent/chain.pem\", \"key.pem\", NULL)",
                            tls_server_context("/nonexistent/chain.pem", pki.key, NULL));
    expect_null_with_reason("tls_server_context(\"chain.pem\", \"/nonexistent/key.pem\", NULL)",
                            tls_server_context(pki.chain, "/nonexistent/key.pem", NULL));
    expect_null_with_reason(
        "tls_server_context(\"chain.pem\", \"key.pem\", \"/nonexistent/ca.pem\")",
        tls_server_context(pki.chain, pki.key, "/nonexistent/ca.pem"));
}
END_TEST

START_TEST(server_client_certificates)
{
    const char *did = "tls_server_context(\"chain.pem\", \"key.pem\", \"ca.pem\")";
    SSL_CTX *ctx;

    require_pki();
    ctx = tls_server_context(pki.chain, pki.key, pki.ca);
    ck_assert_msg(ctx != NULL, "did:      %s\nexpected: a context\ngot:      NULL (%s)", did,
                  first_error());
    ck_assert_msg(
        SSL_CTX_get_verify_mode(ctx) == (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT),
        "did:      %s\nexpected: verify mode SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT "
        "(%d): a client without a certificate is refused too\ngot:      %d",
        did, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, SSL_CTX_get_verify_mode(ctx));
    EXPECT_UINT("trusted certificates of that context (the one CA of ca.pem)", trusted_count(ctx),
                1);
    SSL_CTX_free(ctx);
}
END_TEST

/* --------------------------------------------------------------------------- the peer's name */

/* A client SSL of a context that verifies nothing by itself, for tls_expect_host(). */
static SSL *bare_client(SSL_CTX **ctx)
{
    *ctx = SSL_CTX_new(TLS_client_method());
    ck_assert_ptr_nonnull(*ctx);
    return SSL_new(*ctx);
}

START_TEST(host_name)
{
    SSL_CTX *ctx;
    SSL *ssl = bare_client(&ctx);
    const char *sni, *checked;

    EXPECT_OK("tls_expect_host(ssl, \"localhost\")", tls_expect_host(ssl, "localhost"));
    sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    checked = X509_VERIFY_PARAM_get0_host(SSL_get0_param(ssl), 0);
    EXPECT_STR("the SNI name after tls_expect_host(ssl, \"localhost\") (SSL_set_tlsext_host_name)",
               sni != NULL ? sni : "(none)", "localhost");
    EXPECT_STR("the name the certificate is checked against after tls_expect_host(ssl, "
               "\"localhost\") (SSL_set1_host)",
               checked != NULL ? checked : "(none)", "localhost");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}
END_TEST

/* tls_expect_host(ssl, ip) must check the certificate's IP address and send no SNI. */
static void expect_ip(const char *ip, int family)
{
    unsigned char want[16], got[16];
    char did[96];
    SSL_CTX *ctx;
    SSL *ssl = bare_client(&ctx);
    const char *sni;
    char *checked;

    snprintf(did, sizeof did, "tls_expect_host(ssl, \"%s\")", ip);
    EXPECT_OK(did, tls_expect_host(ssl, ip));
    sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    ck_assert_msg(sni == NULL,
                  "did:      %s\nexpected: no SNI (RFC 6066: an IP address is never sent "
                  "as a server name)\ngot:      SNI \"%s\"",
                  did, sni);
    checked = X509_VERIFY_PARAM_get1_ip_asc(SSL_get0_param(ssl));
    ck_assert_msg(
        checked != NULL && inet_pton(family, checked, got) == 1 &&
            inet_pton(family, ip, want) == 1 && memcmp(got, want, family == AF_INET ? 4 : 16) == 0,
        "did:      %s\nexpected: the certificate checked against IP address %s\ngot:      %s", did,
        ip, checked != NULL ? checked : "no IP address to check");
    OPENSSL_free(checked);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

START_TEST(host_ip_address)
{
    expect_ip("127.0.0.1", AF_INET);
    expect_ip("::1", AF_INET6);
}
END_TEST

/* --------------------------------------------------------------------------- error messages */

static void expect_message(const char *did, const char *got, const char *want)
{
    ck_assert_msg(strstr(got, want) != NULL,
                  "did:      %s\nexpected: a message containing \"%s\"\n"
                  "got:      \"%s\"",
                  did, want, got);
    ck_assert_msg(ERR_peek_error() == 0,
                  "did:      %s\nexpected: OpenSSL's error queue emptied\n"
                  "got:      errors left in it",
                  did);
}

START_TEST(strerror_verify_failure)
{
    const char *did = "tls_strerror(ssl, EPROTO, ...) after a failed certificate verification "
                      "(certificate has expired)";
    char buf[256];
    SSL_CTX *ctx;
    SSL *ssl = bare_client(&ctx);

    SSL_set_verify_result(ssl, X509_V_ERR_CERT_HAS_EXPIRED);
    ERR_raise(ERR_LIB_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED);
    expect_message(did, tls_strerror(ssl, EPROTO, buf, sizeof buf), "certificate has expired");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}
END_TEST

START_TEST(strerror_tls_reason)
{
    char buf[256];

    ERR_raise(ERR_LIB_SSL, SSL_R_UNEXPECTED_EOF_WHILE_READING);
    expect_message("tls_strerror(NULL, EPROTO, ...) with SSL_R_UNEXPECTED_EOF_WHILE_READING queued",
                   tls_strerror(NULL, EPROTO, buf, sizeof buf), "unexpected eof while reading");
    ERR_raise(ERR_LIB_SSL, SSL_R_UNSUPPORTED_PROTOCOL);
    ERR_raise(ERR_LIB_SSL, SSL_R_NO_PROTOCOLS_AVAILABLE);
    expect_message("tls_strerror(NULL, EPROTO, ...) with two errors queued (the first explains)",
                   tls_strerror(NULL, EPROTO, buf, sizeof buf), "unsupported protocol");
}
END_TEST

START_TEST(strerror_system_error)
{
    char buf[256];

    expect_message("tls_strerror(NULL, ECONNRESET, ...)",
                   tls_strerror(NULL, ECONNRESET, buf, sizeof buf), strerror(ECONNRESET));
    ERR_raise(ERR_LIB_SSL, SSL_R_UNEXPECTED_EOF_WHILE_READING); /* stale: must not be shown */
    expect_message("tls_strerror(NULL, ETIMEDOUT, ...) with an older TLS error still queued",
                   tls_strerror(NULL, ETIMEDOUT, buf, sizeof buf), strerror(ETIMEDOUT));
}
END_TEST

/* --------------------------------------------------------------------------- I/O over a socket
 * pair */

#define BIG (256 * 1024)

/* The deadline of the I/O tests: half of Check's time limit for a test, which the grader raises
 * under valgrind (CK_DEFAULT_TIMEOUT), so that a slow run is not a failed one; 2 s at least. */
static unsigned int io_seconds(void)
{
    const char *text = getenv("CK_DEFAULT_TIMEOUT");
    unsigned long limit;

    if (text == NULL || parse_number(text, 3600, &limit) == -1 || limit < 4)
        return 2;
    return (unsigned int)(limit / 2);
}

/* The server side, run in a thread by a script; its results are read after pthread_join. */
struct server {
    SSL_CTX *ctx;
    SSL *ssl;
    int fd;
    void (*script)(struct server *);
    int failed_step; /* 0, or the step number that failed */
    int shutdown;    /* SSL_get_shutdown() after the script */
    int err;         /* errno of that step */
    char line[64];   /* what the script read */
    pthread_t thread;
};

struct pair {
    int fds[2]; /* [0] the client's end, [1] the server's */
    SSL_CTX *client_ctx;
    SSL *client;
    struct server server;
};

static void step_failed(struct server *s, int step)
{
    if (s->failed_step == 0) {
        s->failed_step = step;
        s->err = errno;
    }
}

static void *server_main(void *arg)
{
    struct server *s = arg;

    s->script(s);
    s->shutdown = SSL_get_shutdown(s->ssl);
    ERR_clear_error();
    return NULL;
}

/* Two connected non-blocking sockets with small buffers (so that a big transfer has to wait for
 * the reader), a client SSL that trusts ca.pem and expects host, and a server thread running
 * script with the chain of "localhost". The contexts are made here with OpenSSL directly, so
 * that these tests depend only on the I/O functions. */
static void pair_start(struct pair *p, const char *host, void (*script)(struct server *))
{
    int size = 4096;

    require_pki();
    memset(p, 0, sizeof *p);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p->fds), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(fcntl(p->fds[i], F_SETFL, O_NONBLOCK), 0);
        ck_assert_int_eq(setsockopt(p->fds[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof size), 0);
        ck_assert_int_eq(setsockopt(p->fds[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof size), 0);
    }
    p->client_ctx = SSL_CTX_new(TLS_client_method());
    ck_assert_ptr_nonnull(p->client_ctx);
    SSL_CTX_set_verify(p->client_ctx, SSL_VERIFY_PEER, NULL);
    ck_assert_int_eq(SSL_CTX_load_verify_file(p->client_ctx, pki.ca), 1);
    p->client = SSL_new(p->client_ctx);
    ck_assert_ptr_nonnull(p->client);
    ck_assert_int_eq(SSL_set_fd(p->client, p->fds[0]), 1);
    ck_assert_int_eq(SSL_set1_host(p->client, host), 1);
    p->server.ctx = SSL_CTX_new(TLS_server_method());
    ck_assert_ptr_nonnull(p->server.ctx);
    ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(p->server.ctx, pki.chain), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(p->server.ctx, pki.key, SSL_FILETYPE_PEM), 1);
    p->server.ssl = SSL_new(p->server.ctx);
    ck_assert_ptr_nonnull(p->server.ssl);
    ck_assert_int_eq(SSL_set_fd(p->server.ssl, p->fds[1]), 1);
    p->server.fd = p->fds[1];
    p->server.script = script;
    ck_assert_int_eq(pthread_create(&p->server.thread, NULL, server_main, &p->server), 0);
}

/* Wait for the server thread and free everything. */
static void pair_finish(struct pair *p)
{
    pthread_join(p->server.thread, NULL);
    SSL_free(p->client);
    SSL_free(p->server.ssl);
    SSL_CTX_free(p->client_ctx);
    SSL_CTX_free(p->server.ctx);
    close(p->fds[0]);
    close(p->fds[1]);
    ERR_clear_error();
}

static void server_echo(struct server *s)
{
    struct timespec deadline = deadline_in(io_seconds());
    ssize_t n;

    if (tls_handshake(s->ssl, &deadline) == -1) {
        step_failed(s, 1);
    } else if ((n = tls_read(s->ssl, s->line, sizeof s->line - 1, &deadline)) <= 0) {
        step_failed(s, 2);
    } else {
        s->line[n] = '\0';
        if (tls_write_all(s->ssl, "pong\n", 5, &deadline) == -1)
            step_failed(s, 3);
        else if (tls_close(s->ssl, &deadline) == -1)
            step_failed(s, 4);
    }
}

START_TEST(io_exchange_and_close)
{
    struct timespec deadline = deadline_in(io_seconds());
    struct pair p;
    char buf[64];
    ssize_t n;

    pair_start(&p, "localhost", server_echo);
    EXPECT_OK("tls_handshake(client) with a server whose certificate verifies",
              tls_handshake(p.client, &deadline));
    EXPECT_OK("tls_write_all(client, \"ping\\n\", 5)",
              tls_write_all(p.client, "ping\n", 5, &deadline));
    n = tls_read(p.client, buf, sizeof buf, &deadline);
    ck_assert_msg(n == 5 && memcmp(buf, "pong\n", 5) == 0,
                  "did:      tls_read(client) after the server sent \"pong\\n\"\nexpected: 5\n"
                  "got:      %zd (errno %d: %s)",
                  n, errno, strerror(errno));
    n = tls_read(p.client, buf, sizeof buf, &deadline);
    ck_assert_msg(n == 0,
                  "did:      tls_read(client) after the server's close_notify\nexpected: 0\n"
                  "got:      %zd (errno %d: %s)",
                  n, errno, strerror(errno));
    EXPECT_OK("tls_close(client) after the server's close_notify", tls_close(p.client, &deadline));
    EXPECT_UINT("SSL_get_shutdown(client) after tls_close: close_notify sent and received (3)",
                SSL_get_shutdown(p.client), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    pair_finish(&p);
    EXPECT_UINT("SSL_get_shutdown(server) after its tls_close, which waits for the client's "
                "close_notify: sent and received (3)",
                p.server.shutdown, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    ck_assert_msg(p.server.failed_step == 0,
                  "did:      a server: tls_handshake, tls_read, tls_write_all, tls_close (which "
                  "waits for the client's close_notify)\nexpected: every step returns >= 0\n"
                  "got:      step %d failed (errno %d: %s)",
                  p.server.failed_step, p.server.err, strerror(p.server.err));
    EXPECT_STR("what the server read", p.server.line, "ping\n");
}
END_TEST

static void server_truncate(struct server *s)
{
    struct timespec deadline = deadline_in(io_seconds());

    if (tls_handshake(s->ssl, &deadline) == -1)
        step_failed(s, 1);
    else if (tls_write_all(s->ssl, "cut", 3, &deadline) == -1)
        step_failed(s, 2);
    shutdown(s->fd, SHUT_RDWR); /* the end of the stream, without close_notify */
}

START_TEST(io_truncation_is_an_error)
{
    struct timespec deadline = deadline_in(io_seconds());
    struct pair p;
    char buf[64];
    ssize_t n;

    pair_start(&p, "localhost", server_truncate);
    EXPECT_OK("tls_handshake(client)", tls_handshake(p.client, &deadline));
    n = tls_read(p.client, buf, sizeof buf, &deadline);
    ck_assert_msg(n == 3,
                  "did:      tls_read(client) after the server sent \"cut\"\nexpected: 3\n"
                  "got:      %zd (errno %d: %s)",
                  n, errno, strerror(errno));
    errno = 0;
    n = tls_read(p.client, buf, sizeof buf, &deadline);
    ck_assert_msg(n == -1 && errno == EPROTO,
                  "did:      tls_read(client) when the connection ends without close_notify\n"
                  "expected: -1 with errno EPROTO (a truncation, not the end of the data)\n"
                  "got:      %zd (errno %d: %s)",
                  n, errno, strerror(errno));
    ERR_clear_error();
    pair_finish(&p);
}
END_TEST

static void server_silent(struct server *s)
{
    (void)s; /* never answers: the client's handshake must end at its deadline */
}

START_TEST(io_handshake_deadline)
{
    struct timespec deadline = deadline_in(1), now;
    struct pair p;
    int rc;

    pair_start(&p, "localhost", server_silent);
    errno = 0;
    rc = tls_handshake(p.client, &deadline);
    ck_assert_msg(
        rc == -1 && errno == ETIMEDOUT,
        "did:      tls_handshake(client) with a deadline 1 s ahead and a server that never "
        "answers\nexpected: -1 with errno ETIMEDOUT\ngot:      %d (errno %d: %s)",
        rc, errno, strerror(errno));
    clock_gettime(CLOCK_MONOTONIC, &now);
    ck_assert_msg(
        now.tv_sec > deadline.tv_sec ||
            (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec),
        "did:      tls_handshake(client) with a deadline 1 s ahead\nexpected: it returns at "
        "the deadline\ngot:      it returned before");
    ERR_clear_error();
    pair_finish(&p);
}
END_TEST

static void server_handshake_only(struct server *s)
{
    struct timespec deadline = deadline_in(io_seconds());

    if (tls_handshake(s->ssl, &deadline) == -1)
        step_failed(s, 1);
}

START_TEST(io_verification_failure)
{
    struct timespec deadline = deadline_in(io_seconds());
    struct pair p;
    char buf[256];
    int rc;

    pair_start(&p, "wrong.example", server_handshake_only);
    errno = 0;
    rc = tls_handshake(p.client, &deadline);
    ck_assert_msg(
        rc == -1 && errno == EPROTO,
        "did:      tls_handshake(client) expecting \"wrong.example\", with a certificate for "
        "localhost\nexpected: -1 with errno EPROTO\ngot:      %d (errno %d: %s)",
        rc, errno, strerror(errno));
    expect_message("tls_strerror(client, EPROTO, ...) after that",
                   tls_strerror(p.client, EPROTO, buf, sizeof buf), "hostname mismatch");
    pair_finish(&p);
    ck_assert_msg(p.server.failed_step == 1,
                  "did:      the server's tls_handshake\nexpected: -1 (the "
                  "client refused the certificate)\ngot:      0");
}
END_TEST

static void server_big(struct server *s)
{
    struct timespec deadline = deadline_in(io_seconds());
    unsigned char *data = malloc(BIG);

    if (data == NULL) {
        step_failed(s, 1);
        return;
    }
    for (size_t i = 0; i < BIG; i++)
        data[i] = (unsigned char)(i * 7 + i / 4096);
    if (tls_handshake(s->ssl, &deadline) == -1)
        step_failed(s, 1);
    else if (tls_write_all(s->ssl, data, BIG, &deadline) == -1)
        step_failed(s, 2);
    else if (tls_close(s->ssl, &deadline) == -1)
        step_failed(s, 3);
    free(data);
}

START_TEST(io_big_transfer)
{
    struct timespec deadline = deadline_in(io_seconds());
    unsigned char *got = malloc(BIG + 1);
    size_t used = 0, bad = BIG;
    struct pair p;
    ssize_t n = 1;

    ck_assert_ptr_nonnull(got);
    pair_start(&p, "localhost", server_big);
    EXPECT_OK("tls_handshake(client)", tls_handshake(p.client, &deadline));
    while (used <= BIG && (n = tls_read(p.client, got + used, BIG + 1 - used, &deadline)) > 0)
        used += (size_t)n;
    for (size_t i = 0; i < used && i < BIG; i++) {
        if (got[i] != (unsigned char)(i * 7 + i / 4096)) {
            bad = i;
            break;
        }
    }
    free(got);
    ck_assert_msg(
        n == 0 && used == BIG && bad == BIG,
        "did:      tls_read(client) until 0, while the server sends 256 KiB with "
        "tls_write_all through 4 KiB socket buffers, then tls_close\nexpected: 262144 bytes "
        "as sent, then 0\ngot:      %zu bytes (first wrong byte at %zu), last tls_read "
        "returned %zd (errno %d: %s)",
        used, bad, n, errno, strerror(errno));
    EXPECT_OK("tls_close(client)", tls_close(p.client, &deadline));
    pair_finish(&p);
    ck_assert_msg(
        p.server.failed_step == 0,
        "did:      the server: tls_handshake, tls_write_all(256 KiB), tls_close\nexpected: "
        "every step returns 0 (a write that must wait needs SSL_ERROR_WANT_WRITE handled)\n"
        "got:      step %d failed (errno %d: %s)",
        p.server.failed_step, p.server.err, strerror(p.server.err));
}
END_TEST

static Suite *tls_suite(void)
{
    Suite *s = suite_create("tls");
    TCase *client = tcase_create("client_context");
    TCase *server = tcase_create("server_context");
    TCase *host = tcase_create("host");
    TCase *errors = tcase_create("strerror");
    TCase *io = tcase_create("io");
    TCase *all[] = {client, server, host, errors, io};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tcase_add_unchecked_fixture(all[i], library_setup, NULL);
    tcase_add_unchecked_fixture(client, pki_setup, pki_teardown);
    tcase_add_unchecked_fixture(server, pki_setup, pki_teardown);
    tcase_add_unchecked_fixture(io, pki_setup, pki_teardown);
    tcase_add_test(client, client_verifies_server);
    tcase_add_test(client, client_trusts_cafile_only);
    tcase_add_test(client, client_default_store);
    tcase_add_test(client, client_missing_cafile);
    tcase_add_test(client, client_certificate);
    tcase_add_test(server, server_loads_chain);
    tcase_add_test(server, server_key_must_match);
    tcase_add_test(server, server_missing_files);
    tcase_add_test(server, server_client_certificates);
    tcase_add_test(host, host_name);
    tcase_add_test(host, host_ip_address);
    tcase_add_test(errors, strerror_verify_failure);
    tcase_add_test(errors, strerror_tls_reason);
    tcase_add_test(errors, strerror_system_error);
    tcase_add_test(io, io_exchange_and_close);
    tcase_add_test(io, io_truncation_is_an_error);
    tcase_add_test(io, io_handshake_deadline);
    tcase_add_test(io, io_verification_failure);
    tcase_add_test(io, io_big_transfer);
    suite_add_tcase(s, client);
    suite_add_tcase(s, server);
    suite_add_tcase(s, host);
    suite_add_tcase(s, errors);
    suite_add_tcase(s, io);
    return s;
}

Suite *(*const unit_suites[])(void) = {tls_suite, NULL};
