/* testpki.h: a throwaway PKI for the unit tests, made with OpenSSL in a temporary folder when a
 * test case starts and removed when it ends (no key or certificate is ever committed). */
#ifndef TESTPKI_H
#define TESTPKI_H

#define TESTPKI_PATH 256

struct test_pki {
    char dir[TESTPKI_PATH - 64];    /* room for "/name.pem" in the paths below */
    char ca[TESTPKI_PATH];          /* the root CA's certificate */
    char chain[TESTPKI_PATH];       /* "localhost" (127.0.0.1, ::1), then the intermediate CA */
    char key[TESTPKI_PATH];         /* the key of "localhost" (EC P-256) */
    char other_key[TESTPKI_PATH];   /* another EC P-256 key: does not match the certificate */
    char ed25519_key[TESTPKI_PATH]; /* an Ed25519 key: another type, does not match either */
    char impostor[TESTPKI_PATH];    /* a self-signed "localhost" certificate */
    char impostor_key[TESTPKI_PATH];
};

/* Make the files in a new folder under $TMPDIR (or /tmp). Returns 0, or -1 (and prints why). */
int test_pki_make(struct test_pki *pki);

/* Remove the files and the folder. */
void test_pki_remove(struct test_pki *pki);

#endif
