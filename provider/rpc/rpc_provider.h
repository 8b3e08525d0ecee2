/*
 * rpc_provider.h - the tfplugin5.Provider and tfplugin6.Provider services and
 * go-plugin's side services, as method tables for server.c.
 *
 * v5.c / v6.c (each an instantiation of tfplugin_common.inc) register every
 * Provider RPC this provider implements (the rest of each service is answered
 * UNIMPLEMENTED by the server); plugin_services.c registers
 * grpc.health.v1.Health/Check, plugin.GRPCController/Shutdown and
 * plugin.GRPCStdio/StreamStdio.
 */
#ifndef SSMPATCH_RPC_PROVIDER_H
#define SSMPATCH_RPC_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "server.h"

int rpc_v5_register(rpc_server *s);
int rpc_v6_register(rpc_server *s);

/* The cached, packed GetSchema / GetProviderSchema response (borrowed, lives
 * for the process). 0, or -1 when it could not be built. For tests too. */
int rpc_v5_schema_response(const uint8_t **out, size_t *len);
int rpc_v6_schema_response(const uint8_t **out, size_t *len);

/* Shutdown asks `s` to stop (after replying). */
int rpc_plugin_services_register(rpc_server *s);

#endif
