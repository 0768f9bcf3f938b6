/* test_http.c: Check unit tests for http.c: the request, the status line, headers, lengths, chunk
 * sizes, and whole responses read from a socket pair (head and body). */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "netlab_check.h"

/* An integer result (possibly negative) must be want; got is evaluated once. */
#define EXPECT_INT(did, got, want)                                                                 \
    do {                                                                                           \
        long long got_ = (long long)(got), want_ = (long long)(want);                              \
        ck_assert_msg(got_ == want_,                                                               \
                      "did:      %s\nexpected: %lld\ngot:      %lld (errno %d: %s)", (did), want_, \
                      got_, errno, strerror(errno));                                               \
    } while (0)

/* ------------------------------------------------------------------------------ the request */

START_TEST(request_default_port)
{
    char buf[256];
    const char *want = "GET /index.html HTTP/1.1\r\n"
                       "Host: example.org\r\n"
                       "User-Agent: httpget/1.0\r\n"
                       "Connection: close\r\n"
                       "\r\n";
    const char *did = "http_build_request(buf, 256, \"example.org\", \"80\", \"/index.html\")";

    memset(buf, 'X', sizeof buf);
    EXPECT_INT(did, http_build_request(buf, sizeof buf, "example.org", "80", "/index.html"),
               strlen(want));
    EXPECT_STR(did, buf, want);
}
END_TEST

START_TEST(request_port_and_ipv6)
{
    char buf[256];
    const char *want4 = "GET /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                        "User-Agent: httpget/1.0\r\nConnection: close\r\n\r\n";
    const char *want6 = "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n"
                        "User-Agent: httpget/1.0\r\nConnection: close\r\n\r\n";
    const char *want6_80 = "GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n"
                           "User-Agent: httpget/1.0\r\nConnection: close\r\n\r\n";

    http_build_request(buf, sizeof buf, "127.0.0.1", "8080", "/a?b=c");
    EXPECT_STR("http_build_request(buf, 256, \"127.0.0.1\", \"8080\", \"/a?b=c\")", buf, want4);
    http_build_request(buf, sizeof buf, "::1", "8080", "/");
    EXPECT_STR("http_build_request(buf, 256, \"::1\", \"8080\", \"/\")", buf, want6);
    http_build_request(buf, sizeof buf, "2001:db8::1", "80", "/");
    EXPECT_STR("http_build_request(buf, 256, \"2001:db8::1\", \"80\", \"/\")", buf, want6_80);
}
END_TEST

START_TEST(request_no_room)
{
    char buf[80];
    /* The request for host "a", port "80", path "/" is 71 bytes long. */
    errno = 0;
    EXPECT_ERR("http_build_request(buf, 71, \"a\", \"80\", \"/\") (a 71-byte request)",
               http_build_request(buf, 71, "a", "80", "/"), ENOSPC);
    EXPECT_INT("http_build_request(buf, 72, \"a\", \"80\", \"/\") (a 71-byte request)",
               http_build_request(buf, 72, "a", "80", "/"), 71);
}
END_TEST

/* -------------------------------------------------------------------------- the status line */

START_TEST(status_valid)
{
    static const struct {
        const char *line, *reason;
        int status;
    } cases[] = {
        {"HTTP/1.1 200 OK", "OK", 200},
        {"HTTP/1.0 404 Not Found", "Not Found", 404},
        {"HTTP/1.1 100 Continue", "Continue", 100},
        {"HTTP/1.1 599 x y z", "x y z", 599},
        {"HTTP/1.1 204", "", 204},
        {"HTTP/1.1 500 ", "", 500},
    };
    char did[96];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *reason = NULL;
        int status = 0;

        snprintf(did, sizeof did, "http_parse_status(\"%s\")", cases[i].line);
        EXPECT_OK(did, http_parse_status(cases[i].line, &status, &reason));
        EXPECT_INT(did, status, cases[i].status);
        ck_assert_msg(reason != NULL, "did:      %s\nexpected: a reason\ngot:      NULL", did);
        EXPECT_STR(did, reason, cases[i].reason);
    }
}
END_TEST

