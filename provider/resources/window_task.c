/*
 * window_task.c - ssmpatch_window_task: a task registered with a maintenance
 * window (Run Command document, Automation runbook, Lambda function or Step
 * Functions state machine) and the targets it runs on.
 *
 * API calls per step:
 * - create: RegisterTaskWithMaintenanceWindow (ClientToken = random UUID, so a
 *   retried create never registers two tasks), then a read.
 * - read:   GetMaintenanceWindowTask. The window or the task gone
 *   (DoesNotExistException) means *out = NULL: Terraform plans a create.
 *   The arn is built locally: arn:<partition>:ssm:<region>:<account>:windowtask/<id>.
 * - update: UpdateMaintenanceWindowTask with Replace=true and the whole object
 *   (a field left out is cleared), then a read.
 * - delete: DeregisterTaskFromMaintenanceWindow. Already gone is success.
 * - import: "<window_id>/<window_task_id>".
 *
 * Force new: window_id, task_type (flags in the schema table).
 *
 * Mapping (expand: state -> request, flatten: response -> state) is table-driven
 * (wk_sub below) for task_invocation_parameters and its four variants:
 * run_command_parameters (with notification_config, cloudwatch_config),
 * automation_parameters, lambda_parameters, step_functions_parameters.
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

#include "../core/base64.h"
#include "../core/log.h"
#include "common.h"
#include "resource.h"
#include "schema/schema_tables.h"

#define MOD "provider.window_task"

#define TASK_BLOCK (schema_window_task.block)

/* Longest import ID part accepted (window IDs are 20 characters, task IDs 36). */

/* --- value helpers --- */

/* Set obj.attr = v, taking ownership of v whatever happens. */
static int wk_set(tf_value *obj, const char *attr, tf_value *v)
{
	if (!v || tf_value_set_attr(obj, attr, v) < 0) {
		tf_value_free(v);
		return -1;
	}
	return 0;
}

static const tf_type *wk_attr_type(const tf_value *obj, const char *attr)
{
	int i = obj ? tf_type_attr_index(obj->type, attr) : -1;
	return i < 0 ? NULL : obj->type->types[i];
}

/*
 * A "max 1" nested block, whether the schema nests it as SINGLE (an object
 * attribute) or as a LIST/SET of at most one element. Borrowed, or NULL when
 * the block is absent.
 */
static const tf_value *wk_single(const tf_value *obj, const char *attr)
{
	const tf_value *v = tf_value_attr(obj, attr);
	if (!tf_value_is_known(v))
		return NULL;
	if (v->type->kind == TF_TYPE_OBJECT)
		return v;
	return tf_value_len(v) > 0 && tf_value_is_known(tf_value_index(v, 0)) ? tf_value_index(v, 0)
									      : NULL;
}

/* Store `item` (ownership taken) as the "max 1" nested block `attr`. */
static int wk_put_single(tf_value *obj, const char *attr, tf_value *item)
{
	const tf_type *t = wk_attr_type(obj, attr);
	tf_value *list;

	if (!t || !item) {
		tf_value_free(item);
		return -1;
	}
	if (t->kind == TF_TYPE_OBJECT)
		return wk_set(obj, attr, item);
	if (!(list = tf_value_empty(t)) || tf_value_append(list, item) < 0) {
		tf_value_free(list);
		tf_value_free(item);
		return -1;
	}
	return wk_set(obj, attr, list);
}

static bool wk_equiv_icase_list(const tf_value *a, const tf_value *b)
{
	if (tf_value_len(a) != tf_value_len(b))
		return false;
	for (size_t i = 0; i < tf_value_len(a); i++)
		if (!res_equiv_icase(tf_value_index(a, i), tf_value_index(b, i)))
			return false;
	return true;
}

/* True when a JSON answer carries nothing a user wrote: null, false, {}, [], or
 * objects of those (an API may report {"CloudWatchOutputEnabled": false} for a
 * setting nobody made). */
