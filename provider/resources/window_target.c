/*
 * window_target.c - ssmpatch_window_target: a target registered with a
 * maintenance window (instances by ID or tag, or a resource group).
 *
 * API calls per step:
 * - create: RegisterTargetWithMaintenanceWindow (ClientToken = random UUID, so a
 *   retried create never registers two targets), then a read.
 * - read:   DescribeMaintenanceWindowTargets with WindowId and the filter
 *   WindowTargetId = id. The window gone (DoesNotExistException) or no match
 *   means the target is gone: *out = NULL and Terraform plans a create.
 * - update: UpdateMaintenanceWindowTarget with Replace=true and every updatable
 *   field (name, description, owner_information, targets), then a read.
 * - delete: DeregisterTargetFromMaintenanceWindow. Already gone is success.
 * - import: "<window_id>/<window_target_id>".
 *
 * Force new: window_id, resource_type (flags in the schema table; the engine
 * derives requires_replace from them).
 *
 * API quirks:
 * - Describe has no "get one" form; it pages through the window's targets with a
 *   filter, so the match is searched in the whole result.
 * - Safe is not sent on deregistration: Terraform replaces a target
 *   (destroy-before-create) while the tasks that reference it still do, and are
 *   updated to the new ID right after; Safe=true would make that replacement fail.
 * - Tag keys and enum values may come back in another case than the user wrote:
 *   a value equal ignoring case keeps the user's spelling (no perpetual diff).
 */
#include <string.h>

#include "../core/log.h"
#include "common.h"
#include "resource.h"
#include "schema/schema_tables.h"

#define MOD "provider.window_target"

#define TARGET_BLOCK (schema_window_target.block)

/* Set obj.attr = v, taking ownership of v whatever happens. */
static int wt_set(tf_value *obj, const char *attr, tf_value *v)
{
	if (!v || tf_value_set_attr(obj, attr, v) < 0) {
		tf_value_free(v);
		return -1;
	}
	return 0;
}

/* --- expand / flatten --- */

/* targets blocks -> [{"Key": k, "Values": [..]}]. New reference or NULL (ENOMEM).
 * Shared shape with window_task.c's targets. */
