/*
 * sigv4.h - AWS Signature Version 4 request signer (HMAC-SHA256 over a canonical
 * request), standalone: no network, no global state, usable alone in tests.
 *
 * The output matches botocore's SigV4Auth (botocore/auth.py) byte for byte for
 * the requests this provider makes; tests/aws/test_sigv4_botocore.py proves it.
 * Like botocore, the signer signs every header it is given except Expect,
 * User-Agent and X-Amzn-Trace-Id, adds Host (from the URL, default port
 * dropped) when absent, adds X-Amz-Date and, with a session token,
 * X-Amz-Security-Token. It does not add x-amz-content-sha256 (botocore does not
 * for SSM or STS); a caller-supplied X-Amz-Content-SHA256 header replaces the
 * body hash, as in botocore.
 *
 * Limits: at most SIGV4_MAX_HEADERS headers; a Date header is not supported
 * (botocore would switch to it; this provider never sends one) and is rejected.
 * URLs are "scheme://host[:port][/path][?query]" without userinfo or fragment;
 * IPv6 literal hosts are not supported.
 */
#ifndef SSMPATCH_SIGV4_H
#define SSMPATCH_SIGV4_H

#include <stddef.h>
#include <time.h>

#define SIGV4_MAX_HEADERS 32

typedef struct {
	const char *name; /* any case */
	const char *value; /* UTF-8 */
} sigv4_header;

typedef struct {
	const char *method; /* "POST" */
	const char *url; /* "https://ssm.us-east-1.amazonaws.com/" */
	const sigv4_header *headers; /* borrowed; excluding Host/X-Amz-Date/token */
	size_t n_headers;
	const unsigned char *body; /* may be NULL when body_len == 0 */
	size_t body_len;
} sigv4_request;

/* Credentials the signer needs. Borrowed strings; token NULL or "" = none. */
typedef struct {
	const char *access_key;
	const char *secret_key;
	const char *token;
} sigv4_credentials;

/* Everything a signing produced. Owned: release with sigv4_result_free. */
typedef struct {
	char amz_date[17]; /* "20150830T123600Z": send as X-Amz-Date */
	char *authorization; /* full Authorization header value */
	char *canonical_request; /* for tests and TRACE diagnostics (no secrets in it
	                          * except the session token as a header value) */
	char *string_to_sign;
	char signature[65]; /* lower-case hex */
} sigv4_result;

/*
 * Sign `req` at time `now` (UTC seconds) for `region`/`service`.
 * Returns 0 and fills *out, or -1 on invalid input (NULL fields, malformed URL,
 * too many headers, a Date header) or allocation failure; *out is then zeroed.
 * Send X-Amz-Date: out->amz_date, X-Amz-Security-Token: creds->token (if any)
 * and Authorization: out->authorization along with req's headers.
 */
int sigv4_sign(sigv4_result *out, const sigv4_request *req, const sigv4_credentials *creds,
	       const char *region, const char *service, time_t now);
void sigv4_result_free(sigv4_result *r);

/* Lower-case hex SHA-256 of data into out[65]. */
void sigv4_sha256_hex(char out[65], const void *data, size_t len);

#endif
