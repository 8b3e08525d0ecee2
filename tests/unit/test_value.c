/*
 * test_value.c - cty types (interning, type JSON), values (construction,
 * inspection, equality, numbers) and attribute paths.
 */
#include <math.h>
#include <pthread.h>

#include "core/value.h"
#include "unit.h"

static const tf_type *obj2(const char *a, const tf_type *ta, const char *b, const tf_type *tb)
{
	const char *names[] = {a, b};
	const tf_type *types[] = {ta, tb};

	return tf_type_object(2, names, types);
}

static void test_value_type__interned(void)
{
	const tf_type *l1 = tf_type_list(&tf_type_string), *l2 = tf_type_list(&tf_type_string);
	const tf_type *o1 = obj2("b", &tf_type_number, "a", l1);
	const tf_type *o2 = obj2("a", l2, "b", &tf_type_number);
	const tf_type *tt[] = {&tf_type_bool, o1};

	CHECK(l1 && l1 == l2);
	CHECK(l1 != tf_type_set(&tf_type_string));
	CHECK(tf_type_set(&tf_type_string) == tf_type_set(&tf_type_string));
	CHECK(tf_type_map(&tf_type_string) != tf_type_list(&tf_type_string));
	CHECK(o1 && o1 == o2);
	CHECK_STR(o1->names[0], "a");
	CHECK_STR(o1->names[1], "b");
	CHECK(o1->types[0] == l1);
	CHECK(tf_type_attr_index(o1, "b") == 1);
	CHECK(tf_type_attr_index(o1, "c") == -1);
	CHECK(tf_type_attr_index(l1, "a") == -1);
	CHECK(tf_type_tuple(2, tt) == tf_type_tuple(2, tt));
	CHECK(tf_type_tuple(0, NULL) == tf_type_tuple(0, NULL));
	CHECK(tf_type_object(0, NULL, NULL) == tf_type_object(0, NULL, NULL));
	CHECK(tf_type_object(0, NULL, NULL) != tf_type_tuple(0, NULL));
	/* a repeated attribute name is not an object type */
	CHECK(obj2("a", &tf_type_bool, "a", &tf_type_bool) == NULL);
	/* same names, different attribute types */
	CHECK(obj2("a", &tf_type_bool, "b", &tf_type_bool) !=
	      obj2("a", &tf_type_bool, "b", &tf_type_string));
}

static void *intern_worker(void *arg)
{
	const tf_type **out = arg;
	char name[16];
	int i;

	for (i = 0; i < 200; i++) {
		const char *n[] = {name};
		const tf_type *t[] = {&tf_type_string};

		snprintf(name, sizeof(name), "attr%d", i);
		out[i] = tf_type_list(tf_type_object(1, n, t));
	}
	return NULL;
}

static void test_value_type__intern_threads(void)
{
	static const tf_type *res[4][200];
	pthread_t th[4];
	int i, k;

	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, intern_worker, res[i]);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 1; i < 4; i++)
		for (k = 0; k < 200; k++)
			CHECK(res[i][k] && res[i][k] == res[0][k]);
}

static void check_type_json(const char *json, const char *canonical)
{
	const tf_type *t = tf_type_from_json(json, strlen(json));
	char *back;

	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "  (type JSON %s)\n", json);
		return;
	}
	back = tf_type_to_json(t);
	CHECK_STR(back, canonical);
	/* parsing the canonical form gives the same interned type */
	CHECK(tf_type_from_json(back, strlen(back)) == t);
	free(back);
}

