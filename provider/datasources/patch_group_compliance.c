/*
 * patch_group_compliance.c - data source ssmpatch_patch_group_compliance: the
 * patch compliance of one patch group, and what its next Install will apply.
 *
 * API calls:
 *   DescribePatchGroupState (the counts) and, at the same time,
 *   DescribeInstancePatchStatesForPatchGroup (one row per instance; all pages, 100
 *   a page), then with
 *   include_missing_patches DescribeInstancePatches per instance (filter State
 *   Missing, Failed; all pages), 10 instances at a time (ds_parallel).
 *
 * Quirks:
 * - The live service spells patch states "Missing"/"InstalledPendingReboot"
 *   where the model says "MISSING"/"INSTALLED_PENDING_REBOOT": states are
 *   compared ignoring case and underscores (ds_enum_eq), and the State filter
 *   is sent in the spelling the API reference documents. The answer is
 *   filtered again here, so an endpoint that ignored the filter changes
 *   nothing.
 * - With RebootOption=NoReboot, installed patches stay INSTALLED_PENDING_REBOOT
 *   (and non-compliant) until a reboot: reported on their own.
 * - An instance that disappears between the two calls (InvalidInstanceId) is
 *   skipped.
 * - CVEIds of a patch come comma-joined in one string; returned as a list.
 */
#include "datasource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../resources/common.h"
#include "schema/schema_tables.h"

static const res_field pgc_group_fields[] = {
	{"instance_count", "Instances", RES_M_INT, .flags = 0},
	{"instances_with_installed_patches", "InstancesWithInstalledPatches", RES_M_INT,
	 .flags = 0},
	{"instances_with_installed_other_patches", "InstancesWithInstalledOtherPatches", RES_M_INT,
	 .flags = 0},
	{"instances_with_installed_pending_reboot_patches",
	 "InstancesWithInstalledPendingRebootPatches", RES_M_INT, .flags = 0},
	{"instances_with_installed_rejected_patches", "InstancesWithInstalledRejectedPatches",
	 RES_M_INT, .flags = 0},
	{"instances_with_missing_patches", "InstancesWithMissingPatches", RES_M_INT, .flags = 0},
	{"instances_with_failed_patches", "InstancesWithFailedPatches", RES_M_INT, .flags = 0},
	{"instances_with_not_applicable_patches", "InstancesWithNotApplicablePatches", RES_M_INT,
	 .flags = 0},
	{"instances_with_unreported_not_applicable_patches",
	 "InstancesWithUnreportedNotApplicablePatches", RES_M_INT, .flags = 0},
	{"instances_with_critical_non_compliant_patches",
	 "InstancesWithCriticalNonCompliantPatches", RES_M_INT, .flags = 0},
	{"instances_with_security_non_compliant_patches",
	 "InstancesWithSecurityNonCompliantPatches", RES_M_INT, .flags = 0},
	{"instances_with_other_non_compliant_patches", "InstancesWithOtherNonCompliantPatches",
	 RES_M_INT, .flags = 0},
};
static const res_map pgc_group_map = RES_MAP(pgc_group_fields);

static const res_field pgc_instance_fields[] = {
	{"instance_id", "InstanceId", RES_M_STR, .flags = 0},
	{"baseline_id", "BaselineId", RES_M_STR, .flags = 0},
	{"operation", "Operation", RES_M_STR, .flags = 0},
	{"reboot_option", "RebootOption", RES_M_STR, .flags = 0},
	{"installed_count", "InstalledCount", RES_M_INT, .flags = 0},
	{"installed_other_count", "InstalledOtherCount", RES_M_INT, .flags = 0},
	{"installed_pending_reboot_count", "InstalledPendingRebootCount", RES_M_INT, .flags = 0},
	{"installed_rejected_count", "InstalledRejectedCount", RES_M_INT, .flags = 0},
	{"missing_count", "MissingCount", RES_M_INT, .flags = 0},
	{"failed_count", "FailedCount", RES_M_INT, .flags = 0},
	{"not_applicable_count", "NotApplicableCount", RES_M_INT, .flags = 0},
	{"critical_non_compliant_count", "CriticalNonCompliantCount", RES_M_INT, .flags = 0},
	{"security_non_compliant_count", "SecurityNonCompliantCount", RES_M_INT, .flags = 0},
	{"other_non_compliant_count", "OtherNonCompliantCount", RES_M_INT, .flags = 0},
};
static const res_map pgc_instance_map = RES_MAP(pgc_instance_fields);

