/*
 * test_res_baseline_window.c - expand/flatten round trips of
 * ssmpatch_patch_baseline and ssmpatch_maintenance_window, and the shared
 * resource helpers (tags, client tokens, unknown nulling, import IDs).
 * No network: the codecs are pure functions of values and JSON.
 */
#include <string.h>

#include <jansson.h>

#include "core/schema.h"
#include "resources/common.h"
#include "resources/resource.h"
#include "schema/schema_tables.h"
#include "unit.h"

/* ---------------------------------------------------------------- the skeleton's codec */

/* The create or update request members (no key, token or tags). */
static json_t *expand(const res_def *def, const tf_value *v, res_phase phase)
{
	json_t *req = json_object();

	if (req && resource_expand(def, v, phase, req) < 0) {
		json_decref(req);
		return NULL;
	}
	return req;
}

/* flatten of what a read finds: the answer, the tags, the arn, and (baselines)
 * the OS default: this baseline when is_default, another one otherwise. */
static int flatten(const res_def *def, const provider_ctx *p, const json_t *api,
		   const tf_value *prior, const tf_value *tags_all, bool is_default,
		   const char *arn, tf_value **out)
{
	const char *id = json_string_value(json_object_get(api, "BaselineId"));
	res_found f = {.api = (json_t *)api, .tags_all = (tf_value *)tags_all, .arn = (char *)arn};
	int rc;

	f.more = json_pack("{s:{s:s}}", "GetDefaultPatchBaseline", "BaselineId",
			   is_default && id ? id : "pb-0000000000000000a");
	rc = resource_flatten(def, p, &f, prior, out);
	json_decref(f.more);
	return rc;
}

/* ---------------------------------------------------------------- builders */

static tf_value *str_list(const tf_type *t, const char *const *items)
{
	tf_value *v = tf_value_empty(t);

	for (; *items; items++)
		tf_value_append(v, tf_value_string(*items));
	return v;
}

static tf_value *filter(const schema_block *b, const char *key, const char *const *values)
{
	tf_value *o = schema_new_object(b);

	res_set_attr(o, "key", tf_value_string(key));
	res_set_attr(o, "values", str_list(res_type_string_list(), values));
	return o;
}

static const schema_block *nested(const schema_block *b, const char *name)
{
	return schema_find_block(b, name)->block;
}

static tf_value *string_map(const char *const *kv)
{
	tf_value *m = tf_value_empty(res_type_string_map());

	for (; kv[0]; kv += 2)
		tf_value_map_put(m, kv[0], tf_value_string(kv[1]));
	return m;
}

/* The seed's STG baseline (approve_after_days 1), as a planned object. */
static tf_value *stg_baseline(int64_t days)
{
	const schema_block *b = schema_patch_baseline.block;
	const schema_block *rb = nested(b, "approval_rule");
	const schema_block *fb = nested(rb, "patch_filter");
	static const char *const sev[][2] = {{"Critical", NULL}, {"Important", NULL}};
	static const char *const levels[] = {"CRITICAL", "HIGH"};
	tf_value *o = schema_new_object(b);
	tf_value *rules = tf_value_empty(tf_type_list(schema_block_type(rb)));
	int i;

	res_set_attr(o, "name", tf_value_string("STG-AL2Baseline"));
	res_set_attr(o, "operating_system", tf_value_string("AMAZON_LINUX_2"));
	res_set_attr(o, "patch_groups",
		     str_list(res_type_string_set(), (const char *const[]){"STG", NULL}));
	res_set_attr(o, "default_baseline", tf_value_bool(false));
	res_set_attr(o, "approved_patches_compliance_level", tf_value_string("UNSPECIFIED"));
	res_set_attr(o, "approved_patches_enable_non_security", tf_value_bool(false));
	res_set_attr(o, "rejected_patches_action", tf_value_string("ALLOW_AS_DEPENDENCY"));
	for (i = 0; i < 2; i++) {
		tf_value *r = schema_new_object(rb);
		tf_value *pf = tf_value_empty(tf_type_list(schema_block_type(fb)));

		tf_value_append(
			pf, filter(fb, "PRODUCT", (const char *const[]){"AmazonLinux2*", NULL}));
		tf_value_append(
			pf, filter(fb, "CLASSIFICATION", (const char *const[]){"Security", NULL}));
		tf_value_append(pf, filter(fb, "SEVERITY", sev[i]));
		res_set_attr(r, "approve_after_days", tf_value_number_i64(days));
		res_set_attr(r, "compliance_level", tf_value_string(levels[i]));
		res_set_attr(r, "enable_non_security", tf_value_bool(false));
		res_set_attr(r, "patch_filter", pf);
		tf_value_append(rules, r);
	}
	res_set_attr(o, "approval_rule", rules);
	res_set_attr(o, "tags", string_map((const char *const[]){"Env", "stg", NULL}));
	return o;
}

