/*
 * msgpack_codec.c - tf_value <-> msgpack in go-cty's wire format (see
 * msgpack_codec.h and protocol.md section 4.2).
 *
 * Decoding uses a small bounds-checked reader of its own instead of
 * msgpack-c's unpacker: the unpacker in libmsgpackc is compiled with a fixed
 * 32-level container stack (MSGPACK_EMBED_STACK_SIZE) and builds a whole
 * object tree in a zone first, while the type-directed decoder here reads each
 * header exactly once, checks every length against the bytes that remain
 * (so a hostile "array of 4 billion" costs nothing) and stops at
 * MP_MAX_DEPTH nested containers. Encoding uses msgpack-c's packer.
 *
 * Numbers: ints of any width and floats decode to decimal text (a float keeps
 * its exact binary value, see tf_value_number_double_exact, so it re-encodes
 * bit-identically); a numeric string is taken as is. Encoding follows cty:
 * int64 when the value is an exact int64, else float64 when exact, else the
 * decimal string.
 */
#include "msgpack_codec.h"

#include <inttypes.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "decode.h"

/* Container nesting limit, for decoding and encoding. */
#define MP_MAX_DEPTH 64
/* msgpack ext type of an unknown value with refinements. */
#define MP_EXT_REFINED 12

typedef enum {
	MP_NIL,
	MP_BOOL,
	MP_INT,
	MP_UINT,
	MP_FLOAT,
	MP_STR,
	MP_BIN,
	MP_ARRAY,
	MP_MAP,
	MP_EXT,
} mp_kind;

typedef struct {
	mp_kind kind;
	bool b;
	int64_t i;
	uint64_t u;
	double f;
	const uint8_t *data; /* STR, BIN, EXT payload */
	uint32_t len; /* STR/BIN/EXT byte length; ARRAY/MAP element count */
	int8_t ext_type;
} mp_item;

typedef struct {
	const uint8_t *p, *end;
	tf_decoder dec; /* where the reader is, its first error (d NULL: refinements) */
} mp_reader;

static const char *const mp_kind_names[] = {
	"nil",    "bool",   "integer", "integer", "float",
	"string", "binary", "array",   "map",     "extension",
};

static bool mp_take(mp_reader *r, size_t n, const uint8_t **out)
{
	if ((size_t)(r->end - r->p) < n) {
		tf_decoder_error(&r->dec, "truncated input (%zu more bytes needed at offset %zu)",
				 n, (size_t)(r->end - r->p));
		return false;
	}
	*out = r->p;
	r->p += n;
	return true;
}

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Read n big-endian bytes. */
static bool mp_uint(mp_reader *r, size_t n, uint64_t *out)
{
	const uint8_t *p;

	if (!mp_take(r, n, &p))
		return false;
	*out = be(p, n);
	return true;
}

/* Payload of length len (STR/BIN/EXT). */
static bool mp_payload(mp_reader *r, mp_item *it, uint64_t len)
{
	if (len > (uint64_t)(r->end - r->p)) {
		tf_decoder_error(&r->dec,
				 "truncated input (%" PRIu64 "-byte payload, %zu bytes left)", len,
				 (size_t)(r->end - r->p));
		return false;
	}
	it->len = (uint32_t)len;
	it->data = r->p;
	r->p += len;
	return true;
}

/* Element count of an ARRAY/MAP; each element needs at least one byte, so a
 * count beyond what remains is truncation, caught before any allocation. */
static bool mp_count(mp_reader *r, mp_item *it, uint64_t count, unsigned per)
{
	if (count > (uint64_t)(r->end - r->p) / per) {
		tf_decoder_error(&r->dec,
				 "truncated input (%" PRIu64 " elements announced, %zu bytes left)",
				 count, (size_t)(r->end - r->p));
		return false;
	}
	it->len = (uint32_t)count;
	return true;
}

/* The type bytes 0xc0..0xdf (msgpack spec, "formats"): the kind each starts
 * and how many bytes of its length (numbers: of its value) follow; `fixed` is
 * the payload length of a fixext. 0xc1 is never used. */