static const res_field pgc_patch_fields[] = {
	{"kb_id", "KBId", RES_M_STR, .flags = 0},
	{"title", "Title", RES_M_STR, .flags = 0},
	{"classification", "Classification", RES_M_STR, .flags = 0},
	{"severity", "Severity", RES_M_STR, .flags = 0},
};
static const res_map pgc_patch_map = RES_MAP(pgc_patch_fields);

/* One (patch, instance) pair of the missing patches, for grouping. */
typedef struct {
	const char *key; /* KBId, else Title */
	const char *instance;
	bool failed;
	const json_t *patch;
} pgc_pair;

typedef struct {
	provider_ctx *p;
	const json_t *rows; /* instance patch states, sorted */
	json_t **patches; /* [instance] missing or failed patches */
} pgc_job;

static const char *pgc_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The missing and failed patches of instance i. */
static int pgc_instance_patches(void *ctx, size_t i, tf_diags *d)
{
	pgc_job *job = ctx;
	const char *iid = pgc_str(json_array_get(job->rows, i), "InstanceId");
	json_t *req = json_pack("{s:s?,s:i,s:[{s:s,s:[s,s]}]}", "InstanceId", iid, "MaxResults",
				100, "Filters", "Key", "State", "Values", "Missing", "Failed");
	aws_error err;
	int rc;

	if (!req) {
		res_diag_internal(d, "DescribeInstancePatches", NULL);
		return AWS_ERR_OTHER;
	}
	memset(&err, 0, sizeof(err));
	rc = ssm_call_pages(job->p->aws, "DescribeInstancePatches", req, "Patches", 0,
			    &job->patches[i], &err);
	json_decref(req);
	if (rc != 0 && strcmp(err.aws_code, "InvalidInstanceId") == 0)
		return 0; /* gone since it reported: nothing to apply there */
	if (rc != 0) {
		char what[96];

		snprintf(what, sizeof(what), "DescribeInstancePatches (%s)", iid ? iid : "?");
		res_diag_aws_at(d, "include_missing_patches", what, &err);
	}
	return rc;
}

static int pgc_by_instance(const void *a, const void *b)
{
	const char *x = pgc_str(*(json_t *const *)a, "InstanceId");
	const char *y = pgc_str(*(json_t *const *)b, "InstanceId");

	return strcmp(x ? x : "", y ? y : "");
}

static int pgc_by_key(const void *a, const void *b)
{
	const pgc_pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->instance, y->instance);
}

/* "CVE-1,CVE-2" -> ["CVE-1", "CVE-2"]. */
static tf_value *pgc_cves(const char *s)
{
	tf_value *l = tf_value_empty(res_type_string_list());

	while (l && s && *s) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		tf_value *e;

		while (n && (*s == ' ')) /* tolerate "a, b" */
			s++, n--;
		if (n) {
			e = tf_value_string_len(s, n);
			if (!e || tf_value_append(l, e) < 0) {
				tf_value_free(e);
				tf_value_free(l);
				return NULL;
			}
		}
		s = end ? end + 1 : NULL;
	}
	return l;
}

