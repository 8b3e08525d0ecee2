/*
 * test_schema.c - the schema tables (schema/) and the functions derived from
 * them (provider/core/schema.c): the seed scenario validates clean, a table of
 * bad configurations each yields an error at the exact attribute path, unknown
 * values are accepted, defaults and computed unknowns are planned,
 * requires_replace lists the force-new paths, and conformance is checked.
 *
 * Configurations are built from the seed objects (the Japanese article's
 * CloudFormation templates, as Terraform would see them) and then changed by
 * small declarative edits, "path=value" or "+block", so each bad case is one line:
 *   value: s:TEXT  s*N:C (C repeated N times)  n:NUMBER  b:true|false  null  unknown
 *          l:a|b|?  (list; "?" is an unknown element)  l*N:P (P0..P<N-1>)
 *          S:a|b  S*N:P (sets)  m:k=v|k2=v2 (map)
 *   +path[*N]  appends N (default 1) empty elements to the block list at path
 *   -path      empties the block list at path
 */
#include <stdarg.h>
#include <stdint.h>

#include "core/schema.h"
#include "schema/schema_checks.h"
#include "schema/schema_tables.h"
#include "ssm_enums.h"
#include "unit.h"

#include <pthread.h>
#include <regex.h>

/* --- building values --- */

static tf_value *strlist(const tf_type *t, const char *spec)
{
	tf_value *l = tf_value_empty(t);
	char buf[512];
	size_t n = strlen(spec);
	if (!l || n >= sizeof buf)
		return l;
	if (n == 0)
		return l;
	memcpy(buf, spec, n + 1);
	for (char *tok = buf, *bar; tok; tok = bar ? bar + 1 : NULL) {
		if ((bar = strchr(tok, '|')))
			*bar = '\0';
		tf_value_append(l, strcmp(tok, "?") == 0 ? tf_value_unknown(&tf_type_string)
							 : tf_value_string(tok));
	}
	return l;
}

static tf_value *strlist_n(const tf_type *t, long n, const char *prefix)
{
	tf_value *l = tf_value_empty(t);
	for (long i = 0; l && i < n; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s%ld", prefix, i);
		tf_value_append(l, tf_value_string(buf));
	}
	return l;
}

/* A value of type t from the spec language above. */
static tf_value *make_value(const tf_type *t, const char *spec)
{
	char *end;
	if (strcmp(spec, "null") == 0)
		return tf_value_null(t);
	if (strcmp(spec, "unknown") == 0)
		return tf_value_unknown(t);
	if (strncmp(spec, "s:", 2) == 0)
		return tf_value_string(spec + 2);
	if (strncmp(spec, "s*", 2) == 0) {
		long n = strtol(spec + 2, &end, 10);
		char buf[2048];
		if (*end != ':' || n < 0 || n >= (long)sizeof buf)
			return NULL;
		memset(buf, end[1], (size_t)n);
		buf[n] = '\0';
		return tf_value_string(buf);
	}
	if (strncmp(spec, "n:", 2) == 0)
		return tf_value_number_text(spec + 2);
	if (strncmp(spec, "b:", 2) == 0)
		return tf_value_bool(strcmp(spec + 2, "true") == 0);
	if (spec[0] == 'l' || spec[0] == 'S') {
		const tf_type *ct = spec[0] == 'l' ? tf_type_list(&tf_type_string)
						   : tf_type_set(&tf_type_string);
		if (spec[1] == ':')
			return strlist(ct, spec + 2);
		if (spec[1] == '*') {
			long n = strtol(spec + 2, &end, 10);
			return *end == ':' ? strlist_n(ct, n, end + 1) : NULL;
		}
	}
	if (strncmp(spec, "m:", 2) == 0) {
		tf_value *m = tf_value_empty(tf_type_map(&tf_type_string));
		char buf[512];
		snprintf(buf, sizeof buf, "%s", spec + 2);
		for (char *tok = buf, *bar; m && tok && *tok; tok = bar ? bar + 1 : NULL) {
			if ((bar = strchr(tok, '|')))
				*bar = '\0';
			char *eq = strchr(tok, '=');
			if (!eq)
				break;
			*eq = '\0';
			tf_value_map_put(m, tok, tf_value_string(eq + 1));
		}
		return m;
	}
	return NULL;
}

static void set(tf_value *obj, const char *name, const char *spec)
{
	int k = tf_type_attr_index(obj->type, name);
	if (k < 0) {
		fprintf(stderr, "  test bug: no attribute %s\n", name);
		unit_cur_failed = 1;
		return;
	}
	if (tf_value_set_attr(obj, name, make_value(obj->type->types[k], spec)) < 0) {
		fprintf(stderr, "  test bug: cannot set %s=%s\n", name, spec);
		unit_cur_failed = 1;
	}
}

/* Append a new element to nested block `name` of obj (borrowed pointer back). */
static tf_value *add(const schema_block *b, tf_value *obj, const char *name)
{
	const schema_nested *nb = schema_find_block(b, name);
	tf_value *l = tf_value_attr(obj, name);
	if (!nb || !l || tf_value_append(l, schema_new_object(nb->block)) < 0)
		return NULL;
	return tf_value_index(l, tf_value_len(l) - 1);
}

static const schema_block *sub(const schema_block *b, const char *name)
{
	return schema_find_block(b, name)->block;
}

/* --- the seed scenario --- */

#define WINDOW_ID "mw-0123456789abcdef0"
#define TARGET_ID_SCAN "e32eecb2-646c-4f4b-8ed1-205fb0123456"
#define TARGET_ID_INSTALL "4b8a1d3c-0f2e-4c1a-9d7b-6a5e4f3c2b1a"

static void add_filter(const schema_block *rb, tf_value *rule, const char *key, const char *value)
{
	tf_value *f = add(rb, rule, "patch_filter");
	set(f, "key", key);
	set(f, "values", value);
}

static tf_value *seed_baseline(bool prd)
{
	const schema_block *b = schema_patch_baseline.block, *rb = sub(b, "approval_rule");
	tf_value *o = schema_new_object(b);
	set(o, "name", prd ? "s:PRD-AL2Baseline" : "s:STG-AL2Baseline");
	set(o, "operating_system", "s:AMAZON_LINUX_2");
	set(o, "patch_groups", prd ? "S:PRD" : "S:STG");
	static const char *const levels[][2] = {{"s:CRITICAL", "l:Critical"},
						{"s:HIGH", "l:Important"}};
	for (int i = 0; i < 2; i++) {
		tf_value *r = add(b, o, "approval_rule");
		set(r, "approve_after_days", prd ? "n:31" : "n:1");
		set(r, "compliance_level", levels[i][0]);
		set(r, "enable_non_security", "b:false");
		add_filter(rb, r, "s:CLASSIFICATION", "l:Security");
		add_filter(rb, r, "s:SEVERITY", levels[i][1]);
	}
	return o;
}

static tf_value *seed_window(void)
{
	tf_value *o = schema_new_object(schema_maintenance_window.block);
	set(o, "name", "s:patch-window-am2");
	set(o, "schedule", "s:cron(00 17 * * ? *)");
	set(o, "duration", "n:1");
	set(o, "cutoff", "n:0");
	set(o, "allow_unassociated_targets", "b:true");
	return o;
}

static tf_value *seed_target(bool install)
{
	const schema_block *b = schema_window_target.block;
	tf_value *o = schema_new_object(b);
	set(o, "window_id", "s:" WINDOW_ID);
	set(o, "name", install ? "s:PatchingTargetInstall" : "s:PatchingTargetScan");
	set(o, "resource_type", "s:INSTANCE");
	tf_value *t = add(b, o, "targets");
	set(t, "key", "s:tag:PatchWindowTaskAM2");
	set(t, "values", install ? "l:INSTALL" : "l:SCAN");
	return o;
}

