/*
 * maintenance_window.c - ssmpatch_maintenance_window: an SSM maintenance window
 * (schedule, duration, cutoff, dates, time zone, offset, enabled) and its tags.
 *
 * API calls per step (the skeleton in resource.c makes them; mw_after_create
 * is this file's own):
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

#include "schema/schema_tables.h"

static const res_field mw_fields[] = {
	{"name", "Name", RES_M_STR, .flags = 0},
	{"description", "Description", RES_M_STR, .flags = RES_M_NULL_IF_EMPTY},
	{"start_date", "StartDate", RES_M_STR, .flags = RES_M_NULL_IF_EMPTY | RES_M_ICASE},
	{"end_date", "EndDate", RES_M_STR, .flags = RES_M_NULL_IF_EMPTY | RES_M_ICASE},
	{"schedule", "Schedule", RES_M_STR, .flags = RES_M_ICASE},
	{"schedule_timezone", "ScheduleTimezone", RES_M_STR,
	 .flags = RES_M_NULL_IF_EMPTY | RES_M_ICASE},
	{"schedule_offset", "ScheduleOffset", RES_M_INT, .flags = 0},
	{"duration", "Duration", RES_M_INT, .flags = 0},
	{"cutoff", "Cutoff", RES_M_INT, .flags = 0},
	{"allow_unassociated_targets", "AllowUnassociatedTargets", RES_M_BOOL, .dflt = "false"},
	/* Not a create parameter: see mw_after_create. */
	{"enabled", "Enabled", RES_M_BOOL, .flags = RES_M_UPDATE_ONLY, .dflt = "true"},
};
static const res_map mw_map = RES_MAP(mw_fields);

/* A window meant to be disabled is created enabled, then disabled. */
static int mw_after_create(provider_ctx *p, const char *id, const tf_value *planned, tf_diags *d)
{
	if (tf_value_bool_or(tf_value_attr(planned, "enabled"), true))
		return 0;
	return res_call(p, "UpdateMaintenanceWindow",
			json_pack("{s:s,s:b}", "WindowId", id, "Enabled", 0), NULL, "enabled", d);
}

const res_def res_maintenance_window_def = {
	.schema = &schema_maintenance_window,
	.what = "maintenance window",
	.op = {"CreateMaintenanceWindow", "GetMaintenanceWindow", "UpdateMaintenanceWindow",
	       "DeleteMaintenanceWindow"},
	.keys = {{.attr = "id", .member = "WindowId", .prefix = "mw-"}},
	.arn_kind = "maintenancewindow",
	.tag_type = "MaintenanceWindow",
	.map = &mw_map,
	.after_create = mw_after_create,
};
