/*
 * json_codec.c - tf_value <-> JSON in go-cty's cty/json form (see json_codec.h).
 *
 * Exact numbers: jansson keeps numbers as long long or double, which would
 * round big or decimal numbers. So before parsing, a scanner walks the text,
 * copies every number literal (outside strings) into a table, checks it
 * against the JSON number grammar, and replaces it by its table index. Every
 * integer jansson then reports is such an index, and the decoder takes the
 * original literal from the table. Strings, bools and structure are jansson's.
 *
 * Conversions accepted while decoding are cty/json's: a string slot takes a
 * string, a number (its literal text) or a bool ("true"/"false"); a number
 * slot takes a number or a numeric string; a bool slot takes a bool or the
 * strings "true"/"false"/"1"/"0". Missing object attributes become null;
 * unknown ones are an error (strict) or dropped (lenient).
 *
 * Limits: nesting depth 64 (as the msgpack codec); jansson's own parser limit
 * (2048) applies first to the raw text.
 */
#include "json_codec.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "decode.h"

#define JSON_MAX_DEPTH 64

typedef struct {
	char **lits;
	size_t n, cap;
} num_table;

typedef struct {
	num_table nums;
	bool lenient;
	tf_decoder dec;
} jdec;

static void num_table_free(num_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->lits[i]);
	free(t->lits);
	memset(t, 0, sizeof(*t));
}

static int num_table_add(num_table *t, const char *s, size_t len)
{
	char *copy;

	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		char **l = realloc(t->lits, ncap * sizeof(*l));

		if (!l)
			return -1;
		t->lits = l;
		t->cap = ncap;
	}
	if (!(copy = malloc(len + 1)))
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	t->lits[t->n++] = copy;
	return 0;
}

/* Length of a JSON number literal at s (RFC 8259 grammar), or 0 if there is none. */
static size_t json_number_len(const char *s, size_t avail)
{
	size_t i = 0;

#define AT(k) ((k) < avail ? s[k] : '\0')
	if (AT(i) == '-')
		i++;
	if (AT(i) == '0')
		i++;
	else if (AT(i) >= '1' && AT(i) <= '9')
		while (isdigit((unsigned char)AT(i)))
			i++;
	else
		return 0;
	if (AT(i) == '.') {
		if (!isdigit((unsigned char)AT(i + 1)))
			return 0;
		i++;
		while (isdigit((unsigned char)AT(i)))
			i++;
	}
	if (AT(i) == 'e' || AT(i) == 'E') {
		size_t k = i + 1;

		if (AT(k) == '+' || AT(k) == '-')
			k++;
		if (!isdigit((unsigned char)AT(k)))
			return 0;
		while (isdigit((unsigned char)AT(k)))
			k++;
		i = k;
	}
#undef AT
	return i;
}

/* Replace number literals with their table index (see the file comment).
 * Returns the rewritten text (malloc'd) or NULL with an error. */
static char *number_prescan(jdec *j, const char *s, size_t len, size_t *out_len)
{
	buf b = BUF_INIT;
	size_t i = 0, run = 0;

	while (i < len) {
		char c = s[i];

		if (c == '"') {
			/* skip the string, honouring backslash escapes */
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
			continue;
		}
		if (c == '-' || isdigit((unsigned char)c)) {
			size_t n = json_number_len(s + i, len - i);
			const char *after = s + i + n;

			if (n == 0 ||
			    (i + n < len && (isalnum((unsigned char)*after) || *after == '.' ||
					     *after == '-' || *after == '+'))) {
				tf_decoder_error(&j->dec, "invalid JSON number near byte %zu", i);
				buf_free(&b);
				return NULL;
			}
			buf_append(&b, s + run, i - run);
			buf_printf(&b, "%zu", j->nums.n);
			if (num_table_add(&j->nums, s + i, n) < 0)
				b.failed = true;
			i += n;
			run = i;
			continue;
		}
		i++;
	}
	buf_append(&b, s + run, len - run);
	if (buf_failed(&b)) {
		tf_decoder_error(&j->dec, "out of memory");
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, out_len);
}