/* What GetPatchBaseline answers for a created request (the API echoes the
 * request and adds the ID, the groups and dates). */
static json_t *as_get_answer(json_t *create_req, const char *id, const char *group)
{
	json_t *r = json_deep_copy(create_req);

	json_object_set_new(r, "BaselineId", json_string(id));
	json_object_set_new(r, "PatchGroups", group ? json_pack("[s]", group) : json_array());
	json_object_set_new(r, "CreatedDate", json_real(1.7e9));
	return r;
}

/* ---------------------------------------------------------------- patch baseline */

static void test_res_baseline__expand_create(void)
{
	tf_value *v = stg_baseline(1);
	json_t *req = expand(&res_patch_baseline_def, v, RES_PHASE_CREATE);
	json_t *rules, *r0, *pf;

	CHECK(req != NULL);
	CHECK_STR(json_string_value(json_object_get(req, "Name")), "STG-AL2Baseline");
	CHECK_STR(json_string_value(json_object_get(req, "OperatingSystem")), "AMAZON_LINUX_2");
	CHECK(json_object_get(req, "Description") == NULL);
	CHECK(json_object_get(req, "ApprovedPatches") == NULL);
	CHECK(json_object_get(req, "GlobalFilters") == NULL);
	CHECK(json_object_get(req, "PatchGroups") == NULL); /* groups are separate calls */
	rules = json_object_get(json_object_get(req, "ApprovalRules"), "PatchRules");
	CHECK(json_array_size(rules) == 2);
	r0 = json_array_get(rules, 0);
	CHECK(json_integer_value(json_object_get(r0, "ApproveAfterDays")) == 1);
	CHECK_STR(json_string_value(json_object_get(r0, "ComplianceLevel")), "CRITICAL");
	CHECK(json_is_false(json_object_get(r0, "EnableNonSecurity")));
	CHECK(json_object_get(r0, "ApproveUntilDate") == NULL);
	pf = json_object_get(json_object_get(r0, "PatchFilterGroup"), "PatchFilters");
	CHECK(json_array_size(pf) == 3);
	CHECK_STR(json_string_value(json_object_get(json_array_get(pf, 0), "Key")), "PRODUCT");
	CHECK_STR(json_string_value(
			  json_array_get(json_object_get(json_array_get(pf, 2), "Values"), 0)),
		  "Critical");
	CHECK_STR(json_string_value(json_array_get(
			  json_object_get(
				  json_array_get(
					  json_object_get(json_object_get(json_array_get(rules, 1),
									  "PatchFilterGroup"),
							  "PatchFilters"),
					  2),
				  "Values"),
			  0)),
		  "Important");

	/* Update requests never carry the OS (force new). */
	{
		json_t *upd = expand(&res_patch_baseline_def, v, RES_PHASE_UPDATE);

		CHECK(json_object_get(upd, "OperatingSystem") == NULL);
		CHECK(json_object_get(upd, "ApprovalRules") != NULL);
		json_decref(upd);
	}
	json_decref(req);
	tf_value_free(v);
}

