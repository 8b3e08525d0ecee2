/*
 * credentials.c - credentials values and secret strings (contract in
 * credentials.h).
 */
#include "credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/iso8601.h"

char *aws_secret_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void aws_secret_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void aws_credentials_clear(aws_credentials *c)
{
	if (!c)
		return;
	aws_secret_free(c->access_key);
	aws_secret_free(c->secret_key);
	aws_secret_free(c->token);
	memset(c, 0, sizeof(*c));
}

int aws_credentials_set(aws_credentials *c, const char *ak, const char *sk, const char *tok,
			time_t expires, const char *source)
{
	aws_credentials_clear(c);
	c->access_key = aws_secret_dup(ak);
	c->secret_key = aws_secret_dup(sk);
	c->token = (tok && *tok) ? aws_secret_dup(tok) : NULL;
	c->expires = expires;
	snprintf(c->source, sizeof(c->source), "%s", source);
	if (!c->access_key || !c->secret_key || (tok && *tok && !c->token)) {
		aws_credentials_clear(c);
		return -1;
	}
	return 0;
}

int aws_credentials_copy(aws_credentials *dst, const aws_credentials *src)
{
	return aws_credentials_set(dst, src->access_key, src->secret_key, src->token, src->expires,
				   src->source);
}

void aws_json_secret_decref(json_t *j)
{
	const char *k;
	json_t *v;

	if (!j)
		return;
	/* Scrub the copies jansson made before it frees them. */
	if (j->refcount == 1)
		json_object_foreach (j, k, v)
			if (json_is_string(v) && json_string_length(v))
				OPENSSL_cleanse((void *)json_string_value(v),
						json_string_length(v));
	json_decref(j);
}

int aws_credentials_from_json(aws_credentials *out, const json_t *j,
			      const aws_json_creds_names *names, const char *source, char *why,
			      size_t n)
{
	const char *ak = json_string_value(json_object_get(j, names->access_key));
	const char *sk = json_string_value(json_object_get(j, names->secret_key));
	const json_t *tok = names->token ? json_object_get(j, names->token) : NULL;
	const json_t *exp = names->expiration ? json_object_get(j, names->expiration) : NULL;
	int64_t expires = 0;

	if (!json_is_object(j)) {
		snprintf(why, n, "the answer is not a JSON object");
		return -1;
	}
	if (!ak || !*ak || !sk || !*sk) {
		snprintf(why, n, "%s or %s missing or not a string", names->access_key,
			 names->secret_key);
		return -1;
	}
	if (tok && !json_is_null(tok) && !json_is_string(tok)) {
		snprintf(why, n, "%s is not a string", names->token);
		return -1;
	}
	if (exp && !json_is_null(exp)) {
		const char *e = json_string_value(exp);
		if (names->expiration_epoch_ms && json_is_integer(exp))
			expires = json_integer_value(exp) / 1000;
		else if (names->expiration_epoch_ms || !e ||
			 iso8601_parse(e, strlen(e), ISO8601_NEED_TIME | ISO8601_RFC3339, &expires,
				       NULL, NULL) < 0 ||
			 expires <= 0) {
			snprintf(why, n, "%s is not %s", names->expiration,
				 names->expiration_epoch_ms ? "a number of milliseconds"
							    : "an ISO-8601 time");
			return -1;
		}
	}
	if (aws_credentials_set(out, ak, sk, json_string_value(tok), (time_t)expires, source) < 0) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	return 0;
}
