/*
 * window_task.c - schema of ssmpatch_window_task (AWS::SSM::MaintenanceWindowTask).
 *
 * Force new: window_id, task_type. Everything else is updated in place
 * (UpdateMaintenanceWindowTask, Replace=true).
 * Optional+computed without default: max_concurrency, max_errors (the API puts a
 * placeholder "1" on a targetless task), priority, service_role_arn (the API fills
 * in the SSM service-linked role).
 *
 * Cross-field rules: a task without targets must leave max_concurrency and
 * max_errors null (the API refuses them there). With targets they stay optional:
 * null in config keeps the prior value (optional+computed), and the API says
 * what is missing on create;
 * task_invocation_parameters holds exactly one sub-block and it matches task_type.
 * Target keys: WindowTargetIds (at most 10 window target IDs) or InstanceIds (at
 * most 50). `parameter` is a SET of blocks: SSM keeps parameters as a map, so
 * their order never causes a diff.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "schema_checks.h"
#include "schema_tables.h"
#include "ssm_enums.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ROLE_ARN "^arn:[a-z0-9-]+:iam::[0-9]{12}:role/[^[:space:]]+$"
#define DOC_VERSION "^([$]LATEST|[$]DEFAULT|[1-9][0-9]*)$"

/* --- targets --- */

static const schema_attr targets_attrs[] = {
	{.name = "key",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description =
		 "How targets are selected: `WindowTargetIds` (window targets of the same window) or "
		 "`InstanceIds`.",
	 .check = schema_check_task_target_key},
	{.name = "values",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Window target IDs (1 to 10) or instance IDs (1 to 50).",
	 .min_len = 1,
	 .min_items = 1, /* the model allows [], the API refuses it when it runs */
	 .max_items = SSM_MAX_TARGET_VALUES},
};

/* A window target ID is a UUID: 8-4-4-4-12 hex digits. */
static bool is_window_target_id(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (i >= 36 || (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])))
			return false;
	}
	return i == 36;
}

static void targets_check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	const char *key = schema_obj_str(obj, "key");
	const tf_value *values = tf_value_attr(obj, "values");
	if (!key || strcmp(key, "WindowTargetIds") != 0 || !tf_value_is_known(values))
		return;
	if (tf_value_len(values) > 10)
		schema_error_at(d, path, "values", "Too many window target IDs",
				"A WindowTargetIds target takes at most 10 values, got %zu.",
				tf_value_len(values));
	for (size_t i = 0; i < tf_value_len(values); i++) {
		const char *id = tf_value_str(tf_value_index(values, i));
		char sub[32];
		if (!id || is_window_target_id(id))
			continue;
		snprintf(sub, sizeof sub, "values[%zu]", i);
		schema_error_at(
			d, path, sub, "Invalid window target ID",
			"\"%s\" is not a window target ID (a UUID such as "
			"e32eecb2-646c-4f4b-8ed1-205fb0123456); reference ssmpatch_window_target.<name>.id.",
			id);
	}
}

static const schema_block targets_block = {
	.attrs = targets_attrs,
	.n_attrs = N(targets_attrs),
	.description = "A target selector of the task.",
	.check = targets_check,
};

/* --- task_invocation_parameters --- */

static const schema_attr run_parameter_attrs[] = {
	{.name = "name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Name of the document parameter, e.g. `Operation`.",
	 .min_len = SSM_MIN_TASK_PARAMETER_NAME,
	 .max_len = SSM_MAX_TASK_PARAMETER_NAME},
	{.name = "values",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Values of the parameter, e.g. `[\"Install\"]`.",
	 .min_len = SSM_MIN_TASK_PARAMETER_VALUE,
	 .max_len = SSM_MAX_TASK_PARAMETER_VALUE},
};

static const schema_block run_parameter_block = {
	.attrs = run_parameter_attrs,
	.n_attrs = N(run_parameter_attrs),
	.description = "A parameter passed to the document.",
};

static const schema_attr automation_parameter_attrs[] = {
	{.name = "name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Name of the runbook parameter.",
	 .min_len = SSM_MIN_AUTOMATION_PARAMETER_KEY,
	 .max_len = SSM_MAX_AUTOMATION_PARAMETER_KEY},
	{.name = "values",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "Values of the parameter (at most 50, each 1 to 512 characters).",
	 .min_len = SSM_MIN_AUTOMATION_PARAMETER_VALUE,
	 .max_len = SSM_MAX_AUTOMATION_PARAMETER_VALUE,
	 .max_items = SSM_MAX_AUTOMATION_PARAMETER_VALUE_LIST},
};

