/*
 * v6.c - tfplugin6.Provider (protocol 6.10; Terraform 0.15 and later): the
 * instantiation of tfplugin_common.inc for the Tfplugin6 names. It defines
 * rpc_v6_register and rpc_v6_schema_response (rpc_provider.h). Version 6
 * names: GetProviderSchema, ValidateProviderConfig, ValidateResourceConfig,
 * ValidateDataResourceConfig, ConfigureProvider, StopProvider.
 */
#include "rpc_provider.h"

#define TFP_VERSION 6
#include "tfplugin_common.inc"
