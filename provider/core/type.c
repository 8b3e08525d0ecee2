/*
 * type.c - cty types (see value.h): the four primitives are static
 * singletons; composite types are interned in a global hash table guarded by
 * a mutex, so equal types are the same pointer and a type, once made, lives
 * until the process exits. Also the type JSON cty writes and reads.
 */
#include "value.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* ------------------------------------------------------------------ types */

const tf_type tf_type_string = {TF_TYPE_STRING, NULL, 0, NULL, NULL};
const tf_type tf_type_number = {TF_TYPE_NUMBER, NULL, 0, NULL, NULL};
const tf_type tf_type_bool = {TF_TYPE_BOOL, NULL, 0, NULL, NULL};
const tf_type tf_type_dynamic = {TF_TYPE_DYNAMIC, NULL, 0, NULL, NULL};

#define TYPE_BUCKETS 1024
/* Nesting limit for type JSON, matching the codecs' value nesting limit. */
#define TYPE_JSON_MAX_DEPTH 64

typedef struct type_node {
	tf_type t; /* first: a type_node * is a tf_type * */
	uint64_t hash;
	struct type_node *next;
} type_node;

static pthread_mutex_t g_types_mu = PTHREAD_MUTEX_INITIALIZER;
static type_node *g_types[TYPE_BUCKETS];

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t type_hash(tf_type_kind kind, const tf_type *elem, size_t n,
			  const char *const *names, const tf_type *const *types)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	h = hash_bytes(h, &kind, sizeof(kind));
	h = hash_bytes(h, &elem, sizeof(elem));
	h = hash_bytes(h, &n, sizeof(n));
	for (i = 0; i < n; i++) {
		if (names)
			h = hash_bytes(h, names[i], strlen(names[i]) + 1);
		h = hash_bytes(h, &types[i], sizeof(types[i]));
	}
	return h;
}

static bool type_matches(const tf_type *t, tf_type_kind kind, const tf_type *elem, size_t n,
			 const char *const *names, const tf_type *const *types)
{
	size_t i;

	if (t->kind != kind || t->elem != elem || t->n != n)
		return false;
	for (i = 0; i < n; i++) {
		if (t->types[i] != types[i])
			return false;
		if (names && strcmp(t->names[i], names[i]) != 0)
			return false;
	}
	return true;
}

/* Find or create the interned type. names (OBJECT only) must be sorted and unique. */
static const tf_type *type_intern(tf_type_kind kind, const tf_type *elem, size_t n,
				  const char *const *names, const tf_type *const *types)
{
	uint64_t h = type_hash(kind, elem, n, names, types);
	type_node *node, *res = NULL;
	size_t i;

	pthread_mutex_lock(&g_types_mu);
	for (node = g_types[h % TYPE_BUCKETS]; node; node = node->next) {
		if (node->hash == h && type_matches(&node->t, kind, elem, n, names, types)) {
			res = node;
			goto done;
		}
	}
	node = calloc(1, sizeof(*node));
	if (!node)
		goto done;
	node->t.kind = kind;
	node->t.elem = elem;
	node->t.n = n;
	node->hash = h;
	if (n) {
		const tf_type **tt = calloc(n, sizeof(*tt));
		char **nn = names ? calloc(n, sizeof(*nn)) : NULL;

		if (!tt || (names && !nn))
			goto fail;
		node->t.types = tt;
		node->t.names = (const char *const *)nn;
		for (i = 0; i < n; i++) {
			tt[i] = types[i];
			if (names && !(nn[i] = strdup(names[i])))
				goto fail;
		}
	}
	node->next = g_types[h % TYPE_BUCKETS];
	g_types[h % TYPE_BUCKETS] = node;
	res = node;
	goto done;
fail:
	if (node->t.names)
		for (i = 0; i < n; i++)
			free((char *)node->t.names[i]);
	free((void *)node->t.names);
	free((void *)node->t.types);
	free(node);
	res = NULL;
done:
	pthread_mutex_unlock(&g_types_mu);
	return res ? &res->t : NULL;
}