static void test_res_baseline__flatten_round_trip(void)
{
	tf_value *def = string_map((const char *const[]){"Owner", "ops", NULL});
	provider_ctx p = {.aws = NULL, .default_tags = def};
	tf_value *planned = stg_baseline(31), *all, *state = NULL;
	json_t *req = expand(&res_patch_baseline_def, planned, RES_PHASE_CREATE);
	json_t *answer = as_get_answer(req, "pb-0123456789abcdef0", "STG");
	json_t *again;
	tf_diags d;

	all = res_tags_all(&p, tf_value_attr(planned, "tags"));
	CHECK(tf_value_len(all) == 2);
	CHECK(flatten(&res_patch_baseline_def, &p, answer, planned, all, false,
		      "arn:aws:ssm:us-east-1:123456789012:patchbaseline/pb-0123456789abcdef0",
		      &state) == 0);
	CHECK(state != NULL);
	tf_diags_init(&d);
	CHECK(schema_conforms(schema_patch_baseline.block, state, &d));
	tf_diags_free(&d);
	CHECK_STR(tf_value_attr_str(state, "id"), "pb-0123456789abcdef0");
	CHECK_STR(tf_value_attr_str(state, "arn"),
		  "arn:aws:ssm:us-east-1:123456789012:patchbaseline/pb-0123456789abcdef0");
	/* Everything the user planned comes back equal. */
	{
		static const char *const attrs[] = {"name",
						    "operating_system",
						    "patch_groups",
						    "default_baseline",
						    "approved_patches",
						    "approved_patches_compliance_level",
						    "approved_patches_enable_non_security",
						    "rejected_patches",
						    "rejected_patches_action",
						    "approval_rule",
						    "global_filter",
						    "source",
						    "description",
						    "tags",
						    NULL};
		const char *const *a;

		for (a = attrs; *a; a++) {
			bool eq = tf_value_equal(tf_value_attr(planned, *a),
						 tf_value_attr(state, *a));

			if (!eq)
				fprintf(stderr, "  attribute %s differs\n", *a);
			CHECK(eq);
		}
	}
	/* tags_all has the default tag, tags does not. */
	CHECK_STR(tf_value_str(tf_value_map_get(tf_value_attr(state, "tags_all"), "Owner")), "ops");
	CHECK(tf_value_map_get(tf_value_attr(state, "tags"), "Owner") == NULL);
	/* expand(flatten(x)) == x */
	again = expand(&res_patch_baseline_def, state, RES_PHASE_CREATE);
	CHECK(json_equal(again, req));

	json_decref(again);
	json_decref(req);
	json_decref(answer);
	tf_value_free(all);
	tf_value_free(state);
	tf_value_free(planned);
	tf_value_free(def);
}

static void test_res_baseline__flatten_import_defaults(void)
{
	/* A bare answer (as after import: prior has only the id). Optional sets
	 * stay null, defaults are the schema's, unset tags are null. */
	json_t *answer =
		json_pack("{s:s,s:s,s:s,s:[],s:[],s:[],s:s,s:b}", "BaselineId", "pb-1", "Name",
			  "x-baseline", "OperatingSystem", "AMAZON_LINUX_2", "PatchGroups",
			  "ApprovedPatches", "RejectedPatches", "RejectedPatchesAction",
			  "ALLOW_AS_DEPENDENCY", "ApprovedPatchesEnableNonSecurity", 0);
	tf_value *prior = schema_new_object(schema_patch_baseline.block), *state = NULL;
	tf_diags d;

	res_set_str(prior, "id", "pb-1");
	CHECK(flatten(&res_patch_baseline_def, NULL, answer, prior, NULL, true, "arn:x", &state) ==
	      0);
	tf_diags_init(&d);
	CHECK(schema_conforms(schema_patch_baseline.block, state, &d));
	tf_diags_free(&d);
	CHECK(tf_value_is_null(tf_value_attr(state, "patch_groups")));
	CHECK(tf_value_is_null(tf_value_attr(state, "approved_patches")));
	CHECK(tf_value_is_null(tf_value_attr(state, "description")));
	CHECK(tf_value_is_null(tf_value_attr(state, "tags")));
	CHECK(tf_value_is_known(tf_value_attr(state, "tags_all")));
	CHECK(tf_value_len(tf_value_attr(state, "tags_all")) == 0);
	CHECK_STR(tf_value_attr_str(state, "approved_patches_compliance_level"), "UNSPECIFIED");
	CHECK(tf_value_bool_or(tf_value_attr(state, "default_baseline"), false) == true);
	CHECK(tf_value_len(tf_value_attr(state, "approval_rule")) == 0);

	/* With a prior that set an empty set explicitly, [] stays []. */
	tf_value_free(state);
	res_set_attr(prior, "patch_groups", tf_value_empty(res_type_string_set()));
	CHECK(flatten(&res_patch_baseline_def, NULL, answer, prior, NULL, false, "arn:x", &state) ==
	      0);
	CHECK(tf_value_is_known(tf_value_attr(state, "patch_groups")));
	CHECK(tf_value_len(tf_value_attr(state, "patch_groups")) == 0);

	tf_value_free(state);
	tf_value_free(prior);
	json_decref(answer);
}

