/*
 * sigv4.c - AWS Signature Version 4 (see sigv4.h for the contract).
 *
 * Why our own signer and not libcurl's CURLOPT_AWS_SIGV4: we need the signer
 * testable byte for byte on its own (tests/aws/test_sigv4_botocore.py compares
 * it with botocore without any network), we sign STS form-encoded bodies and
 * the session-token header exactly as botocore does, and every request of the
 * provider (SSM JSON, STS query) goes through this one code path. curl's signer
 * also adds x-amz-content-sha256 and derives region/service from the host name,
 * which does not work for emulator endpoints such as http://127.0.0.1:4566.
 *
 * The steps follow botocore.auth.SigV4Auth.add_auth:
 *   canonical request = METHOD \n URI \n QUERY \n HEADERS \n \n SIGNED \n HASH
 *   string to sign    = AWS4-HMAC-SHA256 \n DATE \n SCOPE \n hex(sha256(CR))
 *   signing key       = HMAC chain "AWS4"+secret -> date -> region -> service
 *                       -> "aws4_request"
 * including botocore's quirks: the URI path is dot-segment-normalised, runs of
 * slashes collapsed and then percent-encoded again (a '%' becomes "%25"); the
 * query string from the URL is sorted but not re-encoded; header values are
 * trimmed and inner whitespace runs collapsed with Python's str.split()
 * definition of whitespace (which includes some non-ASCII spaces).
 */
#include "sigv4.h"
#include "core/buf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

/* Canonical request size limit: headers are small; the body is only hashed. */
#define SIGV4_MAX_TEXT (1024 * 1024)

typedef struct {
	char *lname; /* owned, lower-case */
	const char *value; /* borrowed */
	size_t order; /* insertion order, to keep duplicate values stable */
} sig_hdr;

void sigv4_sha256_hex(char out[65], const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t i;

	SHA256(data ? data : (const void *)"", len, md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

static int hmac_sha256(unsigned char out[32], const void *key, size_t key_len, const char *msg)
{
	unsigned int n = 32;

	if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, strlen(msg), out,
		  &n))
		return -1;
	return n == 32 ? 0 : -1;
}

/* Length of the Python str.isspace() character at p (UTF-8), 0 if none. */
static size_t py_space_len(const unsigned char *p)
{
	if (*p == ' ' || (*p >= 0x09 && *p <= 0x0d) || (*p >= 0x1c && *p <= 0x1f))
		return 1;
	if (p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
		return 3; /* U+1680 */
	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return 3; /* U+2000..200A, U+2028, U+2029, U+202F */
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3; /* U+205F */
	if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

/* ' '.join(value.split()) */
static int put_trimall(buf *b, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	bool need_space = false;

	while (*p) {
		size_t sl = py_space_len(p);
		if (sl) {
			p += sl;
			continue;
		}
		if (need_space && buf_putc(b, ' ') < 0)
			return -1;
		while (*p && !py_space_len(p)) {
			if (buf_putc(b, (char)*p) < 0)
				return -1;
			p++;
		}
		need_space = true;
	}
	return 0;
}

static char *lower_dup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	size_t i;

	if (!d)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	d[n] = '\0';
	return d;
}

static int hdr_cmp(const void *a, const void *b)
{
	const sig_hdr *x = a, *y = b;
	int c = strcmp(x->lname, y->lname);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

typedef struct {
	const char *scheme, *host, *path, *query; /* into `storage` */
	char *storage;
	int port; /* -1 when absent */
} sig_url;

/* Split "scheme://host[:port][/path][?query][#frag]"; host lower-cased. */
static int url_parse(sig_url *u, const char *url)
{
	const char *p = strstr(url, "://"), *auth, *auth_end, *q, *colon;
	size_t n = strlen(url);
	char *s;

	memset(u, 0, sizeof(*u));
	u->port = -1;
	if (!p || p == url)
		return -1;
	/* storage: scheme \0 host \0 path \0 query \0 */
	s = u->storage = calloc(1, n + 8);
	if (!s)
		return -1;
	memcpy(s, url, (size_t)(p - url));
	u->scheme = s;
	s += (p - url) + 1;
	auth = p + 3;
	auth_end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(auth_end - auth)) ||
	    memchr(auth, '[', (size_t)(auth_end - auth)))
		return -1;
	colon = memchr(auth, ':', (size_t)(auth_end - auth));
	if (colon) {
		long port = 0;
		const char *d;
		if (colon + 1 == auth_end)
			return -1;
		for (d = colon + 1; d < auth_end; d++) {
			if (*d < '0' || *d > '9' || port > 65535)
				return -1;
			port = port * 10 + (*d - '0');
		}
		if (port > 65535)
			return -1;
		u->port = (int)port;
	} else {
		colon = auth_end;
	}
	if (colon == auth)
		return -1;
	for (q = auth; q < colon; q++)
		*s++ = (*q >= 'A' && *q <= 'Z') ? (char)(*q - 'A' + 'a') : *q;
	u->host = u->scheme + (p - url) + 1;
	*s++ = '\0';
	u->path = s;
	q = auth_end + strcspn(auth_end, "?#");
	memcpy(s, auth_end, (size_t)(q - auth_end));
	s += (q - auth_end) + 1;
	u->query = s;
	if (*q == '?') {
		const char *qe = q + 1 + strcspn(q + 1, "#");
		memcpy(s, q + 1, (size_t)(qe - q - 1));
	}
	return 0;
}