static tf_value *seed_task(bool install)
{
	const schema_block *b = schema_window_task.block;
	const schema_block *tipb = sub(b, "task_invocation_parameters");
	const schema_block *rcb = sub(tipb, "run_command_parameters");
	tf_value *o = schema_new_object(b);
	set(o, "window_id", "s:" WINDOW_ID);
	set(o, "name", install ? "s:PatchingTaskInstall" : "s:PatchingTaskScan");
	set(o, "task_type", "s:RUN_COMMAND");
	set(o, "task_arn", "s:AWS-RunPatchBaseline");
	set(o, "priority", "n:1");
	set(o, "max_concurrency", "s:50%");
	set(o, "max_errors", "s:50%");
	tf_value *t = add(b, o, "targets");
	set(t, "key", "s:WindowTargetIds");
	set(t, "values", install ? "l:" TARGET_ID_INSTALL : "l:" TARGET_ID_SCAN);
	tf_value *tip = add(b, o, "task_invocation_parameters");
	tf_value *rc = add(tipb, tip, "run_command_parameters");
	set(rc, "timeout_seconds", "n:1800");
	set(rc, "output_s3_bucket", "s:my-patch-logs");
	set(rc, "output_s3_key_prefix",
	    install ? "s:patch/window/install/" : "s:patch/window/scan/");
	tf_value *p = add(rcb, rc, "parameter");
	set(p, "name", "s:Operation");
	set(p, "values", install ? "l:Install" : "l:Scan");
	p = add(rcb, rc, "parameter");
	set(p, "name", "s:RebootOption");
	set(p, "values", "l:NoReboot");
	return o;
}

static tf_value *seed_provider(void)
{
	const schema_block *b = &schema_provider_block;
	tf_value *o = schema_new_object(b);
	set(o, "region", "s:ap-northeast-1");
	set(o, "max_retries", "n:5");
	tf_value *ar = add(b, o, "assume_role");
	set(ar, "role_arn", "s:arn:aws:iam::123456789012:role/patching");
	set(ar, "session_name", "s:terraform-stg");
	set(ar, "duration", "s:1h");
	tf_value *ep = add(b, o, "endpoints");
	set(ep, "ssm", "s:http://127.0.0.1:4566");
	tf_value *dt = add(b, o, "default_tags");
	set(dt, "tags", "m:Project=patching|Env=stg");
	return o;
}

typedef struct {
	const char *name;
	const schema_block *block;
	tf_value *(*seed)(void);
} seed_kind;

static tf_value *seed_stg(void)
{
	return seed_baseline(false);
}
static tf_value *seed_prd(void)
{
	return seed_baseline(true);
}
static tf_value *seed_scan_target(void)
{
	return seed_target(false);
}
static tf_value *seed_install_target(void)
{
	return seed_target(true);
}
static tf_value *seed_scan_task(void)
{
	return seed_task(false);
}
static tf_value *seed_install_task(void)
{
	return seed_task(true);
}

