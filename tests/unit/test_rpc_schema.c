/*
 * test_rpc_schema.c - the cached GetSchema (v5) / GetProviderSchema (v6)
 * response, unpacked with protobuf-c and compared with the schema tables it is
 * derived from: every resource and data source, every attribute with its type
 * JSON and flags, every nested block with nesting and item limits.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "rpc/rpc_provider.h"
#include "tfplugin5.pb-c.h"
#include "tfplugin6.pb-c.h"
#include "unit.h"

/* Compare one v5 block with its table, recursively. */
static void check_block5(const Tfplugin5__Schema__Block *blk, const schema_block *b)
{
	CHECK(blk != NULL);
	if (!blk)
		return;
	CHECK(blk->description_kind == TFPLUGIN5__STRING_KIND__MARKDOWN);
	CHECK(blk->n_attributes == b->n_attrs);
	CHECK(blk->n_block_types == b->n_blocks);
	for (size_t i = 0; i < blk->n_attributes && i < b->n_attrs; i++) {
		const Tfplugin5__Schema__Attribute *a = blk->attributes[i];
		const schema_attr *sa = &b->attrs[i];
		char *want = tf_type_to_json(schema_attr_type_of(sa));
		CHECK_STR(a->name, sa->name);
		CHECK(want && a->type.len == strlen(want) &&
		      memcmp(a->type.data, want, a->type.len) == 0);
		free(want);
		CHECK(a->required == ((sa->flags & SCHEMA_REQUIRED) != 0));
		CHECK(a->sensitive == ((sa->flags & SCHEMA_SENSITIVE) != 0));
		if (sa->flags & SCHEMA_COMPUTED)
			CHECK(a->computed);
		if (sa->flags & SCHEMA_OPTIONAL)
			CHECK(a->optional);
		if (sa->dflt) /* a default is planned, so it must be optional+computed */
			CHECK(a->optional && a->computed);
		CHECK(a->required || a->optional || a->computed);
		CHECK(!(a->required && (a->optional || a->computed)));
		CHECK(!a->write_only && !a->deprecated);
		CHECK_STR(a->description, sa->description ? sa->description : "");
	}
	for (size_t i = 0; i < blk->n_block_types && i < b->n_blocks; i++) {
		const Tfplugin5__Schema__NestedBlock *nb = blk->block_types[i];
		const schema_nested *sn = &b->blocks[i];
		CHECK_STR(nb->type_name, sn->name);
		CHECK((int)nb->nesting ==
		      (int)sn->nesting); /* SINGLE=1 LIST=2 SET=3 on both sides */
		CHECK(nb->min_items == sn->min_items && nb->max_items == sn->max_items);
		check_block5(nb->block, sn->block);
	}
}

static void test_rpc_schema__v5_matches_tables(void)
{
	const uint8_t *bytes;
	size_t len, n = engine_resource_count();
	Tfplugin5__GetProviderSchema__Response *r;

	CHECK(rpc_v5_schema_response(&bytes, &len) == 0);
	r = (Tfplugin5__GetProviderSchema__Response *)protobuf_c_message_unpack(
		&tfplugin5__get_provider_schema__response__descriptor, NULL, len, bytes);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(r->n_diagnostics == 0);
	CHECK(r->server_capabilities != NULL);
	/* Terraform 1.6+ takes the schema from its cache after the first call. */
	CHECK(!r->server_capabilities->plan_destroy &&
	      r->server_capabilities->get_provider_schema_optional &&
	      !r->server_capabilities->move_resource_state &&
	      !r->server_capabilities->generate_resource_config);
	CHECK(r->provider && r->provider->version == 0);
	if (r->provider)
		check_block5(r->provider->block, engine_provider_schema());
	CHECK(r->n_resource_schemas == n && n == 4);
	CHECK(r->provider_meta == NULL);
	for (size_t i = 0; i < r->n_resource_schemas && i < n; i++) {
		const schema_resource *sr = engine_resource_at(i);
		CHECK_STR(r->resource_schemas[i]->key, sr->type_name);
		CHECK(r->resource_schemas[i]->value->version == sr->version);
		check_block5(r->resource_schemas[i]->value->block, sr->block);
	}
	CHECK(r->n_data_source_schemas == engine_data_source_count() &&
	      engine_data_source_count() == 4);
	for (size_t i = 0; i < r->n_data_source_schemas && i < engine_data_source_count(); i++) {
		const schema_resource *sr = engine_data_source_at(i);
		CHECK_STR(r->data_source_schemas[i]->key, sr->type_name);
		CHECK(r->data_source_schemas[i]->value->version == sr->version);
		check_block5(r->data_source_schemas[i]->value->block, sr->block);
	}
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_rpc_schema__v6_same_content(void)
{
	const uint8_t *b5, *b6, *again;
	size_t l5, l6, l_again;
	Tfplugin6__GetProviderSchema__Response *r;

	CHECK(rpc_v5_schema_response(&b5, &l5) == 0);
	CHECK(rpc_v6_schema_response(&b6, &l6) == 0);
	CHECK(rpc_v6_schema_response(&again, &l_again) == 0);
	CHECK(again == b6 && l_again == l6); /* built once, cached */
	/* Attribute fields 9/10 (v5) vs 11/12 (v6) aside, the encodings agree byte
	 * for byte because this provider sets none of them. */
	CHECK(l5 == l6 && memcmp(b5, b6, l5) == 0);
	r = (Tfplugin6__GetProviderSchema__Response *)protobuf_c_message_unpack(
		&tfplugin6__get_provider_schema__response__descriptor, NULL, l6, b6);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(r->n_resource_schemas == engine_resource_count());
	CHECK(r->provider && r->provider->block &&
	      r->provider->block->n_attributes == engine_provider_schema()->n_attrs);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

int main(void)
{
	RUN(test_rpc_schema__v5_matches_tables);
	RUN(test_rpc_schema__v6_same_content);
	return unit_summary();
}
