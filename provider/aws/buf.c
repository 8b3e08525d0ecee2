/*
 * buf.c - growable byte buffer with a hard maximum (see buf.h).
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aws_buf_init(aws_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void aws_buf_free(aws_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void aws_buf_clear(aws_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

static int buf_reserve(aws_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->ptr, ncap);
	if (!p)
		return -1;
	b->ptr = p;
	b->cap = ncap;
	return 0;
}

int aws_buf_put(aws_buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int aws_buf_puts(aws_buf *b, const char *s)
{
	return aws_buf_put(b, s, strlen(s));
}

int aws_buf_putc(aws_buf *b, char c)
{
	return aws_buf_put(b, &c, 1);
}

int aws_buf_printf(aws_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *aws_buf_detach(aws_buf *b)
{
	char *p;

	if (!b->ptr && buf_reserve(b, 0) < 0)
		return NULL;
	if (b->len == 0)
		b->ptr[0] = '\0';
	p = b->ptr;
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

int aws_buf_put_uri_encoded(aws_buf *b, const char *s, size_t len, const char *safe)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' ||
			   (c && safe && strchr(safe, c));
		if (keep) {
			if (aws_buf_putc(b, (char)c) < 0)
				return -1;
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			if (aws_buf_put(b, e, 3) < 0)
				return -1;
		}
	}
	return 0;
}