static bool wk_json_empty(const json_t *j)
{
	const char *k;
	json_t *v;

	if (!j || json_is_null(j) || json_is_false(j))
		return true;
	if (json_is_array(j))
		return json_array_size(j) == 0;
	if (!json_is_object(j))
		return false;
	json_object_foreach ((json_t *)j, k, v)
		if (!wk_json_empty(v))
			return false;
	return true;
}

/* --- the task_invocation_parameters mapping, as data --- */

typedef enum {
	WK_STR, /* string <-> string (another case from the API keeps the user's) */
	WK_INT, /* number <-> integer */
	WK_BOOL, /* bool <-> boolean */
	WK_STRLIST, /* list(string) <-> [string] */
	WK_B64, /* string (plain text) <-> blob (base64) */
} wk_kind;

typedef struct {
	const char *attr; /* attribute name in the schema */
	const char *json; /* member name in the SSM API */
	wk_kind kind;
} wk_field;

typedef struct wk_sub wk_sub;
struct wk_sub {
	const char *attr; /* nested block name (max 1) */
	const char *json; /* member name of the API object */
	const wk_field *fields;
	size_t n_fields;
	const wk_sub *subs; /* nested "max 1" blocks */
	size_t n_subs;
	bool has_params; /* `parameter` block set <-> "Parameters" map */
};

#define WK_N(a) (sizeof(a) / sizeof((a)[0]))

static const wk_field wk_notification_fields[] = {
	{"notification_arn", "NotificationArn", WK_STR},
	{"notification_events", "NotificationEvents", WK_STRLIST},
	{"notification_type", "NotificationType", WK_STR},
};
static const wk_field wk_cloudwatch_fields[] = {
	{"cloudwatch_log_group_name", "CloudWatchLogGroupName", WK_STR},
	{"cloudwatch_output_enabled", "CloudWatchOutputEnabled", WK_BOOL},
};
static const wk_sub wk_run_command_subs[] = {
	{"notification_config", "NotificationConfig", wk_notification_fields,
	 WK_N(wk_notification_fields), NULL, 0, false},
	{"cloudwatch_config", "CloudWatchOutputConfig", wk_cloudwatch_fields,
	 WK_N(wk_cloudwatch_fields), NULL, 0, false},
};
static const wk_field wk_run_command_fields[] = {
	{"comment", "Comment", WK_STR},
	{"document_hash", "DocumentHash", WK_STR},
	{"document_hash_type", "DocumentHashType", WK_STR},
	{"document_version", "DocumentVersion", WK_STR},
	{"output_s3_bucket", "OutputS3BucketName", WK_STR},
	{"output_s3_key_prefix", "OutputS3KeyPrefix", WK_STR},
	{"service_role_arn", "ServiceRoleArn", WK_STR},
	{"timeout_seconds", "TimeoutSeconds", WK_INT},
};
static const wk_field wk_automation_fields[] = {
	{"document_version", "DocumentVersion", WK_STR},
};
static const wk_field wk_lambda_fields[] = {
	{"client_context", "ClientContext", WK_STR},
	{"payload", "Payload", WK_B64},
	{"qualifier", "Qualifier", WK_STR},
};
static const wk_field wk_step_functions_fields[] = {
	{"input", "Input", WK_STR},
	{"name", "Name", WK_STR},
};
static const wk_sub wk_variants[] = {
	{"run_command_parameters", "RunCommand", wk_run_command_fields, WK_N(wk_run_command_fields),
	 wk_run_command_subs, WK_N(wk_run_command_subs), true},
	{"automation_parameters", "Automation", wk_automation_fields, WK_N(wk_automation_fields),
	 NULL, 0, true},
	{"lambda_parameters", "Lambda", wk_lambda_fields, WK_N(wk_lambda_fields), NULL, 0, false},
	{"step_functions_parameters", "StepFunctions", wk_step_functions_fields,
	 WK_N(wk_step_functions_fields), NULL, 0, false},
};
static const wk_sub wk_invocation = {
	"task_invocation_parameters",
	"TaskInvocationParameters",
	NULL,
	0,
	wk_variants,
	WK_N(wk_variants),
	false,
};

