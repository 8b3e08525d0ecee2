/*
 * test_json.c - the JSON codec: exact big numbers, cty/json conversions,
 * dynamic values, strict vs lenient objects, errors with paths, round trips,
 * and malformed or truncated input.
 */
#include "core/json_codec.h"
#include "unit.h"
#include "unit_codec.h"

static const tf_type *obj(size_t n, const char *const *names, const tf_type *const *types)
{
	return tf_type_object(n, names, types);
}

static tf_value *dec(const char *text, const tf_type *t, bool lenient, tf_diags *d)
{
	return json_decode_value(text, strlen(text), t, lenient, d);
}

static void check_number(const char *json, const char *want)
{
	tf_diags d;
	tf_value *v, *w = tf_value_number_text(want);

	tf_diags_init(&d);
	v = dec(json, &tf_type_number, false, &d);
	CHECK(v && d.n == 0);
	if (v)
		CHECK_STR(v->u.num, want); /* the literal is kept verbatim */
	CHECK(tf_value_equal(v, w));
	tf_value_free(v);
	tf_value_free(w);
	tf_diags_free(&d);
}

static void test_json_decode__numbers_exact(void)
{
	check_number("123456789012345678901234567890", "123456789012345678901234567890");
	check_number("0.1", "0.1");
	check_number("-1e+400", "-1e+400");
	check_number(" 1.5E-3 ", "1.5E-3");
	check_number("18446744073709551616", "18446744073709551616");
	check_number("\"42\"", "42"); /* numeric string accepted */
	check_number("-0", "-0");
}

static void test_json_decode__conversions(void)
{
	tf_diags d;
	tf_value *v;

	tf_diags_init(&d);
	v = dec("12.50", &tf_type_string, false, &d);
	CHECK_STR(tf_value_str(v), "12.50");
	tf_value_free(v);
	v = dec("true", &tf_type_string, false, &d);
	CHECK_STR(tf_value_str(v), "true");
	tf_value_free(v);
	v = dec("\"a\\u0000b\\u00e9\\ud83d\\ude00\"", &tf_type_string, false, &d);
	CHECK(v && v->u.str.len == 9 && memcmp(v->u.str.s, "a\0b\xc3\xa9\xf0\x9f\x98\x80", 9) == 0);
	tf_value_free(v);
	v = dec("\"false\"", &tf_type_bool, false, &d);
	CHECK(v && tf_value_is_known(v) && !v->u.b);
	tf_value_free(v);
	v = dec("\"1\"", &tf_type_bool, false, &d);
	CHECK(v && v->u.b);
	tf_value_free(v);
	v = dec("null", &tf_type_bool, false, &d);
	CHECK(v && tf_value_is_null(v));
	tf_value_free(v);
	CHECK(d.n == 0);
	tf_diags_free(&d);
}

static void expect_error(const char *text, const tf_type *t, bool lenient, const char *needle,
			 const char *path)
{
	tf_diags d;

	tf_diags_init(&d);
	unit_expect_one_error(dec(text, t, lenient, &d), &d, "Invalid JSON value", needle, path,
			      text);
}

static const tf_type *res_type(void)
{
	const char *n[] = {"id", "days", "enabled", "tags", "rule", "extra"};
	const tf_type *t[] = {&tf_type_string,
			      &tf_type_number,
			      &tf_type_bool,
			      tf_type_map(&tf_type_string),
			      tf_type_list(unit_rule_type()),
			      &tf_type_dynamic};

	return obj(6, n, t);
}

static void test_json_decode__errors(void)
{
	const tf_type *t = res_type();
	const tf_type *tt[] = {&tf_type_string, &tf_type_bool};

	expect_error("{\"nope\":1}", t, false, "unsupported attribute \"nope\"", NULL);
	expect_error("{\"rule\":[{\"key\":\"x\",\"bogus\":true}]}", t, false,
		     "unsupported attribute \"bogus\"", "rule[0]");
	expect_error("{\"days\":\"seven\"}", t, false, "not a decimal number", "days");
	expect_error("{\"enabled\":1}", t, false, "a bool is required", "enabled");
	expect_error("{\"tags\":{\"a\":[]}}", t, false, "a string is required", "tags[\"a\"]");
	expect_error("{\"rule\":{}}", t, false, "a list (array) is required", "rule");
	expect_error("{\"extra\":{\"type\":[\"set\",\"bool\"],\"value\":[true,\"x\"]}}", t, false,
		     "a bool is required", "extra");
	expect_error("{\"extra\":5}", t, false, "exactly \"type\" and \"value\"", "extra");
	expect_error("{\"extra\":{\"type\":\"strin\",\"value\":5}}", t, false, "not a valid type",
		     "extra");
	expect_error("[\"a\"]", tf_type_tuple(2, tt), false, "a tuple of 2 elements", NULL);
	expect_error("[]", t, false, "an object is required", NULL);
	expect_error("{\"id\":", t, false, "not valid JSON", NULL);
	expect_error("{\"id\":\"x\"} trailing", t, false, "not valid JSON", NULL);
	expect_error("01", &tf_type_number, false, "invalid JSON number", NULL);
	expect_error("1.", &tf_type_number, false, "invalid JSON number", NULL);
	expect_error("-", &tf_type_number, false, "invalid JSON number", NULL);
	expect_error("1e", &tf_type_number, false, "invalid JSON number", NULL);
	expect_error("NaN", &tf_type_number, false, "not valid JSON", NULL);
	expect_error("", &tf_type_number, false, "not valid JSON", NULL);
	expect_error("{\"id\":\"a\",\"id\":\"b\"}", t, false, "not valid JSON", NULL);
	expect_error("{\"id\":\"x\",\"zzz\":1}", t, false, "unsupported attribute \"zzz\"", NULL);
}

