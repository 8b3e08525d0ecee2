/*
 * value.c - cty values (see value.h): constructors, collections, access,
 * equality, debug text. Types are in type.c, numbers in number.c, paths in
 * path.c.
 */
#include "value.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static tf_value *val_new(const tf_type *t, tf_value_state st)
{
	tf_value *v = calloc(1, sizeof(*v));

	if (v) {
		v->type = t ? t : &tf_type_dynamic;
		v->state = st;
	}
	return v;
}

static tf_value *number_owned(char *text)
{
	tf_value *v;

	if (!text)
		return NULL;
	v = val_new(&tf_type_number, TF_VALUE_KNOWN);
	if (!v) {
		free(text);
		return NULL;
	}
	v->u.num = text;
	return v;
}

tf_value *tf_value_number_text(const char *decimal)
{
	if (!tf_number_valid(decimal))
		return NULL;
	return number_owned(strdup(decimal));
}

tf_value *tf_value_number_i64(int64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	return number_owned(strdup(tmp));
}

tf_value *tf_value_number_double(double v)
{
	char tmp[64];

	if (isnan(v))
		return NULL;
	if (isinf(v))
		return number_owned(strdup(v < 0 ? "-Infinity" : "Infinity"));
	tf_number_shortest(v, tmp, sizeof(tmp));
	return number_owned(strdup(tmp));
}

tf_value *tf_value_number_double_exact(double v)
{
	char tmp[1100];
	char *e, *m;

	if (isnan(v) || isinf(v))
		return tf_value_number_double(v);
	tf_number_shortest(v, tmp, sizeof(tmp));
	if (tf_number_exact_double(tmp, NULL))
		return number_owned(strdup(tmp));
	/* Not exact in the short form: print the exact expansion and drop the
	 * trailing zeros of the mantissa ("1.000000000000000055511151231257827e-01"). */
	snprintf(tmp, sizeof(tmp), "%.800e", v);
	e = strchr(tmp, 'e');
	if (!e)
		return NULL;
	for (m = e; m > tmp && m[-1] == '0'; m--)
		;
	if (m > tmp && m[-1] == '.')
		m--;
	memmove(m, e, strlen(e) + 1);
	return number_owned(strdup(tmp));
}

/* ----------------------------------------------------------------- values */

tf_value *tf_value_null(const tf_type *t)
{
	return val_new(t, TF_VALUE_NULL);
}

tf_value *tf_value_unknown(const tf_type *t)
{
	return val_new(t, TF_VALUE_UNKNOWN);
}

tf_value *tf_value_string_len(const char *s, size_t len)
{
	tf_value *v;

	if (!s && len)
		return NULL;
	v = val_new(&tf_type_string, TF_VALUE_KNOWN);
	if (!v)
		return NULL;
	v->u.str.s = malloc(len + 1);
	if (!v->u.str.s) {
		free(v);
		return NULL;
	}
	if (len)
		memcpy(v->u.str.s, s, len);
	v->u.str.s[len] = '\0';
	v->u.str.len = len;
	return v;
}

tf_value *tf_value_string(const char *s)
{
	return tf_value_string_len(s ? s : "", s ? strlen(s) : 0);
}

tf_value *tf_value_bool(bool b)
{
	tf_value *v = val_new(&tf_type_bool, TF_VALUE_KNOWN);

	if (v)
		v->u.b = b;
	return v;
}

/* Known empty LIST/SET/MAP/TUPLE; an OBJECT type gives tf_value_object(); any
 * other type gives NULL. */
tf_value *tf_value_empty(const tf_type *t)
{
	if (!t)
		return NULL;
	switch (t->kind) {
	case TF_TYPE_LIST:
	case TF_TYPE_SET:
	case TF_TYPE_MAP:
	case TF_TYPE_TUPLE:
		return val_new(t, TF_VALUE_KNOWN);
	case TF_TYPE_OBJECT:
		return tf_value_object(t);
	default:
		return NULL;
	}
}