/* --- expand: state -> request --- */

static int wk_expand_field(json_t *j, const wk_field *f, const tf_value *v)
{
	char *b64;
	int rc;

	switch (f->kind) {
	case WK_STR:
		return res_json_put_str(j, f->json, v);
	case WK_INT:
		return res_json_put_int(j, f->json, v);
	case WK_BOOL:
		return res_json_put_bool(j, f->json, v);
	case WK_STRLIST:
		return tf_value_is_known(v) ? res_json_put_strings(j, f->json, v) : 0;
	case WK_B64:
		if (!tf_value_is_known(v))
			return 0;
		if (!(b64 = base64_encode(v->u.str.s, v->u.str.len, 0, NULL)))
			return -1;
		rc = json_object_set_new(j, f->json, json_string(b64));
		free(b64);
		return rc;
	}
	return -1;
}

/* `parameter` set of {name, values} -> {"name": [values], ...}; NULL when empty. */
static int wk_expand_params(json_t *j, const tf_value *set)
{
	json_t *m;

	if (tf_value_len(set) == 0)
		return 0;
	if (!(m = json_object()) || json_object_set_new(j, "Parameters", m) < 0)
		return -1;
	for (size_t i = 0; i < tf_value_len(set); i++) {
		const tf_value *p = tf_value_index(set, i);
		const char *name = tf_value_attr_str(p, "name");
		if (name &&
		    json_object_set_new(m, name, res_json_strings(tf_value_attr(p, "values"))) < 0)
			return -1;
	}
	return 0;
}

/* One "max 1" block -> new JSON object (NULL on ENOMEM). */
static json_t *wk_expand_sub(const tf_value *o, const wk_sub *s)
{
	json_t *j = json_object();

	if (!j)
		return NULL;
	for (size_t i = 0; i < s->n_fields; i++)
		if (wk_expand_field(j, &s->fields[i], tf_value_attr(o, s->fields[i].attr)) < 0)
			goto fail;
	if (s->has_params && wk_expand_params(j, tf_value_attr(o, "parameter")) < 0)
		goto fail;
	for (size_t i = 0; i < s->n_subs; i++) {
		const tf_value *c = wk_single(o, s->subs[i].attr);
		json_t *cj;
		if (!c)
			continue;
		if (!(cj = wk_expand_sub(c, &s->subs[i])) ||
		    json_object_set_new(j, s->subs[i].json, cj) < 0)
			goto fail;
	}
	return j;
fail:
	json_decref(j);
	return NULL;
}

/* targets blocks -> [{"Key": k, "Values": [..]}] (new reference, NULL on ENOMEM). */
static json_t *wk_expand_targets(const tf_value *list)
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

/*
 * The members RegisterTaskWithMaintenanceWindow and UpdateMaintenanceWindowTask
 * share, from a (planned) state: Targets, MaxConcurrency, MaxErrors, TaskArn,
 * ServiceRoleArn, Priority, Name, Description, CutoffBehavior,
 * TaskInvocationParameters. Null and unknown attributes are left out.
 * Not static: tests/unit/test_res_target_task.c declares and tests it.
 */
