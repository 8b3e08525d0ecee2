/*
 * data_patch_baseline.c - schema of the data source ssmpatch_patch_baseline:
 * one patch baseline found by filters, with every attribute the resource
 * ssmpatch_patch_baseline has.
 *
 * Arguments (the filters): owner (Self, AWS or All; default All), name (exact)
 * or name_prefix, operating_system, default_baseline. name, operating_system
 * and default_baseline are optional and computed: unset, they report the found
 * baseline's value. Everything else is computed; the resource's nested blocks
 * (global_filter, approval_rule, source) become list(object) attributes whose
 * objects are the resource's own block tables, so the two cannot drift apart
 * (tests/unit/test_data_sources.c checks that every resource attribute is
 * here with the same type). source is sensitive as a whole: it carries the
 * repository configuration, and a list(object) attribute cannot mark one
 * field of its objects.
 */
#include <stddef.h>

#include "schema_checks.h"
#include "schema_tables.h"
#include "ssm_enums.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const owners[] = {"Self", "AWS", "All", NULL};

static const schema_attr attrs[] = {
	/* ---- filters */
	{.name = "owner",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .dflt = "All",
	 .description = "Whose baselines to search: `Self` (this account's), `AWS` (the AWS-owned "
			"predefined ones) or `All` (the default).",
	 .enum_values = owners},
	{.name = "name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .description = "Exact name of the baseline, e.g. `AWS-AmazonLinux2DefaultPatchBaseline`; "
			"unset, the found baseline's name.",
	 .min_len = 3,
	 .max_len = 128,
	 .pattern = "^[a-zA-Z0-9_.-]{3,128}$"},
	{.name = "name_prefix",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Find the baseline whose name starts with this text (not with `name`).",
	 .min_len = 1,
	 .max_len = 128},
	{.name = "operating_system",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .description = "Operating system of the baseline, e.g. `AMAZON_LINUX_2`; unset, the found "
			"baseline's.",
	 .enum_values = ssm_enum_operating_system},
	{.name = "default_baseline",
	 .type = SCHEMA_T_BOOL,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .description = "`true`: only the baseline that is the default for its operating system; "
			"`false`: only baselines that are not. Unset, whether the found one is."},
	/* ---- what was found */
	{.name = "id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "ID of the baseline: `pb-...` for the account's own, the full ARN for an "
			"AWS-owned one (the API addresses those by ARN only)."},
	{.name = "arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "ARN of the baseline."},
	{.name = "description",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Description of the baseline (null when it has none)."},
	{.name = "patch_groups",
	 .type = SCHEMA_T_SET_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Patch groups registered with the baseline."},
	{.name = "approved_patches",
	 .type = SCHEMA_T_SET_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Patches approved explicitly."},
	{.name = "approved_patches_compliance_level",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Compliance severity of the explicitly approved patches."},
	{.name = "approved_patches_enable_non_security",
	 .type = SCHEMA_T_BOOL,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Whether explicitly approved non-security updates are installed too."},
	{.name = "rejected_patches",
	 .type = SCHEMA_T_SET_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Patches rejected explicitly."},
	{.name = "rejected_patches_action",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "`ALLOW_AS_DEPENDENCY` or `BLOCK`."},
	{.name = "global_filter",
	 .type = SCHEMA_T_LIST_OBJECT,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Filters every patch must pass: `key`, `values`.",
	 .elem = &schema_patch_baseline_filter},
	{.name = "approval_rule",
	 .type = SCHEMA_T_LIST_OBJECT,
	 .flags = SCHEMA_COMPUTED,
	 .description =
		 "Auto-approval rules: `approve_after_days`, `approve_until_date`, "
		 "`compliance_level`, `enable_non_security`, `patch_filter` (`key`, `values`).",
	 .elem = &schema_patch_baseline_rule},
	{.name = "source",
	 .type = SCHEMA_T_LIST_OBJECT,
	 .flags = SCHEMA_COMPUTED | SCHEMA_SENSITIVE,
	 .description = "Alternative patch repositories: `name`, `products`, `configuration`.",
	 .elem = &schema_patch_baseline_source},
	{.name = "tags",
	 .type = SCHEMA_T_MAP_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Tags of the baseline other than the provider's `default_tags` (empty for "
			"an AWS-owned baseline)."},
	{.name = "tags_all",
	 .type = SCHEMA_T_MAP_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "All tags of the baseline."},
	SCHEMA_DATA_REGION_ATTR("the patch baseline"),
};

static void check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	/* An unknown may still turn out null: judge known values only. */
	if (schema_obj_str(obj, "name") && schema_obj_str(obj, "name_prefix"))
		schema_error_at(d, path, "name_prefix", "Conflicting filters",
				"Set name (the exact name) or name_prefix, not both.");
}

static const schema_block block = {
	.attrs = attrs,
	.n_attrs = N(attrs),
	.description =
		"One patch baseline, found by owner, name or name prefix, operating system "
		"and whether it is the default: the account's own or an AWS-owned one such as "
		"`AWS-AmazonLinux2DefaultPatchBaseline`. No match, or more than one, is an "
		"error that lists the candidates.",
	.check = check,
};

const schema_resource schema_data_patch_baseline = {
	.type_name = "ssmpatch_patch_baseline",
	.version = 0,
	.block = &block,
};