static const struct mp_format {
	mp_kind kind;
	uint8_t size, fixed;
} mp_formats[32] = {
	{MP_NIL, 0, 0},   {MP_NIL, 0, 0},   {MP_BOOL, 0, 0}, {MP_BOOL, 0, 0},  {MP_BIN, 1, 0},
	{MP_BIN, 2, 0},   {MP_BIN, 4, 0},   {MP_EXT, 1, 0},  {MP_EXT, 2, 0},   {MP_EXT, 4, 0},
	{MP_FLOAT, 4, 0}, {MP_FLOAT, 8, 0}, {MP_UINT, 1, 0}, {MP_UINT, 2, 0},  {MP_UINT, 4, 0},
	{MP_UINT, 8, 0},  {MP_INT, 1, 0},   {MP_INT, 2, 0},  {MP_INT, 4, 0},   {MP_INT, 8, 0},
	{MP_EXT, 0, 1},   {MP_EXT, 0, 2},   {MP_EXT, 0, 4},  {MP_EXT, 0, 8},   {MP_EXT, 0, 16},
	{MP_STR, 1, 0},   {MP_STR, 2, 0},   {MP_STR, 4, 0},  {MP_ARRAY, 2, 0}, {MP_ARRAY, 4, 0},
	{MP_MAP, 2, 0},   {MP_MAP, 4, 0},
};

/* A fixed-size number of `size` bytes whose big-endian bits are v. */
static void mp_number(mp_item *it, size_t size, uint64_t v)
{
	float f32;
	uint32_t bits;

	switch (it->kind) {
	case MP_FLOAT:
		if (size == 4) {
			bits = (uint32_t)v;
			memcpy(&f32, &bits, 4);
			it->f = f32;
		} else {
			memcpy(&it->f, &v, 8);
		}
		break;
	case MP_UINT:
		it->u = v;
		break;
	default: /* MP_INT: sign-extend from size bytes */
		if (size < 8 && (v >> (size * 8 - 1)) & 1)
			v |= ~(uint64_t)0 << (size * 8);
		it->i = (int64_t)v;
		break;
	}
}

/* Read one item header (and, for STR/BIN/EXT, its payload). */
static bool mp_next(mp_reader *r, mp_item *it)
{
	const uint8_t *tp;
	uint64_t v = 0;
	uint8_t tag;
	const struct mp_format *f;

	memset(it, 0, sizeof(*it));
	if (r->dec.failed || !mp_take(r, 1, &tp))
		return false;
	tag = *tp;
	if (tag <= 0x7f || tag >= 0xe0) { /* positive / negative fixint */
		it->kind = MP_INT;
		it->i = tag <= 0x7f ? tag : (int8_t)tag;
		return true;
	}
	if (tag < 0x90) { /* fixmap */
		it->kind = MP_MAP;
		return mp_count(r, it, tag & 0x0f, 2);
	}
	if (tag < 0xa0) { /* fixarray */
		it->kind = MP_ARRAY;
		return mp_count(r, it, tag & 0x0f, 1);
	}
	if (tag < 0xc0) { /* fixstr */
		it->kind = MP_STR;
		return mp_payload(r, it, tag & 0x1f);
	}
	if (tag == 0xc1) {
		tf_decoder_error(&r->dec, "invalid msgpack type byte 0x%02x", tag);
		return false;
	}
	f = &mp_formats[tag - 0xc0];
	it->kind = f->kind;
	if (f->size && !mp_uint(r, f->size, &v))
		return false;
	switch (it->kind) {
	case MP_NIL:
		return true;
	case MP_BOOL:
		it->b = tag == 0xc3;
		return true;
	case MP_EXT:
		if (!mp_take(r, 1, &tp))
			return false;
		it->ext_type = (int8_t)*tp;
		return mp_payload(r, it, f->fixed ? f->fixed : v);
	case MP_STR:
	case MP_BIN:
		return mp_payload(r, it, v);
	case MP_ARRAY:
	case MP_MAP:
		return mp_count(r, it, v, it->kind == MP_MAP ? 2 : 1);
	default: /* numbers */
		mp_number(it, f->size, v);
		return true;
	}
}

/* Skip one complete item. */
static bool mp_skip(mp_reader *r, int depth)
{
	mp_item it;
	uint64_t i, n;

	if (depth > MP_MAX_DEPTH) {
		tf_decoder_error(&r->dec, "nesting deeper than %d levels", MP_MAX_DEPTH);
		return false;
	}
	if (!mp_next(r, &it))
		return false;
	if (it.kind != MP_ARRAY && it.kind != MP_MAP)
		return true;
	n = it.kind == MP_MAP ? (uint64_t)it.len * 2 : it.len;
	for (i = 0; i < n; i++)
		if (!mp_skip(r, depth + 1))
			return false;
	return true;
}