int res_window_task_expand(const tf_value *obj, json_t *req)
{
	const tf_value *targets = tf_value_attr(obj, "targets");
	const tf_value *tip = wk_single(obj, wk_invocation.attr);

	if (tf_value_len(targets) > 0) {
		/* A targetless task must not carry MaxConcurrency/MaxErrors. */
		json_t *jt = wk_expand_targets(targets);
		if (!jt || json_object_set_new(req, "Targets", jt) < 0 ||
		    res_json_put_str(req, "MaxConcurrency", tf_value_attr(obj, "max_concurrency")) <
			    0 ||
		    res_json_put_str(req, "MaxErrors", tf_value_attr(obj, "max_errors")) < 0)
			return -1;
	}
	if (res_json_put_str(req, "TaskArn", tf_value_attr(obj, "task_arn")) < 0 ||
	    res_json_put_str(req, "ServiceRoleArn", tf_value_attr(obj, "service_role_arn")) < 0 ||
	    res_json_put_int(req, "Priority", tf_value_attr(obj, "priority")) < 0 ||
	    res_json_put_str(req, "Name", tf_value_attr(obj, "name")) < 0 ||
	    res_json_put_str(req, "Description", tf_value_attr(obj, "description")) < 0 ||
	    res_json_put_str(req, "CutoffBehavior", tf_value_attr(obj, "cutoff_behavior")) < 0)
		return -1;
	if (tip) {
		json_t *j = wk_expand_sub(tip, &wk_invocation);
		if (!j || json_object_set_new(req, wk_invocation.json, j) < 0)
			return -1;
	}
	return 0;
}

/* --- flatten: response -> state --- */

static tf_value *wk_flatten_field(const json_t *j, const wk_field *f, tf_value *obj,
				  const tf_value *prior_obj)
{
	const json_t *jv = json_object_get(j, f->json);
	const char *s;
	size_t n;
	char *plain;
	tf_value *v;

	switch (f->kind) {
	case WK_STR:
		return res_tf_str(j, f->json);
	case WK_INT:
		return res_tf_num(j, f->json);
	case WK_BOOL:
		return res_tf_bool(j, f->json);
	case WK_STRLIST:
		/* [] from the API for a list the user never set is not drift. */
		return res_tf_strings(jv, wk_attr_type(obj, f->attr),
				      tf_value_is_null(tf_value_attr(prior_obj, f->attr)));
	case WK_B64:
		if (!(s = json_string_value(jv)))
			return tf_value_null(&tf_type_string);
		/* Not base64 (an API that echoes plain text): take it as it is. */
		if (!(plain = base64_decode(s, json_string_length(jv),
					    BASE64_PAD_OPTIONAL | BASE64_TEXT, &n)))
			return tf_value_string(s);
		v = tf_value_string_len(plain, n);
		free(plain);
		return v;
	}
	return NULL;
}

/* {"name": [values]} -> `parameter` set of blocks. */
static int wk_flatten_params(tf_value *obj, const schema_block *b, const json_t *m)
{
	const schema_nested *nb = schema_find_block(b, "parameter");
	tf_value *set = nb ? tf_value_empty(wk_attr_type(obj, "parameter")) : NULL;
	const char *k;
	json_t *jv;

	if (!set)
		return -1;
	json_object_foreach ((json_t *)m, k, jv) {
		tf_value *p = schema_new_object(nb->block);
		if (!p || tf_value_append(set, p) < 0) {
			tf_value_free(p);
			goto fail;
		}
		if (res_set_str(p, "name", k) < 0 ||
		    wk_set(p, "values", res_tf_strings(jv, wk_attr_type(p, "values"), false)) < 0)
			goto fail;
	}
	return wk_set(obj, "parameter", set);
fail:
	tf_value_free(set);
	return -1;
}

