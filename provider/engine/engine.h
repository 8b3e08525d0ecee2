/*
 * engine.h - the protocol-neutral provider: one function per RPC.
 *
 * The rpc layer (provider/rpc/) decodes the wire into tf_value trees, calls one
 * of these, and encodes the result; it never sees an SSM field name. Every
 * function here is thread-safe: Terraform calls them concurrently.
 * Values passed in are borrowed; values returned through out-parameters are new.
 */
#ifndef SSMPATCH_ENGINE_H
#define SSMPATCH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/diag.h"
#include "../core/schema.h"
#include "../core/value.h"

/* Schemas the provider serves. */
const schema_block *engine_provider_schema(void);
size_t engine_resource_count(void);
const schema_resource *engine_resource_at(size_t i);
/* NULL and an error diagnostic when the type is not ours. */
const schema_resource *engine_resource(const char *type_name, tf_diags *d);

/* Data sources: the same for their schemas. */
size_t engine_data_source_count(void);
const schema_resource *engine_data_source_at(size_t i);
const schema_resource *engine_data_source(const char *type_name, tf_diags *d);

void engine_validate_provider(const tf_value *config, tf_diags *d);
void engine_validate_resource(const char *type_name, const tf_value *config, tf_diags *d);

/* Configure the process's provider instance (credentials resolved lazily later). */
void engine_configure(const tf_value *config, const char *terraform_version, tf_diags *d);

/* Raw JSON state → current schema object (lenient: unknown keys dropped, missing
 * attributes null). */
tf_value *engine_upgrade_state(const char *type_name, int64_t version, const char *json, size_t len,
			       tf_diags *d);

/* *out NULL = gone. */
void engine_read(const char *type_name, const tf_value *current, tf_value **out, tf_diags *d);

void engine_plan(const char *type_name, const tf_value *prior, const tf_value *proposed,
		 const tf_value *config, tf_value **planned, tf_path **requires_replace,
		 size_t *n_requires_replace, tf_diags *d);

void engine_apply(const char *type_name, const tf_value *prior, const tf_value *planned,
		  const tf_value *config, tf_value **out, tf_diags *d);

void engine_import(const char *type_name, const char *id, tf_value **out, tf_diags *d);

/* ValidateDataResourceConfig: the configuration against the data source's table. */
void engine_validate_data_source(const char *type_name, const tf_value *config, tf_diags *d);

/* ReadDataSource: the configuration (wholly known) -> *out, the new state
 * (NULL with error diagnostics). */
void engine_read_data_source(const char *type_name, const tf_value *config, tf_value **out,
			     tf_diags *d);

/* ---- Terraform 1.12+: resource identity (engine_identity.c) ---- */

/* Identity schemas, one per resource type (same type_name). */
size_t engine_identity_count(void);
const schema_resource *engine_identity_at(size_t i);
/* The identity schema of a resource type, or NULL with an error diagnostic. */
const schema_resource *engine_identity_schema(const char *type_name, tf_diags *d);

/* *out = the identity of `state` (a state of type_name), NULL for a null
 * state or with error diagnostics. */
void engine_identity(const char *type_name, const tf_value *state, tf_value **out, tf_diags *d);

/* The identity to answer with `state` (read, plan, apply, import): `known`,
 * the identity Terraform sent (may be NULL), when it names the same object,
 * else engine_identity's. *out NULL for a null state or one whose key is not
 * known yet (the plan of a create). */
void engine_identity_for(const char *type_name, const tf_value *state, const tf_value *known,
			 tf_value **out, tf_diags *d);

/* UpgradeResourceIdentity: the stored identity JSON of `version` -> the
 * current identity object; NULL with diagnostics. */
tf_value *engine_upgrade_identity(const char *type_name, int64_t version, const char *json,
				  size_t len, tf_diags *d);

/* ImportResourceState with an identity instead of an ID. */
void engine_import_identity(const char *type_name, const tf_value *identity, tf_value **out,
			    tf_diags *d);

/* ---- Terraform 1.14+: list resources (engine_list.c) ---- */

/* One per managed resource type, under its name; the schema is the list
 * block's `config`. */
size_t engine_list_resource_count(void);
const schema_resource *engine_list_resource_at(size_t i);
/* NULL and an error diagnostic when type_name has no list resource. */
const schema_resource *engine_list_resource(const char *type_name, tf_diags *d);

void engine_validate_list(const char *type_name, const tf_value *config, tf_diags *d);

/* One object found (borrowed for the callback). */
typedef struct {
	const char *display_name;
	const tf_value *identity; /* of the resource type's identity schema */
	const tf_value *object; /* the whole object (include_object), or NULL */
} engine_list_item;

/* 0: go on; nonzero: stop listing (the client went away). */
typedef int (*engine_list_emit)(void *ctx, const engine_list_item *item);

/* ListResource: emit each object config lets through, at most `limit`;
 * errors (and Stop) end the list with diagnostics in d. */
void engine_list(const char *type_name, const tf_value *config, bool include_object, int64_t limit,
		 engine_list_emit emit, void *ctx, tf_diags *d);

/* ---- Terraform 1.14+: actions (engine_action.c) ---- */

size_t engine_action_count(void);
const schema_resource *engine_action_at(size_t i);
/* NULL and an error diagnostic when the action is not ours. */
const schema_resource *engine_action(const char *type_name, tf_diags *d);

void engine_validate_action(const char *type_name, const tf_value *config, tf_diags *d);
/* PlanAction: validation, then checks against the API on known values. */
void engine_plan_action(const char *type_name, const tf_value *config, tf_diags *d);

/* One progress message (borrowed). 0: go on; nonzero: the client went away. */
typedef int (*engine_action_progress)(void *ctx, const char *message);

/* InvokeAction: run it (config wholly known), reporting progress; its end
 * (errors, Stop) is in d. */
void engine_invoke_action(const char *type_name, const tf_value *config,
			  engine_action_progress progress, void *ctx, tf_diags *d);

/* Stop RPC: cancel in-flight AWS work. */
void engine_stop(void);

/* Release the provider instance (process exit). */
void engine_shutdown(void);

#endif