static void test_res_baseline__keeps_user_spelling(void)
{
	/* The API echoes enum values in upper case; the prior's equivalent
	 * spelling survives the read so there is no perpetual diff. */
	tf_value *prior = stg_baseline(1), *state = NULL;
	const schema_block *rb = nested(schema_patch_baseline.block, "approval_rule");
	tf_value *r0 = tf_value_index(tf_value_attr(prior, "approval_rule"), 0);
	json_t *req, *answer;

	res_set_attr(r0, "compliance_level", tf_value_string("Critical"));
	res_set_attr(r0, "approve_after_days", tf_value_null(&tf_type_number));
	res_set_attr(r0, "approve_until_date", tf_value_string("2024-01-31"));
	req = expand(&res_patch_baseline_def, prior, RES_PHASE_CREATE);
	answer = as_get_answer(req, "pb-2", "STG");
	json_object_set_new(
		json_array_get(
			json_object_get(json_object_get(answer, "ApprovalRules"), "PatchRules"), 0),
		"ComplianceLevel", json_string("CRITICAL"));
	CHECK(flatten(&res_patch_baseline_def, NULL, answer, prior, NULL, false, "arn:x", &state) ==
	      0);
	r0 = tf_value_index(tf_value_attr(state, "approval_rule"), 0);
	CHECK_STR(tf_value_attr_str(r0, "compliance_level"), "Critical");
	CHECK_STR(tf_value_attr_str(r0, "approve_until_date"), "2024-01-31");
	CHECK(tf_value_is_null(tf_value_attr(r0, "approve_after_days")));
	(void)rb;

	/* A real change (not just case) is not hidden. */
	tf_value_free(state);
	json_object_set_new(
		json_array_get(
			json_object_get(json_object_get(answer, "ApprovalRules"), "PatchRules"), 0),
		"ComplianceLevel", json_string("LOW"));
	CHECK(flatten(&res_patch_baseline_def, NULL, answer, prior, NULL, false, "arn:x", &state) ==
	      0);
	r0 = tf_value_index(tf_value_attr(state, "approval_rule"), 0);
	CHECK_STR(tf_value_attr_str(r0, "compliance_level"), "LOW");

	tf_value_free(state);
	tf_value_free(prior);
	json_decref(req);
	json_decref(answer);
}

static void test_res_baseline__import_id(void)
{
	tf_value *out = NULL;
	tf_diags d;

	tf_diags_init(&d);
	CHECK(resource_import(&res_patch_baseline_def, "pb-0123456789abcdef0", &out, &d) == 0);
	CHECK(!tf_diags_has_error(&d));
	CHECK_STR(tf_value_attr_str(out, "id"), "pb-0123456789abcdef0");
	CHECK(tf_value_is_null(tf_value_attr(out, "name")));
	tf_value_free(out);
	out = NULL;
	CHECK(resource_import(&res_patch_baseline_def, "mw-0123", &out, &d) < 0);
	CHECK(out == NULL);
	CHECK(tf_diags_has_error(&d));
	CHECK(d.n == 1 && d.items[0].detail && strstr(d.items[0].detail, "pb-") != NULL);
	tf_diags_free(&d);

	tf_diags_init(&d);
	CHECK(resource_import(&res_maintenance_window_def, "mw-0c50858d01EXAMPLE", &out, &d) == 0);
	CHECK_STR(tf_value_attr_str(out, "id"), "mw-0c50858d01EXAMPLE");
	tf_value_free(out);
	out = NULL;
	CHECK(resource_import(&res_maintenance_window_def, "", &out, &d) < 0);
	CHECK(resource_import(&res_maintenance_window_def, "mw-a/b", &out, &d) < 0);
	CHECK(d.n == 2);
	tf_diags_free(&d);
}

/* ---------------------------------------------------------------- maintenance window */

static tf_value *am2_window(void)
{
	tf_value *o = schema_new_object(schema_maintenance_window.block);

	res_set_attr(o, "name", tf_value_string("patch-window-am2"));
	res_set_attr(o, "schedule", tf_value_string("cron(00 17 * * ? *)"));
	res_set_attr(o, "duration", tf_value_number_i64(1));
	res_set_attr(o, "cutoff", tf_value_number_i64(0));
	res_set_attr(o, "allow_unassociated_targets", tf_value_bool(true));
	res_set_attr(o, "enabled", tf_value_bool(true));
	res_set_attr(o, "schedule_timezone", tf_value_string("Asia/Tokyo"));
	return o;
}