static void test_value_type__json(void)
{
	check_type_json("\"string\"", "\"string\"");
	check_type_json("\"number\"", "\"number\"");
	check_type_json("\"bool\"", "\"bool\"");
	check_type_json("\"dynamic\"", "\"dynamic\"");
	check_type_json("[\"list\",\"string\"]", "[\"list\",\"string\"]");
	check_type_json("[ \"set\" , [\"map\",\"number\"] ]", "[\"set\",[\"map\",\"number\"]]");
	check_type_json("[\"object\",{\"z\":\"bool\",\"a\":[\"list\",\"dynamic\"]}]",
			"[\"object\",{\"a\":[\"list\",\"dynamic\"],\"z\":\"bool\"}]");
	check_type_json("[\"object\",{\"a\":\"string\",\"b\":\"number\"},[\"b\"]]",
			"[\"object\",{\"a\":\"string\",\"b\":\"number\"}]");
	check_type_json("[\"object\",{}]", "[\"object\",{}]");
	check_type_json("[\"tuple\",[\"string\",[\"tuple\",[]]]]",
			"[\"tuple\",[\"string\",[\"tuple\",[]]]]");
	check_type_json("[\"object\",{\"q\\\"x\":\"string\"}]",
			"[\"object\",{\"q\\\"x\":\"string\"}]");

	CHECK(tf_type_from_json("[\"list\",\"string\"]xyz", 17) == tf_type_list(&tf_type_string));
}

static void test_value_type__json_malformed(void)
{
	static const char *bad[] = {
		"",
		"  ",
		"\"strin\"",
		"\"String\"",
		"1",
		"null",
		"{}",
		"[]",
		"[\"list\"]",
		"[\"list\",\"string\",\"x\"]",
		"[\"list\",1]",
		"[\"foo\",\"string\"]",
		"[\"object\",[]]",
		"[\"object\",{\"a\":\"nope\"}]",
		"[\"object\",{\"a\":1}]",
		"[\"object\",{},[],1]",
		"[\"tuple\",{}]",
		"[\"tuple\",[1]]",
		"[\"map\"",
		"[1,\"string\"]",
		"[\"list\",\"string\"] x",
		"[\"object\",{\"a\":\"string\",\"a\":\"bool\"}]",
	};
	char deep[1024];
	size_t i, k = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const tf_type *t = tf_type_from_json(bad[i], strlen(bad[i]));

		if (t)
			fprintf(stderr, "  accepted bad type JSON %s\n", bad[i]);
		CHECK(t == NULL);
	}
	CHECK(tf_type_from_json(NULL, 0) == NULL);
	/* nesting beyond the limit is refused, not recursed into */
	for (i = 0; i < 100; i++)
		k += (size_t)snprintf(deep + k, sizeof(deep) - k, "[\"list\",");
	k += (size_t)snprintf(deep + k, sizeof(deep) - k, "\"string\"");
	for (i = 0; i < 100; i++)
		deep[k++] = ']';
	deep[k] = '\0';
	CHECK(tf_type_from_json(deep, k) == NULL);
}

static void test_value_value__primitives(void)
{
	tf_value *s = tf_value_string_len("a\0b", 3), *n = tf_value_number_i64(-42);
	tf_value *b = tf_value_bool(true), *nul = tf_value_null(&tf_type_string);
	tf_value *unk = tf_value_unknown(&tf_type_number);
	int64_t i;
	double d;

	CHECK(s->type == &tf_type_string && s->u.str.len == 3 && s->u.str.s[3] == '\0');
	CHECK(memcmp(s->u.str.s, "a\0b", 3) == 0);
	CHECK_STR(n->u.num, "-42");
	CHECK(tf_value_number_as_i64(n, &i) == 0 && i == -42);
	CHECK(tf_value_number_as_double(n, &d) == 0 && d == -42.0);
	CHECK(tf_value_bool_or(b, false) == true);
	CHECK(tf_value_bool_or(nul, true) == true);
	CHECK(tf_value_bool_or(unk, false) == false);
	CHECK(tf_value_is_null(nul) && !tf_value_is_known(nul));
	CHECK(tf_value_is_null(NULL));
	CHECK(tf_value_is_unknown(unk) && tf_value_has_unknown(unk));
	CHECK(!tf_value_has_unknown(s));
	CHECK(tf_value_str(nul) == NULL && tf_value_str(n) == NULL);
	CHECK(tf_value_number_as_i64(unk, &i) == -1);
	{
		tf_value *dn = tf_value_null(NULL);

		CHECK(dn && dn->type == &tf_type_dynamic);
		tf_value_free(dn);
	}
	tf_value_free(s);
	tf_value_free(n);
	tf_value_free(b);
	tf_value_free(nul);
	tf_value_free(unk);
}

