/*
 * window_executions.c - data source ssmpatch_window_executions: the latest
 * executions of one maintenance window with their task executions and
 * invocations, and the window's next scheduled runs.
 *
 * API calls:
 *   GetMaintenanceWindow (the window's name; a missing window is an error at
 *   window_id), DescribeMaintenanceWindowExecutions (filter ExecutedAfter;
 *   pages until max_results), then DescribeMaintenanceWindowExecutionTasks per
 *   execution and DescribeMaintenanceWindowExecutionTaskInvocations per task
 *   execution (all pages; each round 10 at a time), and
 *   DescribeMaintenanceWindowSchedule (next_runs_count runs).
 *
 * Quirks:
 * - An invocation reports what it ran in Parameters, a JSON string; for a
 *   RUN_COMMAND task it holds instanceIds and the S3 output bucket and key
 *   prefix set on the task (outputS3BucketName, outputS3KeyPrefix). Only those
 *   are read: the rest may carry the task's secrets. Run Command writes the
 *   output under <prefix>/<command ID>/<instance ID>/.
 * - Times come as seconds since 1970 (JSON numbers) and schedule times as
 *   "2024-06-01T17:00Z"; both are returned as RFC 3339.
 */
#include "datasource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "../core/iso8601.h"
#include "../resources/common.h"
#include "schema/schema_tables.h"

static const res_field we_exec_fields[] = {
	{"execution_id", "WindowExecutionId", RES_M_STR, .flags = 0},
	{"status", "Status", RES_M_STR, .flags = 0},
	{"status_details", "StatusDetails", RES_M_STR, .flags = 0},
};
static const res_map we_exec_map = RES_MAP(we_exec_fields);

static const res_field we_task_fields[] = {
	{"task_execution_id", "TaskExecutionId", RES_M_STR, .flags = 0},
	{"task_arn", "TaskArn", RES_M_STR, .flags = 0},
	{"task_type", "TaskType", RES_M_STR, .flags = 0},
	{"status", "Status", RES_M_STR, .flags = 0},
	{"status_details", "StatusDetails", RES_M_STR, .flags = 0},
};
static const res_map we_task_map = RES_MAP(we_task_fields);

static const res_field we_inv_fields[] = {
	{"invocation_id", "InvocationId", RES_M_STR, .flags = 0},
	{"command_id", "ExecutionId", RES_M_STR, .flags = 0},
	{"window_target_id", "WindowTargetId", RES_M_STR, .flags = 0},
	{"status", "Status", RES_M_STR, .flags = 0},
	{"status_details", "StatusDetails", RES_M_STR, .flags = 0},
};
static const res_map we_inv_map = RES_MAP(we_inv_fields);

/* What one read gathers: the executions, then per execution its tasks, then
 * per task (numbered across executions) its invocations. */
typedef struct {
	provider_ctx *p;
	json_t *execs;
	json_t **tasks; /* [execution] */
	size_t n_tasks;
	const json_t **task_at; /* [task] the task identity */
	const char **task_exec; /* [task] its WindowExecutionId */
	json_t **invs; /* [task] */
} we_job;

static int we_get_tasks(void *ctx, size_t i, tf_diags *d)
{
	we_job *job = ctx;
	const char *id = json_string_value(
		json_object_get(json_array_get(job->execs, i), "WindowExecutionId"));

	return ds_pages(job->p, "DescribeMaintenanceWindowExecutionTasks",
			json_pack("{s:s?}", "WindowExecutionId", id),
			"WindowExecutionTaskIdentities", 100, 0, &job->tasks[i], NULL, d);
}

static int we_get_invocations(void *ctx, size_t i, tf_diags *d)
{
	we_job *job = ctx;
	const char *tid = json_string_value(json_object_get(job->task_at[i], "TaskExecutionId"));

	return ds_pages(
		job->p, "DescribeMaintenanceWindowExecutionTaskInvocations",
		json_pack("{s:s?,s:s?}", "WindowExecutionId", job->task_exec[i], "TaskId", tid),
		"WindowExecutionTaskInvocationIdentities", 100, 0, &job->invs[i], NULL, d);
}

/* Newest first; equal start times by ID, so the order is stable. */
static int we_newest_first(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double tx = json_number_value(json_object_get(x, "StartTime"));
	double ty = json_number_value(json_object_get(y, "StartTime"));
	const char *ix = json_string_value(json_object_get(x, "WindowExecutionId"));
	const char *iy = json_string_value(json_object_get(y, "WindowExecutionId"));

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(ix ? ix : "", iy ? iy : "");
}

/* "a/b/" parts joined by single slashes. */
static void we_join(buf *b, const char *part)
{
	size_t n;

	while (*part == '/')
		part++;
	n = strlen(part);
	while (n && part[n - 1] == '/')
		n--;
	if (!n)
		return;
	buf_append(b, part, n);
	buf_putc(b, '/');
}