static void test_res_window__expand(void)
{
	tf_value *v = am2_window();
	json_t *c = expand(&res_maintenance_window_def, v, RES_PHASE_CREATE);
	json_t *u = expand(&res_maintenance_window_def, v, RES_PHASE_UPDATE);

	CHECK_STR(json_string_value(json_object_get(c, "Schedule")), "cron(00 17 * * ? *)");
	CHECK(json_integer_value(json_object_get(c, "Duration")) == 1);
	CHECK(json_is_integer(json_object_get(c, "Cutoff")) &&
	      json_integer_value(json_object_get(c, "Cutoff")) == 0);
	CHECK(json_is_true(json_object_get(c, "AllowUnassociatedTargets")));
	CHECK(json_object_get(c, "Enabled") == NULL); /* not a create parameter */
	CHECK(json_object_get(c, "Description") == NULL);
	CHECK(json_object_get(c, "ScheduleOffset") == NULL);
	CHECK(json_is_true(json_object_get(u, "Enabled")));
	json_decref(c);
	json_decref(u);
	tf_value_free(v);
}

static void test_res_window__flatten_round_trip(void)
{
	tf_value *planned = am2_window(), *state = NULL, *tags;
	provider_ctx p = {0};
	json_t *u = expand(&res_maintenance_window_def, planned, RES_PHASE_UPDATE), *again;
	tf_diags d;

	json_object_set_new(u, "WindowId", json_string("mw-0123456789abcdef0"));
	json_object_set_new(u, "NextExecutionTime", json_string("2026-11-30T17:00Z"));
	tags = string_map((const char *const[]){"Team", "infra", NULL});
	res_set_attr(planned, "tags", tf_value_clone(tags));
	CHECK(flatten(&res_maintenance_window_def, &p, u, planned, tags, false,
		      "arn:aws:ssm:r:1:maintenancewindow/mw-0123456789abcdef0", &state) == 0);
	tf_diags_init(&d);
	CHECK(schema_conforms(schema_maintenance_window.block, state, &d));
	tf_diags_free(&d);
	CHECK_STR(tf_value_attr_str(state, "id"), "mw-0123456789abcdef0");
	CHECK(tf_value_equal(tf_value_attr(state, "tags"), tags));
	CHECK(tf_value_equal(tf_value_attr(state, "tags_all"), tags));
	CHECK(tf_value_is_null(tf_value_attr(state, "description")));
	CHECK(tf_value_is_null(tf_value_attr(state, "schedule_offset")));
	json_object_del(u, "WindowId");
	json_object_del(u, "NextExecutionTime");
	again = expand(&res_maintenance_window_def, state, RES_PHASE_UPDATE);
	CHECK(json_equal(again, u));

	/* Disabled in the API shows as enabled = false (drift). */
	tf_value_free(state);
	json_object_set_new(u, "Enabled", json_false());
	CHECK(flatten(&res_maintenance_window_def, &p, u, planned, tags, false, "arn:x", &state) ==
	      0);
	CHECK(tf_value_bool_or(tf_value_attr(state, "enabled"), true) == false);

	json_decref(again);
	json_decref(u);
	tf_value_free(tags);
	tf_value_free(state);
	tf_value_free(planned);
}

/* ---------------------------------------------------------------- shared helpers */

static void test_res_common__tags(void)
{
	tf_value *def = string_map((const char *const[]){"Owner", "ops", "Env", "default", NULL});
	provider_ctx p = {.aws = NULL, .default_tags = def};
	tf_value *tags = string_map((const char *const[]){"Env", "stg", "Name", "x", NULL});
	tf_value *all = res_tags_all(&p, tags), *back, *m, *unk;
	json_t *list;

	/* tags win over default_tags */
	CHECK(tf_value_len(all) == 3);
	CHECK_STR(tf_value_str(tf_value_map_get(all, "Env")), "stg");
	CHECK_STR(tf_value_str(tf_value_map_get(all, "Owner")), "ops");
	/* and the user's tags are recovered from the object's tags */
	back = res_tags_from_all(&p, all, tags);
	CHECK(tf_value_equal(back, tags));
	tf_value_free(back);
	/* a tag equal to a default the user also set stays in tags */
	tf_value_map_put(tags, "Owner", tf_value_string("ops"));
	back = res_tags_from_all(&p, all, tags);
	CHECK(tf_value_map_get(back, "Owner") != NULL);
	tf_value_free(back);
	/* a tag added outside Terraform shows up in tags (drift) */
	tf_value_map_put(all, "Extra", tf_value_string("1"));
	back = res_tags_from_all(&p, all, NULL);
	CHECK(tf_value_map_get(back, "Extra") != NULL);
	CHECK(tf_value_map_get(back, "Owner") == NULL);
	tf_value_free(back);

	/* JSON round trip */
	list = res_json_tag_list(all);
	CHECK(json_array_size(list) == 4);
	m = res_tf_tag_map(list);
	CHECK(tf_value_equal(m, all));
	json_decref(list);
	tf_value_free(m);

	/* no tags at all: an empty known map, never null */
	p.default_tags = NULL;
	m = res_tags_all(&p, NULL);
	CHECK(tf_value_is_known(m) && tf_value_len(m) == 0);
	tf_value_free(m);
	unk = tf_value_unknown(res_type_string_map());
	m = res_tags_all(&p, unk);
	CHECK(tf_value_is_unknown(m));
	tf_value_free(m);
	tf_value_free(unk);

	tf_value_free(all);
	tf_value_free(tags);
	tf_value_free(def);
}

