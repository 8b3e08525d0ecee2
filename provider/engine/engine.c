/*
 * engine.c - the protocol-neutral provider: one function per RPC.
 *
 * Pipeline (as terraform-plugin-framework's fwserver): the rpc layer has decoded
 * the wire into tf_value trees; here the schema-generic work happens - validation
 * from the schema tables, defaults, unknowns for computed attributes on create,
 * requires_replace from force-new flags, dispatch of apply to create/update/delete,
 * and reconciliation of the applied object with the plan - and the resource file
 * (provider/resources/) supplies only the SSM calls.
 *
 * State kept between RPCs: only the configured provider (AWS client, default tags).
 * Terraform may run every phase in a fresh process, so nothing else is remembered.
 */
#include "engine.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../aws/aws.h"
#include "../core/json_codec.h"
#include "../core/log.h"
#include "../datasources/datasource.h"
#include "../resources/list.h"
#include "../resources/resource.h"
#include "engine_internal.h"
#include "schema/provider_config.h"
#include "schema/schema_tables.h"

#define MOD "provider"

/* The managed resource types, each with its identity and its list resource:
 * the one place that says which goes with which. */
static const engine_res_type g_resources[] = {
	{&res_patch_baseline_def, &schema_identity_patch_baseline, &res_patch_baseline_list},
	{&res_maintenance_window_def, &schema_identity_maintenance_window,
	 &res_maintenance_window_list},
	{&res_window_target_def, &schema_identity_window_target, &res_window_target_list},
	{&res_window_task_def, &schema_identity_window_task, &res_window_task_list},
};
#define N_RESOURCES (sizeof(g_resources) / sizeof(g_resources[0]))

static const ds_def *const g_data_sources[] = {
	&ds_patch_baseline_def,
	&ds_maintenance_windows_def,
	&ds_window_executions_def,
	&ds_patch_group_compliance_def,
};
#define N_DATA_SOURCES (sizeof(g_data_sources) / sizeof(g_data_sources[0]))

/* The configured provider. Terraform calls Configure once, before any RPC that
 * needs it; the lock only guards against a misbehaving client. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

/* The current context, and every one a later Configure replaced: other threads
 * may still be using those (they hold no lock during AWS calls), so all live
 * until shutdown. The list head is the current one; NULL = not configured. */
typedef struct ctx_node {
	provider_ctx ctx;
	struct ctx_node *next;
} ctx_node;
static ctx_node *g_ctxs;

const schema_block *engine_provider_schema(void)
{
	return &schema_provider_block;
}

size_t engine_resource_count(void)
{
	return N_RESOURCES;
}

const schema_resource *engine_resource_at(size_t i)
{
	return i < N_RESOURCES ? g_resources[i].res->schema : NULL;
}

const engine_res_type *engine_res_type_at(size_t i)
{
	return i < N_RESOURCES ? &g_resources[i] : NULL;
}

int engine_find(size_t n, const schema_resource *(*at)(size_t), const char *type_name,
		const char *summary, const char *kind, tf_diags *d)
{
	for (size_t i = 0; i < n; i++)
		if (type_name && strcmp(at(i)->type_name, type_name) == 0)
			return (int)i;
	tf_diags_error(d, NULL, summary, "The provider ssmpatch has no %s \"%s\".", kind,
		       type_name ? type_name : "");
	return -1;
}

const engine_res_type *engine_res_type_find(const char *type_name, const char *summary,
					    const char *kind, tf_diags *d)
{
	int i = engine_find(N_RESOURCES, engine_resource_at, type_name, summary, kind, d);

	return i < 0 ? NULL : &g_resources[i];
}

static const res_def *find_def(const char *type_name, tf_diags *d)
{
	const engine_res_type *t =
		engine_res_type_find(type_name, "Unsupported resource type", "resource type", d);

	return t ? t->res : NULL;
}

