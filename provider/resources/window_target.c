/*
 * window_target.c - ssmpatch_window_target: a target registered with a
 * maintenance window (instances by ID or tag, or a resource group).
 *
 * API calls per step (the skeleton in resource.c makes them):
 * - create: RegisterTargetWithMaintenanceWindow (ClientToken = random UUID, so a
 *   retried create never registers two targets), then a read.
 * - read:   DescribeMaintenanceWindowTargets with WindowId and the filter
 *   WindowTargetId = id. The window gone (DoesNotExistException) or no match
 *   means the target is gone: *out = NULL and Terraform plans a create.
 * - update: UpdateMaintenanceWindowTarget with Replace=true and every updatable
 *   field (name, description, owner_information, targets), only when one of
 *   them changed; then a read.
 * - delete: DeregisterTargetFromMaintenanceWindow. Already gone is success.
 * - import: "<window_id>/<window_target_id>".
 *
 * Force new: window_id, resource_type (flags in the schema table; the engine
 * derives requires_replace from them).
 *
 * API quirks:
 * - Describe has no "get one" form; it pages through the window's targets with a
 *   filter, so the match is searched in the whole result (wt_find).
 * - Safe is not sent on deregistration: Terraform replaces a target
 *   (destroy-before-create) while the tasks that reference it still do, and are
 *   updated to the new ID right after; Safe=true would make that replacement fail.
 * - Tag keys and enum values may come back in another case than the user wrote:
 *   a value equal ignoring case keeps the user's spelling (no perpetual diff).
 */
#include <string.h>

#include "common.h"
#include "resource.h"
#include "schema/schema_tables.h"

static const res_field wt_fields[] = {
	{"resource_type", "ResourceType", RES_M_STR, .flags = RES_M_CREATE_ONLY | RES_M_ICASE},
	{"name", "Name", RES_M_STR, .flags = 0},
	{"description", "Description", RES_M_STR, .flags = 0},
	{"owner_information", "OwnerInformation", RES_M_STR, .flags = 0},
	{"targets", "Targets", RES_M_BLOCKS, .sub = &res_map_key_values},
};
static const res_map wt_map = RES_MAP(wt_fields);

/* The target's Describe entry in f->api, or AWS_ERR_NOT_FOUND when it is gone. */
static int wt_find(provider_ctx *p, const res_def *def, const json_t *key, res_found *f,
		   tf_diags *d)
{
	const char *id = json_string_value(json_object_get(key, "WindowTargetId"));
	json_t *req, *all = NULL, *jt;
	aws_error err;
	size_t i;
	int rc;

	req = json_pack("{s:O, s:[{s:s, s:[s]}]}", "WindowId", json_object_get(key, "WindowId"),
			"Filters", "Key", "WindowTargetId", "Values", id);
	if (!req) {
		res_diag_internal(d, def->op.get, NULL);
		return AWS_ERR_OTHER;
	}
	memset(&err, 0, sizeof(err));
	rc = ssm_call_all(p->aws, def->op.get, req, "Targets", &all, &err);
	if (rc != 0 && rc != AWS_ERR_NOT_FOUND) /* not found: the window, and its targets */
		res_diag_aws(d, NULL, def->op.get, &err);
	if (rc != 0)
		goto done;
	rc = AWS_ERR_NOT_FOUND;
	json_array_foreach (all, i, jt) {
		const char *tid = json_string_value(json_object_get(jt, "WindowTargetId"));

		if (tid && strcmp(tid, id) == 0) {
			f->api = json_incref(jt);
			rc = 0;
			break;
		}
	}
done:
	json_decref(req);
	json_decref(all);
	return rc;
}

const res_def res_window_target_def = {
	.schema = &schema_window_target,
	.what = "maintenance window target",
	.op = {"RegisterTargetWithMaintenanceWindow", "DescribeMaintenanceWindowTargets",
	       "UpdateMaintenanceWindowTarget", "DeregisterTargetFromMaintenanceWindow"},
	.keys = {{.attr = "window_id", .member = "WindowId", .prefix = "mw-"},
		 {.attr = "id", .member = "WindowTargetId", .name = "window_target_id"}},
	.map = &wt_map,
	.find = wt_find,
};
