/*
 * patch_baseline.c - schema of ssmpatch_patch_baseline (AWS::SSM::PatchBaseline).
 *
 * Force new: operating_system (the API cannot change a baseline's OS).
 * Defaults (so optional+computed): operating_system WINDOWS,
 * approved_patches_compliance_level and approval_rule.compliance_level
 * UNSPECIFIED, the booleans false. rejected_patches_action is optional+computed
 * without a default: the API fills ALLOW_AS_DEPENDENCY.
 * Limits are those of the SSM model (CreatePatchBaseline); approval_rule's
 * patch_filter follows the provider contract (1..10) rather than the model's 4.
 *
 * approve_after_days / approve_until_date: the API wants exactly one of them per
 * rule, except on UBUNTU and DEBIAN where neither is supported (the model: "Not
 * supported on Debian Server or Ubuntu Server"). So: on those two systems both must
 * be null; on every other system exactly one must be set; with operating_system
 * unknown only "not both" is checked.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "schema_checks.h"
#include "schema_tables.h"
#include "ssm_enums.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NAME_PATTERN "^[a-zA-Z0-9_.-]+$"

static const schema_attr patch_filter_attrs[] = {
	{.name = "key",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description =
		 "Patch property to filter on (`PatchFilterKey` of the SSM API), e.g. `CLASSIFICATION` "
		 "or `SEVERITY`; which keys apply depends on the operating system.",
	 .enum_values = ssm_enum_patch_filter_key},
	{.name = "values",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description =
		 "Values to match for `key` (1 to 20, each 1 to 64 characters), e.g. `[\"Security\"]`.",
	 .min_len = SSM_MIN_PATCH_FILTER_VALUE,
	 .max_len = SSM_MAX_PATCH_FILTER_VALUE,
	 .min_items = SSM_MIN_PATCH_FILTER_VALUE_LIST,
	 .max_items = SSM_MAX_PATCH_FILTER_VALUE_LIST},
};

const schema_block schema_patch_baseline_filter = {
	.attrs = patch_filter_attrs,
	.n_attrs = N(patch_filter_attrs),
	.description = "A patch filter: patches whose `key` property matches one of `values`.",
};

static const schema_attr approval_rule_attrs[] = {
	{.name = "approve_after_days",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_INTEGER,
	 .description =
		 "Days after its release that a matching patch is approved (0 to 360); set exactly one of "
		 "this and `approve_until_date` (neither on `UBUNTU` and `DEBIAN`).",
	 .has_range = true,
	 .min = 0,
	 .max = 360},
	{.name = "approve_until_date",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Cutoff date `YYYY-MM-DD`: matching patches released on or before it are approved; "
		 "the alternative to `approve_after_days`.",
	 .min_len = 1,
	 .max_len = 10,
	 .check = schema_check_date},
	{.name = "compliance_level",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .dflt = "UNSPECIFIED",
	 .description = "Compliance severity reported for patches approved by this rule.",
	 .enum_values = ssm_enum_patch_compliance_level},
	{
		.name = "enable_non_security",
		.type = SCHEMA_T_BOOL,
		.flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
		.dflt = "false",
		.description =
			"Whether non-security updates from the repositories are installed too (Linux only).",
	},
};

static const schema_nested approval_rule_blocks[] = {
	{.name = "patch_filter",
	 .nesting = SCHEMA_NEST_LIST,
	 .min_items = 1,
	 .max_items = SSM_MAX_PATCH_FILTER_LIST,
	 .block = &schema_patch_baseline_filter},
};

const schema_block schema_patch_baseline_rule = {
	.attrs = approval_rule_attrs,
	.n_attrs = N(approval_rule_attrs),
	.blocks = approval_rule_blocks,
	.n_blocks = N(approval_rule_blocks),
	.description = "A rule that auto-approves the patches its filters select.",
};

static const schema_attr source_attrs[] = {
	{.name = "name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Name of the patch source (3 to 50 characters of `[a-zA-Z0-9_.-]`).",
	 .min_len = 3,
	 .max_len = 50,
	 .pattern = "^[a-zA-Z0-9_.-]+$"},
	{.name = "configuration",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED | SCHEMA_SENSITIVE,
	 .description =
		 "Repository configuration in the format of a yum `.repo` file or an apt `sources.list` "
		 "entry (1 to 1024 characters).",
	 .min_len = 1,
	 .max_len = 1024},
	{.name = "products",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description =
		 "Operating system versions the source applies to, e.g. `[\"AmazonLinux2\"]` (1 to 20).",
	 .min_len = SSM_MIN_PATCH_SOURCE_PRODUCT,
	 .max_len = SSM_MAX_PATCH_SOURCE_PRODUCT,
	 .min_items = SSM_MIN_PATCH_SOURCE_PRODUCT_LIST,
	 .max_items = SSM_MAX_PATCH_SOURCE_PRODUCT_LIST},
};

const schema_block schema_patch_baseline_source = {
	.attrs = source_attrs,
	.n_attrs = N(source_attrs),
	.description = "An alternative patch repository (Linux only).",
};

static const schema_attr baseline_attrs[] = {
	{.name = "id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "ID of the patch baseline (`pb-...`)."},
	{.name = "arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description =
		 "ARN of the patch baseline, `arn:<partition>:ssm:<region>:<account>:patchbaseline/<id>`."},
	{.name = "name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Name of the patch baseline (3 to 128 characters of `[a-zA-Z0-9_.-]`).",
	 .min_len = 3,
	 .max_len = 128,
	 .pattern = NAME_PATTERN},
	{.name = "description",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Description of the patch baseline (1 to 1024 characters).",
	 .min_len = 1,
	 .max_len = 1024},
	{.name = "operating_system",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED | SCHEMA_FORCE_NEW,
	 .dflt = "WINDOWS",
	 .description =
		 "Operating system the baseline applies to, e.g. `AMAZON_LINUX_2`; changing it replaces "
		 "the baseline.",
	 .enum_values = ssm_enum_operating_system},
	{.name = "patch_groups",
	 .type = SCHEMA_T_SET_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Patch groups registered with this baseline (instances tagged `Patch Group` with one of "
		 "these values use it); each 1 to 256 characters of letters, numbers, spaces and "
		 "`_ . : / = + - @`. A group held by another baseline of the same operating system is "
		 "taken over.",
	 .min_len = SSM_MIN_PATCH_GROUP,
	 .max_len = SSM_MAX_PATCH_GROUP,
	 .check = schema_check_ssm_name},
	{.name = "default_baseline",
	 .type = SCHEMA_T_BOOL,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .dflt = "false",
	 .description =
		 "Whether to register this baseline as the default for its operating system (the AWS-owned "
		 "default is restored on delete)."},
	{.name = "approved_patches",
	 .type = SCHEMA_T_SET_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Patches approved explicitly, by ID or package name pattern (at most 50, each 1 to 100 "
		 "characters).",
	 .min_len = SSM_MIN_PATCH_ID,
	 .max_len = SSM_MAX_PATCH_ID,
	 .max_items = SSM_MAX_PATCH_ID_LIST},
	{.name = "approved_patches_compliance_level",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .dflt = "UNSPECIFIED",
	 .description = "Compliance severity reported for the explicitly approved patches.",
	 .enum_values = ssm_enum_patch_compliance_level},
	{.name = "approved_patches_enable_non_security",
	 .type = SCHEMA_T_BOOL,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .dflt = "false",
	 .description =
		 "Whether explicitly approved non-security updates are installed too (Linux only)."},
	{.name = "rejected_patches",
	 .type = SCHEMA_T_SET_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Patches rejected explicitly, by ID or package name pattern (at most 50, each 1 to 100 "
		 "characters).",
	 .min_len = SSM_MIN_PATCH_ID,
	 .max_len = SSM_MAX_PATCH_ID,
	 .max_items = SSM_MAX_PATCH_ID_LIST},
	{.name = "rejected_patches_action",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .description =
		 "What happens to a rejected patch another package depends on: `ALLOW_AS_DEPENDENCY` "
		 "(the API's default) or `BLOCK`.",
	 .enum_values = ssm_enum_patch_action},
	SCHEMA_TAG_ATTRS("patch baseline"),
	SCHEMA_REGION_ATTR("patch baseline"),
};

static const schema_nested baseline_blocks[] = {
	{.name = "global_filter",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = SSM_MAX_PATCH_FILTER_LIST,
	 .block = &schema_patch_baseline_filter},
	{.name = "approval_rule",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = SSM_MAX_PATCH_RULE_LIST,
	 .block = &schema_patch_baseline_rule},
	{.name = "source",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = SSM_MAX_PATCH_SOURCE_LIST,
	 .block = &schema_patch_baseline_source},
};

static void baseline_check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	const tf_value *os_v = tf_value_attr(obj, "operating_system");
	const tf_value *rules = tf_value_attr(obj, "approval_rule");
	bool os_known = !tf_value_is_unknown(os_v);
	const char *os = tf_value_is_null(os_v) ? "WINDOWS" : tf_value_str(os_v);
	bool neither_os = os && (strcmp(os, "UBUNTU") == 0 || strcmp(os, "DEBIAN") == 0);
	char sub[64];

	schema_check_tag_keys(obj, "tags", path, d);
	if (!tf_value_is_known(rules))
		return;
	for (size_t i = 0; i < tf_value_len(rules); i++) {
		const tf_value *r = tf_value_index(rules, i);
		if (!tf_value_is_known(r))
			continue;
		bool days = schema_obj_is_set(r, "approve_after_days");
		bool until = schema_obj_is_set(r, "approve_until_date");
		/* An unknown may still turn out null: judge only known values. */
		if (schema_obj_is_unknown(r, "approve_after_days") ||
		    schema_obj_is_unknown(r, "approve_until_date"))
			continue;
		if (days && until) {
			snprintf(sub, sizeof sub, "approval_rule[%zu].approve_until_date", i);
			schema_error_at(
				d, path, sub, "Conflicting approval settings",
				"Set only one of approve_after_days and approve_until_date in an approval_rule.");
		} else if (os_known && os && neither_os && (days || until)) {
			snprintf(sub, sizeof sub, "approval_rule[%zu].%s", i,
				 days ? "approve_after_days" : "approve_until_date");
			schema_error_at(
				d, path, sub, "Approval delay not supported",
				"operating_system %s supports neither approve_after_days nor approve_until_date; "
				"remove it from the approval_rule.",
				os);
		} else if (os_known && os && !neither_os && !days && !until) {
			snprintf(sub, sizeof sub, "approval_rule[%zu]", i);
			schema_error_at(
				d, path, sub, "Missing approval delay",
				"An approval_rule for %s needs exactly one of approve_after_days (0..360) and "
				"approve_until_date (YYYY-MM-DD).",
				os);
		}
	}
}

static const schema_block baseline_block = {
	.attrs = baseline_attrs,
	.n_attrs = N(baseline_attrs),
	.blocks = baseline_blocks,
	.n_blocks = N(baseline_blocks),
	.description =
		"A patch baseline of AWS Systems Manager Patch Manager: which patches are approved for the "
		"instances of its patch groups.",
	.check = baseline_check,
};

const schema_resource schema_patch_baseline = {
	.type_name = "ssmpatch_patch_baseline",
	.version = 0,
	.block = &baseline_block,
};
