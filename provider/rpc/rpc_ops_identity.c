/*
 * rpc_ops_identity.c - the protocol-neutral middle of resource identity
 * (Terraform 1.12+): UpgradeResourceIdentity, import by identity, and the
 * identity that goes with the state of a read, plan, apply or import. See
 * rpc_ops.h.
 */
#include "rpc_ops.h"

#include "engine/engine.h"

void rpc_op_identity_for(const char *type_name, const rpc_bytes *state, const rpc_dv *known,
			 rpc_bytes *out, tf_diags *d)
{
	const schema_resource *r, *ids;
	rpc_dv st = {.msgpack = state ? state->data : NULL, .msgpack_len = state ? state->len : 0};
	tf_value *sv = NULL, *kv = NULL, *id = NULL;

	out->data = NULL;
	out->len = 0;
	if (!st.msgpack_len || !(r = engine_resource(type_name, d)) ||
	    !(ids = engine_identity_schema(type_name, d)))
		return;
	if (!(sv = rpc_dv_decode(&st, schema_block_type(r->block), "state", d)))
		return;
	if (known && (known->msgpack_len || known->json_len)) {
		tf_diags scratch;

		/* An identity Terraform kept that no longer decodes is recomputed. */
		tf_diags_init(&scratch);
		kv = rpc_dv_decode(known, schema_block_type(ids->block), "identity", &scratch);
		tf_diags_free(&scratch);
	}
	engine_identity_for(type_name, sv, kv, &id, d);
	if (id)
		rpc_dv_encode(id, schema_block_type(ids->block), "identity", out, d);
	tf_value_free(id);
	tf_value_free(kv);
	tf_value_free(sv);
}

void rpc_op_import_identity(const char *type_name, const rpc_dv *identity, rpc_bytes *out,
			    tf_diags *d)
{
	const schema_resource *r, *ids;
	tf_value *iv, *st = NULL;

	out->data = NULL;
	out->len = 0;
	if (!(r = engine_resource(type_name, d)) || !(ids = engine_identity_schema(type_name, d)) ||
	    !(iv = rpc_dv_decode(identity, schema_block_type(ids->block), "identity", d)))
		return;
	engine_import_identity(type_name, iv, &st, d);
	if (st)
		rpc_dv_encode(st, schema_block_type(r->block), "imported state", out, d);
	else if (!tf_diags_has_error(d))
		tf_diags_error(d, NULL, "Import failed", "Nothing was imported for this identity.");
	tf_value_free(st);
	tf_value_free(iv);
}

void rpc_op_upgrade_identity(const char *type_name, int64_t version, const uint8_t *json,
			     size_t json_len, rpc_bytes *out, tf_diags *d)
{
	const schema_resource *ids;
	tf_value *v;

	out->data = NULL;
	out->len = 0;
	if (!(ids = engine_identity_schema(type_name, d)))
		return;
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
