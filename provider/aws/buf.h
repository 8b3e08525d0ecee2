/*
 * buf.h - growable byte buffer with a hard maximum, for HTTP bodies, canonical
 * requests and form bodies (modelled on curl's dynbuf).
 *
 * The content is always NUL-terminated (ptr[len] == 0) so text can be used as a
 * C string; binary content may contain NULs. A buffer that would grow beyond
 * `max` bytes fails with -1 and keeps its old content; so does an allocation
 * failure. A zeroed buffer is not usable: call aws_buf_init first.
 */
#ifndef SSMPATCH_AWS_BUF_H
#define SSMPATCH_AWS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
	char *ptr; /* owned; NULL until the first append */
	size_t len; /* bytes used, excluding the terminating NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* hard limit on len */
} aws_buf;

void aws_buf_init(aws_buf *b, size_t max);
void aws_buf_free(aws_buf *b);
void aws_buf_clear(aws_buf *b); /* len = 0, keeps the allocation */
int aws_buf_put(aws_buf *b, const void *data, size_t len);
int aws_buf_puts(aws_buf *b, const char *s);
int aws_buf_putc(aws_buf *b, char c);
int aws_buf_printf(aws_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the content over to the caller (malloc'd, NUL-terminated, never NULL on
 * success); the buffer is left empty. Returns NULL on allocation failure. */
char *aws_buf_detach(aws_buf *b);
/* Append s percent-encoded as in RFC 3986 (unreserved A-Za-z0-9-_.~ kept, every
 * other byte %XX upper-case) except bytes listed in `safe` (e.g. "/"). */
int aws_buf_put_uri_encoded(aws_buf *b, const char *s, size_t len, const char *safe);

#endif
