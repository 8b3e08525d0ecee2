/*
 * test_res_target_task.c - unit tests of the window target and window task
 * resource files without the network: expand (state -> SSM request JSON) and
 * flatten (SSM answer -> state) round trips for every task invocation variant,
 * parameter order, targetless tasks, the Lambda payload's base64, the user's
 * spelling surviving a read, import ID parsing, and the task's plan hook.
 *
 * States are written as JSON text in the resource's schema shape and decoded with
 * json_decode_value (lenient: attributes left out are null, block lists empty).
 * Run one case with UNIT_ONLY=test_<name>.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/json_codec.h"
#include "resources/common.h"
#include "resources/resource.h"
#include "schema/schema_tables.h"
#include "unit.h"

/* The members of an update request as the skeleton builds them (no key), and
 * an answer read back with the resource's flatten (no arn, no provider). */
static int expand(const res_def *def, const tf_value *obj, json_t *req)
{
	return resource_expand(def, obj, RES_PHASE_UPDATE, req);
}

static int flatten(const res_def *def, const json_t *api, const tf_value *prior, tf_value **out)
{
	res_found f = {.api = (json_t *)api};

	return resource_flatten(def, NULL, &f, prior, out);
}

#define WID "mw-0123456789abcdef0"
#define TID "e32eecb2-646c-4f4b-8ed1-205fbc0a1b2c"

static tf_value *state_of(const schema_resource *r, const char *json)
{
	tf_diags d;
	tf_value *v;

	tf_diags_init(&d);
	v = json_decode_value(json, strlen(json), schema_block_type(r->block), true, &d);
	if (!v || tf_diags_has_error(&d))
		fprintf(stderr, "  cannot decode test state: %s\n",
			d.n ? d.items[0].summary : "(no diagnostic)");
	tf_diags_free(&d);
	return v;
}

static void show_diff(const tf_value *want, const tf_value *got)
{
	char *a = tf_value_debug_string(want), *b = tf_value_debug_string(got);
	fprintf(stderr, "  want: %s\n  got:  %s\n", a ? a : "?", b ? b : "?");
	free(a);
	free(b);
}

/* The request JSON as the API's Get answer would carry it: the identifying
 * members the request does not (or not in this form) hold are added. */
static json_t *task_answer(const tf_value *st)
{
	json_t *j = json_object();
	CHECK(expand(&res_window_task_def, st, j) == 0);
	json_object_set_new(j, "WindowId", json_string(tf_value_attr_str(st, "window_id")));
	json_object_set_new(j, "WindowTaskId", json_string(tf_value_attr_str(st, "id")));
	json_object_set_new(j, "TaskType", json_string(tf_value_attr_str(st, "task_type")));
	return j;
}

/* expand, then flatten the result: the state must come back unchanged. */
static void task_round_trip(const char *json, json_t **req_out)
{
	tf_value *st = state_of(&schema_window_task, json), *got = NULL;
	json_t *ans;

	CHECK(st != NULL);
	if (!st)
		return;
	ans = task_answer(st);
	CHECK(flatten(&res_window_task_def, ans, NULL, &got) == 0);
	CHECK(got != NULL);
	if (got && !tf_value_equal(st, got)) {
		CHECK(tf_value_equal(st, got));
		show_diff(st, got);
	}
	if (req_out)
		*req_out = ans;
	else
		json_decref(ans);
	tf_value_free(got);
	tf_value_free(st);
}

static const char *jpath_str(json_t *j, const char *a, const char *b, const char *c)
{
	json_t *x = json_object_get(
		json_object_get(json_object_get(j, "TaskInvocationParameters"), a), b);
	if (c)
		x = json_object_get(x, c);
	return json_string_value(x);
}

