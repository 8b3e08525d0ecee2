/*
 * decode.c - the shared half of the type-directed value decoders: first
 * error at the current path, and the element walks of sequences and maps
 * (decode.h).
 */
#include "decode.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void tf_decoder_init(tf_decoder *dec, tf_diags *d, const char *summary)
{
	memset(dec, 0, sizeof(*dec));
	dec->d = d;
	dec->summary = summary;
	tf_path_init(&dec->path);
}

void tf_decoder_free(tf_decoder *dec)
{
	tf_path_free(&dec->path);
}

void tf_decoder_error(tf_decoder *dec, const char *fmt, ...)
{
	buf msg = BUF_INIT;
	char *where;
	va_list ap;

	if (dec->failed)
		return;
	dec->failed = true;
	if (!dec->d)
		return;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	where = tf_path_string(&dec->path);
	tf_diags_add(dec->d, TF_DIAG_ERROR, dec->path.n ? &dec->path : NULL, dec->summary,
		     "%s%s: %s", where && *where ? "at " : "at the top level", where ? where : "",
		     msg.data ? msg.data : "out of memory");
	free(where);
	buf_free(&msg);
}

tf_value *tf_decode_seq(tf_decoder *dec, const tf_type *t, const char *got, size_t n,
			tf_decode_elem_fn elem, void *src, int depth)
{
	/* Set elements cannot be addressed: a path stops at the set. */
	bool step = t->kind != TF_TYPE_SET;
	tf_value *res, *item;

	if (got) {
		tf_decoder_error(dec, "%s is required, got %s",
				 t->kind == TF_TYPE_TUPLE ? "a tuple (array)"
				 : t->kind == TF_TYPE_SET ? "a set (array)"
							  : "a list (array)",
				 got);
		return NULL;
	}
	if (t->kind == TF_TYPE_TUPLE && n != t->n) {
		tf_decoder_error(dec, "a tuple of %zu elements is required, got %zu", t->n, n);
		return NULL;
	}
	if (!(res = tf_value_empty(t)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (step && tf_path_push_index(&dec->path, (int64_t)i) < 0)
			goto fail;
		item = elem(src, i, tf_type_child(t, i), depth + 1);
		if (step)
			tf_path_pop(&dec->path);
		if (!item)
			goto fail;
		if (tf_value_append(res, item) < 0) {
			tf_value_free(item);
			goto fail;
		}
	}
	return res;
fail:
	tf_value_free(res);
	return NULL;
}

tf_value *tf_decode_map(tf_decoder *dec, const tf_type *t, const char *got, size_t n,
			tf_decode_key_fn key, tf_decode_elem_fn elem, void *src, int depth)
{
	tf_value *res, *item;
	char *k = NULL;

	if (got) {
		tf_decoder_error(dec, "a map is required, got %s", got);
		return NULL;
	}
	if (!(res = tf_value_empty(t)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!(k = key(src, i)) || tf_path_push_key(&dec->path, k) < 0)
			goto fail;
		item = elem(src, i, t->elem, depth + 1);
		tf_path_pop(&dec->path);
		if (!item)
			goto fail;
		if (tf_value_map_put(res, k, item) < 0) {
			tf_value_free(item);
			goto fail;
		}
		free(k);
		k = NULL;
	}
	return res;
fail:
	free(k);
	tf_value_free(res);
	return NULL;
}