/* One API object -> new block object of `b`, prior lending its spelling. */
static tf_value *wk_flatten_sub(const json_t *j, const wk_sub *s, const schema_block *b,
				const tf_value *prior)
{
	tf_value *o = schema_new_object(b);

	if (!o)
		return NULL;
	for (size_t i = 0; i < s->n_fields; i++) {
		const wk_field *f = &s->fields[i];
		if (wk_set(o, f->attr, wk_flatten_field(j, f, o, prior)) < 0)
			goto fail;
		if (f->kind == WK_STR)
			res_keep_prior(o, prior, f->attr, res_equiv_icase);
		else if (f->kind == WK_STRLIST)
			res_keep_prior(o, prior, f->attr, wk_equiv_icase_list);
	}
	if (s->has_params && wk_flatten_params(o, b, json_object_get(j, "Parameters")) < 0)
		goto fail;
	for (size_t i = 0; i < s->n_subs; i++) {
		const wk_sub *c = &s->subs[i];
		const schema_nested *nb = schema_find_block(b, c->attr);
		const json_t *cj = json_object_get(j, c->json);
		const tf_value *pc = wk_single(prior, c->attr);
		tf_value *co;

		if (!nb)
			goto fail;
		/* An empty answer is a block only if the user wrote one. */
		if (!json_is_object(cj) || (wk_json_empty(cj) && !pc))
			continue;
		if (!(co = wk_flatten_sub(cj, c, nb->block, pc)) ||
		    wk_put_single(o, c->attr, co) < 0)
			goto fail;
	}
	return o;
fail:
	tf_value_free(o);
	return NULL;
}

/* Targets JSON -> targets block list (API order); prior lends key spelling. */
static int wk_flatten_targets(tf_value *obj, const json_t *arr, const tf_value *prior_list)
{
	const schema_nested *nb = schema_find_block(TASK_BLOCK, "targets");
	tf_value *list = nb ? tf_value_empty(wk_attr_type(obj, "targets")) : NULL;
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
		if (wk_set(t, "key", res_tf_str(jt, "Key")) < 0 ||
		    wk_set(t, "values",
			   res_tf_strings(json_object_get(jt, "Values"), wk_attr_type(t, "values"),
					  false)) < 0)
			goto fail;
		res_keep_prior(t, pt, "key", res_equiv_icase);
	}
	return wk_set(obj, "targets", list);
fail:
	tf_value_free(list);
	return -1;
}

/*
 * GetMaintenanceWindowTask's answer -> state (everything but arn, which needs
 * the account: read sets it). `prior` (may be NULL) lends the user's spelling.
 * Not static: tests/unit/test_res_target_task.c declares and tests it.
 */
int res_window_task_flatten(const json_t *api, const tf_value *prior, tf_value **out)
{
	tf_value *obj = schema_new_object(TASK_BLOCK);
	const json_t *tip = json_object_get(api, wk_invocation.json);
	const tf_value *ptip = wk_single(prior, wk_invocation.attr);
	const char *cutoff;

	*out = NULL;
	if (!obj)
		return -1;
	if (wk_set(obj, "id", res_tf_str(api, "WindowTaskId")) < 0 ||
	    wk_set(obj, "window_id", res_tf_str(api, "WindowId")) < 0 ||
	    wk_set(obj, "task_type", res_tf_str(api, "TaskType")) < 0 ||
	    wk_set(obj, "task_arn", res_tf_str(api, "TaskArn")) < 0 ||
	    wk_set(obj, "service_role_arn", res_tf_str(api, "ServiceRoleArn")) < 0 ||
	    wk_set(obj, "priority", res_tf_num(api, "Priority")) < 0 ||
	    wk_set(obj, "max_concurrency", res_tf_str(api, "MaxConcurrency")) < 0 ||
	    wk_set(obj, "max_errors", res_tf_str(api, "MaxErrors")) < 0 ||
	    wk_set(obj, "name", res_tf_str(api, "Name")) < 0 ||
	    wk_set(obj, "description", res_tf_str(api, "Description")) < 0 ||
	    wk_set(obj, "cutoff_behavior", res_tf_str(api, "CutoffBehavior")) < 0 ||
	    wk_flatten_targets(obj, json_object_get(api, "Targets"),
			       tf_value_attr(prior, "targets")) < 0)
		goto fail;
	/* A targetless task has no MaxConcurrency/MaxErrors of its own: the API
	 * reports a placeholder ("1") that the user cannot set. */
	if (tf_value_len(tf_value_attr(obj, "targets")) == 0 &&
	    (wk_set(obj, "max_concurrency", tf_value_null(&tf_type_string)) < 0 ||
	     wk_set(obj, "max_errors", tf_value_null(&tf_type_string)) < 0))
		goto fail;
	/* CONTINUE_TASK is what the API reports when nobody chose: not drift. */
	cutoff = tf_value_attr_str(obj, "cutoff_behavior");
	if (cutoff && strcmp(cutoff, "CONTINUE_TASK") == 0 &&
	    tf_value_is_null(tf_value_attr(prior, "cutoff_behavior")) &&
	    wk_set(obj, "cutoff_behavior", tf_value_null(&tf_type_string)) < 0)
		goto fail;
	static const char *const icase[] = {"task_type", "task_arn", "service_role_arn",
					    "cutoff_behavior"};
	for (size_t i = 0; i < WK_N(icase); i++)
		res_keep_prior(obj, prior, icase[i], res_equiv_icase);

	if (json_is_object(tip) && (!wk_json_empty(tip) || ptip)) {
		const schema_nested *nb = schema_find_block(TASK_BLOCK, wk_invocation.attr);
		tf_value *t;
		if (!nb || !(t = wk_flatten_sub(tip, &wk_invocation, nb->block, ptip)) ||
		    wk_put_single(obj, wk_invocation.attr, t) < 0)
			goto fail;
	}
	*out = obj;
	return 0;
fail:
	tf_value_free(obj);
	return -1;
}

