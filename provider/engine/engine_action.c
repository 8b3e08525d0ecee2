/*
 * engine_action.c - actions (Terraform 1.14+): ValidateActionConfig,
 * PlanAction and InvokeAction, protocol-neutral. The actions themselves are
 * in provider/actions/; the rpc layer streams the progress messages as
 * InvokeAction events and ends the stream with the diagnostics.
 */
#include "engine.h"

#include "../actions/action.h"
#include "engine_internal.h"

static const action_def *const g_actions[] = {
	&action_patch_now_def,
};
#define N_ACTIONS (sizeof(g_actions) / sizeof(g_actions[0]))

size_t engine_action_count(void)
{
	return N_ACTIONS;
}

const schema_resource *engine_action_at(size_t i)
{
	return i < N_ACTIONS ? g_actions[i]->schema : NULL;
}

static const action_def *find_action(const char *type_name, tf_diags *d)
{
	int i = engine_find(N_ACTIONS, engine_action_at, type_name, "Unsupported action", "action",
			    d);

	return i < 0 ? NULL : g_actions[i];
}

const schema_resource *engine_action(const char *type_name, tf_diags *d)
{
	const action_def *a = find_action(type_name, d);

	return a ? a->schema : NULL;
}

void engine_validate_action(const char *type_name, const tf_value *config, tf_diags *d)
{
	const action_def *a = find_action(type_name, d);

	if (a)
		schema_validate(a->schema->block, config, d);
}

/* The schema's validation of config; false when it found errors. */
static bool valid(const action_def *a, const tf_value *config, tf_diags *d)
{
	size_t before = d->n;

	schema_validate(a->schema->block, config, d);
	for (size_t i = before; i < d->n; i++)
		if (d->items[i].severity == TF_DIAG_ERROR)
			return false;
	return true;
}

void engine_plan_action(const char *type_name, const tf_value *config, tf_diags *d)
{
	const action_def *a = find_action(type_name, d);
	provider_ctx *p;

	if (!a || !valid(a, config, d) || !a->plan)
		return;
	if ((p = engine_configured(d)))
		a->plan(p, config, d);
}

void engine_invoke_action(const char *type_name, const tf_value *config,
			  engine_action_progress progress, void *ctx, tf_diags *d)
{
	const action_def *a = find_action(type_name, d);
	provider_ctx *p;

	if (!a)
		return;
	if (!tf_value_is_known(config) || tf_value_has_unknown(config)) {
		tf_diags_error(d, NULL, "Action configuration not known",
			       "The configuration of an action must be wholly known when it is "
			       "invoked. This is a bug in the calling program.");
		return;
	}
	if (!valid(a, config, d) || !(p = engine_configured(d)))
		return;
	a->invoke(p, config, progress, ctx, d);
}