/* The attributes an invocation's Parameters JSON gives. */
static int we_invocation_params(const json_t *inv, tf_value *row)
{
	const char *params = json_string_value(json_object_get(inv, "Parameters"));
	json_t *pj = params ? json_loads(params, 0, NULL) : NULL;
	const json_t *ids = json_object_get(pj, "instanceIds");
	const char *bucket = json_string_value(json_object_get(pj, "outputS3BucketName"));
	const char *prefix = json_string_value(json_object_get(pj, "outputS3KeyPrefix"));
	const char *cmd = tf_value_attr_str(row, "command_id");
	const char *target =
		json_array_size(ids) == 1 ? json_string_value(json_array_get(ids, 0)) : NULL;
	buf uri = BUF_INIT;
	char *u = NULL;
	int rc = 0;

	if (bucket && *bucket && cmd && target) {
		buf_printf(&uri, "s3://%s/", bucket);
		we_join(&uri, prefix ? prefix : "");
		we_join(&uri, cmd);
		we_join(&uri, target);
		if (!(u = buf_detach(&uri, NULL)))
			rc = -1;
	}
	if (rc == 0 && (res_set_str(row, "target_id", target) < 0 ||
			res_set_str(row, "output_s3_bucket", bucket) < 0 ||
			res_set_str(row, "output_s3_key_prefix", prefix) < 0 ||
			res_set_str(row, "output_s3_uri", u) < 0))
		rc = -1;
	buf_free(&uri);
	free(u);
	json_decref(pj);
	return rc;
}

/* Start and end times of a row from its API object. */
static int we_times(tf_value *row, const json_t *api)
{
	return res_set_attr(row, "start_time", ds_time(json_object_get(api, "StartTime"))) < 0 ||
			       res_set_attr(row, "end_time",
					    ds_time(json_object_get(api, "EndTime"))) < 0
		       ? -1
		       : 0;
}

/* The executions attribute from what the job gathered. */
static tf_value *we_build(const we_job *job, const tf_value *state)
{
	const schema_attr *ea = schema_find_attr(schema_data_window_executions.block, "executions");
	const schema_attr *ta = schema_find_attr(ea->elem, "tasks");
	const schema_attr *ia = schema_find_attr(ta->elem, "invocations");
	tf_value *execs = ds_empty_list(state, "executions");
	size_t t = 0;

	for (size_t i = 0; execs && i < json_array_size(job->execs); i++) {
		const json_t *ej = json_array_get(job->execs, i);
		tf_value *erow = NULL, *tasks;

		if (ds_append_row(execs, ea->elem, &we_exec_map, ej, &erow) < 0 ||
		    we_times(erow, ej) < 0 || !(tasks = ds_empty_list(erow, "tasks")))
			goto fail;
		for (size_t k = 0; k < json_array_size(job->tasks[i]); k++, t++) {
			const json_t *tj = json_array_get(job->tasks[i], k);
			tf_value *trow = NULL, *invs;

			if (ds_append_row(tasks, ta->elem, &we_task_map, tj, &trow) < 0 ||
			    we_times(trow, tj) < 0 || !(invs = ds_empty_list(trow, "invocations")))
				goto fail_tasks;
			for (size_t m = 0; m < json_array_size(job->invs[t]); m++) {
				const json_t *ij = json_array_get(job->invs[t], m);
				tf_value *irow = NULL;

				if (ds_append_row(invs, ia->elem, &we_inv_map, ij, &irow) < 0 ||
				    we_times(irow, ij) < 0 || we_invocation_params(ij, irow) < 0) {
					tf_value_free(invs);
					goto fail_tasks;
				}
			}
			if (res_set_attr(trow, "invocations", invs) < 0)
				goto fail_tasks;
		}
		if (res_set_attr(erow, "tasks", tasks) < 0)
			goto fail;
		continue;
fail_tasks:
		tf_value_free(tasks);
		goto fail;
	}
	return execs;
fail:
	tf_value_free(execs);
	return NULL;
}

/* window_name, or an error at window_id when the window does not exist. */
static int we_window(provider_ctx *p, const char *wid, tf_value *state, tf_diags *d)
{
	json_t *resp = NULL;
	int rc = res_get(p, "GetMaintenanceWindow", json_pack("{s:s}", "WindowId", wid), &resp,
			 "window_id", d);

	if (rc == AWS_ERR_NOT_FOUND)
		tf_diags_error_at(d, "window_id", "Maintenance window not found",
				  "There is no maintenance window %s in this account and region.",
				  wid);
	else if (rc == 0 && res_set_attr(state, "window_name", res_tf_str(resp, "Name")) < 0)
		rc = AWS_ERR_OTHER;
	json_decref(resp);
	return rc;
}

