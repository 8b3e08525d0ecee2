/*
 * buf.h - the provider's one growable byte buffer with a hard maximum (after
 * curl's dynbuf), used for everything the provider assembles in memory: JSON
 * and msgpack output, log lines, HTTP bodies, canonical requests, form bodies.
 *
 * Contract:
 * - A buffer starts zeroed (BUF_INIT, limit BUF_DEFAULT_MAX) or from
 *   buf_init(b, max). `max` is a hard limit on len: an append that would pass
 *   it fails, as does an allocation failure.
 * - Failure is sticky: the failing append and every later one return -1 and
 *   leave the content as it was, so callers may append freely and check
 *   buf_failed() once at the end, or check each return.
 * - The content is NUL-terminated whenever data != NULL (data[len] == 0), so
 *   text can be used as a C string; binary content may contain NULs.
 * - The allocation never exceeds max + 1 bytes.
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

/* An empty buffer whose content may not exceed max bytes (0 = BUF_DEFAULT_MAX). */
void buf_init(buf *b, size_t max);
/* Empty the buffer and clear a failure; keeps the allocation and the limit. */
void buf_clear(buf *b);

int buf_append(buf *b, const void *data, size_t len);
int buf_puts(buf *b, const char *s);
int buf_putc(buf *b, char c);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Append s[0..len) as a JSON string literal (quotes included). Control bytes and
 * NUL become \uXXXX escapes; other bytes (including invalid UTF-8) pass through. */
int buf_json_string(buf *b, const char *s, size_t len);
/* Append s[0..len) percent-encoded as RFC 3986 says (unreserved A-Za-z0-9-_.~
 * kept, every other byte %XX in upper case), except the bytes listed in `safe`
 * (NULL or e.g. "/"), which are kept too. */
int buf_uri_encoded(buf *b, const char *s, size_t len, const char *safe);
static inline bool buf_failed(const buf *b)
{
	return b->failed;
}
/* Hand the content to the caller (malloc'd, NUL-terminated, "" when empty) and
 * reset the buffer (the limit stays). Returns NULL if the buffer failed or
 * memory ran out; the buffer is then freed. */
char *buf_detach(buf *b, size_t *len_out);
/* Release the memory (the limit stays): the buffer is empty and usable again. */
void buf_free(buf *b);
/* buf_free after overwriting the content with zeros (OPENSSL_cleanse): for
 * buffers that held a secret (credentials, signed headers, form bodies). */
void buf_free_secret(buf *b);

#endif
