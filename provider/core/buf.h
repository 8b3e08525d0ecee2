/*
 * buf.h - a growable byte buffer with a hard maximum, for the core modules
 * (type JSON, JSON codec, log lines, debug strings).
 *
 * A buffer starts zeroed (BUF_INIT). Every append either succeeds or puts the
 * buffer into a sticky failed state (allocation failure or the limit reached),
 * so callers append freely and check buf_failed() once at the end. The content
 * is always NUL-terminated when non-empty and not failed.
 */
#ifndef SSMPATCH_BUF_H
#define SSMPATCH_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Default hard maximum: 256 MiB, the largest gRPC message the provider accepts. */
#define BUF_DEFAULT_MAX ((size_t)256 << 20)

typedef struct {
	char *data; /* owned; NULL until the first append */
	size_t len; /* bytes used, excluding the NUL terminator */
	size_t cap; /* bytes allocated */
	size_t max; /* hard limit on len; 0 means BUF_DEFAULT_MAX */
	bool failed; /* sticky: an append failed */
} buf;

#define BUF_INIT                     \
	{                            \
		NULL, 0, 0, 0, false \
	}

int buf_append(buf *b, const void *data, size_t len);
int buf_puts(buf *b, const char *s);
int buf_putc(buf *b, char c);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Append s[0..len) as a JSON string literal (quotes included). Control bytes and
 * NUL become \uXXXX escapes; other bytes (including invalid UTF-8) pass through. */
int buf_json_string(buf *b, const char *s, size_t len);
static inline bool buf_failed(const buf *b)
{
	return b->failed;
}
/* Hand the content to the caller (malloc'd, NUL-terminated, never NULL unless
 * failed or out of memory) and reset the buffer. Returns NULL if the buffer failed. */
char *buf_detach(buf *b, size_t *len_out);
void buf_free(buf *b);

#endif
