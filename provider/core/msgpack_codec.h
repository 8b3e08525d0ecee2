/*
 * msgpack_codec.h - tf_value <-> msgpack, as go-cty's cty/msgpack does it
 * (terraform docs/plugin-protocol/object-wire-format.md), on msgpack-c.
 *
 * Decoding is driven by the expected type: null is nil; any ext is unknown
 * (ext 12 refinements parsed for "not null", the rest ignored); numbers accept
 * every int/uint width, float32/64 and decimal strings; a dynamic slot is the
 * 2-element [type JSON, value] array. Objects must carry every attribute of the
 * type and nothing else. Limits: nesting depth 64, so hostile input cannot blow
 * the stack. Encoding writes keys sorted, unknown as fixext1 d4 00 00, numbers as
 * int64 when exact, else float64 when exact, else decimal string.
 */
#ifndef SSMPATCH_MSGPACK_CODEC_H
#define SSMPATCH_MSGPACK_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "value.h"

/* NULL and an error diagnostic (summary "Invalid msgpack value", detail naming the
 * path and problem) on malformed input or a type mismatch. */
tf_value *msgpack_decode_value(const uint8_t *buf, size_t len, const tf_type *t, tf_diags *d);

/* 0 and a malloc'd buffer, or -1 (allocation failure or value not of type t). */
int msgpack_encode_value(const tf_value *v, const tf_type *t, uint8_t **out, size_t *out_len);

#endif
