/*
 * datasource.c - the data source skeleton (datasource.h): the read entry
 * point, the bounded thread pool for fan-out calls, paging, RFC 3339 times and
 * rows of results.
 *
 * The pool is hand-written on pthreads (no Debian C library offers a small
 * bounded "run these N jobs" that fits better): the caller's thread and up to
 * DS_PARALLEL_MAX - 1 more take item indices from one atomic counter, so the
 * order of completion does not matter and the diagnostics are merged in index
 * order afterwards, the same on every run. Stop (aws_cancel_all) makes the
 * calls in flight return AWS_ERR_CANCELLED; no further item starts then.
 */
#include "datasource.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/iso8601.h"
#include "../core/log.h"
#include "../resources/common.h"

#define MOD "provider.datasource"

int data_source_read(const ds_def *def, provider_ctx *p, const tf_value *config, tf_value **out,
		     tf_diags *d)
{
	const schema_block *b = def->schema->block;
	provider_ctx scoped;
	tf_value *st = NULL;
	int rc;

	*out = NULL;
	if (tf_value_has_unknown(config)) {
		tf_diags_error(d, NULL, "Configuration not known yet",
			       "%s was asked to read with unknown values in its configuration; "
			       "Terraform defers such reads until the values are known. This is a "
			       "bug in the calling program.",
			       def->schema->type_name);
		return AWS_ERR_VALIDATION;
	}
	if (!(st = tf_value_clone(config)) || schema_fill_defaults(b, st, config) < 0) {
		tf_value_free(st);
		res_diag_internal(d, def->schema->type_name, NULL);
		return AWS_ERR_OTHER;
	}
	/* Read in the configured region (the provider's when unset), and say
	 * which in the state. */
	if ((rc = res_scope(b, p, st, &scoped, d)) != 0) {
		tf_value_free(st);
		return rc;
	}
	if (schema_find_attr(b, "region") && tf_value_is_null(tf_value_attr(st, "region")) &&
	    res_set_str(st, "region", aws_client_region(scoped.aws)) < 0) {
		tf_value_free(st);
		res_diag_internal(d, def->schema->type_name, NULL);
		return AWS_ERR_OTHER;
	}
	rc = def->read(&scoped, st, d);
	if (rc != 0 || tf_diags_has_error(d)) {
		tf_value_free(st);
		return rc ? rc : AWS_ERR_OTHER;
	}
	*out = st;
	return 0;
}

/* ---------------------------------------------------------------- the pool */

typedef struct {
	size_t n;
	ds_item_fn fn;
	void *ctx;
	atomic_size_t next;
	atomic_bool stop;
	int *rc; /* per item */
	tf_diags *diags; /* per item */
} pool;

static void *pool_work(void *arg)
{
	pool *pl = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&pl->next, 1);

		if (i >= pl->n || atomic_load(&pl->stop))
			break;
		pl->rc[i] = pl->fn(pl->ctx, i, &pl->diags[i]);
		if (pl->rc[i] != 0)
			atomic_store(&pl->stop, true);
	}
	return NULL;
}

int ds_parallel(size_t n, ds_item_fn fn, void *ctx, tf_diags *d)
{
	pthread_t th[DS_PARALLEL_MAX - 1];
	size_t started = 0, want = n < DS_PARALLEL_MAX ? n : DS_PARALLEL_MAX;
	pool pl = {.n = n, .fn = fn, .ctx = ctx};
	int rc = 0;

	if (n == 0)
		return 0;
	atomic_init(&pl.next, 0);
	atomic_init(&pl.stop, false);
	pl.rc = calloc(n, sizeof(*pl.rc));
	pl.diags = calloc(n, sizeof(*pl.diags));
	if (!pl.rc || !pl.diags) {
		free(pl.rc);
		free(pl.diags);
		res_diag_internal(d, "parallel reads", NULL);
		return AWS_ERR_OTHER;
	}
	for (size_t i = 0; i < n; i++)
		tf_diags_init(&pl.diags[i]);
	/* Fewer threads than asked for (a thread limit) only means less overlap. */
	while (started + 1 < want && pthread_create(&th[started], NULL, pool_work, &pl) == 0)
		started++;
	pool_work(&pl);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && pl.rc[i] != 0)
			rc = pl.rc[i];
		tf_diags_move(d, &pl.diags[i]);
		tf_diags_free(&pl.diags[i]);
	}
	LOG_D(MOD, "%zu calls on %zu threads", n, started + 1);
	free(pl.rc);
	free(pl.diags);
	return rc;
}

