/*
 * rpc_ops.c - protocol-neutral RPC logic between the wire adapters and the
 * engine: schema type lookup, DynamicValue decode/encode, engine calls. See
 * rpc_ops.h. Nothing here knows tfplugin5 from tfplugin6.
 */
#include "rpc_ops.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_codec.h"
#include "core/log.h"
#include "core/msgpack_codec.h"
#include "engine/engine.h"

#define MOD "provider.rpc"

/* ---------- values ---------- */

/* Decode one DynamicValue of type t; NULL with an error diagnostic on failure. */
static tf_value *dv_decode(const rpc_dv *dv, const tf_type *t, const char *what, tf_diags *d)
{
	static const rpc_dv none;
	tf_value *v;
	size_t before = d->n;

	if (!dv)
		dv = &none;
	if (dv->msgpack_len)
		v = msgpack_decode_value(dv->msgpack, dv->msgpack_len, t, d);
	else if (dv->json_len)
		v = json_decode_value((const char *)dv->json, dv->json_len, t, false, d);
	else
		v = tf_value_null(t);
	if (!v && d->n == before)
		tf_diags_error(d, NULL, "Invalid value from Terraform",
			       "The %s could not be decoded (out of memory).", what);
	else if (!v)
		LOG_D(MOD, "cannot decode %s", what);
	return v;
}

/* Encode v (NULL: null) as msgpack of type t into *out; error diagnostic on failure. */
static void dv_encode(const tf_value *v, const tf_type *t, const char *what, rpc_bytes *out,
		      tf_diags *d)
{
	tf_value *null = NULL;

	out->data = NULL;
	out->len = 0;
	if (!v)
		v = null = tf_value_null(t);
	if (!v || msgpack_encode_value(v, t, &out->data, &out->len) != 0) {
		out->data = NULL;
		out->len = 0;
		tf_diags_error(d, NULL, "Provider produced an invalid value",
			       "The %s does not match the schema and cannot be sent to Terraform. "
			       "This is a bug in the provider.",
			       what);
	}
	tf_value_free(null);
}

tf_value *rpc_dv_decode(const rpc_dv *dv, const tf_type *t, const char *what, tf_diags *d)
{
	return dv_decode(dv, t, what, d);
}

void rpc_dv_encode(const tf_value *v, const tf_type *t, const char *what, rpc_bytes *out,
		   tf_diags *d)
{
	dv_encode(v, t, what, out, d);
}

/* The state type of schema r (NULL: the lookup failed, its diagnostic is
 * there); `out` (may be NULL) is emptied first, so every operation starts with
 * nothing to send. */
static const tf_type *state_type(const schema_resource *r, rpc_bytes *out)
{
	if (out) {
		out->data = NULL;
		out->len = 0;
	}
	return r ? schema_block_type(r->block) : NULL;
}

/* The state type of a resource, or NULL with a diagnostic; `out` emptied. */
static const tf_type *resource_type(const char *type_name, rpc_bytes *out, tf_diags *d)
{
	return state_type(engine_resource(type_name, d), out);
}

void rpc_paths_free(tf_path *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tf_path_free(&paths[i]);
	free(paths);
}

/* ---------- operations ---------- */

void rpc_op_validate_provider(const rpc_dv *config, rpc_bytes *prepared, tf_diags *d)
{
	const tf_type *t = schema_block_type(engine_provider_schema());
	tf_value *cfg = dv_decode(config, t, "provider configuration", d);

	if (prepared) {
		prepared->data = NULL;
		prepared->len = 0;
	}
	if (!cfg)
		return;
	engine_validate_provider(cfg, d);
	if (prepared)
		dv_encode(cfg, t, "prepared provider configuration", prepared, d);
	tf_value_free(cfg);
}

/* Decode config as t (NULL: the type lookup failed and said so) and hand it to
 * the engine's check; `what` names the configuration in decode diagnostics. */
static void validate_config(const char *type_name, const tf_type *t, const rpc_dv *config,
			    const char *what,
			    void (*check)(const char *, const tf_value *, tf_diags *), tf_diags *d)
{
	tf_value *cfg;

	if (!t || !(cfg = dv_decode(config, t, what, d)))
		return;
	check(type_name, cfg, d);
	tf_value_free(cfg);
}

