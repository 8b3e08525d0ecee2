/*
 * rpc_ops_list.c - the protocol-neutral middle of ValidateListResourceConfig
 * and ListResource (Terraform 1.14+, `terraform query`): the list block's
 * `config` decoded with the list resource's schema, each result's identity
 * and object encoded with the managed resource's identity and block types.
 * See rpc_ops.h.
 */
#include "rpc_ops.h"

#include <stdlib.h>

#include "engine/engine.h"

void rpc_op_validate_list(const char *type_name, const rpc_dv *config, const rpc_dv *include_object,
			  const rpc_dv *limit, tf_diags *d)
{
	const schema_resource *s = engine_list_resource(type_name, d);
	tf_value *cfg, *inc = NULL, *lim = NULL;
	int64_t n;

	if (!s ||
	    !(cfg = rpc_dv_decode(config, schema_block_type(s->block), "list configuration", d)))
		return;
	engine_validate_list(type_name, cfg, d);
	tf_value_free(cfg);
	if (include_object && (include_object->msgpack_len || include_object->json_len))
		inc = rpc_dv_decode(include_object, &tf_type_bool, "include_resource", d);
	if (limit && (limit->msgpack_len || limit->json_len)) {
		lim = rpc_dv_decode(limit, &tf_type_number, "limit", d);
		if (tf_value_is_known(lim) && (tf_value_number_as_i64(lim, &n) != 0 || n < 0))
			tf_diags_error(d, NULL, "Invalid limit",
				       "limit must be a whole number of zero or more.");
	}
	tf_value_free(inc);
	tf_value_free(lim);
}

typedef struct {
	const tf_type *identity, *object;
	rpc_list_emit emit;
	void *ctx;
	tf_diags *d;
} list_ctx;

static int encode_one(void *ctx, const engine_list_item *item)
{
	list_ctx *c = ctx;
	rpc_bytes id = {NULL, 0}, obj = {NULL, 0};
	int rc = 1;

	rpc_dv_encode(item->identity, c->identity, "identity", &id, c->d);
	if (!id.data)
		goto done;
	if (item->object) {
		rpc_dv_encode(item->object, c->object, "resource object", &obj, c->d);
		if (!obj.data)
			goto done;
	}
	rc = c->emit(c->ctx, item->display_name, &id, &obj);
done:
	free(id.data);
	free(obj.data);
	return rc;
}

void rpc_op_list(const char *type_name, const rpc_dv *config, bool include_object, int64_t limit,
		 rpc_list_emit emit, void *ctx, tf_diags *d)
{
	const schema_resource *s = engine_list_resource(type_name, d);
	const schema_resource *r = s ? engine_resource(type_name, d) : NULL;
	const schema_resource *ids = r ? engine_identity_schema(type_name, d) : NULL;
	list_ctx c = {.emit = emit, .ctx = ctx, .d = d};
	tf_value *cfg;

	if (!ids)
		return;
	c.identity = schema_block_type(ids->block);
	c.object = schema_block_type(r->block);
	if (!(cfg = rpc_dv_decode(config, schema_block_type(s->block), "list configuration", d)))
		return;
	engine_list(type_name, cfg, include_object, limit, encode_one, &c, d);
	tf_value_free(cfg);
}
