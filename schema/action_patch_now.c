/*
 * action_patch_now.c - schema of the action ssmpatch_patch_now (Terraform
 * 1.14+): patch or scan now, outside any maintenance window, with
 * AWS-RunPatchBaseline sent by SendCommand (provider/actions/patch_now.c).
 *
 * The targets: `patch_group` (instances tagged `Patch Group` = the group)
 * and `tag` blocks, all of which an instance must match (SSM ANDs the
 * entries of Targets, at most 5); or `instance_ids`; or `window_target`,
 * the targets of a registered window target. instance_ids and window_target
 * stand alone.
 *
 * Cross-field rules (checked at validate and plan time on known values):
 * at least one target; an Install says `reboot_option` (the document would
 * otherwise reboot as it sees fit: an operator patching "now" must choose);
 * output_s3_key_prefix only with output_s3_bucket.
 */
#include <stddef.h>
#include <string.h>

#include "schema_checks.h"
#include "schema_tables.h"
#include "ssm_enums.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const operations[] = {"Scan", "Install", NULL};
static const char *const reboot_options[] = {"RebootIfNeeded", "NoReboot", NULL};

static const schema_attr tag_attrs[] = {
	{.name = "key",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Tag key the instances carry, e.g. `PatchWindowTaskAM2`.",
	 .min_len = SSM_MIN_TAG_KEY,
	 .max_len = SSM_MAX_TAG_KEY,
	 .check = schema_check_ssm_name},
	{.name = "values",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Tag values (1 to 50); an instance matches with any of them.",
	 .min_len = 1,
	 .min_items = 1,
	 .max_items = SSM_MAX_TARGET_VALUES},
};

static const schema_block tag_block = {
	.attrs = tag_attrs,
	.n_attrs = N(tag_attrs),
	.description = "Instances carrying the tag `key` with one of `values`.",
};

static const schema_attr window_target_attrs[] = {
	{.name = "window_id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ID of the maintenance window the target is registered with.",
	 .pattern = "^mw-[0-9a-f]{17}$"},
	{.name = "window_target_id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ID of the window target (`ssmpatch_window_target`'s `id`).",
	 .pattern =
		 "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"},
};

static const schema_block window_target_block = {
	.attrs = window_target_attrs,
	.n_attrs = N(window_target_attrs),
	.description = "The instances a window target selects (its instance IDs or tags); "
		       "resource group targets are refused.",
};

static const schema_attr patch_now_attrs[] = {
	{.name = "operation",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "`Scan` (report what is missing) or `Install` (install the approved "
			"missing patches).",
	 .enum_values = operations},
	{.name = "reboot_option",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "`RebootIfNeeded` or `NoReboot` (patches stay pending reboot). Required "
			"with `Install`; a Scan never reboots.",
	 .enum_values = reboot_options},
	{.name = "patch_group",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Instances whose `Patch Group` tag is this group, e.g. `STG`.",
	 .min_len = SSM_MIN_PATCH_GROUP,
	 .max_len = SSM_MAX_PATCH_GROUP,
	 .check = schema_check_ssm_name},
	{.name = "instance_ids",
	 .type = SCHEMA_T_SET_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "These managed instances (1 to 50 IDs, `i-...` or `mi-...`).",
	 .pattern = "^(i-([0-9a-zA-Z_]{8}|[0-9a-zA-Z_]{17})|mi-[0-9a-zA-Z_]{17})$",
	 .min_items = 1,
	 .max_items = 50},
	{.name = "max_concurrency",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Instances patched at once: a number (`10`) or a percentage of the "
			"targets (`25%`). SSM's default is 50.",
	 .pattern = "^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$",
	 .min_len = 1,
	 .max_len = 7},
	{.name = "max_errors",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Failed instances after which no further instance is started: a number or a "
		 "percentage. SSM's default is 0 (the first failure stops the rest).",
	 .pattern = "^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$",
	 .min_len = 1,
	 .max_len = 7},
	{.name = "timeout_seconds",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_INTEGER,
	 .description = "Seconds an instance may take to start the command before it counts as "
			"timed out (30 to 2592000; SSM's default is 3600).",
	 .has_range = true,
	 .min = 30,
	 .max = 2592000},
	{.name = "output_s3_bucket",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "S3 bucket for each instance's output (3 to 63 characters).",
	 .min_len = 3,
	 .max_len = 63},
	{.name = "output_s3_key_prefix",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Key prefix of the output in `output_s3_bucket` (at most 500 characters).",
	 .max_len = 500},
	{.name = "comment",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Comment shown with the command in SSM (at most 100 characters).",
	 .max_len = 100},
};

