/*
 * engine_list.c - list resources (terraform query, Terraform 1.14+):
 * ValidateListResourceConfig and ListResource, protocol-neutral. The
 * resource side (the Describe calls, filters and paging) is
 * provider/resources/list.c; here each object found gets its identity (the
 * same one ReadResource gives it) and its object is made to conform, before
 * the rpc layer sends it as one stream event.
 */
#include "engine.h"

#include "../resources/identity.h"
#include "../resources/list.h"
#include "engine_internal.h"

size_t engine_list_resource_count(void)
{
	return engine_resource_count();
}

const schema_resource *engine_list_resource_at(size_t i)
{
	const engine_res_type *t = engine_res_type_at(i);

	return t ? t->list->schema : NULL;
}

/* The resource type of the list resource type_name, or NULL with an error
 * diagnostic. */
static const engine_res_type *find_list(const char *type_name, tf_diags *d)
{
	return engine_res_type_find(type_name, "Unsupported list resource type", "list resource",
				    d);
}

const schema_resource *engine_list_resource(const char *type_name, tf_diags *d)
{
	const engine_res_type *t = find_list(type_name, d);

	return t ? t->list->schema : NULL;
}

void engine_validate_list(const char *type_name, const tf_value *config, tf_diags *d)
{
	const engine_res_type *t = find_list(type_name, d);

	if (t)
		schema_validate(t->list->schema->block, config, d);
}

/* What the resource side's callback needs to build an engine_list_item. */
typedef struct {
	const engine_res_type *t;
	provider_ctx *p;
	engine_list_emit emit;
	void *ctx;
} list_emit_ctx;

static int emit_one(void *ctx, const res_list_item *item, tf_diags *d)
{
	list_emit_ctx *c = ctx;
	const res_def *def = c->t->res;
	engine_list_item out = {.display_name = item->display_name};
	tf_value *identity = NULL, *obj = NULL;
	int rc;

	if (resource_identity(def, c->t->identity->block, c->p, item->key, &identity, d) < 0)
		return 1;
	if (item->object && (!(obj = tf_value_clone(item->object)) ||
			     engine_normalize_state(def->schema->block, obj) < 0)) {
		tf_value_free(identity);
		tf_value_free(obj);
		tf_diags_error(d, NULL, "List failed", "Out of memory.");
		return 1;
	}
	out.identity = identity;
	out.object = obj;
	rc = c->emit(c->ctx, &out);
	tf_value_free(identity);
	tf_value_free(obj);
	return rc;
}

void engine_list(const char *type_name, const tf_value *config, bool include_object, int64_t limit,
		 engine_list_emit emit, void *ctx, tf_diags *d)
{
	list_emit_ctx c = {.emit = emit, .ctx = ctx};
	tf_value *empty = NULL;
	size_t before = d->n;

	if (!(c.t = find_list(type_name, d)))
		return;
	if (tf_value_is_null(config)) /* no config block: no filter */
		config = empty = schema_new_object(c.t->list->schema->block);
	if (!tf_value_is_known(config) || tf_value_has_unknown(config)) {
		tf_diags_error(d, NULL, "List configuration not known",
			       "The configuration of a list block must be known before it is "
			       "listed. This is a bug in the calling program.");
		goto done;
	}
	schema_validate(c.t->list->schema->block, config, d);
	if (tf_diags_has_error(d) && d->n > before)
		goto done;
	if ((c.p = engine_configured(d)))
		res_list_run(c.t->res, c.t->list, c.p, config, include_object, limit, emit_one, &c,
			     d);
done:
	tf_value_free(empty);
}
