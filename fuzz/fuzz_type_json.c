/*
 * fuzz_type_json.c - libFuzzer target: tf_type_from_json on arbitrary text.
 *
 * Oracle: a parsed type renders with tf_type_to_json, and that text parses
 * back to the same interned type (pointer equality). Then a value of the type
 * is fuzzed too: the null and the unknown value of it must encode as msgpack
 * and decode back equal, as the dynamic-value wire form needs.
 *
 * Note: types are interned for the life of the process (value.h), so every
 * distinct type the fuzzer invents stays in memory; -rss_limit_mb in run.sh
 * allows for that.
 */
#include <string.h>

#include "core/diag.h"
#include "core/msgpack_codec.h"
#include "fuzz_common.h"

FUZZ_QUIET_INITIALIZE

static void null_unknown_round_trip(const tf_type *t)
{
	tf_value *vals[2] = {tf_value_null(t), tf_value_unknown(t)};

	for (int i = 0; i < 2; i++) {
		uint8_t *buf = NULL;
		size_t len = 0;
		tf_value *back;
		tf_diags d;

		FUZZ_CHECK(vals[i], "cannot build a value");
		tf_diags_init(&d);
		FUZZ_CHECK(msgpack_encode_value(vals[i], t, &buf, &len) == 0,
			   "null/unknown does not encode");
		back = msgpack_decode_value(buf, len, t, &d);
		FUZZ_CHECK(back && tf_value_equal(back, vals[i]), "null/unknown round trip failed");
		tf_value_free(back);
		tf_diags_free(&d);
		free(buf);
		tf_value_free(vals[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const tf_type *t = tf_type_from_json((const char *)data, size), *t2;
	char *j;

	if (!t)
		return 0;
	j = tf_type_to_json(t);
	FUZZ_CHECK(j, "parsed type does not render");
	t2 = tf_type_from_json(j, strlen(j));
	FUZZ_CHECK(t2 == t, "type JSON round trip changed the type: %s", j);
	free(j);
	null_unknown_round_trip(t);
	return 0;
}