void rpc_op_validate_resource(const char *type_name, const rpc_dv *config, tf_diags *d)
{
	validate_config(type_name, resource_type(type_name, NULL, d), config,
			"resource configuration", engine_validate_resource, d);
}

/* The state type of a data source, or NULL with a diagnostic; `out` emptied. */
static const tf_type *data_source_type(const char *type_name, rpc_bytes *out, tf_diags *d)
{
	return state_type(engine_data_source(type_name, d), out);
}

void rpc_op_validate_data_source(const char *type_name, const rpc_dv *config, tf_diags *d)
{
	validate_config(type_name, data_source_type(type_name, NULL, d), config,
			"data source configuration", engine_validate_data_source, d);
}

void rpc_op_read_data_source(const char *type_name, const rpc_dv *config, rpc_bytes *out,
			     tf_diags *d)
{
	const tf_type *t = data_source_type(type_name, out, d);
	tf_value *cfg, *got = NULL;

	if (!t || !(cfg = dv_decode(config, t, "data source configuration", d)))
		return;
	engine_read_data_source(type_name, cfg, &got, d);
	if (got)
		dv_encode(got, t, "data source state", out, d);
	tf_value_free(got);
	tf_value_free(cfg);
}

void rpc_op_configure(const char *terraform_version, const rpc_dv *config, tf_diags *d)
{
	const tf_type *t = schema_block_type(engine_provider_schema());
	tf_value *cfg = dv_decode(config, t, "provider configuration", d);

	if (!cfg)
		return;
	engine_configure(cfg, terraform_version ? terraform_version : "", d);
	tf_value_free(cfg);
}

void rpc_op_upgrade(const char *type_name, int64_t version, const uint8_t *json, size_t json_len,
		    bool has_flatmap, rpc_bytes *out, tf_diags *d)
{
	const tf_type *t = resource_type(type_name, out, d);
	tf_value *v;

	if (!t)
		return;
	if (!json_len) {
		if (has_flatmap) {
			tf_diags_error(
				d, NULL, "Unsupported state format",
				"This %s state is in the flatmap format of Terraform 0.11 and "
				"earlier, which this provider cannot read. Upgrade the state "
				"with Terraform 0.12 first.",
				type_name);
			return;
		}
		/* No state at all: nothing to upgrade. */
		dv_encode(NULL, t, "upgraded state", out, d);
		return;
	}
	v = engine_upgrade_state(type_name, version, (const char *)json, json_len, d);
	if (!v) {
		if (!tf_diags_has_error(d))
			tf_diags_error(d, NULL, "State upgrade failed",
				       "The stored %s state could not be read.", type_name);
		return;
	}
	dv_encode(v, t, "upgraded state", out, d);
	tf_value_free(v);
}

void rpc_op_read(const char *type_name, const rpc_dv *current, rpc_bytes *out, tf_diags *d)
{
	const tf_type *t = resource_type(type_name, out, d);
	tf_value *cur, *got = NULL;

	if (!t || !(cur = dv_decode(current, t, "current state", d)))
		return;
	engine_read(type_name, cur, &got, d);
	dv_encode(got, t, "new state", out, d);
	tf_value_free(got);
	tf_value_free(cur);
}

/* The three values of a plan or apply: the prior state, the next one (proposed
 * or planned, named `next_what`) and the configuration. */
typedef struct {
	tf_value *prior, *next, *config;
} change;

/* Decode all three; -1 (with a diagnostic) as soon as one fails, leaving
 * what was decoded in c for change_free(). */
static int change_decode(change *c, const tf_type *t, const rpc_dv *prior, const rpc_dv *next,
			 const char *next_what, const rpc_dv *config, tf_diags *d)
{
	memset(c, 0, sizeof(*c));
	if (!(c->prior = dv_decode(prior, t, "prior state", d)) ||
	    !(c->next = dv_decode(next, t, next_what, d)) ||
	    !(c->config = dv_decode(config, t, "configuration", d)))
		return -1;
	return 0;
}