static const schema_block automation_parameter_block = {
	.attrs = automation_parameter_attrs,
	.n_attrs = N(automation_parameter_attrs),
	.description = "A parameter passed to the Automation runbook.",
};

static const schema_attr notification_attrs[] = {
	{.name = "notification_arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "ARN of the SNS topic Run Command publishes status changes to.",
	 .pattern = "^arn:[a-z0-9-]+:sns:[^[:space:]]+$"},
	{.name = "notification_events",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Status changes to notify about: `All`, `InProgress`, `Success`, `TimedOut`, "
		 "`Cancelled`, `Failed`.",
	 .enum_values = ssm_enum_notification_event},
	{.name = "notification_type",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "`Command` for the status of the whole command, `Invocation` for each managed node.",
	 .enum_values = ssm_enum_notification_type},
};

static const schema_block notification_block = {
	.attrs = notification_attrs,
	.n_attrs = N(notification_attrs),
	.description = "SNS notifications about command status changes.",
};

static const schema_attr cloudwatch_attrs[] = {
	{.name = "cloudwatch_log_group_name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "CloudWatch Logs group for the command output (default `/aws/ssm/<DocumentName>`).",
	 .min_len = 1,
	 .max_len = 512},
	{.name = "cloudwatch_output_enabled",
	 .type = SCHEMA_T_BOOL,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Whether the command output is sent to CloudWatch Logs."},
};

static const schema_block cloudwatch_block = {
	.attrs = cloudwatch_attrs,
	.n_attrs = N(cloudwatch_attrs),
	.description = "Sending the command output to CloudWatch Logs.",
};

static const schema_attr run_command_attrs[] = {
	{.name = "comment",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Comment recorded with the command (at most 100 characters).",
	 .max_len = 100},
	{.name = "document_hash",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Hash of the document, to make sure the expected content runs (at most 256 characters).",
	 .max_len = 256},
	{.name = "document_hash_type",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Algorithm of `document_hash`: `Sha256` or `Sha1` (deprecated).",
	 .enum_values = ssm_enum_document_hash_type},
	{.name = "document_version",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Document version to run: `$DEFAULT`, `$LATEST` or a version number.",
	 .pattern = DOC_VERSION},
	{.name = "output_s3_bucket",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "S3 bucket that receives the command output (3 to 63 characters).",
	 .min_len = 3,
	 .max_len = 63},
	{.name = "output_s3_key_prefix",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Key prefix of the command output in `output_s3_bucket`, e.g. `patch/window/scan/`.",
	 .max_len = 500},
	{.name = "service_role_arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "ARN of the IAM role Run Command uses to publish SNS notifications.",
	 .pattern = ROLE_ARN},
	{.name = "timeout_seconds",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_INTEGER,
	 .description =
		 "Seconds after which a command that has not started does not run (30 to 2592000).",
	 .has_range = true,
	 .min = 30,
	 .max = 2592000},
};

static const schema_nested run_command_blocks[] = {
	{.name = "notification_config",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &notification_block},
	{.name = "cloudwatch_config",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &cloudwatch_block},
	{.name = "parameter", .nesting = SCHEMA_NEST_SET, .block = &run_parameter_block},
};

static const schema_block run_command_block = {
	.attrs = run_command_attrs,
	.n_attrs = N(run_command_attrs),
	.blocks = run_command_blocks,
	.n_blocks = N(run_command_blocks),
	.description = "Parameters of a `RUN_COMMAND` task (an SSM Command document such as "
		       "`AWS-RunPatchBaseline`).",
};

static const schema_attr automation_attrs[] = {
	{.name = "document_version",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Runbook version to run: `$DEFAULT`, `$LATEST` or a version number.",
	 .pattern = DOC_VERSION},
};

static const schema_nested automation_blocks[] = {
	{.name = "parameter",
	 .nesting = SCHEMA_NEST_SET,
	 .max_items = SSM_MAX_AUTOMATION_PARAMETER_MAP,
	 .block = &automation_parameter_block},
};

static const schema_block automation_block = {
	.attrs = automation_attrs,
	.n_attrs = N(automation_attrs),
	.blocks = automation_blocks,
	.n_blocks = N(automation_blocks),
	.description = "Parameters of an `AUTOMATION` task (an Automation runbook).",
};

static const schema_attr lambda_attrs[] = {
	{.name = "client_context",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Base64-encoded client context passed to the function (1 to 8000 characters).",
	 .min_len = 1,
	 .max_len = 8000},
	{.name = "payload",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_SENSITIVE,
	 .description = "JSON input of the function (at most 4096 characters).",
	 .max_len = 4096},
	{.name = "qualifier",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Function version or alias to invoke (1 to 128 characters).",
	 .min_len = 1,
	 .max_len = 128},
};

static const schema_block lambda_block = {
	.attrs = lambda_attrs,
	.n_attrs = N(lambda_attrs),
	.description = "Parameters of a `LAMBDA` task.",
};

static const schema_attr step_functions_attrs[] = {
	{.name = "input",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_SENSITIVE,
	 .description = "JSON input of the state machine execution (at most 4096 characters).",
	 .max_len = 4096},
	{.name = "name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Name of the execution (1 to 80 characters).",
	 .min_len = 1,
	 .max_len = 80},
};

static const schema_block step_functions_block = {
	.attrs = step_functions_attrs,
	.n_attrs = N(step_functions_attrs),
	.description = "Parameters of a `STEP_FUNCTIONS` task.",
};

static const schema_nested invocation_blocks[] = {
	{.name = "run_command_parameters",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &run_command_block},
	{.name = "automation_parameters",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &automation_block},
	{.name = "lambda_parameters",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &lambda_block},
	{.name = "step_functions_parameters",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &step_functions_block},
};

static const schema_block invocation_block = {
	.blocks = invocation_blocks,
	.n_blocks = N(invocation_blocks),
	.description =
		"Parameters of the task when it runs: exactly one sub-block, the one matching `task_type`.",
};

/* --- the task --- */

static const schema_attr task_attrs[] = {
	{.name = "id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description = "ID of the window task."},
	{.name = "arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_COMPUTED,
	 .description =
		 "ARN of the window task, `arn:<partition>:ssm:<region>:<account>:windowtask/<id>`."},
	{.name = "window_id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED | SCHEMA_FORCE_NEW,
	 .description =
		 "ID of the maintenance window to register the task with (`mw-` and 17 hex digits); "
		 "changing it replaces the task.",
	 .pattern = "^mw-[0-9a-f]{17}$"},
	{.name = "task_type",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED | SCHEMA_FORCE_NEW,
	 .description =
		 "Kind of task: `RUN_COMMAND`, `AUTOMATION`, `LAMBDA` or `STEP_FUNCTIONS`; changing it "
		 "replaces the task.",
	 .enum_values = ssm_enum_task_type},
	{.name = "task_arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description =
		 "What runs: a document name such as `AWS-RunPatchBaseline`, a Lambda function or a state "
		 "machine ARN (1 to 1600 characters).",
	 .min_len = 1,
	 .max_len = 1600},
	{.name = "max_concurrency",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .description =
		 "How many targets run the task in parallel, as a number (`10`) or a percentage (`50%`); "
		 "must be null on a task without targets.",
	 .min_len = 1,
	 .max_len = 7,
	 .pattern = "^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$"},
	{.name = "max_errors",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .description =
		 "How many errors stop the task on further targets, as a number (`0`) or a percentage "
		 "(`50%`); must be null on a task without targets.",
	 .min_len = 1,
	 .max_len = 7,
	 .pattern = "^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$"},
	{.name = "priority",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED | SCHEMA_INTEGER,
	 .description =
		 "Priority within the window: tasks with a lower number run first, equal numbers in "
		 "parallel (0 or more).",
	 .has_range = true,
	 .min = 0,
	 .max = 2147483647},
	{.name = "service_role_arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_COMPUTED,
	 .description =
		 "IAM role the task runs with; when null the API uses the Systems Manager service-linked "
		 "role.",
	 .pattern = ROLE_ARN},
	{.name = "name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Name of the window task (3 to 128 characters of `[a-zA-Z0-9_.-]`).",
	 .min_len = 3,
	 .max_len = 128,
	 .pattern = "^[a-zA-Z0-9_.-]+$"},
	{.name = "description",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_SENSITIVE,
	 .description =
		 "Description of the window task (1 to 128 characters; sensitive, as in SSM's model).",
	 .min_len = 1,
	 .max_len = 128},
	{.name = "cutoff_behavior",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "What happens to a running task when the window's cutoff is reached: `CONTINUE_TASK` "
		 "or `CANCEL_TASK`.",
	 .enum_values = ssm_enum_cutoff_behavior},
	SCHEMA_REGION_ATTR("window task"),
};

static const schema_nested task_blocks[] = {
	{.name = "targets",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = SSM_MAX_TARGETS,
	 .block = &targets_block},
	{.name = "task_invocation_parameters",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &invocation_block},
};

static const struct {
	const char *task_type, *block;
} invocation_for_type[] = {
	{"RUN_COMMAND", "run_command_parameters"},
	{"AUTOMATION", "automation_parameters"},
	{"LAMBDA", "lambda_parameters"},
	{"STEP_FUNCTIONS", "step_functions_parameters"},
};

static void task_check_invocation(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	const tf_value *tip = tf_value_attr(obj, "task_invocation_parameters");
	const char *task_type = schema_obj_str(obj, "task_type");
	const char *expected = NULL, *given = NULL;
	size_t n_given = 0;
	bool unknown = false;

	if (!tf_value_is_known(tip) || tf_value_len(tip) != 1)
		return;
	const tf_value *p = tf_value_index(tip, 0);
	if (!tf_value_is_known(p))
		return;
	for (size_t i = 0; i < N(invocation_for_type); i++) {
		const tf_value *sub = tf_value_attr(p, invocation_for_type[i].block);
		if (task_type && strcmp(task_type, invocation_for_type[i].task_type) == 0)
			expected = invocation_for_type[i].block;
		if (!tf_value_is_known(sub)) {
			unknown = true;
		} else if (tf_value_len(sub) > 0) {
			n_given++;
			given = invocation_for_type[i].block;
		}
	}
	if (unknown)
		return;
	if (n_given != 1) {
		schema_error_at(
			d, path, "task_invocation_parameters[0]",
			n_given ? "Too many invocation parameter blocks"
				: "Missing invocation parameter block",
			"task_invocation_parameters must contain exactly one of run_command_parameters, "
			"automation_parameters, lambda_parameters and step_functions_parameters%s%s%s.",
			expected ? " (for this task: " : "", expected ? expected : "",
			expected ? ")" : "");
		return;
	}
	if (expected && strcmp(expected, given) != 0) {
		char sub[80];
		snprintf(sub, sizeof sub, "task_invocation_parameters[0].%s", given);
		schema_error_at(d, path, sub, "Invocation parameters do not match task_type",
				"task_type %s takes %s, not %s.", task_type, expected, given);
	}
}

static void task_check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	const tf_value *targets = tf_value_attr(obj, "targets");
	static const char *const limits[] = {"max_concurrency", "max_errors"};

	if (tf_value_is_known(targets) && tf_value_len(targets) == 0) {
		const char *task_type = schema_obj_str(obj, "task_type");
		/* SSM: "One or more targets must be specified for maintenance window Run
		 * Command-type tasks"; only the other task types may be targetless. */
		if (task_type && strcmp(task_type, "RUN_COMMAND") == 0)
			schema_error_at(
				d, path, "targets", "Missing targets",
				"A RUN_COMMAND task needs at least one targets block (WindowTargetIds or "
				"InstanceIds); only AUTOMATION, LAMBDA and STEP_FUNCTIONS tasks may be "
				"targetless.");
		for (size_t i = 0; i < N(limits); i++) {
			if (schema_obj_is_set(obj, limits[i]) &&
			    !schema_obj_is_unknown(obj, limits[i]))
				schema_error_at(
					d, path, limits[i], "Not allowed on a task without targets",
					"%s can only be set when the task has targets blocks; a targetless task "
					"runs once and the API sets a placeholder.",
					limits[i]);
		}
	}
	task_check_invocation(obj, path, d);
}

static const schema_block task_block = {
	.attrs = task_attrs,
	.n_attrs = N(task_attrs),
	.blocks = task_blocks,
	.n_blocks = N(task_blocks),
	.description =
		"A task of a maintenance window: a Run Command document, Automation runbook, Lambda "
		"function or Step Functions state machine run on the window's targets.",
	.check = task_check,
};

const schema_resource schema_window_task = {
	.type_name = "ssmpatch_window_task",
	.version = 0,
	.block = &task_block,
};
