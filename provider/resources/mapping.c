/*
 * mapping.c - the table-driven attribute <-> SSM member mapping (mapping.h):
 * one expand and one flatten walk over res_field rows, for every resource.
 */
#include "mapping.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"

/* ---------------------------------------------------------------- helpers */

static const tf_type *attr_type(const tf_value *obj, const char *attr)
{
	int i = obj ? tf_type_attr_index(obj->type, attr) : -1;

	return i < 0 ? NULL : obj->type->types[i];
}

const tf_value *res_map_single(const tf_value *obj, const char *attr)
{
	const tf_value *v = tf_value_attr(obj, attr);

	if (!tf_value_is_known(v))
		return NULL;
	if (v->type->kind == TF_TYPE_OBJECT)
		return v;
	return tf_value_len(v) > 0 && tf_value_is_known(tf_value_index(v, 0)) ? tf_value_index(v, 0)
									      : NULL;
}

/* Store `item` (ownership taken) as the "max 1" nested block `attr`. */
static int put_single(tf_value *obj, const char *attr, tf_value *item)
{
	const tf_type *t = attr_type(obj, attr);
	tf_value *list;

	if (!t || !item) {
		tf_value_free(item);
		return -1;
	}
	if (t->kind == TF_TYPE_OBJECT)
		return res_set_attr(obj, attr, item);
	if (!(list = tf_value_empty(t)) || tf_value_append(list, item) < 0) {
		tf_value_free(list);
		tf_value_free(item);
		return -1;
	}
	return res_set_attr(obj, attr, list);
}

bool res_map_json_empty(const json_t *j)
{
	const char *k;
	json_t *v;

	if (!j || json_is_null(j) || json_is_false(j))
		return true;
	if (json_is_array(j))
		return json_array_size(j) == 0;
	if (!json_is_object(j))
		return false;
	json_object_foreach ((json_t *)j, k, v)
		if (!res_map_json_empty(v))
			return false;
	return true;
}

static bool equiv_icase_list(const tf_value *a, const tf_value *b)
{
	if (tf_value_len(a) != tf_value_len(b))
		return false;
	for (size_t i = 0; i < tf_value_len(a); i++)
		if (!res_equiv_icase(tf_value_index(a, i), tf_value_index(b, i)))
			return false;
	return true;
}

/* Split "Outer.Inner" at the dot: *outer_len = length of "Outer", or 0. */
static const char *inner_member(const char *member, size_t *outer_len)
{
	const char *dot = strchr(member, '.');

	*outer_len = dot ? (size_t)(dot - member) : 0;
	return dot ? dot + 1 : member;
}

const json_t *res_map_member(const json_t *api, const char *member)
{
	size_t ol;
	const char *inner = inner_member(member, &ol);

	if (ol)
		api = json_object_getn(api, member, ol);
	return json_object_get(api, inner);
}