static void change_free(change *c)
{
	tf_value_free(c->config);
	tf_value_free(c->next);
	tf_value_free(c->prior);
}

void rpc_op_plan(const char *type_name, const rpc_dv *prior, const rpc_dv *proposed,
		 const rpc_dv *config, rpc_bytes *planned, tf_path **rr, size_t *n_rr, tf_diags *d)
{
	const tf_type *t = resource_type(type_name, planned, d);
	tf_value *pl = NULL;
	change c;

	*rr = NULL;
	*n_rr = 0;
	if (!t)
		return;
	if (change_decode(&c, t, prior, proposed, "proposed new state", config, d) < 0)
		goto done;
	engine_plan(type_name, c.prior, c.next, c.config, &pl, rr, n_rr, d);
	if (!pl && !tf_value_is_null(c.next) && !tf_diags_has_error(d))
		tf_diags_error(d, NULL, "Plan failed",
			       "The provider produced no plan for %s. "
			       "This is a bug in the provider.",
			       type_name);
	if (pl || !tf_diags_has_error(d))
		dv_encode(pl, t, "planned state", planned, d);
done:
	tf_value_free(pl);
	change_free(&c);
}

void rpc_op_apply(const char *type_name, const rpc_dv *prior, const rpc_dv *planned,
		  const rpc_dv *config, rpc_bytes *out, tf_diags *d)
{
	const tf_type *t = resource_type(type_name, out, d);
	tf_value *got = NULL;
	change c;

	if (!t)
		return;
	if (change_decode(&c, t, prior, planned, "planned state", config, d) < 0) {
		/* Nothing was done: keep the prior object if it could be read. */
		if (c.prior)
			dv_encode(c.prior, t, "prior state", out, d);
		goto done;
	}
	engine_apply(type_name, c.prior, c.next, c.config, &got, d);
	dv_encode(got, t, "new state", out, d);
done:
	tf_value_free(got);
	change_free(&c);
}

void rpc_op_import(const char *type_name, const char *id, rpc_bytes *out, tf_diags *d)
{
	const tf_type *t = resource_type(type_name, out, d);
	tf_value *got = NULL;

	if (!t)
		return;
	engine_import(type_name, id, &got, d);
	if (got)
		dv_encode(got, t, "imported state", out, d);
	else if (!tf_diags_has_error(d))
		tf_diags_error(d, NULL, "Import failed", "Nothing was imported for ID \"%s\".",
			       id ? id : "");
	tf_value_free(got);
}

void rpc_op_stop(void)
{
	engine_stop();
}

/* ---------- arena ---------- */

struct rpc_arena_chunk {
	rpc_arena_chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

struct rpc_arena_owned {
	rpc_arena_owned *next;
	void *p;
};

void rpc_arena_init(rpc_arena *a)
{
	memset(a, 0, sizeof(*a));
}

void *rpc_arena_alloc(rpc_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	rpc_arena_chunk *c = a->chunks;
	void *p;

	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > RPC_ARENA_CHUNK ? n : RPC_ARENA_CHUNK;
		c = malloc(sizeof(*c) + cap);
		if (!c) {
			a->failed = true;
			return NULL;
		}
		c->used = 0;
		c->cap = cap;
		c->next = a->chunks;
		a->chunks = c;
	}
	p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *rpc_arena_strdup(rpc_arena *a, const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = rpc_arena_alloc(a, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

void *rpc_arena_adopt(rpc_arena *a, void *p)
{
	rpc_arena_owned *o;

	if (!p)
		return NULL;
	o = rpc_arena_alloc(a, sizeof(*o));
	if (!o) {
		free(p);
		return NULL;
	}
	o->p = p;
	o->next = a->owned;
	a->owned = o;
	return p;
}

void rpc_arena_free(rpc_arena *a)
{
	for (rpc_arena_owned *o = a->owned; o; o = o->next)
		free(o->p);
	while (a->chunks) {
		rpc_arena_chunk *c = a->chunks;
		a->chunks = c->next;
		free(c);
	}
	a->owned = NULL;
}
