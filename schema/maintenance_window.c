/*
 * maintenance_window.c - schema of ssmpatch_maintenance_window
 * (AWS::SSM::MaintenanceWindow).
 *
 * No attribute forces replacement: UpdateMaintenanceWindow (Replace=true) changes
 * everything in place. Defaults (so optional+computed): allow_unassociated_targets
 * false, enabled true. The schedule, timestamps and time zone are checked here at
 * validate time; cross-field rules: cutoff < duration, schedule_offset only with a
 * cron schedule, end_date after start_date.
 */
#include <stddef.h>
#include <string.h>

#include "core/iso8601.h"
#include "schema_checks.h"
#include "schema_tables.h"
#include "ssm_enums.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const schema_attr window_attrs[] = {
	{.name = "id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "ID of the maintenance window (`mw-...`)."},
	{.name = "arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description =
		 "ARN of the maintenance window, `arn:<partition>:ssm:<region>:<account>:maintenancewindow/<id>`."},
	{.name = "name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Name of the maintenance window (3 to 128 characters of `[a-zA-Z0-9_.-]`).",
	 .min_len = 3,
	 .max_len = 128,
	 .pattern = "^[a-zA-Z0-9_.-]+$"},
	{.name = "schedule",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description =
		 "When the window opens: `cron(minutes hours day-of-month month day-of-week year)`, "
		 "`rate(N minutes|hours|days)` or `at(yyyy-mm-ddThh:mm:ss)`, e.g. `cron(00 17 * * ? *)`.",
	 .min_len = 1,
	 .max_len = 256,
	 .check = schema_check_schedule},
	{.name = "duration",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_REQUIRED | SCHEMA_INTEGER,
	 .description = "How long the window stays open, in whole hours (1 to 24).",
	 .has_range = true,
	 .min = 1,
	 .max = 24},
	{.name = "cutoff",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_REQUIRED | SCHEMA_INTEGER,
	 .description =
		 "Hours before the end of the window when no new task starts (0 to 23, less than "
		 "`duration`).",
	 .has_range = true,
	 .min = 0,
	 .max = 23},
	{.name = "allow_unassociated_targets",
	 .type = SCHEMA_T_BOOL,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .dflt = "false",
	 .description =
		 "Whether tasks may run on managed nodes that are not registered as targets of the window."},
	{.name = "enabled",
	 .type = SCHEMA_T_BOOL,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .dflt = "true",
	 .description = "Whether the window is enabled; a disabled window runs no tasks."},
	{.name = "description",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Description of the maintenance window (1 to 128 characters; the API treats it as "
		 "sensitive).",
	 .min_len = 1,
	 .max_len = 128},
	{.name = "start_date",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "ISO-8601 timestamp before which the window does not become active, e.g. "
			"`2026-01-01T00:00:00Z`.",
	 .check = schema_check_iso8601},
	{.name = "end_date",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "ISO-8601 timestamp after which the window is no longer active (after `start_date`).",
	 .check = schema_check_iso8601},
	{.name = "schedule_timezone",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "IANA time zone the schedule is evaluated in, e.g. `Asia/Tokyo` or `UTC` (default UTC); "
		 "one of the zone and link names of the tz database (case-sensitive).",
	 .check = schema_check_timezone},
	{.name = "schedule_offset",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_INTEGER,
	 .description =
		 "Days to wait after the date the cron schedule selects before running the window "
		 "(1 to 6; only with a `cron` schedule).",
	 .has_range = true,
	 .min = 1,
	 .max = 6},
	SCHEMA_TAG_ATTRS("maintenance window"),
	SCHEMA_REGION_ATTR("maintenance window"),
};

static void window_check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	int64_t duration, cutoff;

	schema_check_tag_keys(obj, "tags", path, d);
	if (tf_value_number_as_i64(tf_value_attr(obj, "duration"), &duration) == 0 &&
	    tf_value_number_as_i64(tf_value_attr(obj, "cutoff"), &cutoff) == 0 && duration >= 1 &&
	    duration <= 24 && cutoff >= 0 && cutoff <= 23 && /* else a range error says it */
	    cutoff >= duration)
		schema_error_at(
			d, path, "cutoff", "Cutoff not less than duration",
			"cutoff (%lld) must be less than duration (%lld): it is the number of hours before "
			"the end of the window when no new task starts.",
			(long long)cutoff, (long long)duration);

	const char *sched = schema_obj_str(obj, "schedule");
	if (sched && schema_obj_is_set(obj, "schedule_offset")) {
		char why[SCHEMA_WHY_MAX];
		bool is_cron;
		(void)schema_parse_schedule(sched, &is_cron, why);
		if (!is_cron)
			schema_error_at(
				d, path, "schedule_offset", "schedule_offset needs a cron schedule",
				"schedule_offset is only allowed with a cron(...) schedule, not \"%s\".",
				sched);
	}

	const char *start = schema_obj_str(obj, "start_date"),
		   *end = schema_obj_str(obj, "end_date");
	if (start && end) {
		int64_t s, e;
		bool sz, ez;
		if (iso8601_parse(start, strlen(start), 0, &s, &sz, NULL) == 0 &&
		    iso8601_parse(end, strlen(end), 0, &e, &ez, NULL) == 0 && sz == ez && e <= s)
			schema_error_at(d, path, "end_date", "end_date not after start_date",
					"end_date \"%s\" must be later than start_date \"%s\".",
					end, start);
	}
}

static const schema_block window_block = {
	.attrs = window_attrs,
	.n_attrs = N(window_attrs),
	.description =
		"A maintenance window of AWS Systems Manager: a recurring time slot in which its tasks "
		"run on its targets.",
	.check = window_check,
};

const schema_resource schema_maintenance_window = {
	.type_name = "ssmpatch_maintenance_window",
	.version = 0,
	.block = &window_block,
};
