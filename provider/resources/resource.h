/*
 * resource.h - what a resource implements, and the configured provider it runs in.
 *
 * The engine (engine.c) does everything schema-generic: validation from the
 * schema table, defaults, unknowns for computed attributes on create,
 * requires_replace from force-new flags, dispatch of apply to create/update/delete,
 * and the final reconciliation that keeps every planned known value in the applied
 * result. A resource file supplies the SSM calls: one file per resource, one fixed
 * skeleton (see patch_baseline.c), no protobuf or gRPC in sight.
 *
 * Conventions:
 * - Functions return 0 or a negative aws_err; they append diagnostics to `d`
 *   naming the operation, the AWS error code and message (res_diag_aws()).
 * - *out states are new values of the resource's block type (schema_new_object()).
 * - read: *out = NULL means the object is gone (Terraform plans a create).
 * - create/update: on failure after the object exists, set *out to the object as it
 *   now is (at least id set) and return an error: Terraform keeps it in state.
 */
#ifndef SSMPATCH_RESOURCE_H
#define SSMPATCH_RESOURCE_H

#include "../aws/aws.h"
#include "../core/diag.h"
#include "../core/schema.h"
#include "../core/value.h"

typedef struct {
	aws_client *aws;
	tf_value *default_tags; /* known map(string) or NULL */
} provider_ctx;

typedef struct res_ops {
	const schema_resource *schema;

	/* Optional plan adjustment after the engine's generic planning (planned is
	 * already proposed + defaults + unknowns on create). prior is NULL on create. */
	int (*plan)(provider_ctx *p, const tf_value *prior, const tf_value *config,
		    tf_value *planned, tf_diags *d);

	int (*create)(provider_ctx *p, const tf_value *planned, tf_value **out, tf_diags *d);
	int (*read)(provider_ctx *p, const tf_value *prior, tf_value **out, tf_diags *d);
	int (*update)(provider_ctx *p, const tf_value *prior, const tf_value *planned,
		      tf_value **out, tf_diags *d);
	int (*delete)(provider_ctx *p, const tf_value *prior, tf_diags *d);
	/* Parse an import ID into a state with the identifying attributes set (the
	 * engine then calls read). A malformed ID gets a diagnostic showing the format. */
	int (*import)(provider_ctx *p, const char *id, tf_value **out, tf_diags *d);
} res_ops;

extern const res_ops res_patch_baseline_ops;
extern const res_ops res_maintenance_window_ops;
extern const res_ops res_window_target_ops;
extern const res_ops res_window_task_ops;

/* Diagnostic for a failed AWS call: "<op> failed: <AwsCode>: <message>". */
void res_diag_aws(tf_diags *d, const tf_path *path, const char *what, const aws_error *err);

/* tags_all = default_tags overlaid with tags (both may be null). New value. */
tf_value *res_tags_all(const provider_ctx *p, const tf_value *tags);

#endif
