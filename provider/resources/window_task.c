/*
 * window_task.c - ssmpatch_window_task: a task registered with a maintenance
 * window (Run Command document, Automation runbook, Lambda function or Step
 * Functions state machine) and the targets it runs on.
 *
 * API calls per step (the skeleton in resource.c makes them):
 * - create: RegisterTaskWithMaintenanceWindow (ClientToken = random UUID, so a
 *   retried create never registers two tasks), then a read.
 * - read:   GetMaintenanceWindowTask. The window or the task gone
 *   (DoesNotExistException) means *out = NULL: Terraform plans a create.
 *   The arn is built locally: arn:<partition>:ssm:<region>:<account>:windowtask/<id>.
 * - update: UpdateMaintenanceWindowTask with Replace=true and the whole object
 *   (a field left out is cleared), only when a member changed; then a read.
 * - delete: DeregisterTaskFromMaintenanceWindow. Already gone is success.
 * - import: "<window_id>/<window_task_id>".
 *
 * Force new: window_id, task_type (flags in the schema table).
 *
 * Mapping (expand: state -> request, flatten: response -> state) is the table
 * wk_fields below (mapping.h), task_invocation_parameters and its four variants
 * included: run_command_parameters (with notification_config,
 * cloudwatch_config), automation_parameters, lambda_parameters,
 * step_functions_parameters. The hooks wk_expand/wk_flatten/wk_plan are the
 * quirks below that a row cannot say.
 *
 * API quirks:
 * - Parameters travel as a map {name: [values]}; the schema has a set of
 *   `parameter` blocks, so their order never causes a diff.
 * - Lambda Payload is a blob: base64 in the JSON protocol. The user writes plain
 *   text; expand encodes, flatten decodes.
 * - A targetless task (no targets) must not send MaxConcurrency/MaxErrors, and
 *   the API reports a placeholder "1" for both: flatten reads them as null and
 *   the plan hook plans them null when the targets go away.
 * - priority, service_role_arn, max_concurrency, max_errors are optional+computed:
 *   the API fills them in (priority 1, the SSM service-linked role, ...).
 * - Enum values and ARNs that come back in another case keep the user's spelling;
 *   CutoffBehavior CONTINUE_TASK (the API default) reads as null when the user
 *   never set it. An empty sub-object in the answer (e.g. "RunCommand": {}) is
 *   not a block the user wrote.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/base64.h"
#include "common.h"
#include "resource.h"
#include "schema/schema_tables.h"

#define WK_N(a) (sizeof(a) / sizeof((a)[0]))

/* --- Lambda Payload is a blob: base64 (core/base64, OpenSSL) on the wire --- */

static char *wk_payload_to_api(const char *s, size_t n)
{
	return base64_encode(s, n, 0, NULL);
}

/* NULL when the API's text is not base64 or decodes to bytes with a NUL (not
 * text a Terraform string can hold). */
static char *wk_payload_from_api(const char *s, size_t n, size_t *outlen)
{
	return base64_decode(s, n, BASE64_PAD_OPTIONAL | BASE64_TEXT, outlen);
}

static const res_m_conv wk_payload = {wk_payload_to_api, wk_payload_from_api};

/* --- the mapping, as data --- */

static const res_field wk_notification_fields[] = {
	{"notification_arn", "NotificationArn", RES_M_STR, .flags = RES_M_ICASE},
	{"notification_events", "NotificationEvents", RES_M_STRINGS,
	 .flags = RES_M_ICASE | RES_M_NULL_IF_EMPTY},
	{"notification_type", "NotificationType", RES_M_STR, .flags = RES_M_ICASE},
};
static const res_map wk_notification = RES_MAP(wk_notification_fields);

static const res_field wk_cloudwatch_fields[] = {
	{"cloudwatch_log_group_name", "CloudWatchLogGroupName", RES_M_STR, .flags = RES_M_ICASE},
	{"cloudwatch_output_enabled", "CloudWatchOutputEnabled", RES_M_BOOL, .flags = 0},
};
static const res_map wk_cloudwatch = RES_MAP(wk_cloudwatch_fields);