static const seed_kind *kind(const char *name)
{
	static seed_kind kinds[8];
	if (!kinds[0].name) {
		kinds[0] = (seed_kind){"baseline", NULL, seed_stg};
		kinds[1] = (seed_kind){"prd", NULL, seed_prd};
		kinds[2] = (seed_kind){"window", NULL, seed_window};
		kinds[3] = (seed_kind){"target", NULL, seed_scan_target};
		kinds[4] = (seed_kind){"target_install", NULL, seed_install_target};
		kinds[5] = (seed_kind){"task", NULL, seed_scan_task};
		kinds[6] = (seed_kind){"task_install", NULL, seed_install_task};
		kinds[7] = (seed_kind){"provider", NULL, seed_provider};
		kinds[0].block = kinds[1].block = schema_patch_baseline.block;
		kinds[2].block = schema_maintenance_window.block;
		kinds[3].block = kinds[4].block = schema_window_target.block;
		kinds[5].block = kinds[6].block = schema_window_task.block;
		kinds[7].block = &schema_provider_block;
	}
	for (size_t i = 0; i < 8; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* --- edits --- */

/*
 * Walk `text` (a path) from root; stop before the last step. Returns the parent
 * value and its schema block (NULL below a string list), and the last step.
 */
static tf_value *walk(const schema_block *b, tf_value *root, const tf_path *p,
		      const schema_block **pb)
{
	tf_value *cur = root;
	*pb = b;
	for (size_t i = 0; cur && i + 1 < p->n; i++) {
		const tf_path_step *st = &p->steps[i];
		if (st->kind == TF_STEP_ATTR) {
			/* into a nested block list: the next step indexes it, and the
			 * element's schema is the nested block; into an attribute: no schema */
			const schema_nested *nb = *pb ? schema_find_block(*pb, st->name) : NULL;
			cur = tf_value_attr(cur, st->name);
			*pb = nb ? nb->block : NULL;
		} else if (st->kind == TF_STEP_KEY_INT) {
			cur = tf_value_index(cur, (size_t)st->index);
		} else {
			cur = tf_value_map_get(cur, st->name);
		}
	}
	return cur;
}

static void edit(const schema_block *b, tf_value *root, const char *op)
{
	char text[1024];
	tf_path p;
	const schema_block *pb;
	long times = 1;

	snprintf(text, sizeof text, "%s", op + (op[0] == '+' || op[0] == '-'));
	char *eq = op[0] == '+' || op[0] == '-' ? NULL : strchr(text, '=');
	char *star = op[0] == '+' ? strchr(text, '*') : NULL;
	if (eq)
		*eq = '\0';
	if (star) {
		*star = '\0';
		times = strtol(star + 1, NULL, 10);
	}
	if (tf_path_parse(&p, text) < 0 || p.n == 0) {
		fprintf(stderr, "  test bug: bad path in edit %s\n", op);
		unit_cur_failed = 1;
		tf_path_free(&p);
		return;
	}
	tf_value *parent = walk(b, root, &p, &pb);
	const tf_path_step *last = &p.steps[p.n - 1];
	if (!parent || (op[0] != '+' && op[0] != '-' && !eq)) {
		fprintf(stderr, "  test bug: edit %s: no such parent\n", op);
		unit_cur_failed = 1;
	} else if (op[0] == '+') {
		for (long i = 0; i < times; i++)
			if (!add(pb, parent, last->name)) {
				fprintf(stderr, "  test bug: edit %s failed\n", op);
				unit_cur_failed = 1;
			}
	} else if (op[0] == '-') {
		tf_value *l = tf_value_attr(parent, last->name);
		tf_value_set_attr(parent, last->name, tf_value_empty(l->type));
	} else if (last->kind == TF_STEP_ATTR) {
		set(parent, last->name, eq + 1);
	} else if (last->kind == TF_STEP_KEY_INT && (size_t)last->index < tf_value_len(parent)) {
		tf_value *nv = make_value(parent->type->elem, eq + 1);
		tf_value_free(parent->u.coll.items[last->index]);
		parent->u.coll.items[last->index] = nv;
	}
	tf_path_free(&p);
}

static void dump_diags(const tf_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *ps = d->items[i].has_path ? tf_path_string(&d->items[i].path) : NULL;
		fprintf(stderr, "    [%s] %s: %s | %s\n",
			d->items[i].severity == TF_DIAG_ERROR ? "error" : "warn",
			ps ? ps : "(no path)", d->items[i].summary,
			d->items[i].detail ? d->items[i].detail : "");
		free(ps);
	}
}

/* Is there an error at exactly `path` whose summary contains `summary`? */
static bool has_error(const tf_diags *d, const char *path, const char *summary)
{
	for (size_t i = 0; i < d->n; i++) {
		const tf_diag *g = &d->items[i];
		char *ps = g->has_path ? tf_path_string(&g->path) : NULL;
		bool hit = g->severity == TF_DIAG_ERROR && ps && strcmp(ps, path) == 0 &&
			   strstr(g->summary, summary) && g->detail && *g->detail;
		free(ps);
		if (hit)
			return true;
	}
	return false;
}

/* Seed of `kind`, with edits applied, validated into d (caller frees). */
static tf_value *build(const char *kname, const char *const *ops, size_t n_ops, tf_diags *d)
{
	const seed_kind *k = kind(kname);
	tf_value *o = k->seed();
	for (size_t i = 0; i < n_ops && ops[i]; i++)
		edit(k->block, o, ops[i]);
	schema_validate(k->block, o, d);
	return o;
}

/* --- tests --- */

static void test_schema_seed__valid(void)
{
	static const char *const kinds[] = {"baseline",       "prd",  "window",       "target",
					    "target_install", "task", "task_install", "provider"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		tf_diags d;
		tf_diags_init(&d);
		tf_value *o = build(kinds[i], NULL, 0, &d);
		if (d.n) {
			fprintf(stderr, "  seed %s:\n", kinds[i]);
			dump_diags(&d);
		}
		CHECK(d.n == 0);
		/* and the seeds conform to their block types */
		CHECK(schema_conforms(kind(kinds[i])->block, o, &d));
		CHECK(d.n == 0);
		tf_value_free(o);
		tf_diags_free(&d);
	}
}

typedef struct {
	const char *kind;
	const char *ops[8];
	const char *path; /* tf_path_string of the expected error */
	const char *summary; /* substring of its summary */
} bad_case;

#define A10 "aaaaaaaaaa"
#define A65 A10 A10 A10 A10 A10 A10 "aaaaa"
#define TIP "task_invocation_parameters[0]"
#define RCP TIP ".run_command_parameters[0]"

static const bad_case bad_cases[] = {
	/* ssmpatch_patch_baseline */
	{"baseline", {"name=s:ab"}, "name", "Invalid length"},
	{"baseline", {"name=s:bad name!"}, "name", "Invalid format"},
	{"baseline", {"name=null"}, "name", "Missing required argument"},
	{"baseline", {"id=s:pb-0123456789abcdef0"}, "id", "Value for unconfigurable attribute"},
	{"baseline", {"tags_all=m:a=b"}, "tags_all", "Value for unconfigurable attribute"},
	{"baseline", {"operating_system=s:AMAZON_LINUX_3"}, "operating_system", "Invalid value"},
	{"baseline", {"description=s:"}, "description", "Invalid length"},
	{"baseline", {"description=s*1025:d"}, "description", "Invalid length"},
	{"baseline", {"patch_groups=S:STG|"}, "patch_groups", "Invalid length"},
	{"baseline", {"approved_patches=S*51:KB"}, "approved_patches", "Too many elements"},
	{"baseline", {"rejected_patches=S:KB1|"}, "rejected_patches", "Invalid length"},
	{"baseline",
	 {"rejected_patches_action=s:DENY"},
	 "rejected_patches_action",
	 "Invalid value"},
	{"baseline",
	 {"approved_patches_compliance_level=s:SEVERE"},
	 "approved_patches_compliance_level",
	 "Invalid value"},
	{"baseline",
	 {"approval_rule[0].approve_after_days=n:361"},
	 "approval_rule[0].approve_after_days",
	 "Value out of range"},
	{"baseline",
	 {"approval_rule[1].approve_after_days=n:-1"},
	 "approval_rule[1].approve_after_days",
	 "Value out of range"},
	{"baseline",
	 {"approval_rule[0].approve_after_days=n:1.5"},
	 "approval_rule[0].approve_after_days",
	 "Whole number required"},
	{"baseline",
	 {"approval_rule[1].approve_after_days=null",
	  "approval_rule[1].approve_until_date=s:2026-02-30"},
	 "approval_rule[1].approve_until_date",
	 "Invalid date"},
	{"baseline",
	 {"approval_rule[1].approve_after_days=null",
	  "approval_rule[1].approve_until_date=s:2026/12/31"},
	 "approval_rule[1].approve_until_date",
	 "Invalid date"},
	{"baseline",
	 {"approval_rule[0].approve_until_date=s:2026-12-31"},
	 "approval_rule[0].approve_until_date",
	 "Conflicting approval settings"},
	{"baseline",
	 {"approval_rule[0].approve_after_days=null"},
	 "approval_rule[0]",
	 "Missing approval delay"},
	{"baseline",
	 {"operating_system=s:UBUNTU"},
	 "approval_rule[0].approve_after_days",
	 "Approval delay not supported"},
	{"baseline",
	 {"approval_rule[0].compliance_level=s:URGENT"},
	 "approval_rule[0].compliance_level",
	 "Invalid value"},
	{"baseline",
	 {"approval_rule[0].patch_filter[1].key=s:SEVERITYX"},
	 "approval_rule[0].patch_filter[1].key",
	 "Invalid value"},
	{"baseline",
	 {"approval_rule[0].patch_filter[0].values=l:"},
	 "approval_rule[0].patch_filter[0].values",
	 "Too few elements"},
	{"baseline",
	 {"approval_rule[1].patch_filter[0].values=l*21:v"},
	 "approval_rule[1].patch_filter[0].values",
	 "Too many elements"},
	{"baseline",
	 {"approval_rule[1].patch_filter[0].values=l:Security|" A65},
	 "approval_rule[1].patch_filter[0].values[1]",
	 "Invalid length"},
	{"baseline",
	 {"approval_rule[1].patch_filter[0].values=l:Security|"},
	 "approval_rule[1].patch_filter[0].values[1]",
	 "Invalid length"},
	{"baseline",
	 {"-approval_rule[1].patch_filter"},
	 "approval_rule[1].patch_filter",
	 "Missing required block"},
	{"baseline",
	 {"+approval_rule[0].patch_filter*9"},
	 "approval_rule[0].patch_filter",
	 "Too many blocks"},
	{"baseline", {"+approval_rule*9"}, "approval_rule", "Too many blocks"},
	{"baseline", {"+global_filter*5"}, "global_filter", "Too many blocks"},
	{"baseline", {"+global_filter"}, "global_filter[0].key", "Missing required argument"},
	{"baseline",
	 {"+source", "source[0].name=s:my repo", "source[0].configuration=s:[repo]",
	  "source[0].products=l:AmazonLinux2"},
	 "source[0].name",
	 "Invalid format"},
	{"baseline",
	 {"+source", "source[0].name=s:repo", "source[0].products=l:AmazonLinux2"},
	 "source[0].configuration",
	 "Missing required argument"},
	{"baseline", {"tags=m:Env=stg|aws:owner=me"}, "tags[\"aws:owner\"]", "Invalid tag key"},
	{"baseline", {"tags=m:Env=" A65 A65 A65 A65}, "tags[\"Env\"]", "Invalid length"},
	/* ssmpatch_maintenance_window */
	{"window", {"name=s:patch window"}, "name", "Invalid format"},
	{"window", {"schedule=null"}, "schedule", "Missing required argument"},
	{"window", {"schedule=s:cron(00 17 * * *)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:cron(00 17 * * 1 *)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:cron(00 17 ? * ? *)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:cron(61 17 * * ? *)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:cron(0 24 * * ? *)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:cron(0 2 ? FOO * *)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:cron(0 2 ? * THU#6 *)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:rate(1 hours)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:rate(5 minute)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:rate(0 days)"}, "schedule", "Invalid schedule expression"},
	{"window", {"schedule=s:rate(2 weeks)"}, "schedule", "Invalid schedule expression"},
	{"window",
	 {"schedule=s:at(2026-13-01T00:00:00)"},
	 "schedule",
	 "Invalid schedule expression"},
	{"window",
	 {"schedule=s:at(2026-12-01 00:00:00)"},
	 "schedule",
	 "Invalid schedule expression"},
	{"window", {"schedule=s:daily"}, "schedule", "Invalid schedule expression"},
	{"window", {"duration=n:25"}, "duration", "Value out of range"},
	{"window", {"duration=n:0"}, "duration", "Value out of range"},
	{"window", {"duration=n:1.5"}, "duration", "Whole number required"},
	{"window", {"cutoff=n:24"}, "cutoff", "Value out of range"},
	{"window", {"cutoff=n:1"}, "cutoff", "Cutoff not less than duration"},
	{"window",
	 {"schedule=s:rate(2 days)", "schedule_offset=n:2"},
	 "schedule_offset",
	 "schedule_offset needs a cron schedule"},
	{"window", {"schedule_offset=n:7"}, "schedule_offset", "Value out of range"},
	{"window", {"start_date=s:2026-01-01 02:00"}, "start_date", "Invalid timestamp"},
	{"window", {"end_date=s:2026-01-01T25:00:00Z"}, "end_date", "Invalid timestamp"},
	{"window",
	 {"start_date=s:2026-06-01T00:00:00Z", "end_date=s:2026-01-01T00:00:00Z"},
	 "end_date",
	 "end_date not after start_date"},
	{"window", {"schedule_timezone=s:Asia Tokyo"}, "schedule_timezone", "Unknown time zone"},
	{"window", {"description=s*129:x"}, "description", "Invalid length"},
	{"window", {"tags=m:" A65 A65 "=long"}, "tags[\"" A65 A65 "\"]", "Invalid tag key"},
	{"window",
	 {"arn=s:arn:aws:ssm:ap-northeast-1:123456789012:maintenancewindow/" WINDOW_ID},
	 "arn",
	 "Value for unconfigurable attribute"},
	/* ssmpatch_window_target */
	{"target", {"window_id=s:mw-123"}, "window_id", "Invalid format"},
	{"target", {"window_id=null"}, "window_id", "Missing required argument"},
	{"target", {"resource_type=s:EC2"}, "resource_type", "Invalid value"},
	{"target", {"-targets"}, "targets", "Missing required block"},
	{"target", {"+targets*5"}, "targets", "Too many blocks"},
	{"target", {"targets[0].key=s:tag:"}, "targets[0].key", "Invalid target key"},
	{"target", {"targets[0].key=s:Name"}, "targets[0].key", "Invalid target key"},
	{"target", {"targets[0].values=l*51:i-"}, "targets[0].values", "Too many elements"},
	{"target",
	 {"resource_type=s:RESOURCE_GROUP"},
	 "targets[0].key",
	 "Invalid target key for RESOURCE_GROUP"},
	{"target",
	 {"resource_type=s:RESOURCE_GROUP", "targets[0].key=s:resource-groups:ResourceTypeFilters",
	  "targets[0].values=l:AWS::EC2::Instance"},
	 "targets",
	 "Missing resource-groups:Name target"},
	{"target", {"owner_information=s:"}, "owner_information", "Invalid length"},
	{"target", {"name=s:x"}, "name", "Invalid length"},
	/* ssmpatch_window_task */
	{"task", {"window_id=null"}, "window_id", "Missing required argument"},
	{"task", {"task_type=s:SHELL"}, "task_type", "Invalid value"},
	{"task", {"task_arn=s:"}, "task_arn", "Invalid length"},
	{"task", {"max_concurrency=s:0"}, "max_concurrency", "Invalid format"},
	{"task", {"max_errors=s:101%"}, "max_errors", "Invalid format"},
	{"task", {"-targets"}, "max_concurrency", "Not allowed on a task without targets"},
	{"task",
	 {"-targets", "max_concurrency=null"},
	 "max_errors",
	 "Not allowed on a task without targets"},
	{"task",
	 {"-targets", "max_concurrency=null", "max_errors=null"},
	 "targets",
	 "Missing targets"},
	{"task", {"priority=n:-1"}, "priority", "Value out of range"},
	{"task", {"priority=n:0.5"}, "priority", "Whole number required"},
	{"task", {"service_role_arn=s:role/foo"}, "service_role_arn", "Invalid format"},
	{"task", {"cutoff_behavior=s:STOP"}, "cutoff_behavior", "Invalid value"},
	{"task", {"+targets*5"}, "targets", "Too many blocks"},
	{"task", {"targets[0].key=s:tag:Name"}, "targets[0].key", "Invalid target key"},
	{"task", {"targets[0].values=l*11:x"}, "targets[0].values", "Too many window target IDs"},
	{"task",
	 {"targets[0].values=l:not-a-uuid"},
	 "targets[0].values[0]",
	 "Invalid window target ID"},
	{"task",
	 {"targets[0].key=s:InstanceIds", "targets[0].values=l*51:i-"},
	 "targets[0].values",
	 "Too many elements"},
	{"task", {"+task_invocation_parameters"}, "task_invocation_parameters", "Too many blocks"},
	{"task",
	 {"task_type=s:AUTOMATION"},
	 TIP ".run_command_parameters",
	 "Invocation parameters do not match"},
	{"task", {"+" TIP ".lambda_parameters"}, TIP, "Too many invocation parameter blocks"},
	{"task", {"-" TIP ".run_command_parameters"}, TIP, "Missing invocation parameter block"},
	{"task",
	 {"+" TIP ".run_command_parameters"},
	 TIP ".run_command_parameters",
	 "Too many blocks"},
	{"task", {RCP ".timeout_seconds=n:29"}, RCP ".timeout_seconds", "Value out of range"},
	{"task", {RCP ".timeout_seconds=n:2592001"}, RCP ".timeout_seconds", "Value out of range"},
	{"task",
	 {RCP ".timeout_seconds=n:1800.5"},
	 RCP ".timeout_seconds",
	 "Whole number required"},
	{"task", {RCP ".output_s3_bucket=s:ab"}, RCP ".output_s3_bucket", "Invalid length"},
	{"task", {RCP ".document_hash_type=s:MD5"}, RCP ".document_hash_type", "Invalid value"},
	{"task", {RCP ".document_version=s:latest"}, RCP ".document_version", "Invalid format"},
	{"task", {RCP ".comment=s*101:c"}, RCP ".comment", "Invalid length"},
	{"task", {RCP ".parameter[0].name=s:"}, RCP ".parameter", "Invalid length"},
	{"task", {RCP ".parameter[1].name=null"}, RCP ".parameter", "Missing required argument"},
	{"task",
	 {"+" RCP ".notification_config",
	  RCP ".notification_config[0].notification_events=l:All|Sometimes"},
	 RCP ".notification_config[0].notification_events[1]",
	 "Invalid value"},
	{"task",
	 {"+" RCP ".notification_config", RCP ".notification_config[0].notification_type=s:Email"},
	 RCP ".notification_config[0].notification_type",
	 "Invalid value"},
	{"task",
	 {"+" RCP ".cloudwatch_config", RCP ".cloudwatch_config[0].cloudwatch_log_group_name=s:"},
	 RCP ".cloudwatch_config[0].cloudwatch_log_group_name",
	 "Invalid length"},
	{"task",
	 {"task_type=s:STEP_FUNCTIONS", "-" TIP ".run_command_parameters",
	  "+" TIP ".step_functions_parameters", TIP ".step_functions_parameters[0].name=s*81:n"},
	 TIP ".step_functions_parameters[0].name",
	 "Invalid length"},
	/* provider */
	{"provider", {"region=s:Tokyo"}, "region", "Invalid format"},
	{"provider", {"max_retries=n:101"}, "max_retries", "Value out of range"},
	{"provider", {"max_retries=n:2.5"}, "max_retries", "Whole number required"},
	{"provider",
	 {"assume_role[0].duration=s:10m"},
	 "assume_role[0].duration",
	 "Duration out of range"},
	{"provider",
	 {"assume_role[0].duration=s:13h"},
	 "assume_role[0].duration",
	 "Duration out of range"},
	{"provider",
	 {"assume_role[0].duration=s:1x"},
	 "assume_role[0].duration",
	 "Invalid duration"},
	{"provider",
	 {"assume_role[0].duration=s:h1"},
	 "assume_role[0].duration",
	 "Invalid duration"},
	{"provider",
	 {"assume_role[0].role_arn=null"},
	 "assume_role[0].role_arn",
	 "Missing required argument"},
	{"provider",
	 {"assume_role[0].role_arn=s:patching"},
	 "assume_role[0].role_arn",
	 "Invalid format"},
	{"provider",
	 {"assume_role[0].session_name=s:a"},
	 "assume_role[0].session_name",
	 "Invalid length"},
	{"provider", {"+assume_role"}, "assume_role", "Too many blocks"},
	{"provider",
	 {"endpoints[0].ssm=s:ftp://example.com"},
	 "endpoints[0].ssm",
	 "Invalid format"},
	{"provider", {"endpoints[0].sts=s:localhost:4566"}, "endpoints[0].sts", "Invalid format"},
	{"provider", {"access_key=s:AKIAEXAMPLE"}, "secret_key", "Missing secret_key"},
	{"provider",
	 {"default_tags[0].tags=m:AWS:x=y"},
	 "default_tags[0].tags[\"AWS:x\"]",
	 "Invalid tag key"},
	{"provider", {"shared_config_files=l:a|"}, "shared_config_files[1]", "Invalid length"},
};

static void test_schema_validate__bad_configs(void)
{
	size_t n = sizeof bad_cases / sizeof bad_cases[0];
	CHECK(n >= 30);
	for (size_t i = 0; i < n; i++) {
		const bad_case *c = &bad_cases[i];
		tf_diags d;
		tf_diags_init(&d);
		tf_value *o = build(c->kind, c->ops, sizeof(c->ops) / sizeof(c->ops[0]), &d);
		if (getenv("SCHEMA_TEST_VERBOSE")) /* show every message, for reviewing the wording */
			dump_diags(&d);
		if (!has_error(&d, c->path, c->summary)) {
			fprintf(stderr, "  FAIL case %zu (%s %s): expected \"%s\" at %s, got:\n", i,
				c->kind, c->ops[0], c->summary, c->path);
			dump_diags(&d);
			unit_cur_failed = 1;
		}
		tf_value_free(o);
		tf_diags_free(&d);
	}
}

/* Configurations that look unusual but are valid. */
static const bad_case good_cases[] = {
	{"window", {"schedule=s:cron(0 2 ? * THU#3 *)"}, NULL, NULL},
	{"window", {"schedule=s:cron(0/15 9-17 ? * MON-FRI *)"}, NULL, NULL},
	{"window", {"schedule=s:cron(30 23 L * ? *)"}, NULL, NULL},
	{"window", {"schedule=s:cron(0 0 15W * ? 2026-2030)"}, NULL, NULL},
	{"window", {"schedule=s:cron(0 0 ? JAN,JUL 6L *)", "schedule_offset=n:2"}, NULL, NULL},
	{"window", {"schedule=s:rate(1 day)"}, NULL, NULL},
	{"window", {"schedule=s:rate(30 minutes)"}, NULL, NULL},
	{"window", {"schedule=s:at(2026-12-31T23:59:00)"}, NULL, NULL},
	{"window", {"duration=n:24", "cutoff=n:23"}, NULL, NULL},
	{"window",
	 {"start_date=s:2026-01-01T00:00:00+09:00", "end_date=s:2026-12-31T23:59:59.5Z",
	  "schedule_timezone=s:Asia/Tokyo"},
	 NULL,
	 NULL},
	{"window", {"schedule_timezone=s:America/Argentina/Buenos_Aires"}, NULL, NULL},
	{"window", {"schedule_timezone=s:Etc/GMT+9", "start_date=s:2026-02-28"}, NULL, NULL},
	{"baseline",
	 {"operating_system=s:UBUNTU", "approval_rule[0].approve_after_days=null",
	  "approval_rule[1].approve_after_days=null"},
	 NULL,
	 NULL},
	{"baseline",
	 {"approval_rule[0].approve_after_days=null",
	  "approval_rule[0].approve_until_date=s:2028-02-29",
	  "approval_rule[1].approve_after_days=n:360"},
	 NULL,
	 NULL},
	{"baseline", {"operating_system=null"}, NULL, NULL}, /* WINDOWS: days needed, and present */
	{"baseline",
	 {"operating_system=s:AMAZON_LINUX_2023"},
	 NULL,
	 NULL}, /* newer than the packaged model */
	{"baseline", {"description=s:日本語の説明", "name=s:a.b_c-1"}, NULL, NULL},
	{"target",
	 {"resource_type=s:RESOURCE_GROUP", "targets[0].key=s:resource-groups:Name",
	  "targets[0].values=l:patch-group"},
	 NULL,
	 NULL},
	{"target", {"targets[0].key=s:tag-key", "targets[0].values=l*50:k"}, NULL, NULL},
	{"task",
	 {"-targets", "max_concurrency=null", "max_errors=null", "task_type=s:LAMBDA",
	  "task_arn=s:arn:aws:lambda:ap-northeast-1:123456789012:function:f",
	  "-" TIP ".run_command_parameters", "+" TIP ".lambda_parameters"},
	 NULL,
	 NULL},
	{"task", {"max_errors=s:0", "max_concurrency=s:100%", "priority=n:0"}, NULL, NULL},
	{"task",
	 {"max_errors=null", "max_concurrency=null"},
	 NULL,
	 NULL}, /* O+C: prior or API value */
	{"task",
	 {"task_type=s:LAMBDA", "task_arn=s:arn:aws:lambda:ap-northeast-1:123456789012:function:f",
	  "-" TIP ".run_command_parameters", "+" TIP ".lambda_parameters"},
	 NULL,
	 NULL},
	{"task",
	 {RCP ".timeout_seconds=n:30", RCP ".document_version=s:$LATEST",
	  RCP ".service_role_arn=s:arn:aws:iam::123456789012:role/sns"},
	 NULL,
	 NULL},
	{"provider",
	 {"assume_role[0].duration=s:1h30m", "endpoints[0].sts=s:https://sts.example.com/"},
	 NULL,
	 NULL},
	{"provider",
	 {"assume_role[0].duration=s:15m", "access_key=s:AKIA", "secret_key=s:x", "token=s:t"},
	 NULL,
	 NULL},
	{"provider", {"assume_role[0].duration=s:12h", "region=s:us-gov-west-1"}, NULL, NULL},
	{"provider", {"-assume_role", "-endpoints", "-default_tags", "region=null"}, NULL, NULL},
};

static void test_schema_validate__good_variants(void)
{
	for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
		const bad_case *c = &good_cases[i];
		tf_diags d;
		tf_diags_init(&d);
		tf_value *o = build(c->kind, c->ops, sizeof(c->ops) / sizeof(c->ops[0]), &d);
		if (d.n) {
			fprintf(stderr, "  FAIL good case %zu (%s %s):\n", i, c->kind, c->ops[0]);
			dump_diags(&d);
			unit_cur_failed = 1;
		}
		tf_value_free(o);
		tf_diags_free(&d);
	}
}