const tf_type *tf_type_list(const tf_type *elem)
{
	return elem ? type_intern(TF_TYPE_LIST, elem, 0, NULL, NULL) : NULL;
}

const tf_type *tf_type_set(const tf_type *elem)
{
	return elem ? type_intern(TF_TYPE_SET, elem, 0, NULL, NULL) : NULL;
}

const tf_type *tf_type_map(const tf_type *elem)
{
	return elem ? type_intern(TF_TYPE_MAP, elem, 0, NULL, NULL) : NULL;
}

typedef struct {
	const char *name;
	const tf_type *type;
} attr_pair;

static int attr_pair_cmp(const void *a, const void *b)
{
	return strcmp(((const attr_pair *)a)->name, ((const attr_pair *)b)->name);
}

/* NULL also when a name repeats or a member is NULL (not a valid object type). */
const tf_type *tf_type_object(size_t n, const char *const *names, const tf_type *const *types)
{
	attr_pair *pairs = NULL;
	const char **nn = NULL;
	const tf_type **tt = NULL;
	const tf_type *res = NULL;
	size_t i;

	if (n == 0)
		return type_intern(TF_TYPE_OBJECT, NULL, 0, NULL, NULL);
	pairs = calloc(n, sizeof(*pairs));
	nn = calloc(n, sizeof(*nn));
	tt = calloc(n, sizeof(*tt));
	if (!pairs || !nn || !tt)
		goto done;
	for (i = 0; i < n; i++) {
		if (!names[i] || !types[i])
			goto done;
		pairs[i].name = names[i];
		pairs[i].type = types[i];
	}
	qsort(pairs, n, sizeof(*pairs), attr_pair_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(pairs[i - 1].name, pairs[i].name) == 0)
			goto done;
		nn[i] = pairs[i].name;
		tt[i] = pairs[i].type;
	}
	res = type_intern(TF_TYPE_OBJECT, NULL, n, nn, tt);
done:
	free(pairs);
	free(nn);
	free(tt);
	return res;
}

const tf_type *tf_type_tuple(size_t n, const tf_type *const *types)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!types[i])
			return NULL;
	return type_intern(TF_TYPE_TUPLE, NULL, n, NULL, types);
}