/* botocore: quote(remove_dot_segments(path) or '/', safe='/~') */
static int put_canonical_path(buf *b, const char *path)
{
	size_t n = strlen(path), nseg = 0, i;
	const char **seg = NULL;
	size_t *seglen = NULL;
	const char *p = path;
	int rc = -1;

	if (n == 0)
		return buf_putc(b, '/');
	seg = calloc(n + 1, sizeof(*seg));
	seglen = calloc(n + 1, sizeof(*seglen));
	if (!seg || !seglen)
		goto done;
	while (*p) {
		size_t l = strcspn(p, "/");
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg)
				nseg--;
		} else if (l && !(l == 1 && p[0] == '.')) {
			seg[nseg] = p;
			seglen[nseg++] = l;
		}
		p += l;
		if (*p == '/')
			p++;
	}
	if (path[0] == '/' && buf_putc(b, '/') < 0)
		goto done;
	for (i = 0; i < nseg; i++) {
		if (i && buf_putc(b, '/') < 0)
			goto done;
		if (buf_uri_encoded(b, seg[i], seglen[i], "/~") < 0)
			goto done;
	}
	if (path[n - 1] == '/' && nseg && buf_putc(b, '/') < 0)
		goto done;
	rc = 0;
done:
	free(seg);
	free(seglen);
	return rc;
}

typedef struct {
	const char *k, *v;
	size_t kl, vl;
} qpair;

static int qpair_cmp(const void *a, const void *b)
{
	const qpair *x = a, *y = b;
	size_t m = x->kl < y->kl ? x->kl : y->kl;
	int c = memcmp(x->k, y->k, m);

	if (c)
		return c;
	if (x->kl != y->kl)
		return x->kl < y->kl ? -1 : 1;
	m = x->vl < y->vl ? x->vl : y->vl;
	c = memcmp(x->v, y->v, m);
	if (c)
		return c;
	return x->vl < y->vl ? -1 : x->vl > y->vl;
}

