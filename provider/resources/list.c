/*
 * list.c - the list resources (list.h): the paging loop every type shares,
 * and the four types' definitions.
 *
 * API calls per type (one page of up to 100 entries per call):
 *   ssmpatch_patch_baseline      DescribePatchBaselines (OWNER, NAME_PREFIX,
 *                                OPERATING_SYSTEM filters)
 *   ssmpatch_maintenance_window  DescribeMaintenanceWindows (Enabled filter;
 *                                the name prefix compared here)
 *   ssmpatch_window_target       DescribeMaintenanceWindowTargets per window
 *   ssmpatch_window_task         DescribeMaintenanceWindowTasks per window
 * targets and tasks without a window_id: DescribeMaintenanceWindows first,
 * then each window's. With include_resource_object, each object is also read
 * as ReadResource reads it (resource_read: the resource's own Get/Describe
 * and ListTagsForResource calls).
 *
 * Region: the config's `region` (else the provider's) is where the Describe
 * calls go; every object's key records it, so its read, its identity and the
 * configuration -generate-config-out writes all name that region.
 *
 * Quirks:
 * - AWS-managed patch baselines are addressed by ARN only and cannot be
 *   managed: they are listed (identity id = the ARN) without an object, and
 *   with include_resource_object they are left out with one warning, so
 *   `terraform query -generate-config-out` never writes a resource block
 *   Terraform could not import.
 * - A window deleted while its targets or tasks are being listed is skipped;
 *   an object deleted between the list and its read is left out.
 * - The Name filter of DescribeMaintenanceWindows matches whole names, so a
 *   name prefix is compared here on every entry.
 */
#include "list.h"

#include <stdio.h>
#include <string.h>

#include "../core/log.h"
#include "common.h"
#include "schema/schema_tables.h"

#define MOD "provider.list"

/* One res_list_run call. */
typedef struct {
	const res_def *def;
	const res_list_def *l;
	provider_ctx *p; /* the provider's: reads and identities scope themselves */
	provider_ctx in; /* the listing region's: the Describe calls */
	const char *region; /* that region, recorded in each object's key */
	const tf_value *config;
	bool include_object;
	int64_t limit;
	int64_t emitted;
	size_t aws_owned_left_out; /* AWS-managed baselines skipped (include_object) */
	res_list_emit emit;
	void *ctx;
	bool done; /* the limit is reached or the caller said stop */
} list_run;

typedef int (*entry_fn)(list_run *r, const json_t *entry, tf_diags *d);

static void diag_stopped(list_run *r, tf_diags *d)
{
	tf_diags_error(d, NULL, "Stopped",
		       "Terraform stopped the provider while it listed %s objects; %lld were "
		       "listed.",
		       r->def->schema->type_name, (long long)r->emitted);
}

/*
 * Page through `op` with the members of `base`, calling `each` for every
 * entry of the answer's `member` array until r->done. A window gone
 * (AWS_ERR_NOT_FOUND) is success when quiet_gone. Returns 0 or an aws_err
 * with a diagnostic.
 */
static int pages(list_run *r, const char *op, const json_t *base, const char *member,
		 bool quiet_gone, entry_fn each, tf_diags *d)
{
	json_t *token = NULL;
	int rc = 0;

	for (size_t page = 0; page < RES_LIST_MAX_PAGES && !r->done; page++) {
		json_t *req = json_deep_copy(base), *resp = NULL, *e;
		aws_error err;
		size_t i;

		if (aws_cancelled()) {
			json_decref(req);
			diag_stopped(r, d);
			rc = AWS_ERR_CANCELLED;
			break;
		}
		if (!req || (token && json_object_set(req, "NextToken", token) < 0)) {
			json_decref(req);
			res_diag_internal(d, op, NULL);
			rc = AWS_ERR_OTHER;
			break;
		}
		memset(&err, 0, sizeof(err));
		rc = ssm_call(r->in.aws, op, req, &resp, &err);
		json_decref(req);
		if (rc == AWS_ERR_CANCELLED) {
			diag_stopped(r, d);
			break;
		}
		if (rc != 0) {
			if (!(quiet_gone && rc == AWS_ERR_NOT_FOUND))
				res_diag_aws(d, NULL, op, &err);
			else
				rc = 0;
			break;
		}
		json_array_foreach (json_object_get(resp, member), i, e) {
			if (r->done || (rc = each(r, e, d)) != 0)
				break;
		}
		json_decref(token);
		token = json_object_get(resp, "NextToken");
		token = json_is_string(token) && json_string_length(token) ? json_incref(token)
									   : NULL;
		json_decref(resp);
		if (rc != 0 || !token)
			break;
	}
	json_decref(token);
	return rc;
}

