/*
 * rpc_ops_identity.c - the protocol-neutral middle of the identity RPCs
 * (Terraform 1.12+): UpgradeResourceIdentity. See rpc_ops.h.
 */
#include "rpc_ops.h"

#include <string.h>

#include "engine/engine.h"

void rpc_op_upgrade_identity(const char *type_name, int64_t version, const uint8_t *json,
			     size_t json_len, rpc_bytes *out, tf_diags *d)
{
	const schema_resource *ids = NULL;
	tf_value *v;

	out->data = NULL;
	out->len = 0;
	for (size_t i = 0; i < engine_identity_count(); i++)
		if (type_name && strcmp(engine_identity_at(i)->type_name, type_name) == 0)
			ids = engine_identity_at(i);
	if (!ids) {
		tf_diags_error(d, NULL, "Unsupported resource type",
			       "The provider ssmpatch has no identity for \"%s\".",
			       type_name ? type_name : "");
		return;
	}
	if (!json_len) {
		tf_diags_error(d, NULL, "No identity to upgrade",
			       "UpgradeResourceIdentity was called without raw_identity.json.");
		return;
	}
	v = engine_upgrade_identity(type_name, version, (const char *)json, json_len, d);
	if (v)
		rpc_dv_encode(v, schema_block_type(ids->block), "upgraded identity", out, d);
	tf_value_free(v);
}
