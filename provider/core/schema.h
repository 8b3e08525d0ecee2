/*
 * schema.h - resource and provider schemas as data.
 *
 * Each resource's schema is one const table under schema/ (schema_block with its
 * schema_attr and schema_nested rows). Everything schema-shaped is derived from
 * those tables by the functions here: the implied cty type, the protocol's
 * GetSchema answer (rpc layer), generic validation (types, required, enums,
 * lengths, ranges, patterns, item counts), defaults, and requires_replace.
 *
 * Attributes that have a default are exposed to Terraform as optional+computed:
 * Terraform core rejects a planned non-null value for a non-computed attribute
 * that is null in config, so a default can only be planned on a computed one.
 */
#ifndef SSMPATCH_SCHEMA_H
#define SSMPATCH_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "value.h"

enum {
	SCHEMA_REQUIRED = 1u << 0,
	SCHEMA_OPTIONAL = 1u << 1,
	SCHEMA_COMPUTED = 1u << 2,
	SCHEMA_SENSITIVE = 1u << 3,
	SCHEMA_FORCE_NEW = 1u << 4, /* a change plans a replacement */
	/* NUMBER only: the API takes an integer, so schema_validate() rejects a
	 * fractional value. Not a protocol flag (the GetSchema encoder ignores it). */
	SCHEMA_INTEGER = 1u << 5,
};

typedef enum {
	SCHEMA_T_STRING = 0,
	SCHEMA_T_NUMBER,
	SCHEMA_T_BOOL,
	SCHEMA_T_LIST_STRING,
	SCHEMA_T_SET_STRING,
	SCHEMA_T_MAP_STRING,
	/* list(object): computed-only attributes of data sources (rows of results).
	 * The object's attributes are those of the block `elem` points at; its
	 * nested blocks become list/set/object attributes of the object, as in a
	 * block's implied type, so a resource's nested block can describe a data
	 * source's computed copy of it. Never validated (never configured). */
	SCHEMA_T_LIST_OBJECT,
} schema_attr_type;

typedef struct schema_block schema_block;

/*
 * Custom check for one known, non-null attribute value. Append diagnostics at
 * `path` (the attribute's path). Used where the table's declarative validators
 * do not reach (schedule expressions, dates, ARNs).
 */
typedef void (*schema_check_fn)(const tf_value *v, const tf_path *path, tf_diags *d);

typedef struct {
	const char *name;
	schema_attr_type type;
	unsigned flags; /* SCHEMA_* */
	const char *dflt; /* default as text ("WINDOWS", "false", "10"), or NULL */
	const char *
		description; /* Markdown, shown by the registry docs and `terraform providers schema` */

	/* Declarative validators; zero/NULL means "not checked". For collections they
	 * apply to each element, except min_items/max_items. */
	const char *const *enum_values; /* NULL-terminated */
	int64_t min_len, max_len; /* string length in characters (max_len 0 = unbounded) */
	/* POSIX extended regex, anchored by the author. Lengths belong in
	 * min_len/max_len, not in a bounded repetition: glibc's regex expands
	 * "[...]{3,128}" into 128 copies, whose compile and first match cost
	 * 1.5 million instructions (in every provider process) against 40
	 * thousand for "[...]+". */
	const char *pattern;
	bool has_range;
	double min, max; /* numbers, inclusive */
	int64_t min_items, max_items; /* collections (max_items 0 = unbounded) */
	schema_check_fn check;
	const schema_block *elem; /* SCHEMA_T_LIST_OBJECT: the element object */
} schema_attr;

typedef enum {
	SCHEMA_NEST_SINGLE = 1,
	SCHEMA_NEST_LIST = 2,
	SCHEMA_NEST_SET = 3,
} schema_nesting;

typedef struct {
	const char *name;
	schema_nesting nesting;
	int64_t min_items, max_items; /* max 0 = unbounded */
	unsigned flags; /* SCHEMA_FORCE_NEW may apply to a whole block */
	const schema_block *block;
} schema_nested;

/*
 * Cross-field rules of one block (cutoff < duration, exactly-one-of, ...).
 * `obj` is the known block object, `path` its path. Skip anything unknown.
 */
typedef void (*schema_block_check_fn)(const tf_value *obj, const tf_path *path, tf_diags *d);

struct schema_block {
	const schema_attr *attrs;
	size_t n_attrs;
	const schema_nested *blocks;
	size_t n_blocks;
	const char *description;
	schema_block_check_fn check;
};

typedef struct {
	const char *type_name; /* "ssmpatch_patch_baseline" */
	int64_t version; /* schema version stored in state */
	const schema_block *block;
} schema_resource;

/* The implied object type of a block (cached; never freed). */
const tf_type *schema_block_type(const schema_block *b);
/* Type of one attribute (schema_attr_tf_type: of the plain kinds only, NULL
 * for SCHEMA_T_LIST_OBJECT, whose type needs the attribute's `elem`). */
const tf_type *schema_attr_type_of(const schema_attr *a);
const tf_type *schema_attr_tf_type(schema_attr_type t);

/* Known object of the block's type: attributes null, LIST/SET nested blocks empty,
 * SINGLE nested blocks null. */
tf_value *schema_new_object(const schema_block *b);

const schema_attr *schema_find_attr(const schema_block *b, const char *name);
const schema_nested *schema_find_block(const schema_block *b, const char *name);

/* Generic validation of a configuration object against the block, recursively,
 * then the block's own cross-field check. Unknown values are skipped. */
void schema_validate(const schema_block *b, const tf_value *config, tf_diags *d);

/*
 * Plan helpers.
 * schema_fill_defaults: where `config` has null for an attribute with a default,
 * set it in `planned` (recursing into nested blocks, pairing list elements by index).
 * schema_mark_computed_unknown: set every computed attribute that is null in
 * `planned` and null in `config` to unknown (a create).
 * schema_requires_replace: append the paths of force-new attributes/blocks
 * whose value differs between prior and planned. Returns count, or -1 on ENOMEM.
 */
int schema_fill_defaults(const schema_block *b, tf_value *planned, const tf_value *config);
int schema_mark_computed_unknown(const schema_block *b, tf_value *planned, const tf_value *config);
int schema_requires_replace(const schema_block *b, const tf_value *prior, const tf_value *planned,
			    tf_path **paths, size_t *n_paths);

/* Does v conform exactly to the block type (every attribute present, right types,
 * LIST/SET blocks never null)? Appends an error diag per violation. Used by tests
 * and as a debug assertion on everything the provider returns. */
bool schema_conforms(const schema_block *b, const tf_value *v, tf_diags *d);

#endif