/* One missing_patches element from the pairs [from, to) of one patch. */
static int pgc_patch_row(tf_value *list, const schema_block *elem, const pgc_pair *pairs,
			 size_t from, size_t to)
{
	const char **ids = calloc(to - from, sizeof(*ids)),
		   **failed = calloc(to - from, sizeof(*failed));
	size_t n_failed = 0;
	tf_value *row = NULL;
	int rc = -1;

	if (!ids || !failed)
		goto done;
	for (size_t k = from; k < to; k++) {
		ids[k - from] = pairs[k].instance;
		if (pairs[k].failed)
			failed[n_failed++] = pairs[k].instance;
	}
	if (ds_append_row(list, elem, &pgc_patch_map, pairs[from].patch, &row) < 0 ||
	    res_set_attr(row, "cve_ids", pgc_cves(pgc_str(pairs[from].patch, "CVEIds"))) < 0 ||
	    res_set_attr(row, "instance_count", tf_value_number_i64((int64_t)(to - from))) < 0 ||
	    res_set_attr(row, "instance_ids", ds_string_list(ids, to - from)) < 0 ||
	    res_set_attr(row, "failed_instance_ids", ds_string_list(failed, n_failed)) < 0)
		goto done;
	rc = 0;
done:
	free(ids);
	free(failed);
	return rc;
}

/* missing_patches: the patches of job.patches grouped by KB ID. */
static tf_value *pgc_missing(const pgc_job *job, const tf_value *state)
{
	const schema_attr *ma =
		schema_find_attr(schema_data_patch_group_compliance.block, "missing_patches");
	size_t n = 0, cap = 0, i, k;
	pgc_pair *pairs = NULL;
	tf_value *list = ds_empty_list(state, "missing_patches");

	for (i = 0; i < json_array_size(job->rows); i++)
		cap += json_array_size(job->patches[i]);
	if (!list || !(pairs = calloc(cap + 1, sizeof(*pairs))))
		goto fail;
	for (i = 0; i < json_array_size(job->rows); i++) {
		const char *iid = pgc_str(json_array_get(job->rows, i), "InstanceId");

		for (k = 0; iid && k < json_array_size(job->patches[i]); k++) {
			const json_t *pj = json_array_get(job->patches[i], k);
			const char *state_s = pgc_str(pj, "State");
			const char *key = pgc_str(pj, "KBId");

			if (!key || !*key)
				key = pgc_str(pj, "Title");
			if (!key ||
			    !(ds_enum_eq(state_s, "MISSING") || ds_enum_eq(state_s, "FAILED")))
				continue;
			pairs[n++] = (pgc_pair){key, iid, ds_enum_eq(state_s, "FAILED"), pj};
		}
	}
	qsort(pairs, n, sizeof(*pairs), pgc_by_key);
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && strcmp(pairs[k].key, pairs[i].key) == 0; k++)
			;
		if (pgc_patch_row(list, ma->elem, pairs, i, k) < 0)
			goto fail;
	}
	free(pairs);
	return list;
fail:
	free(pairs);
	tf_value_free(list);
	return NULL;
}

/* Append r's InstanceId to the list(string) l. */
static int pgc_append_id(tf_value *l, const json_t *r)
{
	tf_value *id = res_tf_str(r, "InstanceId");

	if (!id || tf_value_append(l, id) < 0) {
		tf_value_free(id);
		return -1;
	}
	return 0;
}

/* instances, failed_instance_ids, pending_reboot_instance_ids and its count. */
static int pgc_instances(const json_t *rows, tf_value *state)
{
	const schema_attr *ia =
		schema_find_attr(schema_data_patch_group_compliance.block, "instances");
	tf_value *list = ds_empty_list(state, "instances");
	tf_value *failed = tf_value_empty(res_type_string_list());
	tf_value *pending = tf_value_empty(res_type_string_list());
	size_t n_pending = 0;

	if (!list || !failed || !pending)
		goto fail;
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		tf_value *row = NULL;

		if (ds_append_row(list, ia->elem, &pgc_instance_map, r, &row) < 0 ||
		    res_set_attr(row, "operation_start_time",
				 ds_time(json_object_get(r, "OperationStartTime"))) < 0 ||
		    res_set_attr(row, "operation_end_time",
				 ds_time(json_object_get(r, "OperationEndTime"))) < 0 ||
		    res_set_attr(row, "last_no_reboot_install_time",
				 ds_time(json_object_get(r, "LastNoRebootInstallOperationTime"))) <
			    0)
			goto fail;
		if (json_integer_value(json_object_get(r, "FailedCount")) > 0 &&
		    pgc_append_id(failed, r) < 0)
			goto fail;
		if (json_integer_value(json_object_get(r, "InstalledPendingRebootCount")) > 0) {
			if (pgc_append_id(pending, r) < 0)
				goto fail;
			n_pending++;
		}
	}
	{
		/* res_set_attr takes each value, also when it fails. */
		int rc = res_set_attr(state, "instances", list);

		rc |= res_set_attr(state, "failed_instance_ids", failed);
		rc |= res_set_attr(state, "pending_reboot_instance_ids", pending);
		rc |= res_set_attr(state, "pending_reboot_count",
				   tf_value_number_i64((int64_t)n_pending));
		return rc ? -1 : 0;
	}
