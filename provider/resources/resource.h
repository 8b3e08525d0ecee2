/*
 * resource.h - the one skeleton every resource is written against, and the
 * configured provider it runs in.
 *
 * The engine (engine.c) does everything schema-generic: validation from the
 * schema table, defaults, unknowns for computed attributes on create,
 * requires_replace from force-new flags, and the reconciliation that keeps
 * every planned known value in the applied result. resource.c does everything
 * SSM-generic, driven by a res_def: create with a ClientToken and the tags,
 * update only when a member changed (Replace=true with the whole object), the
 * tag diff, read-after-write, delete with "already gone = success", import IDs,
 * and find + flatten for read. A resource file supplies its res_def: the API
 * operations, the key, the attribute <-> member mapping as data (mapping.h),
 * and hooks only for its real quirks. It opens with its API calls, replacement
 * rules and quirks. No protobuf or gRPC in sight.
 *
 * Data sources reuse a resource's find and flatten: resource_find() with an
 * object that has the key attributes set, then resource_flatten() with no prior.
 *
 * Every entry point below gets the object (or its prior state) before it makes
 * an AWS call, and runs it in the object's scope: the provider context whose
 * AWS client is the one of the object's `region` (SCHEMA_REGION_ATTR; the
 * provider's region when unset). Hooks get that scoped context. A type
 * without the attribute uses the provider's client.
 *
 * Conventions:
 * - int functions return 0 or a negative aws_err and append diagnostics to `d`
 *   naming the operation, the AWS error code and message (res_diag_aws()).
 * - *out states are new values of the resource's block type (schema_new_object()).
 * - read: *out = NULL means the object is gone (Terraform plans a create).
 * - create/update: on failure after the object exists, *out is the object as it
 *   now is (at least its key set) with the error: Terraform keeps it in state.
 */
#ifndef SSMPATCH_RESOURCE_H
#define SSMPATCH_RESOURCE_H

#include <jansson.h>

#include "../aws/aws.h"
#include "../core/diag.h"
#include "../core/schema.h"
#include "../core/value.h"
#include "mapping.h"

typedef struct {
	aws_client *aws;
	tf_value *default_tags; /* known map(string) or NULL */
} provider_ctx;

/* What resource_find() learnt about one object: all that flatten needs. */
typedef struct {
	json_t *api; /* the object as the API describes it (Get*, or its Describe* entry) */
	json_t *more; /* {"<Operation>": answer} of further calls a find hook made, or NULL */
	tf_value *tags_all; /* its tags, for types with tags; else NULL */
	char *arn; /* for types with an arn attribute; else NULL */
	char *region; /* where it was looked up, for types with a region; else NULL */
} res_found;

void res_found_free(res_found *f);

/* One part of an object's key: the attribute, the request member, the fixed
 * prefix of its IDs ("mw-"; NULL: any text), and its name in import messages
 * (NULL: the attribute's). */
typedef struct {
	const char *attr;
	const char *member;
	const char *prefix;
	const char *name;
} res_key;

#define RES_MAX_KEYS 2

typedef struct res_def res_def;

struct res_def {
	const schema_resource *schema;
	const char *what; /* "maintenance window target", in messages */

	/* API operations. Create answers the new object's ID in the last key's member. */
	struct {
		const char *create, *get, *update, *destroy;
	} op;

	/* The object's key, outermost first (unused parts zero); the last part is
	 * the object's own ID. The import ID is the parts joined by "/". */
	res_key keys[RES_MAX_KEYS];

	const char *arn_kind; /* "patchbaseline": the arn attribute; NULL = none */
	const char *tag_type; /* "PatchBaseline": tags/tags_all; NULL = no tags */

	const res_map *map; /* the plain attribute <-> member rows */

	/* Hooks for the quirks, each optional. */

	/* Look the object up by the key members in `key`: set f->api (and f->more).
	 * Default: res_find_get() (op.get with the key). Gone: AWS_ERR_NOT_FOUND
	 * with no diagnostic. */
	int (*find)(provider_ctx *p, const res_def *def, const json_t *key, res_found *f,
		    tf_diags *d);
	/* Members the table cannot express, after the rows (phase as res_map_expand). */
	int (*expand)(const tf_value *obj, res_phase phase, json_t *req);
	/* Attributes the table cannot express, after the rows, keys, arn and tags. */
	int (*flatten)(const res_found *f, const tf_value *prior, tf_value *obj);
	/* Plan adjustment after the engine's generic planning and tags_all (planned
	 * is proposed + defaults + unknowns on create). prior is NULL on create. */
	int (*plan)(provider_ctx *p, const tf_value *prior, const tf_value *config,
		    tf_value *planned, tf_diags *d);
	/* Calls after the object was created (id) or updated, before the read-back;
	 * an error returns the object as read back now, with the error. */
	int (*after_create)(provider_ctx *p, const char *id, const tf_value *planned, tf_diags *d);
	int (*after_update)(provider_ctx *p, const tf_value *prior, const tf_value *planned,
			    tf_diags *d);
	/* Calls before the delete; AWS_ERR_NOT_FOUND = already gone (success). */
	int (*before_delete)(provider_ctx *p, const tf_value *prior, tf_diags *d);
};