const schema_resource *engine_resource(const char *type_name, tf_diags *d)
{
	const res_def *def = find_def(type_name, d);
	return def ? def->schema : NULL;
}

size_t engine_data_source_count(void)
{
	return N_DATA_SOURCES;
}

const schema_resource *engine_data_source_at(size_t i)
{
	return i < N_DATA_SOURCES ? g_data_sources[i]->schema : NULL;
}

static const ds_def *find_ds(const char *type_name, tf_diags *d)
{
	int i = engine_find(N_DATA_SOURCES, engine_data_source_at, type_name,
			    "Unsupported data source", "data source", d);

	return i < 0 ? NULL : g_data_sources[i];
}

const schema_resource *engine_data_source(const char *type_name, tf_diags *d)
{
	const ds_def *def = find_ds(type_name, d);
	return def ? def->schema : NULL;
}

/* The configured provider, or NULL with a diagnostic. */
static provider_ctx *configured(tf_diags *d)
{
	provider_ctx *p = NULL;
	pthread_mutex_lock(&g_lock);
	if (g_ctxs)
		p = &g_ctxs->ctx;
	pthread_mutex_unlock(&g_lock);
	if (!p)
		tf_diags_error(
			d, NULL, "Provider not configured",
			"ConfigureProvider must be called before this operation. This is a bug "
			"in the calling program, not in your configuration.");
	return p;
}

provider_ctx *engine_configured(tf_diags *d)
{
	return configured(d);
}

void engine_validate_provider(const tf_value *config, tf_diags *d)
{
	schema_validate(&schema_provider_block, config, d);
}

void engine_validate_resource(const char *type_name, const tf_value *config, tf_diags *d)
{
	const res_def *def = find_def(type_name, d);
	if (def)
		schema_validate(def->schema->block, config, d);
}

void engine_validate_data_source(const char *type_name, const tf_value *config, tf_diags *d)
{
	const ds_def *def = find_ds(type_name, d);
	if (def)
		schema_validate(def->schema->block, config, d);
}

/* --- Configure --- */

void engine_configure(const tf_value *config, const char *terraform_version, tf_diags *d)
{
	aws_config cfg;
	aws_error err;
	aws_client *client = NULL;
	tf_value *default_tags = NULL;

	memset(&err, 0, sizeof(err));
	LOG_I(MOD, "configuring provider (terraform %s)",
	      terraform_version ? terraform_version : "unknown");
	if (schema_provider_config(config, &cfg, &default_tags, d) < 0)
		goto done;
	if (!(client = aws_client_new(&cfg, &err))) {
		tf_diags_error(d, NULL, "Invalid AWS configuration", "%s", err.message);
		goto done;
	}
	{
		ctx_node *n = calloc(1, sizeof(*n));
		if (!n)
			goto done;
		n->ctx.aws = client;
		n->ctx.default_tags = default_tags;
		pthread_mutex_lock(&g_lock);
		n->next = g_ctxs;
		g_ctxs = n;
		pthread_mutex_unlock(&g_lock);
	}
	client = NULL;
	default_tags = NULL;

done:
	if (!tf_diags_has_error(d) && (client || default_tags))
		tf_diags_error(d, NULL, "Provider configuration failed", "Out of memory.");
	aws_client_free(client);
	tf_value_free(default_tags);
	aws_config_free(&cfg);
}

/* --- shape normalisation --- */

/*
 * Make `v` conform to the block's type where a lenient source left it short:
 * null LIST/SET nested blocks become empty lists (Terraform rejects null there),
 * recursively. Unknowns in a state become null (a state is always wholly known).
 */
