/*
 * patch_now.c - the action ssmpatch_patch_now: AWS-RunPatchBaseline (Scan or
 * Install) now, outside any maintenance window. SSM has no "run this window
 * now" call; a window's patch task is exactly this command sent to the same
 * targets. Schema and cross-field rules: schema/action_patch_now.c.
 *
 * API calls:
 *   plan    DescribeMaintenanceWindowTargets (window_target, when known: the
 *           target exists and selects instances, not resource groups).
 *   invoke  DescribeMaintenanceWindowTargets (window_target: its Targets),
 *           SendCommand (DocumentName AWS-RunPatchBaseline, Parameters
 *           Operation and RebootOption, InstanceIds or Targets, MaxConcurrency,
 *           MaxErrors, TimeoutSeconds, OutputS3*, Comment), then every poll
 *           ListCommands (the command's status) and ListCommandInvocations
 *           (each instance's), until the command has finished; at the end
 *           GetCommandInvocation for each failed instance (its output).
 *
 * Progress: one message when the command is sent, one as each instance
 * finishes (in the order SSM reports them), one with the counts at the end.
 * Failed, timed-out and never-started (cancelled) instances end the action
 * with an error diagnostic naming each one, with the tail of its output and
 * the S3 location of the rest.
 *
 * Polling: first after POLL_WAITS_MS[0]; while nothing finishes the wait
 * grows to the last entry, and it starts over when an instance finishes.
 *
 * Quirks:
 * - Stop (Ctrl-C in Terraform) ends the wait at once and the action with an
 *   error saying the command goes on in SSM (a command already sent is not
 *   cancelled: an Install interrupted half-way is worse than one that
 *   finishes), with the command ID to follow it.
 * - SendCommand has no idempotency token. The AWS client retries it as the
 *   AWS SDKs do (throttling, 5xx, network errors); this file never sends it
 *   again, and Stop after the request left lets its answer come back (a
 *   mutating call), so a command that was accepted is always followed.
 * - With Targets, SSM resolves the instances after the command is accepted:
 *   the count is the one ListCommands reports (TargetCount), not
 *   SendCommand's answer.
 */
#include "action.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "../core/log.h"
#include "../resources/common.h"
#include "schema/schema_tables.h"

#define MOD "provider.action"

#define DOCUMENT "AWS-RunPatchBaseline"
#define DEFAULT_COMMENT "Terraform action ssmpatch_patch_now"
#define OUTPUT_TAIL_LINES 6 /* lines of a failed instance's output in the diagnostic */
#define OUTPUT_TAIL_BYTES 600
#define MAX_FAILED_SHOWN 20 /* instances described in detail; the rest counted */
#define MAX_UNLISTED_POLLS 5 /* polls a command may be missing from ListCommands */

static const long POLL_WAITS_MS[] = {1000, 2000, 3000, 5000};
#define N_WAITS (sizeof(POLL_WAITS_MS) / sizeof(POLL_WAITS_MS[0]))

