/*
 * fuzz_rpc.c - libFuzzer target: the tfplugin5 and tfplugin6 Provider request
 * handlers on raw protobuf request bytes, without gRPC or a network.
 *
 * The handlers in provider/rpc/v5.c and v6.c are static; they reach the
 * outside world only through rpc_server_add_method(). This target is linked
 * with -Wl,--wrap=rpc_server_add_method, so rpc_v5_register() and
 * rpc_v6_register() hand their method tables to __wrap_rpc_server_add_method
 * below instead of a server: the fuzzer then calls each handler exactly as the
 * server's worker threads do (request bytes in, rpc_reply out).
 *
 * Input: selector byte (which method, in registration order, v5 then v6;
 * SSMPATCH_FUZZ_LIST_METHODS=1 prints the table), then the serialized request
 * message. Configure and Stop are not fuzzed:
 * the provider is configured once at start-up with every endpoint at
 * http://127.0.0.1:1 (connection refused at once), static credentials and
 * max_retries 0, so Read/Apply/Import fail fast without any network, and a
 * Stop would cancel all later calls for good.
 *
 * Oracle: an OK reply must unpack as the method's response message (from the
 * generated service descriptor); an error reply must carry a status message.
 */
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "core/diag.h"
#include "fuzz_common.h"
#include "rpc/rpc_provider.h"
#include "rpc/server.h"
#include "tfplugin5.pb-c.h"
#include "tfplugin6.pb-c.h"

#define MAX_METHODS 64

static struct {
	const char *path;
	rpc_unary_fn fn;
} g_methods[MAX_METHODS];
static size_t g_n;

int __wrap_rpc_server_add_method(rpc_server *s, const char *path, rpc_method_kind kind,
				 rpc_unary_fn fn);

int __wrap_rpc_server_add_method(rpc_server *s, const char *path, rpc_method_kind kind,
				 rpc_unary_fn fn)
{
	(void)s;
	if (kind != RPC_METHOD_UNARY || strstr(path, "/Configure") || strstr(path, "/Stop"))
		return 0;
	if (g_n == MAX_METHODS)
		return -1;
	g_methods[g_n].path = path;
	g_methods[g_n].fn = fn;
	g_n++;
	return 0;
}

static tf_value *str(const char *s)
{
	tf_value *v = tf_value_string(s);
	FUZZ_CHECK(v, "out of memory");
	return v;
}

/* Provider configuration: no real AWS reachable, no retries, no waiting. */
static void configure(void)
{
	const schema_block *pb = engine_provider_schema();
	const schema_nested *epn = schema_find_block(pb, "endpoints");
	tf_value *cfg = schema_new_object(pb), *eps, *ep;
	tf_diags d;

	FUZZ_CHECK(cfg && epn, "provider schema");
	ep = schema_new_object(epn->block);
	eps = tf_value_empty(tf_type_list(schema_block_type(epn->block)));
	FUZZ_CHECK(ep && eps, "out of memory");
	FUZZ_CHECK(tf_value_set_attr(ep, "ssm", str("http://127.0.0.1:1")) == 0 &&
			   tf_value_set_attr(ep, "sts", str("http://127.0.0.1:1")) == 0 &&
			   tf_value_append(eps, ep) == 0,
		   "endpoints");
	FUZZ_CHECK(tf_value_set_attr(cfg, "endpoints", eps) == 0 &&
			   tf_value_set_attr(cfg, "region", str("us-east-1")) == 0 &&
			   tf_value_set_attr(cfg, "access_key", str("AKIDFUZZ")) == 0 &&
			   tf_value_set_attr(cfg, "secret_key", str("fuzz-secret")) == 0 &&
			   tf_value_set_attr(cfg, "max_retries", tf_value_number_i64(0)) == 0,
		   "provider config");
	tf_diags_init(&d);
	engine_configure(cfg, "1.11.4", &d);
	FUZZ_CHECK(!tf_diags_has_error(&d), "configure failed: %s: %s", d.items[0].summary,
		   d.items[0].detail ? d.items[0].detail : "");
	tf_diags_free(&d);
	tf_value_free(cfg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	FUZZ_CHECK(rpc_v5_register(NULL) == 0 && rpc_v6_register(NULL) == 0, "register");
	FUZZ_CHECK(g_n > 0, "no methods");
	if (getenv("SSMPATCH_FUZZ_LIST_METHODS")) /* for fuzz/gen_corpus.py */
		for (size_t i = 0; i < g_n; i++)
			printf("%zu %s\n", i, g_methods[i].path);
	configure();
	return 0;
}

/* Response descriptor of a method path "/tfpluginN.Provider/Name". */
static const ProtobufCMessageDescriptor *response_of(const char *path)
{
	const ProtobufCServiceDescriptor *sd = strncmp(path, "/tfplugin5.", 11) == 0
						       ? &tfplugin5__provider__descriptor
						       : &tfplugin6__provider__descriptor;
	const char *name = strrchr(path, '/') + 1;
	const ProtobufCMethodDescriptor *m =
		protobuf_c_service_descriptor_get_method_by_name(sd, name);

	FUZZ_CHECK(m, "no method %s in the service descriptor", path);
	return m->output;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rpc_reply r;
	size_t i;
	const uint8_t *body;
	ProtobufCMessage *resp;

	if (size < 1)
		return 0;
	i = data[0] % g_n;
	memset(&r, 0, sizeof(r));
	r.status = GRPC_STATUS_OK;
	g_methods[i].fn(data + 1, size - 1, &r);
	if (r.status == GRPC_STATUS_OK) {
		body = r.body ? r.body : r.borrowed_body;
		FUZZ_CHECK(body || r.len == 0, "%s: length without a body", g_methods[i].path);
		resp = protobuf_c_message_unpack(response_of(g_methods[i].path), NULL, r.len, body);
		FUZZ_CHECK(resp, "%s: reply is not a valid response message", g_methods[i].path);
		protobuf_c_message_free_unpacked(resp, NULL);
	} else {
		FUZZ_CHECK(r.message && r.message[0], "%s: error status without a message",
			   g_methods[i].path);
		FUZZ_CHECK(!r.body, "%s: error status with a body", g_methods[i].path);
	}
	free(r.body);
	return 0;
}
