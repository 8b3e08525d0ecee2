/*
 * patch_baseline.c - ssmpatch_patch_baseline: an SSM patch baseline with its
 * patch groups, default-baseline flag and tags managed inline (as CloudFormation's
 * AWS::SSM::PatchBaseline does).
 *
 * API calls per step (the skeleton in resource.c makes the plain ones; the
 * patch groups and the default are this file's hooks):
 *   create  CreatePatchBaseline (ClientToken, Tags = tags_all), then
 *           RegisterPatchBaselineForPatchGroup per group, then
 *           RegisterDefaultPatchBaseline when default_baseline; then read.
 *   read    GetPatchBaseline (its PatchGroups included), ListTagsForResource
 *           (ResourceType PatchBaseline), GetDefaultPatchBaseline for the OS.
 *   update  UpdatePatchBaseline Replace=true with the whole object (only when the
 *           body changed), DeregisterPatchBaselineForPatchGroup / Register... for
 *           the group diff, RegisterDefaultPatchBaseline (to true) or the AWS-owned
 *           default restored (to false), RemoveTagsFromResource/AddTagsToResource.
 *   delete  deregister every group, restore the AWS-owned default if this one is
 *           the default, DeletePatchBaseline. Already gone = success.
 *   import  the baseline ID (pb-...).
 * Force new: operating_system (schema flag; the engine plans the replacement).
 *
 * Quirks worked around:
 * - The API answers [] for lists the user never set; an optional set that was
 *   null before stays null (no perpetual diff).
 * - Enums and dates are kept in the user's spelling when the API echoes an
 *   equivalent one (case).
 * - "Not the default any more" has no API of its own: the AWS-owned default of
 *   the OS is registered again, found as terraform-provider-aws does with
 *   DescribePatchBaselines (OWNER=AWS, OPERATING_SYSTEM) and the name pattern
 *   AWS-<Something>PatchBaseline (e.g. AWS-AmazonLinux2DefaultPatchBaseline).
 * - A failure after CreatePatchBaseline returns the baseline as it now exists
 *   plus the error, so Terraform keeps it in state and the next apply converges.
 */
#include "common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "schema/schema_tables.h"

/* ---------------------------------------------------------------- the mapping, as data */

static const res_field pb_rule_fields[] = {
	{"patch_filter", "PatchFilterGroup.PatchFilters", RES_M_BLOCKS, .sub = &res_map_key_values},
	{"compliance_level", "ComplianceLevel", RES_M_STR, .flags = RES_M_ICASE,
	 .dflt = "UNSPECIFIED"},
	{"approve_after_days", "ApproveAfterDays", RES_M_INT, .flags = 0},
	{"approve_until_date", "ApproveUntilDate", RES_M_STR, .flags = RES_M_ICASE},
	{"enable_non_security", "EnableNonSecurity", RES_M_BOOL, .dflt = "false"},
};
static const res_map pb_rule = RES_MAP(pb_rule_fields);

static const res_field pb_source_fields[] = {
	{"name", "Name", RES_M_STR, .flags = 0},
	{"products", "Products", RES_M_STRINGS, .flags = 0},
	{"configuration", "Configuration", RES_M_STR, .flags = 0},
};
static const res_map pb_source = RES_MAP(pb_source_fields);

/* Optional sets and blocks: [] is not sent (the API treats [] and absent
 * alike) and reads as null when the user had none. */