static void test_res_common__plan_tags_all(void)
{
	tf_value *def = string_map((const char *const[]){"Owner", "ops", NULL});
	provider_ctx p = {.aws = NULL, .default_tags = def};
	tf_value *planned = am2_window();

	CHECK(res_plan_tags_all(&p, planned) == 0);
	CHECK_STR(tf_value_str(tf_value_map_get(tf_value_attr(planned, "tags_all"), "Owner")),
		  "ops");
	res_set_attr(planned, "tags", tf_value_unknown(res_type_string_map()));
	CHECK(res_plan_tags_all(&p, planned) == 0);
	CHECK(tf_value_is_unknown(tf_value_attr(planned, "tags_all")));
	tf_value_free(planned);
	tf_value_free(def);
}

static void test_res_common__client_token_and_unknowns(void)
{
	char a[37], b[37];
	tf_value *v = am2_window();
	size_t i;

	res_client_token(a);
	res_client_token(b);
	CHECK(strlen(a) == 36 && a[8] == '-' && a[13] == '-' && a[14] == '4' && a[18] == '-');
	CHECK(strchr("89ab", a[19]) != NULL);
	for (i = 0; i < 36; i++)
		CHECK(a[i] == '-' || strchr("0123456789abcdef", a[i]));
	CHECK(strcmp(a, b) != 0);

	res_set_attr(v, "id", tf_value_unknown(&tf_type_string));
	res_set_attr(v, "tags_all", tf_value_unknown(res_type_string_map()));
	res_unknown_to_null(v);
	CHECK(!tf_value_has_unknown(v));
	CHECK(tf_value_is_null(tf_value_attr(v, "id")));
	CHECK(tf_value_is_known(tf_value_attr(v, "tags_all")));
	CHECK_STR(tf_value_attr_str(v, "name"), "patch-window-am2");
	tf_value_free(v);
}

static void test_res_common__diag_aws(void)
{
	aws_error err;
	tf_diags d;
	char *path;

	memset(&err, 0, sizeof(err));
	err.code = AWS_ERR_ALREADY_EXISTS;
	err.http_status = 400;
	snprintf(err.aws_code, sizeof(err.aws_code), "AlreadyExistsException");
	snprintf(err.message, sizeof(err.message),
		 "Patch Group baseline already has a baseline registered");
	snprintf(err.operation, sizeof(err.operation), "RegisterPatchBaselineForPatchGroup");
	tf_diags_init(&d);
	res_diag_aws_at(&d, "patch_groups", "RegisterPatchBaselineForPatchGroup", &err);
	CHECK(d.n == 1);
	CHECK(d.items[0].severity == TF_DIAG_ERROR);
	CHECK(strstr(d.items[0].summary, "RegisterPatchBaselineForPatchGroup") != NULL);
	CHECK(strstr(d.items[0].summary, "AlreadyExistsException") != NULL);
	CHECK(strstr(d.items[0].detail, "already has a baseline") != NULL);
	CHECK(d.items[0].has_path);
	path = tf_path_string(&d.items[0].path);
	CHECK_STR(path, "patch_groups");
	free(path);
	tf_diags_free(&d);
}

int main(void)
{
	RUN(test_res_baseline__expand_create);
	RUN(test_res_baseline__flatten_round_trip);
	RUN(test_res_baseline__flatten_import_defaults);
	RUN(test_res_baseline__keeps_user_spelling);
	RUN(test_res_baseline__import_id);
	RUN(test_res_window__expand);
	RUN(test_res_window__flatten_round_trip);
	RUN(test_res_common__tags);
	RUN(test_res_common__plan_tags_all);
	RUN(test_res_common__client_token_and_unknowns);
	RUN(test_res_common__diag_aws);
	return unit_summary();
}