/* Values known only after apply are never rejected, even where the known
 * neighbours would make a rule fire. */
static const bad_case unknown_cases[] = {
	{"baseline",
	 {"operating_system=unknown", "approval_rule[0].approve_after_days=null"},
	 NULL,
	 NULL},
	{"baseline", {"name=unknown", "approval_rule[0].approve_after_days=unknown"}, NULL, NULL},
	{"baseline", {"approval_rule=unknown"}, NULL, NULL},
	{"baseline", {"patch_groups=S:?|?", "approved_patches=unknown"}, NULL, NULL},
	{"baseline", {"approval_rule[0].patch_filter[0].values=l:?"}, NULL, NULL},
	{"window", {"schedule=unknown", "schedule_offset=n:3"}, NULL, NULL},
	{"window", {"duration=unknown", "cutoff=n:5"}, NULL, NULL},
	{"window", {"start_date=unknown", "end_date=s:2020-01-01T00:00:00Z"}, NULL, NULL},
	{"target", {"window_id=unknown", "targets[0].values=l:?|SCAN"}, NULL, NULL},
	{"target", {"resource_type=unknown", "targets[0].key=unknown"}, NULL, NULL},
	{"target", {"targets=unknown"}, NULL, NULL},
	{"task", {"window_id=unknown", "targets[0].values=l:?"}, NULL, NULL},
	{"task", {"task_type=unknown", "task_arn=unknown"}, NULL, NULL},
	{"task", {"targets=unknown", "max_concurrency=unknown"}, NULL, NULL},
	{"task",
	 {"-targets", "task_type=unknown", "max_concurrency=unknown", "max_errors=null"},
	 NULL,
	 NULL},
	{"task", {"task_invocation_parameters=unknown", "task_type=s:LAMBDA"}, NULL, NULL},
	{"task", {TIP ".lambda_parameters=unknown"}, NULL, NULL},
	{"task", {RCP ".timeout_seconds=unknown", RCP ".parameter[0].values=unknown"}, NULL, NULL},
	{"provider",
	 {"assume_role[0].role_arn=unknown", "assume_role[0].duration=unknown"},
	 NULL,
	 NULL},
};