fail:
	tf_value_free(list);
	tf_value_free(failed);
	tf_value_free(pending);
	return -1;
}

/* The group's counts (item 0) and its instance rows (item 1). */
typedef struct {
	provider_ctx *p;
	const char *group;
	json_t *counts, *rows;
} pgc_group;

static int pgc_group_item(void *ctx, size_t i, tf_diags *d)
{
	pgc_group *g = ctx;

	if (i == 0)
		return res_call(g->p, "DescribePatchGroupState",
				json_pack("{s:s}", "PatchGroup", g->group), &g->counts,
				"patch_group", d);
	return ds_pages(g->p, "DescribeInstancePatchStatesForPatchGroup",
			json_pack("{s:s}", "PatchGroup", g->group), "InstancePatchStates", 100, 0,
			&g->rows, "patch_group", d);
}

static int pgc_read(provider_ctx *p, tf_value *state, tf_diags *d)
{
	const char *group = tf_value_attr_str(state, "patch_group");
	bool want_missing =
		tf_value_bool_or(tf_value_attr(state, "include_missing_patches"), false);
	json_t *counts = NULL, *rows = NULL, **sorted = NULL, *ordered = NULL;
	pgc_job job = {.p = p};
	pgc_group first = {0};
	tf_value *missing;
	size_t i, n;
	int rc;

	/* The counts and the instance rows at once: neither needs the other. */
	first.p = p;
	first.group = group;
	rc = ds_parallel(2, pgc_group_item, &first, d);
	counts = first.counts;
	rows = first.rows;
	if (rc != 0)
		goto done;
	if (res_map_flatten(&pgc_group_map, schema_data_patch_group_compliance.block, counts, NULL,
			    state) < 0)
		goto oom;
	n = json_array_size(rows);
	if (!(sorted = calloc(n + 1, sizeof(*sorted))) || !(ordered = json_array()))
		goto oom;
	for (i = 0; i < n; i++)
		sorted[i] = json_array_get(rows, i);
	qsort(sorted, n, sizeof(*sorted), pgc_by_instance);
	for (i = 0; i < n; i++)
		if (json_array_append(ordered, sorted[i]) < 0)
			goto oom;
	if (pgc_instances(ordered, state) < 0)
		goto oom;
	if (!want_missing)
		goto done; /* missing_patches stays null: not asked for */
	job.rows = ordered;
	if (!(job.patches = calloc(n + 1, sizeof(*job.patches))))
		goto oom;
	if ((rc = ds_parallel(n, pgc_instance_patches, &job, d)) != 0)
		goto done;
	if (!(missing = pgc_missing(&job, state)) ||
	    res_set_attr(state, "missing_patches", missing) < 0)
		goto oom;
	goto done;
oom:
	res_diag_internal(d, "patch group compliance", NULL);
	rc = AWS_ERR_OTHER;
done:
	for (i = 0; job.patches && i < json_array_size(ordered); i++)
		json_decref(job.patches[i]);
	free(job.patches);
	free(sorted);
	json_decref(ordered);
	json_decref(rows);
	json_decref(counts);
	return rc;
}

const ds_def ds_patch_group_compliance_def = {
	.schema = &schema_data_patch_group_compliance,
	.read = pgc_read,
};