static void test_value_number__text(void)
{
	static const char *good[] = {"0",       "-0",       "1",
				     "+1",      "1.",       ".5",
				     "1.5e3",   "1E-3",     "123456789012345678901234567890",
				     "-1e+400", "Infinity", "-inf"};
	static const char *bad[] = {"",     "-",  ".",  "e1",  "1e",    "1e+", "1.2.3",
				    "0x10", " 1", "1 ", "NaN", "1_000", "--1"};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		tf_value *v = tf_value_number_text(good[i]);

		CHECK(tf_number_valid(good[i]));
		CHECK(v && strcmp(v->u.num, good[i]) == 0);
		tf_value_free(v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!tf_number_valid(bad[i]));
		CHECK(tf_value_number_text(bad[i]) == NULL);
	}
}

static void test_value_number__compare(void)
{
	CHECK(tf_number_compare("1", "1.0") == 0);
	CHECK(tf_number_compare("1", "1e0") == 0);
	CHECK(tf_number_compare("10e-1", "1") == 0);
	CHECK(tf_number_compare("0", "-0.000") == 0);
	CHECK(tf_number_compare("100", "1e2") == 0);
	CHECK(tf_number_compare("0.001", "1e-3") == 0);
	CHECK(tf_number_compare("1", "2") < 0);
	CHECK(tf_number_compare("-1", "-2") > 0);
	CHECK(tf_number_compare("-1", "1") < 0);
	CHECK(tf_number_compare("0.1", "0.10000000000000001") < 0);
	CHECK(tf_number_compare("123456789012345678901234567890",
				"123456789012345678901234567891") < 0);
	CHECK(tf_number_compare("123456789012345678901234567890",
				"1.2345678901234567890123456789e29") == 0);
	CHECK(tf_number_compare("-1e+400", "-1e400") == 0);
	CHECK(tf_number_compare("-1e+400", "-1e399") < 0);
	CHECK(tf_number_compare("1e400", "Infinity") < 0);
	CHECK(tf_number_compare("-Infinity", "-1e400") < 0);
	CHECK(tf_number_compare("inf", "+Infinity") == 0);
	CHECK(tf_number_compare("9", "10") < 0);
	CHECK(tf_number_compare("0.9", "0.10") > 0);
}

static void test_value_number__conversions(void)
{
	struct {
		const char *text;
		int ok;
		int64_t v;
	} i64[] = {
		{"0", 1, 0},
		{"1800", 1, 1800},
		{"1.8e3", 1, 1800},
		{"1800.000", 1, 1800},
		{"9223372036854775807", 1, INT64_MAX},
		{"-9223372036854775808", 1, INT64_MIN},
		{"9223372036854775808", 0, 0},
		{"-9223372036854775809", 0, 0},
		{"0.5", 0, 0},
		{"1e19", 0, 0},
		{"1e400", 0, 0},
		{"Infinity", 0, 0},
		{"-5e-0", 1, -5},
	};
	size_t k;
	double d;
	tf_value *v;

	for (k = 0; k < sizeof(i64) / sizeof(i64[0]); k++) {
		int64_t out = 12345;

		v = tf_value_number_text(i64[k].text);
		CHECK(v != NULL);
		CHECK((tf_value_number_as_i64(v, &out) == 0) == (i64[k].ok == 1));
		if (i64[k].ok)
			CHECK(out == i64[k].v);
		tf_value_free(v);
	}
	v = tf_value_number_text("0.1");
	CHECK(tf_value_number_as_double(v, &d) == 0 && d == 0.1);
	tf_value_free(v);
	v = tf_value_number_text("-1e+400");
	CHECK(tf_value_number_as_double(v, &d) == -1);
	tf_value_free(v);

	CHECK(tf_number_exact_double("0.5", &d) && d == 0.5);
	CHECK(tf_number_exact_double("1e300", NULL) == false);
	CHECK(tf_number_exact_double("0.1", NULL) == false);
	CHECK(tf_number_exact_double("0.1000000000000000055511151231257827021181583404541015625",
				     &d) &&
	      d == 0.1);
	CHECK(tf_number_exact_double("9007199254740993", NULL) == false);
	CHECK(tf_number_exact_double("9007199254740992", NULL) == true);
	CHECK(tf_number_exact_double("-Infinity", &d) && isinf(d) && d < 0);
}

