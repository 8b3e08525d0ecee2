/*
 * test_data_sources.c - the data source skeleton without a network: RFC 3339
 * times, patch state spellings, the bounded pool (every item once, at most
 * DS_PARALLEL_MAX at a time, no new item after a failure, diagnostics in item
 * order), and the schema tables (the patch baseline data source has every
 * attribute of the resource with the same type; result attributes are
 * computed list(object) attributes that validation refuses in a config).
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/schema.h"
#include "datasources/datasource.h"
#include "engine/engine.h"
#include "schema/schema_tables.h"
#include "unit.h"

static void test_ds__rfc3339(void)
{
	char b[32];
	tf_value *v;
	json_t *j;

	ds_rfc3339(0, b);
	CHECK_STR(b, "1970-01-01T00:00:00Z");
	ds_rfc3339(1717261200.0, b);
	CHECK_STR(b, "2024-06-01T17:00:00Z");
	ds_rfc3339(1717261200.25, b);
	CHECK_STR(b, "2024-06-01T17:00:00.250Z");
	ds_rfc3339(1717261200.9996, b); /* rounds up into the next second */
	CHECK_STR(b, "2024-06-01T17:00:01Z");
	/* what SSM writes in schedules, and what it sends as timestamps */
	j = json_string("2024-06-01T17:00Z");
	v = ds_time(j);
	CHECK_STR(tf_value_str(v), "2024-06-01T17:00:00Z");
	tf_value_free(v);
	json_decref(j);
	j = json_string("2024-06-02T02:00:00+09:00");
	v = ds_time(j);
	CHECK_STR(tf_value_str(v), "2024-06-01T17:00:00Z");
	tf_value_free(v);
	json_decref(j);
	j = json_string("not a time"); /* kept as it is */
	v = ds_time(j);
	CHECK_STR(tf_value_str(v), "not a time");
	tf_value_free(v);
	json_decref(j);
	j = json_real(1717261200.5);
	v = ds_time(j);
	CHECK_STR(tf_value_str(v), "2024-06-01T17:00:00.500Z");
	tf_value_free(v);
	json_decref(j);
	v = ds_time(NULL);
	CHECK(tf_value_is_null(v) && v->type == &tf_type_string);
	tf_value_free(v);
}

static void test_ds__enum_spellings(void)
{
	CHECK(ds_enum_eq("INSTALLED_PENDING_REBOOT", "InstalledPendingReboot"));
	CHECK(ds_enum_eq("MISSING", "Missing") && ds_enum_eq("missing", "MISSING"));
	CHECK(ds_enum_eq("FAILED", "Failed"));
	CHECK(!ds_enum_eq("INSTALLED", "InstalledOther"));
	CHECK(!ds_enum_eq("MISSING", "MISSINGX") && !ds_enum_eq("MISSING", NULL));
}

/* ---------------------------------------------------------------- the pool */

typedef struct {
	pthread_mutex_t lock;
	int in_flight, most;
	int seen[1000];
	int fail_at; /* -1: none */
} pool_probe;

static int probe_item(void *ctx, size_t i, tf_diags *d)
{
	pool_probe *pr = ctx;

	pthread_mutex_lock(&pr->lock);
	pr->seen[i]++;
	if (++pr->in_flight > pr->most)
		pr->most = pr->in_flight;
	pthread_mutex_unlock(&pr->lock);
	usleep(2000); /* long enough for the others to start: the overlap is counted */
	pthread_mutex_lock(&pr->lock);
	pr->in_flight--;
	pthread_mutex_unlock(&pr->lock);
	tf_diags_warn(d, NULL, "item", "%zu", i);
	if ((int)i == pr->fail_at) {
		tf_diags_error(d, NULL, "failed", "%zu", i);
		return AWS_ERR_SERVER;
	}
	return 0;
}

