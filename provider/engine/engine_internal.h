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

/* The configured provider, or NULL with a diagnostic (Configure not called). */
provider_ctx *engine_configured(tf_diags *d);

/* Make a state conform to the block's type (null LIST/SET blocks become
 * empty, unknowns null), as every state the engine returns. 0 or -1 (ENOMEM). */
int engine_normalize_state(const schema_block *b, tf_value *v);

#endif