/* v is a number spelt `want`; frees it. */
static void check_number(tf_value *v, const char *want)
{
	CHECK(v != NULL);
	if (v)
		CHECK_STR(v->u.num, want);
	tf_value_free(v);
}

static void test_value_number__double(void)
{
	double samples[] = {0.0,    1.0,           -1.5, 0.1,    1.0 / 3.0, 1e300,
			    5e-324, 123456789.125, -0.0, 1800.0, 2.5e-7};
	size_t i;
	tf_value *v;

	check_number(tf_value_number_double(0.1), "0.1");
	check_number(tf_value_number_double(1800), "1800");
	check_number(tf_value_number_double(INFINITY), "Infinity");
	CHECK(tf_value_number_double(NAN) == NULL);
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		double d = 0;

		v = tf_value_number_double(samples[i]);
		CHECK(v && tf_value_number_as_double(v, &d) == 0 && d == samples[i]);
		tf_value_free(v);
		/* the exact form reads back as exactly that double */
		v = tf_value_number_double_exact(samples[i]);
		CHECK(v && tf_number_exact_double(v->u.num, &d) && d == samples[i]);
		tf_value_free(v);
	}
	check_number(tf_value_number_double_exact(0.5), "0.5");
	check_number(tf_value_number_double_exact(0.1),
		     "1.000000000000000055511151231257827021181583404541015625e-01");
}

static const tf_type *sample_type(void)
{
	const char *names[] = {"name", "count", "tags", "ids", "rules", "any", "pair"};
	const char *rnames[] = {"key", "values"};
	const tf_type *rtypes[] = {&tf_type_string, tf_type_list(&tf_type_string)};
	const tf_type *pair[] = {&tf_type_string, &tf_type_bool};
	const tf_type *types[] = {
		&tf_type_string,
		&tf_type_number,
		tf_type_map(&tf_type_string),
		tf_type_set(&tf_type_string),
		tf_type_list(tf_type_object(2, rnames, rtypes)),
		&tf_type_dynamic,
		tf_type_tuple(2, pair),
	};

	return tf_type_object(7, names, types);
}

static tf_value *sample_value(void)
{
	const tf_type *t = sample_type();
	tf_value *o = tf_value_object(t), *tags, *ids, *rules, *rule, *vals, *pair;

	tf_value_set_attr(o, "name", tf_value_string("stg-al2"));
	tf_value_set_attr(o, "count", tf_value_number_text("123456789012345678901234567890"));
	tags = tf_value_empty(t->types[tf_type_attr_index(t, "tags")]);
	tf_value_map_put(tags, "Env", tf_value_string("stg"));
	tf_value_map_put(tags, "App", tf_value_string("patch"));
	tf_value_set_attr(o, "tags", tags);
	ids = tf_value_empty(t->types[tf_type_attr_index(t, "ids")]);
	tf_value_append(ids, tf_value_string("b"));
	tf_value_append(ids, tf_value_string("a"));
	tf_value_set_attr(o, "ids", ids);
	rules = tf_value_empty(t->types[tf_type_attr_index(t, "rules")]);
	rule = tf_value_object(t->types[tf_type_attr_index(t, "rules")]->elem);
	tf_value_set_attr(rule, "key", tf_value_string("PRODUCT"));
	vals = tf_value_empty(tf_type_list(&tf_type_string));
	tf_value_append(vals, tf_value_string("AmazonLinux2"));
	tf_value_append(vals, tf_value_unknown(&tf_type_string));
	tf_value_set_attr(rule, "values", vals);
	tf_value_append(rules, rule);
	tf_value_set_attr(o, "rules", rules);
	tf_value_set_attr(o, "any", tf_value_number_text("0.5"));
	pair = tf_value_empty(t->types[tf_type_attr_index(t, "pair")]);
	tf_value_append(pair, tf_value_string("x"));
	tf_value_append(pair, tf_value_null(&tf_type_bool));
	tf_value_set_attr(o, "pair", pair);
	return o;
}

