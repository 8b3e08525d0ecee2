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

/* Stop RPC: cancel in-flight AWS work. */
void engine_stop(void);

/* Release the provider instance (process exit). */
void engine_shutdown(void);

#endif