static void test_ds__parallel_every_item_once_bounded(void)
{
	pool_probe pr = {.lock = PTHREAD_MUTEX_INITIALIZER, .fail_at = -1};
	tf_diags d;

	tf_diags_init(&d);
	CHECK(ds_parallel(64, probe_item, &pr, &d) == 0);
	for (size_t i = 0; i < 64; i++)
		CHECK(pr.seen[i] == 1);
	CHECK(pr.most >= 1 && pr.most <= DS_PARALLEL_MAX);
	CHECK(d.n == 64);
	for (size_t i = 0; i < d.n; i++) { /* in item order, whatever order they ran in */
		char want[24];

		snprintf(want, sizeof(want), "%zu", i);
		CHECK_STR(d.items[i].detail, want);
	}
	tf_diags_free(&d);
	tf_diags_init(&d);
	CHECK(ds_parallel(0, probe_item, &pr, &d) == 0 && d.n == 0);
	tf_diags_free(&d);
}

static void test_ds__parallel_stops_after_a_failure(void)
{
	pool_probe pr = {.lock = PTHREAD_MUTEX_INITIALIZER, .fail_at = 3};
	size_t started = 0;
	tf_diags d;

	tf_diags_init(&d);
	CHECK(ds_parallel(1000, probe_item, &pr, &d) == AWS_ERR_SERVER);
	CHECK(tf_diags_has_error(&d));
	for (size_t i = 0; i < 1000; i++)
		started += (size_t)pr.seen[i];
	/* the items taken before the failure ran; no further one started (running
	 * them all would take the failing item's thread 200 ms stalled) */
	CHECK(pr.seen[3] == 1 && started < 1000);
	tf_diags_free(&d);
}

/* ---------------------------------------------------------------- the tables */

static void test_ds__baseline_has_every_resource_attribute(void)
{
	const schema_block *res = schema_patch_baseline.block;
	const schema_block *ds = schema_data_patch_baseline.block;

	for (size_t i = 0; i < res->n_attrs; i++) {
		const schema_attr *r = &res->attrs[i], *a = schema_find_attr(ds, r->name);

		CHECK(a != NULL);
		if (a) {
			CHECK(schema_attr_type_of(a) == schema_attr_type_of(r));
			CHECK(a->flags & SCHEMA_COMPUTED);
		}
	}
	for (size_t i = 0; i < res->n_blocks; i++) {
		const schema_nested *nb = &res->blocks[i];
		const schema_attr *a = schema_find_attr(ds, nb->name);

		CHECK(a && a->type == SCHEMA_T_LIST_OBJECT && a->elem == nb->block);
		CHECK(a && schema_attr_type_of(a) == tf_type_list(schema_block_type(nb->block)));
	}
}

static void test_ds__results_are_computed_list_objects(void)
{
	tf_value *cfg;
	tf_diags d;

	for (size_t i = 0; i < engine_data_source_count(); i++) {
		const schema_block *b = engine_data_source_at(i)->block;

		for (size_t k = 0; k < b->n_attrs; k++) {
			if (b->attrs[k].type != SCHEMA_T_LIST_OBJECT)
				continue;
			CHECK(b->attrs[k].elem != NULL);
			CHECK((b->attrs[k].flags & (SCHEMA_COMPUTED | SCHEMA_OPTIONAL |
						    SCHEMA_REQUIRED)) == SCHEMA_COMPUTED);
		}
		CHECK(b->n_blocks == 0);
	}
	/* a result set in the configuration is refused at its path */
	cfg = schema_new_object(schema_data_window_executions.block);
	tf_value_set_attr(cfg, "window_id", tf_value_string("mw-0123456789abcdef0"));
	tf_value_set_attr(cfg, "executions",
			  tf_value_empty(schema_attr_type_of(schema_find_attr(
				  schema_data_window_executions.block, "executions"))));
	tf_diags_init(&d);
	schema_validate(schema_data_window_executions.block, cfg, &d);
	CHECK(d.n == 1 && d.items[0].has_path && d.items[0].path.n == 1);
	if (d.n == 1)
		CHECK_STR(d.items[0].summary, "Value for unconfigurable attribute");
	tf_diags_free(&d);
	tf_value_free(cfg);
}

int main(void)
{
	RUN(test_ds__rfc3339);
	RUN(test_ds__enum_spellings);
	RUN(test_ds__parallel_every_item_once_bounded);
	RUN(test_ds__parallel_stops_after_a_failure);
	RUN(test_ds__baseline_has_every_resource_attribute);
	RUN(test_ds__results_are_computed_list_objects);
	return unit_summary();
}