static void test_value_value__collections(void)
{
	tf_value *o = sample_value(), *c, *tags;
	char *dbg;

	CHECK(tf_value_len(o) == 7);
	CHECK_STR(tf_value_attr_str(o, "name"), "stg-al2");
	CHECK(tf_value_attr(o, "missing") == NULL);
	tags = tf_value_attr(o, "tags");
	CHECK(tf_value_len(tags) == 2);
	CHECK_STR(tags->u.coll.keys[0], "App"); /* keys kept sorted */
	CHECK_STR(tf_value_str(tf_value_map_get(tags, "Env")), "stg");
	CHECK_STR(tf_value_str(tf_value_index(tags, 0)), "patch");
	CHECK(tf_value_map_get(tags, "Nope") == NULL);
	CHECK(tf_value_map_put(tags, "Env", tf_value_string("prd")) == 0);
	CHECK(tf_value_len(tags) == 2);
	CHECK_STR(tf_value_str(tf_value_map_get(tags, "Env")), "prd");
	CHECK(tf_value_has_unknown(o));
	{
		/* refused items stay with the caller */
		tf_value *x = tf_value_string("x");

		CHECK(tf_value_set_attr(o, "nope", x) == -1);
		CHECK(tf_value_append(tf_value_attr(o, "pair"), x) == -1); /* tuple is full */
		CHECK(tf_value_append(tags, x) == -1); /* not a list */
		CHECK(tf_value_map_put(tf_value_attr(o, "ids"), "k", x) == -1); /* not a map */
		CHECK_STR(tf_value_str(x), "x");
		tf_value_free(x);
	}
	CHECK(tf_value_index(tf_value_attr(o, "ids"), 5) == NULL);

	c = tf_value_clone(o);
	CHECK(c && c != o && tf_value_equal(c, o));
	dbg = tf_value_debug_string(c);
	CHECK(dbg && strstr(dbg, "name = \"stg-al2\"") && strstr(dbg, "(known after apply)"));
	free(dbg);
	tf_value_free(c);
	tf_value_free(o);
}

static void test_value_value__object_nulls(void)
{
	const tf_type *t = sample_type();
	tf_value *o = tf_value_object(t);
	size_t i;

	for (i = 0; i < t->n; i++) {
		CHECK(tf_value_is_null(o->u.coll.items[i]));
		CHECK(o->u.coll.items[i]->type == t->types[i]);
	}
	CHECK(tf_value_object(&tf_type_string) == NULL);
	CHECK(tf_value_empty(&tf_type_string) == NULL);
	tf_value_free(o);
}