static const res_field wk_run_command_fields[] = {
	{"comment", "Comment", RES_M_STR, .flags = RES_M_ICASE},
	{"document_hash", "DocumentHash", RES_M_STR, .flags = RES_M_ICASE},
	{"document_hash_type", "DocumentHashType", RES_M_STR, .flags = RES_M_ICASE},
	{"document_version", "DocumentVersion", RES_M_STR, .flags = RES_M_ICASE},
	{"output_s3_bucket", "OutputS3BucketName", RES_M_STR, .flags = RES_M_ICASE},
	{"output_s3_key_prefix", "OutputS3KeyPrefix", RES_M_STR, .flags = RES_M_ICASE},
	{"service_role_arn", "ServiceRoleArn", RES_M_STR, .flags = RES_M_ICASE},
	{"timeout_seconds", "TimeoutSeconds", RES_M_INT, .flags = 0},
	{"parameter", "Parameters", RES_M_PARAMS, .flags = 0},
	{"notification_config", "NotificationConfig", RES_M_BLOCK1, .sub = &wk_notification},
	{"cloudwatch_config", "CloudWatchOutputConfig", RES_M_BLOCK1, .sub = &wk_cloudwatch},
};
static const res_map wk_run_command = RES_MAP(wk_run_command_fields);

static const res_field wk_automation_fields[] = {
	{"document_version", "DocumentVersion", RES_M_STR, .flags = RES_M_ICASE},
	{"parameter", "Parameters", RES_M_PARAMS, .flags = 0},
};
static const res_map wk_automation = RES_MAP(wk_automation_fields);

static const res_field wk_lambda_fields[] = {
	{"client_context", "ClientContext", RES_M_STR, .flags = RES_M_ICASE},
	{"payload", "Payload", RES_M_STR, .conv = &wk_payload},
	{"qualifier", "Qualifier", RES_M_STR, .flags = RES_M_ICASE},
};
static const res_map wk_lambda = RES_MAP(wk_lambda_fields);

static const res_field wk_step_functions_fields[] = {
	{"input", "Input", RES_M_STR, .flags = RES_M_ICASE},
	{"name", "Name", RES_M_STR, .flags = RES_M_ICASE},
};
static const res_map wk_step_functions = RES_MAP(wk_step_functions_fields);

static const res_field wk_variants_fields[] = {
	{"run_command_parameters", "RunCommand", RES_M_BLOCK1, .sub = &wk_run_command},
	{"automation_parameters", "Automation", RES_M_BLOCK1, .sub = &wk_automation},
	{"lambda_parameters", "Lambda", RES_M_BLOCK1, .sub = &wk_lambda},
	{"step_functions_parameters", "StepFunctions", RES_M_BLOCK1, .sub = &wk_step_functions},
};
static const res_map wk_variants = RES_MAP(wk_variants_fields);

static const res_field wk_fields[] = {
	{"task_type", "TaskType", RES_M_STR, .flags = RES_M_CREATE_ONLY | RES_M_ICASE},
	{"task_arn", "TaskArn", RES_M_STR, .flags = RES_M_ICASE},
	{"service_role_arn", "ServiceRoleArn", RES_M_STR, .flags = RES_M_ICASE},
	{"priority", "Priority", RES_M_INT, .flags = 0},
	{"max_concurrency", "MaxConcurrency", RES_M_STR, .flags = 0},
	{"max_errors", "MaxErrors", RES_M_STR, .flags = 0},
	{"name", "Name", RES_M_STR, .flags = 0},
	{"description", "Description", RES_M_STR, .flags = 0},
	{"cutoff_behavior", "CutoffBehavior", RES_M_STR, .flags = RES_M_ICASE},
	{"targets", "Targets", RES_M_BLOCKS, .flags = RES_M_OMIT_EMPTY, .sub = &res_map_key_values},
	{"task_invocation_parameters", "TaskInvocationParameters", RES_M_BLOCK1,
	 .sub = &wk_variants},
};
static const res_map wk_map = RES_MAP(wk_fields);

