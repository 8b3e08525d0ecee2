/*
 * window_target.c - schema of ssmpatch_window_target
 * (AWS::SSM::MaintenanceWindowTarget).
 *
 * Force new: window_id, resource_type (UpdateMaintenanceWindowTarget cannot move
 * a target or change its type). Everything else is updated in place.
 * Target keys: InstanceIds, tag:<Name>, tag-key, resource-groups:Name,
 * resource-groups:ResourceTypeFilters, at most 50 values each. A RESOURCE_GROUP
 * target must name its group with resource-groups:Name and may only use
 * resource-groups:* keys.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "schema_checks.h"
#include "schema_tables.h"
#include "ssm_enums.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const schema_attr targets_attrs[] = {
	{.name = "key",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "How targets are selected: `InstanceIds`, `tag:<TagName>`, `tag-key`, "
			"`resource-groups:Name` or `resource-groups:ResourceTypeFilters`.",
	 .min_len = SSM_MIN_TARGET_KEY,
	 .max_len = SSM_MAX_TARGET_KEY,
	 .check = schema_check_window_target_key},
	{.name = "values",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description =
		 "Values for `key` (1 to 50): instance IDs, tag values, tag keys, a group name or "
		 "resource types.",
	 .min_items = 1, /* the model allows [], the API refuses it when it runs */
	 .max_items = SSM_MAX_TARGET_VALUES},
};

static const schema_block targets_block = {
	.attrs = targets_attrs,
	.n_attrs = N(targets_attrs),
	.description =
		"A target selector: the managed nodes (or resource groups) whose `key` matches one of "
		"`values`.",
};

static const schema_attr target_attrs[] = {
	{.name = "id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "ID of the window target."},
	{.name = "window_id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED | SCHEMA_FORCE_NEW,
	 .description =
		 "ID of the maintenance window to register the target with (`mw-` and 17 hex digits); "
		 "changing it replaces the target.",
	 .pattern = "^mw-[0-9a-f]{17}$"},
	{.name = "resource_type",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED | SCHEMA_FORCE_NEW,
	 .description =
		 "Kind of target: `INSTANCE` or `RESOURCE_GROUP`; changing it replaces the target.",
	 .enum_values = ssm_enum_resource_type},
	{.name = "name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Name of the window target (3 to 128 characters of `[a-zA-Z0-9_.-]`).",
	 .min_len = 3,
	 .max_len = 128,
	 .pattern = "^[a-zA-Z0-9_.-]+$"},
	{.name = "description",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Description of the window target (1 to 128 characters).",
	 .min_len = 1,
	 .max_len = 128},
	{.name = "owner_information",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_SENSITIVE,
	 .description =
		 "Free text included in the window's events for these targets (1 to 128 characters).",
	 .min_len = 1,
	 .max_len = 128},
	SCHEMA_REGION_ATTR("window target"),
};

static const schema_nested target_blocks[] = {
	{.name = "targets",
	 .nesting = SCHEMA_NEST_LIST,
	 .min_items = 1,
	 .max_items = SSM_MAX_TARGETS,
	 .block = &targets_block},
};

static void target_check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	const char *rt = schema_obj_str(obj, "resource_type");
	const tf_value *targets = tf_value_attr(obj, "targets");
	bool has_name = false, any_unknown = false;
	char sub[48];

	if (!rt || strcmp(rt, "RESOURCE_GROUP") != 0 || !tf_value_is_known(targets))
		return;
	for (size_t i = 0; i < tf_value_len(targets); i++) {
		const tf_value *t = tf_value_index(targets, i);
		const char *key = schema_obj_str(t, "key");
		if (!key) {
			any_unknown = true;
			continue;
		}
		if (strcmp(key, "resource-groups:Name") == 0)
			has_name = true;
		else if (strcmp(key, "resource-groups:ResourceTypeFilters") != 0) {
			snprintf(sub, sizeof sub, "targets[%zu].key", i);
			schema_error_at(
				d, path, sub, "Invalid target key for RESOURCE_GROUP",
				"A RESOURCE_GROUP target selects a resource group: use resource-groups:Name and "
				"optionally resource-groups:ResourceTypeFilters, not \"%s\".",
				key);
		}
	}
	if (!has_name && !any_unknown && tf_value_len(targets) > 0)
		schema_error_at(
			d, path, "targets", "Missing resource-groups:Name target",
			"A RESOURCE_GROUP target needs a targets block with key = \"resource-groups:Name\".");
}

static const schema_block target_block = {
	.attrs = target_attrs,
	.n_attrs = N(target_attrs),
	.blocks = target_blocks,
	.n_blocks = N(target_blocks),
	.description =
		"A target of a maintenance window: the managed nodes its tasks run on, selected by "
		"instance ID, tag or resource group.",
	.check = target_check,
};

const schema_resource schema_window_target = {
	.type_name = "ssmpatch_window_target",
	.version = 0,
	.block = &target_block,
};