/* botocore _canonical_query_string_url: split on '&', partition on '=', sort. */
static int put_canonical_query(buf *b, const char *query)
{
	size_t n = 1, i, np = 0;
	const char *p;
	qpair *pairs;
	int rc = -1;

	if (!*query)
		return 0;
	for (p = query; *p; p++)
		n += *p == '&';
	pairs = calloc(n, sizeof(*pairs));
	if (!pairs)
		return -1;
	p = query;
	for (;;) {
		size_t l = strcspn(p, "&");
		const char *eq = memchr(p, '=', l);
		pairs[np].k = p;
		pairs[np].kl = eq ? (size_t)(eq - p) : l;
		pairs[np].v = eq ? eq + 1 : p + l;
		pairs[np].vl = eq ? l - (size_t)(eq - p) - 1 : 0;
		np++;
		if (!p[l])
			break;
		p += l + 1;
	}
	qsort(pairs, np, sizeof(*pairs), qpair_cmp);
	for (i = 0; i < np; i++) {
		if ((i && buf_putc(b, '&') < 0) || buf_append(b, pairs[i].k, pairs[i].kl) < 0 ||
		    buf_putc(b, '=') < 0 || buf_append(b, pairs[i].v, pairs[i].vl) < 0)
			goto done;
	}
	rc = 0;
done:
	free(pairs);
	return rc;
}

void sigv4_result_free(sigv4_result *r)
{
	if (!r)
		return;
	free(r->authorization);
	free(r->canonical_request);
	free(r->string_to_sign);
	memset(r, 0, sizeof(*r));
}