/* The seed scenario's Scan task: AWS-RunPatchBaseline, Operation/RebootOption. */
static void test_task_run_command_round_trip(void)
{
	json_t *req = NULL, *rc, *params, *ops;
	task_round_trip(
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"RUN_COMMAND\","
		"\"task_arn\":\"AWS-RunPatchBaseline\",\"name\":\"PatchingTaskScan\",\"priority\":1,"
		"\"max_concurrency\":\"50%\",\"max_errors\":\"50%\",\"cutoff_behavior\":\"CANCEL_TASK\","
		"\"service_role_arn\":\"arn:aws:iam::123456789012:role/mw\",\"description\":\"scan\","
		"\"targets\":[{\"key\":\"WindowTargetIds\",\"values\":[\"t-1\",\"t-2\"]}],"
		"\"task_invocation_parameters\":[{\"run_command_parameters\":[{"
		"\"comment\":\"c\",\"document_hash\":\"abc\",\"document_hash_type\":\"Sha256\","
		"\"document_version\":\"$LATEST\",\"output_s3_bucket\":\"logs\","
		"\"output_s3_key_prefix\":\"patch/window/scan/\",\"service_role_arn\":\"arn:aws:iam::1:role/r\","
		"\"timeout_seconds\":1800,"
		"\"notification_config\":[{\"notification_arn\":\"arn:aws:sns:us-east-1:1:t\","
		"\"notification_events\":[\"Success\",\"Failed\"],\"notification_type\":\"Command\"}],"
		"\"cloudwatch_config\":[{\"cloudwatch_log_group_name\":\"lg\",\"cloudwatch_output_enabled\":true}],"
		"\"parameter\":[{\"name\":\"Operation\",\"values\":[\"Scan\"]},"
		"{\"name\":\"RebootOption\",\"values\":[\"NoReboot\"]}]}]}]}",
		&req);
	CHECK(req != NULL);
	if (!req)
		return;
	/* The request has the API's shapes. */
	rc = json_object_get(json_object_get(req, "TaskInvocationParameters"), "RunCommand");
	CHECK(json_integer_value(json_object_get(rc, "TimeoutSeconds")) == 1800);
	CHECK_STR(json_string_value(json_object_get(rc, "OutputS3BucketName")), "logs");
	CHECK_STR(jpath_str(req, "RunCommand", "NotificationConfig", "NotificationType"),
		  "Command");
	CHECK_STR(jpath_str(req, "RunCommand", "CloudWatchOutputConfig", "CloudWatchLogGroupName"),
		  "lg");
	params = json_object_get(rc, "Parameters");
	CHECK(json_is_object(params) && json_object_size(params) == 2);
	ops = json_object_get(params, "Operation");
	CHECK(json_is_array(ops) && json_array_size(ops) == 1);
	CHECK_STR(json_string_value(json_array_get(ops, 0)), "Scan");
	CHECK_STR(json_string_value(json_object_get(req, "MaxConcurrency")), "50%");
	CHECK(json_integer_value(json_object_get(req, "Priority")) == 1);
	CHECK_STR(json_string_value(json_object_get(
			  json_array_get(json_object_get(req, "Targets"), 0), "Key")),
		  "WindowTargetIds");
	json_decref(req);
}

static void test_task_automation_round_trip(void)
{
	json_t *req = NULL;
	task_round_trip(
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"AUTOMATION\","
		"\"task_arn\":\"AWS-RestartEC2Instance\",\"priority\":3,"
		"\"max_concurrency\":\"2\",\"max_errors\":\"1\","
		"\"targets\":[{\"key\":\"InstanceIds\",\"values\":[\"i-0123456789abcdef0\"]}],"
		"\"task_invocation_parameters\":[{\"automation_parameters\":[{\"document_version\":\"1\","
		"\"parameter\":[{\"name\":\"InstanceId\",\"values\":[\"{{RESOURCE_ID}}\"]}]}]}]}",
		&req);
	CHECK_STR(jpath_str(req, "Automation", "DocumentVersion", NULL), "1");
	json_decref(req);
}

