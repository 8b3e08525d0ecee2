/*
 * engine_identity.c - resource identity (Terraform 1.12+): the identity
 * schemas, an object's identity from its state, the upgrade of a stored
 * identity and the import by identity. The resource side is
 * provider/resources/identity.c; the rpc layer attaches identities to the
 * answers of ReadResource, PlanResourceChange, ApplyResourceChange and
 * ImportResourceState, and the list resources put one in every result.
 *
 * Older clients never ask for identities and never see them: the fields are
 * new protobuf fields they skip.
 */
#include "engine.h"

#include <inttypes.h>
#include <string.h>

#include "../core/json_codec.h"
#include "../resources/identity.h"
#include "engine_internal.h"

size_t engine_identity_count(void)
{
	return engine_resource_count();
}

const schema_resource *engine_identity_at(size_t i)
{
	const engine_res_type *t = engine_res_type_at(i);

	return t ? t->identity : NULL;
}

/* The resource type whose identity is type_name's, or NULL with an error
 * diagnostic. */
static const engine_res_type *find_identity(const char *type_name, tf_diags *d)
{
	return engine_res_type_find(type_name, "Unsupported resource type", "identity for", d);
}

const schema_resource *engine_identity_schema(const char *type_name, tf_diags *d)
{
	const engine_res_type *t = find_identity(type_name, d);

	return t ? t->identity : NULL;
}

void engine_identity(const char *type_name, const tf_value *state, tf_value **out, tf_diags *d)
{
	const engine_res_type *t = find_identity(type_name, d);
	provider_ctx *p;

	*out = NULL;
	if (!t || tf_value_is_null(state) || !(p = engine_configured(d)))
		return;
	resource_identity(t->res, t->identity->block, p, state, out, d);
}

/* Is `known` a whole identity (no attribute null: one given to an import may
 * leave account and region out) of the object `state` is (key parts, and the
 * region when the type has a region attribute that is set)? */
static bool same_object(const res_def *def, const tf_value *state, const tf_value *known)
{
	const char *region = schema_find_attr(def->schema->block, "region")
				     ? tf_value_attr_str(state, "region")
				     : NULL;

	for (size_t i = 0; i < known->type->n; i++)
		if (tf_value_is_null(tf_value_attr(known, known->type->names[i])))
			return false;
	for (size_t i = 0; i < RES_MAX_KEYS && def->keys[i].attr; i++) {
		const char *a = tf_value_attr_str(state, def->keys[i].attr);
		const char *b = tf_value_attr_str(known, def->keys[i].attr);

		if (!a || !b || strcmp(a, b) != 0)
			return false;
	}
	return !region || (tf_value_attr_str(known, "region") &&
			   strcmp(region, tf_value_attr_str(known, "region")) == 0);
}

/* Is every key part of state a known string? */
static bool key_known(const res_def *def, const tf_value *state)
{
	for (size_t i = 0; i < RES_MAX_KEYS && def->keys[i].attr; i++)
		if (!tf_value_attr_str(state, def->keys[i].attr))
			return false;
	return true;
}

void engine_identity_for(const char *type_name, const tf_value *state, const tf_value *known,
			 tf_value **out, tf_diags *d)
{
	const engine_res_type *t = find_identity(type_name, d);
	const res_def *def;

	*out = NULL;
	if (!t || tf_value_is_null(state) || !tf_value_is_known(state))
		return;
	def = t->res;
	if (!key_known(def, state))
		return; /* a create's plan: the object has no ID yet */
	if (tf_value_is_known(known) && !tf_value_has_unknown(known) &&
	    same_object(def, state, known)) {
		if (!(*out = tf_value_clone(known)))
			tf_diags_error(d, NULL, "Identity failed", "Out of memory.");
		return;
	}
	engine_identity(type_name, state, out, d);
}

tf_value *engine_upgrade_identity(const char *type_name, int64_t version, const char *json,
				  size_t len, tf_diags *d)
{
	const engine_res_type *t = find_identity(type_name, d);
	const schema_block *b;
	tf_value *v;

	if (!t)
		return NULL;
	b = t->identity->block;
	if (version != t->identity->version) {
		tf_diags_error(d, NULL, "Unknown identity version",
			       "The stored identity of this %s has version %" PRId64
			       "; this provider knows version %" PRId64 " only.%s",
			       type_name, version, t->identity->version,
			       version > t->identity->version ? " Upgrade the provider." : "");
		return NULL;
	}
	if (!(v = json_decode_value(json, len, schema_block_type(b), true, d)))
		return NULL;
	for (size_t a = 0; a < b->n_attrs; a++) {
		if ((b->attrs[a].flags & SCHEMA_REQUIRED) &&
		    !tf_value_attr_str(v, b->attrs[a].name)) {
			tf_diags_error_at(d, b->attrs[a].name, "Incomplete identity",
					  "The stored identity of this %s has no %s.", type_name,
					  b->attrs[a].name);
			tf_value_free(v);
			return NULL;
		}
	}
	return v;
}

void engine_import_identity(const char *type_name, const tf_value *identity, tf_value **out,
			    tf_diags *d)
{
	const engine_res_type *t = find_identity(type_name, d);
	const res_def *def;
	provider_ctx *p;

	*out = NULL;
	if (!t || !(p = engine_configured(d)))
		return;
	def = t->res;
	if (resource_import_identity(def, p, identity, out, d) < 0 && *out) {
		tf_value_free(*out);
		*out = NULL;
	}
	if (*out && engine_normalize_state(def->schema->block, *out) < 0) {
		tf_value_free(*out);
		*out = NULL;
		tf_diags_error(d, NULL, "Import failed", "Out of memory.");
	}
}