static const res_field pb_fields[] = {
	{"name", "Name", RES_M_STR, .flags = 0},
	{"description", "Description", RES_M_STR, .flags = RES_M_NULL_IF_EMPTY},
	{"operating_system", "OperatingSystem", RES_M_STR, .flags = RES_M_CREATE_ONLY | RES_M_ICASE,
	 .dflt = "WINDOWS"},
	/* Registered with their own calls: see pb_groups_diff. */
	{"patch_groups", "PatchGroups", RES_M_STRINGS,
	 .flags = RES_M_READ_ONLY | RES_M_NULL_IF_EMPTY},
	{"approved_patches", "ApprovedPatches", RES_M_STRINGS,
	 .flags = RES_M_OMIT_EMPTY | RES_M_NULL_IF_EMPTY},
	{"approved_patches_compliance_level", "ApprovedPatchesComplianceLevel", RES_M_STR,
	 .flags = RES_M_ICASE, .dflt = "UNSPECIFIED"},
	{"approved_patches_enable_non_security", "ApprovedPatchesEnableNonSecurity", RES_M_BOOL,
	 .dflt = "false"},
	{"rejected_patches", "RejectedPatches", RES_M_STRINGS,
	 .flags = RES_M_OMIT_EMPTY | RES_M_NULL_IF_EMPTY},
	{"rejected_patches_action", "RejectedPatchesAction", RES_M_STR, .flags = RES_M_ICASE},
	{"global_filter", "GlobalFilters.PatchFilters", RES_M_BLOCKS, .flags = RES_M_OMIT_EMPTY,
	 .sub = &res_map_key_values},
	{"approval_rule", "ApprovalRules.PatchRules", RES_M_BLOCKS, .flags = RES_M_OMIT_EMPTY,
	 .sub = &pb_rule},
	{"source", "Sources", RES_M_BLOCKS, .flags = RES_M_OMIT_EMPTY, .sub = &pb_source},
};
static const res_map pb_map = RES_MAP(pb_fields);

/* ---------------------------------------------------------------- the default, read */

/* GetDefaultPatchBaseline for `os`: *out_id = the default's ID (malloc'd) or NULL. */
static int pb_default_for_os(provider_ctx *p, const char *os, char **out_id, tf_diags *d)
{
	json_t *resp = NULL;
	const char *id;
	int rc = res_get(p, "GetDefaultPatchBaseline", json_pack("{s:s}", "OperatingSystem", os),
			 &resp, "default_baseline", d);

	*out_id = NULL;
	if (rc == AWS_ERR_NOT_FOUND)
		return 0;
	id = json_string_value(json_object_get(resp, "BaselineId"));
	if (rc == 0 && id && !(*out_id = strdup(id))) {
		res_diag_internal(d, "GetDefaultPatchBaseline", NULL);
		rc = AWS_ERR_OTHER;
	}
	json_decref(resp);
	return rc;
}

/* GetPatchBaseline, then who is the default for its OS (f->more). */
static int pb_find(provider_ctx *p, const res_def *def, const json_t *key, res_found *f,
		   tf_diags *d)
{
	const char *os;
	char *dflt = NULL;
	int rc = res_find_get(p, def, key, f, d);

	if (rc != 0)
		return rc;
	os = json_string_value(json_object_get(f->api, "OperatingSystem"));
	if ((rc = pb_default_for_os(p, os ? os : "WINDOWS", &dflt, d)) != 0)
		return rc;
	f->more = json_pack("{s:{s:s?}}", "GetDefaultPatchBaseline", "BaselineId", dflt);
	free(dflt);
	if (!f->more) {
		res_diag_internal(d, "GetDefaultPatchBaseline", NULL);
		return AWS_ERR_OTHER;
	}
	return 0;
}

/* default_baseline: whether the OS default is this baseline. */
static int pb_flatten(const res_found *f, const tf_value *prior, tf_value *obj)
{
	const char *dflt = json_string_value(
		json_object_get(json_object_get(f->more, "GetDefaultPatchBaseline"), "BaselineId"));
	const char *id = tf_value_attr_str(obj, "id");

	(void)prior;
	return res_set_attr(obj, "default_baseline",
			    tf_value_bool(dflt && id && strcmp(dflt, id) == 0));
}

/* ---------------------------------------------------------------- patch groups and default */

