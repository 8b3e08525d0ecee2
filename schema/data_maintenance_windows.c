/*
 * data_maintenance_windows.c - schema of the data source
 * ssmpatch_maintenance_windows: the maintenance windows whose name starts with
 * a prefix, that are enabled (or not) and carry given tags.
 *
 * Results: ids (sorted by name, then ID) and windows, one object per window in
 * the same order with what DescribeMaintenanceWindows reports (description
 * left out: the API treats it as sensitive) and next_execution_time in
 * RFC 3339.
 */
#include <stddef.h>

#include "schema_tables.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const schema_attr window_attrs[] = {
	{.name = "id", .type = SCHEMA_T_STRING, .description = "Window ID (`mw-...`)."},
	{.name = "name", .type = SCHEMA_T_STRING, .description = "Name."},
	{.name = "schedule", .type = SCHEMA_T_STRING, .description = "Schedule expression."},
	{.name = "schedule_timezone",
	 .type = SCHEMA_T_STRING,
	 .description = "IANA time zone of the schedule (null: UTC)."},
	{.name = "schedule_offset",
	 .type = SCHEMA_T_NUMBER,
	 .description = "Days after the cron date the window runs (null: none)."},
	{.name = "duration",
	 .type = SCHEMA_T_NUMBER,
	 .description = "Hours the window stays open."},
	{.name = "cutoff",
	 .type = SCHEMA_T_NUMBER,
	 .description = "Hours before the end when no new task starts."},
	{.name = "enabled", .type = SCHEMA_T_BOOL, .description = "Whether the window is enabled."},
	{.name = "start_date",
	 .type = SCHEMA_T_STRING,
	 .description = "When the window becomes active (null: none)."},
	{.name = "end_date",
	 .type = SCHEMA_T_STRING,
	 .description = "When the window stops being active (null: none)."},
	{.name = "next_execution_time",
	 .type = SCHEMA_T_STRING,
	 .description = "Next scheduled run, RFC 3339 in UTC (null: none ahead, or disabled)."},
};

static const schema_block window_block = {
	.attrs = window_attrs,
	.n_attrs = N(window_attrs),
	.description = "One maintenance window.",
};

static const schema_attr attrs[] = {
	SCHEMA_WINDOW_FILTER_ATTRS,
	{.name = "tags",
	 .type = SCHEMA_T_MAP_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Only windows carrying every one of these tags with these values.",
	 .max_len = 256},
	{.name = "ids",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "IDs of the windows found, sorted by name, then ID."},
	{.name = "windows",
	 .type = SCHEMA_T_LIST_OBJECT,
	 .flags = SCHEMA_COMPUTED,
	 .description = "The windows found, in the order of `ids`.",
	 .elem = &window_block},
	SCHEMA_DATA_REGION_ATTR("the windows"),
};

static const schema_block block = {
	.attrs = attrs,
	.n_attrs = N(attrs),
	.description = "The maintenance windows whose name starts with a prefix, that are enabled "
		       "or not, and that carry given tags; with their schedules and next run.",
};

const schema_resource schema_data_maintenance_windows = {
	.type_name = "ssmpatch_maintenance_windows",
	.version = 0,
	.block = &block,
};
