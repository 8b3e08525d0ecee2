/*
 * identity.h - resource identities (Terraform 1.12+): an object named by its
 * account, its region and its key (def->keys), as schema/identity.c
 * describes them.
 *
 * The region of an object is its `region` attribute when the resource type
 * has one and it is set, else the region of the provider's client; the
 * account is the client's (STS GetCallerIdentity once per client, or the
 * assumed role's). Identities are built from a state alone, so read, plan,
 * apply, import and list give one object the same identity.
 */
#ifndef SSMPATCH_RES_IDENTITY_H
#define SSMPATCH_RES_IDENTITY_H

#include "../core/diag.h"
#include "../core/schema.h"
#include "../core/value.h"
#include "resource.h"

/*
 * *out = the identity of `obj` (a known state of def's type with its key
 * set), an object of the identity block `ids`'s type. Returns 0, or an
 * aws_err with a diagnostic (the account could not be learnt, a key part is
 * missing).
 */
int resource_identity(const res_def *def, const schema_block *ids, provider_ctx *p,
		      const tf_value *obj, tf_value **out, tf_diags *d);

/*
 * Import by identity: *out = a state of def's type with the key attributes
 * (and `region`, when the type has that attribute) taken from `identity`,
 * the rest null, as resource_import makes one from "<ID>@<region>".
 * account_id, when set, must be the client's; a region other than the
 * client's is where the object is read (types with a `region` attribute) or
 * refused (types without). Each key part must look like an ID of its kind.
 * Returns 0 or AWS_ERR_VALIDATION (or AWS_ERR_OTHER) with a diagnostic.
 */
int resource_import_identity(const res_def *def, provider_ctx *p, const tf_value *identity,
			     tf_value **out, tf_diags *d);

#endif
