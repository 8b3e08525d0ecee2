/*
 * fuzz_json.c - libFuzzer target: json_decode_value (strict and lenient) on
 * arbitrary text.
 *
 * Input: selector byte, then JSON text. Selector bit 7 = lenient (raw state
 * mode), low bits = which schema type (as in fuzz_msgpack.c). Oracles: a
 * decoded value re-encodes with json_encode_value, decodes strictly to an
 * equal value, and survives a msgpack round trip.
 */
#include <string.h>

#include "core/diag.h"
#include "core/json_codec.h"
#include "core/msgpack_codec.h"
#include "fuzz_common.h"

FUZZ_QUIET_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const tf_type *t;
	bool lenient;
	tf_value *v = NULL, *v2 = NULL, *v3 = NULL;
	char *text = NULL;
	uint8_t *mp = NULL;
	size_t mp_len = 0;
	tf_diags d;

	if (size < 1)
		return 0;
	lenient = (data[0] & 0x80) != 0;
	t = schema_block_type(fuzz_block(data[0] & 0x7f, NULL));
	tf_diags_init(&d);

	v = json_decode_value((const char *)data + 1, size - 1, t, lenient, &d);
	FUZZ_CHECK(v || tf_diags_has_error(&d), "decode failed without an error diagnostic");
	if (!v)
		goto done;
	FUZZ_CHECK(!tf_value_has_unknown(v), "JSON produced an unknown value");
	text = json_encode_value(v, t);
	FUZZ_CHECK(text, "decoded value does not encode: %s", fuzz_show(v));
	v2 = json_decode_value(text, strlen(text), t, false, &d);
	FUZZ_CHECK(v2, "re-encoded JSON does not decode strictly: %s", text);
	FUZZ_CHECK(tf_value_equal(v, v2), "JSON round trip changed the value: %s", text);
	FUZZ_CHECK(msgpack_encode_value(v, t, &mp, &mp_len) == 0,
		   "value does not encode as msgpack: %s", text);
	v3 = msgpack_decode_value(mp, mp_len, t, &d);
	FUZZ_CHECK(v3 && tf_value_equal(v, v3), "msgpack round trip changed the value: %s", text);
done:
	free(text);
	free(mp);
	tf_value_free(v);
	tf_value_free(v2);
	tf_value_free(v3);
	tf_diags_free(&d);
	return 0;
}