/* Refinements of an ext 12 unknown: only "nullness = false" is kept; anything
 * malformed is ignored (the value stays a plain unknown). */
static bool refined_not_null(const mp_item *ext)
{
	mp_reader r = {.p = ext->data, .end = ext->data + ext->len};
	mp_item m, k, v;
	uint32_t i;
	bool not_null = false;

	if (!mp_next(&r, &m) || m.kind != MP_MAP)
		return false;
	for (i = 0; i < m.len; i++) {
		if (!mp_next(&r, &k))
			return false;
		if ((k.kind == MP_INT && k.i == 1) || (k.kind == MP_UINT && k.u == 1)) {
			if (!mp_next(&r, &v))
				return false;
			if (v.kind == MP_BOOL && !v.b)
				not_null = true;
		} else if (!mp_skip(&r, 1)) {
			return false;
		}
	}
	return not_null;
}

static tf_value *mp_decode(mp_reader *r, const tf_type *t, int depth);

static tf_value *mp_decode_number(mp_reader *r, const mp_item *it)
{
	char tmp[32];
	tf_value *v;

	switch (it->kind) {
	case MP_INT:
		snprintf(tmp, sizeof(tmp), "%" PRId64, it->i);
		return tf_value_number_text(tmp);
	case MP_UINT:
		snprintf(tmp, sizeof(tmp), "%" PRIu64, it->u);
		return tf_value_number_text(tmp);
	case MP_FLOAT:
		if (isnan(it->f)) {
			tf_decoder_error(&r->dec, "a number cannot be NaN");
			return NULL;
		}
		return tf_value_number_double_exact(it->f);
	case MP_STR: {
		char *s = malloc((size_t)it->len + 1);

		if (!s)
			return NULL;
		memcpy(s, it->data, it->len);
		s[it->len] = '\0';
		if (strlen(s) != it->len || !tf_number_valid(s)) {
			tf_decoder_error(&r->dec,
					 "a number is required (string is not a decimal number)");
			free(s);
			return NULL;
		}
		v = tf_value_number_text(s);
		free(s);
		return v;
	}
	default:
		tf_decoder_error(&r->dec, "a number is required, got %s", mp_kind_names[it->kind]);
		return NULL;
	}
}

static tf_value *mp_decode_dynamic(mp_reader *r, const mp_item *it, int depth)
{
	const tf_type *t;
	mp_item ty;

	if (it->kind != MP_ARRAY || it->len != 2) {
		tf_decoder_error(&r->dec, "a dynamic value must be a [type, value] array, got %s",
				 mp_kind_names[it->kind]);
		return NULL;
	}
	if (!mp_next(r, &ty))
		return NULL;
	if (ty.kind != MP_STR && ty.kind != MP_BIN) {
		tf_decoder_error(&r->dec, "a dynamic value's type must be JSON bytes, got %s",
				 mp_kind_names[ty.kind]);
		return NULL;
	}
	t = tf_type_from_json((const char *)ty.data, ty.len);
	if (!t) {
		tf_decoder_error(&r->dec, "a dynamic value's type JSON is not a valid type");
		return NULL;
	}
	return mp_decode(r, t, depth + 1);
}

/* The elements and keys of an array or map (tf_decode_*): read in order. */
static tf_value *mp_elem(void *src, size_t i, const tf_type *t, int depth)
{
	(void)i;
	return mp_decode(src, t, depth);
}

static char *mp_key(mp_reader *r, const mp_item *k);

static char *mp_next_key(void *src, size_t i)
{
	mp_reader *r = src;
	mp_item k;

	(void)i;
	return mp_next(r, &k) ? mp_key(r, &k) : NULL;
}

static tf_value *mp_decode_seq(mp_reader *r, const mp_item *it, const tf_type *t, int depth)
{
	return tf_decode_seq(&r->dec, t, it->kind == MP_ARRAY ? NULL : mp_kind_names[it->kind],
			     it->len, mp_elem, r, depth);
}

/* A msgpack string as a C string; NULL (with an error) if it holds a NUL byte. */
static char *mp_key(mp_reader *r, const mp_item *k)
{
	char *s;

	if (k->kind != MP_STR) {
		tf_decoder_error(&r->dec, "map keys must be strings, got %s",
				 mp_kind_names[k->kind]);
		return NULL;
	}
	if (memchr(k->data, '\0', k->len)) {
		tf_decoder_error(&r->dec, "map key contains a NUL byte");
		return NULL;
	}
	if (!(s = malloc((size_t)k->len + 1)))
		return NULL;
	memcpy(s, k->data, k->len);
	s[k->len] = '\0';
	return s;
}