START_TEST(status_invalid)
{
    static const char *const bad[] = {
        "",
        "HTTP/1.1",
        "HTTP/1.1 ",
        "HTTP/1.1 20 OK",
        "HTTP/1.1 2000 OK",
        "HTTP/1.1 2OO OK",
        "HTTP/1.1 099 Low",
        "HTTP/1.1 600 High",
        "HTTP/1.1  200 OK",
        "HTTP/2 200 OK",
        "HTTP/1.10 200 OK",
        "ICY 200 OK",
        "http/1.1 200 OK",
        "HTTP/1.1 -20 OK",
        "HTTP/1.1 200OK",
    };
    char did[96];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *reason;
        int status;

        snprintf(did, sizeof did, "http_parse_status(\"%s\")", bad[i]);
        errno = 0;
        EXPECT_ERR(did, http_parse_status(bad[i], &status, &reason), EBADMSG);
    }
}
END_TEST

/* ------------------------------------------------------------------------------- headers */

/* http_parse_header on a copy of text must give want_name and want_value. */
static void expect_header(const char *text, const char *want_name, const char *want_value)
{
    char line[128], did[160], *name = NULL, *value = NULL;

    snprintf(line, sizeof line, "%s", text);
    snprintf(did, sizeof did, "http_parse_header(\"%s\")", text);
    EXPECT_OK(did, http_parse_header(line, &name, &value));
    ck_assert_msg(name != NULL && value != NULL,
                  "did:      %s\nexpected: name and value set\n"
                  "got:      NULL",
                  did);
    EXPECT_STR(did, name, want_name);
    EXPECT_STR(did, value, want_value);
}

START_TEST(header_valid)
{
    expect_header("Content-Length: 42", "Content-Length", "42");
    expect_header("Transfer-Encoding: chunked", "Transfer-Encoding", "chunked");
    expect_header("X-Odd_Name.1!#$%&'*+^`|~: a: b", "X-Odd_Name.1!#$%&'*+^`|~", "a: b");
    expect_header("Empty:", "Empty", "");
}
END_TEST

START_TEST(header_whitespace)
{
    expect_header("Content-Length:42", "Content-Length", "42");
    expect_header("Server:  \t spaced  out \t ", "Server", "spaced  out");
    expect_header("Blank: \t ", "Blank", "");
    expect_header("X:y", "X", "y");
}
END_TEST

START_TEST(header_invalid)
{
    static const char *const bad[] = {"no colon here", ": no name", "Bad Name: x", "Name : x",
                                      " Name: x",      "(x): y",    "Name\t: x",   ""};
    char line[64], did[96], *name, *value;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(line, sizeof line, "%s", bad[i]);
        snprintf(did, sizeof did, "http_parse_header(\"%s\")", bad[i]);
        errno = 0;
        EXPECT_ERR(did, http_parse_header(line, &name, &value), EBADMSG);
    }
}
END_TEST

/* ------------------------------------------------------------------------ Content-Length */

START_TEST(length_valid)
{
    static const struct {
        const char *text;
        uint64_t want;
    } cases[] = {{"0", 0},
                 {"42", 42},
                 {"0007", 7},
                 {"1048576", 1048576},
                 {"18446744073709551615", UINT64_MAX}};
    char did[64];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t length = 1;

        snprintf(did, sizeof did, "http_parse_length(\"%s\")", cases[i].text);
        EXPECT_OK(did, http_parse_length(cases[i].text, &length));
        EXPECT_UINT(did, length, cases[i].want);
    }
}
END_TEST

START_TEST(length_invalid)
{
    static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "12abc", "0x10", "1.5", "1,2"};
    char did[64];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t length = 7;

        snprintf(did, sizeof did, "http_parse_length(\"%s\")", bad[i]);
        errno = 0;
        EXPECT_ERR(did, http_parse_length(bad[i], &length), EBADMSG);
        EXPECT_UINT("the length after a rejected Content-Length (must be unchanged)", length, 7);
    }
}
END_TEST

START_TEST(length_overflow)
{
    static const char *const big[] = {"18446744073709551616", "99999999999999999999",
                                      "123456789012345678901234567890"};
    char did[80];

    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        uint64_t length;

        snprintf(did, sizeof did, "http_parse_length(\"%s\")", big[i]);
        errno = 0;
        EXPECT_ERR(did, http_parse_length(big[i], &length), ERANGE);
    }
}
END_TEST

/* --------------------------------------------------------------------------- chunk sizes */

static void expect_chunk(const char *line, uint64_t want)
{
    char did[80];
    uint64_t size = 12345;

    snprintf(did, sizeof did, "http_parse_chunk_size(\"%s\")", line);
    EXPECT_OK(did, http_parse_chunk_size(line, &size));
    EXPECT_UINT(did, size, want);
}

