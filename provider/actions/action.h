/*
 * action.h - actions (Terraform 1.14+): operations Terraform invokes on
 * request (`terraform apply -invoke=action.<type>.<name>`) or from a
 * resource's lifecycle `action_trigger`, rather than objects it manages.
 *
 * An action is an action_def: its configuration schema (schema/), a plan
 * check beyond the schema's, and the invocation, which reports progress as
 * short messages while it runs and ends with diagnostics. No protobuf here:
 * the rpc layer streams the messages as InvokeAction events.
 */
#ifndef SSMPATCH_ACTION_H
#define SSMPATCH_ACTION_H

#include "../core/diag.h"
#include "../core/schema.h"
#include "../core/value.h"
#include "../resources/resource.h"

/* One progress message (borrowed for the call). 0: go on; nonzero: the
 * client went away, the action should end now. */
typedef int (*action_progress_fn)(void *ctx, const char *message);

typedef struct {
	const schema_resource *schema;
	/* PlanAction, after the schema's validation passed: checks that need the
	 * API, on known values only (unknowns are skipped). NULL: none. */
	int (*plan)(provider_ctx *p, const tf_value *config, tf_diags *d);
	/* InvokeAction: config is wholly known and valid. Returns 0, or an
	 * aws_err with diagnostics (AWS_ERR_CANCELLED: Stop). */
	int (*invoke)(provider_ctx *p, const tf_value *config, action_progress_fn progress,
		      void *ctx, tf_diags *d);
} action_def;

extern const action_def action_patch_now_def;

#endif
