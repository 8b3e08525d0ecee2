/*
 * patch_baseline.c - ssmpatch_patch_baseline: an SSM patch baseline with its
 * patch groups, default-baseline flag and tags managed inline (as CloudFormation's
 * AWS::SSM::PatchBaseline does).
 *
 * API calls per step (the skeleton in resource.c makes the plain ones; the
 * patch groups and the default are claims, taken and given up through
 * claim.c, which reads the current holder first):
 *   create  CreatePatchBaseline (ClientToken, Tags = tags_all), then acquire
 *           each patch group and, when default_baseline, the OS default; then
 *           read.
 *   read    GetPatchBaseline (its PatchGroups included), ListTagsForResource
 *           (ResourceType PatchBaseline), GetDefaultPatchBaseline for the OS.
 *   update  UpdatePatchBaseline Replace=true with the whole object (only when the
 *           body changed); release the groups dropped, acquire the groups added;
 *           acquire (to true) or release (to false) the default;
 *           RemoveTagsFromResource/AddTagsToResource.
 *   delete  GetPatchBaseline, release every group it lists and the default,
 *           DeletePatchBaseline. Already gone = success.
 *   import  the baseline ID (pb-...).
 * Force new: operating_system (schema flag; the engine plans the replacement).
 * A replacement with create_before_destroy works because the new baseline
 * takes the groups and the default over from the old one, whose release then
 * finds them held by another baseline and leaves them alone.
 *
 * Quirks worked around:
 * - The API answers [] for lists the user never set; an optional set that was
 *   null before stays null (no perpetual diff).
 * - Enums and dates are kept in the user's spelling when the API echoes an
 *   equivalent one (case).
 * - Taking over a patch group from another baseline, releasing only what this
 *   baseline still holds, and "not the default any more": see claim.c.
 * - A failure after CreatePatchBaseline returns the baseline as it now exists
 *   plus the error, so Terraform keeps it in state and the next apply converges.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "claim.h"
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

/* ---------------------------------------------------------------- hooks: groups and default */

/* The baseline's operating system (the schema's default when unset). */
static const char *pb_os(const tf_value *obj)
{
	const char *os = tf_value_attr_str(obj, "operating_system");

	return os ? os : "WINDOWS";
}

static bool set_has(const tf_value *set, const char *s)
{
	for (size_t i = 0; i < tf_value_len(set); i++) {
		const char *e = tf_value_str(tf_value_index(set, i));

		if (e && strcmp(e, s) == 0)
			return true;
	}
	return false;
}

/* Acquire (or release) every group of `groups` not in `except` (may be NULL). */
static int pb_claim_groups(provider_ctx *p, bool acquire, const char *os, const char *id,
			   const tf_value *groups, const tf_value *except, tf_diags *d)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < tf_value_len(groups); i++) {
		claim c = {os, tf_value_str(tf_value_index(groups, i))};

		if (c.group && !set_has(except, c.group))
			rc = acquire ? claim_acquire(p, &c, id, d) : claim_release(p, &c, id, d);
	}
	return rc;
}

/* Take every planned group, then the default when planned. */
static int pb_after_create(provider_ctx *p, const char *id, const tf_value *planned, tf_diags *d)
{
	claim dflt = {pb_os(planned), NULL};
	int rc = pb_claim_groups(p, true, dflt.os, id, tf_value_attr(planned, "patch_groups"), NULL,
				 d);

	if (rc == 0 && tf_value_bool_or(tf_value_attr(planned, "default_baseline"), false))
		rc = claim_acquire(p, &dflt, id, d);
	return rc;
}

/* Give up the groups dropped, take the groups added, then the default. */
static int pb_after_update(provider_ctx *p, const tf_value *prior, const tf_value *planned,
			   tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");
	const tf_value *old_groups = tf_value_attr(prior, "patch_groups");
	const tf_value *new_groups = tf_value_attr(planned, "patch_groups");
	bool was_default = tf_value_bool_or(tf_value_attr(prior, "default_baseline"), false);
	bool is_default = tf_value_bool_or(tf_value_attr(planned, "default_baseline"), false);
	claim dflt = {pb_os(prior), NULL};
	int rc = pb_claim_groups(p, false, dflt.os, id, old_groups, new_groups, d);

	if (rc == 0)
		rc = pb_claim_groups(p, true, dflt.os, id, new_groups, old_groups, d);
	if (rc == 0 && is_default && !was_default)
		rc = claim_acquire(p, &dflt, id, d);
	else if (rc == 0 && !is_default && was_default)
		rc = claim_release(p, &dflt, id, d);
	return rc;
}

/* Give up the groups the API lists (also those registered outside Terraform)
 * and the default, each only where this baseline still holds it. */
static int pb_before_delete(provider_ctx *p, const tf_value *prior, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");
	json_t *resp = NULL, *g;
	claim c = {NULL, NULL};
	size_t i;
	int rc;

	if (!id)
		return AWS_ERR_NOT_FOUND;
	rc = res_get(p, "GetPatchBaseline", json_pack("{s:s}", "BaselineId", id), &resp, NULL, d);
	c.os = json_string_value(json_object_get(resp, "OperatingSystem"));
	if (!c.os)
		c.os = "WINDOWS";
	json_array_foreach (json_object_get(resp, "PatchGroups"), i, g) {
		if (rc != 0)
			break;
		if ((c.group = json_string_value(g)))
			rc = claim_release(p, &c, id, d);
	}
	c.group = NULL;
	if (rc == 0)
		rc = claim_release(p, &c, id, d);
	json_decref(resp);
	return rc;
}

const res_def res_patch_baseline_def = {
	.schema = &schema_patch_baseline,
	.what = "patch baseline",
	.op = {"CreatePatchBaseline", "GetPatchBaseline", "UpdatePatchBaseline",
	       "DeletePatchBaseline"},
	.keys = {{.attr = "id", .member = "BaselineId", .prefix = "pb-"}},
	.arn_kind = "patchbaseline",
	.tag_type = "PatchBaseline",
	.map = &pb_map,
	.find = pb_find,
	.flatten = pb_flatten,
	.after_create = pb_after_create,
	.after_update = pb_after_update,
	.before_delete = pb_before_delete,
};
