/*
 * schema_tables.h - the const schema tables of the provider and its resources.
 *
 * One file per object under schema/ (provider.c, patch_baseline.c,
 * maintenance_window.c, window_target.c, window_task.c, and data_*.c for the
 * data sources) defines the table; the
 * engine serves GetSchema, validation, defaults and requires_replace from them
 * (provider/core/schema.h). Enum values come from the SSM service model through
 * the generated ssm_enums.h (tools/gen_enums.py).
 */
#ifndef SSMPATCH_SCHEMA_TABLES_H
#define SSMPATCH_SCHEMA_TABLES_H

#include "core/schema.h"

/* An AWS region name (the provider's `region`, a resource's `region`). */
#define SCHEMA_REGION_PATTERN "^[a-z]{2}(-[a-z]+)+-[0-9]+$"

/*
 * The `region` row of every resource and data source (as in the AWS provider
 * 6.x): where the object lives. Optional; left out, it is the provider's
 * region, which the plan shows (hence computed) and the state records;
 * changing it replaces the object. provider/resources/resource.c picks the
 * AWS client of that region for every call about the object.
 */
#define SCHEMA_REGION_ATTR(what)                                                                \
	{                                                                                       \
		.name = "region", .type = SCHEMA_T_STRING,                                      \
		.flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED | SCHEMA_FORCE_NEW,                  \
		.description = "AWS region of the " what ", e.g. `eu-west-1`; defaults to the " \
			       "provider's `region`. Changing it replaces the " what ".",       \
		.min_len = 1, .max_len = 64, .pattern = SCHEMA_REGION_PATTERN                   \
	}

/* The same for a data source: where to read (no replacement to speak of). */
#define SCHEMA_DATA_REGION_ATTR(what)                                                        \
	{                                                                                    \
		.name = "region", .type = SCHEMA_T_STRING,                                   \
		.flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,                                  \
		.description =                                                               \
			"AWS region to read " what " in, e.g. `eu-west-1`; defaults to the " \
			"provider's `region`.",                                              \
		.min_len = 1, .max_len = 64, .pattern = SCHEMA_REGION_PATTERN                \
	}

extern const schema_block schema_provider_block;

extern const schema_resource schema_patch_baseline, schema_maintenance_window, schema_window_target,
	schema_window_task;

/* The resource's nested blocks, also the objects of the data source's lists. */
extern const schema_block schema_patch_baseline_filter, schema_patch_baseline_rule,
	schema_patch_baseline_source;

/* Data sources (schema/data_*.c). */
extern const schema_resource schema_data_patch_baseline, schema_data_maintenance_windows,
	schema_data_window_executions, schema_data_patch_group_compliance;

/* The name_prefix and enabled filters of maintenance windows (two
 * schema_attr rows), shared by the data source ssmpatch_maintenance_windows
 * and the list resource ssmpatch_maintenance_window. */
#define SCHEMA_WINDOW_FILTER_ATTRS                                                    \
	{.name = "name_prefix",                                                       \
	 .type = SCHEMA_T_STRING,                                                     \
	 .flags = SCHEMA_OPTIONAL,                                                    \
	 .description = "Only windows whose name starts with this text.",             \
	 .min_len = 1,                                                                \
	 .max_len = 128},                                                             \
	{                                                                             \
		.name = "enabled", .type = SCHEMA_T_BOOL, .flags = SCHEMA_OPTIONAL,   \
		.description = "Only enabled (`true`) or disabled (`false`) windows." \
	}

/* List resources (list_resources.c): the `config` block of each type's
 * `list` blocks (terraform query); type_name is the managed resource's. */
extern const schema_resource schema_list_patch_baseline, schema_list_maintenance_window,
	schema_list_window_target, schema_list_window_task;

/* Resource identities (identity.c): REQUIRED attributes are required for
 * import, OPTIONAL ones optional. */
extern const schema_resource schema_identity_patch_baseline, schema_identity_maintenance_window,
	schema_identity_window_target, schema_identity_window_task;

/* Actions (action_patch_now.c). */
extern const schema_resource schema_action_patch_now;

#endif
