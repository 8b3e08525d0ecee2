/*
 * plugin_services.c - go-plugin's side services on the provider's gRPC server.
 *
 *  - grpc.health.v1.Health/Check: SERVING for "" and "plugin" (go-plugin's
 *    Ping), NOT_FOUND status for any other service name. Watch is not
 *    registered, so it is answered UNIMPLEMENTED.
 *  - plugin.GRPCController/Shutdown: replies, then asks the server to stop;
 *    main() removes the socket and exits 0.
 *  - plugin.GRPCStdio/StreamStdio: a server stream held open, with nothing
 *    sent, until shutdown (the provider never writes to stdout).
 *  - plugin.GRPCBroker/StartStream is not registered (UNIMPLEMENTED; the
 *    client ignores it).
 */
#include "rpc_provider.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "grpc_controller.pb-c.h"
#include "health.pb-c.h"

static rpc_server *g_server; /* the server Shutdown stops */

static void pack(rpc_reply *r, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);

	r->body = malloc(n ? n : 1);
	if (!r->body) {
		r->status = GRPC_STATUS_RESOURCE_EXHAUSTED;
		r->message = "out of memory";
		return;
	}
	r->len = protobuf_c_message_pack(m, r->body);
}

static void health_check(const uint8_t *req, size_t len, rpc_reply *r)
{
	Grpc__Health__V1__HealthCheckRequest *in =
		grpc__health__v1__health_check_request__unpack(NULL, len, req);
	Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;

	if (!in) {
		r->status = GRPC_STATUS_INVALID_ARGUMENT;
		r->message = "malformed request message";
		return;
	}
	if (in->service && in->service[0] && strcmp(in->service, "plugin") != 0) {
		r->status = GRPC_STATUS_NOT_FOUND;
		r->message = "unknown service";
	} else {
		resp.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
		pack(r, &resp.base);
	}
	grpc__health__v1__health_check_request__free_unpacked(in, NULL);
}

static void controller_shutdown(const uint8_t *req, size_t len, rpc_reply *r)
{
	Plugin__Empty *in = plugin__empty__unpack(NULL, len, req);
	Plugin__Empty resp = PLUGIN__EMPTY__INIT;

	if (!in) {
		r->status = GRPC_STATUS_INVALID_ARGUMENT;
		r->message = "malformed request message";
		return;
	}
	plugin__empty__free_unpacked(in, NULL);
	LOG_D("provider.rpc", "shutdown requested by the plugin client");
	pack(r, &resp.base);
	/* The reply is sent after we return; the server drains it before stopping. */
	rpc_server_request_shutdown(g_server);
}

int rpc_plugin_services_register(rpc_server *s)
{
	g_server = s;
	if (rpc_server_add_method(s, "/grpc.health.v1.Health/Check", RPC_METHOD_UNARY,
				  health_check) != 0 ||
	    rpc_server_add_method(s, "/plugin.GRPCController/Shutdown", RPC_METHOD_UNARY,
				  controller_shutdown) != 0 ||
	    rpc_server_add_method(s, "/plugin.GRPCStdio/StreamStdio", RPC_METHOD_HOLD_STREAM,
				  NULL) != 0)
		return -1;
	return 0;
}