static int normalize_state(const schema_block *b, tf_value *v)
{
	if (!tf_value_is_known(v))
		return 0;
	for (size_t i = 0; i < b->n_attrs; i++) {
		tf_value *a = tf_value_attr(v, b->attrs[i].name);
		if (a && tf_value_has_unknown(a)) {
			tf_value *n = tf_value_null(a->type);
			if (!n || tf_value_set_attr(v, b->attrs[i].name, n) < 0)
				return -1;
		}
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		const schema_nested *nb = &b->blocks[i];
		tf_value *l = tf_value_attr(v, nb->name);
		if (!l)
			continue;
		if (nb->nesting == SCHEMA_NEST_SINGLE) {
			if (normalize_state(nb->block, l) < 0)
				return -1;
			continue;
		}
		if (!tf_value_is_known(l)) {
			tf_value *e = tf_value_empty(l->type);
			if (!e || tf_value_set_attr(v, nb->name, e) < 0)
				return -1;
			continue;
		}
		for (size_t j = 0; j < tf_value_len(l); j++)
			if (normalize_state(nb->block, tf_value_index(l, j)) < 0)
				return -1;
	}
	return 0;
}

int engine_normalize_state(const schema_block *b, tf_value *v)
{
	return normalize_state(b, v);
}

/*
 * Terraform requires every value known in the plan to come back unchanged from
 * apply. The resource returns what the API says now; where the plan knew the
 * value, the plan wins (the API may echo another spelling of the same thing),
 * and a real difference is logged, not hidden: the next refresh shows it as drift.
 * Unknowns in `planned` are filled from `got`.
 */
static tf_value *reconcile(const schema_block *b, const tf_value *planned, const tf_value *got)
{
	tf_value *out = tf_value_clone(got);
	if (!out || !tf_value_is_known(planned) || !tf_value_is_known(got))
		return out;
	for (size_t i = 0; i < b->n_attrs; i++) {
		const char *name = b->attrs[i].name;
		tf_value *pv = tf_value_attr(planned, name);
		tf_value *gv = tf_value_attr(got, name);
		if (!pv || tf_value_has_unknown(pv))
			continue;
		if (!tf_value_equal(pv, gv)) {
			if (log_enabled(LOG_DEBUG)) {
				char *a = tf_value_debug_string(pv), *g = tf_value_debug_string(gv);
				bool secret = b->attrs[i].flags & SCHEMA_SENSITIVE;
				log_msg(LOG_DEBUG, MOD,
					"apply: %s: API returned %s, keeping planned %s", name,
					secret ? "(sensitive)" : g, secret ? "(sensitive)" : a);
				free(a);
				free(g);
			}
			tf_value *c = tf_value_clone(pv);
			if (!c || tf_value_set_attr(out, name, c) < 0)
				goto fail;
		}
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		const schema_nested *nb = &b->blocks[i];
		tf_value *pl = tf_value_attr(planned, nb->name);
		tf_value *gl = tf_value_attr(got, nb->name);
		tf_value *nl = NULL;
		if (!pl || !tf_value_is_known(pl))
			continue;
		if (nb->nesting == SCHEMA_NEST_SINGLE) {
			nl = tf_value_is_known(gl) ? reconcile(nb->block, pl, gl)
						   : tf_value_clone(pl);
		} else if (nb->nesting == SCHEMA_NEST_LIST &&
			   tf_value_len(pl) == tf_value_len(gl)) {
			if (!(nl = tf_value_empty(pl->type)))
				goto fail;
			for (size_t j = 0; j < tf_value_len(pl); j++) {
				tf_value *e = reconcile(nb->block, tf_value_index(pl, j),
							tf_value_index(gl, j));
				if (!e || tf_value_append(nl, e) < 0) {
					tf_value_free(e);
					tf_value_free(nl);
					goto fail;
				}
			}
		} else if (!tf_value_has_unknown(pl)) {
			/* Sets and lists of another length: a wholly known plan wins. */
			nl = tf_value_clone(pl);
		} else {
			continue; /* unknowns inside a set: keep what the API returned */
		}
		if (!nl || tf_value_set_attr(out, nb->name, nl) < 0) {
			tf_value_free(nl);
			goto fail;
		}
	}
	return out;
fail:
	tf_value_free(out);
	return NULL;
}

