/*
 * credentials.c - credentials values and secret strings (contract in
 * credentials.h).
 */
#include "credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

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
