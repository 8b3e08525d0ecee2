/*
 * value.h - Terraform's type system (cty) as a protocol-neutral value model.
 *
 * Every value the provider handles - configuration, prior state, planned state,
 * new state - is a tree of tf_value nodes whose shape is described by a tf_type.
 * The wire codecs (msgpack_codec.h, json_codec.h) translate between these trees
 * and bytes; the engine and the resources only ever see tf_value.
 *
 * Ownership: a tf_value owns its children. tf_value_free() frees the whole tree.
 * Types are immutable and never freed while the process runs (schema types are
 * built once at start-up; dynamic values intern their types in a global table),
 * so a tf_value only borrows its tf_type.
 *
 * Numbers are kept as their decimal text so that big numbers survive a round
 * trip exactly (cty numbers are arbitrary precision); tf_value_number_i64() and
 * tf_value_number_double() give the common fast paths.
 *
 * Object attributes are stored in the order of the object type's attribute
 * names, which are sorted bytewise (as cty sorts them), so lookups are binary
 * searches and equality is a parallel walk.
 */
#ifndef SSMPATCH_VALUE_H
#define SSMPATCH_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	TF_TYPE_DYNAMIC = 0, /* "dynamic": the real type travels with the value */
	TF_TYPE_STRING,
	TF_TYPE_NUMBER,
	TF_TYPE_BOOL,
	TF_TYPE_LIST,
	TF_TYPE_SET,
	TF_TYPE_MAP,
	TF_TYPE_OBJECT,
	TF_TYPE_TUPLE,
} tf_type_kind;

typedef struct tf_type tf_type;
struct tf_type {
	tf_type_kind kind;
	const tf_type *elem; /* LIST, SET, MAP */
	size_t n; /* OBJECT: attribute count; TUPLE: element count */
	const char *const *names; /* OBJECT: attribute names, sorted bytewise */
	const tf_type *const
		*types; /* OBJECT: attribute types (same order); TUPLE: element types */
};

/* Primitive singletons. */
extern const tf_type tf_type_string;
extern const tf_type tf_type_number;
extern const tf_type tf_type_bool;
extern const tf_type tf_type_dynamic;

/*
 * Constructors for composite types. The result is interned: two calls with
 * equal arguments return the same pointer, so type equality is pointer equality.
 * The arrays passed in are copied. Object names need not be sorted on input.
 * Returns NULL only on allocation failure.
 */
const tf_type *tf_type_list(const tf_type *elem);
const tf_type *tf_type_set(const tf_type *elem);
const tf_type *tf_type_map(const tf_type *elem);
const tf_type *tf_type_object(size_t n, const char *const *names, const tf_type *const *types);
const tf_type *tf_type_tuple(size_t n, const tf_type *const *types);

/* Index of attribute `name` in an object type, or -1. */
int tf_type_attr_index(const tf_type *obj, const char *name);

/* Type of element i of a LIST, SET or MAP (its element type), an OBJECT (the
 * i-th attribute's) or a TUPLE (the i-th element's). */
static inline const tf_type *tf_type_child(const tf_type *t, size_t i)
{
	return t->kind == TF_TYPE_OBJECT || t->kind == TF_TYPE_TUPLE ? t->types[i] : t->elem;
}

/* Type JSON as cty writes it ("string", ["list","string"], ["object",{...}]).
 * tf_type_to_json returns a malloc'd NUL-terminated string (caller frees).
 * tf_type_from_json parses it; returns NULL on malformed input. */
char *tf_type_to_json(const tf_type *t);
const tf_type *tf_type_from_json(const char *json, size_t len);

typedef enum {
	TF_VALUE_NULL = 0,
	TF_VALUE_UNKNOWN,
	TF_VALUE_KNOWN,
} tf_value_state;

typedef struct tf_value tf_value;
struct tf_value {
	const tf_type *type; /* for a DYNAMIC-typed slot this is the concrete type of a
	                        known value, or &tf_type_dynamic when null/unknown */
	tf_value_state state;
	/* Refinement carried by an unknown: true when known not to be null. */
	bool unknown_not_null;
	union {
		struct {
			char *s;
			size_t len;
		} str; /* STRING (UTF-8, NUL-terminated too) */
		char *num; /* NUMBER: decimal text, e.g. "1800", "0.5", "-1e+400" */
		bool b; /* BOOL */
		struct { /* LIST, SET, TUPLE, OBJECT, MAP */
			size_t n;
			tf_value **items;
			char **keys; /* MAP only: keys[i] for items[i], sorted */
		} coll;
	} u;
};

/* --- construction (all return NULL only on allocation failure) --- */
tf_value *tf_value_null(const tf_type *t);
tf_value *tf_value_unknown(const tf_type *t);
tf_value *tf_value_string(const char *s);
tf_value *tf_value_string_len(const char *s, size_t len);
tf_value *tf_value_number_text(const char *decimal); /* takes a copy; text must be a valid number */
tf_value *tf_value_number_i64(int64_t v);
tf_value *tf_value_number_double(double v);
tf_value *tf_value_bool(bool b);
/* Empty known collection of the type (LIST/SET/MAP/TUPLE with n=0); append with the functions below. */
tf_value *tf_value_empty(const tf_type *t);
/* Known object with every attribute null. Block-shaped objects need their nested
 * block lists empty rather than null: use schema_new_object() (schema.h) for those. */
tf_value *tf_value_object(const tf_type *t);