/* --- state upgrade --- */

tf_value *engine_upgrade_state(const char *type_name, int64_t version, const char *json, size_t len,
			       tf_diags *d)
{
	const res_def *def = find_def(type_name, d);
	provider_ctx *p;
	tf_value *v;
	if (!def)
		return NULL;
	if (version > def->schema->version) {
		tf_diags_error(d, NULL, "State written by a newer provider",
			       "The state of this %s has schema version %" PRId64
			       ", newer than this "
			       "provider's %" PRId64 ". Upgrade the provider.",
			       type_name, version, def->schema->version);
		return NULL;
	}
	v = json_decode_value(json, len, schema_block_type(def->schema->block), true, d);
	if (v && normalize_state(def->schema->block, v) < 0) {
		tf_value_free(v);
		v = NULL;
		tf_diags_error(d, NULL, "State upgrade failed", "Out of memory.");
	}
	/* A state older than the region attribute: the object is in the
	 * provider's region (Terraform configures before it upgrades). */
	pthread_mutex_lock(&g_lock);
	p = g_ctxs ? &g_ctxs->ctx : NULL;
	pthread_mutex_unlock(&g_lock);
	if (v && p && resource_region_fill(def, p, v) < 0) {
		tf_value_free(v);
		v = NULL;
		tf_diags_error(d, NULL, "State upgrade failed", "Out of memory.");
	}
	return v;
}

/* --- read --- */

void engine_read(const char *type_name, const tf_value *current, tf_value **out, tf_diags *d)
{
	const res_def *def = find_def(type_name, d);
	provider_ctx *p;
	tf_value *got = NULL;

	*out = NULL;
	if (!def || !(p = configured(d)))
		return;
	if (tf_value_is_null(current))
		return;
	if (resource_read(def, p, current, &got, d) < 0 && !got) {
		/* The read failed: keep the prior state so nothing is lost. */
		*out = tf_value_clone(current);
		return;
	}
	if (got && normalize_state(def->schema->block, got) < 0) {
		tf_value_free(got);
		got = NULL;
		tf_diags_error(d, NULL, "Read failed", "Out of memory.");
		*out = tf_value_clone(current);
		return;
	}
	*out = got;
}

/* --- plan --- */

void engine_plan(const char *type_name, const tf_value *prior, const tf_value *proposed,
		 const tf_value *config, tf_value **planned, tf_path **requires_replace,
		 size_t *n_requires_replace, tf_diags *d)
{
	const res_def *def = find_def(type_name, d);
	const schema_block *b;
	provider_ctx *p;
	tf_value *pl = NULL;

	*planned = NULL;
	*requires_replace = NULL;
	*n_requires_replace = 0;
	if (!def)
		return;
	b = def->schema->block;
	if (tf_value_is_null(proposed))
		return; /* destroy */
	if (!(p = configured(d)))
		return;
	if (!(pl = tf_value_clone(proposed)) || schema_fill_defaults(b, pl, config) < 0)
		goto oom;
	if (tf_value_is_null(prior)) {
		if (schema_mark_computed_unknown(b, pl, config) < 0 ||
		    resource_plan_region(def, p, config, pl) < 0)
			goto oom;
	} else {
		/* A state without a region (older than the attribute) is in the
		 * provider's region: compare with that, not with null. */
		tf_value *filled = NULL;
		const tf_value *was = prior;
		int rc;

		if (resource_plan_region(def, p, config, pl) < 0)
			goto oom;
		if (tf_value_is_null(tf_value_attr(prior, "region")) &&
		    schema_find_attr(b, "region")) {
			if (!(filled = tf_value_clone(prior)) ||
			    resource_region_fill(def, p, filled) < 0) {
				tf_value_free(filled);
				goto oom;
			}
			was = filled;
		}
		rc = schema_requires_replace(b, was, pl, requires_replace, n_requires_replace);
		tf_value_free(filled);
		if (rc < 0)
			goto oom;
	}
	if (resource_plan(def, p, tf_value_is_null(prior) ? NULL : prior, config, pl, d) < 0 &&
	    tf_diags_has_error(d)) {
		tf_value_free(pl);
		return;
	}
	*planned = pl;
	return;
oom:
	tf_value_free(pl);
	tf_diags_error(d, NULL, "Plan failed", "Out of memory.");
}