static const char *jnum(jdec *j, json_t *v)
{
	json_int_t k = json_integer_value(v);

	return k >= 0 && (size_t)k < j->nums.n ? j->nums.lits[k] : NULL;
}

static const char *jkind(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	default:
		return "null";
	}
}

static tf_value *jdecode(jdec *j, json_t *v, const tf_type *t, int depth);

static tf_value *jdecode_primitive(jdec *j, json_t *v, const tf_type *t)
{
	const char *s;

	switch (t->kind) {
	case TF_TYPE_STRING:
		if (json_is_string(v))
			return tf_value_string_len(json_string_value(v), json_string_length(v));
		if (json_is_integer(v) && (s = jnum(j, v)))
			return tf_value_string(s);
		if (json_is_boolean(v))
			return tf_value_string(json_is_true(v) ? "true" : "false");
		tf_decoder_error(&j->dec, "a string is required, got %s", jkind(v));
		return NULL;
	case TF_TYPE_NUMBER:
		if (json_is_integer(v) && (s = jnum(j, v)))
			return tf_value_number_text(s);
		if (json_is_string(v)) {
			s = json_string_value(v);
			if (strlen(s) == json_string_length(v) && tf_number_valid(s))
				return tf_value_number_text(s);
			tf_decoder_error(&j->dec,
					 "a number is required (string is not a decimal number)");
			return NULL;
		}
		tf_decoder_error(&j->dec, "a number is required, got %s", jkind(v));
		return NULL;
	case TF_TYPE_BOOL:
		if (json_is_boolean(v))
			return tf_value_bool(json_is_true(v));
		if (json_is_string(v)) {
			s = json_string_value(v);
			if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
				return tf_value_bool(true);
			if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
				return tf_value_bool(false);
		}
		tf_decoder_error(&j->dec, "a bool is required, got %s", jkind(v));
		return NULL;
	default:
		return NULL;
	}
}

static tf_value *jdecode_dynamic(jdec *j, json_t *v, int depth)
{
	json_t *jt, *jv;
	const tf_type *t;
	char *tj;

	if (!json_is_object(v) || json_object_size(v) != 2 || !(jt = json_object_get(v, "type")) ||
	    !(jv = json_object_get(v, "value"))) {
		tf_decoder_error(
			&j->dec,
			"a dynamic value must be an object with exactly \"type\" and \"value\"");
		return NULL;
	}
	tj = json_dumps(jt, JSON_COMPACT | JSON_ENCODE_ANY);
	t = tj ? tf_type_from_json(tj, strlen(tj)) : NULL;
	free(tj);
	if (!t) {
		tf_decoder_error(&j->dec, "a dynamic value's \"type\" is not a valid type");
		return NULL;
	}
	return jdecode(j, jv, t, depth + 1);
}

/* A JSON array or object being decoded element by element (tf_decode_*). */
typedef struct {
	jdec *j;
	json_t *v;
	void *iter; /* objects: the entry being decoded */
} jsrc;

static tf_value *jsrc_elem(void *src, size_t i, const tf_type *t, int depth)
{
	jsrc *s = src;
	json_t *e;

	if (!json_is_object(s->v))
		return jdecode(s->j, json_array_get(s->v, i), t, depth);
	e = json_object_iter_value(s->iter);
	s->iter = json_object_iter_next(s->v, s->iter);
	return jdecode(s->j, e, t, depth);
}

static char *jsrc_key(void *src, size_t i)
{
	jsrc *s = src;

	(void)i;
	return strdup(json_object_iter_key(s->iter));
}

static tf_value *jdecode_seq(jdec *j, json_t *v, const tf_type *t, int depth)
{
	jsrc src = {j, v, NULL};

	return tf_decode_seq(&j->dec, t, json_is_array(v) ? NULL : jkind(v), json_array_size(v),
			     jsrc_elem, &src, depth);
}

