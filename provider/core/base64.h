/*
 * base64.h - standard base64 (RFC 4648 section 4 alphabet) over OpenSSL's
 * EVP_EncodeBlock / EVP_DecodeBlock.
 *
 * Contract:
 * - base64_encode: any bytes in, text out, with "=" padding unless
 *   BASE64_NO_PAD; never line breaks.
 * - base64_decode: the standard alphabet only, no whitespace anywhere, "="
 *   padding only at the end and at most two; without BASE64_PAD_OPTIONAL the
 *   length must be a multiple of 4. EVP_DecodeBlock alone is more lenient
 *   (it trims whitespace and accepts "=" inside the text), so the text is
 *   checked first and only then handed to it.
 * - BASE64_TEXT: the decoded bytes must hold no NUL (text a C or Terraform
 *   string can carry).
 * - Limit: at most BASE64_MAX_INPUT bytes in (EVP takes an int length).
 * Results are malloc'd and NUL-terminated (decoded bytes too); NULL on bad
 * input, a length over the limit or out of memory. *len_out (may be NULL)
 * gets the length without the terminator.
 */
#ifndef SSMPATCH_BASE64_H
#define SSMPATCH_BASE64_H

#include <stddef.h>

#define BASE64_MAX_INPUT ((size_t)1 << 30)

enum {
	BASE64_NO_PAD = 1, /* encode: leave the "=" padding out */
	BASE64_PAD_OPTIONAL = 2, /* decode: padding may be missing */
	BASE64_TEXT = 4, /* decode: refuse decoded NUL bytes */
};

char *base64_encode(const void *data, size_t n, unsigned flags, size_t *len_out);
char *base64_decode(const char *s, size_t n, unsigned flags, size_t *len_out);

#endif
