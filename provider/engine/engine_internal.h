/*
 * engine_internal.h - what the engine's files share beyond engine.h: the
 * configured provider and the state normalisation of engine.c, for the
 * files that serve the RPCs of Terraform 1.12+ (engine_identity.c,
 * engine_list.c, engine_action.c).
 */
#ifndef SSMPATCH_ENGINE_INTERNAL_H
#define SSMPATCH_ENGINE_INTERNAL_H

#include "../core/diag.h"
#include "../core/schema.h"
#include "../core/value.h"
#include "../resources/resource.h"

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