START_TEST(chunk_hex)
{
    expect_chunk("0", 0);
    expect_chunk("a", 10);
    expect_chunk("1a", 26);
    expect_chunk("1A", 26);
    expect_chunk("10", 16);
    expect_chunk("FfFf", 65535);
    expect_chunk("00010", 16);
    expect_chunk("ffffffffffffffff", UINT64_MAX);
}
END_TEST

START_TEST(chunk_extension)
{
    expect_chunk("1a;name=value", 26);
    expect_chunk("5 ;x", 5);
    expect_chunk("5\t;x=\"quoted; value\"", 5);
    expect_chunk("10;", 16);
    expect_chunk("3 ", 3);
}
END_TEST

START_TEST(chunk_invalid)
{
    static const char *const bad[] = {"", ";x", "g", "1g", "-1", "0x1a", " 1a", "1 a", "+5"};
    char did[64];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t size;

        snprintf(did, sizeof did, "http_parse_chunk_size(\"%s\")", bad[i]);
        errno = 0;
        EXPECT_ERR(did, http_parse_chunk_size(bad[i], &size), EBADMSG);
    }
}
END_TEST

START_TEST(chunk_overflow)
{
    uint64_t size;

    errno = 0;
    EXPECT_ERR("http_parse_chunk_size(\"10000000000000000\") (2 to the power 64)",
               http_parse_chunk_size("10000000000000000", &size), ERANGE);
    errno = 0;
    EXPECT_ERR("http_parse_chunk_size(\"fffffffffffffffff0\")",
               http_parse_chunk_size("fffffffffffffffff0", &size), ERANGE);
}
END_TEST

/* ----------------------------------------------------------------------- whole responses */

static struct reader rd;
static int ours = -1, peer = -1;
static FILE *out;