static const schema_nested patch_now_blocks[] = {
	{.name = "tag",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = SSM_MAX_TARGETS,
	 .block = &tag_block},
	{.name = "window_target",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &window_target_block},
};

/* The target selectors obj names (kinds), the Targets entries they make,
 * and whether one of them is unknown. */
static void count_targets(const tf_value *obj, size_t *kinds, size_t *entries, bool *unknown)
{
	const tf_value *pg = tf_value_attr(obj, "patch_group"), *tags = tf_value_attr(obj, "tag");
	const tf_value *ids = tf_value_attr(obj, "instance_ids");
	const tf_value *wt = tf_value_attr(obj, "window_target");

	*unknown = tf_value_is_unknown(pg) || tf_value_is_unknown(tags) ||
		   tf_value_is_unknown(ids) || tf_value_is_unknown(wt);
	*kinds = (size_t)tf_value_is_known(pg) + (tf_value_len(tags) > 0) +
		 (size_t)tf_value_is_known(ids) + (tf_value_len(wt) > 0);
	*entries = (size_t)tf_value_is_known(pg) + tf_value_len(tags);
}

static void patch_now_check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	const char *op = schema_obj_str(obj, "operation");
	size_t kinds, entries;
	bool unknown;
	bool ids = tf_value_is_known(tf_value_attr(obj, "instance_ids"));
	bool wt = tf_value_len(tf_value_attr(obj, "window_target")) > 0;

	count_targets(obj, &kinds, &entries, &unknown);
	if (kinds == 0 && !unknown)
		schema_error_at(d, path, "", "No targets",
				"Say which instances to patch: patch_group and/or tag blocks, or "
				"instance_ids, or a window_target block.");
	if (ids && kinds > 1)
		schema_error_at(
			d, path, "instance_ids", "Conflicting targets",
			"instance_ids names the instances by itself: leave out patch_group, "
			"tag and window_target.");
	else if (wt && kinds > 1)
		schema_error_at(d, path, "window_target", "Conflicting targets",
				"window_target uses the target's own selection: leave out "
				"patch_group and tag.");
	if (entries > SSM_MAX_TARGETS)
		schema_error_at(
			d, path, "tag", "Too many targets",
			"patch_group and the tag blocks make %zu target entries; SSM takes at "
			"most %d (an instance must match all of them).",
			entries, SSM_MAX_TARGETS);
	if (op && strcmp(op, "Install") == 0 && !schema_obj_is_set(obj, "reboot_option"))
		schema_error_at(
			d, path, "reboot_option", "reboot_option required with Install",
			"An Install may reboot instances: set reboot_option to "
			"\"RebootIfNeeded\" or \"NoReboot\" (patches then stay pending until "
			"the next reboot).");
	if (schema_obj_is_set(obj, "output_s3_key_prefix") &&
	    !schema_obj_is_set(obj, "output_s3_bucket"))
		schema_error_at(d, path, "output_s3_key_prefix", "Key prefix without a bucket",
				"output_s3_key_prefix only applies with output_s3_bucket.");
}

static const schema_block patch_now_block = {
	.attrs = patch_now_attrs,
	.n_attrs = N(patch_now_attrs),
	.blocks = patch_now_blocks,
	.n_blocks = N(patch_now_blocks),
	.description =
		"Runs AWS-RunPatchBaseline (Scan or Install) now on the instances selected, outside "
		"any maintenance window, and reports each instance as it finishes.",
	.check = patch_now_check,
};

const schema_resource schema_action_patch_now = {
	.type_name = "ssmpatch_patch_now",
	.version = 0,
	.block = &patch_now_block,
};