/* --- the quirks --- */

/* A targetless task must not carry MaxConcurrency/MaxErrors. */
static int wk_expand(const tf_value *obj, res_phase phase, json_t *req)
{
	(void)phase;
	if (tf_value_len(tf_value_attr(obj, "targets")) == 0) {
		json_object_del(req, "MaxConcurrency");
		json_object_del(req, "MaxErrors");
	}
	return 0;
}

static int wk_flatten(const res_found *f, const tf_value *prior, tf_value *obj)
{
	const char *cutoff = tf_value_attr_str(obj, "cutoff_behavior");

	(void)f;
	/* A targetless task has no MaxConcurrency/MaxErrors of its own: the API
	 * reports a placeholder ("1") that the user cannot set. */
	if (tf_value_len(tf_value_attr(obj, "targets")) == 0 &&
	    (res_set_attr(obj, "max_concurrency", tf_value_null(&tf_type_string)) < 0 ||
	     res_set_attr(obj, "max_errors", tf_value_null(&tf_type_string)) < 0))
		return -1;
	/* CONTINUE_TASK is what the API reports when nobody chose: not drift. */
	if (cutoff && strcasecmp(cutoff, "CONTINUE_TASK") == 0 &&
	    tf_value_is_null(tf_value_attr(prior, "cutoff_behavior")))
		return res_set_attr(obj, "cutoff_behavior", tf_value_null(&tf_type_string));
	return 0;
}

/* --- plan hook --- */

/*
 * After the engine's generic plan:
 * - targets in config known and empty (a targetless task): max_concurrency and
 *   max_errors that the user left null are planned null (the API drops them);
 * - targets added to a task that had none: those two, left null by the user, are
 *   unknown (the API may fill them in), not the prior null.
 * Every other O+C null keeps its prior value (the proposed state already does).
 */
static int wk_plan(provider_ctx *p, const tf_value *prior, const tf_value *config,
		   tf_value *planned, tf_diags *d)
{
	static const char *const oc[] = {"max_concurrency", "max_errors"};
	const tf_value *ct = tf_value_attr(config, "targets");
	bool none = tf_value_is_known(ct) && tf_value_len(ct) == 0;
	bool added = prior && !none && tf_value_len(tf_value_attr(prior, "targets")) == 0 &&
		     (tf_value_len(ct) > 0 || !tf_value_is_known(ct));

	(void)p;
	for (size_t i = 0; i < WK_N(oc); i++) {
		const tf_value *pv = tf_value_attr(planned, oc[i]);
		tf_value *nv = NULL;
		if (!tf_value_is_null(tf_value_attr(config, oc[i])))
			continue; /* set (or unknown) in config: the user's value stands */
		if (none && !tf_value_is_null(pv))
			nv = tf_value_null(&tf_type_string);
		else if (added && tf_value_is_null(pv))
			nv = tf_value_unknown(&tf_type_string);
		else
			continue;
		if (res_set_attr(planned, oc[i], nv) < 0) {
			res_diag_internal(d, "Planning window task", NULL);
			return AWS_ERR_OTHER;
		}
	}
	return 0;
}

const res_def res_window_task_def = {
	.schema = &schema_window_task,
	.what = "maintenance window task",
	.op = {"RegisterTaskWithMaintenanceWindow", "GetMaintenanceWindowTask",
	       "UpdateMaintenanceWindowTask", "DeregisterTaskFromMaintenanceWindow"},
	.keys = {{.attr = "window_id", .member = "WindowId", .prefix = "mw-"},
		 {.attr = "id", .member = "WindowTaskId", .name = "window_task_id"}},
	.arn_kind = "windowtask",
	.map = &wk_map,
	.expand = wk_expand,
	.flatten = wk_flatten,
	.plan = wk_plan,
};