static void test_schema_validate__unknowns_pass(void)
{
	for (size_t i = 0; i < sizeof unknown_cases / sizeof unknown_cases[0]; i++) {
		const bad_case *c = &unknown_cases[i];
		tf_diags d;
		tf_diags_init(&d);
		tf_value *o = build(c->kind, c->ops, sizeof(c->ops) / sizeof(c->ops[0]), &d);
		if (d.n) {
			fprintf(stderr, "  FAIL unknown case %zu (%s %s):\n", i, c->kind,
				c->ops[0]);
			dump_diags(&d);
			unit_cur_failed = 1;
		}
		tf_value_free(o);
		tf_diags_free(&d);
	}
	/* a wholly unknown or null configuration is skipped */
	tf_diags d;
	tf_diags_init(&d);
	tf_value *u = tf_value_unknown(schema_block_type(schema_window_task.block));
	schema_validate(schema_window_task.block, u, &d);
	schema_validate(schema_window_task.block, NULL, &d);
	CHECK(d.n == 0);
	tf_value_free(u);
	tf_diags_free(&d);
}

static void test_schema_validate__diag_details(void)
{
	/* The detail says what is allowed. */
	const char *ops[] = {"operating_system=s:AMAZON_LINUX_3"};
	tf_diags d;
	tf_diags_init(&d);
	tf_value *o = build("baseline", ops, 1, &d);
	CHECK(d.n == 1);
	if (d.n == 1) {
		CHECK(strstr(d.items[0].detail, "AMAZON_LINUX_2") != NULL);
		CHECK(strstr(d.items[0].detail, "WINDOWS") != NULL);
		CHECK(strstr(d.items[0].detail, "\"AMAZON_LINUX_3\"") != NULL);
	}
	tf_value_free(o);
	tf_diags_free(&d);

	/* A sensitive value's rules never need the value in the message... lengths say counts only. */
	const char *ops2[] = {"+source", "source[0].name=s:repo",
			      "source[0].products=l:AmazonLinux2",
			      "source[0].configuration=s*1025:S"};
	tf_diags_init(&d);
	o = build("baseline", ops2, 4, &d);
	CHECK(has_error(&d, "source[0].configuration", "Invalid length"));
	for (size_t i = 0; i < d.n; i++)
		CHECK(strstr(d.items[i].detail, "SSSS") == NULL);
	tf_value_free(o);
	tf_diags_free(&d);

	/* Length counts characters, not bytes: 128 three-byte characters is a valid description. */
	char desc[3 * 129 + 32] = "description=s:";
	size_t at = strlen(desc);
	for (int i = 0; i < 128; i++, at += 3)
		memcpy(desc + at, "\xe3\x81\x82", 3); /* U+3042, three bytes */
	desc[at] = '\0';
	const char *ops3[] = {desc};
	tf_diags_init(&d);
	o = build("window", ops3, 1, &d);
	CHECK(d.n == 0);
	tf_value_free(o);
	tf_diags_free(&d);
}