/* A reader on a socket pair whose peer has sent len bytes (and then closed, if close_peer). */
static void serve(const void *data, size_t len, int close_peer)
{
    int sv[2];
    const char *p = data;

    ck_assert_msg(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair: %s", strerror(errno));
    ours = sv[0];
    peer = sv[1];
    while (len > 0) {
        ssize_t n = write(peer, p, len);

        ck_assert_msg(n > 0, "the test could not write its data: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    if (close_peer) {
        close(peer);
        peer = -1;
    }
    reader_init(&rd, ours, 2000);
}

static void serve_text(const char *text, int close_peer)
{
    serve(text, strlen(text), close_peer);
}

static void cleanup(void)
{
    if (ours != -1)
        close(ours);
    if (peer != -1)
        close(peer);
    ours = peer = -1;
    if (out != NULL)
        fclose(out);
    out = NULL;
}

/* What http_copy_body wrote to out so far must be want (n bytes). */
static void expect_output(const char *did, const void *want, size_t n)
{
    static char got[65536];
    long size;

    ck_assert(fflush(out) == 0);
    size = ftell(out);
    rewind(out);
    EXPECT_UINT(did, size, n);
    ck_assert(fread(got, 1, n, out) == n);
    ck_assert_msg(memcmp(got, want, n) == 0,
                  "did:      %s\nexpected: the body's bytes\ngot:      other bytes", did);
}

START_TEST(head_content_length)
{
    struct http_response resp;
    const char *did = "http_read_head on \"HTTP/1.1 200 OK\\r\\nContent-Length: 11\\r\\n"
                      "Server: t\\r\\n\\r\\nhello world\"";
    char body[16];

    serve_text("HTTP/1.1 200 OK\r\nContent-Length: 11\r\nServer: t\r\n\r\nhello world", 1);
    EXPECT_INT(did, http_read_head(&rd, &resp), HTTP_OK);
    EXPECT_INT(did, resp.status, 200);
    EXPECT_STR(did, resp.reason, "OK");
    EXPECT_INT("resp.has_length after that", resp.has_length, 1);
    EXPECT_UINT("resp.content_length after that", resp.content_length, 11);
    EXPECT_INT("resp.chunked after that", resp.chunked, 0);
    EXPECT_INT("reader_read after http_read_head: the body is still there",
               reader_read(&rd, body, sizeof body), 11);
}
END_TEST

START_TEST(head_chunked)
{
    struct http_response resp;
    const char *did = "http_read_head on \"HTTP/1.0 201 Created\\r\\nTransfer-Encoding: chunked"
                      "\\r\\n\\r\\n\"";

    serve_text("HTTP/1.0 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n", 1);
    EXPECT_INT(did, http_read_head(&rd, &resp), HTTP_OK);
    EXPECT_INT(did, resp.status, 201);
    EXPECT_STR(did, resp.reason, "Created");
    EXPECT_INT("resp.chunked after that", resp.chunked, 1);
    EXPECT_INT("resp.has_length after that", resp.has_length, 0);
}
END_TEST

START_TEST(head_names_any_case)
{
    struct http_response resp;
    const char *did = "http_read_head on \"HTTP/1.1 200 OK\\r\\ncontent-LENGTH: 7\\r\\n"
                      "TRANSFER-encoding: Chunked\\r\\n\\r\\n\"";

    serve_text("HTTP/1.1 200 OK\r\ncontent-LENGTH: 7\r\nTRANSFER-encoding: Chunked\r\n\r\n", 1);
    EXPECT_INT(did, http_read_head(&rd, &resp), HTTP_OK);
    EXPECT_INT("resp.has_length after that (header names are case-insensitive)", resp.has_length,
               1);
    EXPECT_UINT("resp.content_length after that", resp.content_length, 7);
    EXPECT_INT("resp.chunked after that (\"chunked\" is case-insensitive too)", resp.chunked, 1);
}
END_TEST

START_TEST(head_interim)
{
    struct http_response resp;
    const char *did = "http_read_head on \"HTTP/1.1 100 Continue\\r\\n\\r\\nHTTP/1.1 103 Early "
                      "Hints\\r\\nLink: x\\r\\n\\r\\nHTTP/1.1 200 OK\\r\\n\\r\\n\"";

    serve_text("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
               "HTTP/1.1 200 OK\r\n\r\n",
               1);
    EXPECT_INT(did, http_read_head(&rd, &resp), HTTP_OK);
    EXPECT_INT("the status after that (1xx responses are skipped)", resp.status, 200);
}
END_TEST

START_TEST(head_malformed)
{
    static const char *const bad[] = {
        "HTTP/1.1 2OO OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nServer: t\r\n",
        "HTTP/1.1 200 OK",
        "",
    };
    struct http_response resp;
    char did[160];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        serve_text(bad[i], 1);
        snprintf(did, sizeof did, "http_read_head on the response \"%.*s...\" (then closed)", 60,
                 bad[i]);
        resp.why = NULL;
        EXPECT_INT(did, http_read_head(&rd, &resp), HTTP_ERR_PROTOCOL);
        ck_assert_msg(resp.why != NULL, "did:      %s\nexpected: resp.why set\ngot:      NULL",
                      did);
        cleanup();
    }
}
END_TEST

START_TEST(head_limits)
{
    static char data[HTTP_LINE_MAX + 64];
    struct http_response resp;
    size_t len;

    len = (size_t)snprintf(data, sizeof data, "HTTP/1.1 200 OK\r\nX: ");
    memset(data + len, 'v', HTTP_LINE_MAX);
    memcpy(data + len + HTTP_LINE_MAX, "\r\n\r\n", 4);
    serve(data, len + HTTP_LINE_MAX + 4, 1);
    EXPECT_INT("http_read_head on a header line of 8195 bytes", http_read_head(&rd, &resp),
               HTTP_ERR_PROTOCOL);
    cleanup();
    len = (size_t)snprintf(data, sizeof data, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 101; i++)
        len += (size_t)snprintf(data + len, sizeof data - len, "X-%d: y\r\n", i);
    len += (size_t)snprintf(data + len, sizeof data - len, "\r\n");
    serve(data, len, 1);
    EXPECT_INT("http_read_head on a response with 101 header lines", http_read_head(&rd, &resp),
               HTTP_ERR_PROTOCOL);
    cleanup();
    serve("HTTP/1.1 200 OK\r\nContent-Length: 5\0 0\r\n\r\n", 41, 1);
    EXPECT_INT("http_read_head on a header line with a NUL byte in it", http_read_head(&rd, &resp),
               HTTP_ERR_PROTOCOL);
    cleanup();
    len = (size_t)snprintf(data, sizeof data, "HTTP/1.1 200 OK\r\nX: ");
    memset(data + len, 'v', HTTP_LINE_MAX - 1 - 3);
    len += HTTP_LINE_MAX - 1 - 3;
    len += (size_t)snprintf(data + len, sizeof data - len, "\r\n\r\n");
    serve(data, len, 1);
    EXPECT_INT("http_read_head on a header line of 8191 bytes (the longest allowed)",
               http_read_head(&rd, &resp), HTTP_OK);
}
END_TEST

START_TEST(head_timeout)
{
    struct http_response resp;

    serve_text("HTTP/1.1 200 OK\r\n", 0);
    rd.timeout_ms = 100;
    errno = 0;
    EXPECT_INT("http_read_head on a status line and then nothing (connection open, 100 ms "
               "timeout)",
               http_read_head(&rd, &resp), HTTP_ERR_READ);
    EXPECT_INT("errno after that", errno, ETIMEDOUT);
}
END_TEST

/* A response with this framing, for http_copy_body. */
static struct http_response framing(int status, int chunked, int has_length, uint64_t length)
{
    struct http_response resp;

    memset(&resp, 0, sizeof resp);
    resp.status = status;
    resp.chunked = chunked;
    resp.has_length = has_length;
    resp.content_length = length;
    return resp;
}

START_TEST(body_length)
{
    struct http_response resp = framing(200, 0, 1, 5);
    char rest[16];

    out = tmpfile();
    serve_text("helloEXTRA", 0);
    EXPECT_INT("http_copy_body with Content-Length 5 on \"helloEXTRA\" (the connection stays open)",
               http_copy_body(&rd, &resp, out), HTTP_OK);
    expect_output("the body written", "hello", 5);
    EXPECT_INT("reader_read after the body: the bytes after it were not consumed",
               reader_read(&rd, rest, sizeof rest), 5);
}
END_TEST

START_TEST(body_chunked)
{
    struct http_response resp = framing(200, 1, 0, 0);
    const char *wire = "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
                       "0\r\nTrailer: x\r\n\r\nNEXT";
    char rest[8];

    out = tmpfile();
    serve_text(wire, 0);
    EXPECT_INT("http_copy_body on the chunked body \"4\\r\\nWiki\\r\\n5;ext=1\\r\\npedia\\r\\nE\\r"
               "\\n in\\r\\n\\r\\nchunks.\\r\\n0\\r\\nTrailer: x\\r\\n\\r\\n\"",
               http_copy_body(&rd, &resp, out), HTTP_OK);
    expect_output("the body written", "Wikipedia in\r\n\r\nchunks.", 23);
    EXPECT_INT("reader_read after the body: what follows its last line was not consumed",
               reader_read(&rd, rest, sizeof rest), 4);
}
END_TEST

START_TEST(body_big_chunk)
{
    static char wire[20000 + 64];
    static char data[20000];
    struct http_response resp = framing(200, 1, 0, 0);
    size_t len;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i % 251);
    len = (size_t)snprintf(wire, sizeof wire, "4e20\r\n");
    memcpy(wire + len, data, sizeof data);
    len += sizeof data;
    memcpy(wire + len, "\r\n0\r\n\r\n", 7);
    out = tmpfile();
    serve(wire, len + 7, 1);
    EXPECT_INT("http_copy_body on one chunk of 0x4e20 (20000) bytes",
               http_copy_body(&rd, &resp, out), HTTP_OK);
    expect_output("the body written", data, sizeof data);
}
END_TEST