static void test_json_decode__strict_missing_is_null(void)
{
	tf_diags d;
	tf_value *v;

	tf_diags_init(&d);
	v = dec("{\"id\":\"pb-1\"}", res_type(), false, &d);
	CHECK(v && d.n == 0);
	CHECK_STR(tf_value_attr_str(v, "id"), "pb-1");
	CHECK(tf_value_is_null(tf_value_attr(v, "rule")));
	CHECK(tf_value_is_null(tf_value_attr(v, "days")));
	tf_value_free(v);
	tf_diags_free(&d);
}

static void test_json_decode__lenient(void)
{
	tf_diags d;
	tf_value *v;

	tf_diags_init(&d);
	/* old state: an attribute the schema dropped, nested too; new attributes missing */
	v = dec("{\"id\":\"pb-1\",\"removed\":{\"x\":[1,2]},\"days\":7,"
		"\"rule\":[{\"key\":\"PRODUCT\",\"gone\":1}]}",
		res_type(), true, &d);
	CHECK(v && d.n == 0);
	CHECK_STR(tf_value_attr_str(v, "id"), "pb-1");
	{
		int64_t days = 0;

		CHECK(tf_value_number_as_i64(tf_value_attr(v, "days"), &days) == 0 && days == 7);
	}
	CHECK(tf_value_len(tf_value_attr(v, "rule")) == 1);
	CHECK_STR(tf_value_attr_str(tf_value_index(tf_value_attr(v, "rule"), 0), "key"), "PRODUCT");
	CHECK(tf_value_is_null(
		tf_value_attr(tf_value_index(tf_value_attr(v, "rule"), 0), "values")));
	CHECK(tf_value_is_null(tf_value_attr(v, "tags")));
	tf_value_free(v);
	/* a missing block list becomes an empty list, not null */
	v = dec("{\"id\":\"pb-2\"}", res_type(), true, &d);
	CHECK(v && tf_value_is_known(tf_value_attr(v, "rule")) &&
	      tf_value_len(tf_value_attr(v, "rule")) == 0);
	CHECK(tf_value_is_null(tf_value_attr(v, "extra")));
	tf_value_free(v);
	CHECK(d.n == 0);
	tf_diags_free(&d);
}

static tf_value *sample(void)
{
	const tf_type *t = res_type();
	tf_value *o = tf_value_object(t), *tags, *rules, *dy;

	tf_value_set_attr(o, "id", tf_value_string("line1\nline2 \"q\" \\ \x01"));
	tf_value_set_attr(o, "days", tf_value_number_text("123456789012345678901234567890.25"));
	tf_value_set_attr(o, "enabled", tf_value_bool(false));
	tags = tf_value_empty(tf_type_map(&tf_type_string));
	tf_value_map_put(tags, "b", tf_value_string("2"));
	tf_value_map_put(tags, "a", tf_value_null(&tf_type_string));
	tf_value_set_attr(o, "tags", tags);
	rules = tf_value_empty(tf_type_list(unit_rule_type()));
	tf_value_append(rules, unit_rule("CLASSIFICATION", 1, (const char *const[]){"Security"}));
	tf_value_set_attr(o, "rule", rules);
	dy = tf_value_empty(tf_type_set(&tf_type_number));
	tf_value_append(dy, tf_value_number_text("+.5"));
	tf_value_append(dy, tf_value_number_text("007"));
	tf_value_set_attr(o, "extra", dy);
	return o;
}

