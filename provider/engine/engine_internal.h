/*
 * engine_internal.h - what the engine's files share beyond engine.h: the
 * resource types, the configured provider and the state normalisation of
 * engine.c, for the
 * files that serve the RPCs of Terraform 1.12+ (engine_identity.c,
 * engine_list.c, engine_action.c).
 */
#ifndef SSMPATCH_ENGINE_INTERNAL_H
#define SSMPATCH_ENGINE_INTERNAL_H

#include "../core/diag.h"
#include "../core/schema.h"
#include "../core/value.h"
#include "../resources/list.h"
#include "../resources/resource.h"

/* A managed resource type with its identity schema (schema/identity.c) and
 * its list resource (resources/list.c); all three share one type_name. */
typedef struct {
	const res_def *res;
	const schema_resource *identity;
	const res_list_def *list;
} engine_res_type;

/* The i-th managed resource type, i < engine_resource_count() (else NULL):
 * identities and list resources are served for every one of them. */
const engine_res_type *engine_res_type_at(size_t i);

/* The resource type named type_name (its identity and list resource have
 * the same name), or NULL with engine_find's error diagnostic. */
const engine_res_type *engine_res_type_find(const char *type_name, const char *summary,
					    const char *kind, tf_diags *d);

/* The index of `type_name` among the n schemas at(0) .. at(n - 1), or -1 with
 * the error diagnostic `summary`: "The provider ssmpatch has no <kind>
 * \"<type_name>\"." Each registry (resources, data sources, identities,
 * list resources, actions) looks its types up through it. */
int engine_find(size_t n, const schema_resource *(*at)(size_t), const char *type_name,
		const char *summary, const char *kind, tf_diags *d);

/* The configured provider, or NULL with a diagnostic (Configure not called). */
provider_ctx *engine_configured(tf_diags *d);

/* Make a state conform to the block's type (null LIST/SET blocks become
 * empty, unknowns null), as every state the engine returns. 0 or -1 (ENOMEM). */
int engine_normalize_state(const schema_block *b, tf_value *v);

#endif
