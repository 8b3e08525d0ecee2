/*
 * test_msgpack.c - the msgpack codec: exact encodings of each kind of value,
 * round trips of nested values with null/unknown at every level, decoding of
 * every int/float width and of unknown extensions, clear errors for objects
 * with missing or extra attributes, and hostile input (every truncation of a
 * valid encoding, byte mutations, deep nesting) that must fail cleanly.
 *
 * With MSGPACK_DUMP_DIR set, the encodings of a fixed set of cases are also
 * written there as <case>.msgpack for tests/unit_py/test_msgpack_crosscheck.py,
 * which decodes them with the Python msgpack library. In the other direction,
 * every in_<case>.msgpack found there (written by Python, with its type JSON in
 * in_<case>.type) is decoded and re-encoded to out_<case>.msgpack, or its error
 * detail written to out_<case>.err.
 */
#include <dirent.h>
#include <math.h>

#include "core/msgpack_codec.h"
#include "unit.h"
#include "unit_codec.h"

static char *hex(const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(n * 2 + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		s[2 * i] = digits[b[i] >> 4];
		s[2 * i + 1] = digits[b[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned v;

		if (*h == ' ') {
			h--;
			continue;
		}
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void dump(const char *name, const uint8_t *b, size_t n)
{
	const char *dir = getenv("MSGPACK_DUMP_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.msgpack", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(b, 1, n, f);
	fclose(f);
}

/* Encode v (taking ownership), compare with expected hex, dump under name. */
static void check_encoding(const char *name, tf_value *v, const tf_type *t, const char *expect_hex)
{
	uint8_t *out = NULL;
	size_t n = 0;
	char *h;

	CHECK(v != NULL);
	CHECK(msgpack_encode_value(v, t, &out, &n) == 0);
	h = hex(out ? out : (const uint8_t *)"", out ? n : 0);
	if (expect_hex)
		CHECK_STR(h, expect_hex);
	if (out)
		dump(name, out, n);
	free(h);
	free(out);
	tf_value_free(v);
}

static tf_value *decode_hex(const char *h, const tf_type *t, tf_diags *d)
{
	uint8_t b[512];
	size_t n = unhex(h, b);

	return msgpack_decode_value(b, n, t, d);
}

static const tf_type *obj(size_t n, const char *const *names, const tf_type *const *types)
{
	return tf_type_object(n, names, types);
}

static void test_msgpack_encode__primitives(void)
{
	check_encoding("null_string", tf_value_null(&tf_type_string), &tf_type_string, "c0");
	check_encoding("unknown_string", tf_value_unknown(&tf_type_string), &tf_type_string,
		       "d40000");
	{
		tf_value *u = tf_value_unknown(&tf_type_string);

		u->unknown_not_null = true;
		check_encoding("unknown_not_null", u, &tf_type_string, "c7030c8101c2");
	}
	check_encoding("string", tf_value_string("stg"), &tf_type_string, "a3737467");
	check_encoding("string_nul", tf_value_string_len("a\0b", 3), &tf_type_string, "a3610062");
	check_encoding("bool_true", tf_value_bool(true), &tf_type_bool, "c3");
	check_encoding("bool_false", tf_value_bool(false), &tf_type_bool, "c2");
	check_encoding("num_1800", tf_value_number_text("1800"), &tf_type_number, "cd0708");
	check_encoding("num_1800_0", tf_value_number_text("1.8e3"), &tf_type_number, "cd0708");
	check_encoding("num_neg", tf_value_number_i64(-1), &tf_type_number, "ff");
	check_encoding("num_int64_min", tf_value_number_text("-9223372036854775808"),
		       &tf_type_number, "d38000000000000000");
	check_encoding("num_half", tf_value_number_text("0.5"), &tf_type_number,
		       "cb3fe0000000000000");
	/* 0.1 is not a float64: cty sends the decimal text */
	check_encoding("num_tenth", tf_value_number_text("0.1"), &tf_type_number, "a3302e31");
	check_encoding("num_big", tf_value_number_text("123456789012345678901234567890"),
		       &tf_type_number,
		       "be313233343536373839303132333435363738393031323334353637383930");
	/* an exact float64 beyond int64 goes as float64, as cty does */
	check_encoding("num_1e20", tf_value_number_text("1e20"), &tf_type_number,
		       "cb4415af1d78b58c40");
	check_encoding("num_inf", tf_value_number_double(-INFINITY), &tf_type_number,
		       "cbfff0000000000000");
	check_encoding("num_huge", tf_value_number_text("-1e+400"), &tf_type_number,
		       "a72d31652b343030");
}

static void test_msgpack_encode__composites(void)
{
	const char *n2[] = {"b", "a"};
	const tf_type *t2[] = {&tf_type_number, &tf_type_string};
	const tf_type *ot = obj(2, n2, t2);
	const tf_type *tt[] = {&tf_type_string, &tf_type_bool};
	tf_value *o = tf_value_object(ot), *l, *m, *tu, *dy;

	/* keys sorted: a before b */
	tf_value_set_attr(o, "b", tf_value_number_i64(1));
	check_encoding("object_sorted", o, ot, "82a161c0a16201");
	l = tf_value_empty(tf_type_list(&tf_type_string));
	tf_value_append(l, tf_value_string("x"));
	tf_value_append(l, tf_value_unknown(&tf_type_string));
	tf_value_append(l, tf_value_null(&tf_type_string));
	check_encoding("list", l, tf_type_list(&tf_type_string), "93a178d40000c0");
	m = tf_value_empty(tf_type_map(&tf_type_bool));
	tf_value_map_put(m, "z", tf_value_bool(true));
	tf_value_map_put(m, "a", tf_value_bool(false));
	check_encoding("map_sorted", m, tf_type_map(&tf_type_bool), "82a161c2a17ac3");
	tu = tf_value_empty(tf_type_tuple(2, tt));
	tf_value_append(tu, tf_value_string(""));
	tf_value_append(tu, tf_value_bool(true));
	check_encoding("tuple", tu, tf_type_tuple(2, tt), "92a0c3");
	check_encoding("empty_set", tf_value_empty(tf_type_set(&tf_type_string)),
		       tf_type_set(&tf_type_string), "90");
	/* dynamic: [bin(type JSON), value]; null and unknown are not wrapped */
	dy = tf_value_string("a");
	check_encoding("dynamic_string", dy, &tf_type_dynamic, "92c40822737472696e6722a161");
	check_encoding("dynamic_null", tf_value_null(&tf_type_dynamic), &tf_type_dynamic, "c0");
	check_encoding("dynamic_unknown", tf_value_unknown(&tf_type_dynamic), &tf_type_dynamic,
		       "d40000");
	l = tf_value_empty(tf_type_list(&tf_type_number));
	tf_value_append(l, tf_value_number_i64(7));
	check_encoding("dynamic_list", l, &tf_type_dynamic,
		       "92c4115b226c697374222c226e756d626572225d9107");
}

static void test_msgpack_encode__type_mismatch(void)
{
	uint8_t *out = (uint8_t *)"x";
	size_t n = 9;
	tf_value *s = tf_value_string("x"),
		 *tu = tf_value_empty(tf_type_tuple(1, (const tf_type *[]){&tf_type_bool}));

	CHECK(msgpack_encode_value(s, &tf_type_number, &out, &n) == -1);
	CHECK(out == NULL && n == 0);
	CHECK(msgpack_encode_value(s, tf_type_list(&tf_type_string), &out, &n) == -1);
	/* a tuple short of elements */
	CHECK(msgpack_encode_value(tu, tu->type, &out, &n) == -1);
	tf_value_free(s);
	tf_value_free(tu);
}

/* A rich object type: every kind, nested blocks, dynamic. */
static const tf_type *big_type(void)
{
	const char *names[] = {"id",    "count", "enabled", "tags",  "ids",
			       "rules", "meta",  "pair",    "ratio", "nested"};
	const tf_type *pair[] = {&tf_type_number, tf_type_set(&tf_type_bool)};
	const char *nn[] = {"inner", "deep"};
	const tf_type *nt[] = {tf_type_list(unit_rule_type()),
			       tf_type_map(tf_type_list(&tf_type_number))};
	const tf_type *types[] = {
		&tf_type_string,
		&tf_type_number,
		&tf_type_bool,
		tf_type_map(&tf_type_string),
		tf_type_set(&tf_type_string),
		tf_type_list(unit_rule_type()),
		&tf_type_dynamic,
		tf_type_tuple(2, pair),
		&tf_type_number,
		tf_type_set(obj(2, nn, nt)),
	};

	return obj(10, names, types);
}

static tf_value *big_value(void)
{
	const tf_type *t = big_type();
	tf_value *o = tf_value_object(t), *tags, *ids, *rules, *meta, *pair, *bs, *nested, *ne,
		 *inner, *deep, *nums;

	tf_value_set_attr(o, "id", tf_value_string("pb-0123456789abcdef0"));
	tf_value_set_attr(o, "count", tf_value_number_text("123456789012345678901234567890"));
	tf_value_set_attr(o, "enabled", tf_value_unknown(&tf_type_bool));
	tags = tf_value_empty(tf_type_map(&tf_type_string));
	tf_value_map_put(tags, "PatchWindowTaskAM2", tf_value_string("SCAN"));
	tf_value_map_put(tags, "Env", tf_value_null(&tf_type_string));
	tf_value_map_put(tags, "Unk", tf_value_unknown(&tf_type_string));
	tf_value_set_attr(o, "tags", tags);
	ids = tf_value_empty(tf_type_set(&tf_type_string));
	tf_value_append(ids, tf_value_string("i-1"));
	tf_value_append(ids, tf_value_string("i-2"));
	tf_value_set_attr(o, "ids", ids);
	rules = tf_value_empty(tf_type_list(unit_rule_type()));
	tf_value_append(
		rules, unit_rule("CLASSIFICATION", 2, (const char *const[]){"Security", "Bugfix"}));
	tf_value_append(rules, tf_value_object(unit_rule_type())); /* all-null element */
	tf_value_append(rules, tf_value_unknown(unit_rule_type()));
	tf_value_set_attr(o, "rules", rules);
	meta = tf_value_empty(tf_type_map(&tf_type_number));
	tf_value_map_put(meta, "x", tf_value_number_text("0.5"));
	tf_value_map_put(meta, "y", tf_value_number_text("-1e+400"));
	tf_value_set_attr(o, "meta", meta);
	pair = tf_value_empty(t->types[tf_type_attr_index(t, "pair")]);
	tf_value_append(pair, tf_value_number_text("0.1"));
	bs = tf_value_empty(tf_type_set(&tf_type_bool));
	tf_value_append(bs, tf_value_bool(true));
	tf_value_append(pair, bs);
	tf_value_set_attr(o, "pair", pair);
	tf_value_set_attr(o, "ratio", tf_value_number_double(1.0 / 3.0));
	nested = tf_value_empty(t->types[tf_type_attr_index(t, "nested")]);
	ne = tf_value_object(nested->type->elem);
	inner = tf_value_empty(tf_type_list(unit_rule_type()));
	tf_value_set_attr(ne, "inner", inner);
	deep = tf_value_empty(tf_type_map(tf_type_list(&tf_type_number)));
	nums = tf_value_empty(tf_type_list(&tf_type_number));
	tf_value_append(nums, tf_value_number_i64(INT64_MAX));
	tf_value_append(nums, tf_value_number_text("18446744073709551615"));
	tf_value_map_put(deep, "k", nums);
	tf_value_map_put(deep, "n", tf_value_null(tf_type_list(&tf_type_number)));
	tf_value_set_attr(ne, "deep", deep);
	tf_value_append(nested, ne);
	tf_value_set_attr(o, "nested", nested);
	return o;
}

static void round_trip(const char *name, const tf_value *v, const tf_type *t)
{
	uint8_t *out = NULL, *out2 = NULL;
	size_t n = 0, n2 = 0;
	tf_diags d;
	tf_value *back;

	tf_diags_init(&d);
	CHECK(msgpack_encode_value(v, t, &out, &n) == 0);
	dump(name, out, n);
	back = msgpack_decode_value(out, n, t, &d);
	CHECK(back != NULL && d.n == 0);
	CHECK(tf_value_equal(v, back));
	/* and the re-encoding is byte-identical */
	CHECK(msgpack_encode_value(back, t, &out2, &n2) == 0);
	CHECK(n == n2 && out && out2 && memcmp(out, out2, n) == 0);
	tf_value_free(back);
	free(out);
	free(out2);
	tf_diags_free(&d);
}

static void test_msgpack_roundtrip__nested(void)
{
	tf_value *v = big_value(), *dyn;
	const tf_type *t = big_type();
	size_t i;

	round_trip("big", v, t);
	/* the same value in a dynamic slot */
	round_trip("big_dynamic", v, &tf_type_dynamic);
	/* null and unknown at each attribute in turn */
	for (i = 0; i < t->n; i++) {
		tf_value *c = tf_value_clone(v);

		tf_value_set_attr(c, t->names[i], tf_value_null(t->types[i]));
		round_trip("null_attr", c, t);
		tf_value_set_attr(c, t->names[i], tf_value_unknown(t->types[i]));
		round_trip("unknown_attr", c, t);
		tf_value_free(c);
	}
	{
		tf_value *z = tf_value_null(t), *u = tf_value_unknown(t);

		round_trip("null_top", z, t);
		round_trip("unknown_top", u, t);
		tf_value_free(z);
		tf_value_free(u);
	}
	/* a dynamic attribute carrying an object */
	dyn = tf_value_clone(v);
	tf_value_set_attr(dyn, "meta", tf_value_clone(tf_value_attr(v, "rules")));
	round_trip("dynamic_object_list", dyn, t);
	tf_value_free(dyn);
	tf_value_free(v);
}

static void test_msgpack_roundtrip__numbers(void)
{
	static const char *nums[] = {
		"0",
		"1",
		"-1",
		"127",
		"128",
		"255",
		"256",
		"65535",
		"65536",
		"4294967295",
		"4294967296",
		"-32",
		"-33",
		"-128",
		"-129",
		"-32768",
		"-32769",
		"-2147483648",
		"-2147483649",
		"9223372036854775807",
		"9223372036854775808",
		"18446744073709551616",
		"-9223372036854775809",
		"0.5",
		"0.1",
		"1.25e-5",
		"3.14159",
		"123456789012345678901234567890.000001",
		"1e-400",
		"1e308",
		"2.2250738585072014e-308",
		"4.9406564584124654e-324",
		"-0.0",
		"1e21",
	};
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		tf_value *v = tf_value_number_text(nums[i]);

		round_trip("num", v, &tf_type_number);
		tf_value_free(v);
	}
}

static void test_msgpack_decode__widths(void)
{
	struct {
		const char *hex;
		const char *num;
	} cases[] = {
		{"07", "7"},
		{"e0", "-32"},
		{"cc ff", "255"},
		{"cd 0708", "1800"},
		{"ce 00010000", "65536"},
		{"cf ffffffffffffffff", "18446744073709551615"},
		{"d0 80", "-128"},
		{"d1 8000", "-32768"},
		{"d2 80000000", "-2147483648"},
		{"d3 8000000000000000", "-9223372036854775808"},
		{"d0 05", "5"},
		{"ca 3f000000", "0.5"},
		{"ca 3dcccccd", "0.100000001490116119384765625"},
		{"cb 3fb999999999999a",
		 "0.1000000000000000055511151231257827021181583404541015625"},
		{"a4 31653939", "1e99"},
		{"d9 04 2d302e35", "-0.5"},
		{"cb 7ff0000000000000", "Infinity"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tf_diags d;
		tf_value *v, *want = tf_value_number_text(cases[i].num);

		tf_diags_init(&d);
		v = decode_hex(cases[i].hex, &tf_type_number, &d);
		CHECK(v && d.n == 0);
		if (v && !tf_value_equal(v, want))
			fprintf(stderr, "  %s decoded as %s, want %s\n", cases[i].hex, v->u.num,
				cases[i].num);
		CHECK(v && tf_value_equal(v, want));
		tf_value_free(v);
		tf_value_free(want);
		tf_diags_free(&d);
	}
}

static void test_msgpack_decode__unknowns(void)
{
	struct {
		const char *hex;
		bool not_null;
	} cases[] = {
		{"d40000", false},
		{"d40500", false},
		{"d5000000", false},
		{"c70000", false},
		{"c7030c8101c2", true}, /* refined: nullness false */
		{"c7030c8101c3", false}, /* nullness true: no refinement we keep */
		{"c7000c", false}, /* empty payload (cty never sends it) */
		{"c7010c81", false}, /* truncated refinement map */
		{"c7010cc1", false}, /* garbage refinement */
		/* map of 3 entries whose third has no value: malformed, so a plain unknown */
		{"c7090c8302a3616263"
		 "01c2"
		 "05",
		 false},
		{"c7080c8202a3616263"
		 "01c2",
		 true}, /* prefix "abc" skipped, nullness false */
		{"c7080c820593010203"
		 "01c2",
		 true}, /* an array-valued key skipped */
		{"c7090c820593010203"
		 "01c2"
		 "00",
		 true}, /* trailing byte in the payload ignored */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tf_diags d;
		tf_value *v;

		tf_diags_init(&d);
		v = decode_hex(cases[i].hex, &tf_type_string, &d);
		CHECK(v && tf_value_is_unknown(v) && d.n == 0);
		if (v && v->unknown_not_null != cases[i].not_null)
			fprintf(stderr, "  case %s: not_null=%d\n", cases[i].hex,
				v->unknown_not_null);
		CHECK(v && v->unknown_not_null == cases[i].not_null);
		tf_value_free(v);
		tf_diags_free(&d);
	}
}

static void expect_error(const char *hexs, const tf_type *t, const char *needle, const char *path)
{
	tf_diags d;

	tf_diags_init(&d);
	unit_expect_one_error(decode_hex(hexs, t, &d), &d, "Invalid msgpack value", needle, path,
			      hexs);
}

static void test_msgpack_decode__errors(void)
{
	const char *n2[] = {"a", "b"};
	const tf_type *t2[] = {&tf_type_string, &tf_type_string};
	const tf_type *ot = obj(2, n2, t2);
	const char *wn[] = {"rules"};
	const tf_type *wt[] = {tf_type_list(ot)};
	const tf_type *wrap = obj(1, wn, wt);

	expect_error("81a161c0", ot, "missing attribute \"b\"", NULL);
	expect_error("83a161c0a162c0a178c0", ot, "unsupported attribute \"x\"", NULL);
	expect_error("82a161c0a161c0", ot, "duplicate attribute \"a\"", NULL);
	expect_error("81a5"
		     "72756c6573"
		     "9181a161c0",
		     wrap, "missing attribute \"b\"", "rules[0]");
	expect_error("81a5"
		     "72756c6573"
		     "91"
		     "82a161c0a16201",
		     wrap, "a string is required", "rules[0].b");
	expect_error("a1 61", &tf_type_number, "a number is required", NULL);
	expect_error("a3 316578", &tf_type_number, "not a decimal number", NULL); /* "1ex" */
	expect_error("a2 3130", &tf_type_bool, "a bool is required", NULL);
	expect_error("01", &tf_type_string, "a string is required", NULL);
	expect_error("81a161c0", tf_type_list(&tf_type_string), "a list (array) is required", NULL);
	expect_error("91c0", tf_type_map(&tf_type_string), "a map is required", NULL);
	expect_error("8101c0", tf_type_map(&tf_type_string), "map keys must be strings", NULL);
	expect_error("91c0", tf_type_tuple(2, t2), "a tuple of 2 elements", NULL);
	expect_error("a161", &tf_type_dynamic, "[type, value] array", NULL);
	expect_error("92c403666f6fc0", &tf_type_dynamic, "not a valid type", NULL);
	expect_error("9201c0", &tf_type_dynamic, "type must be JSON bytes", NULL);
	expect_error("c0c0", &tf_type_string, "unexpected bytes after the value", NULL);
	expect_error("c1", &tf_type_string, "invalid msgpack type byte 0xc1", NULL);
	expect_error("", &tf_type_string, "truncated", NULL);
	expect_error("cb7ff8000000000000", &tf_type_number, "NaN", NULL);
	expect_error("dd ffffffff 01", tf_type_list(&tf_type_number), "truncated", NULL);
	expect_error("df ffffffff 01", tf_type_map(&tf_type_number), "truncated", NULL);
	expect_error("db ffffffff 41", &tf_type_string, "truncated", NULL);
	expect_error("81a3610062c0", tf_type_map(&tf_type_string), "NUL", NULL);
	/* a path stops at a set: its elements have no address */
	{
		const char *sn[] = {"ids"};
		const tf_type *st[] = {tf_type_set(&tf_type_string)};

		expect_error("81a3"
			     "696473"
			     "92a0"
			     "01",
			     obj(1, sn, st), "a string is required", "ids");
	}
	/* the object's missing attribute error names the path of the object */
	expect_error("81a5"
		     "72756c6573"
		     "c2",
		     wrap, "a list (array) is required", "rules");
}

static void test_msgpack_decode__string_number_ok(void)
{
	tf_diags d;
	tf_value *v;

	tf_diags_init(&d);
	v = decode_hex("a3 316532", &tf_type_number, &d); /* "1e2" */
	CHECK(v && d.n == 0);
	tf_value_free(v);
	v = decode_hex("c4 02 6869", &tf_type_string, &d); /* bin accepted as string */
	CHECK(v && strcmp(tf_value_str(v), "hi") == 0);
	tf_value_free(v);
	tf_diags_free(&d);
}

static void test_msgpack_decode__depth(void)
{
	/* 64 nested lists decode; 65 do not (the limit is checked, not the stack) */
	const tf_type *t = unit_nested_list(64);
	uint8_t b[300];
	tf_diags d;
	tf_value *v;
	size_t i;

	for (i = 0; i < 64; i++)
		b[i] = 0x91;
	b[64] = 0xa0;
	tf_diags_init(&d);
	v = msgpack_decode_value(b, 65, t, &d);
	CHECK(v && d.n == 0);
	tf_value_free(v);
	t = tf_type_list(t);
	b[64] = 0x91;
	b[65] = 0xa0;
	v = msgpack_decode_value(b, 66, t, &d);
	CHECK(v == NULL && d.n == 1 && strstr(d.items[0].detail, "nesting deeper than 64"));
	tf_diags_free(&d);
	/* deep nesting of dynamic values */
	for (i = 0; i < 300; i++)
		b[i] = 0x91;
	v = msgpack_decode_value(b, sizeof(b), &tf_type_dynamic, &d);
	CHECK(v == NULL && tf_diags_has_error(&d));
	tf_diags_free(&d);
	/* unknown refinement payload nested too deep is ignored, not recursed without bound */
}

static void test_msgpack_decode__truncation(void)
{
	tf_value *v = big_value(), *back;
	const tf_type *t = big_type();
	uint8_t *out = NULL;
	size_t n = 0, cut;

	CHECK(msgpack_encode_value(v, t, &out, &n) == 0);
	for (cut = 0; cut < n; cut++) {
		/* copy into an exact-size allocation so ASan catches any over-read */
		uint8_t *p = malloc(cut ? cut : 1);
		tf_diags d;

		memcpy(p, out, cut);
		tf_diags_init(&d);
		back = msgpack_decode_value(p, cut, t, &d);
		if (back)
			fprintf(stderr, "  truncation at %zu accepted\n", cut);
		CHECK(back == NULL);
		CHECK(d.n == 1 && tf_diags_has_error(&d));
		tf_value_free(back);
		tf_diags_free(&d);
		free(p);
	}
	/* the same under a dynamic slot */
	free(out);
	CHECK(msgpack_encode_value(v, &tf_type_dynamic, &out, &n) == 0);
	for (cut = 0; cut < n; cut++) {
		uint8_t *p = malloc(cut ? cut : 1);
		tf_diags d;

		memcpy(p, out, cut);
		tf_diags_init(&d);
		back = msgpack_decode_value(p, cut, &tf_type_dynamic, &d);
		CHECK(back == NULL && d.n == 1);
		tf_value_free(back);
		tf_diags_free(&d);
		free(p);
	}
	free(out);
	tf_value_free(v);
}

static void test_msgpack_decode__mutations(void)
{
	tf_value *v = big_value(), *back;
	const tf_type *t = big_type();
	uint8_t *out = NULL;
	size_t n = 0, i;
	unsigned seed = 12345;
	int round, decoded = 0, rejected = 0;

	CHECK(msgpack_encode_value(v, t, &out, &n) == 0);
	for (round = 0; round < 20000; round++) {
		uint8_t *p = malloc(n);
		tf_diags d;
		int k, flips = 1 + round % 3;

		memcpy(p, out, n);
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			i = (seed >> 8) % n;
			seed = seed * 1103515245u + 12345u;
			p[i] = (uint8_t)(seed >> 16);
		}
		tf_diags_init(&d);
		back = msgpack_decode_value(p, n, t, &d);
		/* either a value and no diagnostics, or no value and exactly one error */
		if (back) {
			decoded++;
			CHECK(d.n == 0);
		} else {
			rejected++;
			CHECK(d.n == 1 && tf_diags_has_error(&d));
		}
		tf_value_free(back);
		tf_diags_free(&d);
		free(p);
	}
	CHECK(decoded > 0 && rejected > 0);
	free(out);
	tf_value_free(v);
}

/* Cases the Python cross-check reads (only written with MSGPACK_DUMP_DIR). */
static void test_msgpack_dump__crosscheck(void)
{
	tf_value *v = big_value();

	if (!getenv("MSGPACK_DUMP_DIR")) {
		tf_value_free(v);
		return;
	}
	check_encoding("xc_big", tf_value_clone(v), big_type(), NULL);
	check_encoding("xc_big_dynamic", tf_value_clone(v), &tf_type_dynamic, NULL);
	tf_value_free(v);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void write_file(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return;
	fwrite(b, 1, n, f);
	fclose(f);
}

/* Decode what Python wrote and re-encode it (only with MSGPACK_DUMP_DIR). */
static void test_msgpack_crosscheck__decode(void)
{
	const char *dir = getenv("MSGPACK_DUMP_DIR");
	struct dirent *e;
	DIR *dh;
	int cases = 0;

	if (!dir || !(dh = opendir(dir)))
		return;
	while ((e = readdir(dh))) {
		char path[1024], base[256];
		size_t n = strlen(e->d_name), blen = 0, tlen = 0, olen = 0;
		uint8_t *in = NULL, *tj = NULL, *out = NULL;
		const tf_type *t;
		tf_value *v;
		tf_diags d;

		if (strncmp(e->d_name, "in_", 3) != 0 || n < 12 ||
		    strcmp(e->d_name + n - 8, ".msgpack") != 0 || n - 11 >= sizeof(base))
			continue;
		memcpy(base, e->d_name + 3, n - 11);
		base[n - 11] = '\0';
		snprintf(path, sizeof(path), "%s/in_%s.msgpack", dir, base);
		in = read_file(path, &blen);
		snprintf(path, sizeof(path), "%s/in_%s.type", dir, base);
		tj = read_file(path, &tlen);
		CHECK(in && tj);
		t = tj ? tf_type_from_json((const char *)tj, tlen) : NULL;
		CHECK(t != NULL);
		tf_diags_init(&d);
		v = (in && t) ? msgpack_decode_value(in, blen, t, &d) : NULL;
		if (v) {
			CHECK(d.n == 0);
			CHECK(msgpack_encode_value(v, t, &out, &olen) == 0);
			snprintf(path, sizeof(path), "%s/out_%s.msgpack", dir, base);
			write_file(path, out, olen);
		} else if (d.n) {
			snprintf(path, sizeof(path), "%s/out_%s.err", dir, base);
			write_file(path, d.items[0].detail, strlen(d.items[0].detail));
		}
		cases++;
		tf_value_free(v);
		tf_diags_free(&d);
		free(in);
		free(tj);
		free(out);
	}
	closedir(dh);
	(void)cases;
}

int main(void)
{
	RUN(test_msgpack_encode__primitives);
	RUN(test_msgpack_encode__composites);
	RUN(test_msgpack_encode__type_mismatch);
	RUN(test_msgpack_roundtrip__nested);
	RUN(test_msgpack_roundtrip__numbers);
	RUN(test_msgpack_decode__widths);
	RUN(test_msgpack_decode__unknowns);
	RUN(test_msgpack_decode__errors);
	RUN(test_msgpack_decode__string_number_ok);
	RUN(test_msgpack_decode__depth);
	RUN(test_msgpack_decode__truncation);
	RUN(test_msgpack_decode__mutations);
	RUN(test_msgpack_dump__crosscheck);
	RUN(test_msgpack_crosscheck__decode);
	return unit_summary();
}
