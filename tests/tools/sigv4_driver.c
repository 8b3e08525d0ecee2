/*
 * sigv4_driver.c - signs requests described in JSON with sigv4_sign, for
 * tests/aws/test_sigv4_botocore.py to compare with botocore.
 *
 * stdin: a JSON array of cases {"method","url","headers":[[name,value],...],
 * "body_hex","access_key","secret_key","token" (optional),"region","service",
 * "time" (UTC seconds)}. stdout: a JSON array of {"authorization","amz_date",
 * "canonical_request","string_to_sign","signature"} (or {"error":true}).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws/sigv4.h"

static int unhex(const char *h, unsigned char **out, size_t *len)
{
	size_t n = strlen(h), i;
	unsigned char *b;

	if (n % 2)
		return -1;
	b = malloc(n / 2 + 1);
	if (!b)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int v;
		if (sscanf(h + 2 * i, "%2x", &v) != 1) {
			free(b);
			return -1;
		}
		b[i] = (unsigned char)v;
	}
	*out = b;
	*len = n / 2;
	return 0;
}

static json_t *sign_case(json_t *c)
{
	sigv4_header hs[SIGV4_MAX_HEADERS + 1];
	sigv4_request r = {0};
	sigv4_credentials cr = {0};
	sigv4_result res;
	json_t *hl = json_object_get(c, "headers"), *h, *o;
	unsigned char *body = NULL;
	size_t i, blen = 0;
	const char *bh = json_string_value(json_object_get(c, "body_hex"));

	if (json_array_size(hl) > SIGV4_MAX_HEADERS + 1)
		return json_pack("{s:b}", "error", 1);
	json_array_foreach (hl, i, h) {
		hs[i].name = json_string_value(json_array_get(h, 0));
		hs[i].value = json_string_value(json_array_get(h, 1));
	}
	if (bh && unhex(bh, &body, &blen) < 0)
		return json_pack("{s:b}", "error", 1);
	r.method = json_string_value(json_object_get(c, "method"));
	r.url = json_string_value(json_object_get(c, "url"));
	r.headers = hs;
	r.n_headers = json_array_size(hl);
	r.body = body;
	r.body_len = blen;
	cr.access_key = json_string_value(json_object_get(c, "access_key"));
	cr.secret_key = json_string_value(json_object_get(c, "secret_key"));
	cr.token = json_string_value(json_object_get(c, "token"));
	if (sigv4_sign(&res, &r, &cr, json_string_value(json_object_get(c, "region")),
		       json_string_value(json_object_get(c, "service")),
		       (time_t)json_integer_value(json_object_get(c, "time"))) < 0) {
		free(body);
		return json_pack("{s:b}", "error", 1);
	}
	o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "authorization", res.authorization, "amz_date",
		      res.amz_date, "canonical_request", res.canonical_request, "string_to_sign",
		      res.string_to_sign, "signature", res.signature);
	sigv4_result_free(&res);
	free(body);
	return o;
}

int main(void)
{
	json_error_t e;
	json_t *in = json_loadf(stdin, 0, &e), *out, *c;
	size_t i;
	char *s;

	if (!json_is_array(in)) {
		fprintf(stderr, "sigv4_driver: stdin must be a JSON array: %s\n", e.text);
		return 2;
	}
	out = json_array();
	json_array_foreach (in, i, c)
		json_array_append_new(out, sign_case(c));
	s = json_dumps(out, JSON_INDENT(1));
	puts(s);
	free(s);
	json_decref(in);
	json_decref(out);
	return 0;
}