/* The object's own ID (the last key part's member) in a Describe entry. */
static const char *entry_id(const res_def *def, const json_t *entry)
{
	const char *member = def->keys[def->keys[1].attr ? 1 : 0].member;

	return json_string_value(json_object_get(entry, member));
}

/* The key of the object an entry describes, as a state (with the region it
 * was listed in, for types with one); NULL when the entry lacks a key member
 * (nothing to address) or on ENOMEM (*oom set). */
static tf_value *entry_key(const res_def *def, const json_t *entry, const char *region, bool *oom)
{
	tf_value *key = schema_new_object(def->schema->block);

	*oom = !key;
	if (key && region && schema_find_attr(def->schema->block, "region") &&
	    res_set_str(key, "region", region) < 0) {
		tf_value_free(key);
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; key && i < RES_MAX_KEYS && def->keys[i].attr; i++) {
		const char *s = json_string_value(json_object_get(entry, def->keys[i].member));

		if (!s || !*s) {
			tf_value_free(key);
			return NULL;
		}
		if (res_set_str(key, def->keys[i].attr, s) < 0) {
			tf_value_free(key);
			*oom = true;
			return NULL;
		}
	}
	return key;
}

/* One entry: filter, key, display name, the object if asked for, emit. */
static int one_object(list_run *r, const json_t *entry, tf_diags *d)
{
	const res_def *def = r->def;
	const char *id = entry_id(def, entry);
	const char *name = json_string_value(json_object_get(entry, r->l->name_member));
	const char *prefix = tf_value_attr_str(r->config, "name_prefix");
	tf_value *key, *obj = NULL;
	res_list_item item;
	bool oom;
	int rc = 0;

	if (!id || (prefix && (!name || strncmp(name, prefix, strlen(prefix)) != 0)) ||
	    (r->l->keep && !r->l->keep(r->config, entry)))
		return 0;
	if (r->include_object && strncmp(id, "arn:", 4) == 0) {
		r->aws_owned_left_out++; /* AWS-managed: cannot be imported */
		return 0;
	}
	if (!(key = entry_key(def, entry, r->region, &oom))) {
		if (oom)
			res_diag_internal(d, r->l->op, "the listed object's key");
		return oom ? AWS_ERR_OTHER : 0;
	}
	if (r->include_object) {
		if (aws_cancelled()) {
			diag_stopped(r, d);
			rc = AWS_ERR_CANCELLED;
			goto done;
		}
		tf_diags rd;

		tf_diags_init(&rd);
		rc = resource_read(def, r->p, key, &obj, &rd);
		if (rc == AWS_ERR_CANCELLED)
			diag_stopped(r, d); /* Stop, not the read, is the news */
		else
			tf_diags_move(d, &rd);
		tf_diags_free(&rd);
		if (rc != 0 || !obj)
			goto done; /* an error, or gone since it was listed */
	}
	item.key = key;
	item.display_name = name && *name ? name : id;
	item.object = obj;
	if (r->emit(r->ctx, &item, d) != 0)
		r->done = true;
	if (++r->emitted >= r->limit)
		r->done = true;
done:
	tf_value_free(obj);
	tf_value_free(key);
	return rc;
}

/* The request of l's operation: the page size, the window whose objects are
 * wanted (NULL: none, the type is not listed by window) and the filters the
 * API applies. NULL on ENOMEM. */
static json_t *list_request(list_run *r, const char *window_id)
{
	json_t *req =
		json_pack("{s:i, s:s*}", "MaxResults", RES_LIST_PAGE_SIZE, "WindowId", window_id);

	if (req && r->l->request && r->l->request(r->config, req) < 0) {
		json_decref(req);
		return NULL;
	}
	return req;
}

/* One window of a per-window list: its objects. */
static int one_window(list_run *r, const json_t *entry, tf_diags *d)
{
	const char *wid = json_string_value(json_object_get(entry, "WindowId"));
	json_t *req;
	int rc;

	if (!wid)
		return 0;
	if (!(req = list_request(r, wid))) {
		res_diag_internal(d, r->l->op, NULL);
		return AWS_ERR_OTHER;
	}
	rc = pages(r, r->l->op, req, r->l->member, true, one_object, d);
	json_decref(req);
	return rc;
}

