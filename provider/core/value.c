/*
 * value.c - cty types and values (see value.h).
 *
 * Types: the four primitives are static singletons; composite types are
 * interned in a global hash table guarded by a mutex, so equal types are the
 * same pointer and a type, once made, lives until the process exits.
 *
 * Numbers: kept as decimal text. Comparison normalises each literal to
 * sign x digits x 10^exp (no leading or trailing zero digits) and compares
 * those exactly, so "1" == "1.0" == "1e0" and 30-digit integers stay exact.
 * Exponents are saturated at +-10^17, far beyond anything a float64 or a
 * human writes; two literals that both saturate compare by their digits only.
 *
 * Paths: the textual form is Terraform's: a.b[0]["k"].
 */
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static void type_json_write(buf *b, const tf_type *t)
{
	size_t i;

	switch (t->kind) {
	case TF_TYPE_DYNAMIC:
		buf_puts(b, "\"dynamic\"");
		break;
	case TF_TYPE_STRING:
		buf_puts(b, "\"string\"");
		break;
	case TF_TYPE_NUMBER:
		buf_puts(b, "\"number\"");
		break;
	case TF_TYPE_BOOL:
		buf_puts(b, "\"bool\"");
		break;
	case TF_TYPE_LIST:
	case TF_TYPE_SET:
	case TF_TYPE_MAP:
		buf_puts(b, t->kind == TF_TYPE_LIST  ? "[\"list\","
			    : t->kind == TF_TYPE_SET ? "[\"set\","
						     : "[\"map\",");
		type_json_write(b, t->elem);
		buf_putc(b, ']');
		break;
	case TF_TYPE_OBJECT:
		buf_puts(b, "[\"object\",{");
		for (i = 0; i < t->n; i++) {
			if (i)
				buf_putc(b, ',');
			buf_json_string(b, t->names[i], strlen(t->names[i]));
			buf_putc(b, ':');
			type_json_write(b, t->types[i]);
		}
		buf_puts(b, "}]");
		break;
	case TF_TYPE_TUPLE:
		buf_puts(b, "[\"tuple\",[");
		for (i = 0; i < t->n; i++) {
			if (i)
				buf_putc(b, ',');
			type_json_write(b, t->types[i]);
		}
		buf_puts(b, "]]");
		break;
	}
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
		const char *s = json_string_value(j);

		if (strcmp(s, "string") == 0)
			return &tf_type_string;
		if (strcmp(s, "number") == 0)
			return &tf_type_number;
		if (strcmp(s, "bool") == 0)
			return &tf_type_bool;
		if (strcmp(s, "dynamic") == 0)
			return &tf_type_dynamic;
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

/* ---------------------------------------------------------------- numbers */

#define NUM_EXP_SAT 100000000000000000LL /* 1e17 */

/* A number literal normalised as sign * digits * 10^exp. digits has no
 * leading or trailing zeros; zero has nd == 0 and sign 0. */
typedef struct {
	int sign; /* -1, 0, +1 */
	bool inf;
	const char *src; /* the literal */
	char *digits; /* points at small or at a heap copy */
	size_t nd;
	int64_t exp;
	char small[64];
} num_norm;

static bool is_inf_text(const char *s, int *sign)
{
	*sign = 1;
	if (*s == '+' || *s == '-') {
		if (*s == '-')
			*sign = -1;
		s++;
	}
	return strcasecmp(s, "inf") == 0 || strcasecmp(s, "infinity") == 0;
}

bool tf_number_valid(const char *s)
{
	bool digits = false;
	int sign;

	if (!s)
		return false;
	if (is_inf_text(s, &sign))
		return true;
	if (*s == '+' || *s == '-')
		s++;
	while (isdigit((unsigned char)*s)) {
		s++;
		digits = true;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			s++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

static void num_norm_free(num_norm *n)
{
	if (n->digits && n->digits != n->small)
		free(n->digits);
	n->digits = NULL;
}

/* 0, or -1 when the text is not a valid literal or memory ran out. */
static int num_norm_parse(num_norm *n, const char *s)
{
	size_t len, frac = 0, k = 0, start, end;
	int64_t e = 0;
	bool in_frac = false;
	const char *p;
	int sign = 1;

	memset(n, 0, sizeof(*n));
	n->src = s;
	if (!tf_number_valid(s))
		return -1;
	if (is_inf_text(s, &sign)) {
		n->inf = true;
		n->sign = sign;
		return 0;
	}
	len = strlen(s);
	n->digits = len < sizeof(n->small) ? n->small : malloc(len + 1);
	if (!n->digits)
		return -1;
	p = s;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (; *p && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.') {
			in_frac = true;
			continue;
		}
		n->digits[k++] = *p;
		if (in_frac)
			frac++;
	}
	if (*p == 'e' || *p == 'E') {
		int esign = 1;

		p++;
		if (*p == '+' || *p == '-')
			esign = *p++ == '-' ? -1 : 1;
		for (; *p; p++) {
			if (e < NUM_EXP_SAT)
				e = e * 10 + (*p - '0');
		}
		if (e > NUM_EXP_SAT)
			e = NUM_EXP_SAT;
		e *= esign;
	}
	/* strip leading zeros */
	for (start = 0; start < k && n->digits[start] == '0'; start++)
		;
	/* strip trailing zeros */
	for (end = k; end > start && n->digits[end - 1] == '0'; end--)
		;
	e -= (int64_t)frac;
	e += (int64_t)(k - end);
	memmove(n->digits, n->digits + start, end - start);
	n->nd = end - start;
	n->digits[n->nd] = '\0';
	n->exp = n->nd ? e : 0;
	n->sign = n->nd ? sign : 0;
	return 0;
}

/* Compare magnitudes of two finite, non-zero normalised numbers. */
static int num_cmp_mag(const num_norm *a, const num_norm *b)
{
	/* position of the most significant digit: nd + exp */
	int64_t pa = (int64_t)a->nd + a->exp, pb = (int64_t)b->nd + b->exp;
	size_t i, n;

	if (pa != pb)
		return pa < pb ? -1 : 1;
	n = a->nd > b->nd ? a->nd : b->nd;
	for (i = 0; i < n; i++) {
		char da = i < a->nd ? a->digits[i] : '0';
		char db = i < b->nd ? b->digits[i] : '0';

		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

static int num_norm_cmp(const num_norm *a, const num_norm *b)
{
	int m;

	if (a->sign != b->sign)
		return a->sign < b->sign ? -1 : 1;
	if (a->sign == 0)
		return 0;
	if (a->inf || b->inf) {
		if (a->inf && b->inf)
			return 0;
		m = a->inf ? 1 : -1;
	} else {
		m = num_cmp_mag(a, b);
	}
	return a->sign < 0 ? -m : m;
}

int tf_number_compare(const char *a, const char *b)
{
	num_norm na, nb;
	int c = 0;

	if (num_norm_parse(&na, a) < 0) {
		num_norm_free(&na);
		return strcmp(a ? a : "", b ? b : "") < 0 ? -1 : 1;
	}
	if (num_norm_parse(&nb, b) < 0) {
		num_norm_free(&na);
		num_norm_free(&nb);
		return 1;
	}
	c = num_norm_cmp(&na, &nb);
	num_norm_free(&na);
	num_norm_free(&nb);
	return c;
}

bool tf_number_exact_double(const char *text, double *out)
{
	/* The exact decimal expansion of a double has at most 767 significant digits;
	 * glibc's printf prints it exactly. */
	char tmp[1100];
	num_norm a, b;
	double d;
	bool ok = false;

	if (num_norm_parse(&a, text) < 0)
		goto done;
	if (a.inf) {
		d = a.sign < 0 ? -INFINITY : INFINITY;
		ok = true;
		goto done;
	}
	d = strtod(text, NULL);
	if (!isfinite(d))
		goto done;
	snprintf(tmp, sizeof(tmp), "%.800e", d);
	if (num_norm_parse(&b, tmp) == 0)
		ok = num_norm_cmp(&a, &b) == 0;
	num_norm_free(&b);
done:
	num_norm_free(&a);
	if (ok && out)
		*out = d;
	return ok;
}

/* Integral values below 1e21 in plain digits ("1800"), anything else as the
 * shortest "%.Ng" text that reads back as v. */
static void double_shortest(double v, char *out, size_t outsz)
{
	int prec;

	if (v == floor(v) && fabs(v) < 1e21) {
		snprintf(out, outsz, "%.0f", v);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, outsz, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

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
	double_shortest(v, tmp, sizeof(tmp));
	return number_owned(strdup(tmp));
}

tf_value *tf_value_number_double_exact(double v)
{
	char tmp[1100];
	char *e, *m;

	if (isnan(v) || isinf(v))
		return tf_value_number_double(v);
	double_shortest(v, tmp, sizeof(tmp));
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

int tf_value_number_as_i64(const tf_value *v, int64_t *out)
{
	num_norm n;
	uint64_t acc = 0, limit;
	size_t i;
	int64_t k;
	int rc = -1;

	if (!v || v->state != TF_VALUE_KNOWN || v->type->kind != TF_TYPE_NUMBER)
		return -1;
	if (num_norm_parse(&n, v->u.num) < 0 || n.inf)
		goto done;
	if (n.sign == 0) {
		*out = 0;
		rc = 0;
		goto done;
	}
	if (n.exp < 0 || (int64_t)n.nd + n.exp > 19)
		goto done;
	limit = n.sign < 0 ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = 0; i < n.nd + (size_t)n.exp; i++) {
		unsigned d = i < n.nd ? (unsigned)(n.digits[i] - '0') : 0;

		if (acc > (limit - d) / 10)
			goto done;
		acc = acc * 10 + d;
	}
	if (n.sign < 0)
		k = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
	else
		k = (int64_t)acc;
	*out = k;
	rc = 0;
done:
	num_norm_free(&n);
	return rc;
}

/* Nearest double; -1 when the value is beyond the float64 range (an infinity
 * literal reads as an infinity). */
int tf_value_number_as_double(const tf_value *v, double *out)
{
	double d;
	int sign;

	if (!v || v->state != TF_VALUE_KNOWN || v->type->kind != TF_TYPE_NUMBER)
		return -1;
	if (is_inf_text(v->u.num, &sign)) {
		*out = sign < 0 ? -INFINITY : INFINITY;
		return 0;
	}
	errno = 0;
	d = strtod(v->u.num, NULL);
	if (!isfinite(d))
		return -1;
	*out = d;
	return 0;
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

/* ------------------------------------------------------------------ paths */

void tf_path_init(tf_path *p)
{
	p->n = 0;
	p->steps = NULL;
}

void tf_path_free(tf_path *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		free(p->steps[i].name);
	free(p->steps);
	tf_path_init(p);
}

static int path_push(tf_path *p, tf_step_kind kind, const char *name, size_t name_len,
		     int64_t index)
{
	tf_path_step *steps;
	char *copy = NULL;

	if (name) {
		if (!(copy = malloc(name_len + 1)))
			return -1;
		memcpy(copy, name, name_len);
		copy[name_len] = '\0';
	}
	steps = realloc(p->steps, (p->n + 1) * sizeof(*steps));
	if (!steps) {
		free(copy);
		return -1;
	}
	p->steps = steps;
	steps[p->n].kind = kind;
	steps[p->n].name = copy;
	steps[p->n].index = index;
	p->n++;
	return 0;
}

int tf_path_copy(tf_path *out, const tf_path *src)
{
	size_t i;

	tf_path_init(out);
	for (i = 0; src && i < src->n; i++) {
		const tf_path_step *s = &src->steps[i];

		if (path_push(out, s->kind, s->name, s->name ? strlen(s->name) : 0, s->index) < 0) {
			tf_path_free(out);
			return -1;
		}
	}
	return 0;
}

int tf_path_push_attr(tf_path *p, const char *name)
{
	return name ? path_push(p, TF_STEP_ATTR, name, strlen(name), 0) : -1;
}

int tf_path_push_key(tf_path *p, const char *key)
{
	return key ? path_push(p, TF_STEP_KEY_STRING, key, strlen(key), 0) : -1;
}

int tf_path_push_index(tf_path *p, int64_t i)
{
	return path_push(p, TF_STEP_KEY_INT, NULL, 0, i);
}

void tf_path_pop(tf_path *p)
{
	if (!p || !p->n)
		return;
	p->n--;
	free(p->steps[p->n].name);
	if (!p->n) {
		free(p->steps);
		p->steps = NULL;
	}
}

char *tf_path_string(const tf_path *p)
{
	buf b = BUF_INIT;
	size_t i;

	for (i = 0; p && i < p->n; i++) {
		const tf_path_step *s = &p->steps[i];

		switch (s->kind) {
		case TF_STEP_ATTR:
			if (i)
				buf_putc(&b, '.');
			buf_puts(&b, s->name);
			break;
		case TF_STEP_KEY_STRING:
			buf_putc(&b, '[');
			buf_json_string(&b, s->name, strlen(s->name));
			buf_putc(&b, ']');
			break;
		case TF_STEP_KEY_INT:
			buf_printf(&b, "[%" PRId64 "]", s->index);
			break;
		}
	}
	return buf_detach(&b, NULL);
}

/* Grammar: step ( "." name | "[" int "]" | "[" quoted "]" )*, where the first step
 * is a name or a bracket; quoted strings use \" and \\ escapes (and \n \t \r).
 * Returns -1 (and an empty path) on malformed text. */
int tf_path_parse(tf_path *out, const char *text)
{
	const char *s = text;
	buf key = BUF_INIT;
	int rc = -1;

	tf_path_init(out);
	if (!s || !*s)
		goto done;
	while (*s) {
		if (*s == '[') {
			s++;
			if (*s == '"') {
				s++;
				buf_free(&key);
				buf_puts(&key, "");
				while (*s && *s != '"') {
					char c = *s++;

					if (c == '\\') {
						c = *s++;
						if (c == 'n')
							c = '\n';
						else if (c == 't')
							c = '\t';
						else if (c == 'r')
							c = '\r';
						else if (c != '"' && c != '\\')
							goto done;
					}
					buf_putc(&key, c);
				}
				if (*s != '"' || s[1] != ']' || buf_failed(&key))
					goto done;
				s += 2;
				if (path_push(out, TF_STEP_KEY_STRING, key.data, key.len, 0) < 0)
					goto done;
			} else {
				char *end;
				long long v;

				if (!(isdigit((unsigned char)*s) ||
				      (*s == '-' && isdigit((unsigned char)s[1]))))
					goto done;
				errno = 0;
				v = strtoll(s, &end, 10);
				if (errno || *end != ']')
					goto done;
				s = end + 1;
				if (path_push(out, TF_STEP_KEY_INT, NULL, 0, (int64_t)v) < 0)
					goto done;
			}
		} else {
			const char *start;

			if (out->n) {
				if (*s != '.')
					goto done;
				s++;
			}
			start = s;
			while (*s && *s != '.' && *s != '[' && *s != ']' && *s != '"')
				s++;
			if (s == start)
				goto done;
			if (path_push(out, TF_STEP_ATTR, start, (size_t)(s - start), 0) < 0)
				goto done;
		}
	}
	rc = 0;
done:
	buf_free(&key);
	if (rc < 0)
		tf_path_free(out);
	return rc;
}