tf_value *tf_value_object(const tf_type *t)
{
	tf_value *v;
	size_t i;

	if (!t || t->kind != TF_TYPE_OBJECT)
		return NULL;
	v = val_new(t, TF_VALUE_KNOWN);
	if (!v)
		return NULL;
	if (t->n) {
		v->u.coll.items = calloc(t->n, sizeof(*v->u.coll.items));
		if (!v->u.coll.items)
			goto fail;
		v->u.coll.n = t->n;
		for (i = 0; i < t->n; i++)
			if (!(v->u.coll.items[i] = tf_value_null(t->types[i])))
				goto fail;
	}
	return v;
fail:
	tf_value_free(v);
	return NULL;
}

/* On failure the caller keeps the item. */
int tf_value_append(tf_value *coll, tf_value *item)
{
	tf_value **items;

	if (!coll || !item || coll->state != TF_VALUE_KNOWN)
		goto fail;
	if (coll->type->kind != TF_TYPE_LIST && coll->type->kind != TF_TYPE_SET &&
	    coll->type->kind != TF_TYPE_TUPLE)
		goto fail;
	if (coll->type->kind == TF_TYPE_TUPLE && coll->u.coll.n >= coll->type->n)
		goto fail;
	items = realloc(coll->u.coll.items, (coll->u.coll.n + 1) * sizeof(*items));
	if (!items)
		goto fail;
	coll->u.coll.items = items;
	items[coll->u.coll.n++] = item;
	return 0;
fail:
	return -1;
}

/* Binary search of a sorted key array; returns the index or the insertion point
 * with *found false. */
