/*
 * fuzz_aws.c - libFuzzer target: the parts of provider/aws/ that read bytes
 * from outside (the network, shared files) or sign arbitrary requests.
 *
 * Input: selector byte, then fields separated by NUL bytes. Selector (mod 6):
 *   0  sigv4_sign: method, url, region, service, then header name/value
 *      pairs, the last field is the body. Signed twice: results must be
 *      identical, the signature 64 lower-case hex digits found in the
 *      Authorization header.
 *   1  aws_parse_json_error: error-type header, body (HTTP status from byte 1).
 *   2  aws_parse_query_error: body (STS/query XML).
 *   3  aws_xml_text: element name, document.
 *   4  iso8601_parse as credentials expirations are read (RFC 3339 flags).
 *   5  aws_ini_load of the payload as a shared config file (through a memfd),
 *      then look-ups of a few sections and keys.
 * Oracles besides the sanitizers: aws_error strings stay NUL-terminated in
 * their arrays, classified codes are in the aws_err range.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aws/aws_internal.h"
#include "core/iso8601.h"
#include "fuzz_common.h"

#define MAX_FIELDS 40

FUZZ_QUIET_INITIALIZE

/* Split a NUL-terminated copy of buf[0..len) at NUL bytes into fields. */
static size_t split(char *buf, size_t len, char **f, size_t *flen)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len && n < MAX_FIELDS; i++) {
		if (i == len || buf[i] == '\0') {
			f[n] = buf + start;
			flen[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

static void check_error(const aws_error *e)
{
	FUZZ_CHECK(memchr(e->aws_code, 0, sizeof(e->aws_code)), "aws_code not terminated");
	FUZZ_CHECK(memchr(e->message, 0, sizeof(e->message)), "message not terminated");
	FUZZ_CHECK(memchr(e->operation, 0, sizeof(e->operation)), "operation not terminated");
	FUZZ_CHECK(e->code <= 0 && e->code >= AWS_ERR_OTHER, "code %d out of range", (int)e->code);
	FUZZ_CHECK(aws_err_name(e->code) != NULL, "no name for %d", (int)e->code);
}

static void fuzz_sigv4(char **f, size_t *flen, size_t n)
{
	sigv4_header h[SIGV4_MAX_HEADERS + 2];
	sigv4_request req;
	sigv4_credentials cr = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL};
	sigv4_result r1, r2;
	size_t nh = 0, i;
	int rc1, rc2;

	if (n < 5)
		return;
	for (i = 4; i + 2 < n && nh < SIGV4_MAX_HEADERS + 2; i += 2) {
		h[nh].name = f[i];
		h[nh].value = f[i + 1];
		nh++;
	}
	memset(&req, 0, sizeof(req));
	req.method = f[0];
	req.url = f[1];
	req.headers = h;
	req.n_headers = nh;
	req.body = (const unsigned char *)f[n - 1];
	req.body_len = flen[n - 1];
	if (nh % 2)
		cr.token = "session-token";

	rc1 = sigv4_sign(&r1, &req, &cr, f[2], f[3], 1440938160);
	rc2 = sigv4_sign(&r2, &req, &cr, f[2], f[3], 1440938160);
	FUZZ_CHECK(rc1 == rc2, "signing is not deterministic (%d, %d)", rc1, rc2);
	if (rc1 == 0) {
		FUZZ_CHECK(strlen(r1.signature) == 64 &&
				   strspn(r1.signature, "0123456789abcdef") == 64,
			   "bad signature %s", r1.signature);
		FUZZ_CHECK(strcmp(r1.signature, r2.signature) == 0 &&
				   strcmp(r1.authorization, r2.authorization) == 0 &&
				   strcmp(r1.canonical_request, r2.canonical_request) == 0,
			   "signing is not deterministic");
		FUZZ_CHECK(strstr(r1.authorization, r1.signature),
			   "Authorization lacks the signature");
		FUZZ_CHECK(strcmp(r1.amz_date, "20150830T123600Z") == 0, "amz_date %s",
			   r1.amz_date);
	}
	sigv4_result_free(&r1);
	sigv4_result_free(&r2);
}

static void fuzz_ini(const char *data, size_t len)
{
	static const char *const sections[] = {"default", "profile default", "profile x", "x", ""};
	static const char *const keys[] = {"region", "aws_access_key_id", "role_arn",
					   "source_profile", ""};
	char path[64];
	char *files[1] = {path};
	aws_ini *ini = NULL;
	aws_error err;
	int fd = memfd_create("fuzz-ini", 0);

	if (fd < 0)
		return;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(&err, 0, sizeof(err));
	if (aws_ini_load(&ini, files, 1, &err) == 0) {
		FUZZ_CHECK(ini, "success without an ini");
		for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
			(void)aws_ini_has_section(ini, sections[s]);
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
				const char *v = aws_ini_get(ini, sections[s], keys[k]);
				if (v)
					(void)strlen(v);
			}
		}
		aws_ini_free(ini);
	} else {
		check_error(&err);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *f[MAX_FIELDS];
	size_t flen[MAX_FIELDS], n;
	aws_error err;

	if (size < 2)
		return 0;
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	memset(&err, 0, sizeof(err));

	switch (data[0] % 6) {
	case 0:
		n = split(buf, size - 1, f, flen);
		fuzz_sigv4(f, flen, n);
		break;
	case 1: {
		int status = 100 + (unsigned char)buf[0] * 2;
		n = split(buf + 1, size - 2, f, flen);
		aws_parse_json_error(&err, status, n > 1 ? f[1] : f[0], n > 1 ? flen[1] : flen[0],
				     n > 1 && flen[0] ? f[0] : NULL, "GetPatchBaseline");
		check_error(&err);
		FUZZ_CHECK(err.code != AWS_OK, "an error response parsed as OK");
		break;
	}
	case 2:
		aws_parse_query_error(&err, 400 + (size % 200), buf, "AssumeRole");
		check_error(&err);
		break;
	case 3: {
		char *t;
		n = split(buf, size - 1, f, flen);
		if (n < 2)
			break;
		t = aws_xml_text(f[1], f[0]);
		if (t)
			FUZZ_CHECK(strlen(t) <= flen[1], "extracted text longer than the document");
		free(t);
		break;
	}
	case 4:
		(void)iso8601_parse(buf, strlen(buf), ISO8601_NEED_TIME | ISO8601_RFC3339, NULL,
				    NULL, NULL);
		break;
	case 5:
		fuzz_ini(buf, size - 1);
		break;
	}
	free(buf);
	return 0;
}