/* --- find --- */

/* GetMaintenanceWindowTask (new reference in *out), or *out NULL when gone. */
static int wk_find(provider_ctx *p, const char *window_id, const char *id, json_t **out,
		   tf_diags *d)
{
	int rc =
		res_get(p, "GetMaintenanceWindowTask",
			json_pack("{s:s, s:s}", "WindowId", window_id, "WindowTaskId", id), out, d);

	return rc == AWS_ERR_NOT_FOUND ? 0 : rc; /* the task, or its whole window, is gone */
}

/* --- create / read / update / delete --- */

static int wk_read(provider_ctx *p, const tf_value *prior, tf_value **out, tf_diags *d);

static int wk_create(provider_ctx *p, const tf_value *planned, tf_value **out, tf_diags *d)
{
	json_t *req = json_object(), *resp = NULL;
	char token[37];
	const char *id;
	aws_error err;
	int rc = AWS_ERR_OTHER;

	*out = NULL;
	res_client_token(token);
	if (!req || res_json_put_str(req, "WindowId", tf_value_attr(planned, "window_id")) < 0 ||
	    res_json_put_str(req, "TaskType", tf_value_attr(planned, "task_type")) < 0 ||
	    res_window_task_expand(planned, req) < 0 ||
	    json_object_set_new(req, "ClientToken", json_string(token)) < 0) {
		res_diag_internal(d, "Registering window task", NULL);
		goto done;
	}
	rc = ssm_call(p->aws, "RegisterTaskWithMaintenanceWindow", req, &resp, &err);
	if (rc < 0) {
		res_diag_aws(d, NULL, "RegisterTaskWithMaintenanceWindow", &err);
		goto done;
	}
	if (!(id = json_string_value(json_object_get(resp, "WindowTaskId")))) {
		tf_diags_error(d, NULL, "RegisterTaskWithMaintenanceWindow returned no ID",
			       "The response had no WindowTaskId; the task may exist without being "
			       "tracked in the state.");
		rc = AWS_ERR_OTHER;
		goto done;
	}
	LOG_D(MOD, "registered window task %s", id);
	rc = res_read_after_write(p, wk_read, planned, id, "Maintenance window task", out, d);
done:
	json_decref(req);
	json_decref(resp);
	return rc;
}