int sigv4_sign(sigv4_result *out, const sigv4_request *req, const sigv4_credentials *creds,
	       const char *region, const char *service, time_t now)
{
	sig_hdr hdrs[SIGV4_MAX_HEADERS + 3];
	size_t nh = 0, i;
	sig_url url = {0};
	buf cr, sts, signed_names, auth;
	char host[300], date[9], payload_hash[65], cr_hash[65], *key = NULL;
	const char *content_sha = NULL;
	bool has_token, has_host = false;
	unsigned char k1[32], k2[32];
	struct tm tm;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	buf_init(&cr, SIGV4_MAX_TEXT);
	buf_init(&sts, SIGV4_MAX_TEXT);
	buf_init(&signed_names, SIGV4_MAX_TEXT);
	buf_init(&auth, SIGV4_MAX_TEXT);
	memset(hdrs, 0, sizeof(hdrs));

	if (!req || !req->method || !req->url || !creds || !creds->access_key ||
	    !creds->secret_key || !region || !service || (req->n_headers && !req->headers) ||
	    req->n_headers > SIGV4_MAX_HEADERS || (req->body_len && !req->body))
		goto done;
	if (!gmtime_r(&now, &tm) ||
	    strftime(out->amz_date, sizeof(out->amz_date), "%Y%m%dT%H%M%SZ", &tm) != 16)
		goto done;
	memcpy(date, out->amz_date, 8);
	date[8] = '\0';
	if (url_parse(&url, req->url) < 0)
		goto done;
	has_token = creds->token && creds->token[0];

	/* headers_to_sign */
	for (i = 0; i < req->n_headers; i++) {
		const sigv4_header *h = &req->headers[i];
		char *ln;
		if (!h->name || !h->value)
			goto done;
		if (!(ln = lower_dup(h->name, strlen(h->name))))
			goto done;
		if (!strcmp(ln, "date")) {
			free(ln);
			goto done;
		}
		if (!strcmp(ln, "x-amz-content-sha256") && !content_sha)
			content_sha = h->value;
		if (!strcmp(ln, "expect") || !strcmp(ln, "user-agent") ||
		    !strcmp(ln, "x-amzn-trace-id") || !strcmp(ln, "authorization") ||
		    !strcmp(ln, "x-amz-date") ||
		    (has_token && !strcmp(ln, "x-amz-security-token"))) {
			free(ln);
			continue;
		}
		has_host = has_host || !strcmp(ln, "host");
		hdrs[nh].lname = ln;
		hdrs[nh].value = h->value;
		hdrs[nh].order = nh;
		nh++;
	}
	if (!(hdrs[nh].lname = lower_dup("x-amz-date", 10)))
		goto done;
	hdrs[nh].value = out->amz_date;
	hdrs[nh].order = nh;
	nh++;
	if (has_token) {
		if (!(hdrs[nh].lname = lower_dup("x-amz-security-token", 20)))
			goto done;
		hdrs[nh].value = creds->token;
		hdrs[nh].order = nh;
		nh++;
	}
	if (!has_host) {
		bool default_port = url.port < 0 ||
				    (!strcmp(url.scheme, "http") && url.port == 80) ||
				    (!strcmp(url.scheme, "https") && url.port == 443);
		int n = default_port ? snprintf(host, sizeof(host), "%s", url.host)
				     : snprintf(host, sizeof(host), "%s:%d", url.host, url.port);
		if (n < 0 || (size_t)n >= sizeof(host))
			goto done;
		if (!(hdrs[nh].lname = lower_dup("host", 4)))
			goto done;
		hdrs[nh].value = host;
		hdrs[nh].order = nh;
		nh++;
	}
	qsort(hdrs, nh, sizeof(hdrs[0]), hdr_cmp);

	/* canonical request */
	for (i = 0; req->method[i]; i++) {
		char c = req->method[i];
		if (buf_putc(&cr, (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c) < 0)
			goto done;
	}
	if (buf_putc(&cr, '\n') < 0 || put_canonical_path(&cr, url.path) < 0 ||
	    buf_putc(&cr, '\n') < 0 || put_canonical_query(&cr, url.query) < 0 ||
	    buf_putc(&cr, '\n') < 0)
		goto done;
	for (i = 0; i < nh; i++) {
		bool first = i == 0 || strcmp(hdrs[i].lname, hdrs[i - 1].lname) != 0;
		if (first) {
			if (i && buf_putc(&cr, '\n') < 0)
				goto done;
			if (buf_printf(&cr, "%s:", hdrs[i].lname) < 0)
				goto done;
			if (signed_names.len && buf_putc(&signed_names, ';') < 0)
				goto done;
			if (buf_puts(&signed_names, hdrs[i].lname) < 0)
				goto done;
		} else if (buf_putc(&cr, ',') < 0) {
			goto done;
		}
		if (put_trimall(&cr, hdrs[i].value) < 0)
			goto done;
	}
	if (!content_sha)
		sigv4_sha256_hex(payload_hash, req->body, req->body_len);
	if (buf_printf(&cr, "\n\n%s\n%s", signed_names.data ? signed_names.data : "",
		       content_sha ? content_sha : payload_hash) < 0)
		goto done;

	/* string to sign */
	sigv4_sha256_hex(cr_hash, cr.data, cr.len);
	if (buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", out->amz_date, date,
		       region, service, cr_hash) < 0)
		goto done;

	/* signing key and signature */
	{
		size_t kl = strlen(creds->secret_key) + 5;
		unsigned char sig[32];
		static const char hex[] = "0123456789abcdef";
		if (!(key = malloc(kl)))
			goto done;
		snprintf(key, kl, "AWS4%s", creds->secret_key);
		if (hmac_sha256(k1, key, kl - 1, date) < 0 || hmac_sha256(k2, k1, 32, region) < 0 ||
		    hmac_sha256(k1, k2, 32, service) < 0 ||
		    hmac_sha256(k2, k1, 32, "aws4_request") < 0 ||
		    hmac_sha256(sig, k2, 32, sts.data) < 0)
			goto done;
		for (i = 0; i < 32; i++) {
			out->signature[2 * i] = hex[sig[i] >> 4];
			out->signature[2 * i + 1] = hex[sig[i] & 15];
		}
		out->signature[64] = '\0';
	}
	if (buf_printf(&auth,
		       "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
		       "Signature=%s",
		       creds->access_key, date, region, service, signed_names.data,
		       out->signature) < 0)
		goto done;
	if (!(out->authorization = buf_detach(&auth, NULL)) ||
	    !(out->canonical_request = buf_detach(&cr, NULL)) ||
	    !(out->string_to_sign = buf_detach(&sts, NULL)))
		goto done;
	rc = 0;
done:
	if (key) {
		OPENSSL_cleanse(key, strlen(key));
		free(key);
	}
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	for (i = 0; i < SIGV4_MAX_HEADERS + 3; i++)
		free(hdrs[i].lname);
	free(url.storage);
	buf_free(&cr);
	buf_free(&sts);
	buf_free(&signed_names);
	buf_free(&auth);
	if (rc < 0)
		sigv4_result_free(out);
	return rc;
}