static void test_task_lambda_payload_base64(void)
{
	json_t *req = NULL;
	task_round_trip(
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"LAMBDA\","
		"\"task_arn\":\"arn:aws:lambda:us-east-1:123456789012:function:patch\",\"priority\":0,"
		"\"task_invocation_parameters\":[{\"lambda_parameters\":[{\"client_context\":\"e30=\","
		"\"payload\":\"{\\\"op\\\":\\\"scan\\\"}\",\"qualifier\":\"$LATEST\"}]}]}",
		&req);
	/* The blob travels base64-encoded: {"op":"scan"} */
	CHECK_STR(jpath_str(req, "Lambda", "Payload", NULL), "eyJvcCI6InNjYW4ifQ==");
	CHECK_STR(jpath_str(req, "Lambda", "ClientContext", NULL), "e30=");
	/* Targetless: no Targets, MaxConcurrency or MaxErrors at all. */
	CHECK(json_object_get(req, "Targets") == NULL);
	CHECK(json_object_get(req, "MaxConcurrency") == NULL);
	json_decref(req);

	/* Every padding length survives. */
	static const char *const payloads[] = {"a", "ab", "abc", "abcd", "hello, world", "ü"};
	for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		char buf[512];
		snprintf(
			buf, sizeof(buf),
			"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"LAMBDA\","
			"\"task_arn\":\"f\",\"task_invocation_parameters\":[{\"lambda_parameters\":"
			"[{\"payload\":\"%s\"}]}]}",
			payloads[i]);
		task_round_trip(buf, NULL);
	}
}

static void test_task_step_functions_round_trip(void)
{
	json_t *req = NULL;
	task_round_trip(
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"STEP_FUNCTIONS\","
		"\"task_arn\":\"arn:aws:states:us-east-1:123456789012:stateMachine:sm\",\"priority\":2,"
		"\"max_concurrency\":\"10%\",\"max_errors\":\"0\","
		"\"targets\":[{\"key\":\"WindowTargetIds\",\"values\":[\"t-1\"]}],"
		"\"task_invocation_parameters\":[{\"step_functions_parameters\":[{\"input\":\"{}\","
		"\"name\":\"exec\"}]}]}",
		&req);
	CHECK_STR(jpath_str(req, "StepFunctions", "Input", NULL), "{}");
	CHECK_STR(jpath_str(req, "StepFunctions", "Name", NULL), "exec");
	json_decref(req);
}

/* Parameter blocks in another order give the same request and an equal state. */
static void test_task_parameter_order(void)
{
	const char *a =
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"RUN_COMMAND\","
		"\"task_arn\":\"AWS-RunPatchBaseline\",\"task_invocation_parameters\":[{"
		"\"run_command_parameters\":[{\"parameter\":["
		"{\"name\":\"Operation\",\"values\":[\"Install\"]},"
		"{\"name\":\"RebootOption\",\"values\":[\"NoReboot\"]}]}]}]}";
	const char *b =
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"RUN_COMMAND\","
		"\"task_arn\":\"AWS-RunPatchBaseline\",\"task_invocation_parameters\":[{"
		"\"run_command_parameters\":[{\"parameter\":["
		"{\"name\":\"RebootOption\",\"values\":[\"NoReboot\"]},"
		"{\"name\":\"Operation\",\"values\":[\"Install\"]}]}]}]}";
	tf_value *sa = state_of(&schema_window_task, a), *sb = state_of(&schema_window_task, b);
	tf_value *fa = NULL;
	json_t *ja = task_answer(sa), *jb = task_answer(sb);

	CHECK(json_equal(ja, jb));
	CHECK(tf_value_equal(sa, sb)); /* a set: order is not identity */
	CHECK(flatten(&res_window_task_def, jb, sa, &fa) == 0);
	CHECK(tf_value_equal(fa, sa));
	tf_value_free(fa);
	json_decref(ja);
	json_decref(jb);
	tf_value_free(sa);
	tf_value_free(sb);
}

/* A targetless task never sends MaxConcurrency/MaxErrors, even when a stale
 * state still has them. */
