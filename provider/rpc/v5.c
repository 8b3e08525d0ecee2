/*
 * v5.c - tfplugin5.Provider (protocol 5.10; Terraform 0.12 and later): the
 * instantiation of tfplugin_common.inc for the Tfplugin5 names. It defines
 * rpc_v5_register and rpc_v5_schema_response (rpc_provider.h). Version 5 only:
 * GetSchema, PrepareProviderConfig (echoes the configuration back as
 * prepared_config), ValidateResourceTypeConfig, ValidateDataSourceConfig,
 * Configure, Stop.
 */
#include "rpc_provider.h"

#define TFP_VERSION 5
#include "tfplugin_common.inc"