static void test_schema_plan__defaults(void)
{
	const schema_block *b = schema_patch_baseline.block;
	tf_value *config = seed_baseline(false);
	set(config, "operating_system", "null");
	set(tf_value_index(tf_value_attr(config, "approval_rule"), 1), "compliance_level", "null");
	tf_value *planned = tf_value_clone(config);

	CHECK(schema_fill_defaults(b, planned, config) == 0);
	CHECK_STR(tf_value_attr_str(planned, "operating_system"), "WINDOWS");
	CHECK_STR(tf_value_attr_str(planned, "approved_patches_compliance_level"), "UNSPECIFIED");
	CHECK(tf_value_is_known(tf_value_attr(planned, "default_baseline")) &&
	      !tf_value_bool_or(tf_value_attr(planned, "default_baseline"), true));
	const tf_value *rules = tf_value_attr(planned, "approval_rule");
	CHECK_STR(tf_value_attr_str(tf_value_index(rules, 0), "compliance_level"), "CRITICAL");
	CHECK_STR(tf_value_attr_str(tf_value_index(rules, 1), "compliance_level"), "UNSPECIFIED");
	/* no default: stays null; and an attribute without a default is never invented */
	CHECK(tf_value_is_null(tf_value_attr(planned, "description")));
	CHECK(tf_value_is_null(tf_value_attr(planned, "rejected_patches_action")));

	/* computed unknowns on create: computed attributes null in config and plan */
	CHECK(schema_mark_computed_unknown(b, planned, config) == 0);
	CHECK(tf_value_is_unknown(tf_value_attr(planned, "id")));
	CHECK(tf_value_is_unknown(tf_value_attr(planned, "arn")));
	CHECK(tf_value_is_unknown(tf_value_attr(planned, "tags_all")));
	CHECK(tf_value_is_unknown(tf_value_attr(planned, "rejected_patches_action")));
	CHECK_STR(tf_value_attr_str(planned, "operating_system"), "WINDOWS"); /* already planned */
	CHECK(tf_value_is_null(tf_value_attr(planned, "description"))); /* not computed */
	tf_diags d;
	tf_diags_init(&d);
	CHECK(schema_conforms(b, planned, &d));
	CHECK(d.n == 0);
	tf_diags_free(&d);
	tf_value_free(planned);
	tf_value_free(config);

	/* window: enabled true, allow_unassociated_targets keeps the configured true */
	config = seed_window();
	planned = tf_value_clone(config);
	CHECK(schema_fill_defaults(schema_maintenance_window.block, planned, config) == 0);
	CHECK(tf_value_bool_or(tf_value_attr(planned, "enabled"), false) == true);
	CHECK(tf_value_bool_or(tf_value_attr(planned, "allow_unassociated_targets"), false) ==
	      true);
	CHECK(tf_value_is_null(tf_value_attr(planned, "schedule_offset")));
	tf_value_free(planned);
	tf_value_free(config);

	/* an unknown in config is not overwritten by the default */
	config = seed_window();
	set(config, "enabled", "unknown");
	planned = tf_value_clone(config);
	CHECK(schema_fill_defaults(schema_maintenance_window.block, planned, config) == 0);
	CHECK(tf_value_is_unknown(tf_value_attr(planned, "enabled")));
	tf_value_free(planned);
	tf_value_free(config);
}

