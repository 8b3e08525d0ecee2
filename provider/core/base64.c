/*
 * base64.c - base64 through OpenSSL's EVP block coder (contract in base64.h).
 */
#include "base64.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

char *base64_encode(const void *data, size_t n, unsigned flags, size_t *len_out)
{
	char *out;
	int len;

	if (n > BASE64_MAX_INPUT || !(out = malloc(4 * ((n + 2) / 3) + 1)))
		return NULL;
	len = EVP_EncodeBlock((unsigned char *)out, data, (int)n);
	if (len < 0) {
		free(out);
		return NULL;
	}
	if (flags & BASE64_NO_PAD)
		while (len > 0 && out[len - 1] == '=')
			len--;
	out[len] = '\0';
	if (len_out)
		*len_out = (size_t)len;
	return out;
}

static int b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

char *base64_decode(const char *s, size_t n, unsigned flags, size_t *len_out)
{
	size_t body = 0, pad = 0, i, full;
	char *in = NULL, *out = NULL;
	int len;

	if (n > BASE64_MAX_INPUT)
		return NULL;
	while (body < n && b64_char((unsigned char)s[body]))
		body++;
	while (body + pad < n && s[body + pad] == '=')
		pad++;
	if (body + pad != n || pad > 2 || body % 4 == 1 || (pad && (body + pad) % 4))
		return NULL;
	if (!pad && body % 4 && !(flags & BASE64_PAD_OPTIONAL))
		return NULL;
	/* EVP_DecodeBlock wants whole quads: restore missing padding. */
	full = (body + 3) / 4 * 4;
	if (!(in = malloc(full + 1)) || !(out = malloc(full / 4 * 3 + 1)))
		goto fail;
	memcpy(in, s, body);
	for (i = body; i < full; i++)
		in[i] = '=';
	len = EVP_DecodeBlock((unsigned char *)out, (unsigned char *)in, (int)full);
	if (len < 0)
		goto fail;
	/* EVP counts the padding quads as 3 bytes: drop what "=" stood for. */
	len -= (int)(full - body);
	out[len] = '\0';
	if ((flags & BASE64_TEXT) && memchr(out, '\0', (size_t)len))
		goto fail;
	free(in);
	if (len_out)
		*len_out = (size_t)len;
	return out;
fail:
	free(in);
	free(out);
	return NULL;
}