static int pb_group_call(provider_ctx *p, const char *op, const char *id, const char *group,
			 tf_diags *d)
{
	json_t *req = json_pack("{s:s,s:s}", "BaselineId", id, "PatchGroup", group), *resp = NULL;
	aws_error err;
	int rc;

	if (!req) {
		res_diag_internal(d, op, NULL);
		return AWS_ERR_OTHER;
	}
	memset(&err, 0, sizeof(err));
	rc = ssm_call(p->aws, op, req, &resp, &err);
	json_decref(req);
	json_decref(resp);
	if (rc == AWS_ERR_NOT_FOUND && strncmp(op, "Deregister", 10) == 0)
		return 0; /* already not registered */
	if (rc != 0) {
		char what[384]; /* op (<64) + a group name (<=256) */

		snprintf(what, sizeof(what), "%s (patch group \"%s\")", op, group);
		res_diag_aws_at(d, "patch_groups", what, &err);
	}
	return rc;
}

static int pb_register_default(provider_ctx *p, const char *id, tf_diags *d)
{
	return res_call(p, "RegisterDefaultPatchBaseline", json_pack("{s:s}", "BaselineId", id),
			NULL, "default_baseline", d);
}

/* ^AWS-[0-9A-Za-z]+PatchBaseline$ : the AWS-owned default's naming pattern. */
static bool is_aws_default_name(const char *name)
{
	static const char suffix[] = "PatchBaseline";
	size_t n, i;

	if (!name || strncmp(name, "AWS-", 4) != 0)
		return false;
	n = strlen(name);
	if (n <= 4 + sizeof(suffix) - 1 || strcmp(name + n - (sizeof(suffix) - 1), suffix) != 0)
		return false;
	for (i = 4; i < n; i++)
		if (!isalnum((unsigned char)name[i]))
			return false;
	return true;
}

/*
 * Make the AWS-owned baseline the default for `os` again. No such baseline
 * (an emulator, a new OS) is a warning: there is nothing to restore to.
 */
static int pb_restore_aws_default(provider_ctx *p, const char *os, tf_diags *d)
{
	json_t *req, *list = NULL;
	const char *found = NULL;
	size_t i, n_found = 0;
	aws_error err;
	int rc;

	req = json_pack("{s:[{s:s,s:[s]},{s:s,s:[s]}]}", "Filters", "Key", "OWNER", "Values", "AWS",
			"Key", "OPERATING_SYSTEM", "Values", os);
	if (!req) {
		res_diag_internal(d, "DescribePatchBaselines", NULL);
		return AWS_ERR_OTHER;
	}
	memset(&err, 0, sizeof(err));
	rc = ssm_call_all(p->aws, "DescribePatchBaselines", req, "BaselineIdentities", &list, &err);
	if (rc != 0) {
		res_diag_aws_at(d, "default_baseline", "DescribePatchBaselines", &err);
		goto done;
	}
	for (i = 0; i < json_array_size(list); i++) {
		json_t *b = json_array_get(list, i);

		if (is_aws_default_name(json_string_value(json_object_get(b, "BaselineName")))) {
			if (!found)
				found = json_string_value(json_object_get(b, "BaselineId"));
			n_found++;
		}
	}
	if (!found) {
		tf_diags_warn(d, NULL, "No AWS-owned default patch baseline",
			      "No AWS-owned default patch baseline was found for operating system "
			      "%s, so the default could not be restored.",
			      os);
		goto done;
	}
	if (n_found > 1)
		tf_diags_warn(d, NULL, "Several AWS-owned default patch baselines",
			      "Found %zu AWS-owned default patch baselines for %s; restoring %s.",
			      n_found, os, found);
	rc = pb_register_default(p, found, d);
done:
	json_decref(req);
	json_decref(list);
	return rc;
}

/* ---------------------------------------------------------------- hooks: groups and default */

/* Register every group, then the default when planned. */
static int pb_after_create(provider_ctx *p, const char *id, const tf_value *planned, tf_diags *d)
{
	const tf_value *groups = tf_value_attr(planned, "patch_groups");
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < tf_value_len(groups); i++) {
		const char *g = tf_value_str(tf_value_index(groups, i));

		if (g)
			rc = pb_group_call(p, "RegisterPatchBaselineForPatchGroup", id, g, d);
	}
	if (rc == 0 && tf_value_bool_or(tf_value_attr(planned, "default_baseline"), false))
		rc = pb_register_default(p, id, d);
	return rc;
}

