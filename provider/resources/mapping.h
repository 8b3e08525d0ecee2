/*
 * mapping.h - the attribute <-> SSM member mapping of a resource, as data.
 *
 * A resource describes the plain part of its mapping as a const table of
 * res_field rows (attribute name, API member, kind, flags); res_map_expand()
 * turns a state/plan object into request members and res_map_flatten() turns
 * an API answer back into attributes. What a row cannot say (a member that
 * depends on another attribute, a placeholder the API invents) is a hook of
 * the resource (resource.h), not a row.
 *
 * Rules every row follows:
 * - expand: a null or unknown attribute is left out of the request; an empty
 *   collection is sent as [] unless RES_M_OMIT_EMPTY.
 * - flatten: a missing member (or JSON null) reads as null, or as `dflt` when
 *   the row has one; nested block lists pair answer element i with prior
 *   element i, so the user's spelling can survive (RES_M_ICASE).
 * - `member` may name a member of a wrapper object: "GlobalFilters.PatchFilters"
 *   is {"GlobalFilters": {"PatchFilters": ...}} (one level).
 *
 * Limits: members and attribute names are short literals; nesting follows the
 * schema (the tables here never nest deeper than three levels).
 */
#ifndef SSMPATCH_RES_MAPPING_H
#define SSMPATCH_RES_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "../core/schema.h"
#include "../core/value.h"

typedef enum {
	RES_M_STR, /* string <-> string */
	RES_M_INT, /* number <-> integer */
	RES_M_BOOL, /* bool <-> boolean */
	RES_M_STRINGS, /* list/set(string) (the attribute's type says which) <-> [string] */
	RES_M_BLOCKS, /* LIST/SET nested block <-> [object], rows in `sub` */
	RES_M_BLOCK1, /* "max 1" nested block (SINGLE, or LIST of at most one) <-> object */
	RES_M_PARAMS, /* SET of {name, values} blocks <-> {"name": [values], ...} */
} res_m_kind;

/* What a request is built for (res_map_expand's `phase`). */
typedef enum {
	RES_PHASE_CREATE = 1u << 0,
	RES_PHASE_UPDATE = 1u << 1,
} res_phase;

enum {
	/* Sent only in this phase (default: both); RES_M_READ_ONLY: never sent. */
	RES_M_CREATE_ONLY = 1u << 0,
	RES_M_UPDATE_ONLY = 1u << 1,
	RES_M_READ_ONLY = 1u << 2,
	/* An empty collection is not sent (the API treats [] and absent alike). */
	RES_M_OMIT_EMPTY = 1u << 3,
	/* flatten: an empty answer ("", [], {} or missing) reads as null when the
	 * prior value was null, so an optional attribute the user never set and the
	 * API answers empty shows no diff. */
	RES_M_NULL_IF_EMPTY = 1u << 4,
	/* flatten: a value equal to the prior one ignoring ASCII case (each element,
	 * for RES_M_STRINGS) keeps the prior spelling. */
	RES_M_ICASE = 1u << 5,
};

/* A string member whose bytes are transformed on the way (a blob in base64):
 * both return malloc'd NUL-terminated text or NULL. from_api may refuse
 * (NULL): the member is then taken as it is. */
typedef struct {
	char *(*to_api)(const char *s, size_t n);
	char *(*from_api)(const char *s, size_t n, size_t *out_len);
} res_m_conv;

typedef struct res_map res_map;

typedef struct {
	const char *attr; /* attribute (or nested block) name in the schema */
	const char *member; /* API member, "Outer.Inner" for a wrapped one */
	res_m_kind kind;
	unsigned flags; /* RES_M_* */
	const char *dflt; /* flatten: text of the value when the member is missing */
	const res_map *sub; /* RES_M_BLOCKS / RES_M_BLOCK1: the nested block's rows */
	const res_m_conv *conv; /* RES_M_STR only; NULL = as is */
} res_field;

struct res_map {
	const res_field *fields;
	size_t n;
};

#define RES_MAP(rows)                                    \
	{                                                \
		(rows), sizeof(rows) / sizeof((rows)[0]) \
	}

/* {key, values} blocks <-> [{"Key": k, "Values": [...]}] (the targets of
 * window targets and tasks, a baseline's patch filters); a key equal ignoring
 * case keeps the user's spelling. */
extern const res_map res_map_key_values;

/*
 * obj (a state or planned object of the block the map describes) -> members of
 * `req` for `phase`. Null and unknown attributes are left out. Returns 0 or -1
 * (out of memory).
 */
int res_map_expand(const res_map *m, const tf_value *obj, res_phase phase, json_t *req);

/*
 * The API object `api` -> the attributes of `obj` (a new object of block `b`,
 * from schema_new_object) the map names. `prior` (may be NULL) is the object's
 * previous value, for spelling and null-vs-empty choices. Returns 0 or -1.
 */
int res_map_flatten(const res_map *m, const schema_block *b, const json_t *api,
		    const tf_value *prior, tf_value *obj);

/*
 * The "max 1" nested block `attr` of obj, whether nested SINGLE or as a
 * LIST/SET of at most one element. Borrowed, or NULL when absent.
 */
const tf_value *res_map_single(const tf_value *obj, const char *attr);

/* The member `member` ("A" or "A.B") of api, or NULL. */
const json_t *res_map_member(const json_t *api, const char *member);

/* True when a JSON answer carries nothing a user wrote: null, false, {}, [] or
 * objects of those (an API may report {"CloudWatchOutputEnabled": false} for
 * a setting nobody made). */
bool res_map_json_empty(const json_t *j);

#endif
