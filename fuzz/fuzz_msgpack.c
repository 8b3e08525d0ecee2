/*
 * fuzz_msgpack.c - libFuzzer target: msgpack_decode_value on arbitrary bytes.
 *
 * Input: selector byte, then msgpack. The selector picks the expected type:
 * each resource's block type, the provider's, or one of a few composite and
 * dynamic types that the schemas do not use (dynamic, tuple, map, nested
 * sets) so those decoder paths are fuzzed too. Oracle: whatever decodes must
 * encode (msgpack_encode_value succeeds), decode again to an equal value
 * (tf_value_equal), and encode to the same bytes the second time (the encoder
 * is canonical: keys sorted, fixed number forms).
 */
#include <string.h>

#include "core/diag.h"
#include "core/msgpack_codec.h"
#include "fuzz_common.h"

#define N_EXTRA 6

static const tf_type *extra_type(size_t i)
{
	static const tf_type *t[N_EXTRA];

	if (!t[0]) {
		const char *names[] = {"a", "b", "c"};
		const tf_type *obj_types[] = {&tf_type_string, &tf_type_number, &tf_type_dynamic};
		const tf_type *obj = tf_type_object(3, names, obj_types);
		const tf_type *tup_types[] = {&tf_type_bool, &tf_type_dynamic,
					      tf_type_list(&tf_type_number)};

		t[0] = &tf_type_dynamic;
		t[1] = tf_type_tuple(3, tup_types);
		t[2] = tf_type_map(tf_type_set(&tf_type_string));
		t[3] = tf_type_set(obj);
		t[4] = tf_type_list(tf_type_map(&tf_type_dynamic));
		t[5] = tf_type_set(tf_type_set(&tf_type_number));
	}
	return t[i];
}

FUZZ_QUIET_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const tf_type *t;
	size_t nb = fuzz_block_count(), sel;
	tf_value *v = NULL, *v2 = NULL;
	uint8_t *enc = NULL, *enc2 = NULL;
	size_t enc_len = 0, enc2_len = 0;
	tf_diags d;

	if (size < 1)
		return 0;
	sel = data[0] % (nb + N_EXTRA);
	t = sel < nb ? schema_block_type(fuzz_block(sel, NULL)) : extra_type(sel - nb);
	tf_diags_init(&d);

	v = msgpack_decode_value(data + 1, size - 1, t, &d);
	FUZZ_CHECK(v || tf_diags_has_error(&d), "decode failed without an error diagnostic");
	if (!v)
		goto done;
	FUZZ_CHECK(!tf_diags_has_error(&d), "decode succeeded with an error diagnostic");
	FUZZ_CHECK(msgpack_encode_value(v, t, &enc, &enc_len) == 0,
		   "decoded value does not encode: %s", fuzz_show(v));
	v2 = msgpack_decode_value(enc, enc_len, t, &d);
	FUZZ_CHECK(v2, "re-encoded value does not decode: %s: %s", fuzz_show(v),
		   d.n ? d.items[d.n - 1].detail : "");
	FUZZ_CHECK(tf_value_equal(v, v2), "round trip changed the value: %s", fuzz_show(v));
	FUZZ_CHECK(msgpack_encode_value(v2, t, &enc2, &enc2_len) == 0, "second encode failed");
	FUZZ_CHECK(enc_len == enc2_len && memcmp(enc, enc2, enc_len) == 0,
		   "encoding is not canonical for %s", fuzz_show(v));
done:
	free(enc);
	free(enc2);
	tf_value_free(v);
	tf_value_free(v2);
	tf_diags_free(&d);
	return 0;
}