int res_list_run(const res_def *def, const res_list_def *l, provider_ctx *p, const tf_value *config,
		 bool include_object, int64_t limit, res_list_emit emit, void *ctx, tf_diags *d)
{
	list_run r = {.def = def,
		      .l = l,
		      .p = p,
		      .config = config,
		      .include_object = include_object,
		      .limit = limit,
		      .emit = emit,
		      .ctx = ctx};
	const char *wid = tf_value_attr_str(config, "window_id");
	/* Targets and tasks, keyed under their window, are listed window by window. */
	bool per_window = def->keys[1].attr != NULL;
	json_t *req = NULL;
	int rc;

	if (limit <= 0)
		return 0;
	if ((rc = res_scope(l->schema->block, p, config, &r.in, d)) != 0)
		return rc;
	r.region = aws_client_region(r.in.aws);
	if (per_window && !wid) { /* every window's */
		req = json_pack("{s:i}", "MaxResults", RES_LIST_PAGE_SIZE);
		rc = req ? pages(&r, "DescribeMaintenanceWindows", req, "WindowIdentities", false,
				 one_window, d)
			 : AWS_ERR_OTHER;
	} else {
		req = list_request(&r, per_window ? wid : NULL);
		rc = req ? pages(&r, l->op, req, l->member, false, one_object, d) : AWS_ERR_OTHER;
	}
	if (!req)
		res_diag_internal(d, l->op, NULL);
	json_decref(req);
	if (r.aws_owned_left_out)
		tf_diags_warn(d, NULL, "AWS-managed patch baselines left out",
			      "%zu AWS-managed patch baseline%s matched but %s not listed with "
			      "include_resource: SSM addresses them by ARN only and refuses any "
			      "change, so Terraform cannot import or manage them.",
			      r.aws_owned_left_out, r.aws_owned_left_out == 1 ? "" : "s",
			      r.aws_owned_left_out == 1 ? "was" : "were");
	LOG_D(MOD, "%s: %lld listed", def->schema->type_name, (long long)r.emitted);
	return rc;
}

/* ---------------------------------------------------------------- the four types */

/* Filters[] += {"Key": key, "Values": [value]}. */
static int add_filter(json_t *req, const char *key, const char *value)
{
	json_t *filters = json_object_get(req, "Filters");

	if (!filters) {
		if (json_object_set_new(req, "Filters", json_array()) < 0)
			return -1;
		filters = json_object_get(req, "Filters");
	}
	return json_array_append_new(filters,
				     json_pack("{s:s, s:[s]}", "Key", key, "Values", value)) == 0
		       ? 0
		       : -1;
}

static int baseline_request(const tf_value *config, json_t *req)
{
	const char *owner = tf_value_attr_str(config, "owner");
	const char *prefix = tf_value_attr_str(config, "name_prefix");
	const char *os = tf_value_attr_str(config, "operating_system");

	if (add_filter(req, "OWNER", owner ? owner : "Self") < 0 ||
	    (prefix && add_filter(req, "NAME_PREFIX", prefix) < 0) ||
	    (os && add_filter(req, "OPERATING_SYSTEM", os) < 0))
		return -1;
	return 0;
}

const res_list_def res_patch_baseline_list = {
	.schema = &schema_list_patch_baseline,
	.op = "DescribePatchBaselines",
	.member = "BaselineIdentities",
	.name_member = "BaselineName",
	.request = baseline_request,
};

static int window_request_filters(const tf_value *config, json_t *req)
{
	const tf_value *enabled = tf_value_attr(config, "enabled");

	if (!tf_value_is_known(enabled))
		return 0;
	/* The Enabled filter's values as AWS's reference spells them. */
	return add_filter(req, "Enabled", tf_value_bool_or(enabled, true) ? "True" : "False");
}

static bool window_keep(const tf_value *config, const json_t *entry)
{
	const tf_value *enabled = tf_value_attr(config, "enabled");
	const json_t *e = json_object_get(entry, "Enabled");

	return !tf_value_is_known(enabled) || !json_is_boolean(e) ||
	       json_is_true(e) == tf_value_bool_or(enabled, true);
}

const res_list_def res_maintenance_window_list = {
	.schema = &schema_list_maintenance_window,
	.op = "DescribeMaintenanceWindows",
	.member = "WindowIdentities",
	.name_member = "Name",
	.request = window_request_filters,
	.keep = window_keep,
};

const res_list_def res_window_target_list = {
	.schema = &schema_list_window_target,
	.op = "DescribeMaintenanceWindowTargets",
	.member = "Targets",
	.name_member = "Name",
};

const res_list_def res_window_task_list = {
	.schema = &schema_list_window_task,
	.op = "DescribeMaintenanceWindowTasks",
	.member = "Tasks",
	.name_member = "Name",
};