static void test_task_targetless_request(void)
{
	tf_value *st = state_of(&schema_window_task,
				"{\"id\":\"" TID "\",\"window_id\":\"" WID
				"\",\"task_type\":\"RUN_COMMAND\","
				"\"task_arn\":\"AWS-RunShellScript\",\"max_concurrency\":\"50%\","
				"\"max_errors\":\"1\"}");
	json_t *j = json_object();

	CHECK(expand(&res_window_task_def, st, j) == 0);
	CHECK(json_object_get(j, "Targets") == NULL);
	CHECK(json_object_get(j, "MaxConcurrency") == NULL);
	CHECK(json_object_get(j, "MaxErrors") == NULL);
	CHECK(json_object_get(j, "TaskInvocationParameters") == NULL);
	CHECK_STR(json_string_value(json_object_get(j, "TaskArn")), "AWS-RunShellScript");

	/* The API answers "1" as a placeholder for a targetless task: read as null. */
	tf_value *got = NULL;
	json_object_set_new(j, "WindowId", json_string(WID));
	json_object_set_new(j, "WindowTaskId", json_string(TID));
	json_object_set_new(j, "TaskType", json_string("RUN_COMMAND"));
	json_object_set_new(j, "MaxConcurrency", json_string("1"));
	json_object_set_new(j, "MaxErrors", json_string("1"));
	CHECK(flatten(&res_window_task_def, j, st, &got) == 0);
	CHECK(tf_value_is_null(tf_value_attr(got, "max_concurrency")));
	CHECK(tf_value_is_null(tf_value_attr(got, "max_errors")));
	tf_value_free(got);
	json_decref(j);
	tf_value_free(st);
}

/* What the API fills in or spells differently does not become drift. */
static void test_task_read_normalisation(void)
{
	tf_value *prior = state_of(
		&schema_window_task,
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"RUN_COMMAND\","
		"\"task_arn\":\"AWS-RunPatchBaseline\","
		"\"targets\":[{\"key\":\"WindowTargetIds\",\"values\":[\"t-1\"]}]}");
	json_t *ans = json_pack(
		"{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:[{s:s, s:[s]}],"
		" s:{s:{s:{}, s:{}, s:{s:b}}}}",
		"WindowId", WID, "WindowTaskId", TID, "TaskType", "RUN_COMMAND", "TaskArn",
		"aws-runpatchbaseline", "Priority", 1, "ServiceRoleArn",
		"arn:aws:iam::123456789012:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM",
		"MaxConcurrency", "50%", "MaxErrors", "50%", "CutoffBehavior", "CONTINUE_TASK",
		"Targets", "Key", "windowtargetids", "Values", "t-1", "TaskInvocationParameters",
		"RunCommand", "Parameters", "NotificationConfig", "CloudWatchOutputConfig",
		"CloudWatchOutputEnabled", 0);
	tf_value *got = NULL;

	CHECK(ans != NULL);
	CHECK(flatten(&res_window_task_def, ans, prior, &got) == 0);
	CHECK_STR(tf_value_attr_str(got, "task_arn"), "AWS-RunPatchBaseline");
	CHECK_STR(tf_value_attr_str(tf_value_index(tf_value_attr(got, "targets"), 0), "key"),
		  "WindowTargetIds");
	CHECK(tf_value_is_null(tf_value_attr(got, "cutoff_behavior")));
	/* O+C filled from the API. */
	CHECK_STR(tf_value_attr_str(got, "max_concurrency"), "50%");
	CHECK(strstr(tf_value_attr_str(got, "service_role_arn")
			     ? tf_value_attr_str(got, "service_role_arn")
			     : "",
		     "AWSServiceRoleForAmazonSSM") != NULL);
	/* An empty RunCommand object (a false flag at most) is not a block the user wrote. */
	CHECK(tf_value_len(tf_value_attr(got, "task_invocation_parameters")) == 0);
	tf_value_free(got);
	json_decref(ans);
	tf_value_free(prior);
}

