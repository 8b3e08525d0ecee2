/*
 * maintenance_window.c - ssmpatch_maintenance_window: an SSM maintenance window
 * (schedule, duration, cutoff, dates, time zone, offset, enabled) and its tags.
 *
 * API calls per step:
 *   create  CreateMaintenanceWindow (ClientToken, Tags = tags_all), then
 *           UpdateMaintenanceWindow Enabled=false when enabled = false (create has
 *           no such field); then read.
 *   read    GetMaintenanceWindow, ListTagsForResource (ResourceType
 *           MaintenanceWindow).
 *   update  UpdateMaintenanceWindow Replace=true with every field (only when one
 *           of them changed), RemoveTagsFromResource/AddTagsToResource.
 *   delete  DeleteMaintenanceWindow. Already gone = success.
 *   import  the window ID (mw-...).
 * Force new: none; everything is updated in place.
 *
 * Quirks worked around:
 * - Replace=true clears every optional field not sent, so the update request is
 *   always built from the whole planned object (an omitted field means "unset").
 * - Enabled is not a create parameter: a window meant to be disabled is created
 *   enabled and disabled right after; if that second call fails the window is
 *   returned in state (as enabled) with the error, and the next apply retries.
 * - The API may echo a time zone or a date in another case; the user's spelling
 *   is kept when equivalent.
 */
#include "common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "schema/schema_tables.h"

#define MW_RESOURCE_TYPE "MaintenanceWindow"
#define MW_ARN_KIND "maintenancewindow"

static const schema_block *mw_block(void)
{
	return schema_maintenance_window.block;
}

/* ---------------------------------------------------------------- expand */

json_t *res_maintenance_window_expand(const tf_value *v, bool create)
{
	json_t *req = json_object();

	if (!req)
		return NULL;
	if (res_json_put_str(req, "Name", tf_value_attr(v, "name")) < 0 ||
	    res_json_put_str(req, "Description", tf_value_attr(v, "description")) < 0 ||
	    res_json_put_str(req, "StartDate", tf_value_attr(v, "start_date")) < 0 ||
	    res_json_put_str(req, "EndDate", tf_value_attr(v, "end_date")) < 0 ||
	    res_json_put_str(req, "Schedule", tf_value_attr(v, "schedule")) < 0 ||
	    res_json_put_str(req, "ScheduleTimezone", tf_value_attr(v, "schedule_timezone")) < 0 ||
	    res_json_put_int(req, "ScheduleOffset", tf_value_attr(v, "schedule_offset")) < 0 ||
	    res_json_put_int(req, "Duration", tf_value_attr(v, "duration")) < 0 ||
	    res_json_put_int(req, "Cutoff", tf_value_attr(v, "cutoff")) < 0 ||
	    res_json_put_bool(req, "AllowUnassociatedTargets",
			      tf_value_attr(v, "allow_unassociated_targets")) < 0 ||
	    (!create && res_json_put_bool(req, "Enabled", tf_value_attr(v, "enabled")) < 0)) {
		json_decref(req);
		return NULL;
	}
	return req;
}

/* ---------------------------------------------------------------- flatten */

/* Optional string: "" from the API reads as null when the user had none. */
static tf_value *opt_str(const json_t *resp, const char *key, const tf_value *prior,
			 const char *attr)
{
	const json_t *j = json_object_get(resp, key);

	if (json_is_string(j) && json_string_length(j) == 0 &&
	    !tf_value_is_known(tf_value_attr(prior, attr)))
		return tf_value_null(&tf_type_string);
	return res_tf_str(resp, key);
}