static tf_value *jdecode_map(jdec *j, json_t *v, const tf_type *t, int depth)
{
	jsrc src = {j, v, json_object_iter(v)};

	return tf_decode_map(&j->dec, t, json_is_object(v) ? NULL : jkind(v), json_object_size(v),
			     jsrc_key, jsrc_elem, &src, depth);
}

/* Lenient decoding fills a missing block list/set with an empty collection. */
static bool is_block_collection(const tf_type *t)
{
	return (t->kind == TF_TYPE_LIST || t->kind == TF_TYPE_SET) &&
	       t->elem->kind == TF_TYPE_OBJECT;
}

static tf_value *jdecode_object(jdec *j, json_t *v, const tf_type *t, int depth)
{
	tf_value *res = NULL;
	const char *key;
	json_t *val;
	size_t i;

	if (!json_is_object(v)) {
		tf_decoder_error(&j->dec, "an object is required, got %s", jkind(v));
		return NULL;
	}
	if (!j->lenient) {
		json_object_foreach (v, key, val) {
			if (tf_type_attr_index(t, key) < 0) {
				tf_decoder_error(&j->dec, "unsupported attribute \"%s\"", key);
				return NULL;
			}
		}
	}
	if (!(res = tf_value_object(t)))
		goto fail;
	for (i = 0; i < t->n; i++) {
		tf_value *item;

		val = json_object_get(v, t->names[i]);
		if (!val) {
			if (j->lenient && is_block_collection(t->types[i])) {
				if (!(item = tf_value_empty(t->types[i])))
					goto fail;
				tf_value_free(res->u.coll.items[i]);
				res->u.coll.items[i] = item;
			}
			continue; /* already null */
		}
		if (tf_path_push_attr(&j->dec.path, t->names[i]) < 0)
			goto fail;
		item = jdecode(j, val, t->types[i], depth + 1);
		tf_path_pop(&j->dec.path);
		if (!item)
			goto fail;
		tf_value_free(res->u.coll.items[i]);
		res->u.coll.items[i] = item;
	}
	return res;
fail:
	tf_value_free(res);
	return NULL;
}

static tf_value *jdecode(jdec *j, json_t *v, const tf_type *t, int depth)
{
	if (depth > JSON_MAX_DEPTH) {
		tf_decoder_error(&j->dec, "nesting deeper than %d levels", JSON_MAX_DEPTH);
		return NULL;
	}
	if (json_is_null(v))
		return tf_value_null(t);
	switch (t->kind) {
	case TF_TYPE_DYNAMIC:
		return jdecode_dynamic(j, v, depth);
	case TF_TYPE_STRING:
	case TF_TYPE_NUMBER:
	case TF_TYPE_BOOL:
		return jdecode_primitive(j, v, t);
	case TF_TYPE_LIST:
	case TF_TYPE_SET:
	case TF_TYPE_TUPLE:
		return jdecode_seq(j, v, t, depth);
	case TF_TYPE_MAP:
		return jdecode_map(j, v, t, depth);
	case TF_TYPE_OBJECT:
		return jdecode_object(j, v, t, depth);
	}
	return NULL;
}

tf_value *json_decode_value(const char *text, size_t len, const tf_type *t, bool lenient,
			    tf_diags *d)
{
	jdec j;
	json_error_t err;
	json_t *root = NULL;
	tf_value *v = NULL;
	char *rewritten = NULL;
	size_t rlen = 0;

	memset(&j, 0, sizeof(j));
	j.lenient = lenient;
	tf_decoder_init(&j.dec, d, "Invalid JSON value");
	if (!t || !text) {
		tf_decoder_error(&j.dec, "no %s given", t ? "text" : "type");
		goto done;
	}
	if (!(rewritten = number_prescan(&j, text, len, &rlen)))
		goto done;
	root = json_loadb(rewritten, rlen,
			  JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		tf_decoder_error(&j.dec, "not valid JSON: %s (line %d, column %d)", err.text,
				 err.line, err.column);
		goto done;
	}
	v = jdecode(&j, root, t, 0);
	if (!v && !j.dec.failed)
		tf_decoder_error(&j.dec, "out of memory");
done:
	json_decref(root);
	free(rewritten);
	num_table_free(&j.nums);
	tf_decoder_free(&j.dec);
	return v;
}

