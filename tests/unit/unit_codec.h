/*
 * unit_codec.h - what the JSON and msgpack codec tests share: the check of a
 * decode that must fail (no value, exactly one error diagnostic with the
 * given summary, a detail that contains `needle`, and unless NULL the
 * attribute path), the deeply nested list type of the depth limit tests,
 * and the "rule" object both sample values hold.
 */
#ifndef SSMPATCH_UNIT_CODEC_H
#define SSMPATCH_UNIT_CODEC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/value.h"
#include "unit.h"

/* Checks v and d as above; `what` names the input in the messages. Frees v
 * and d. */
static inline void unit_expect_one_error(tf_value *v, tf_diags *d, const char *summary,
					 const char *needle, const char *path, const char *what)
{
	CHECK(v == NULL);
	CHECK(d->n == 1 && tf_diags_has_error(d));
	if (d->n == 1) {
		const char *detail = d->items[0].detail;

		CHECK_STR(d->items[0].summary, summary);
		if (!detail || !strstr(detail, needle))
			fprintf(stderr, "  %s: detail \"%s\" lacks \"%s\"\n", what,
				detail ? detail : "(null)", needle);
		CHECK(detail && strstr(detail, needle));
		if (path) {
			char *p = d->items[0].has_path ? tf_path_string(&d->items[0].path) : NULL;

			CHECK_STR(p, path);
			free(p);
		}
	}
	tf_value_free(v);
	tf_diags_free(d);
}

/* object({key = string, values = list(string)}) */
static inline const tf_type *unit_rule_type(void)
{
	const char *n[] = {"key", "values"};
	const tf_type *t[] = {&tf_type_string, tf_type_list(&tf_type_string)};

	return tf_type_object(2, n, t);
}

/* A unit_rule_type() value: key, and the n strings of values. */
static inline tf_value *unit_rule(const char *key, size_t n, const char *const *values)
{
	tf_value *r = tf_value_object(unit_rule_type());
	tf_value *vals = tf_value_empty(tf_type_list(&tf_type_string));
	size_t i;

	tf_value_set_attr(r, "key", tf_value_string(key));
	for (i = 0; i < n; i++)
		tf_value_append(vals, tf_value_string(values[i]));
	tf_value_set_attr(r, "values", vals);
	return r;
}

/* list(list(...list(string)...)), `depth` lists deep. */
static inline const tf_type *unit_nested_list(size_t depth)
{
	const tf_type *t = &tf_type_string;

	while (depth--)
		t = tf_type_list(t);
	return t;
}

#endif