static bool terminal(const char *status)
{
	static const char *const done[] = {"Success", "Failed", "TimedOut", "Cancelled"};

	for (size_t i = 0; status && i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(status, done[i]) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------- targets */

/* The window target's Describe entry (new reference) or NULL: not found
 * (*rc AWS_ERR_NOT_FOUND, no diagnostic) or an error with a diagnostic. */
static json_t *find_window_target(provider_ctx *p, const char *wid, const char *tid, int *rc,
				  tf_diags *d)
{
	json_t *list = NULL, *e, *found = NULL;
	size_t i;

	*rc = res_call_all(p, "DescribeMaintenanceWindowTargets",
			   json_pack("{s:s, s:[{s:s, s:[s]}]}", "WindowId", wid, "Filters", "Key",
				     "WindowTargetId", "Values", tid),
			   "Targets", &list, "window_target", d);
	if (*rc != 0)
		return NULL;
	json_array_foreach (list, i, e) {
		const char *id = json_string_value(json_object_get(e, "WindowTargetId"));

		if (id && strcmp(id, tid) == 0) {
			found = json_incref(e);
			break;
		}
	}
	json_decref(list);
	*rc = found ? 0 : AWS_ERR_NOT_FOUND;
	return found;
}

/* The window_target block's two IDs, when both are known. */
static bool window_target_ids(const tf_value *config, const char **wid, const char **tid)
{
	const tf_value *wt = tf_value_index(tf_value_attr(config, "window_target"), 0);

	*wid = tf_value_attr_str(wt, "window_id");
	*tid = tf_value_attr_str(wt, "window_target_id");
	return *wid && *tid;
}

/* Check a found window target: it selects instances. */
static int check_window_target(const json_t *t, const char *wid, const char *tid, tf_diags *d)
{
	const char *type = json_string_value(json_object_get(t, "ResourceType"));

	if (type && strcmp(type, "INSTANCE") != 0) {
		tf_diags_error_at(d, "window_target", "Not an instance target",
				  "Window target %s of %s selects %s, not instances: a command "
				  "runs on managed instances only.",
				  tid, wid, type);
		return AWS_ERR_VALIDATION;
	}
	return 0;
}

static void diag_no_window_target(const char *wid, const char *tid, tf_diags *d)
{
	tf_diags_error_at(d, "window_target", "Window target not found",
			  "Maintenance window %s has no target %s (or the window does not exist).",
			  wid, tid);
}

/*
 * The targets into the SendCommand request (InstanceIds or Targets), and
 * into `what` a description for the messages. Returns 0 or an aws_err with
 * a diagnostic.
 */
static int put_targets(provider_ctx *p, const tf_value *config, json_t *req, buf *what, tf_diags *d)
{
	const tf_value *ids = tf_value_attr(config, "instance_ids");
	const tf_value *tags = tf_value_attr(config, "tag");
	const char *group = tf_value_attr_str(config, "patch_group");
	const char *wid, *tid;
	json_t *targets;
	int rc;

	if (tf_value_is_known(ids)) {
		buf_printf(what, "%zu instance%s", tf_value_len(ids),
			   tf_value_len(ids) == 1 ? "" : "s");
		return json_object_set_new(req, "InstanceIds", res_json_strings(ids)) == 0
			       ? 0
			       : AWS_ERR_OTHER;
	}
	if (window_target_ids(config, &wid, &tid)) {
		json_t *t = find_window_target(p, wid, tid, &rc, d);

		if (rc == AWS_ERR_NOT_FOUND)
			diag_no_window_target(wid, tid, d);
		if (rc == 0)
			rc = check_window_target(t, wid, tid, d);
		if (rc == 0 && json_object_set(req, "Targets", json_object_get(t, "Targets")) < 0)
			rc = AWS_ERR_OTHER;
		buf_printf(what, "the targets of window target %s", tid);
		json_decref(t);
		return rc;
	}
	if (!(targets = json_array()) || json_object_set_new(req, "Targets", targets) < 0)
		return AWS_ERR_OTHER;
	buf_puts(what, "the instances tagged");
	if (group) {
		json_array_append_new(targets, json_pack("{s:s, s:[s]}", "Key", "tag:Patch Group",
							 "Values", group));
		buf_printf(what, " Patch Group=%s", group);
	}
	for (size_t i = 0; i < tf_value_len(tags); i++) {
		const tf_value *t = tf_value_index(tags, i);
		const char *key = tf_value_attr_str(t, "key");
		const tf_value *values = tf_value_attr(t, "values");
		buf k = BUF_INIT;

		buf_printf(&k, "tag:%s", key ? key : "");
		if (buf_failed(&k) ||
		    json_array_append_new(targets, json_pack("{s:s, s:o}", "Key", k.data, "Values",
							     res_json_strings(values))) < 0) {
			buf_free(&k);
			return AWS_ERR_OTHER;
		}
		buf_free(&k);
		buf_printf(what, "%s %s=", group || i ? " and" : "", key ? key : "");
		for (size_t j = 0; j < tf_value_len(values); j++)
			buf_printf(what, "%s%s", j ? "|" : "",
				   tf_value_str(tf_value_index(values, j)));
	}
	return 0;
}

/* ---------------------------------------------------------------- plan */

static int patch_now_plan(provider_ctx *p, const tf_value *config, tf_diags *d)
{
	const char *wid, *tid;
	json_t *t;
	int rc;

	if (!window_target_ids(config, &wid, &tid))
		return 0; /* nothing to look up, or not known yet */
	t = find_window_target(p, wid, tid, &rc, d);
	if (rc == AWS_ERR_NOT_FOUND)
		diag_no_window_target(wid, tid, d);
	else if (rc == 0)
		rc = check_window_target(t, wid, tid, d);
	json_decref(t);
	return rc;
}

/* ---------------------------------------------------------------- invoke */

/* One invocation of the command: what the messages and the diagnostic need. */
typedef struct {
	char *id, *name, *status, *details;
} invocation;

/* The invoke's state between polls. */
typedef struct {
	provider_ctx *p;
	const char *command_id;
	action_progress_fn progress;
	void *ctx;
	json_t *reported; /* {instance ID: status} of the instances reported */
	invocation *bad; /* failed, timed out or cancelled, in report order */
	size_t n_bad, cap_bad;
	size_t n_ok;
	long long target_count; /* from ListCommands; -1 until known */
	int unlisted; /* polls in which ListCommands did not list the command */
	bool client_gone;
} run_state;

static void run_state_free(run_state *r)
{
	for (size_t i = 0; i < r->n_bad; i++) {
		free(r->bad[i].id);
		free(r->bad[i].name);
		free(r->bad[i].status);
		free(r->bad[i].details);
	}
	free(r->bad);
	json_decref(r->reported);
}

/* Send one progress message (printf-style); a client gone is remembered. */
static void say(run_state *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(run_state *r, const char *fmt, ...)
{
	buf b = BUF_INIT;
	va_list ap;

	if (r->client_gone)
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (!buf_failed(&b) && r->progress(r->ctx, b.data) != 0)
		r->client_gone = true;
	buf_free(&b);
}

static char *dup_member(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return strdup(s ? s : "");
}

/* The instance as messages name it: "i-0123 (web-1)" or "i-0123". */
static void instance_label(buf *b, const char *id, const char *name)
{
	if (name && *name)
		buf_printf(b, "%s (%s)", id, name);
	else
		buf_puts(b, id);
}

/* An invocation newly finished: report it and remember a failure. */
static int report(run_state *r, const json_t *inv)
{
	const char *id = json_string_value(json_object_get(inv, "InstanceId"));
	const char *status = json_string_value(json_object_get(inv, "Status"));
	const char *details = json_string_value(json_object_get(inv, "StatusDetails"));
	const char *name = json_string_value(json_object_get(inv, "InstanceName"));
	size_t done;
	buf label = BUF_INIT;

	if (json_object_set_new(r->reported, id, json_string(status)) < 0)
		return -1;
	if (strcmp(status, "Success") == 0) {
		r->n_ok++;
	} else {
		invocation *v;

		if (r->n_bad == r->cap_bad) {
			size_t cap = r->cap_bad ? r->cap_bad * 2 : 8;
			invocation *nb = realloc(r->bad, cap * sizeof(*nb));

			if (!nb)
				return -1;
			r->bad = nb;
			r->cap_bad = cap;
		}
		v = &r->bad[r->n_bad];
		v->id = strdup(id);
		v->name = strdup(name ? name : "");
		v->status = strdup(status);
		v->details = strdup(details ? details : status);
		if (!v->id || !v->name || !v->status || !v->details) {
			free(v->id);
			free(v->name);
			free(v->status);
			free(v->details);
			return -1;
		}
		r->n_bad++;
	}
	done = r->n_ok + r->n_bad;
	instance_label(&label, id, name);
	if (r->target_count >= 0)
		say(r, "%s: %s (%zu of %lld done)", buf_failed(&label) ? id : label.data,
		    details && strcmp(details, status) != 0 ? details : status, done,
		    r->target_count);
	else
		say(r, "%s: %s (%zu done)", buf_failed(&label) ? id : label.data,
		    details && strcmp(details, status) != 0 ? details : status, done);
	buf_free(&label);
	return 0;
}

/* ListCommands for the command: *status (malloc'd; NULL while SSM does not
 * list it yet) and the target count. */
static int command_status(run_state *r, char **status, tf_diags *d)
{
	json_t *cmds = NULL, *c;
	int rc = res_call_all(r->p, "ListCommands", json_pack("{s:s}", "CommandId", r->command_id),
			      "Commands", &cmds, NULL, d);

	*status = NULL;
	if (rc != 0)
		return rc;
	c = json_array_get(cmds, 0);
	if (json_is_integer(json_object_get(c, "TargetCount")))
		r->target_count = json_integer_value(json_object_get(c, "TargetCount"));
	if (c && !(*status = dup_member(c, "Status"))) {
		res_diag_internal(d, "ListCommands", NULL);
		rc = AWS_ERR_OTHER;
	}
	json_decref(cmds);
	/* Right after SendCommand SSM may not list the command yet (eventual
	 * consistency): that is "not finished", for a few polls. */
	if (rc == 0 && !c && ++r->unlisted > MAX_UNLISTED_POLLS) {
		tf_diags_error(d, NULL, "Command not found",
			       "ListCommands has not listed command %s in %d polls since "
			       "SendCommand accepted it; follow it in SSM.",
			       r->command_id, MAX_UNLISTED_POLLS);
		rc = AWS_ERR_NOT_FOUND;
	}
	return rc;
}

/* One poll: the command's status, then every invocation newly finished.
 * *finished: the command is done; *progressed: an instance finished. */
static int poll_once(run_state *r, bool *finished, bool *progressed, tf_diags *d)
{
	json_t *invs = NULL, *inv;
	char *status = NULL;
	size_t i;
	int rc;

	*finished = *progressed = false;
	if ((rc = command_status(r, &status, d)) != 0)
		return rc;
	*finished = status && terminal(status);
	free(status);
	rc = res_call_all(r->p, "ListCommandInvocations",
			  json_pack("{s:s, s:i}", "CommandId", r->command_id, "MaxResults", 50),
			  "CommandInvocations", &invs, NULL, d);
	if (rc != 0)
		return rc;
	json_array_foreach (invs, i, inv) {
		const char *id = json_string_value(json_object_get(inv, "InstanceId"));
		const char *st = json_string_value(json_object_get(inv, "Status"));

		if (!id || !terminal(st) || json_object_get(r->reported, id))
			continue;
		if (report(r, inv) < 0) {
			res_diag_internal(d, "ListCommandInvocations", NULL);
			rc = AWS_ERR_OTHER;
			break;
		}
		*progressed = true;
	}
	json_decref(invs);
	return rc;
}

/* The last lines of a failed instance's output (GetCommandInvocation) into b. */
static void failed_output(run_state *r, const char *instance, buf *b)
{
	json_t *resp = NULL;
	tf_diags scratch;
	const char *out, *url, *tail;
	size_t lines = 0;

	tf_diags_init(&scratch);
	if (res_call(r->p, "GetCommandInvocation",
		     json_pack("{s:s, s:s}", "CommandId", r->command_id, "InstanceId", instance),
		     &resp, NULL, &scratch) != 0) {
		buf_puts(b, "\n    (its output could not be read)");
		goto done;
	}
	out = json_string_value(json_object_get(resp, "StandardOutputContent"));
	url = json_string_value(json_object_get(resp, "StandardOutputUrl"));
	if (out && *out) {
		size_t n = strlen(out);

		while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
			n--;
		tail = out + n;
		while (tail > out && lines < OUTPUT_TAIL_LINES &&
		       (size_t)(out + n - tail) < OUTPUT_TAIL_BYTES) {
			tail--;
			if (*tail == '\n')
				lines++;
		}
		if (*tail == '\n')
			tail++;
		for (const char *s = tail; s < out + n;) {
			const char *e = memchr(s, '\n', (size_t)(out + n - s));
			size_t len = e ? (size_t)(e - s) : (size_t)(out + n - s);

			buf_printf(b, "\n    | %.*s", (int)len, s);
			s += len + (e ? 1 : 0);
		}
	}
	if (url && *url)
		buf_printf(b, "\n    output: %s", url);
done:
	tf_diags_free(&scratch);
	json_decref(resp);
}

/* The error naming every instance that did not succeed. */
static void diag_failures(run_state *r, tf_diags *d)
{
	buf b = BUF_INIT;
	size_t total = r->n_ok + r->n_bad;

	buf_printf(&b, "Command %s (%s) did not succeed on %zu of %zu instance%s:", r->command_id,
		   DOCUMENT, r->n_bad, total, total == 1 ? "" : "s");
	for (size_t i = 0; i < r->n_bad && i < MAX_FAILED_SHOWN; i++) {
		const invocation *v = &r->bad[i];

		buf_puts(&b, "\n  - ");
		instance_label(&b, v->id, v->name);
		buf_printf(&b, ": %s", v->details);
		if (strcmp(v->status, "Cancelled") == 0)
			buf_puts(&b,
				 " (not started: more instances failed than max_errors allows)");
		else if (strcmp(v->status, "Failed") == 0)
			failed_output(r, v->id, &b);
	}
	if (r->n_bad > MAX_FAILED_SHOWN)
		buf_printf(&b, "\n  ... and %zu more", r->n_bad - MAX_FAILED_SHOWN);
	if (r->n_bad == 1)
		tf_diags_error(d, NULL, "Patching failed", "%s",
			       buf_failed(&b) ? r->bad[0].id : b.data);
	else
		tf_diags_error(d, NULL, "Patching failed", "%s",
			       buf_failed(&b) ? "Several instances failed." : b.data);
	buf_free(&b);
}

/* The SendCommand request from the configuration (targets put by the caller). */
static int send_request(const tf_value *config, json_t *req)
{
	const char *reboot = tf_value_attr_str(config, "reboot_option");
	json_t *params = json_pack("{s:[s]}", "Operation", tf_value_attr_str(config, "operation"));

	if (!params ||
	    (reboot && json_object_set_new(params, "RebootOption", json_pack("[s]", reboot)) < 0) ||
	    json_object_set_new(req, "DocumentName", json_string(DOCUMENT)) < 0 ||
	    json_object_set_new(req, "Parameters", params) < 0 ||
	    res_json_put_str(req, "MaxConcurrency", tf_value_attr(config, "max_concurrency")) < 0 ||
	    res_json_put_str(req, "MaxErrors", tf_value_attr(config, "max_errors")) < 0 ||
	    res_json_put_int(req, "TimeoutSeconds", tf_value_attr(config, "timeout_seconds")) < 0 ||
	    res_json_put_str(req, "OutputS3BucketName", tf_value_attr(config, "output_s3_bucket")) <
		    0 ||
	    res_json_put_str(req, "OutputS3KeyPrefix",
			     tf_value_attr(config, "output_s3_key_prefix")) < 0)
		return -1;
	if (tf_value_attr_str(config, "comment"))
		return res_json_put_str(req, "Comment", tf_value_attr(config, "comment"));
	return json_object_set_new(req, "Comment", json_string(DEFAULT_COMMENT));
}

static int patch_now_invoke(provider_ctx *p, const tf_value *config, action_progress_fn progress,
			    void *ctx, tf_diags *d)
{
	const char *op = tf_value_attr_str(config, "operation");
	const char *reboot = tf_value_attr_str(config, "reboot_option");
	run_state r = {.p = p, .progress = progress, .ctx = ctx, .target_count = -1};
	json_t *req = json_object(), *resp = NULL;
	buf what = BUF_INIT;
	size_t wait = 0;
	bool finished = false;
	int rc;

	if (!req || !(r.reported = json_object()) || send_request(config, req) < 0) {
		res_diag_internal(d, "SendCommand", NULL);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	if ((rc = put_targets(p, config, req, &what, d)) != 0)
		goto done;
	rc = res_call(p, "SendCommand", json_incref(req), &resp, NULL, d);
	if (rc != 0)
		goto done;
	r.command_id =
		json_string_value(json_object_get(json_object_get(resp, "Command"), "CommandId"));
	if (!r.command_id) {
		tf_diags_error(d, NULL, "Command without an ID",
			       "SendCommand answered without a CommandId; the command may run "
			       "without being followed.");
		rc = AWS_ERR_OTHER;
		goto done;
	}
	LOG_I(MOD, "%s %s sent as command %s", DOCUMENT, op, r.command_id);
	say(&r, "%s %s%s%s sent as command %s to %s", DOCUMENT, op, reboot ? ", " : "",
	    reboot ? reboot : "", r.command_id, buf_failed(&what) ? "the targets" : what.data);

	while (!finished && !r.client_gone) {
		bool progressed;

		if (aws_sleep_ms(POLL_WAITS_MS[wait]) != 0) {
			rc = AWS_ERR_CANCELLED;
			break;
		}
		if ((rc = poll_once(&r, &finished, &progressed, d)) != 0)
			break;
		wait = progressed ? 0 : (wait + 1 < N_WAITS ? wait + 1 : wait);
	}
	if (rc == AWS_ERR_CANCELLED) {
		say(&r, "Stopped following command %s after %zu of %s instances", r.command_id,
		    r.n_ok + r.n_bad, r.target_count >= 0 ? "its" : "the");
		tf_diags_error(
			d, NULL, "Stopped",
			"Terraform stopped the provider while command %s (%s %s) was running: %zu "
			"instance%s finished (%zu failed). SSM goes on running the command on the "
			"others; follow it with `aws ssm list-command-invocations --command-id %s`.",
			r.command_id, DOCUMENT, op, r.n_ok + r.n_bad,
			r.n_ok + r.n_bad == 1 ? "" : "s", r.n_bad, r.command_id);
		goto done;
	}
	if (rc != 0 || r.client_gone)
		goto done;
	say(&r, "Command %s finished: %zu succeeded, %zu did not", r.command_id, r.n_ok, r.n_bad);
	if (r.n_bad)
		diag_failures(&r, d);
	else if (r.n_ok == 0)
		tf_diags_warn(d, NULL, "No instances patched",
			      "Command %s matched no managed instance (%s).", r.command_id,
			      buf_failed(&what) ? "the targets" : what.data);
done:
	buf_free(&what);
	json_decref(req);
	json_decref(resp);
	run_state_free(&r);
	return rc;
}

const action_def action_patch_now_def = {
	.schema = &schema_action_patch_now,
	.plan = patch_now_plan,
	.invoke = patch_now_invoke,
};
