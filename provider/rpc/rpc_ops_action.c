/*
 * rpc_ops_action.c - the protocol-neutral middle of ValidateActionConfig,
 * PlanAction and InvokeAction (Terraform 1.14+): the action's configuration
 * decoded with its schema, the engine called. See rpc_ops.h.
 */
#include "rpc_ops.h"

#include "engine/engine.h"

/* The action's configuration, or NULL with a diagnostic. */
static tf_value *action_config(const char *type_name, const rpc_dv *config, tf_diags *d)
{
	const schema_resource *s = engine_action(type_name, d);

	return s ? rpc_dv_decode(config, schema_block_type(s->block), "action configuration", d)
		 : NULL;
}

void rpc_op_validate_action(const char *type_name, const rpc_dv *config, tf_diags *d)
{
	tf_value *cfg = action_config(type_name, config, d);

	if (cfg)
		engine_validate_action(type_name, cfg, d);
	tf_value_free(cfg);
}

void rpc_op_plan_action(const char *type_name, const rpc_dv *config, tf_diags *d)
{
	tf_value *cfg = action_config(type_name, config, d);

	if (cfg)
		engine_plan_action(type_name, cfg, d);
	tf_value_free(cfg);
}

void rpc_op_invoke_action(const char *type_name, const rpc_dv *config,
			  int (*progress)(void *ctx, const char *message), void *ctx, tf_diags *d)
{
	tf_value *cfg = action_config(type_name, config, d);

	if (cfg)
		engine_invoke_action(type_name, cfg, progress, ctx, d);
	tf_value_free(cfg);
}