static tf_value *mp_decode_map(mp_reader *r, const mp_item *it, const tf_type *t, int depth)
{
	return tf_decode_map(&r->dec, t, it->kind == MP_MAP ? NULL : mp_kind_names[it->kind],
			     it->len, mp_next_key, mp_elem, r, depth);
}

static tf_value *mp_decode_object(mp_reader *r, const mp_item *it, const tf_type *t, int depth)
{
	tf_value *v = NULL;
	bool *seen = NULL;
	char *key = NULL;
	mp_item k;
	uint32_t i;
	int idx;

	if (it->kind != MP_MAP) {
		tf_decoder_error(&r->dec, "an object (map) is required, got %s",
				 mp_kind_names[it->kind]);
		return NULL;
	}
	if (!(v = tf_value_object(t)) || !(seen = calloc(t->n + 1, sizeof(*seen))))
		goto fail;
	for (i = 0; i < it->len; i++) {
		if (!mp_next(r, &k) || !(key = mp_key(r, &k)))
			goto fail;
		idx = tf_type_attr_index(t, key);
		if (idx < 0) {
			tf_decoder_error(&r->dec, "unsupported attribute \"%s\"", key);
			goto fail;
		}
		if (seen[idx]) {
			tf_decoder_error(&r->dec, "duplicate attribute \"%s\"", key);
			goto fail;
		}
		seen[idx] = true;
		if (tf_path_push_attr(&r->dec.path, key) < 0)
			goto fail;
		tf_value_free(v->u.coll.items[idx]);
		v->u.coll.items[idx] = mp_decode(r, t->types[idx], depth + 1);
		tf_path_pop(&r->dec.path);
		if (!v->u.coll.items[idx]) {
			/* keep the object well-formed for tf_value_free */
			v->u.coll.items[idx] = tf_value_null(t->types[idx]);
			goto fail;
		}
		free(key);
		key = NULL;
	}
	for (i = 0; i < t->n; i++) {
		if (!seen[i]) {
			tf_decoder_error(
				&r->dec,
				"missing attribute \"%s\" (an object with %zu attributes is required)",
				t->names[i], t->n);
			goto fail;
		}
	}
	free(seen);
	return v;
fail:
	free(key);
	free(seen);
	tf_value_free(v);
	return NULL;
}

static tf_value *mp_decode(mp_reader *r, const tf_type *t, int depth)
{
	tf_value *v;
	mp_item it;

	if (depth > MP_MAX_DEPTH) {
		tf_decoder_error(&r->dec, "nesting deeper than %d levels", MP_MAX_DEPTH);
		return NULL;
	}
	if (!mp_next(r, &it))
		return NULL;
	if (it.kind == MP_NIL)
		return tf_value_null(t);
	if (it.kind == MP_EXT) {
		if (!(v = tf_value_unknown(t)))
			return NULL;
		if (it.ext_type == MP_EXT_REFINED)
			v->unknown_not_null = refined_not_null(&it);
		return v;
	}
	switch (t->kind) {
	case TF_TYPE_DYNAMIC:
		return mp_decode_dynamic(r, &it, depth);
	case TF_TYPE_STRING:
		/* cty's decoder accepts bin for strings as well */
		if (it.kind != MP_STR && it.kind != MP_BIN) {
			tf_decoder_error(&r->dec, "a string is required, got %s",
					 mp_kind_names[it.kind]);
			return NULL;
		}
		return tf_value_string_len((const char *)it.data, it.len);
	case TF_TYPE_NUMBER:
		return mp_decode_number(r, &it);
	case TF_TYPE_BOOL:
		if (it.kind != MP_BOOL) {
			tf_decoder_error(&r->dec, "a bool is required, got %s",
					 mp_kind_names[it.kind]);
			return NULL;
		}
		return tf_value_bool(it.b);
	case TF_TYPE_LIST:
	case TF_TYPE_SET:
	case TF_TYPE_TUPLE:
		return mp_decode_seq(r, &it, t, depth);
	case TF_TYPE_MAP:
		return mp_decode_map(r, &it, t, depth);
	case TF_TYPE_OBJECT:
		return mp_decode_object(r, &it, t, depth);
	}
	tf_decoder_error(&r->dec, "unsupported type");
	return NULL;
}