START_TEST(body_until_close)
{
    struct http_response resp = framing(200, 0, 0, 0);

    out = tmpfile();
    serve_text("no length: the body ends when the server closes", 1);
    EXPECT_INT("http_copy_body without Content-Length or chunked framing",
               http_copy_body(&rd, &resp, out), HTTP_OK);
    expect_output("the body written", "no length: the body ends when the server closes", 47);
}
END_TEST

START_TEST(body_binary)
{
    static unsigned char wire[300], data[256];
    struct http_response resp = framing(200, 0, 1, 256);
    size_t len;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(255 - i);
    out = tmpfile();
    serve(data, sizeof data, 0);
    EXPECT_INT("http_copy_body of 256 bytes 0xff, 0xfe, ... 0x00 (Content-Length 256)",
               http_copy_body(&rd, &resp, out), HTTP_OK);
    expect_output("the body written (every byte value, NUL included)", data, sizeof data);
    cleanup();
    resp = framing(200, 1, 0, 0);
    len = (size_t)snprintf((char *)wire, sizeof wire, "100\r\n");
    memcpy(wire + len, data, sizeof data);
    memcpy(wire + len + sizeof data, "\r\n0\r\n\r\n", 7);
    out = tmpfile();
    serve(wire, len + sizeof data + 7, 0);
    EXPECT_INT("http_copy_body of the same 256 bytes in one chunk", http_copy_body(&rd, &resp, out),
               HTTP_OK);
    expect_output("the body written (chunked)", data, sizeof data);
}
END_TEST