/* ---------------------------------------------------------------- paging */

int ds_pages(provider_ctx *p, const char *op, json_t *req, const char *member, size_t page_size,
	     size_t max_items, json_t **out, const char *at, tf_diags *d)
{
	aws_error err;
	int rc;

	*out = NULL;
	if (!req || (page_size &&
		     json_object_set_new(req, "MaxResults", json_integer((json_int_t)page_size)))) {
		json_decref(req);
		res_diag_internal(d, op, NULL);
		return AWS_ERR_OTHER;
	}
	memset(&err, 0, sizeof(err));
	rc = ssm_call_pages(p->aws, op, req, member, max_items, out, &err);
	if (rc != 0)
		res_diag_aws_at(d, at, op, &err);
	json_decref(req);
	return rc;
}

/* ---------------------------------------------------------------- times */

void ds_rfc3339(double secs, char out[32])
{
	double whole = floor(secs);
	long ms = lround((secs - whole) * 1000.0);
	time_t t;
	struct tm tm;
	size_t n;

	if (ms >= 1000) {
		whole += 1;
		ms = 0;
	}
	t = (time_t)whole;
	if (!gmtime_r(&t, &tm) || !(n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm))) {
		snprintf(out, 32, "1970-01-01T00:00:00Z");
		return;
	}
	if (ms)
		snprintf(out + n, 32 - n, ".%03ldZ", ms);
	else
		snprintf(out + n, 32 - n, "Z");
}

tf_value *ds_time(const json_t *j)
{
	char buf[32];
	int64_t secs;

	if (json_is_number(j)) {
		ds_rfc3339(json_number_value(j), buf);
		return tf_value_string(buf);
	}
	if (!json_is_string(j))
		return tf_value_null(&tf_type_string);
	if (iso8601_parse(json_string_value(j), json_string_length(j), ISO8601_RFC3339, &secs, NULL,
			  NULL) != 0)
		return tf_value_string_len(json_string_value(j), json_string_length(j));
	ds_rfc3339((double)secs, buf);
	return tf_value_string(buf);
}

/* ---------------------------------------------------------------- rows and values */

int ds_append_row(tf_value *list, const schema_block *elem, const res_map *map, const json_t *api,
		  tf_value **row)
{
	tf_value *o = schema_new_object(elem);

	if (!o || res_map_flatten(map, elem, api, NULL, o) < 0 || tf_value_append(list, o) < 0) {
		tf_value_free(o);
		return -1;
	}
	if (row)
		*row = o;
	return 0;
}

tf_value *ds_empty_list(const tf_value *state, const char *name)
{
	const tf_value *a = tf_value_attr(state, name);

	return a ? tf_value_empty(a->type) : NULL;
}

bool ds_enum_eq(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	for (;;) {
		while (*a == '_')
			a++;
		while (*b == '_')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
			return false;
	}
}

tf_value *ds_string_list(const char *const *s, size_t n)
{
	tf_value *l = tf_value_empty(res_type_string_list());

	for (size_t i = 0; l && i < n; i++) {
		tf_value *e = tf_value_string(s[i]);

		if (!e || tf_value_append(l, e) < 0) {
			tf_value_free(e);
			tf_value_free(l);
			return NULL;
		}
	}
	return l;
}
