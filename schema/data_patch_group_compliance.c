/*
 * data_patch_group_compliance.c - schema of the data source
 * ssmpatch_patch_group_compliance: the patch compliance of one patch group,
 * as counts (DescribePatchGroupState), one row per instance
 * (DescribeInstancePatchStatesForPatchGroup) and, on request, the patches
 * missing or failed across the group (DescribeInstancePatches per instance):
 * what the next Install run will apply.
 *
 * Pending reboots are reported on their own (pending_reboot_instance_ids):
 * with RebootOption=NoReboot, installed patches stay INSTALLED_PENDING_REBOOT
 * and count as non-compliant until the instance reboots, which is expected
 * after every install of the seed's design, not a failure.
 */
#include <stddef.h>

#include "schema_tables.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define COUNT(n, what)                                                  \
	{                                                               \
		.name = n, .type = SCHEMA_T_NUMBER, .description = what \
	}
#define GROUP_COUNT(n, what)                                                                      \
	{                                                                                         \
		.name = n, .type = SCHEMA_T_NUMBER, .flags = SCHEMA_COMPUTED, .description = what \
	}

static const schema_attr instance_attrs[] = {
	{.name = "instance_id", .type = SCHEMA_T_STRING, .description = "Instance ID."},
	{.name = "baseline_id",
	 .type = SCHEMA_T_STRING,
	 .description = "Baseline its last operation used."},
	{.name = "operation",
	 .type = SCHEMA_T_STRING,
	 .description = "Last patch operation: `Scan` or `Install`."},
	{.name = "operation_start_time",
	 .type = SCHEMA_T_STRING,
	 .description = "When it started (RFC 3339)."},
	{.name = "operation_end_time",
	 .type = SCHEMA_T_STRING,
	 .description = "When it ended (RFC 3339)."},
	{.name = "reboot_option",
	 .type = SCHEMA_T_STRING,
	 .description = "`RebootIfNeeded` or `NoReboot` (null when not reported)."},
	{.name = "last_no_reboot_install_time",
	 .type = SCHEMA_T_STRING,
	 .description = "End of the last install run with `NoReboot` (RFC 3339; null: none)."},
	COUNT("installed_count", "Patches installed."),
	COUNT("installed_other_count", "Patches installed that the baseline does not approve."),
	COUNT("installed_pending_reboot_count", "Patches installed, waiting for a reboot."),
	COUNT("installed_rejected_count", "Rejected patches that are installed."),
	COUNT("missing_count", "Approved patches not installed."),
	COUNT("failed_count", "Patches whose installation failed."),
	COUNT("not_applicable_count", "Approved patches for software not on the instance."),
	COUNT("critical_non_compliant_count",
	      "Non-compliant patches of compliance level `CRITICAL` (pending reboots included)."),
	COUNT("security_non_compliant_count", "Non-compliant security patches (not critical)."),
	COUNT("other_non_compliant_count", "Other non-compliant patches."),
};

static const schema_block instance_block = {
	.attrs = instance_attrs,
	.n_attrs = N(instance_attrs),
	.description = "One instance of the patch group.",
};

static const schema_attr patch_attrs[] = {
	{.name = "kb_id",
	 .type = SCHEMA_T_STRING,
	 .description = "KB ID (Windows) or package `name.arch:epoch:version-release` (Linux)."},
	{.name = "title", .type = SCHEMA_T_STRING, .description = "Title."},
	{.name = "classification",
	 .type = SCHEMA_T_STRING,
	 .description = "Classification, e.g. `Security`."},
	{.name = "severity", .type = SCHEMA_T_STRING, .description = "Severity, e.g. `Critical`."},
	{.name = "cve_ids", .type = SCHEMA_T_LIST_STRING, .description = "CVE IDs it fixes."},
	{.name = "instance_count",
	 .type = SCHEMA_T_NUMBER,
	 .description = "How many instances miss it (or failed to install it)."},
	{.name = "instance_ids",
	 .type = SCHEMA_T_LIST_STRING,
	 .description = "Those instances, sorted."},
	{.name = "failed_instance_ids",
	 .type = SCHEMA_T_LIST_STRING,
	 .description = "Of those, the ones where installing it failed (state `FAILED`)."},
};

static const schema_block patch_block = {
	.attrs = patch_attrs,
	.n_attrs = N(patch_attrs),
	.description = "One patch missing (or failed) on instances of the group.",
};

static const schema_attr attrs[] = {
	{.name = "patch_group",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "The patch group: the value of the instances' `Patch Group` tag.",
	 .min_len = 1,
	 .max_len = 256},
	{.name = "include_missing_patches",
	 .type = SCHEMA_T_BOOL,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .dflt = "false",
	 .description =
		 "Also list the patches missing or failed across the group "
		 "(`missing_patches`; one DescribeInstancePatches per instance, 10 at a time)."},
	GROUP_COUNT("instance_count", "Instances that reported patch compliance for the group."),
	GROUP_COUNT("instances_with_installed_patches", "Of those, with installed patches."),
	GROUP_COUNT("instances_with_installed_other_patches",
		    "With patches installed outside the baseline."),
	GROUP_COUNT("instances_with_installed_pending_reboot_patches", "Waiting for a reboot."),
	GROUP_COUNT("instances_with_installed_rejected_patches",
		    "With rejected patches installed."),
	GROUP_COUNT("instances_with_missing_patches", "With approved patches missing."),
	GROUP_COUNT("instances_with_failed_patches", "With failed installs."),
	GROUP_COUNT("instances_with_not_applicable_patches", "With not applicable patches."),
	GROUP_COUNT("instances_with_unreported_not_applicable_patches",
		    "With unreported not applicable patches."),
	GROUP_COUNT("instances_with_critical_non_compliant_patches",
		    "With non-compliant patches of level `CRITICAL` (pending reboots included)."),
	GROUP_COUNT("instances_with_security_non_compliant_patches",
		    "With non-compliant security patches."),
	GROUP_COUNT("instances_with_other_non_compliant_patches",
		    "With other non-compliant patches."),
	{.name = "instances",
	 .type = SCHEMA_T_LIST_OBJECT,
	 .flags = SCHEMA_COMPUTED,
	 .description = "One row per instance, sorted by instance ID.",
	 .elem = &instance_block},
	{.name = "failed_instance_ids",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Instances with failed patch installs (`failed_count > 0`), sorted."},
	{.name = "pending_reboot_instance_ids",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Instances with patches installed but waiting for a reboot, sorted."},
	{.name = "pending_reboot_count",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_COMPUTED,
	 .description = "How many instances wait for a reboot."},
	{.name = "missing_patches",
	 .type = SCHEMA_T_LIST_OBJECT,
	 .flags = SCHEMA_COMPUTED,
	 .description = "With `include_missing_patches`: every patch missing or failed on an "
			"instance of the group, with the instances, sorted by KB ID (null "
			"otherwise).",
	 .elem = &patch_block},
	SCHEMA_DATA_REGION_ATTR("the patch group's instances"),
};

static const schema_block block = {
	.attrs = attrs,
	.n_attrs = N(attrs),
	.description = "The patch compliance of one patch group: counts, one row per instance, "
		       "pending reboots on their own, and optionally the patches the next Install "
		       "run will apply.",
};

const schema_resource schema_data_patch_group_compliance = {
	.type_name = "ssmpatch_patch_group_compliance",
	.version = 0,
	.block = &block,
};