int tf_type_attr_index(const tf_type *obj, const char *name)
{
	size_t lo = 0, hi;

	if (!obj || obj->kind != TF_TYPE_OBJECT || !name)
		return -1;
	hi = obj->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(obj->names[mid], name);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The names of the kinds in type JSON. */
static const char *const kind_names[] = {
	[TF_TYPE_DYNAMIC] = "dynamic", [TF_TYPE_STRING] = "string", [TF_TYPE_NUMBER] = "number",
	[TF_TYPE_BOOL] = "bool",       [TF_TYPE_LIST] = "list",     [TF_TYPE_SET] = "set",
	[TF_TYPE_MAP] = "map",         [TF_TYPE_OBJECT] = "object", [TF_TYPE_TUPLE] = "tuple",
};

/* "string", ["list",T], ["object",{"a":T,...}], ["tuple",[T,...]] */
static void type_json_write(buf *b, const tf_type *t)
{
	bool keyed = t->kind == TF_TYPE_OBJECT;
	size_t i;

	/* dynamic and the primitives: "name"; the others: ["name", ...] */
	if (t->kind > TF_TYPE_BOOL)
		buf_putc(b, '[');
	buf_putc(b, '"');
	buf_puts(b, kind_names[t->kind]);
	buf_putc(b, '"');
	if (t->kind <= TF_TYPE_BOOL)
		return;
	buf_putc(b, ',');
	if (t->kind == TF_TYPE_LIST || t->kind == TF_TYPE_SET || t->kind == TF_TYPE_MAP) {
		type_json_write(b, t->elem);
		buf_putc(b, ']');
		return;
	}
	buf_putc(b, keyed ? '{' : '[');
	for (i = 0; i < t->n; i++) {
		if (i)
			buf_putc(b, ',');
		if (keyed) {
			buf_json_string(b, t->names[i], strlen(t->names[i]));
			buf_putc(b, ':');
		}
		type_json_write(b, t->types[i]);
	}
	buf_puts(b, keyed ? "}]" : "]]");
}

char *tf_type_to_json(const tf_type *t)
{
	buf b = BUF_INIT;

	if (!t)
		return NULL;
	type_json_write(&b, t);
	return buf_detach(&b, NULL);
}

static const tf_type *type_from_jansson(json_t *j, int depth)
{
	const char *kind;
	json_t *arg;

	if (depth > TYPE_JSON_MAX_DEPTH)
		return NULL;
	if (json_is_string(j)) {
		static const tf_type *const primitives[] = {&tf_type_dynamic, &tf_type_string,
							    &tf_type_number, &tf_type_bool};

		for (size_t i = 0; i < sizeof(primitives) / sizeof(primitives[0]); i++)
			if (strcmp(json_string_value(j), kind_names[primitives[i]->kind]) == 0)
				return primitives[i];
		return NULL;
	}
	if (!json_is_array(j) || json_array_size(j) < 2 || !json_is_string(json_array_get(j, 0)))
		return NULL;
	kind = json_string_value(json_array_get(j, 0));
	arg = json_array_get(j, 1);
	if (strcmp(kind, "object") == 0) {
		/* A third element lists optional attributes: ignored (providers never send it). */
		const char **names = NULL;
		const tf_type **types = NULL;
		const tf_type *res = NULL;
		const char *key;
		json_t *val;
		size_t i = 0, n;

		if (json_array_size(j) > 3 || !json_is_object(arg))
			return NULL;
		n = json_object_size(arg);
		if (n == 0)
			return tf_type_object(0, NULL, NULL);
		names = calloc(n, sizeof(*names));
		types = calloc(n, sizeof(*types));
		if (!names || !types)
			goto obj_done;
		json_object_foreach (arg, key, val) {
			if (i >= n)
				goto obj_done;
			names[i] = key;
			if (!(types[i] = type_from_jansson(val, depth + 1)))
				goto obj_done;
			i++;
		}
		if (i == n)
			res = tf_type_object(n, names, types);
obj_done:
		free(names);
		free(types);
		return res;
	}
	if (json_array_size(j) != 2)
		return NULL;
	if (strcmp(kind, "tuple") == 0) {
		const tf_type **types = NULL;
		const tf_type *res = NULL;
		size_t i, n;

		if (!json_is_array(arg))
			return NULL;
		n = json_array_size(arg);
		if (n == 0)
			return tf_type_tuple(0, NULL);
		if (!(types = calloc(n, sizeof(*types))))
			return NULL;
		for (i = 0; i < n; i++)
			if (!(types[i] = type_from_jansson(json_array_get(arg, i), depth + 1)))
				goto tup_done;
		res = tf_type_tuple(n, types);
tup_done:
		free(types);
		return res;
	}
	if (strcmp(kind, "list") == 0)
		return tf_type_list(type_from_jansson(arg, depth + 1));
	if (strcmp(kind, "set") == 0)
		return tf_type_set(type_from_jansson(arg, depth + 1));
	if (strcmp(kind, "map") == 0)
		return tf_type_map(type_from_jansson(arg, depth + 1));
	return NULL;
}

const tf_type *tf_type_from_json(const char *json, size_t len)
{
	json_error_t err;
	json_t *j;
	const tf_type *t;

	if (!json)
		return NULL;
	j = json_loadb(json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
	if (!j)
		return NULL;
	t = type_from_jansson(j, 0);
	json_decref(j);
	return t;
}