static void test_target_round_trip(void)
{
	tf_value *st = state_of(
		&schema_window_target,
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"resource_type\":\"INSTANCE\","
		"\"name\":\"PatchingTargetScan\",\"description\":\"d\",\"owner_information\":\"o\","
		"\"targets\":[{\"key\":\"tag:PatchWindowTaskAM2\",\"values\":[\"SCAN\"]},"
		"{\"key\":\"tag-key\",\"values\":[\"Patch Group\",\"Other\"]}]}");
	tf_value *got = NULL;
	json_t *j = json_object(), *t0;

	CHECK(expand(&res_window_target_def, st, j) == 0);
	t0 = json_array_get(json_object_get(j, "Targets"), 0);
	CHECK_STR(json_string_value(json_object_get(t0, "Key")), "tag:PatchWindowTaskAM2");
	CHECK_STR(json_string_value(json_array_get(json_object_get(t0, "Values"), 0)), "SCAN");
	CHECK_STR(json_string_value(json_object_get(j, "OwnerInformation")), "o");
	/* Describe's element carries the identifying members too. */
	json_object_set_new(j, "WindowId", json_string(WID));
	json_object_set_new(j, "WindowTargetId", json_string(TID));
	json_object_set_new(j, "ResourceType", json_string("INSTANCE"));
	CHECK(flatten(&res_window_target_def, j, NULL, &got) == 0);
	if (!tf_value_equal(st, got)) {
		CHECK(tf_value_equal(st, got));
		show_diff(st, got);
	}
	tf_value_free(got);
	got = NULL;
	/* An API that folds the key's case keeps the user's spelling. */
	json_object_set_new(t0, "Key", json_string("TAG:PATCHWINDOWTASKAM2"));
	CHECK(flatten(&res_window_target_def, j, st, &got) == 0);
	CHECK(tf_value_equal(st, got));
	tf_value_free(got);
	got = NULL;
	/* A real change is drift. */
	json_array_set_new(json_object_get(t0, "Values"), 0, json_string("INSTALL"));
	CHECK(flatten(&res_window_target_def, j, st, &got) == 0);
	CHECK(!tf_value_equal(st, got));
	tf_value_free(got);
	json_decref(j);
	tf_value_free(st);
}

static void test_import_id_parsing(void)
{
	static const char *const bad[] = {
		"",           "/",
		WID,          WID "/",
		"/" TID,      TID,
		"x-123/" TID, WID "/" TID "/x",
		"mw-/" TID,   "mw-01-2/" TID,
		WID "//" TID, "pb-0123/" TID,
	};
	char long_id[400];
	tf_value *st = NULL;
	tf_diags d;

	tf_diags_init(&d);
	CHECK(resource_import(&res_window_target_def, WID "/" TID, &st, &d) == 0);
	CHECK_STR(tf_value_attr_str(st, "window_id"), WID);
	CHECK_STR(tf_value_attr_str(st, "id"), TID);
	tf_value_free(st);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = NULL;
		CHECK(resource_import(&res_window_target_def, bad[i], &st, &d) < 0);
		CHECK(st == NULL);
	}
	/* A part longer than 128 characters. */
	memset(long_id, 'a', sizeof(long_id));
	memcpy(long_id, WID "/", sizeof(WID));
	long_id[sizeof(long_id) - 1] = '\0';
	CHECK(resource_import(&res_window_target_def, long_id, &st, &d) < 0);
	CHECK(d.n == sizeof(bad) / sizeof(bad[0]) + 1);
	tf_diags_free(&d);
}

static void test_import_state_and_diagnostic(void)
{
	const res_def *defs[] = {&res_window_target_def, &res_window_task_def};
	const char *fmt[] = {"<window_id>/<window_target_id>", "<window_id>/<window_task_id>"};

	for (size_t i = 0; i < 2; i++) {
		tf_diags d;
		tf_value *st = NULL;

		tf_diags_init(&d);
		CHECK(resource_import(defs[i], WID "/" TID, &st, &d) == 0);
		CHECK(!tf_diags_has_error(&d));
		CHECK_STR(tf_value_attr_str(st, "id"), TID);
		CHECK_STR(tf_value_attr_str(st, "window_id"), WID);
		CHECK(schema_conforms(defs[i]->schema->block, st, &d));
		tf_value_free(st);
		st = NULL;

		CHECK(resource_import(defs[i], TID, &st, &d) < 0);
		CHECK(st == NULL);
		CHECK(tf_diags_has_error(&d));
		CHECK(d.n > 0 && d.items[d.n - 1].detail &&
		      strstr(d.items[d.n - 1].detail, fmt[i]));
		tf_diags_free(&d);
	}
}