/* ----------------------------------------------------------------- encode */

/* A cty number literal as a JSON number: no '+', no leading zeros, digits on
 * both sides of '.'. Infinity has no JSON form: -1. */
static int json_put_number(buf *b, const char *s)
{
	const char *p = s, *ip, *fp = NULL, *ep = NULL;
	size_t ilen = 0, flen = 0;

	if (!tf_number_valid(s) ||
	    !(isdigit((unsigned char)*s) || *s == '-' || *s == '+' || *s == '.'))
		return -1;
	if (strpbrk(s, "iInN"))
		return -1; /* infinity */
	if (*p == '+')
		p++;
	else if (*p == '-')
		buf_putc(b, *p++);
	ip = p;
	while (isdigit((unsigned char)*p))
		p++;
	ilen = (size_t)(p - ip);
	if (*p == '.') {
		fp = ++p;
		while (isdigit((unsigned char)*p))
			p++;
		flen = (size_t)(p - fp);
	}
	if (*p == 'e' || *p == 'E')
		ep = p;
	while (ilen > 1 && *ip == '0') {
		ip++;
		ilen--;
	}
	if (ilen)
		buf_append(b, ip, ilen);
	else
		buf_putc(b, '0');
	if (flen) {
		buf_putc(b, '.');
		buf_append(b, fp, flen);
	}
	if (ep)
		buf_puts(b, ep);
	return 0;
}

static int jencode(buf *b, const tf_value *v, const tf_type *t, int depth)
{
	bool keyed;
	size_t i;

	if (depth > JSON_MAX_DEPTH || !t)
		return -1;
	if (!tf_value_is_known(v)) /* null, and unknown which JSON cannot express */
		return buf_puts(b, "null");
	if (t->kind == TF_TYPE_DYNAMIC) {
		char *tj;

		if (v->type->kind == TF_TYPE_DYNAMIC || !(tj = tf_type_to_json(v->type)))
			return -1;
		buf_puts(b, "{\"type\":");
		buf_puts(b, tj);
		free(tj);
		buf_puts(b, ",\"value\":");
		if (jencode(b, v, v->type, depth + 1) < 0)
			return -1;
		return buf_putc(b, '}');
	}
	if (v->type != t)
		return -1;
	switch (t->kind) {
	case TF_TYPE_STRING:
		return buf_json_string(b, v->u.str.s, v->u.str.len);
	case TF_TYPE_NUMBER:
		return json_put_number(b, v->u.num);
	case TF_TYPE_BOOL:
		return buf_puts(b, v->u.b ? "true" : "false");
	default: /* LIST, SET, TUPLE: [...]; MAP, OBJECT: {...} */
		keyed = t->kind == TF_TYPE_MAP || t->kind == TF_TYPE_OBJECT;
		if ((t->kind == TF_TYPE_TUPLE || t->kind == TF_TYPE_OBJECT) && v->u.coll.n != t->n)
			return -1;
		buf_putc(b, keyed ? '{' : '[');
		for (i = 0; i < v->u.coll.n; i++) {
			const char *k = keyed ? tf_value_key(v, i) : NULL;

			if (i)
				buf_putc(b, ',');
			if (k) {
				buf_json_string(b, k, strlen(k));
				buf_putc(b, ':');
			}
			if (jencode(b, v->u.coll.items[i], tf_type_child(t, i), depth + 1) < 0)
				return -1;
		}
		return buf_putc(b, keyed ? '}' : ']');
	}
}

/* NULL also when v does not conform to t or holds an infinity. */
char *json_encode_value(const tf_value *v, const tf_type *t)
{
	buf b = BUF_INIT;

	if (jencode(&b, v, t, 0) < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}