static size_t key_search(char *const *keys, size_t n, const char *key, bool *found)
{
	size_t lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(keys[mid], key);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* On failure the caller keeps the item. */
int tf_value_map_put(tf_value *map, const char *key, tf_value *item)
{
	tf_value **items;
	char **keys, *kcopy = NULL;
	bool found;
	size_t pos, n;

	if (!map || !key || !item || map->state != TF_VALUE_KNOWN || map->type->kind != TF_TYPE_MAP)
		goto fail;
	n = map->u.coll.n;
	pos = key_search(map->u.coll.keys, n, key, &found);
	if (found) {
		tf_value_free(map->u.coll.items[pos]);
		map->u.coll.items[pos] = item;
		return 0;
	}
	if (!(kcopy = strdup(key)))
		goto fail;
	items = realloc(map->u.coll.items, (n + 1) * sizeof(*items));
	if (!items)
		goto fail;
	map->u.coll.items = items;
	keys = realloc(map->u.coll.keys, (n + 1) * sizeof(*keys));
	if (!keys)
		goto fail;
	map->u.coll.keys = keys;
	memmove(items + pos + 1, items + pos, (n - pos) * sizeof(*items));
	memmove(keys + pos + 1, keys + pos, (n - pos) * sizeof(*keys));
	items[pos] = item;
	keys[pos] = kcopy;
	map->u.coll.n = n + 1;
	return 0;
fail:
	free(kcopy);
	return -1;
}

/* On failure the caller keeps the item. */
int tf_value_set_attr(tf_value *obj, const char *name, tf_value *item)
{
	int i;

	if (!obj || !item || obj->state != TF_VALUE_KNOWN || obj->type->kind != TF_TYPE_OBJECT ||
	    obj->u.coll.n != obj->type->n)
		goto fail;
	i = tf_type_attr_index(obj->type, name);
	if (i < 0)
		goto fail;
	tf_value_free(obj->u.coll.items[i]);
	obj->u.coll.items[i] = item;
	return 0;
fail:
	return -1;
}

static bool is_coll_kind(tf_type_kind k)
{
	return k == TF_TYPE_LIST || k == TF_TYPE_SET || k == TF_TYPE_MAP || k == TF_TYPE_OBJECT ||
	       k == TF_TYPE_TUPLE;
}

tf_value *tf_value_clone(const tf_value *v)
{
	tf_value *c;
	size_t i, n;

	if (!v)
		return NULL;
	c = val_new(v->type, v->state);
	if (!c)
		return NULL;
	c->unknown_not_null = v->unknown_not_null;
	if (v->state != TF_VALUE_KNOWN)
		return c;
	switch (v->type->kind) {
	case TF_TYPE_STRING:
		c->u.str.s = malloc(v->u.str.len + 1);
		if (!c->u.str.s)
			goto fail;
		memcpy(c->u.str.s, v->u.str.s, v->u.str.len + 1);
		c->u.str.len = v->u.str.len;
		break;
	case TF_TYPE_NUMBER:
		if (!(c->u.num = strdup(v->u.num)))
			goto fail;
		break;
	case TF_TYPE_BOOL:
		c->u.b = v->u.b;
		break;
	case TF_TYPE_DYNAMIC:
		break;
	default:
		n = v->u.coll.n;
		if (!n)
			break;
		if (!(c->u.coll.items = calloc(n, sizeof(*c->u.coll.items))))
			goto fail;
		if (v->u.coll.keys && !(c->u.coll.keys = calloc(n, sizeof(*c->u.coll.keys))))
			goto fail;
		c->u.coll.n = n;
		for (i = 0; i < n; i++) {
			if (!(c->u.coll.items[i] = tf_value_clone(v->u.coll.items[i])))
				goto fail;
			if (c->u.coll.keys && !(c->u.coll.keys[i] = strdup(v->u.coll.keys[i])))
				goto fail;
		}
		break;
	}
	return c;
fail:
	tf_value_free(c);
	return NULL;
}

void tf_value_free(tf_value *v)
{
	size_t i;

	if (!v)
		return;
	if (v->state == TF_VALUE_KNOWN) {
		switch (v->type->kind) {
		case TF_TYPE_STRING:
			free(v->u.str.s);
			break;
		case TF_TYPE_NUMBER:
			free(v->u.num);
			break;
		default:
			if (!is_coll_kind(v->type->kind))
				break;
			for (i = 0; i < v->u.coll.n; i++) {
				tf_value_free(v->u.coll.items ? v->u.coll.items[i] : NULL);
				if (v->u.coll.keys)
					free(v->u.coll.keys[i]);
			}
			free(v->u.coll.items);
			free(v->u.coll.keys);
			break;
		}
	}
	free(v);
}

bool tf_value_has_unknown(const tf_value *v)
{
	size_t i;

	if (!v)
		return false;
	if (v->state == TF_VALUE_UNKNOWN)
		return true;
	if (v->state != TF_VALUE_KNOWN || !is_coll_kind(v->type->kind))
		return false;
	for (i = 0; i < v->u.coll.n; i++)
		if (tf_value_has_unknown(v->u.coll.items[i]))
			return true;
	return false;
}

tf_value *tf_value_attr(const tf_value *v, const char *name)
{
	int i;

	if (!v || v->state != TF_VALUE_KNOWN || v->type->kind != TF_TYPE_OBJECT)
		return NULL;
	i = tf_type_attr_index(v->type, name);
	if (i < 0 || (size_t)i >= v->u.coll.n)
		return NULL;
	return v->u.coll.items[i];
}

const char *tf_value_key(const tf_value *v, size_t i)
{
	if (!v || v->state != TF_VALUE_KNOWN || i >= v->u.coll.n)
		return NULL;
	if (v->type->kind == TF_TYPE_MAP)
		return v->u.coll.keys[i];
	return v->type->kind == TF_TYPE_OBJECT ? v->type->names[i] : NULL;
}

const char *tf_value_str(const tf_value *v)
{
	if (!v || v->state != TF_VALUE_KNOWN || v->type->kind != TF_TYPE_STRING)
		return NULL;
	return v->u.str.s;
}

const char *tf_value_attr_str(const tf_value *obj, const char *name)
{
	return tf_value_str(tf_value_attr(obj, name));
}

bool tf_value_bool_or(const tf_value *v, bool dflt)
{
	if (!v || v->state != TF_VALUE_KNOWN || v->type->kind != TF_TYPE_BOOL)
		return dflt;
	return v->u.b;
}

size_t tf_value_len(const tf_value *v)
{
	if (!v || v->state != TF_VALUE_KNOWN || !is_coll_kind(v->type->kind))
		return 0;
	return v->u.coll.n;
}

tf_value *tf_value_index(const tf_value *v, size_t i)
{
	if (!v || v->state != TF_VALUE_KNOWN || !is_coll_kind(v->type->kind) || i >= v->u.coll.n)
		return NULL;
	return v->u.coll.items[i];
}

tf_value *tf_value_map_get(const tf_value *v, const char *key)
{
	bool found;
	size_t pos;

	if (!v || !key || v->state != TF_VALUE_KNOWN || v->type->kind != TF_TYPE_MAP)
		return NULL;
	pos = key_search(v->u.coll.keys, v->u.coll.n, key, &found);
	return found ? v->u.coll.items[pos] : NULL;
}

/* Every element of a has an equal element in b. */
static bool set_subset(const tf_value *a, const tf_value *b)
{
	size_t i, j;

	for (i = 0; i < a->u.coll.n; i++) {
		bool hit = false;

		for (j = 0; j < b->u.coll.n && !hit; j++)
			hit = tf_value_equal(a->u.coll.items[i], b->u.coll.items[j]);
		if (!hit)
			return false;
	}
	return true;
}

bool tf_value_equal(const tf_value *a, const tf_value *b)
{
	size_t i;

	if (tf_value_is_null(a) || tf_value_is_null(b))
		return tf_value_is_null(a) && tf_value_is_null(b);
	if (a->state == TF_VALUE_UNKNOWN || b->state == TF_VALUE_UNKNOWN)
		return a->state == b->state;
	if (a->type != b->type)
		return false;
	switch (a->type->kind) {
	case TF_TYPE_STRING:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case TF_TYPE_NUMBER:
		return tf_number_compare(a->u.num, b->u.num) == 0;
	case TF_TYPE_BOOL:
		return a->u.b == b->u.b;
	case TF_TYPE_DYNAMIC:
		return true;
	case TF_TYPE_SET:
		/* As sets: duplicates collapse, order is ignored. */
		return set_subset(a, b) && set_subset(b, a);
	case TF_TYPE_MAP:
		if (a->u.coll.n != b->u.coll.n)
			return false;
		for (i = 0; i < a->u.coll.n; i++)
			if (strcmp(a->u.coll.keys[i], b->u.coll.keys[i]) != 0 ||
			    !tf_value_equal(a->u.coll.items[i], b->u.coll.items[i]))
				return false;
		return true;
	default: /* LIST, TUPLE, OBJECT: element-wise (objects share the type's order) */
		if (a->u.coll.n != b->u.coll.n)
			return false;
		for (i = 0; i < a->u.coll.n; i++)
			if (!tf_value_equal(a->u.coll.items[i], b->u.coll.items[i]))
				return false;
		return true;
	}
}

static void debug_write(buf *b, const tf_value *v)
{
	size_t i;

	if (tf_value_is_null(v)) {
		buf_puts(b, "null");
		return;
	}
	if (v->state == TF_VALUE_UNKNOWN) {
		buf_puts(b, v->unknown_not_null ? "(known after apply, not null)"
						: "(known after apply)");
		return;
	}
	switch (v->type->kind) {
	case TF_TYPE_STRING:
		buf_json_string(b, v->u.str.s, v->u.str.len);
		break;
	case TF_TYPE_NUMBER:
		buf_puts(b, v->u.num);
		break;
	case TF_TYPE_BOOL:
		buf_puts(b, v->u.b ? "true" : "false");
		break;
	case TF_TYPE_DYNAMIC:
		buf_puts(b, "(dynamic)");
		break;
	case TF_TYPE_LIST:
	case TF_TYPE_TUPLE:
	case TF_TYPE_SET:
		buf_puts(b, v->type->kind == TF_TYPE_SET ? "set[" : "[");
		for (i = 0; i < v->u.coll.n; i++) {
			if (i)
				buf_puts(b, ", ");
			debug_write(b, v->u.coll.items[i]);
		}
		buf_putc(b, ']');
		break;
	case TF_TYPE_MAP:
	case TF_TYPE_OBJECT:
		buf_putc(b, '{');
		for (i = 0; i < v->u.coll.n; i++) {
			const char *k = v->type->kind == TF_TYPE_MAP ? v->u.coll.keys[i]
								     : v->type->names[i];

			if (i)
				buf_puts(b, ", ");
			if (v->type->kind == TF_TYPE_MAP)
				buf_json_string(b, k, strlen(k));
			else
				buf_puts(b, k);
			buf_puts(b, " = ");
			debug_write(b, v->u.coll.items[i]);
		}
		buf_putc(b, '}');
		break;
	}
}

char *tf_value_debug_string(const tf_value *v)
{
	buf b = BUF_INIT;

	debug_write(&b, v);
	return buf_detach(&b, NULL);
}