extern const res_def res_patch_baseline_def;
extern const res_def res_maintenance_window_def;
extern const res_def res_window_target_def;
extern const res_def res_window_task_def;

/* ---------------------------------------------------------------- the operations (engine) */

int resource_create(const res_def *def, provider_ctx *p, const tf_value *planned, tf_value **out,
		    tf_diags *d);
int resource_read(const res_def *def, provider_ctx *p, const tf_value *prior, tf_value **out,
		  tf_diags *d);
int resource_update(const res_def *def, provider_ctx *p, const tf_value *prior,
		    const tf_value *planned, tf_value **out, tf_diags *d);
int resource_delete(const res_def *def, provider_ctx *p, const tf_value *prior, tf_diags *d);
int resource_plan(const res_def *def, provider_ctx *p, const tf_value *prior,
		  const tf_value *config, tf_value *planned, tf_diags *d);
/* Parse an import ID into a state with the key attributes set (the engine then
 * reads it); "<ID>@<region>" also sets `region` (types with one). A malformed
 * ID gets a diagnostic showing the format. */
int resource_import(const res_def *def, const char *id, tf_value **out, tf_diags *d);

/* Planning the object's region (before requires_replace is worked out): with
 * no region in the configuration, planned.region is the provider's region
 * (so moving the provider, or dropping an explicit region, replaces the
 * object). Types without the attribute: nothing. 0 or -1 (out of memory). */
int resource_plan_region(const res_def *def, const provider_ctx *p, const tf_value *config,
			 tf_value *planned);
/*
 * *out = p for the object obj of a type with block b: its AWS client is the
 * one of obj's `region`, or p's own when b has no region or obj's is null (a
 * state written before the attribute existed: the provider's region). The
 * resource operations above do this themselves; data sources use it on their
 * configuration. Returns 0, or AWS_ERR_CONFIG with a diagnostic at "region".
 */
int res_scope(const schema_block *b, const provider_ctx *p, const tf_value *obj, provider_ctx *out,
	      tf_diags *d);
/* A state with a null region (written before the attribute existed) gets
 * the provider's region: where such an object was made. 0 or -1. */
int resource_region_fill(const res_def *def, const provider_ctx *p, tf_value *state);

/* ---------------------------------------------------------------- find, expand, flatten */

/*
 * The object whose key attributes `obj` carries (a state, or an object with
 * only the key set): its API answer, tags and arn (obj's own arn when it
 * already names this object, else built). Returns 0; AWS_ERR_NOT_FOUND with no
 * diagnostic when it (or its window) is gone, or a key attribute is null;
 * another error with a diagnostic. *f is zeroed first; res_found_free() it.
 */
int resource_find(const res_def *def, provider_ctx *p, const tf_value *obj, res_found *f,
		  tf_diags *d);

/* The default find: op.get with the key members (ownership of nothing taken). */
int res_find_get(provider_ctx *p, const res_def *def, const json_t *key, res_found *f, tf_diags *d);

/* obj -> the members of the create or update request, without the key, the
 * ClientToken, the tags and Replace. Returns 0 or -1 (out of memory). */
int resource_expand(const res_def *def, const tf_value *obj, res_phase phase, json_t *req);

/* What find learnt -> a state object; `prior` (may be NULL) lends the user's
 * spelling and null-vs-empty choices, p the default tags. Returns 0 or -1. */
int resource_flatten(const res_def *def, const provider_ctx *p, const res_found *f,
		     const tf_value *prior, tf_value **out);

/* ---------------------------------------------------------------- after a write */

/*
 * The state to return after a create or update: the object read back; or, when
 * the read fails or finds nothing yet (eventual consistency), `fallback` (the
 * planned or prior values) with the ID set and unknowns nulled - never NULL
 * once the object exists, so Terraform keeps tracking it. The read's
 * diagnostics go to `d`; pass NULL after a failure already reported (a re-read
 * would only repeat it). Returns the read's error, or 0.
 */
int res_read_back(const res_def *def, provider_ctx *p, const tf_value *fallback, const char *id,
		  tf_value **out, tf_diags *d);

/*
 * The state to return after a create or update that succeeded: like
 * res_read_back, but a read that finds nothing is retried (SSM is eventually
 * consistent: 4 more attempts over 3.75 s, cut short by Stop), and if the
 * object still cannot be read, the fallback comes back with a warning - not an
 * error, which would make Terraform taint (and so replace) an object that
 * exists. The next refresh reads it again. Returns the read's error,
 * AWS_ERR_CANCELLED, or 0.
 */
int res_read_after_write(const res_def *def, provider_ctx *p, const tf_value *fallback,
			 const char *id, tf_value **out, tf_diags *d);

/* ---------------------------------------------------------------- shared */

/* Diagnostic for a failed AWS call: "<op> failed: <AwsCode>: <message>". */
void res_diag_aws(tf_diags *d, const tf_path *path, const char *what, const aws_error *err);

/* tags_all = default_tags overlaid with tags (both may be null). New value. */
tf_value *res_tags_all(const provider_ctx *p, const tf_value *tags);

#endif