static void test_value_equal__rules(void)
{
	const tf_type *st = tf_type_set(&tf_type_string), *lt = tf_type_list(&tf_type_string);
	tf_value *a = tf_value_empty(st), *b = tf_value_empty(st), *c = tf_value_empty(st);
	tf_value *l1 = tf_value_empty(lt), *l2 = tf_value_empty(lt);
	tf_value *n1 = tf_value_number_text("1"), *n2 = tf_value_number_text("1.0");
	tf_value *n3 = tf_value_number_text("1e0"),
		 *n4 = tf_value_number_text("1.0000000000000000000001");
	tf_value *u1 = tf_value_unknown(&tf_type_string), *u2 = tf_value_unknown(&tf_type_string);
	tf_value *z1 = tf_value_null(&tf_type_string), *z2 = tf_value_null(&tf_type_string);
	tf_value *s1 = tf_value_string("x"), *b1 = tf_value_bool(true);

	tf_value_append(a, tf_value_string("x"));
	tf_value_append(a, tf_value_string("y"));
	tf_value_append(b, tf_value_string("y"));
	tf_value_append(b, tf_value_string("x"));
	tf_value_append(b, tf_value_string("x")); /* duplicate: same set */
	tf_value_append(c, tf_value_string("y"));
	tf_value_append(c, tf_value_string("y"));
	tf_value_append(c, tf_value_string("z"));
	CHECK(tf_value_equal(a, b) && tf_value_equal(b, a));
	CHECK(!tf_value_equal(a, c) && !tf_value_equal(c, a));
	tf_value_append(l1, tf_value_string("x"));
	tf_value_append(l1, tf_value_string("y"));
	tf_value_append(l2, tf_value_string("y"));
	tf_value_append(l2, tf_value_string("x"));
	CHECK(!tf_value_equal(l1, l2)); /* lists keep order */
	CHECK(!tf_value_equal(l1, a)); /* list vs set: types differ */
	CHECK(tf_value_equal(n1, n2) && tf_value_equal(n2, n3));
	CHECK(!tf_value_equal(n1, n4));
	CHECK(tf_value_equal(u1, u2));
	CHECK(!tf_value_equal(u1, s1) && !tf_value_equal(s1, u1));
	CHECK(!tf_value_equal(u1, z1));
	CHECK(tf_value_equal(z1, z2) && tf_value_equal(z1, NULL));
	CHECK(!tf_value_equal(z1, s1));
	CHECK(!tf_value_equal(s1, b1));
	tf_value_free(a);
	tf_value_free(b);
	tf_value_free(c);
	tf_value_free(l1);
	tf_value_free(l2);
	tf_value_free(n1);
	tf_value_free(n2);
	tf_value_free(n3);
	tf_value_free(n4);
	tf_value_free(u1);
	tf_value_free(u2);
	tf_value_free(z1);
	tf_value_free(z2);
	tf_value_free(s1);
	tf_value_free(b1);
}

static void test_value_equal__nested(void)
{
	tf_value *a = sample_value(), *b = sample_value();

	CHECK(tf_value_equal(a, b));
	tf_value_set_attr(b, "count", tf_value_number_text("1.2345678901234567890123456789e29"));
	CHECK(tf_value_equal(a, b));
	tf_value_set_attr(b, "count", tf_value_number_text("123456789012345678901234567891"));
	CHECK(!tf_value_equal(a, b));
	tf_value_set_attr(b, "count", tf_value_number_text("123456789012345678901234567890"));
	tf_value_map_put(tf_value_attr(b, "tags"), "Extra", tf_value_string(""));
	CHECK(!tf_value_equal(a, b));
	tf_value_free(a);
	tf_value_free(b);
}

static void check_path(const char *text, const char *rendered, size_t nsteps)
{
	tf_path p;
	char *s;

	CHECK(tf_path_parse(&p, text) == 0);
	CHECK(p.n == nsteps);
	s = tf_path_string(&p);
	CHECK_STR(s, rendered);
	free(s);
	tf_path_free(&p);
}