static json_t *wt_expand_targets(const tf_value *list)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < tf_value_len(list); i++) {
		const tf_value *t = tf_value_index(list, i);
		json_t *o = json_object();
		if (!o || json_array_append_new(arr, o) < 0 ||
		    res_json_put_str(o, "Key", tf_value_attr(t, "key")) < 0 ||
		    json_object_set_new(o, "Values", res_json_strings(tf_value_attr(t, "values"))) <
			    0)
			goto fail;
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

/* Targets JSON -> targets block list (the API keeps the order); the prior
 * element at the same index lends its spelling of the key. */
static int wt_flatten_targets(tf_value *obj, const json_t *arr, const tf_value *prior_list)
{
	const schema_nested *nb = schema_find_block(TARGET_BLOCK, "targets");
	int i = tf_type_attr_index(obj->type, "targets");
	tf_value *list = (nb && i >= 0) ? tf_value_empty(obj->type->types[i]) : NULL;
	size_t k;
	json_t *jt;

	if (!list)
		return -1;
	json_array_foreach (arr, k, jt) {
		const tf_value *pt =
			k < tf_value_len(prior_list) ? tf_value_index(prior_list, k) : NULL;
		tf_value *t = schema_new_object(nb->block);
		if (!t || tf_value_append(list, t) < 0) {
			tf_value_free(t);
			goto fail;
		}
		if (wt_set(t, "key", res_tf_str(jt, "Key")) < 0 ||
		    wt_set(t, "values",
			   res_tf_strings(json_object_get(jt, "Values"),
					  tf_value_attr(t, "values")->type, false)) < 0)
			goto fail;
		res_keep_prior(t, pt, "key", res_equiv_icase);
	}
	return wt_set(obj, "targets", list);
fail:
	tf_value_free(list);
	return -1;
}

/* The updatable fields of a target as request members (create and update).
 * Not static: tests/unit/test_res_target_task.c declares and tests it. */
int res_window_target_expand(const tf_value *obj, json_t *req)
{
	json_t *targets = wt_expand_targets(tf_value_attr(obj, "targets"));
	if (!targets || json_object_set_new(req, "Targets", targets) < 0)
		return -1;
	if (res_json_put_str(req, "Name", tf_value_attr(obj, "name")) < 0 ||
	    res_json_put_str(req, "Description", tf_value_attr(obj, "description")) < 0 ||
	    res_json_put_str(req, "OwnerInformation", tf_value_attr(obj, "owner_information")) < 0)
		return -1;
	return 0;
}

/* One element of DescribeMaintenanceWindowTargets' Targets -> state; `prior`
 * (may be NULL) lends the user's spelling. Not static: unit-tested. */
int res_window_target_flatten(const json_t *api, const tf_value *prior, tf_value **out)
{
	tf_value *obj = schema_new_object(TARGET_BLOCK);
	int rc = -1;

	if (!obj)
		goto done;
	if (wt_set(obj, "id", res_tf_str(api, "WindowTargetId")) < 0 ||
	    wt_set(obj, "window_id", res_tf_str(api, "WindowId")) < 0 ||
	    wt_set(obj, "resource_type", res_tf_str(api, "ResourceType")) < 0 ||
	    wt_set(obj, "name", res_tf_str(api, "Name")) < 0 ||
	    wt_set(obj, "description", res_tf_str(api, "Description")) < 0 ||
	    wt_set(obj, "owner_information", res_tf_str(api, "OwnerInformation")) < 0 ||
	    wt_flatten_targets(obj, json_object_get(api, "Targets"),
			       tf_value_attr(prior, "targets")) < 0)
		goto done;
	res_keep_prior(obj, prior, "resource_type", res_equiv_icase);
	*out = obj;
	obj = NULL;
	rc = 0;
done:
	tf_value_free(obj);
	return rc;
}

/* --- find --- */

/* The target's Describe entry (new reference) in *out, or NULL when it is gone. */
static int wt_find(provider_ctx *p, const char *window_id, const char *id, json_t **out,
		   tf_diags *d)
{
	json_t *req = NULL, *all = NULL, *jt;
	aws_error err;
	size_t i;
	int rc;

	*out = NULL;
	req = json_pack("{s:s, s:[{s:s, s:[s]}]}", "WindowId", window_id, "Filters", "Key",
			"WindowTargetId", "Values", id);
	if (!req) {
		res_diag_internal(d, "Reading window target", NULL);
		return AWS_ERR_OTHER;
	}
	rc = ssm_call_all(p->aws, "DescribeMaintenanceWindowTargets", req, "Targets", &all, &err);
	if (rc == AWS_ERR_NOT_FOUND) {
		rc = 0; /* the window is gone, and its targets with it */
		goto done;
	}
	if (rc < 0) {
		res_diag_aws(d, NULL, "DescribeMaintenanceWindowTargets", &err);
		goto done;
	}
	json_array_foreach (all, i, jt) {
		const char *tid = json_string_value(json_object_get(jt, "WindowTargetId"));
		if (tid && strcmp(tid, id) == 0) {
			*out = json_incref(jt);
			break;
		}
	}
done:
	json_decref(req);
	json_decref(all);
	return rc;
}

/* --- create / read / update / delete --- */

static int wt_read(provider_ctx *p, const tf_value *prior, tf_value **out, tf_diags *d);

static int wt_create(provider_ctx *p, const tf_value *planned, tf_value **out, tf_diags *d)
{
	json_t *req = json_object(), *resp = NULL;
	char token[37];
	const char *id;
	aws_error err;
	int rc = AWS_ERR_OTHER;

	*out = NULL;
	res_client_token(token);
	if (!req || res_json_put_str(req, "WindowId", tf_value_attr(planned, "window_id")) < 0 ||
	    res_json_put_str(req, "ResourceType", tf_value_attr(planned, "resource_type")) < 0 ||
	    res_window_target_expand(planned, req) < 0 ||
	    json_object_set_new(req, "ClientToken", json_string(token)) < 0) {
		res_diag_internal(d, "Registering window target", NULL);
		goto done;
	}
	rc = ssm_call(p->aws, "RegisterTargetWithMaintenanceWindow", req, &resp, &err);
	if (rc < 0) {
		res_diag_aws(d, NULL, "RegisterTargetWithMaintenanceWindow", &err);
		goto done;
	}
	if (!(id = json_string_value(json_object_get(resp, "WindowTargetId")))) {
		tf_diags_error(d, NULL, "RegisterTargetWithMaintenanceWindow returned no ID",
			       "The response had no WindowTargetId; the target may exist without "
			       "being tracked in the state.");
		rc = AWS_ERR_OTHER;
		goto done;
	}
	LOG_D(MOD, "registered window target %s", id);
	rc = res_read_after_write(p, wt_read, planned, id, "Maintenance window target", out, d);
done:
	json_decref(req);
	json_decref(resp);
	return rc;
}

static int wt_read(provider_ctx *p, const tf_value *prior, tf_value **out, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");
	const char *window_id = tf_value_attr_str(prior, "window_id");
	json_t *api = NULL;
	int rc;

	*out = NULL;
	if (!id || !window_id)
		return 0; /* nothing to look for: treat as gone */
	if ((rc = wt_find(p, window_id, id, &api, d)) < 0 || !api)
		goto done;
	if (res_window_target_flatten(api, prior, out) < 0) {
		res_diag_internal(d, "Reading window target", NULL);
		rc = AWS_ERR_OTHER;
	}
done:
	json_decref(api);
	return rc;
}

static int wt_update(provider_ctx *p, const tf_value *prior, const tf_value *planned,
		     tf_value **out, tf_diags *d)
{
	json_t *req = json_object(), *resp = NULL;
	const char *id = tf_value_attr_str(prior, "id");
	aws_error err;
	int rc = AWS_ERR_OTHER;

	*out = NULL;
	if (!req || !id ||
	    res_json_put_str(req, "WindowId", tf_value_attr(planned, "window_id")) < 0 ||
	    json_object_set_new(req, "WindowTargetId", json_string(id)) < 0 ||
	    res_window_target_expand(planned, req) < 0 ||
	    json_object_set_new(req, "Replace", json_true()) < 0) {
		res_diag_internal(d, "Updating window target", NULL);
		goto done;
	}
	rc = ssm_call(p->aws, "UpdateMaintenanceWindowTarget", req, &resp, &err);
	if (rc < 0) {
		res_diag_aws(d, NULL, "UpdateMaintenanceWindowTarget", &err);
		*out = tf_value_clone(prior);
		goto done;
	}
	rc = res_read_after_write(p, wt_read, planned, id, "Maintenance window target", out, d);
done:
	json_decref(req);
	json_decref(resp);
	return rc;
}

static int wt_delete(provider_ctx *p, const tf_value *prior, tf_diags *d)
{
	/* Gone already, or its window is: success. */
	return res_delete(p, "DeregisterTargetFromMaintenanceWindow",
			  json_pack("{s:s?, s:s?}", "WindowId",
				    tf_value_attr_str(prior, "window_id"), "WindowTargetId",
				    tf_value_attr_str(prior, "id")),
			  d);
}

/* --- import --- */

static int wt_import(provider_ctx *p, const char *id, tf_value **out, tf_diags *d)
{
	(void)p;
	return res_import_window_child(TARGET_BLOCK, id, "window_target_id", out, d);
}

const res_ops res_window_target_ops = {
	.schema = &schema_window_target,
	.plan = NULL,
	.create = wt_create,
	.read = wt_read,
	.update = wt_update,
	.delete = wt_delete,
	.import = wt_import,
};