START_TEST(body_no_content)
{
    struct http_response resp = framing(204, 0, 0, 0);

    out = tmpfile();
    serve_text("", 0);
    EXPECT_INT("http_copy_body for status 204 (no body; the connection stays open)",
               http_copy_body(&rd, &resp, out), HTTP_OK);
    expect_output("the body written", "", 0);
}
END_TEST

START_TEST(body_truncated)
{
    static const struct {
        const char *wire;
        int chunked;
    } cases[] = {
        {"abc", 0},
        {"5\r\nabc", 1},
        {"3\r\nabc\r\n", 1},
        {"3\r\nabc\r\n0\r\n", 1},
    };
    char did[128];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_response resp = framing(200, cases[i].chunked, !cases[i].chunked, 10);

        out = tmpfile();
        serve_text(cases[i].wire, 1);
        snprintf(did, sizeof did, "http_copy_body (%s) on \"%s\", then the connection closes",
                 cases[i].chunked ? "chunked" : "Content-Length 10", cases[i].wire);
        EXPECT_INT(did, http_copy_body(&rd, &resp, out), HTTP_ERR_PROTOCOL);
        ck_assert_msg(resp.why != NULL, "did:      %s\nexpected: resp.why set\ngot:      NULL",
                      did);
        cleanup();
    }
}
END_TEST

START_TEST(body_bad_chunks)
{
    static const char *const bad[] = {"3\r\nabcX\r\n0\r\n\r\n", "5\r\nab\r\n0\r\n\r\n",
                                      "g\r\nabc\r\n0\r\n\r\n", "\r\n"};
    char did[128];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_response resp = framing(200, 1, 0, 0);

        out = tmpfile();
        serve_text(bad[i], 1);
        snprintf(did, sizeof did, "http_copy_body on the chunked body \"%s\" (then closed)",
                 bad[i]);
        EXPECT_INT(did, http_copy_body(&rd, &resp, out), HTTP_ERR_PROTOCOL);
        cleanup();
    }
}
END_TEST

static Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *request = tcase_create("request");
    TCase *status = tcase_create("status");
    TCase *header = tcase_create("header");
    TCase *length = tcase_create("length");
    TCase *chunk = tcase_create("chunk");

    tcase_add_test(request, request_default_port);
    tcase_add_test(request, request_port_and_ipv6);
    tcase_add_test(request, request_no_room);
    tcase_add_test(status, status_valid);
    tcase_add_test(status, status_invalid);
    tcase_add_test(header, header_valid);
    tcase_add_test(header, header_whitespace);
    tcase_add_test(header, header_invalid);
    tcase_add_test(length, length_valid);
    tcase_add_test(length, length_invalid);
    tcase_add_test(length, length_overflow);
    tcase_add_test(chunk, chunk_hex);
    tcase_add_test(chunk, chunk_extension);
    tcase_add_test(chunk, chunk_invalid);
    tcase_add_test(chunk, chunk_overflow);
    suite_add_tcase(s, request);
    suite_add_tcase(s, status);
    suite_add_tcase(s, header);
    suite_add_tcase(s, length);
    suite_add_tcase(s, chunk);
    return s;
}

static Suite *response_suite(void)
{
    Suite *s = suite_create("response");
    TCase *head = tcase_create("head");
    TCase *body = tcase_create("body");

    tcase_add_checked_fixture(head, NULL, cleanup);
    tcase_add_checked_fixture(body, NULL, cleanup);
    tcase_add_test(head, head_content_length);
    tcase_add_test(head, head_chunked);
    tcase_add_test(head, head_names_any_case);
    tcase_add_test(head, head_interim);
    tcase_add_test(head, head_malformed);
    tcase_add_test(head, head_limits);
    tcase_add_test(head, head_timeout);
    tcase_add_test(body, body_length);
    tcase_add_test(body, body_chunked);
    tcase_add_test(body, body_big_chunk);
    tcase_add_test(body, body_until_close);
    tcase_add_test(body, body_binary);
    tcase_add_test(body, body_no_content);
    tcase_add_test(body, body_truncated);
    tcase_add_test(body, body_bad_chunks);
    suite_add_tcase(s, head);
    suite_add_tcase(s, body);
    return s;
}

Suite *reader_suite(void);

Suite *(*const unit_suites[])(void) = {reader_suite, http_suite, response_suite, NULL};
