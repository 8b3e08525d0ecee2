/*
 * maintenance_windows.c - data source ssmpatch_maintenance_windows: the
 * maintenance windows matching a name prefix, enabled and tags.
 *
 * API calls:
 *   DescribeMaintenanceWindows (filter Enabled when given; all pages, 100 a
 *   page); the name prefix is applied here (the API's Name filter is exact).
 *   With tags: ListTagsForResource per window left, 10 at a time.
 *
 * Quirks:
 * - NextExecutionTime comes as "2024-06-01T17:00Z" (minutes, as the AWS CLI
 *   reference shows); it is returned as RFC 3339 with seconds.
 */
#include "datasource.h"

#include <stdlib.h>
#include <string.h>

#include "../resources/common.h"
#include "schema/schema_tables.h"

static const res_field mws_fields[] = {
	{"id", "WindowId", RES_M_STR, .flags = 0},
	{"name", "Name", RES_M_STR, .flags = 0},
	{"schedule", "Schedule", RES_M_STR, .flags = 0},
	{"schedule_timezone", "ScheduleTimezone", RES_M_STR, .flags = 0},
	{"schedule_offset", "ScheduleOffset", RES_M_INT, .flags = 0},
	{"duration", "Duration", RES_M_INT, .flags = 0},
	{"cutoff", "Cutoff", RES_M_INT, .flags = 0},
	{"enabled", "Enabled", RES_M_BOOL, .dflt = "true"},
	{"start_date", "StartDate", RES_M_STR, .flags = 0},
	{"end_date", "EndDate", RES_M_STR, .flags = 0},
};
static const res_map mws_map = RES_MAP(mws_fields);

typedef struct {
	provider_ctx *p;
	const tf_value *want; /* tags every window must carry */
	json_t *windows; /* candidates */
	bool *keep;
} mws_tags_job;

/* Does window i carry every wanted tag? */
static int mws_check_tags(void *ctx, size_t i, tf_diags *d)
{
	mws_tags_job *job = ctx;
	const char *id =
		json_string_value(json_object_get(json_array_get(job->windows, i), "WindowId"));
	tf_value *have = NULL;
	int rc;

	if (!id)
		return 0;
	rc = res_tags_read(job->p, "MaintenanceWindow", id, &have, d);
	if (rc == AWS_ERR_NOT_FOUND)
		return 0; /* deleted since it was listed */
	if (rc != 0)
		return rc;
	job->keep[i] = true;
	for (size_t k = 0; k < tf_value_len(job->want); k++) {
		const char *v = tf_value_str(tf_value_index(job->want, k));
		const char *hv = tf_value_str(tf_value_map_get(have, tf_value_key(job->want, k)));

		if (!v || !hv || strcmp(v, hv) != 0)
			job->keep[i] = false;
	}
	tf_value_free(have);
	return 0;
}

static int mws_by_name(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *nx = json_string_value(json_object_get(x, "Name"));
	const char *ny = json_string_value(json_object_get(y, "Name"));
	int c = strcmp(nx ? nx : "", ny ? ny : "");

	if (c)
		return c;
	nx = json_string_value(json_object_get(x, "WindowId"));
	ny = json_string_value(json_object_get(y, "WindowId"));
	return strcmp(nx ? nx : "", ny ? ny : "");
}

static int mws_read(provider_ctx *p, tf_value *state, tf_diags *d)
{
	const char *prefix = tf_value_attr_str(state, "name_prefix");
	const tf_value *enabled = tf_value_attr(state, "enabled");
	const tf_value *tags = tf_value_attr(state, "tags");
	json_t *req = json_object(), *all = NULL;
	mws_tags_job job = {.p = p, .want = tags};
	json_t **sel = NULL;
	tf_value *ids = NULL, *rows = NULL;
	size_t i, n = 0;
	int rc;

	if (req && !tf_value_is_null(enabled))
		json_object_set_new(req, "Filters",
				    json_pack("[{s:s,s:[s]}]", "Key", "Enabled", "Values",
					      enabled->u.b ? "true" : "false"));
	rc = ds_pages(p, "DescribeMaintenanceWindows", req, "WindowIdentities", 100, 0, &all, NULL,
		      d);
	if (rc != 0)
		return rc;
	/* The prefix, then the tags of what is left. */
	job.windows = json_array();
	job.keep = calloc(json_array_size(all) + 1, sizeof(*job.keep));
	if (!job.windows || !job.keep)
		goto oom;
	for (i = 0; i < json_array_size(all); i++) {
		json_t *w = json_array_get(all, i);
		const char *name = json_string_value(json_object_get(w, "Name"));

		if (!prefix || (name && strncmp(name, prefix, strlen(prefix)) == 0))
			if (json_array_append(job.windows, w) < 0)
				goto oom;
	}
	if (tf_value_len(tags) > 0) {
		rc = ds_parallel(json_array_size(job.windows), mws_check_tags, &job, d);
		if (rc != 0)
			goto done;
	} else {
		for (i = 0; i < json_array_size(job.windows); i++)
			job.keep[i] = true;
	}
	if (!(sel = calloc(json_array_size(job.windows) + 1, sizeof(*sel))))
		goto oom;
	for (i = 0; i < json_array_size(job.windows); i++)
		if (job.keep[i])
			sel[n++] = json_array_get(job.windows, i);
	qsort(sel, n, sizeof(*sel), mws_by_name);
	if (!(ids = ds_empty_list(state, "ids")) || !(rows = ds_empty_list(state, "windows")))
		goto oom;
	for (i = 0; i < n; i++) {
		const schema_attr *wa =
			schema_find_attr(schema_data_maintenance_windows.block, "windows");
		tf_value *row = NULL, *id = res_tf_str(sel[i], "WindowId");

		if (!id || tf_value_append(ids, id) < 0) {
			tf_value_free(id);
			goto oom;
		}
		if (ds_append_row(rows, wa->elem, &mws_map, sel[i], &row) < 0 ||
		    res_set_attr(row, "next_execution_time",
				 ds_time(json_object_get(sel[i], "NextExecutionTime"))) < 0)
			goto oom;
	}
	/* res_set_attr takes the values, also when it fails. */
	rc = res_set_attr(state, "ids", ids) | res_set_attr(state, "windows", rows);
	ids = rows = NULL;
	if (rc)
		goto oom;
	goto done;
oom:
	res_diag_internal(d, "DescribeMaintenanceWindows", NULL);
	rc = AWS_ERR_OTHER;
done:
	tf_value_free(ids);
	tf_value_free(rows);
	free(sel);
	free(job.keep);
	json_decref(job.windows);
	json_decref(all);
	return rc;
}

const ds_def ds_maintenance_windows_def = {
	.schema = &schema_data_maintenance_windows,
	.read = mws_read,
};
