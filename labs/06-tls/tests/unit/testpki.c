/* testpki.c: a throwaway PKI for the unit tests (see testpki.h), with OpenSSL's own API. */
#define _POSIX_C_SOURCE 200809L

#include "testpki.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long next_serial = 1;

static EVP_PKEY *new_key(int ed25519)
{
    return ed25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                   : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int add_ext(X509 *cert, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
    int ok = ext != NULL && X509_add_ext(cert, ext, -1) == 1;

    X509_EXTENSION_free(ext);
    return ok;
}

/* A certificate for cn and key, signed by issuer (self-signed when issuer is NULL). san is a
 * subjectAltName value ("DNS:localhost,IP:127.0.0.1") or NULL. */
static X509 *new_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int ca,
                      const char *san)
{
    X509 *cert = X509_new();
    X509_NAME *name;
    X509V3_CTX v3;
    int ok;

    if (cert == NULL)
        return NULL;
    name = X509_get_subject_name(cert);
    ok = X509_set_version(cert, X509_VERSION_3) &&
         ASN1_INTEGER_set(X509_get_serialNumber(cert), next_serial++) &&
         X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != NULL &&
         X509_gmtime_adj(X509_getm_notAfter(cert), 86400) != NULL && X509_set_pubkey(cert, key) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                    0) &&
         X509_set_issuer_name(cert, issuer != NULL ? X509_get_subject_name(issuer) : name);
    X509V3_set_ctx(&v3, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
    ok = ok &&
         add_ext(cert, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
         add_ext(cert, &v3, NID_subject_key_identifier, "hash") &&
         (!ca ||
          add_ext(cert, &v3, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature")) &&
         (issuer == NULL || add_ext(cert, &v3, NID_authority_key_identifier, "keyid:always")) &&
         (san == NULL || add_ext(cert, &v3, NID_subject_alt_name, san)) &&
         X509_sign(cert, issuer_key != NULL ? issuer_key : key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* Write certificates (up to two, the second may be NULL) or a key to path. */
static int write_pem(const char *path, X509 *first, X509 *second, EVP_PKEY *key)
{
    FILE *fp = fopen(path, "w");
    int ok;

    if (fp == NULL)
        return 0;
    ok = (first == NULL || PEM_write_X509(fp, first)) &&
         (second == NULL || PEM_write_X509(fp, second)) &&
         (key == NULL || PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL));
    return fclose(fp) == 0 && ok;
}

static void join(char *out, const char *dir, const char *name)
{
    snprintf(out, TESTPKI_PATH, "%s/%s", dir, name);
}

int test_pki_make(struct test_pki *pki)
{
    const char *tmp = getenv("TMPDIR");
    const char *san = "DNS:localhost,IP:127.0.0.1,IP:::1";
    EVP_PKEY *root_key = new_key(0), *inter_key = new_key(0), *leaf_key = new_key(0);
    EVP_PKEY *other_key = new_key(0), *ed_key = new_key(1), *fake_key = new_key(0);
    X509 *root = NULL, *inter = NULL, *leaf = NULL, *fake = NULL;
    int ok = 0, n;

    memset(pki, 0, sizeof *pki);
    n = snprintf(pki->dir, sizeof pki->dir, "%s/netlab-unit-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= sizeof pki->dir) {
        pki->dir[0] = '\0';
        goto out;
    }
    if (!root_key || !inter_key || !leaf_key || !other_key || !ed_key || !fake_key ||
        mkdtemp(pki->dir) == NULL)
        goto out;
    join(pki->ca, pki->dir, "ca.pem");
    join(pki->chain, pki->dir, "chain.pem");
    join(pki->key, pki->dir, "key.pem");
    join(pki->other_key, pki->dir, "other-key.pem");
    join(pki->ed25519_key, pki->dir, "ed25519-key.pem");
    join(pki->impostor, pki->dir, "impostor.pem");
    join(pki->impostor_key, pki->dir, "impostor-key.pem");
    root = new_cert("netlab unit test root CA", root_key, NULL, NULL, 1, NULL);
    inter = root ? new_cert("netlab unit test intermediate CA", inter_key, root, root_key, 1, NULL)
                 : NULL;
    leaf = inter ? new_cert("localhost", leaf_key, inter, inter_key, 0, san) : NULL;
    fake = new_cert("localhost", fake_key, NULL, NULL, 0, san);
    ok = leaf != NULL && fake != NULL && write_pem(pki->ca, root, NULL, NULL) &&
         write_pem(pki->chain, leaf, inter, NULL) && write_pem(pki->key, NULL, NULL, leaf_key) &&
         write_pem(pki->other_key, NULL, NULL, other_key) &&
         write_pem(pki->ed25519_key, NULL, NULL, ed_key) &&
         write_pem(pki->impostor, fake, NULL, NULL) &&
         write_pem(pki->impostor_key, NULL, NULL, fake_key);
out:
    if (!ok) {
        fprintf(stderr, "testpki: cannot make the test certificates in %s\n", pki->dir);
        ERR_print_errors_fp(stderr);
    }
    X509_free(root);
    X509_free(inter);
    X509_free(leaf);
    X509_free(fake);
    EVP_PKEY_free(root_key);
    EVP_PKEY_free(inter_key);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(other_key);
    EVP_PKEY_free(ed_key);
    EVP_PKEY_free(fake_key);
    ERR_clear_error();
    return ok ? 0 : -1;
}

void test_pki_remove(struct test_pki *pki)
{
    const char *files[] = {pki->ca,          pki->chain,    pki->key,         pki->other_key,
                           pki->ed25519_key, pki->impostor, pki->impostor_key};

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (files[i][0] != '\0')
            unlink(files[i]);
    if (pki->dir[0] != '\0')
        rmdir(pki->dir);
}