int res_maintenance_window_flatten(const provider_ctx *p, const json_t *resp, const tf_value *prior,
				   const tf_value *tags_all, const char *arn, tf_value **out)
{
	tf_value *o = schema_new_object(mw_block());

	*out = NULL;
	if (!o || res_set_attr(o, "id", res_tf_str(resp, "WindowId")) < 0 ||
	    res_set_str(o, "arn", arn) < 0 ||
	    res_set_attr(o, "name", res_tf_str(resp, "Name")) < 0 ||
	    res_set_attr(o, "schedule", res_tf_str(resp, "Schedule")) < 0 ||
	    res_set_attr(o, "duration", res_tf_num(resp, "Duration")) < 0 ||
	    res_set_attr(o, "cutoff", res_tf_num(resp, "Cutoff")) < 0 ||
	    res_set_attr(o, "allow_unassociated_targets",
			 res_tf_bool_or(resp, "AllowUnassociatedTargets", false)) < 0 ||
	    res_set_attr(o, "enabled", res_tf_bool_or(resp, "Enabled", true)) < 0 ||
	    res_set_attr(o, "description", opt_str(resp, "Description", prior, "description")) <
		    0 ||
	    res_set_attr(o, "start_date", opt_str(resp, "StartDate", prior, "start_date")) < 0 ||
	    res_set_attr(o, "end_date", opt_str(resp, "EndDate", prior, "end_date")) < 0 ||
	    res_set_attr(o, "schedule_timezone",
			 opt_str(resp, "ScheduleTimezone", prior, "schedule_timezone")) < 0 ||
	    res_set_attr(o, "schedule_offset", res_tf_num(resp, "ScheduleOffset")) < 0 ||
	    res_set_attr(o, "tags", res_tags_from_all(p, tags_all, tf_value_attr(prior, "tags"))) <
		    0 ||
	    res_set_attr(o, "tags_all",
			 tags_all ? tf_value_clone(tags_all)
				  : tf_value_empty(res_type_string_map())) < 0) {
		tf_value_free(o);
		return -1;
	}
	res_keep_prior(o, prior, "schedule", res_equiv_icase);
	res_keep_prior(o, prior, "schedule_timezone", res_equiv_icase);
	res_keep_prior(o, prior, "start_date", res_equiv_icase);
	res_keep_prior(o, prior, "end_date", res_equiv_icase);
	*out = o;
	return 0;
}

/* ---------------------------------------------------------------- find */

/* GetMaintenanceWindow. AWS_ERR_NOT_FOUND (no diagnostic) when it does not exist. */
static int mw_find(provider_ctx *p, const char *id, json_t **resp, tf_diags *d)
{
	return res_get(p, "GetMaintenanceWindow", json_pack("{s:s}", "WindowId", id), resp, d);
}

/* Read the whole object. *out NULL (and 0) when gone. */
static int mw_read_id(provider_ctx *p, const char *id, const tf_value *prior, tf_value **out,
		      tf_diags *d)
{
	json_t *resp = NULL;
	tf_value *tags = NULL;
	char *arn = NULL;
	int rc;

	*out = NULL;
	rc = mw_find(p, id, &resp, d);
	if (rc == AWS_ERR_NOT_FOUND) {
		rc = 0;
		goto done;
	}
	if (rc != 0)
		goto done;
	rc = res_tags_read(p, MW_RESOURCE_TYPE, id, &tags, d);
	if (rc == AWS_ERR_NOT_FOUND) {
		rc = 0;
		goto done;
	}
	if (rc != 0)
		goto done;
	if ((rc = res_arn(p, MW_ARN_KIND, id, &arn, d)) != 0)
		goto done;
	if (res_maintenance_window_flatten(p, resp, prior, tags, arn, out) < 0) {
		res_diag_internal(d, "reading the maintenance window", NULL);
		rc = AWS_ERR_OTHER;
	}
done:
	json_decref(resp);
	tf_value_free(tags);
	free(arn);
	return rc;
}

/* ---------------------------------------------------------------- create */

static int mw_read(provider_ctx *p, const tf_value *prior, tf_value **out, tf_diags *d);