static bool set_has(const tf_value *set, const char *s)
{
	size_t i;

	for (i = 0; i < tf_value_len(set); i++) {
		const char *e = tf_value_str(tf_value_index(set, i));

		if (e && strcmp(e, s) == 0)
			return true;
	}
	return false;
}

/* The group diff (deregister first: a group moving between baselines frees
 * up before it is taken), then the default. */
static int pb_after_update(provider_ctx *p, const tf_value *prior, const tf_value *planned,
			   tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");
	const char *os = tf_value_attr_str(prior, "operating_system");
	const tf_value *old_groups = tf_value_attr(prior, "patch_groups");
	const tf_value *new_groups = tf_value_attr(planned, "patch_groups");
	bool was_default = tf_value_bool_or(tf_value_attr(prior, "default_baseline"), false);
	bool is_default = tf_value_bool_or(tf_value_attr(planned, "default_baseline"), false);
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < tf_value_len(old_groups); i++) {
		const char *g = tf_value_str(tf_value_index(old_groups, i));

		if (g && !set_has(new_groups, g))
			rc = pb_group_call(p, "DeregisterPatchBaselineForPatchGroup", id, g, d);
	}
	for (i = 0; rc == 0 && i < tf_value_len(new_groups); i++) {
		const char *g = tf_value_str(tf_value_index(new_groups, i));

		if (g && !set_has(old_groups, g))
			rc = pb_group_call(p, "RegisterPatchBaselineForPatchGroup", id, g, d);
	}
	if (rc == 0 && is_default && !was_default)
		rc = pb_register_default(p, id, d);
	else if (rc == 0 && !is_default && was_default)
		rc = pb_restore_aws_default(p, os ? os : "WINDOWS", d);
	return rc;
}

/* Deregister the groups the API lists (also those registered outside
 * Terraform), and restore the AWS default if this one is the default. */
static int pb_before_delete(provider_ctx *p, const tf_value *prior, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");
	json_t *resp = NULL;
	const json_t *groups;
	const char *os;
	char *dflt = NULL;
	size_t i;
	int rc;

	if (!id)
		return AWS_ERR_NOT_FOUND;
	rc = res_get(p, "GetPatchBaseline", json_pack("{s:s}", "BaselineId", id), &resp, NULL, d);
	if (rc != 0)
		goto done;
	groups = json_object_get(resp, "PatchGroups");
	for (i = 0; rc == 0 && i < json_array_size(groups); i++) {
		const char *g = json_string_value(json_array_get(groups, i));

		if (g)
			rc = pb_group_call(p, "DeregisterPatchBaselineForPatchGroup", id, g, d);
	}
	if (rc != 0)
		goto done;
	os = json_string_value(json_object_get(resp, "OperatingSystem"));
	if ((rc = pb_default_for_os(p, os ? os : "WINDOWS", &dflt, d)) != 0)
		goto done;
	if (dflt && strcmp(dflt, id) == 0)
		rc = pb_restore_aws_default(p, os ? os : "WINDOWS", d);
done:
	json_decref(resp);
	free(dflt);
	return rc;
}

const res_def res_patch_baseline_def = {
	.schema = &schema_patch_baseline,
	.what = "patch baseline",
	.op = {"CreatePatchBaseline", "GetPatchBaseline", "UpdatePatchBaseline",
	       "DeletePatchBaseline"},
	.keys = {{"id", "BaselineId", "pb-"}},
	.arn_kind = "patchbaseline",
	.tag_type = "PatchBaseline",
	.map = &pb_map,
	.find = pb_find,
	.flatten = pb_flatten,
	.after_create = pb_after_create,
	.after_update = pb_after_update,
	.before_delete = pb_before_delete,
};