static void test_json_roundtrip__sample(void)
{
	tf_value *v = sample(), *back;
	char *text, *text2;
	tf_diags d;

	tf_diags_init(&d);
	text = json_encode_value(v, res_type());
	CHECK(text != NULL);
	CHECK(text && strstr(text, "\"days\":123456789012345678901234567890.25"));
	CHECK(text && strstr(text, "\"extra\":{\"type\":[\"set\",\"number\"],\"value\":[0.5,7]}"));
	CHECK(text && strstr(text, "\"tags\":{\"a\":null,\"b\":\"2\"}"));
	CHECK(text && strstr(text, "\"id\":\"line1\\nline2 \\\"q\\\" \\\\ \\u0001\""));
	back = text ? dec(text, res_type(), false, &d) : NULL;
	CHECK(back && d.n == 0);
	CHECK(tf_value_equal(v, back));
	text2 = json_encode_value(back, res_type());
	CHECK(text && text2 && strcmp(text2, text) == 0); /* stable once literals are normalised */
	free(text2);
	tf_value_free(back);
	free(text);
	tf_value_free(v);
	tf_diags_free(&d);
}

static void test_json_encode__special(void)
{
	tf_value *u = tf_value_unknown(&tf_type_string), *inf = tf_value_number_text("Infinity");
	tf_value *s = tf_value_string("x");
	char *t;

	t = json_encode_value(u, &tf_type_string);
	CHECK_STR(t, "null");
	free(t);
	CHECK(json_encode_value(inf, &tf_type_number) == NULL);
	CHECK(json_encode_value(s, &tf_type_number) == NULL); /* wrong type */
	t = json_encode_value(s, &tf_type_dynamic);
	CHECK_STR(t, "{\"type\":\"string\",\"value\":\"x\"}");
	free(t);
	tf_value_free(u);
	tf_value_free(inf);
	tf_value_free(s);
}

static void test_json_decode__truncation(void)
{
	tf_value *v = sample();
	char *text = json_encode_value(v, res_type());
	size_t n = text ? strlen(text) : 0, cut;

	for (cut = 0; cut < n; cut++) {
		char *p = malloc(cut ? cut : 1);
		tf_diags d;
		tf_value *back;

		memcpy(p, text, cut);
		tf_diags_init(&d);
		back = json_decode_value(p, cut, res_type(), false, &d);
		CHECK(back == NULL && d.n == 1);
		tf_value_free(back);
		tf_diags_free(&d);
		free(p);
	}
	free(text);
	tf_value_free(v);
}

static void test_json_decode__depth(void)
{
	char text[400];
	tf_diags d;
	size_t i;

	for (i = 0; i < 65; i++) {
		text[i] = '[';
		text[i + 66] = ']';
	}
	text[65] = '1';
	text[131] = '\0';
	tf_diags_init(&d);
	unit_expect_one_error(dec(text, unit_nested_list(65), false, &d), &d, "Invalid JSON value",
			      "nesting deeper than 64", NULL, "65 nested lists");
}

/* Random byte changes to a valid document: a value and no diagnostics, or no
 * value and exactly one error; never a crash (run under ASan/valgrind). */
static void test_json_decode__mutations(void)
{
	static const char alphabet[] = "{}[]\",:0123456789-+.eE \\tnulfase\x01\xc3\xa9";
	tf_value *v = sample();
	char *text = json_encode_value(v, res_type());
	size_t n = text ? strlen(text) : 0;
	unsigned seed = 4242;
	int round, decoded = 0, rejected = 0;

	for (round = 0; n && round < 5000; round++) {
		char *p = malloc(n);
		tf_diags d;
		tf_value *back;
		int k;

		memcpy(p, text, n);
		for (k = 0; k < 1 + round % 3; k++) {
			seed = seed * 1103515245u + 12345u;
			p[(seed >> 8) % n] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
		}
		tf_diags_init(&d);
		back = json_decode_value(p, n, res_type(), round % 2 == 0, &d);
		if (back) {
			decoded++;
			CHECK(d.n == 0);
		} else {
			rejected++;
			CHECK(d.n == 1);
		}
		tf_value_free(back);
		tf_diags_free(&d);
		free(p);
	}
	CHECK(decoded > 0 && rejected > 0);
	free(text);
	tf_value_free(v);
}

int main(void)
{
	RUN(test_json_decode__numbers_exact);
	RUN(test_json_decode__conversions);
	RUN(test_json_decode__errors);
	RUN(test_json_decode__strict_missing_is_null);
	RUN(test_json_decode__lenient);
	RUN(test_json_roundtrip__sample);
	RUN(test_json_encode__special);
	RUN(test_json_decode__truncation);
	RUN(test_json_decode__depth);
	RUN(test_json_decode__mutations);
	return unit_summary();
}
