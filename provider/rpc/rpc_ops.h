/*
 * rpc_ops.h - the protocol-neutral middle of every Provider RPC, shared by
 * tfplugin5 and tfplugin6 (v5.c, v6.c).
 *
 * The version adapters unpack protobuf-c messages and hand plain C values to
 * these functions: DynamicValues as borrowed byte ranges (rpc_dv), names as C
 * strings. Each function looks up the schema type, decodes the values
 * (msgpack, or JSON when msgpack is empty), calls the engine, and encodes
 * every value it returns as msgpack of the schema type (rpc_bytes; a null or
 * absent object is the msgpack nil byte). Problems become diagnostics: the
 * adapters only translate tf_diags to Diagnostic messages.
 *
 * Also here: rpc_arena, the per-call allocator the adapters build response
 * messages in (one rpc_arena_free releases the whole tree).
 */
#ifndef SSMPATCH_RPC_OPS_H
#define SSMPATCH_RPC_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "core/schema.h"
#include "core/value.h"

/* A DynamicValue as received (borrowed; both empty means null). */
typedef struct {
	const uint8_t *msgpack;
	size_t msgpack_len;
	const uint8_t *json;
	size_t json_len;
} rpc_dv;

/* An encoded value (malloc'd msgpack); data NULL means "no value to send". */
typedef struct {
	uint8_t *data;
	size_t len;
} rpc_bytes;

/* v5 PrepareProviderConfig / v6 ValidateProviderConfig. When `prepared` is
 * non-NULL it receives the configuration re-encoded as msgpack (echoed). */
void rpc_op_validate_provider(const rpc_dv *config, rpc_bytes *prepared, tf_diags *d);
void rpc_op_validate_resource(const char *type_name, const rpc_dv *config, tf_diags *d);
/* v5 ValidateDataSourceConfig / v6 ValidateDataResourceConfig. */
void rpc_op_validate_data_source(const char *type_name, const rpc_dv *config, tf_diags *d);
/* ReadDataSource: the configuration -> *out, the data source's state. */
void rpc_op_read_data_source(const char *type_name, const rpc_dv *config, rpc_bytes *out,
			     tf_diags *d);
void rpc_op_configure(const char *terraform_version, const rpc_dv *config, tf_diags *d);
/* raw_state.json → current schema; has_flatmap (Terraform <= 0.11 state) is refused. */
void rpc_op_upgrade(const char *type_name, int64_t version, const uint8_t *json, size_t json_len,
		    bool has_flatmap, rpc_bytes *out, tf_diags *d);
void rpc_op_read(const char *type_name, const rpc_dv *current, rpc_bytes *out, tf_diags *d);
/* *rr / *n_rr: requires_replace paths (free with rpc_paths_free). */
void rpc_op_plan(const char *type_name, const rpc_dv *prior, const rpc_dv *proposed,
		 const rpc_dv *config, rpc_bytes *planned, tf_path **rr, size_t *n_rr, tf_diags *d);
void rpc_op_apply(const char *type_name, const rpc_dv *prior, const rpc_dv *planned,
		  const rpc_dv *config, rpc_bytes *out, tf_diags *d);
/* out->data NULL when nothing was imported (then d has an error). */
void rpc_op_import(const char *type_name, const char *id, rpc_bytes *out, tf_diags *d);
void rpc_op_stop(void);

/* The value codecs the operations share: one DynamicValue of type t
 * (msgpack, else JSON, else null), NULL with an error diagnostic naming
 * `what`; and v (NULL: null) as msgpack of type t into *out (data NULL and
 * an error diagnostic when v does not conform). */
tf_value *rpc_dv_decode(const rpc_dv *dv, const tf_type *t, const char *what, tf_diags *d);
void rpc_dv_encode(const tf_value *v, const tf_type *t, const char *what, rpc_bytes *out,
		   tf_diags *d);

/* ---- Terraform 1.12+: identity (rpc_ops_identity.c) ---- */

/* The identity to send with `state` (the encoded state being answered by a
 * read, plan, apply or import; its data NULL: none), given `known`, the
 * identity Terraform sent (may be NULL or empty). out->data NULL when there
 * is none: a null state, or a create's plan. */
void rpc_op_identity_for(const char *type_name, const rpc_bytes *state, const rpc_dv *known,
			 rpc_bytes *out, tf_diags *d);

/* ImportResourceState with an identity: the imported state (out->data NULL
 * with an error diagnostic when nothing was imported). */
void rpc_op_import_identity(const char *type_name, const rpc_dv *identity, rpc_bytes *out,
			    tf_diags *d);

/* UpgradeResourceIdentity: raw_identity.json of `version` -> the identity as
 * msgpack of the current identity schema. */
void rpc_op_upgrade_identity(const char *type_name, int64_t version, const uint8_t *json,
			     size_t json_len, rpc_bytes *out, tf_diags *d);

/* ---- Terraform 1.14+: list resources (rpc_ops_list.c) ---- */

/* ValidateListResourceConfig; include_object and limit may be empty (Terraform
 * sends neither) and are checked when present. */
void rpc_op_validate_list(const char *type_name, const rpc_dv *config, const rpc_dv *include_object,
			  const rpc_dv *limit, tf_diags *d);

/* One ListResource result, encoded (borrowed for the call): the identity, and
 * the object when asked for (data NULL otherwise). 0 or nonzero: stop. */
typedef int (*rpc_list_emit)(void *ctx, const char *display_name, const rpc_bytes *identity,
			     const rpc_bytes *object);

/* ListResource: emit each result; d collects what goes in the last event. */
void rpc_op_list(const char *type_name, const rpc_dv *config, bool include_object, int64_t limit,
		 rpc_list_emit emit, void *ctx, tf_diags *d);

/* ---- Terraform 1.14+: actions (rpc_ops_action.c) ---- */

void rpc_op_validate_action(const char *type_name, const rpc_dv *config, tf_diags *d);
void rpc_op_plan_action(const char *type_name, const rpc_dv *config, tf_diags *d);
/* InvokeAction: progress messages through `progress` (0 or nonzero: stop),
 * the end in d. */
void rpc_op_invoke_action(const char *type_name, const rpc_dv *config,
			  int (*progress)(void *ctx, const char *message), void *ctx, tf_diags *d);

void rpc_paths_free(tf_path *paths, size_t n);

/*
 * Per-call bump allocator. Limits: none besides memory; chunks of at least
 * RPC_ARENA_CHUNK bytes. Allocation failure returns NULL and sets a->failed.
 */
#define RPC_ARENA_CHUNK 16384

typedef struct rpc_arena_chunk rpc_arena_chunk;
typedef struct rpc_arena_owned rpc_arena_owned;
typedef struct {
	rpc_arena_chunk *chunks;
	rpc_arena_owned *owned; /* malloc'd blocks freed with the arena */
	bool failed;
} rpc_arena;

void rpc_arena_init(rpc_arena *a);
/* Zeroed memory, or NULL. */
void *rpc_arena_alloc(rpc_arena *a, size_t n);
/* Copy of s in the arena; NULL for a NULL s, or on allocation failure. */
char *rpc_arena_strdup(rpc_arena *a, const char *s);
/* Take ownership of a malloc'd block (freed by rpc_arena_free). Returns p;
 * on failure frees p, sets a->failed and returns NULL. */
void *rpc_arena_adopt(rpc_arena *a, void *p);
void rpc_arena_free(rpc_arena *a);

#endif
