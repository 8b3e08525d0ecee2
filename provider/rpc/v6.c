/*
 * v6.c - tfplugin6.Provider (protocol 6.10; Terraform 0.15 and later).
 *
 * Thin adapter: the shared converters and handlers come from
 * tfplugin_common.inc instantiated for the Tfplugin6 names; this file adds the
 * RPCs whose message names are version 6 only (GetProviderSchema,
 * ValidateProviderConfig, ValidateResourceConfig, ValidateDataResourceConfig,
 * ConfigureProvider, StopProvider) and the method table.
 */
#include "rpc_provider.h"

#include "tfplugin6.pb-c.h"

#define TFP_T(x) Tfplugin6__##x
#define TFP_F(x) tfplugin6__##x
#define TFP_I(x) TFPLUGIN6__##x
#include "tfplugin_common.inc"

#define PATH(m) "/tfplugin6.Provider/" m

TFP_DIAG_ONLY_HANDLER(v6_validate_provider_config, ValidateProviderConfig, validate_provider_config,
		      VALIDATE_PROVIDER_CONFIG, {
			      rpc_dv cfg = tfp_dv_in(in->config);
			      rpc_op_validate_provider(&cfg, NULL, &d);
		      })

TFP_DIAG_ONLY_HANDLER(v6_validate_resource_config, ValidateResourceConfig, validate_resource_config,
		      VALIDATE_RESOURCE_CONFIG, {
			      rpc_dv cfg = tfp_dv_in(in->config);
			      rpc_op_validate_resource(in->type_name, &cfg, &d);
		      })

TFP_DIAG_ONLY_HANDLER(v6_validate_data_resource_config, ValidateDataResourceConfig,
		      validate_data_resource_config, VALIDATE_DATA_RESOURCE_CONFIG,
		      { rpc_op_no_data_source(in->type_name, &d); })

TFP_DIAG_ONLY_HANDLER(v6_configure_provider, ConfigureProvider, configure_provider,
		      CONFIGURE_PROVIDER, {
			      rpc_dv cfg = tfp_dv_in(in->config);
			      rpc_op_configure(in->terraform_version, &cfg, &d);
		      })

static void v6_stop_provider(const uint8_t *req, size_t len, rpc_reply *r)
{
	Tfplugin6__StopProvider__Request *in =
		tfp_unpack(&tfplugin6__stop_provider__request__descriptor, len, req);
	Tfplugin6__StopProvider__Response resp = TFPLUGIN6__STOP_PROVIDER__RESPONSE__INIT;

	if (!in) {
		tfp_reply_invalid(r);
		return;
	}
	protobuf_c_message_free_unpacked(&in->base, NULL);
	rpc_op_stop();
	tfp_reply_pack(r, &resp.base, NULL); /* empty Error: stopped */
}

int rpc_v6_schema_response(const uint8_t **out, size_t *len)
{
	return tfp_schema_response(out, len);
}

int rpc_v6_register(rpc_server *s)
{
	static const struct {
		const char *path;
		rpc_unary_fn fn;
	} methods[] = {
		{PATH("GetMetadata"), tfp_get_metadata},
		{PATH("GetProviderSchema"), tfp_get_provider_schema},
		{PATH("ValidateProviderConfig"), v6_validate_provider_config},
		{PATH("ValidateResourceConfig"), v6_validate_resource_config},
		{PATH("ValidateDataResourceConfig"), v6_validate_data_resource_config},
		{PATH("UpgradeResourceState"), tfp_upgrade_resource_state},
		{PATH("ConfigureProvider"), v6_configure_provider},
		{PATH("ReadResource"), tfp_read_resource},
		{PATH("PlanResourceChange"), tfp_plan_resource_change},
		{PATH("ApplyResourceChange"), tfp_apply_resource_change},
		{PATH("ImportResourceState"), tfp_import_resource_state},
		{PATH("ReadDataSource"), tfp_read_data_source},
		{PATH("StopProvider"), v6_stop_provider},
	};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (rpc_server_add_method(s, methods[i].path, RPC_METHOD_UNARY, methods[i].fn) != 0)
			return -1;
	return 0;
}