/* Append `item` (ownership taken) to a LIST/SET/TUPLE. Returns 0 or -1 (ENOMEM, not a
 * known LIST/SET/TUPLE, or a full tuple). For these three setters: on -1 the item
 * is NOT taken; the caller still owns (and frees) it. */
int tf_value_append(tf_value *coll, tf_value *item);
/* Put `item` (ownership taken) under `key` in a MAP, replacing an old entry. */
int tf_value_map_put(tf_value *map, const char *key, tf_value *item);
/* Replace object attribute `name` with `item` (ownership taken). -1 if no such attribute. */
int tf_value_set_attr(tf_value *obj, const char *name, tf_value *item);

/* Number text helpers (additions to the original interface).
 * tf_number_valid: true for a decimal literal [+-]?(digits[.digits]|.digits)([eE][+-]?digits)?
 * or an infinity ("Infinity", "inf", optionally signed; case-insensitive).
 * tf_number_compare: numeric order of two valid literals (-1, 0, 1); exact for any size.
 * tf_number_exact_double: true (and *out set) when the literal's value is exactly a
 * float64 (infinities included); "0.1" is not.
 * tf_value_number_double_exact: a number whose text is the exact decimal value of v
 * (shortest form when that is exact, e.g. "0.5"); used when decoding wire floats so
 * they re-encode bit-identically. NaN gives NULL for both double constructors. */
bool tf_number_valid(const char *text);
int tf_number_compare(const char *a, const char *b);
bool tf_number_exact_double(const char *text, double *out);
/* The text of v: integral values below 1e21 in plain digits ("1800"), anything
 * else as the shortest "%.Ng" text that reads back as v. */
void tf_number_shortest(double v, char *out, size_t outsz);
tf_value *tf_value_number_double_exact(double v);

/* Deep copy. */
tf_value *tf_value_clone(const tf_value *v);
void tf_value_free(tf_value *v);

/* --- inspection (NULL-safe: a NULL value reads as null) --- */
static inline bool tf_value_is_null(const tf_value *v)
{
	return !v || v->state == TF_VALUE_NULL;
}
static inline bool tf_value_is_unknown(const tf_value *v)
{
	return v && v->state == TF_VALUE_UNKNOWN;
}
static inline bool tf_value_is_known(const tf_value *v)
{
	return v && v->state == TF_VALUE_KNOWN;
}
/* True if v or anything inside it is unknown. */
bool tf_value_has_unknown(const tf_value *v);

/* Object attribute by name (borrowed), or NULL if v is not a known object or has no such attribute. */
tf_value *tf_value_attr(const tf_value *v, const char *name);
/* Known string content or NULL. */
const char *tf_value_str(const tf_value *v);
/* Convenience: tf_value_str(tf_value_attr(obj, name)). */
const char *tf_value_attr_str(const tf_value *obj, const char *name);
/* Known number: 0 and *out set when it is an exact int64 / representable double; -1 otherwise. */
int tf_value_number_as_i64(const tf_value *v, int64_t *out);
int tf_value_number_as_double(const tf_value *v, double *out);
/* Known bool: returns it; `dflt` when null/unknown. */
bool tf_value_bool_or(const tf_value *v, bool dflt);
/* Element count of a known collection/object, 0 otherwise. */
size_t tf_value_len(const tf_value *v);
/* Element i (borrowed) of a known LIST/SET/TUPLE/MAP (MAP in key order). */
tf_value *tf_value_index(const tf_value *v, size_t i);
/* MAP entry by key (borrowed) or NULL. */
tf_value *tf_value_map_get(const tf_value *v, const char *key);
/* Key of element i of a known MAP (its i-th key) or OBJECT (the i-th attribute
 * name); NULL for the other kinds. Borrowed. */
const char *tf_value_key(const tf_value *v, size_t i);

/*
 * Equality as Terraform core compares values: sets as sets (order ignored),
 * maps by key, numbers by numeric value ("1" == "1.0"), null == null,
 * unknown equals only unknown. Types must match.
 */
bool tf_value_equal(const tf_value *a, const tf_value *b);

/* Human-readable rendering for logs and test failures (malloc'd). */
char *tf_value_debug_string(const tf_value *v);

/* --- attribute paths (diagnostics, requires_replace) --- */
typedef enum { TF_STEP_ATTR, TF_STEP_KEY_STRING, TF_STEP_KEY_INT } tf_step_kind;
typedef struct {
	tf_step_kind kind;
	char *name; /* ATTR and KEY_STRING */
	int64_t index; /* KEY_INT */
} tf_path_step;

typedef struct {
	size_t n;
	tf_path_step *steps;
} tf_path;

/* A path is a small value type: tf_path_init() zeroes it, tf_path_free() releases it. */
void tf_path_init(tf_path *p);
void tf_path_free(tf_path *p);
int tf_path_copy(tf_path *out, const tf_path *src);
int tf_path_push_attr(tf_path *p, const char *name);
int tf_path_push_key(tf_path *p, const char *key);
int tf_path_push_index(tf_path *p, int64_t i);
void tf_path_pop(tf_path *p);
/* Rendering as Terraform shows it: a.b[0]["k"] (malloc'd). */
char *tf_path_string(const tf_path *p);
/* Build a path from a literal such as "approval_rule[0].patch_filter[1].key" (test and resource convenience). */
int tf_path_parse(tf_path *out, const char *text);

#endif