/* obj[member] = val (ownership taken), creating the wrapper object if any. */
static int put_member(json_t *obj, const char *member, json_t *val)
{
	size_t ol;
	const char *inner = inner_member(member, &ol);

	if (!val)
		return -1;
	if (ol) {
		json_t *w = json_object_getn(obj, member, ol);

		if (!w) {
			if (!(w = json_object()) || json_object_setn_new(obj, member, ol, w) < 0) {
				json_decref(val);
				return -1;
			}
		}
		obj = w;
	}
	return json_object_set_new(obj, inner, val) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- expand */

/* Is the known value v of the kind row f sends (an integer for RES_M_INT)? */
static bool scalar_fits(const res_field *f, const tf_value *v)
{
	int64_t n;

	switch (f->kind) {
	case RES_M_STR:
		return v->type->kind == TF_TYPE_STRING;
	case RES_M_INT:
		return tf_value_number_as_i64(v, &n) == 0;
	case RES_M_BOOL:
		return v->type->kind == TF_TYPE_BOOL;
	default:
		return false;
	}
}

/* A value scalar_fits() accepted -> JSON (NULL on ENOMEM). */
static json_t *expand_scalar(const res_field *f, const tf_value *v)
{
	int64_t n = 0;
	char *s;
	json_t *j;

	switch (f->kind) {
	case RES_M_STR:
		if (!f->conv)
			return json_stringn(v->u.str.s, v->u.str.len);
		if (!(s = f->conv->to_api(v->u.str.s, v->u.str.len)))
			return NULL;
		j = json_string(s);
		free(s);
		return j;
	case RES_M_INT:
		tf_value_number_as_i64(v, &n);
		return json_integer((json_int_t)n);
	default: /* RES_M_BOOL */
		return json_boolean(v->u.b);
	}
}

/* `parameter` set of {name, values} -> {"name": [values], ...}. */
static json_t *expand_params(const tf_value *set)
{
	json_t *m = json_object();

	for (size_t i = 0; m && i < tf_value_len(set); i++) {
		const tf_value *p = tf_value_index(set, i);
		const char *name = tf_value_attr_str(p, "name");

		if (name && json_object_set_new(m, name,
						res_json_strings(tf_value_attr(p, "values"))) < 0) {
			json_decref(m);
			return NULL;
		}
	}
	return m;
}

/* A block list -> [objects]. */
static json_t *expand_blocks(const res_map *sub, const tf_value *list, res_phase phase)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < tf_value_len(list); i++) {
		json_t *o = json_object();

		if (!o || json_array_append_new(arr, o) < 0 ||
		    res_map_expand(sub, tf_value_index(list, i), phase, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static int expand_field(const res_field *f, const tf_value *obj, res_phase phase, json_t *req)
{
	const tf_value *v = tf_value_attr(obj, f->attr);
	json_t *j;

	if (f->kind == RES_M_BLOCK1) {
		const tf_value *one = res_map_single(obj, f->attr);

		if (!one)
			return 0;
		j = json_object();
		if (j && res_map_expand(f->sub, one, phase, j) < 0) {
			json_decref(j);
			return -1;
		}
		return put_member(req, f->member, j);
	}
	if (!tf_value_is_known(v))
		return 0;
	switch (f->kind) {
	case RES_M_STRINGS:
	case RES_M_BLOCKS:
	case RES_M_PARAMS:
		if (tf_value_len(v) == 0 &&
		    (f->flags & RES_M_OMIT_EMPTY || f->kind == RES_M_PARAMS))
			return 0;
		j = f->kind == RES_M_STRINGS  ? res_json_strings(v)
		    : f->kind == RES_M_BLOCKS ? expand_blocks(f->sub, v, phase)
					      : expand_params(v);
		break;
	default:
		/* A value of another type than the row says is not sent. */
		if (!scalar_fits(f, v))
			return 0;
		j = expand_scalar(f, v);
		break;
	}
	return put_member(req, f->member, j);
}

int res_map_expand(const res_map *m, const tf_value *obj, res_phase phase, json_t *req)
{
	for (size_t i = 0; i < m->n; i++) {
		const res_field *f = &m->fields[i];

		if (f->flags & RES_M_READ_ONLY ||
		    (f->flags & RES_M_CREATE_ONLY && phase != RES_PHASE_CREATE) ||
		    (f->flags & RES_M_UPDATE_ONLY && phase != RES_PHASE_UPDATE))
			continue;
		if (expand_field(f, obj, phase, req) < 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- flatten */

static tf_value *flatten_str(const res_field *f, const json_t *j, bool prior_known)
{
	const char *s = json_string_value(j);
	size_t n = json_string_length(j);
	char *plain;
	tf_value *v;

	if (!s)
		return f->dflt ? tf_value_string(f->dflt) : tf_value_null(&tf_type_string);
	if (n == 0 && f->flags & RES_M_NULL_IF_EMPTY && !prior_known)
		return tf_value_null(&tf_type_string);
	/* A conversion that refuses (not base64: an API that echoes plain text)
	 * leaves the member as it is. */
	if (!f->conv || !(plain = f->conv->from_api(s, n, &n)))
		return tf_value_string_len(s, n);
	v = tf_value_string_len(plain, n);
	free(plain);
	return v;
}

static tf_value *flatten_scalar(const res_field *f, const json_t *j, bool prior_known)
{
	switch (f->kind) {
	case RES_M_STR:
		return flatten_str(f, j, prior_known);
	case RES_M_INT:
		if (json_is_integer(j))
			return tf_value_number_i64((int64_t)json_integer_value(j));
		if (json_is_real(j))
			return tf_value_number_double(json_real_value(j));
		return tf_value_null(&tf_type_number);
	default: /* RES_M_BOOL */
		if (json_is_boolean(j))
			return tf_value_bool(json_is_true(j));
		return f->dflt ? tf_value_bool(strcmp(f->dflt, "true") == 0)
			       : tf_value_null(&tf_type_bool);
	}
}

/* {"name": [values]} -> `parameter` set of blocks of nb. */
static tf_value *flatten_params(const schema_nested *nb, const tf_type *t, const json_t *m)
{
	tf_value *set = tf_value_empty(t);
	const char *k;
	json_t *jv;

	if (!set)
		return NULL;
	json_object_foreach ((json_t *)m, k, jv) {
		tf_value *p = schema_new_object(nb->block);

		if (!p || tf_value_append(set, p) < 0) {
			tf_value_free(p);
			goto fail;
		}
		if (res_set_str(p, "name", k) < 0 ||
		    res_set_attr(p, "values", res_tf_strings(jv, attr_type(p, "values"), false)) <
			    0)
			goto fail;
	}
	return set;
fail:
	tf_value_free(set);
	return NULL;
}

/* [objects] -> block list of nb; element i borrows prior element i's spelling. */
static tf_value *flatten_blocks(const res_field *f, const schema_nested *nb, const tf_type *t,
				const json_t *arr, const tf_value *prior_list)
{
	tf_value *list = tf_value_empty(t);

	for (size_t i = 0; list && i < json_array_size(arr); i++) {
		const tf_value *pe =
			i < tf_value_len(prior_list) ? tf_value_index(prior_list, i) : NULL;
		tf_value *o = schema_new_object(nb->block);

		if (!o || tf_value_append(list, o) < 0) {
			tf_value_free(o);
			goto fail;
		}
		if (res_map_flatten(f->sub, nb->block, json_array_get(arr, i), pe, o) < 0)
			goto fail;
	}
	return list;
fail:
	tf_value_free(list);
	return NULL;
}

static int flatten_field(const res_field *f, const schema_block *b, const json_t *api,
			 const tf_value *prior, tf_value *obj)
{
	const json_t *j = res_map_member(api, f->member);
	const tf_value *pv = tf_value_attr(prior, f->attr);
	const schema_nested *nb = NULL;
	tf_value *v;

	if (f->kind == RES_M_BLOCKS || f->kind == RES_M_BLOCK1 || f->kind == RES_M_PARAMS) {
		if (!(nb = schema_find_block(b, f->attr)))
			return -1;
	}
	if (!attr_type(obj, f->attr))
		return -1; /* a row naming no attribute of the block: a table bug */
	switch (f->kind) {
	case RES_M_STRINGS:
		v = res_tf_strings(j, attr_type(obj, f->attr),
				   f->flags & RES_M_NULL_IF_EMPTY && !tf_value_is_known(pv));
		break;
	case RES_M_BLOCKS:
		v = flatten_blocks(f, nb, attr_type(obj, f->attr), j, pv);
		break;
	case RES_M_PARAMS:
		v = flatten_params(nb, attr_type(obj, f->attr), j);
		break;
	case RES_M_BLOCK1: {
		const tf_value *one = res_map_single(prior, f->attr);

		/* An empty answer is a block only if the user wrote one. */
		if (!json_is_object(j) || (res_map_json_empty(j) && !one))
			return 0;
		if (!(v = schema_new_object(nb->block)) ||
		    res_map_flatten(f->sub, nb->block, j, one, v) < 0) {
			tf_value_free(v);
			return -1;
		}
		return put_single(obj, f->attr, v);
	}
	default:
		v = flatten_scalar(f, j, tf_value_is_known(pv));
		break;
	}
	if (res_set_attr(obj, f->attr, v) < 0)
		return -1;
	if (f->flags & RES_M_ICASE)
		res_keep_prior(obj, prior, f->attr,
			       f->kind == RES_M_STRINGS ? equiv_icase_list : res_equiv_icase);
	return 0;
}

int res_map_flatten(const res_map *m, const schema_block *b, const json_t *api,
		    const tf_value *prior, tf_value *obj)
{
	for (size_t i = 0; i < m->n; i++)
		if (flatten_field(&m->fields[i], b, api, prior, obj) < 0)
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- shared rows */

static const res_field key_values_fields[] = {
	{"key", "Key", RES_M_STR, .flags = RES_M_ICASE},
	{"values", "Values", RES_M_STRINGS, .flags = 0},
};
const res_map res_map_key_values = RES_MAP(key_values_fields);