/* --- apply --- */

void engine_apply(const char *type_name, const tf_value *prior, const tf_value *planned,
		  const tf_value *config, tf_value **out, tf_diags *d)
{
	const res_def *def = find_def(type_name, d);
	const schema_block *b;
	provider_ctx *p;
	tf_value *got = NULL;
	int rc;

	(void)config;
	*out = NULL;
	if (!def)
		return;
	b = def->schema->block;
	if (!(p = configured(d))) {
		/* Nothing was done: the prior object is unchanged. */
		*out = tf_value_is_null(prior) ? NULL : tf_value_clone(prior);
		return;
	}

	if (tf_value_is_null(planned)) {
		if (resource_delete(def, p, prior, d) < 0)
			*out = tf_value_clone(prior); /* still exists: keep tracking it */
		return;
	}
	if (tf_value_is_null(prior))
		rc = resource_create(def, p, planned, &got, d);
	else
		rc = resource_update(def, p, prior, planned, &got, d);

	if (rc < 0 || tf_diags_has_error(d)) {
		/* Partial failure: return the object as it really is (a state is wholly
		 * known), or the prior one if the resource could not say. */
		if (!got && !tf_value_is_null(prior))
			got = tf_value_clone(prior);
		if (got && normalize_state(b, got) < 0) {
			tf_value_free(got);
			got = NULL;
		}
		*out = got;
		return;
	}
	if (!got) {
		tf_diags_error(
			d, NULL, "Apply returned no object",
			"The %s was applied but could not be read back. This is a provider bug.",
			type_name);
		return;
	}
	*out = reconcile(b, planned, got);
	tf_value_free(got);
	if (!*out || normalize_state(b, *out) < 0)
		tf_diags_error(d, NULL, "Apply failed",
			       "Out of memory while building the new state.");
}

/* --- import --- */

void engine_import(const char *type_name, const char *id, tf_value **out, tf_diags *d)
{
	const res_def *def = find_def(type_name, d);

	*out = NULL;
	/* An import is read next: the provider must be configured for that. */
	if (!def || !configured(d))
		return;
	if (resource_import(def, id ? id : "", out, d) < 0 && *out) {
		tf_value_free(*out);
		*out = NULL;
	}
	if (*out && normalize_state(def->schema->block, *out) < 0) {
		tf_value_free(*out);
		*out = NULL;
		tf_diags_error(d, NULL, "Import failed", "Out of memory.");
	}
}

/* --- data sources --- */

void engine_read_data_source(const char *type_name, const tf_value *config, tf_value **out,
			     tf_diags *d)
{
	const ds_def *def = find_ds(type_name, d);
	provider_ctx *p;

	*out = NULL;
	if (!def || !(p = configured(d)))
		return;
	data_source_read(def, p, config, out, d);
	if (*out && normalize_state(def->schema->block, *out) < 0) {
		tf_value_free(*out);
		*out = NULL;
		tf_diags_error(d, NULL, "Read failed", "Out of memory.");
	}
}

void engine_stop(void)
{
	LOG_I(MOD, "stop requested: cancelling in-flight AWS calls");
	aws_cancel_all();
}

void engine_shutdown(void)
{
	pthread_mutex_lock(&g_lock);
	while (g_ctxs) {
		ctx_node *n = g_ctxs;
		g_ctxs = n->next;
		aws_client_free(n->ctx.aws);
		tf_value_free(n->ctx.default_tags);
		free(n);
	}
	pthread_mutex_unlock(&g_lock);
}