static void expect_replace(const char *kname, const char *attr, const char *new_spec,
			   const char *want)
{
	const seed_kind *k = kind(kname);
	tf_value *prior = k->seed(), *planned = k->seed();
	tf_path *paths = NULL;
	size_t n = 0;
	set(planned, attr, new_spec);
	int rc = schema_requires_replace(k->block, prior, planned, &paths, &n);
	CHECK(rc == (want ? 1 : 0));
	CHECK(n == (want ? 1u : 0u));
	if (want && n == 1) {
		char *s = tf_path_string(&paths[0]);
		CHECK_STR(s, want);
		free(s);
	}
	for (size_t i = 0; i < n; i++)
		tf_path_free(&paths[i]);
	free(paths);
	tf_value_free(prior);
	tf_value_free(planned);
}

static void test_schema_plan__requires_replace(void)
{
	expect_replace("baseline", "operating_system", "s:WINDOWS", "operating_system");
	expect_replace("baseline", "operating_system", "unknown", "operating_system");
	expect_replace("baseline", "name", "s:Other-Baseline", NULL);
	expect_replace("target", "window_id", "s:mw-0123456789abcdef1", "window_id");
	expect_replace("target", "resource_type", "s:RESOURCE_GROUP", "resource_type");
	expect_replace("target", "description", "s:changed", NULL);
	expect_replace("task", "window_id", "s:mw-0123456789abcdef1", "window_id");
	expect_replace("task", "task_type", "s:AUTOMATION", "task_type");
	expect_replace("task", "task_arn", "s:AWS-RunShellScript", NULL);
	expect_replace("window", "schedule", "s:rate(1 day)", NULL);

	/* create (prior null): nothing */
	tf_value *planned = seed_task(false);
	tf_value *prior = tf_value_null(schema_block_type(schema_window_task.block));
	tf_path *paths = NULL;
	size_t n = 0;
	CHECK(schema_requires_replace(schema_window_task.block, prior, planned, &paths, &n) == 0);
	CHECK(schema_requires_replace(schema_window_task.block, NULL, planned, &paths, &n) == 0);
	CHECK(n == 0 && paths == NULL);
	tf_value_free(prior);

	/* two changes: both listed, appended after existing entries */
	prior = seed_task(false);
	set(planned, "task_type", "s:AUTOMATION");
	set(planned, "window_id", "s:mw-0123456789abcdef1");
	CHECK(schema_requires_replace(schema_window_task.block, prior, planned, &paths, &n) == 2);
	CHECK(schema_requires_replace(schema_window_task.block, prior, planned, &paths, &n) == 4);
	CHECK(n == 4);
	for (size_t i = 0; i < n; i++)
		tf_path_free(&paths[i]);
	free(paths);
	tf_value_free(prior);
	tf_value_free(planned);
}

static void test_schema_conforms__shapes(void)
{
	tf_diags d;
	const schema_block *b = schema_window_task.block;

	/* a fresh object conforms; so does a null of the block type */
	tf_diags_init(&d);
	tf_value *o = schema_new_object(b);
	CHECK(o && schema_conforms(b, o, &d));
	CHECK(tf_value_len(tf_value_attr(o, "targets")) == 0 &&
	      tf_value_is_known(tf_value_attr(o, "targets")));
	tf_value *nul = tf_value_null(schema_block_type(b));
	CHECK(schema_conforms(b, nul, &d));
	CHECK(d.n == 0);
	tf_value_free(nul);

	/* a null block list does not */
	set(o, "targets", "null");
	CHECK(!schema_conforms(b, o, &d));
	CHECK(has_error(&d, "targets", "Block list not known"));
	tf_value_free(o);
	tf_diags_free(&d);

	/* nor an unknown element of a block list, deep inside */
	tf_diags_init(&d);
	o = seed_task(false);
	tf_value *rcl =
		tf_value_attr(tf_value_index(tf_value_attr(o, "task_invocation_parameters"), 0),
			      "run_command_parameters");
	tf_value_free(rcl->u.coll.items[0]);
	rcl->u.coll.items[0] = tf_value_unknown(rcl->type->elem);
	CHECK(!schema_conforms(b, o, &d));
	CHECK(has_error(&d, TIP ".run_command_parameters[0]", "Block object not known"));
	tf_value_free(o);
	tf_diags_free(&d);

	/* an object of another resource's type does not */
	tf_diags_init(&d);
	o = seed_window();
	CHECK(!schema_conforms(b, o, &d));
	CHECK(d.n > 0);
	tf_value_free(o);
	tf_diags_free(&d);

	/* a wrongly typed attribute does not (string where the schema says number) */
	tf_diags_init(&d);
	o = seed_window();
	const tf_type *t = o->type;
	int k = tf_type_attr_index(t, "duration");
	tf_value_free(o->u.coll.items[k]);
	o->u.coll.items[k] = tf_value_string("1");
	CHECK(!schema_conforms(schema_maintenance_window.block, o, &d));
	CHECK(has_error(&d, "duration", "Wrong attribute type"));
	tf_value_free(o);
	tf_diags_free(&d);

	/* unknown attribute values are fine in a plan */
	tf_diags_init(&d);
	o = seed_window();
	set(o, "id", "unknown");
	CHECK(schema_conforms(schema_maintenance_window.block, o, &d));
	tf_value_free(o);
	tf_diags_free(&d);
}

static void test_schema_types__implied(void)
{
	const tf_type *t = schema_block_type(schema_window_task.block);
	CHECK(t && t == schema_block_type(schema_window_task.block)); /* cached */
	char *json = tf_type_to_json(t);
	CHECK(json != NULL);
	if (json) {
		CHECK(strstr(json,
			     "\"targets\":[\"list\",[\"object\",{\"key\":\"string\",\"values\":[\"list\",\"string\"]}]]") !=
		      NULL);
		CHECK(strstr(json,
			     "\"parameter\":[\"set\",[\"object\",{\"name\":\"string\",\"values\":[\"list\",\"string\"]}]]") !=
		      NULL);
		CHECK(strstr(json, "\"priority\":\"number\"") != NULL);
		free(json);
	}
	json = tf_type_to_json(schema_block_type(schema_patch_baseline.block));
	CHECK(json && strstr(json, "\"patch_groups\":[\"set\",\"string\"]") &&
	      strstr(json, "\"tags\":[\"map\",\"string\"]"));
	free(json);
	CHECK(schema_find_attr(schema_window_task.block, "task_type") != NULL);
	CHECK(schema_find_attr(schema_window_task.block, "targets") == NULL);
	CHECK(schema_find_block(schema_window_task.block, "targets") != NULL);
	CHECK(schema_attr_tf_type(SCHEMA_T_SET_STRING) == tf_type_set(&tf_type_string));
}

static void *type_worker(void *arg)
{
	const tf_type **out = arg;
	out[0] = schema_block_type(schema_patch_baseline.block);
	out[1] = schema_block_type(&schema_provider_block);
	tf_diags d;
	tf_diags_init(&d);
	tf_value *o = seed_task(true);
	schema_validate(schema_window_task.block, o, &d);
	out[2] = d.n == 0 ? out[0] : NULL;
	tf_value_free(o);
	tf_diags_free(&d);
	return NULL;
}

