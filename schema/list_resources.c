/*
 * list_resources.c - schemas of the list resources (`list` blocks of a
 * `.tfquery.hcl` file, `terraform query`, Terraform 1.14+): the `config`
 * block of each, its filters. Terraform wraps this block itself (as
 * `config`, next to `limit` and `include_resource`); the results carry the
 * managed resource's identity and, on request, its whole object.
 *
 * Every filter is optional: an empty `config` lists everything of the type
 * the configured account and region hold (patch baselines: the account's own);
 * `region` lists in another region, as a resource's `region` manages there.
 * The filters and what the API does with them:
 *   ssmpatch_patch_baseline      owner, name_prefix, operating_system
 *                                (DescribePatchBaselines filters OWNER,
 *                                NAME_PREFIX, OPERATING_SYSTEM)
 *   ssmpatch_maintenance_window  name_prefix (compared here: the API's Name
 *                                filter matches whole names), enabled (the
 *                                API's Enabled filter)
 *   ssmpatch_window_target       window_id (without it, every window's)
 *   ssmpatch_window_task         window_id (without it, every window's)
 */
#include <stddef.h>

#include "schema_checks.h"
#include "schema_tables.h"
#include "ssm_enums.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const owners[] = {"Self", "AWS", "All", NULL};

/* Where to list (a row of each config block). */
#define LIST_REGION_ATTR                                                                    \
	{                                                                                   \
		.name = "region", .type = SCHEMA_T_STRING, .flags = SCHEMA_OPTIONAL,        \
		.description = "AWS region to list in, e.g. `eu-west-1`; defaults to the "  \
			       "provider's `region`. The objects found carry it (in their " \
			       "identity and `region`).",                                   \
		.min_len = 1, .max_len = 64, .pattern = SCHEMA_REGION_PATTERN               \
	}

static const schema_attr list_baseline_attrs[] = {
	{.name = "owner",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Whose baselines: `Self` (the account's own, the default), `AWS` (the AWS-managed "
		 "ones, which cannot be imported: SSM addresses them by ARN and refuses changes) or "
		 "`All`.",
	 .enum_values = owners},
	{.name = "name_prefix",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Only baselines whose name starts with this text.",
	 .min_len = 1,
	 .max_len = 128},
	{.name = "operating_system",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Only baselines for this operating system, e.g. `AMAZON_LINUX_2`.",
	 .enum_values = ssm_enum_operating_system},
	LIST_REGION_ATTR,
};

static const schema_block list_baseline_block = {
	.attrs = list_baseline_attrs,
	.n_attrs = N(list_baseline_attrs),
	.description = "Patch baselines of the configured account and region.",
};

const schema_resource schema_list_patch_baseline = {
	.type_name = "ssmpatch_patch_baseline",
	.version = 0,
	.block = &list_baseline_block,
};

static const schema_attr list_window_attrs[] = {
	SCHEMA_WINDOW_FILTER_ATTRS,
	LIST_REGION_ATTR,
};

static const schema_block list_window_block = {
	.attrs = list_window_attrs,
	.n_attrs = N(list_window_attrs),
	.description = "Maintenance windows of the configured account and region.",
};

const schema_resource schema_list_maintenance_window = {
	.type_name = "ssmpatch_maintenance_window",
	.version = 0,
	.block = &list_window_block,
};

static const schema_attr list_window_id_attrs[] = {
	{.name = "window_id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Only this maintenance window's (`mw-` and 17 hex digits); without it, "
			"every window's.",
	 .pattern = "^mw-[0-9a-f]{17}$"},
	LIST_REGION_ATTR,
};

static const schema_block list_target_block = {
	.attrs = list_window_id_attrs,
	.n_attrs = N(list_window_id_attrs),
	.description = "Targets registered with maintenance windows.",
};

const schema_resource schema_list_window_target = {
	.type_name = "ssmpatch_window_target",
	.version = 0,
	.block = &list_target_block,
};

static const schema_block list_task_block = {
	.attrs = list_window_id_attrs,
	.n_attrs = N(list_window_id_attrs),
	.description = "Tasks registered with maintenance windows.",
};

const schema_resource schema_list_window_task = {
	.type_name = "ssmpatch_window_task",
	.version = 0,
	.block = &list_task_block,
};