/* The plan hook: targets removed -> max_concurrency/max_errors null; targets
 * added to a targetless task -> unknown; set in config -> untouched. */
static void test_task_plan_hook(void)
{
	const char *with =
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"RUN_COMMAND\","
		"\"task_arn\":\"AWS-RunPatchBaseline\",\"max_concurrency\":\"50%\","
		"\"max_errors\":\"50%\",\"priority\":1,"
		"\"targets\":[{\"key\":\"WindowTargetIds\",\"values\":[\"t-1\"]}]}";
	const char *without =
		"{\"id\":\"" TID "\",\"window_id\":\"" WID "\",\"task_type\":\"RUN_COMMAND\","
		"\"task_arn\":\"AWS-RunPatchBaseline\",\"priority\":1}";
	const char *cfg_without = "{\"window_id\":\"" WID "\",\"task_type\":\"RUN_COMMAND\","
				  "\"task_arn\":\"AWS-RunPatchBaseline\"}";
	const char *cfg_with = "{\"window_id\":\"" WID "\",\"task_type\":\"RUN_COMMAND\","
			       "\"task_arn\":\"AWS-RunPatchBaseline\","
			       "\"targets\":[{\"key\":\"WindowTargetIds\",\"values\":[\"t-1\"]}]}";
	tf_value *prior = state_of(&schema_window_task, with);
	tf_value *config = state_of(&schema_window_task, cfg_without);
	tf_value *planned = state_of(&schema_window_task, with);
	tf_diags d;

	tf_diags_init(&d);
	/* Proposed keeps the prior O+C values; targets now gone. */
	tf_value_set_attr(planned, "targets",
			  tf_value_empty(tf_value_attr(planned, "targets")->type));
	CHECK(res_window_task_def.plan(NULL, prior, config, planned, &d) == 0);
	CHECK(tf_value_is_null(tf_value_attr(planned, "max_concurrency")));
	CHECK(tf_value_is_null(tf_value_attr(planned, "max_errors")));
	CHECK(tf_value_number_as_i64(tf_value_attr(planned, "priority"), &(int64_t){0}) == 0);
	tf_value_free(prior);
	tf_value_free(config);
	tf_value_free(planned);

	/* Targets added to a targetless task. */
	prior = state_of(&schema_window_task, without);
	config = state_of(&schema_window_task, cfg_with);
	planned = state_of(&schema_window_task, without);
	tf_value_set_attr(planned, "targets", tf_value_clone(tf_value_attr(config, "targets")));
	CHECK(res_window_task_def.plan(NULL, prior, config, planned, &d) == 0);
	CHECK(tf_value_is_unknown(tf_value_attr(planned, "max_concurrency")));
	CHECK(tf_value_is_unknown(tf_value_attr(planned, "max_errors")));
	tf_value_free(planned);

	/* Unchanged task with targets: the prior values stand. */
	tf_value_free(prior);
	prior = state_of(&schema_window_task, with);
	planned = state_of(&schema_window_task, with);
	CHECK(res_window_task_def.plan(NULL, prior, config, planned, &d) == 0);
	CHECK(tf_value_equal(prior, planned));
	CHECK(!tf_diags_has_error(&d));
	tf_diags_free(&d);
	tf_value_free(prior);
	tf_value_free(config);
	tf_value_free(planned);
}

int main(void)
{
	RUN(test_task_run_command_round_trip);
	RUN(test_task_automation_round_trip);
	RUN(test_task_lambda_payload_base64);
	RUN(test_task_step_functions_round_trip);
	RUN(test_task_parameter_order);
	RUN(test_task_targetless_request);
	RUN(test_task_read_normalisation);
	RUN(test_target_round_trip);
	RUN(test_import_id_parsing);
	RUN(test_import_state_and_diagnostic);
	RUN(test_task_plan_hook);
	return unit_summary();
}
