/*
 * identity.c - resource identity schemas (Terraform 1.12+): what names one
 * object of each managed resource type for good, independent of its
 * configuration. Served by GetResourceIdentitySchemas; Terraform stores the
 * identity next to the state, shows it (`terraform show -json`), takes it in
 * `import { identity = {...} }` and gets it from every list resource result.
 *
 * Every identity is the account, the region and the object's key (the
 * import ID's parts): patch baselines and windows their ID, window targets
 * and tasks their window's ID and their own. In an import, only the key is
 * required (REQUIRED here = required_for_import); account_id and region
 * default to the provider's. A given account must be the provider's; a given
 * region is where the import reads the object (the resource's `region`).
 * Version 0; UpgradeResourceIdentity reads version 0 only.
 */
#include <stddef.h>

#include "schema_tables.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define IDENTITY_ACCOUNT_REGION                                                               \
	{.name = "account_id",                                                                \
	 .type = SCHEMA_T_STRING,                                                             \
	 .flags = SCHEMA_OPTIONAL,                                                            \
	 .description = "AWS account that holds the object (12 digits); in an import, the "   \
			"provider's account when left out."},                                 \
	{                                                                                     \
		.name = "region", .type = SCHEMA_T_STRING, .flags = SCHEMA_OPTIONAL,          \
		.description =                                                                \
			"AWS region of the object, e.g. `ap-northeast-1`; in an import, "     \
			"the provider's region when left out, else where the object is read." \
	}

static const schema_attr baseline_attrs[] = {
	IDENTITY_ACCOUNT_REGION,
	{.name = "id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ID of the patch baseline (`pb-...`)."},
};

static const schema_block baseline_block = {.attrs = baseline_attrs, .n_attrs = N(baseline_attrs)};

const schema_resource schema_identity_patch_baseline = {
	.type_name = "ssmpatch_patch_baseline",
	.version = 0,
	.block = &baseline_block,
};

static const schema_attr window_attrs[] = {
	IDENTITY_ACCOUNT_REGION,
	{.name = "id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ID of the maintenance window (`mw-...`)."},
};

static const schema_block window_block = {.attrs = window_attrs, .n_attrs = N(window_attrs)};

const schema_resource schema_identity_maintenance_window = {
	.type_name = "ssmpatch_maintenance_window",
	.version = 0,
	.block = &window_block,
};

static const schema_attr target_attrs[] = {
	IDENTITY_ACCOUNT_REGION,
	{.name = "window_id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ID of the maintenance window the target is registered with."},
	{.name = "id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ID of the window target."},
};

static const schema_block target_block = {.attrs = target_attrs, .n_attrs = N(target_attrs)};

const schema_resource schema_identity_window_target = {
	.type_name = "ssmpatch_window_target",
	.version = 0,
	.block = &target_block,
};

static const schema_attr task_attrs[] = {
	IDENTITY_ACCOUNT_REGION,
	{.name = "window_id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ID of the maintenance window the task is registered with."},
	{.name = "id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ID of the window task."},
};

static const schema_block task_block = {.attrs = task_attrs, .n_attrs = N(task_attrs)};

const schema_resource schema_identity_window_task = {
	.type_name = "ssmpatch_window_task",
	.version = 0,
	.block = &task_block,
};
