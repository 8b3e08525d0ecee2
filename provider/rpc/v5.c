/*
 * v5.c - tfplugin5.Provider (protocol 5.10; Terraform 0.12 and later).
 *
 * Thin adapter: the shared converters and handlers come from
 * tfplugin_common.inc instantiated for the Tfplugin5 names; this file adds the
 * RPCs whose message names are version 5 only (GetSchema, PrepareProviderConfig,
 * ValidateResourceTypeConfig, ValidateDataSourceConfig, Configure, Stop) and
 * the method table. PrepareProviderConfig validates and echoes the
 * configuration back as prepared_config (re-encoded as msgpack).
 */
#include "rpc_provider.h"

#include "tfplugin5.pb-c.h"

#define TFP_T(x) Tfplugin5__##x
#define TFP_F(x) tfplugin5__##x
#define TFP_I(x) TFPLUGIN5__##x
#include "tfplugin_common.inc"

#define PATH(m) "/tfplugin5.Provider/" m

static void v5_prepare_provider_config(const uint8_t *req, size_t len, rpc_reply *r)
{
	Tfplugin5__PrepareProviderConfig__Request *in =
		tfp_unpack(&tfplugin5__prepare_provider_config__request__descriptor, len, req);
	Tfplugin5__PrepareProviderConfig__Response resp =
		TFPLUGIN5__PREPARE_PROVIDER_CONFIG__RESPONSE__INIT;
	rpc_bytes prepared = {NULL, 0};
	rpc_dv cfg;
	tf_diags d;
	rpc_arena a;

	if (!in) {
		tfp_reply_invalid(r);
		return;
	}
	tf_diags_init(&d);
	rpc_arena_init(&a);
	cfg = tfp_dv_in(in->config);
	rpc_op_validate_provider(&cfg, &prepared, &d);
	tfp_log_diags("PrepareProviderConfig", NULL, &d);
	resp.prepared_config = tfp_dv_out(&a, &prepared);
	tfp_diags(&a, &d, &resp.diagnostics, &resp.n_diagnostics);
	tfp_reply_pack(r, &resp.base, &a);
	rpc_arena_free(&a);
	tf_diags_free(&d);
	protobuf_c_message_free_unpacked(&in->base, NULL);
}

TFP_DIAG_ONLY_HANDLER(v5_validate_resource_type_config, ValidateResourceTypeConfig,
		      validate_resource_type_config, VALIDATE_RESOURCE_TYPE_CONFIG, {
			      rpc_dv cfg = tfp_dv_in(in->config);
			      rpc_op_validate_resource(in->type_name, &cfg, &d);
		      })

TFP_DIAG_ONLY_HANDLER(v5_validate_data_source_config, ValidateDataSourceConfig,
		      validate_data_source_config, VALIDATE_DATA_SOURCE_CONFIG,
		      { rpc_op_no_data_source(in->type_name, &d); })

TFP_DIAG_ONLY_HANDLER(v5_configure, Configure, configure, CONFIGURE, {
	rpc_dv cfg = tfp_dv_in(in->config);
	rpc_op_configure(in->terraform_version, &cfg, &d);
})

static void v5_stop(const uint8_t *req, size_t len, rpc_reply *r)
{
	Tfplugin5__Stop__Request *in = tfp_unpack(&tfplugin5__stop__request__descriptor, len, req);
	Tfplugin5__Stop__Response resp = TFPLUGIN5__STOP__RESPONSE__INIT;

	if (!in) {
		tfp_reply_invalid(r);
		return;
	}
	protobuf_c_message_free_unpacked(&in->base, NULL);
	rpc_op_stop();
	tfp_reply_pack(r, &resp.base, NULL); /* empty Error: stopped */
}

int rpc_v5_schema_response(const uint8_t **out, size_t *len)
{
	return tfp_schema_response(out, len);
}

int rpc_v5_register(rpc_server *s)
{
	static const struct {
		const char *path;
		rpc_unary_fn fn;
	} methods[] = {
		{PATH("GetMetadata"), tfp_get_metadata},
		{PATH("GetSchema"), tfp_get_provider_schema},
		{PATH("PrepareProviderConfig"), v5_prepare_provider_config},
		{PATH("ValidateResourceTypeConfig"), v5_validate_resource_type_config},
		{PATH("ValidateDataSourceConfig"), v5_validate_data_source_config},
		{PATH("UpgradeResourceState"), tfp_upgrade_resource_state},
		{PATH("Configure"), v5_configure},
		{PATH("ReadResource"), tfp_read_resource},
		{PATH("PlanResourceChange"), tfp_plan_resource_change},
		{PATH("ApplyResourceChange"), tfp_apply_resource_change},
		{PATH("ImportResourceState"), tfp_import_resource_state},
		{PATH("ReadDataSource"), tfp_read_data_source},
		{PATH("Stop"), v5_stop},
	};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (rpc_server_add_method(s, methods[i].path, RPC_METHOD_UNARY, methods[i].fn) != 0)
			return -1;
	return 0;
}