tf_value *msgpack_decode_value(const uint8_t *buf, size_t len, const tf_type *t, tf_diags *d)
{
	mp_reader r;
	tf_value *v;

	memset(&r, 0, sizeof(r));
	r.p = buf;
	r.end = buf ? buf + len : buf;
	tf_decoder_init(&r.dec, d, "Invalid msgpack value");
	if (!t) {
		tf_decoder_error(&r.dec, "no type given");
		tf_decoder_free(&r.dec);
		return NULL;
	}
	v = mp_decode(&r, t, 0);
	if (v && r.p != r.end) {
		tf_decoder_error(&r.dec, "%zu unexpected bytes after the value",
				 (size_t)(r.end - r.p));
		tf_value_free(v);
		v = NULL;
	}
	if (!v && !r.dec.failed)
		tf_decoder_error(&r.dec, "out of memory");
	tf_decoder_free(&r.dec);
	return v;
}

/* ----------------------------------------------------------------- encode */

static int mp_encode(msgpack_packer *pk, const tf_value *v, const tf_type *t, int depth);

static int mp_encode_number(msgpack_packer *pk, const tf_value *v)
{
	int64_t i;
	double f;

	if (tf_value_number_as_i64(v, &i) == 0)
		return msgpack_pack_int64(pk, i);
	if (tf_number_exact_double(v->u.num, &f))
		return msgpack_pack_double(pk, f);
	return msgpack_pack_str_with_body(pk, v->u.num, strlen(v->u.num));
}

static int mp_encode(msgpack_packer *pk, const tf_value *v, const tf_type *t, int depth)
{
	bool keyed;
	size_t i, n;

	if (depth > MP_MAX_DEPTH || !t)
		return -1;
	if (tf_value_is_null(v))
		return msgpack_pack_nil(pk);
	if (v->state == TF_VALUE_UNKNOWN) {
		if (v->unknown_not_null) {
			/* ext 12 with the refinement map {1: false} */
			static const char refined[] = {(char)0x81, 0x01, (char)0xc2};

			return msgpack_pack_ext_with_body(pk, refined, sizeof(refined),
							  MP_EXT_REFINED);
		}
		return msgpack_pack_ext_with_body(pk, "", 1, 0); /* d4 00 00 */
	}
	if (t->kind == TF_TYPE_DYNAMIC) {
		char *tj;
		int rc;

		if (v->type->kind == TF_TYPE_DYNAMIC)
			return -1;
		if (!(tj = tf_type_to_json(v->type)))
			return -1;
		rc = msgpack_pack_array(pk, 2);
		if (rc == 0)
			rc = msgpack_pack_bin_with_body(pk, tj, strlen(tj));
		free(tj);
		return rc == 0 ? mp_encode(pk, v, v->type, depth + 1) : rc;
	}
	if (v->type != t)
		return -1;
	switch (t->kind) {
	case TF_TYPE_STRING:
		return msgpack_pack_str_with_body(pk, v->u.str.s, v->u.str.len);
	case TF_TYPE_NUMBER:
		return mp_encode_number(pk, v);
	case TF_TYPE_BOOL:
		return v->u.b ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
	default: /* LIST, SET, TUPLE: array; MAP, OBJECT: map */
		keyed = t->kind == TF_TYPE_MAP || t->kind == TF_TYPE_OBJECT;
		n = v->u.coll.n;
		if (((t->kind == TF_TYPE_TUPLE || t->kind == TF_TYPE_OBJECT) && n != t->n) ||
		    n > UINT32_MAX ||
		    (keyed ? msgpack_pack_map(pk, n) : msgpack_pack_array(pk, n)) != 0)
			return -1;
		for (i = 0; i < n; i++) {
			const char *k = keyed ? tf_value_key(v, i) : NULL;

			if ((k && msgpack_pack_str_with_body(pk, k, strlen(k)) != 0) ||
			    mp_encode(pk, v->u.coll.items[i], tf_type_child(t, i), depth + 1) != 0)
				return -1;
		}
		return 0;
	}
}

int msgpack_encode_value(const tf_value *v, const tf_type *t, uint8_t **out, size_t *out_len)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (mp_encode(&pk, v, t, 0) != 0)
		goto done;
	*out_len = sb.size;
	*out = (uint8_t *)msgpack_sbuffer_release(&sb);
	rc = 0;
done:
	msgpack_sbuffer_destroy(&sb);
	return rc;
}
