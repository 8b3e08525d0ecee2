/*
 * data_window_executions.c - schema of the data source
 * ssmpatch_window_executions: the latest executions of one maintenance window,
 * newest first, each with its task executions and their invocations, and the
 * window's next scheduled runs.
 *
 * Times are RFC 3339 in UTC (`2024-06-01T17:00:00Z`; fractions of a second as
 * the API reports them). started_after takes any RFC 3339 time.
 */
#include <stddef.h>
#include <string.h>

#include "core/iso8601.h"
#include "schema_checks.h"
#include "schema_tables.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const schema_attr invocation_attrs[] = {
	{.name = "invocation_id", .type = SCHEMA_T_STRING, .description = "Invocation ID."},
	{.name = "command_id",
	 .type = SCHEMA_T_STRING,
	 .description = "What the invocation ran: the Run Command command ID of a `RUN_COMMAND` "
			"task (the Automation, Lambda or Step Functions execution otherwise)."},
	{.name = "target_id",
	 .type = SCHEMA_T_STRING,
	 .description = "The instance the invocation ran on (null when it names none)."},
	{.name = "window_target_id",
	 .type = SCHEMA_T_STRING,
	 .description = "The window target that selected the instance (null for a task "
			"targeting instance IDs)."},
	{.name = "status", .type = SCHEMA_T_STRING, .description = "`SUCCESS`, `FAILED`, ..."},
	{.name = "status_details", .type = SCHEMA_T_STRING, .description = "Why, as SSM says."},
	{.name = "start_time", .type = SCHEMA_T_STRING, .description = "Start (RFC 3339)."},
	{.name = "end_time", .type = SCHEMA_T_STRING, .description = "End (RFC 3339)."},
	{.name = "output_s3_bucket",
	 .type = SCHEMA_T_STRING,
	 .description = "S3 bucket the task writes its output to (null: none set)."},
	{.name = "output_s3_key_prefix",
	 .type = SCHEMA_T_STRING,
	 .description = "Key prefix set on the task (null: none)."},
	{.name = "output_s3_uri",
	 .type = SCHEMA_T_STRING,
	 .description =
		 "Where Run Command put this invocation's output: "
		 "`s3://<bucket>/<prefix>/<command_id>/<target_id>/` (null without a bucket)."},
};

static const schema_block invocation_block = {
	.attrs = invocation_attrs,
	.n_attrs = N(invocation_attrs),
	.description = "One invocation of a task (one per target).",
};

static const schema_attr task_attrs[] = {
	{.name = "task_execution_id", .type = SCHEMA_T_STRING, .description = "Task execution ID."},
	{.name = "task_arn",
	 .type = SCHEMA_T_STRING,
	 .description = "The task: document name, function or state machine ARN."},
	{.name = "task_type", .type = SCHEMA_T_STRING, .description = "`RUN_COMMAND`, ..."},
	{.name = "status", .type = SCHEMA_T_STRING, .description = "`SUCCESS`, `FAILED`, ..."},
	{.name = "status_details", .type = SCHEMA_T_STRING, .description = "Why, as SSM says."},
	{.name = "start_time", .type = SCHEMA_T_STRING, .description = "Start (RFC 3339)."},
	{.name = "end_time", .type = SCHEMA_T_STRING, .description = "End (RFC 3339)."},
	{.name = "invocations",
	 .type = SCHEMA_T_LIST_OBJECT,
	 .description = "The task's invocations.",
	 .elem = &invocation_block},
};

static const schema_block task_block = {
	.attrs = task_attrs,
	.n_attrs = N(task_attrs),
	.description = "One task execution of a window execution.",
};

static const schema_attr execution_attrs[] = {
	{.name = "execution_id", .type = SCHEMA_T_STRING, .description = "Window execution ID."},
	{.name = "status", .type = SCHEMA_T_STRING, .description = "`SUCCESS`, `FAILED`, ..."},
	{.name = "status_details", .type = SCHEMA_T_STRING, .description = "Why, as SSM says."},
	{.name = "start_time", .type = SCHEMA_T_STRING, .description = "Start (RFC 3339)."},
	{.name = "end_time", .type = SCHEMA_T_STRING, .description = "End (RFC 3339)."},
	{.name = "tasks",
	 .type = SCHEMA_T_LIST_OBJECT,
	 .description = "Its task executions.",
	 .elem = &task_block},
};

static const schema_block execution_block = {
	.attrs = execution_attrs,
	.n_attrs = N(execution_attrs),
	.description = "One execution of the window.",
};

/* An RFC 3339 date-time: date, time and zone (Z or an offset). */
static void check_rfc3339(const tf_value *v, const tf_path *path, tf_diags *d)
{
	const char *s = tf_value_str(v);
	char why[ISO8601_WHY_MAX];
	bool zone = false;

	if (!s)
		return;
	if (iso8601_parse(s, strlen(s), ISO8601_NEED_TIME | ISO8601_RFC3339, NULL, &zone, why) != 0)
		tf_diags_error(d, path, "Invalid time",
			       "\"%.64s\" is not an RFC 3339 time (%s); write e.g. "
			       "2024-06-01T00:00:00Z.",
			       s, why);
	else if (!zone)
		tf_diags_error(d, path, "Invalid time",
			       "\"%.64s\" has no time zone; RFC 3339 needs one, e.g. "
			       "2024-06-01T00:00:00Z or 2024-06-01T09:00:00+09:00.",
			       s);
}

static const schema_attr attrs[] = {
	{.name = "window_id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ID of the maintenance window (`mw-...`).",
	 .pattern = "^mw-[0-9a-f]{17}$"},
	{.name = "max_results",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED | SCHEMA_INTEGER,
	 .dflt = "10",
	 .description = "How many of the latest executions to return (1 to 500, default 10; each "
			"costs a call for its tasks and one per task for the invocations).",
	 .has_range = true,
	 .min = 1,
	 .max = 500},
	{.name = "started_after",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Only executions that started at or after this RFC 3339 time.",
	 .check = check_rfc3339},
	{.name = "next_runs_count",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED | SCHEMA_INTEGER,
	 .dflt = "3",
	 .description = "How many scheduled runs `next_runs` lists (0 to 100, default 3).",
	 .has_range = true,
	 .min = 0,
	 .max = 100},
	{.name = "window_name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "Name of the window."},
	{.name = "executions",
	 .type = SCHEMA_T_LIST_OBJECT,
	 .flags = SCHEMA_COMPUTED,
	 .description = "The latest executions, newest first.",
	 .elem = &execution_block},
	{.name = "next_runs",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "The next scheduled runs of the window (RFC 3339, UTC), soonest first; "
			"empty for a disabled window or one with no run ahead."},
	SCHEMA_DATA_REGION_ATTR("the window"),
};

static const schema_block block = {
	.attrs = attrs,
	.n_attrs = N(attrs),
	.description = "The latest executions of one maintenance window (newest first) with their "
		       "task executions and invocations, and its next scheduled runs: the window's "
		       "history and the Run Command output locations, as the console shows them.",
};

const schema_resource schema_data_window_executions = {
	.type_name = "ssmpatch_window_executions",
	.version = 0,
	.block = &block,
};