/* arn for `id`: the prior one when it already names this task, else built. */
static int wk_set_arn(provider_ctx *p, tf_value *st, const tf_value *prior, const char *id,
		      tf_diags *d)
{
	const char *parn = tf_value_attr_str(prior, "arn");
	size_t pl = parn ? strlen(parn) : 0, il = strlen(id);
	char *arn = NULL;
	int rc;

	if (parn && pl > il + 11 && strcmp(parn + pl - il, id) == 0 &&
	    strncmp(parn + pl - il - 11, "windowtask/", 11) == 0)
		return res_set_str(st, "arn", parn) < 0 ? AWS_ERR_OTHER : 0;
	if ((rc = res_arn(p, "windowtask", id, &arn, d)) < 0)
		return rc;
	rc = res_set_str(st, "arn", arn) < 0 ? AWS_ERR_OTHER : 0;
	free(arn);
	return rc;
}

static int wk_read(provider_ctx *p, const tf_value *prior, tf_value **out, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, "id");
	const char *window_id = tf_value_attr_str(prior, "window_id");
	json_t *api = NULL;
	tf_value *st = NULL;
	int rc;

	*out = NULL;
	if (!id || !window_id)
		return 0; /* nothing to look for: treat as gone */
	if ((rc = wk_find(p, window_id, id, &api, d)) < 0 || !api)
		goto done;
	if (res_window_task_flatten(api, prior, &st) < 0) {
		res_diag_internal(d, "Reading window task", NULL);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	/* Without an account ID the object is still returned (with arn null). */
	rc = wk_set_arn(p, st, prior, id, d);
	*out = st;
done:
	json_decref(api);
	return rc;
}

static int wk_update(provider_ctx *p, const tf_value *prior, const tf_value *planned,
		     tf_value **out, tf_diags *d)
{
	json_t *req = json_object(), *resp = NULL;
	const char *id = tf_value_attr_str(prior, "id");
	aws_error err;
	int rc = AWS_ERR_OTHER;

	*out = NULL;
	if (!req || !id ||
	    res_json_put_str(req, "WindowId", tf_value_attr(planned, "window_id")) < 0 ||
	    json_object_set_new(req, "WindowTaskId", json_string(id)) < 0 ||
	    res_window_task_expand(planned, req) < 0 ||
	    json_object_set_new(req, "Replace", json_true()) < 0) {
		res_diag_internal(d, "Updating window task", NULL);
		goto done;
	}
	rc = ssm_call(p->aws, "UpdateMaintenanceWindowTask", req, &resp, &err);
	if (rc < 0) {
		res_diag_aws(d, NULL, "UpdateMaintenanceWindowTask", &err);
		*out = tf_value_clone(prior);
		goto done;
	}
	rc = res_read_after_write(p, wk_read, planned, id, "Maintenance window task", out, d);
done:
	json_decref(req);
	json_decref(resp);
	return rc;
}

static int wk_delete(provider_ctx *p, const tf_value *prior, tf_diags *d)
{
	/* Gone already, or its window is: success. */
	return res_delete(p, "DeregisterTaskFromMaintenanceWindow",
			  json_pack("{s:s?, s:s?}", "WindowId",
				    tf_value_attr_str(prior, "window_id"), "WindowTaskId",
				    tf_value_attr_str(prior, "id")),
			  d);
}

/* --- import --- */

static int wk_import(provider_ctx *p, const char *id, tf_value **out, tf_diags *d)
{
	(void)p;
	return res_import_window_child(TASK_BLOCK, id, "window_task_id", out, d);
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
		if (wk_set(planned, oc[i], nv) < 0) {
			res_diag_internal(d, "Planning window task", NULL);
			return AWS_ERR_OTHER;
		}
	}
	return 0;
}

const res_ops res_window_task_ops = {
	.schema = &schema_window_task,
	.plan = wk_plan,
	.create = wk_create,
	.read = wk_read,
	.update = wk_update,
	.delete = wk_delete,
	.import = wk_import,
};
