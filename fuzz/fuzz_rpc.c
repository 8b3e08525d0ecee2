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
 * The server-streaming handlers (ListResource, InvokeAction) come the same
 * way through __wrap_rpc_server_add_stream_method, and their stream is the
 * fake one below (__wrap_rpc_stream_send/_fail/_cancelled): every message
 * they send is checked, and after STREAM_MAX_MESSAGES the stream reports
 * the client gone, so the handlers' "stop now" path is fuzzed too.
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
 * A stream's every message must unpack as the method's event message; a
 * failed stream has a status message and sends nothing after failing.
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
#define STREAM_MAX_MESSAGES 8

static struct {
	const char *path;
	rpc_unary_fn fn;
	rpc_stream_fn stream_fn;
} g_methods[MAX_METHODS];
static size_t g_n;

/* The fake stream handed to a streaming handler. */
struct rpc_stream {
	const char *path;
	const ProtobufCMessageDescriptor *event;
	size_t sent;
	bool failed;
};

int __wrap_rpc_server_add_stream_method(rpc_server *s, const char *path, rpc_stream_fn fn);
int __wrap_rpc_stream_send(rpc_stream *st, uint8_t *body, size_t len);
bool __wrap_rpc_stream_cancelled(rpc_stream *st);
void __wrap_rpc_stream_fail(rpc_stream *st, grpc_status_code code, const char *message);

int __wrap_rpc_server_add_stream_method(rpc_server *s, const char *path, rpc_stream_fn fn)
{
	(void)s;
	if (g_n == MAX_METHODS)
		return -1;
	g_methods[g_n].path = path;
	g_methods[g_n].stream_fn = fn;
	g_n++;
	return 0;
}

int __wrap_rpc_stream_send(rpc_stream *st, uint8_t *body, size_t len)
{
	ProtobufCMessage *m;

	FUZZ_CHECK(!st->failed, "%s: a message after the stream failed", st->path);
	m = protobuf_c_message_unpack(st->event, NULL, len, body);
	FUZZ_CHECK(m, "%s: a streamed message is not a valid event", st->path);
	protobuf_c_message_free_unpacked(m, NULL);
	free(body);
	return ++st->sent >= STREAM_MAX_MESSAGES ? -1 : 0;
}

bool __wrap_rpc_stream_cancelled(rpc_stream *st)
{
	return st->sent >= STREAM_MAX_MESSAGES;
}

void __wrap_rpc_stream_fail(rpc_stream *st, grpc_status_code code, const char *message)
{
	FUZZ_CHECK(code != GRPC_STATUS_OK && message && message[0], "%s: failed without a status",
		   st->path);
	st->failed = true;
}

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
	if (g_methods[i].stream_fn) {
		rpc_stream st = {.path = g_methods[i].path,
				 .event = response_of(g_methods[i].path)};

		g_methods[i].stream_fn(data + 1, size - 1, &st);
		return 0;
	}
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