static void test_schema_types__threads(void)
{
	pthread_t th[4];
	const tf_type *res[4][3];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, type_worker, res[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++) {
		CHECK(res[i][0] == res[0][0] && res[i][0] != NULL);
		CHECK(res[i][1] == res[0][1] && res[i][1] != NULL);
		CHECK(res[i][2] == res[i][0]);
	}
}

/* Table rules: defaults only on optional+computed, every pattern compiles, every
 * attribute and block has a one-sentence description, names unique. */
static void check_block_rules(const schema_block *b, const char *where)
{
	CHECK(b->description && *b->description);
	for (size_t i = 0; i < b->n_attrs; i++) {
		const schema_attr *a = &b->attrs[i];
		unsigned f = a->flags;
		size_t dl = a->description ? strlen(a->description) : 0;
		if (!(dl > 10 && a->description[dl - 1] == '.')) {
			fprintf(stderr, "  %s.%s: description missing or not a sentence\n", where,
				a->name);
			unit_cur_failed = 1;
		}
		if (a->dflt && (f & (SCHEMA_OPTIONAL | SCHEMA_COMPUTED)) !=
				       (SCHEMA_OPTIONAL | SCHEMA_COMPUTED)) {
			fprintf(stderr, "  %s.%s: a default needs optional+computed\n", where,
				a->name);
			unit_cur_failed = 1;
		}
		/* exactly one of required / optional / computed-only */
		CHECK(!((f & SCHEMA_REQUIRED) && (f & (SCHEMA_OPTIONAL | SCHEMA_COMPUTED))));
		CHECK(f & (SCHEMA_REQUIRED | SCHEMA_OPTIONAL | SCHEMA_COMPUTED));
		CHECK(!(f & SCHEMA_INTEGER) || a->type == SCHEMA_T_NUMBER);
		if (a->pattern) {
			regex_t re;
			int rc = regcomp(&re, a->pattern, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				fprintf(stderr, "  %s.%s: pattern %s does not compile\n", where,
					a->name, a->pattern);
				unit_cur_failed = 1;
			} else {
				regfree(&re);
			}
			CHECK(a->pattern[0] == '^' && a->pattern[strlen(a->pattern) - 1] == '$');
		}
		for (size_t j = 0; j < b->n_blocks; j++)
			CHECK(strcmp(a->name, b->blocks[j].name) != 0);
		for (size_t j = i + 1; j < b->n_attrs; j++)
			CHECK(strcmp(a->name, b->attrs[j].name) != 0);
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		const schema_nested *nb = &b->blocks[i];
		char w[128];
		snprintf(w, sizeof w, "%s.%s", where, nb->name);
		CHECK(nb->nesting == SCHEMA_NEST_LIST || nb->nesting == SCHEMA_NEST_SET);
		check_block_rules(nb->block, w);
	}
}

static void test_schema_tables__rules(void)
{
	check_block_rules(&schema_provider_block, "provider");
	check_block_rules(schema_patch_baseline.block, schema_patch_baseline.type_name);
	check_block_rules(schema_maintenance_window.block, schema_maintenance_window.type_name);
	check_block_rules(schema_window_target.block, schema_window_target.type_name);
	check_block_rules(schema_window_task.block, schema_window_task.type_name);

	/* id is computed only; force-new where the contract says */
	const schema_attr *a = schema_find_attr(schema_window_task.block, "id");
	CHECK(a && a->flags == SCHEMA_COMPUTED);
	CHECK(schema_find_attr(schema_patch_baseline.block, "operating_system")->flags &
	      SCHEMA_FORCE_NEW);
	CHECK(schema_find_attr(schema_window_target.block, "resource_type")->flags &
	      SCHEMA_FORCE_NEW);
	CHECK(schema_find_attr(schema_window_task.block, "task_type")->flags & SCHEMA_FORCE_NEW);
	CHECK(!(schema_find_attr(schema_window_task.block, "task_arn")->flags & SCHEMA_FORCE_NEW));
	CHECK(schema_find_attr(&schema_provider_block, "secret_key")->flags & SCHEMA_SENSITIVE);
	a = schema_find_attr(&schema_provider_block, "max_retries");
	CHECK(a && a->flags == (SCHEMA_OPTIONAL | SCHEMA_INTEGER) && !a->dflt);
	const schema_nested *nb =
		schema_find_block(schema_window_task.block, "task_invocation_parameters");
	CHECK(nb && nb->nesting == SCHEMA_NEST_LIST && nb->max_items == 1);
	nb = schema_find_block(schema_find_block(nb->block, "run_command_parameters")->block,
			       "parameter");
	CHECK(nb && nb->nesting == SCHEMA_NEST_SET);

	/* the enums are the model's */
	a = schema_find_attr(schema_patch_baseline.block, "operating_system");
	CHECK(a->enum_values == ssm_enum_operating_system);
	bool al2 = false;
	for (size_t i = 0; ssm_enum_operating_system[i]; i++)
		al2 |= strcmp(ssm_enum_operating_system[i], "AMAZON_LINUX_2") == 0;
	CHECK(al2);
	CHECK_STR(ssm_enum_task_type[0], "RUN_COMMAND");
}

static void test_schema_checks__parsers(void)
{
	char why[SCHEMA_WHY_MAX];
	bool is_cron;

	CHECK(schema_parse_schedule("cron(00 17 * * ? *)", &is_cron, why) == 0 && is_cron);
	CHECK(schema_parse_schedule("cron(0 9 ? * 2-6 *)", &is_cron, why) == 0);
	CHECK(schema_parse_schedule("cron(0 9 ? * 8 *)", &is_cron, why) < 0 && is_cron);
	CHECK(schema_parse_schedule("cron(0 9 * * ? 1969)", &is_cron, why) < 0);
	CHECK(schema_parse_schedule("cron(0 9 * * ? * *)", &is_cron, why) < 0);
	CHECK(schema_parse_schedule("cron(0,15,,30 9 * * ? *)", &is_cron, why) < 0);
	CHECK(schema_parse_schedule("cron(0/0 9 * * ? *)", &is_cron, why) < 0);
	CHECK(schema_parse_schedule("rate(1 minute)", &is_cron, why) == 0 && !is_cron);
	CHECK(schema_parse_schedule("rate(01 minutes)", &is_cron, why) < 0); /* 01 is 1: singular */
	CHECK(schema_parse_schedule("rate(1234567890 days)", &is_cron, why) < 0);
	CHECK(schema_parse_schedule("at(2028-02-29T00:00:00)", &is_cron, why) == 0);
	CHECK(schema_parse_schedule("at(2027-02-29T00:00:00)", &is_cron, why) < 0);
	CHECK(schema_parse_schedule("at(2027-02-28T00:00)", &is_cron, why) < 0);
	CHECK(schema_parse_schedule("at(2027-02-28T00:00:00Z)", &is_cron, why) < 0);
	CHECK(schema_parse_schedule("at(2027-02-28 00:00:00)", &is_cron, why) < 0);
}

int main(void)
{
	RUN(test_schema_seed__valid);
	RUN(test_schema_validate__bad_configs);
	RUN(test_schema_validate__good_variants);
	RUN(test_schema_validate__unknowns_pass);
	RUN(test_schema_validate__diag_details);
	RUN(test_schema_plan__defaults);
	RUN(test_schema_plan__requires_replace);
	RUN(test_schema_conforms__shapes);
	RUN(test_schema_types__implied);
	RUN(test_schema_types__threads);
	RUN(test_schema_tables__rules);
	RUN(test_schema_checks__parsers);
	return unit_summary();
}