static int mw_create(provider_ctx *p, const tf_value *planned, tf_value **out, tf_diags *d)
{
	json_t *req = NULL, *resp = NULL, *ureq = NULL, *uresp = NULL;
	tf_value *all = NULL;
	char token[37], *id = NULL;
	aws_error err;
	int rc = 0;

	*out = NULL;
	req = res_maintenance_window_expand(planned, true);
	all = res_tags_all(p, tf_value_attr(planned, "tags"));
	res_client_token(token);
	if (!req || !all || json_object_set_new(req, "ClientToken", json_string(token)) != 0 ||
	    (tf_value_len(all) > 0 &&
	     json_object_set_new(req, "Tags", res_json_tag_list(all)) != 0)) {
		res_diag_internal(d, "CreateMaintenanceWindow", NULL);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	memset(&err, 0, sizeof(err));
	rc = ssm_call(p->aws, "CreateMaintenanceWindow", req, &resp, &err);
	if (rc != 0) {
		res_diag_aws(d, NULL, "CreateMaintenanceWindow", &err);
		goto done;
	}
	{
		const char *s = json_string_value(json_object_get(resp, "WindowId"));

		if (!s || !(id = strdup(s))) {
			res_diag_internal(d, "CreateMaintenanceWindow",
					  "the answer has no WindowId");
			rc = AWS_ERR_OTHER;
			goto done;
		}
	}

	/* From here on the window exists: every failure returns it in *out. */
	if (!tf_value_bool_or(tf_value_attr(planned, "enabled"), true)) {
		ureq = json_pack("{s:s,s:b}", "WindowId", id, "Enabled", 0);
		if (!ureq) {
			res_diag_internal(d, "UpdateMaintenanceWindow", NULL);
			rc = AWS_ERR_OTHER;
		} else if ((rc = ssm_call(p->aws, "UpdateMaintenanceWindow", ureq, &uresp, &err)) !=
			   0) {
			res_diag_aws_at(d, "enabled", "UpdateMaintenanceWindow", &err);
		}
		if (rc != 0) {
			res_read_back(p, mw_read, planned, id, out, NULL);
			goto done;
		}
	}
	rc = res_read_after_write(p, mw_read, planned, id, "Maintenance window", out, d);
done:
	json_decref(req);
	json_decref(resp);
	json_decref(ureq);
	json_decref(uresp);
	tf_value_free(all);
	free(id);
	return rc;
}

/* ---------------------------------------------------------------- read */

static int mw_read(provider_ctx *p, const tf_value *prior, tf_value **out, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");

	*out = NULL;
	if (!id || !*id)
		return 0;
	return mw_read_id(p, id, prior, out, d);
}

/* ---------------------------------------------------------------- update */

static int mw_update(provider_ctx *p, const tf_value *prior, const tf_value *planned,
		     tf_value **out, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");
	json_t *old_req = NULL, *new_req = NULL, *resp = NULL;
	tf_value *all = NULL;
	aws_error err;
	int rc = 0;

	*out = NULL;
	if (!id) {
		tf_diags_error(d, NULL, "Maintenance window has no ID",
			       "The prior state has no id.");
		return AWS_ERR_OTHER;
	}
	old_req = res_maintenance_window_expand(prior, false);
	new_req = res_maintenance_window_expand(planned, false);
	all = res_tags_all(p, tf_value_attr(planned, "tags"));
	if (!old_req || !new_req || !all) {
		res_diag_internal(d, "UpdateMaintenanceWindow", NULL);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	if (!json_equal(old_req, new_req)) {
		if (json_object_set_new(new_req, "WindowId", json_string(id)) != 0 ||
		    json_object_set_new(new_req, "Replace", json_true()) != 0) {
			res_diag_internal(d, "UpdateMaintenanceWindow", NULL);
			rc = AWS_ERR_OTHER;
			goto done;
		}
		memset(&err, 0, sizeof(err));
		rc = ssm_call(p->aws, "UpdateMaintenanceWindow", new_req, &resp, &err);
		if (rc != 0) {
			res_diag_aws(d, NULL, "UpdateMaintenanceWindow", &err);
			goto partial;
		}
	}
	rc = res_tags_update(p, MW_RESOURCE_TYPE, id, tf_value_attr(prior, "tags_all"), all, d);
	if (rc != 0)
		goto partial;
	rc = res_read_after_write(p, mw_read, planned, id, "Maintenance window", out, d);
	goto done;
partial:
	res_read_back(p, mw_read, prior, id, out, NULL);
done:
	json_decref(old_req);
	json_decref(new_req);
	json_decref(resp);
	tf_value_free(all);
	return rc;
}

/* ---------------------------------------------------------------- delete */

static int mw_delete(provider_ctx *p, const tf_value *prior, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");

	if (!id)
		return 0;
	return res_delete(p, "DeleteMaintenanceWindow", json_pack("{s:s}", "WindowId", id), d);
}

/* ---------------------------------------------------------------- import */

static int mw_import(provider_ctx *p, const char *id, tf_value **out, tf_diags *d)
{
	(void)p;
	return res_import_prefixed_id(mw_block(), id, "mw-", "maintenance window", out, d);
}

const res_ops res_maintenance_window_ops = {
	.schema = &schema_maintenance_window,
	.plan = res_plan_tags_hook,
	.create = mw_create,
	.read = mw_read,
	.update = mw_update,
	.delete = mw_delete,
	.import = mw_import,
};
