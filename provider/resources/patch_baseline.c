/*
 * patch_baseline.c - ssmpatch_patch_baseline: an SSM patch baseline with its
 * patch groups, default-baseline flag and tags managed inline (as CloudFormation's
 * AWS::SSM::PatchBaseline does).
 *
 * API calls per step:
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

#define PB_RESOURCE_TYPE "PatchBaseline"
#define PB_ARN_KIND "patchbaseline"

static const schema_block *pb_block(void)
{
	return schema_patch_baseline.block;
}

static const schema_block *nested(const schema_block *b, const char *name)
{
	const schema_nested *n = schema_find_block(b, name);

	return n ? n->block : NULL;
}

/* ---------------------------------------------------------------- expand */

/* List of key/values blocks -> [{"Key": k, "Values": [...]}]. */
static json_t *expand_filters(const tf_value *list)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < tf_value_len(list); i++) {
		const tf_value *f = tf_value_index(list, i);
		json_t *o = json_object();

		if (!o || res_json_put_str(o, "Key", tf_value_attr(f, "key")) < 0 ||
		    res_json_put_strings(o, "Values", tf_value_attr(f, "values")) < 0 ||
		    json_array_append_new(arr, o) != 0) {
			json_decref(o);
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* {"PatchFilters": [...]} */
static json_t *expand_filter_group(const tf_value *list)
{
	json_t *f = expand_filters(list);

	return f ? json_pack("{s:o}", "PatchFilters", f) : NULL;
}

static json_t *expand_rules(const tf_value *list)
{
	json_t *rules = json_array();
	size_t i;

	for (i = 0; rules && i < tf_value_len(list); i++) {
		const tf_value *r = tf_value_index(list, i);
		json_t *o = json_object(),
		       *g = expand_filter_group(tf_value_attr(r, "patch_filter"));

		if (!o || !g || json_object_set_new(o, "PatchFilterGroup", g) != 0 ||
		    res_json_put_str(o, "ComplianceLevel", tf_value_attr(r, "compliance_level")) <
			    0 ||
		    res_json_put_int(o, "ApproveAfterDays",
				     tf_value_attr(r, "approve_after_days")) < 0 ||
		    res_json_put_str(o, "ApproveUntilDate",
				     tf_value_attr(r, "approve_until_date")) < 0 ||
		    res_json_put_bool(o, "EnableNonSecurity",
				      tf_value_attr(r, "enable_non_security")) < 0 ||
		    json_array_append_new(rules, o) != 0) {
			if (!o)
				json_decref(g);
			json_decref(o);
			json_decref(rules);
			return NULL;
		}
	}
	return rules;
}

static json_t *expand_sources(const tf_value *list)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < tf_value_len(list); i++) {
		const tf_value *s = tf_value_index(list, i);
		json_t *o = json_object();

		if (!o || res_json_put_str(o, "Name", tf_value_attr(s, "name")) < 0 ||
		    res_json_put_strings(o, "Products", tf_value_attr(s, "products")) < 0 ||
		    res_json_put_str(o, "Configuration", tf_value_attr(s, "configuration")) < 0 ||
		    json_array_append_new(arr, o) != 0) {
			json_decref(o);
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* Put a non-empty set/list of strings only (the API treats [] and absent alike). */
static int put_nonempty_strings(json_t *req, const char *key, const tf_value *v)
{
	return tf_value_len(v) > 0 ? res_json_put_strings(req, key, v) : 0;
}

json_t *res_patch_baseline_expand(const tf_value *v, bool create)
{
	json_t *req = json_object();
	const tf_value *gf = tf_value_attr(v, "global_filter");
	const tf_value *ar = tf_value_attr(v, "approval_rule");
	const tf_value *src = tf_value_attr(v, "source");

	if (!req)
		return NULL;
	if (res_json_put_str(req, "Name", tf_value_attr(v, "name")) < 0 ||
	    res_json_put_str(req, "Description", tf_value_attr(v, "description")) < 0 ||
	    (create &&
	     res_json_put_str(req, "OperatingSystem", tf_value_attr(v, "operating_system")) < 0) ||
	    put_nonempty_strings(req, "ApprovedPatches", tf_value_attr(v, "approved_patches")) <
		    0 ||
	    res_json_put_str(req, "ApprovedPatchesComplianceLevel",
			     tf_value_attr(v, "approved_patches_compliance_level")) < 0 ||
	    res_json_put_bool(req, "ApprovedPatchesEnableNonSecurity",
			      tf_value_attr(v, "approved_patches_enable_non_security")) < 0 ||
	    put_nonempty_strings(req, "RejectedPatches", tf_value_attr(v, "rejected_patches")) <
		    0 ||
	    res_json_put_str(req, "RejectedPatchesAction",
			     tf_value_attr(v, "rejected_patches_action")) < 0)
		goto fail;
	if (tf_value_len(gf) > 0) {
		json_t *g = expand_filter_group(gf);

		if (!g || json_object_set_new(req, "GlobalFilters", g) != 0)
			goto fail;
	}
	if (tf_value_len(ar) > 0) {
		json_t *r = expand_rules(ar);

		if (!r || json_object_set_new(req, "ApprovalRules",
					      json_pack("{s:o}", "PatchRules", r)) != 0)
			goto fail;
	}
	if (tf_value_len(src) > 0) {
		json_t *s = expand_sources(src);

		if (!s || json_object_set_new(req, "Sources", s) != 0)
			goto fail;
	}
	return req;
fail:
	json_decref(req);
	return NULL;
}

/* ---------------------------------------------------------------- flatten */

/* A string with a schema default: the default when the API omits it. */
static tf_value *str_or(const json_t *resp, const char *key, const char *dflt)
{
	json_t *j = json_object_get(resp, key);

	return json_is_string(j) ? tf_value_string_len(json_string_value(j), json_string_length(j))
				 : tf_value_string(dflt);
}

/* [{Key, Values}] -> list of key/values block objects of block `b`. `prior` is
 * the prior list (element i pairs with prior element i) for key spelling. */
static tf_value *flatten_filters(const schema_block *b, const json_t *arr, const tf_value *prior)
{
	tf_value *list = tf_value_empty(tf_type_list(schema_block_type(b)));
	size_t i;

	for (i = 0; list && i < json_array_size(arr); i++) {
		const json_t *f = json_array_get(arr, i);
		tf_value *o = schema_new_object(b);

		if (!o || res_set_attr(o, "key", res_tf_str(f, "Key")) < 0 ||
		    res_set_attr(o, "values",
				 res_tf_strings(json_object_get(f, "Values"),
						res_type_string_list(), false)) < 0) {
			tf_value_free(o);
			goto fail;
		}
		if (i < tf_value_len(prior))
			res_keep_prior(o, tf_value_index(prior, i), "key", res_equiv_icase);
		if (tf_value_append(list, o) != 0) {
			tf_value_free(o);
			goto fail;
		}
	}
	return list;
fail:
	tf_value_free(list);
	return NULL;
}

static tf_value *flatten_rules(const schema_block *rb, const json_t *arr, const tf_value *prior)
{
	const schema_block *fb = nested(rb, "patch_filter");
	tf_value *list = tf_value_empty(tf_type_list(schema_block_type(rb)));
	size_t i;

	for (i = 0; list && i < json_array_size(arr); i++) {
		const json_t *r = json_array_get(arr, i);
		const json_t *pf =
			json_object_get(json_object_get(r, "PatchFilterGroup"), "PatchFilters");
		const tf_value *pr = i < tf_value_len(prior) ? tf_value_index(prior, i) : NULL;
		tf_value *o = schema_new_object(rb);

		if (!o ||
		    res_set_attr(o, "compliance_level",
				 str_or(r, "ComplianceLevel", "UNSPECIFIED")) < 0 ||
		    res_set_attr(o, "approve_after_days", res_tf_num(r, "ApproveAfterDays")) < 0 ||
		    res_set_attr(o, "approve_until_date", res_tf_str(r, "ApproveUntilDate")) < 0 ||
		    res_set_attr(o, "enable_non_security",
				 res_tf_bool_or(r, "EnableNonSecurity", false)) < 0 ||
		    res_set_attr(o, "patch_filter",
				 flatten_filters(fb, pf, tf_value_attr(pr, "patch_filter"))) < 0) {
			tf_value_free(o);
			goto fail;
		}
		res_keep_prior(o, pr, "compliance_level", res_equiv_icase);
		res_keep_prior(o, pr, "approve_until_date", res_equiv_icase);
		if (tf_value_append(list, o) != 0) {
			tf_value_free(o);
			goto fail;
		}
	}
	return list;
fail:
	tf_value_free(list);
	return NULL;
}

static tf_value *flatten_sources(const schema_block *sb, const json_t *arr)
{
	tf_value *list = tf_value_empty(tf_type_list(schema_block_type(sb)));
	size_t i;

	for (i = 0; list && i < json_array_size(arr); i++) {
		const json_t *s = json_array_get(arr, i);
		tf_value *o = schema_new_object(sb);

		if (!o || res_set_attr(o, "name", res_tf_str(s, "Name")) < 0 ||
		    res_set_attr(o, "configuration", res_tf_str(s, "Configuration")) < 0 ||
		    res_set_attr(o, "products",
				 res_tf_strings(json_object_get(s, "Products"),
						res_type_string_list(), false)) < 0 ||
		    tf_value_append(list, o) != 0) {
			tf_value_free(o);
			goto fail;
		}
	}
	return list;
fail:
	tf_value_free(list);
	return NULL;
}

/* An optional set the user left null stays null when the API has none. */
static tf_value *flatten_set(const json_t *resp, const char *key, const tf_value *prior,
			     const char *attr)
{
	bool was_set = tf_value_is_known(tf_value_attr(prior, attr));

	return res_tf_strings(json_object_get(resp, key), res_type_string_set(), !was_set);
}

int res_patch_baseline_flatten(const provider_ctx *p, const json_t *resp, const tf_value *prior,
			       const tf_value *tags_all, bool is_default, const char *arn,
			       tf_value **out)
{
	const schema_block *b = pb_block();
	const json_t *gf = json_object_get(json_object_get(resp, "GlobalFilters"), "PatchFilters");
	const json_t *rules = json_object_get(json_object_get(resp, "ApprovalRules"), "PatchRules");
	const json_t *desc = json_object_get(resp, "Description");
	tf_value *o = schema_new_object(b);

	*out = NULL;
	/* The API may answer "" for a description never set. */
	if (json_is_string(desc) && json_string_length(desc) == 0 &&
	    !tf_value_is_known(tf_value_attr(prior, "description")))
		desc = NULL;
	if (!o || res_set_attr(o, "id", res_tf_str(resp, "BaselineId")) < 0 ||
	    res_set_str(o, "arn", arn) < 0 ||
	    res_set_attr(o, "name", res_tf_str(resp, "Name")) < 0 ||
	    (desc && res_set_attr(o, "description", res_tf_str(resp, "Description")) < 0) ||
	    res_set_attr(o, "operating_system", str_or(resp, "OperatingSystem", "WINDOWS")) < 0 ||
	    res_set_attr(o, "patch_groups",
			 flatten_set(resp, "PatchGroups", prior, "patch_groups")) < 0 ||
	    res_set_attr(o, "default_baseline", tf_value_bool(is_default)) < 0 ||
	    res_set_attr(o, "approved_patches",
			 flatten_set(resp, "ApprovedPatches", prior, "approved_patches")) < 0 ||
	    res_set_attr(o, "approved_patches_compliance_level",
			 str_or(resp, "ApprovedPatchesComplianceLevel", "UNSPECIFIED")) < 0 ||
	    res_set_attr(o, "approved_patches_enable_non_security",
			 res_tf_bool_or(resp, "ApprovedPatchesEnableNonSecurity", false)) < 0 ||
	    res_set_attr(o, "rejected_patches",
			 flatten_set(resp, "RejectedPatches", prior, "rejected_patches")) < 0 ||
	    res_set_attr(o, "rejected_patches_action", res_tf_str(resp, "RejectedPatchesAction")) <
		    0 ||
	    res_set_attr(o, "global_filter",
			 flatten_filters(nested(b, "global_filter"), gf,
					 tf_value_attr(prior, "global_filter"))) < 0 ||
	    res_set_attr(o, "approval_rule",
			 flatten_rules(nested(b, "approval_rule"), rules,
				       tf_value_attr(prior, "approval_rule"))) < 0 ||
	    res_set_attr(o, "source",
			 flatten_sources(nested(b, "source"), json_object_get(resp, "Sources"))) <
		    0 ||
	    res_set_attr(o, "tags", res_tags_from_all(p, tags_all, tf_value_attr(prior, "tags"))) <
		    0 ||
	    res_set_attr(o, "tags_all",
			 tags_all ? tf_value_clone(tags_all)
				  : tf_value_empty(res_type_string_map())) < 0) {
		tf_value_free(o);
		return -1;
	}
	res_keep_prior(o, prior, "operating_system", res_equiv_icase);
	res_keep_prior(o, prior, "approved_patches_compliance_level", res_equiv_icase);
	res_keep_prior(o, prior, "rejected_patches_action", res_equiv_icase);
	*out = o;
	return 0;
}

/* ---------------------------------------------------------------- find */

/* GetPatchBaseline. AWS_ERR_NOT_FOUND (no diagnostic) when it does not exist. */
static int pb_find(provider_ctx *p, const char *id, json_t **resp, tf_diags *d)
{
	return res_get(p, "GetPatchBaseline", json_pack("{s:s}", "BaselineId", id), resp, d);
}

/* GetDefaultPatchBaseline for `os`: *out_id = the default's ID (malloc'd) or NULL. */
static int pb_default_for_os(provider_ctx *p, const char *os, char **out_id, tf_diags *d)
{
	json_t *req = json_pack("{s:s}", "OperatingSystem", os), *resp = NULL;
	aws_error err;
	int rc;

	*out_id = NULL;
	if (!req) {
		res_diag_internal(d, "GetDefaultPatchBaseline", NULL);
		return AWS_ERR_OTHER;
	}
	memset(&err, 0, sizeof(err));
	rc = ssm_call(p->aws, "GetDefaultPatchBaseline", req, &resp, &err);
	if (rc == AWS_ERR_NOT_FOUND) {
		rc = 0;
	} else if (rc != 0) {
		res_diag_aws_at(d, "default_baseline", "GetDefaultPatchBaseline", &err);
	} else {
		const char *id = json_string_value(json_object_get(resp, "BaselineId"));

		if (id && !(*out_id = strdup(id))) {
			res_diag_internal(d, "GetDefaultPatchBaseline", NULL);
			rc = AWS_ERR_OTHER;
		}
	}
	json_decref(req);
	json_decref(resp);
	return rc;
}

/* Read the whole object. *out NULL (and 0) when gone. */
static int pb_read_id(provider_ctx *p, const char *id, const tf_value *prior, tf_value **out,
		      tf_diags *d)
{
	json_t *resp = NULL;
	tf_value *tags = NULL;
	char *arn = NULL, *dflt = NULL;
	const char *os;
	int rc;

	*out = NULL;
	rc = pb_find(p, id, &resp, d);
	if (rc == AWS_ERR_NOT_FOUND) {
		rc = 0;
		goto done;
	}
	if (rc != 0)
		goto done;
	rc = res_tags_read(p, PB_RESOURCE_TYPE, id, &tags, d);
	if (rc == AWS_ERR_NOT_FOUND) { /* deleted between the two calls */
		rc = 0;
		goto done;
	}
	if (rc != 0)
		goto done;
	os = json_string_value(json_object_get(resp, "OperatingSystem"));
	if ((rc = pb_default_for_os(p, os ? os : "WINDOWS", &dflt, d)) != 0)
		goto done;
	if ((rc = res_arn(p, PB_ARN_KIND, id, &arn, d)) != 0)
		goto done;
	if (res_patch_baseline_flatten(p, resp, prior, tags, dflt && strcmp(dflt, id) == 0, arn,
				       out) < 0) {
		res_diag_internal(d, "reading the patch baseline", NULL);
		rc = AWS_ERR_OTHER;
	}
done:
	json_decref(resp);
	tf_value_free(tags);
	free(arn);
	free(dflt);
	return rc;
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
	json_t *req = json_pack("{s:s}", "BaselineId", id), *resp = NULL;
	aws_error err;
	int rc;

	if (!req) {
		res_diag_internal(d, "RegisterDefaultPatchBaseline", NULL);
		return AWS_ERR_OTHER;
	}
	memset(&err, 0, sizeof(err));
	rc = ssm_call(p->aws, "RegisterDefaultPatchBaseline", req, &resp, &err);
	if (rc != 0)
		res_diag_aws_at(d, "default_baseline", "RegisterDefaultPatchBaseline", &err);
	json_decref(req);
	json_decref(resp);
	return rc;
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

/* ---------------------------------------------------------------- create */

static int pb_read(provider_ctx *p, const tf_value *prior, tf_value **out, tf_diags *d);

static int pb_create(provider_ctx *p, const tf_value *planned, tf_value **out, tf_diags *d)
{
	json_t *req = NULL, *resp = NULL;
	tf_value *all = NULL;
	const tf_value *groups = tf_value_attr(planned, "patch_groups");
	char token[37], *id = NULL;
	aws_error err;
	size_t i;
	int rc = 0;

	*out = NULL;
	req = res_patch_baseline_expand(planned, true);
	all = res_tags_all(p, tf_value_attr(planned, "tags"));
	res_client_token(token);
	if (!req || !all || json_object_set_new(req, "ClientToken", json_string(token)) != 0 ||
	    (tf_value_len(all) > 0 &&
	     json_object_set_new(req, "Tags", res_json_tag_list(all)) != 0)) {
		res_diag_internal(d, "CreatePatchBaseline", NULL);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	memset(&err, 0, sizeof(err));
	rc = ssm_call(p->aws, "CreatePatchBaseline", req, &resp, &err);
	if (rc != 0) {
		res_diag_aws(d, NULL, "CreatePatchBaseline", &err);
		goto done;
	}
	{
		const char *s = json_string_value(json_object_get(resp, "BaselineId"));

		if (!s || !(id = strdup(s))) {
			res_diag_internal(d, "CreatePatchBaseline", "the answer has no BaselineId");
			rc = AWS_ERR_OTHER;
			goto done;
		}
	}

	/* From here on the baseline exists: every failure returns it in *out. */
	for (i = 0; rc == 0 && i < tf_value_len(groups); i++) {
		const char *g = tf_value_str(tf_value_index(groups, i));

		if (g)
			rc = pb_group_call(p, "RegisterPatchBaselineForPatchGroup", id, g, d);
	}
	if (rc == 0 && tf_value_bool_or(tf_value_attr(planned, "default_baseline"), false))
		rc = pb_register_default(p, id, d);
	if (rc != 0) {
		res_read_back(p, pb_read, planned, id, out, NULL);
		goto done;
	}
	rc = res_read_after_write(p, pb_read, planned, id, "Patch baseline", out, d);
done:
	json_decref(req);
	json_decref(resp);
	tf_value_free(all);
	free(id);
	return rc;
}

/* ---------------------------------------------------------------- read */

static int pb_read(provider_ctx *p, const tf_value *prior, tf_value **out, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");

	*out = NULL;
	if (!id || !*id)
		return 0;
	return pb_read_id(p, id, prior, out, d);
}

/* ---------------------------------------------------------------- update */

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

static int pb_update(provider_ctx *p, const tf_value *prior, const tf_value *planned,
		     tf_value **out, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");
	const char *os = tf_value_attr_str(prior, "operating_system");
	const tf_value *old_groups = tf_value_attr(prior, "patch_groups");
	const tf_value *new_groups = tf_value_attr(planned, "patch_groups");
	bool was_default = tf_value_bool_or(tf_value_attr(prior, "default_baseline"), false);
	bool is_default = tf_value_bool_or(tf_value_attr(planned, "default_baseline"), false);
	json_t *old_req = NULL, *new_req = NULL, *resp = NULL;
	tf_value *all = NULL;
	aws_error err;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!id) {
		tf_diags_error(d, NULL, "Patch baseline has no ID", "The prior state has no id.");
		return AWS_ERR_OTHER;
	}
	old_req = res_patch_baseline_expand(prior, false);
	new_req = res_patch_baseline_expand(planned, false);
	all = res_tags_all(p, tf_value_attr(planned, "tags"));
	if (!old_req || !new_req || !all) {
		res_diag_internal(d, "UpdatePatchBaseline", NULL);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	if (!json_equal(old_req, new_req)) {
		if (json_object_set_new(new_req, "BaselineId", json_string(id)) != 0 ||
		    json_object_set_new(new_req, "Replace", json_true()) != 0) {
			res_diag_internal(d, "UpdatePatchBaseline", NULL);
			rc = AWS_ERR_OTHER;
			goto done;
		}
		memset(&err, 0, sizeof(err));
		rc = ssm_call(p->aws, "UpdatePatchBaseline", new_req, &resp, &err);
		if (rc != 0) {
			res_diag_aws(d, NULL, "UpdatePatchBaseline", &err);
			goto partial;
		}
	}
	/* Deregister first: a group moving between baselines frees up before it is taken. */
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
	if (rc == 0)
		rc = res_tags_update(p, PB_RESOURCE_TYPE, id, tf_value_attr(prior, "tags_all"), all,
				     d);
	if (rc != 0)
		goto partial;

	rc = res_read_after_write(p, pb_read, planned, id, "Patch baseline", out, d);
	goto done;
partial:
	res_read_back(p, pb_read, prior, id, out, NULL);
done:
	json_decref(old_req);
	json_decref(new_req);
	json_decref(resp);
	tf_value_free(all);
	return rc;
}

/* ---------------------------------------------------------------- delete */

static int pb_delete(provider_ctx *p, const tf_value *prior, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");
	json_t *resp = NULL;
	const json_t *groups;
	const char *os;
	char *dflt = NULL;
	size_t i;
	int rc;

	if (!id)
		return 0;
	rc = pb_find(p, id, &resp, d);
	if (rc == AWS_ERR_NOT_FOUND) {
		rc = 0;
		goto done;
	}
	if (rc != 0)
		goto done;
	/* The API's own list of groups: also those registered outside Terraform. */
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
	if (dflt && strcmp(dflt, id) == 0 &&
	    (rc = pb_restore_aws_default(p, os ? os : "WINDOWS", d)) != 0)
		goto done;

	rc = res_delete(p, "DeletePatchBaseline", json_pack("{s:s}", "BaselineId", id), d);
done:
	json_decref(resp);
	free(dflt);
	return rc;
}

/* ---------------------------------------------------------------- import */

static int pb_import(provider_ctx *p, const char *id, tf_value **out, tf_diags *d)
{
	(void)p;
	return res_import_prefixed_id(pb_block(), id, "pb-", "patch baseline", out, d);
}

const res_ops res_patch_baseline_ops = {
	.schema = &schema_patch_baseline,
	.plan = res_plan_tags_hook,
	.create = pb_create,
	.read = pb_read,
	.update = pb_update,
	.delete = pb_delete,
	.import = pb_import,
};
