/*
 * json_codec.h - tf_value <-> JSON (jansson), for DynamicValue.json input and the
 * raw JSON state of UpgradeResourceState.
 *
 * Type-directed as in cty/json: numbers may exceed float64 (kept as text via
 * JSON_DECODE_INT_AS_REAL-free parsing of the literal), dynamic values are
 * {"type": <type JSON>, "value": <value>}. No unknowns can be expressed.
 * In lenient mode (raw state) object keys the type lacks are dropped and
 * attributes missing from the JSON become null (empty for LIST/SET of objects).
 */
#ifndef SSMPATCH_JSON_CODEC_H
#define SSMPATCH_JSON_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "value.h"

tf_value *json_decode_value(const char *buf, size_t len, const tf_type *t, bool lenient,
			    tf_diags *d);
/* malloc'd compact JSON text, or NULL. Unknown values encode as null. */
char *json_encode_value(const tf_value *v, const tf_type *t);

#endif
