/*
 * decode.h - what the type-directed value decoders (json_codec.c,
 * msgpack_codec.c) share: the first error, reported with the path where the
 * decoder stands, and the walk over the elements of a list, set, tuple or map
 * that keeps that path up to date. The wire format stays in the codec: it
 * hands over callbacks that read one key or one element from its own source.
 *
 * Limits: none of its own; the codecs bound the nesting depth.
 */
#ifndef SSMPATCH_DECODE_H
#define SSMPATCH_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "value.h"

/* A decoder's position and error state. */
typedef struct {
	tf_diags *d; /* where the error goes; NULL: not reported */
	const char *summary; /* its summary, e.g. "Invalid JSON value" */
	tf_path path; /* where the decoder stands */
	bool failed; /* an error was recorded (only the first one is) */
} tf_decoder;

void tf_decoder_init(tf_decoder *dec, tf_diags *d, const char *summary);
void tf_decoder_free(tf_decoder *dec);

/* Record the first error: detail "at <path>: <message>". Later ones are
 * dropped (they follow from the first). */
void tf_decoder_error(tf_decoder *dec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Element i of the source, decoded as type t (depth: of the element). NULL
 * on failure (an error recorded, or out of memory). */
typedef tf_value *(*tf_decode_elem_fn)(void *src, size_t i, const tf_type *t, int depth);
/* Key of entry i of a map source (read before its element): malloc'd, or
 * NULL on failure. */
typedef char *(*tf_decode_key_fn)(void *src, size_t i);

/*
 * A LIST, SET or TUPLE of type t from a source of n elements. `got` is NULL
 * when the source is a sequence, else the name of what it is instead (the
 * error then says "a list (array) is required, got <got>"). Each element is
 * decoded at its index (a SET's elements have no path of their own) with
 * depth + 1. New value, or NULL.
 */
tf_value *tf_decode_seq(tf_decoder *dec, const tf_type *t, const char *got, size_t n,
			tf_decode_elem_fn elem, void *src, int depth);

/* A MAP of type t from a source of n entries, as tf_decode_seq; each element
 * is decoded at its key. */
tf_value *tf_decode_map(tf_decoder *dec, const tf_type *t, const char *got, size_t n,
			tf_decode_key_fn key, tf_decode_elem_fn elem, void *src, int depth);

#endif