/* next_runs: the next `count` scheduled runs. */
static int we_next_runs(provider_ctx *p, const char *wid, int64_t count, tf_value *state,
			tf_diags *d)
{
	json_t *runs = NULL;
	tf_value *list = ds_empty_list(state, "next_runs");
	int rc = 0;

	if (count > 0)
		rc = ds_pages(p, "DescribeMaintenanceWindowSchedule",
			      json_pack("{s:s}", "WindowId", wid), "ScheduledWindowExecutions",
			      (size_t)count, (size_t)count, &runs, "next_runs_count", d);
	for (size_t i = 0; rc == 0 && list && i < json_array_size(runs); i++) {
		tf_value *t = ds_time(json_object_get(json_array_get(runs, i), "ExecutionTime"));

		if (!t || tf_value_append(list, t) < 0) {
			tf_value_free(t);
			rc = AWS_ERR_OTHER;
		}
	}
	json_decref(runs);
	if (rc == 0 && res_set_attr(state, "next_runs", list) < 0)
		rc = AWS_ERR_OTHER;
	else if (rc != 0)
		tf_value_free(list);
	if (rc == AWS_ERR_OTHER)
		res_diag_internal(d, "DescribeMaintenanceWindowSchedule", NULL);
	return rc;
}

static int we_read(provider_ctx *p, tf_value *state, tf_diags *d)
{
	const char *wid = tf_value_attr_str(state, "window_id");
	const char *after = tf_value_attr_str(state, "started_after");
	int64_t max = 10, next = 3;
	we_job job = {.p = p};
	json_t *req, **sorted = NULL, *ordered = NULL;
	tf_value *execs;
	size_t i, n;
	int rc;

	tf_value_number_as_i64(tf_value_attr(state, "max_results"), &max);
	tf_value_number_as_i64(tf_value_attr(state, "next_runs_count"), &next);
	if ((rc = we_window(p, wid, state, d)) != 0)
		return rc;
	req = json_pack("{s:s}", "WindowId", wid);
	if (req && after) {
		int64_t secs;
		char utc[32];

		/* Validated as RFC 3339; the API wants it in UTC. */
		if (iso8601_parse(after, strlen(after), ISO8601_RFC3339, &secs, NULL, NULL) == 0)
			ds_rfc3339((double)secs, utc);
		else
			snprintf(utc, sizeof(utc), "%.31s", after);
		json_object_set_new(
			req, "Filters",
			json_pack("[{s:s,s:[s]}]", "Key", "ExecutedAfter", "Values", utc));
	}
	/* MaxResults is 10..100 (MaintenanceWindowMaxResults). */
	rc = ds_pages(p, "DescribeMaintenanceWindowExecutions", req, "WindowExecutions",
		      max < 10    ? 10
		      : max > 100 ? 100
				  : (size_t)max,
		      (size_t)max, &job.execs, NULL, d);
	if (rc != 0)
		goto done;
	/* Newest first, whatever order the pages came in. */
	n = json_array_size(job.execs);
	if (!(sorted = calloc(n + 1, sizeof(*sorted))))
		goto oom;
	for (i = 0; i < n; i++)
		sorted[i] = json_array_get(job.execs, i);
	qsort(sorted, n, sizeof(*sorted), we_newest_first);
	if (!(ordered = json_array()))
		goto oom;
	for (i = 0; i < n; i++)
		if (json_array_append(ordered, sorted[i]) < 0)
			goto oom;
	json_decref(job.execs);
	job.execs = ordered;
	ordered = NULL;
	/* Their tasks, then the tasks' invocations: two rounds of parallel calls. */
	if (!(job.tasks = calloc(n + 1, sizeof(*job.tasks))))
		goto oom;
	if ((rc = ds_parallel(n, we_get_tasks, &job, d)) != 0)
		goto done;
	for (i = 0; i < n; i++)
		job.n_tasks += json_array_size(job.tasks[i]);
	job.task_at = calloc(job.n_tasks + 1, sizeof(*job.task_at));
	job.task_exec = calloc(job.n_tasks + 1, sizeof(*job.task_exec));
	job.invs = calloc(job.n_tasks + 1, sizeof(*job.invs));
	if (!job.task_at || !job.task_exec || !job.invs)
		goto oom;
	for (i = 0, job.n_tasks = 0; i < n; i++)
		for (size_t k = 0; k < json_array_size(job.tasks[i]); k++) {
			job.task_at[job.n_tasks] = json_array_get(job.tasks[i], k);
			job.task_exec[job.n_tasks++] = json_string_value(
				json_object_get(json_array_get(job.execs, i), "WindowExecutionId"));
		}
	if ((rc = ds_parallel(job.n_tasks, we_get_invocations, &job, d)) != 0)
		goto done;
	if (!(execs = we_build(&job, state)) || res_set_attr(state, "executions", execs) < 0)
		goto oom;
	rc = we_next_runs(p, wid, next, state, d);
	goto done;
oom:
	res_diag_internal(d, "DescribeMaintenanceWindowExecutions", NULL);
	rc = AWS_ERR_OTHER;
done:
	for (i = 0; job.tasks && i < json_array_size(job.execs); i++)
		json_decref(job.tasks[i]);
	for (i = 0; job.invs && i < job.n_tasks; i++)
		json_decref(job.invs[i]);
	free(job.tasks);
	free(job.task_at);
	free(job.task_exec);
	free(job.invs);
	free(sorted);
	json_decref(ordered);
	json_decref(job.execs);
	return rc;
}

const ds_def ds_window_executions_def = {
	.schema = &schema_data_window_executions,
	.read = we_read,
};