static void test_value_path__parse_render(void)
{
	tf_path p, q;
	char *s;

	CHECK(tf_path_parse(&p, "a.b[0][\"k\"].c") == 0);
	CHECK(p.n == 5);
	CHECK(p.steps[0].kind == TF_STEP_ATTR && strcmp(p.steps[0].name, "a") == 0);
	CHECK(p.steps[1].kind == TF_STEP_ATTR && strcmp(p.steps[1].name, "b") == 0);
	CHECK(p.steps[2].kind == TF_STEP_KEY_INT && p.steps[2].index == 0);
	CHECK(p.steps[3].kind == TF_STEP_KEY_STRING && strcmp(p.steps[3].name, "k") == 0);
	CHECK(p.steps[4].kind == TF_STEP_ATTR && strcmp(p.steps[4].name, "c") == 0);
	s = tf_path_string(&p);
	CHECK_STR(s, "a.b[0][\"k\"].c");
	free(s);
	CHECK(tf_path_copy(&q, &p) == 0 && q.n == 5);
	tf_path_pop(&q);
	tf_path_pop(&q);
	tf_path_push_key(&q, "a \"q\"\\");
	tf_path_push_index(&q, 12);
	s = tf_path_string(&q);
	CHECK_STR(s, "a.b[0][\"a \\\"q\\\"\\\\\"][12]");
	free(s);
	tf_path_free(&q);
	tf_path_free(&p);

	check_path("approval_rule[0].patch_filter[1].key", "approval_rule[0].patch_filter[1].key",
		   5);
	check_path("tags[\"Patch Group\"]", "tags[\"Patch Group\"]", 2);
	check_path("x[\"a.b[0]\"]", "x[\"a.b[0]\"]", 2);
	check_path("name", "name", 1);
	check_path("[3]", "[3]", 1);
	check_path("a[\"x\\\"y\"]", "a[\"x\\\"y\"]", 2);

	tf_path_init(&p);
	s = tf_path_string(&p);
	CHECK_STR(s, "");
	free(s);
}

static void test_value_path__malformed(void)
{
	static const char *bad[] = {
		"",          ".a",    "a.",  "a..b",       "a[",
		"a[]",       "a[x]",  "a[1", "a[\"k\"",    "a[\"k]",
		"a[\"k\"]b", "a[0]b", "a]",  "a[\"\\q\"]", "a[99999999999999999999]"};
	size_t i;
	tf_path p;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = tf_path_parse(&p, bad[i]);

		if (rc == 0)
			fprintf(stderr, "  accepted bad path %s\n", bad[i]);
		CHECK(rc == -1 && p.n == 0 && p.steps == NULL);
	}
	CHECK(tf_path_parse(&p, NULL) == -1);
}

/* Random changes to a valid type JSON never crash, and whatever parses prints
 * back to JSON that parses to the same type. */
static void test_value_type__json_mutations(void)
{
	static const char base[] =
		"[\"object\",{\"a\":[\"list\",[\"object\",{\"k\":\"string\",\"v\":[\"set\",\"number\"]}]],"
		"\"b\":[\"tuple\",[\"bool\",\"dynamic\"]],\"c\":[\"map\",\"string\"]}]";
	static const char alphabet[] = "[]{}\",:abjlmnpstuxy ";
	size_t n = sizeof(base) - 1;
	unsigned seed = 99;
	int round, parsed = 0;

	CHECK(tf_type_from_json(base, n) != NULL);
	for (round = 0; round < 20000; round++) {
		char *p = malloc(n);
		const tf_type *t;
		int k;

		memcpy(p, base, n);
		for (k = 0; k < 1 + round % 2; k++) {
			seed = seed * 1103515245u + 12345u;
			p[(seed >> 8) % n] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
		}
		t = tf_type_from_json(p, n);
		if (t) {
			char *back = tf_type_to_json(t);

			parsed++;
			CHECK(back && tf_type_from_json(back, strlen(back)) == t);
			free(back);
		}
		free(p);
	}
	CHECK(parsed > 0);
}

int main(void)
{
	RUN(test_value_type__interned);
	RUN(test_value_type__intern_threads);
	RUN(test_value_type__json);
	RUN(test_value_type__json_malformed);
	RUN(test_value_type__json_mutations);
	RUN(test_value_value__primitives);
	RUN(test_value_number__text);
	RUN(test_value_number__compare);
	RUN(test_value_number__conversions);
	RUN(test_value_number__double);
	RUN(test_value_value__collections);
	RUN(test_value_value__object_nulls);
	RUN(test_value_equal__rules);
	RUN(test_value_equal__nested);
	RUN(test_value_path__parse_render);
	RUN(test_value_path__malformed);
	return unit_summary();
}
