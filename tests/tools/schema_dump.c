/*
 * schema_dump.c - print the provider's schema tables as JSON, in the shape of
 * `terraform providers schema -json` ("provider", "resource_schemas",
 * "data_source_schemas", "list_resource_schemas", "action_schemas" and
 * "identity_schemas", each a block of attributes and block_types; an
 * identity's required attributes are those required for import). Test tooling: the docs-vs-schema
 * test reads it without starting a gRPC server.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "core/schema.h"
#include "engine/engine.h"

static json_t *block_json(const schema_block *b)
{
	json_t *out = json_object(), *attrs = json_object(), *blocks = json_object();
	for (size_t i = 0; i < b->n_attrs; i++) {
		const schema_attr *a = &b->attrs[i];
		char *type = tf_type_to_json(schema_attr_type_of(a));
		json_t *j = json_pack("{s:s, s:b, s:b, s:b, s:b, s:b}", "type", type ? type : "?",
				      "required", (a->flags & SCHEMA_REQUIRED) != 0, "optional",
				      (a->flags & SCHEMA_OPTIONAL) != 0, "computed",
				      (a->flags & SCHEMA_COMPUTED) != 0, "sensitive",
				      (a->flags & SCHEMA_SENSITIVE) != 0, "force_new",
				      (a->flags & SCHEMA_FORCE_NEW) != 0);
		free(type);
		if (a->dflt)
			json_object_set_new(j, "default", json_string(a->dflt));
		json_object_set_new(attrs, a->name, j);
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		const schema_nested *n = &b->blocks[i];
		json_t *j = json_pack("{s:s, s:I, s:I, s:o}", "nesting_mode",
				      n->nesting == SCHEMA_NEST_SET    ? "set"
				      : n->nesting == SCHEMA_NEST_LIST ? "list"
								       : "single",
				      "min_items", (json_int_t)n->min_items, "max_items",
				      (json_int_t)n->max_items, "block", block_json(n->block));
		json_object_set_new(blocks, n->name, j);
	}
	json_object_set_new(out, "attributes", attrs);
	json_object_set_new(out, "block_types", blocks);
	return out;
}

/* {type name: {version, block}} of n schemas from at(i). */
static json_t *schemas_json(size_t n, const schema_resource *(*at)(size_t))
{
	json_t *out = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(out, at(i)->type_name,
				    json_pack("{s:I, s:o}", "version", (json_int_t)at(i)->version,
					      "block", block_json(at(i)->block)));
	return out;
}

int main(void)
{
	json_t *root = json_object();
	json_object_set_new(root, "provider",
			    json_pack("{s:o}", "block", block_json(engine_provider_schema())));
	json_object_set_new(root, "resource_schemas",
			    schemas_json(engine_resource_count(), engine_resource_at));
	json_object_set_new(root, "data_source_schemas",
			    schemas_json(engine_data_source_count(), engine_data_source_at));
	json_object_set_new(root, "list_resource_schemas",
			    schemas_json(engine_list_resource_count(), engine_list_resource_at));
	json_object_set_new(root, "action_schemas",
			    schemas_json(engine_action_count(), engine_action_at));
	json_object_set_new(root, "identity_schemas",
			    schemas_json(engine_identity_count(), engine_identity_at));
	json_dumpf(root, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(root);
	return 0;
}
