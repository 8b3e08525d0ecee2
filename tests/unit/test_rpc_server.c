/*
 * test_rpc_server.c - the gRPC core server on its own (no provider handlers):
 * slow handlers run in parallel (all N_SLOW of them are inside their handler at
 * once), a fast call is answered while the slow ones block, unknown paths get
 * UNIMPLEMENTED, a missing/garbled request gets a status instead of a crash, and
 * GRPCController/Shutdown is answered and stops the server. A gRPC core C client
 * talks to the server over a unix socket.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "rpc/handshake.h"
#include "rpc/rpc_provider.h"
#include "rpc/server.h"
#include "unit.h"

#define N_SLOW 20
#define GATE_TIMEOUT_S 60 /* only against a hang: the gate is event-driven */

/*
 * The slow handlers' gate: each one counts itself in and blocks (its "AWS I/O")
 * until the test opens the gate, so what runs in parallel is counted, never
 * timed (the test also runs under qemu-user on a loaded machine).
 */
static pthread_mutex_t g_gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_gate_cv = PTHREAD_COND_INITIALIZER;
static int g_in_slow;
static bool g_gate_open;

/* Waits until pred() holds under g_gate_mu; false after GATE_TIMEOUT_S. */
static bool gate_wait(bool (*pred)(void))
{
	struct timespec dl;
	bool ok = true;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += GATE_TIMEOUT_S;
	pthread_mutex_lock(&g_gate_mu);
	while (!pred() && ok)
		ok = pthread_cond_timedwait(&g_gate_cv, &g_gate_mu, &dl) == 0;
	ok = pred();
	pthread_mutex_unlock(&g_gate_mu);
	return ok;
}

static bool gate_is_open(void)
{
	return g_gate_open;
}

static bool all_slow_inside(void)
{
	return g_in_slow == N_SLOW;
}

/* Echo, once the gate opens. */
static void slow_echo(const uint8_t *req, size_t len, rpc_reply *r)
{
	pthread_mutex_lock(&g_gate_mu);
	g_in_slow++;
	pthread_cond_broadcast(&g_gate_cv);
	pthread_mutex_unlock(&g_gate_mu);
	gate_wait(gate_is_open);
	r->body = malloc(len ? len : 1);
	memcpy(r->body, req, len);
	r->len = len;
}

static void fast_echo(const uint8_t *req, size_t len, rpc_reply *r)
{
	r->body = malloc(len ? len : 1);
	memcpy(r->body, req, len);
	r->len = len;
}

static void failing(const uint8_t *req, size_t len, rpc_reply *r)
{
	(void)req;
	(void)len;
	r->status = GRPC_STATUS_INVALID_ARGUMENT;
	r->message = "no";
}

static grpc_channel *g_channel;

/* Blocking unary call. Returns the status; *resp (malloc'd) gets the reply. */
static grpc_status_code call(const char *method, const char *req, char **resp)
{
	grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
	gpr_timespec deadline =
		gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_seconds(20, GPR_TIMESPAN));
	grpc_call *c = grpc_channel_create_call(g_channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
						grpc_slice_from_static_string(method), NULL,
						deadline, NULL);
	grpc_slice sl = grpc_slice_from_copied_string(req);
	grpc_byte_buffer *send = grpc_raw_byte_buffer_create(&sl, 1), *recv = NULL;
	grpc_metadata_array md, trailing;
	grpc_status_code status = GRPC_STATUS_UNKNOWN;
	grpc_slice details;
	grpc_op ops[6];
	grpc_event ev;

	grpc_slice_unref(sl);
	grpc_metadata_array_init(&md);
	grpc_metadata_array_init(&trailing);
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &md;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &recv;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
	ops[5].data.recv_status_on_client.status = &status;
	ops[5].data.recv_status_on_client.status_details = &details;
	if (grpc_call_start_batch(c, ops, 6, (void *)1, NULL) == GRPC_CALL_OK) {
		ev = grpc_completion_queue_next(cq, deadline, NULL);
		(void)ev;
		grpc_slice_unref(details);
	}
	*resp = NULL;
	if (recv) {
		grpc_byte_buffer_reader rd;
		grpc_slice all;
		grpc_byte_buffer_reader_init(&rd, recv);
		all = grpc_byte_buffer_reader_readall(&rd);
		*resp = strndup((const char *)GRPC_SLICE_START_PTR(all), GRPC_SLICE_LENGTH(all));
		grpc_slice_unref(all);
		grpc_byte_buffer_reader_destroy(&rd);
		grpc_byte_buffer_destroy(recv);
	}
	grpc_byte_buffer_destroy(send);
	grpc_metadata_array_destroy(&md);
	grpc_metadata_array_destroy(&trailing);
	grpc_call_unref(c);
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
	       GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(cq);
	return status;
}

typedef struct {
	int i;
	bool ok;
} slow_arg;

static void *slow_thread(void *p)
{
	slow_arg *a = p;
	char req[32], *resp = NULL;
	snprintf(req, sizeof(req), "slow-%d", a->i);
	a->ok = call("/test.S/Slow", req, &resp) == GRPC_STATUS_OK && resp &&
		strcmp(resp, req) == 0;
	free(resp);
	return NULL;
}

static rpc_server *g_server;
static int g_wait_rc = -1;

static void *wait_thread(void *p)
{
	(void)p;
	g_wait_rc = rpc_server_wait(g_server);
	return NULL;
}

static void test_rpc_server__parallel_unimplemented_shutdown(void)
{
	char path[108], addr[128], *resp = NULL;
	rpc_server_opts opts;
	pthread_t slow[N_SLOW], waiter;
	slow_arg args[N_SLOW];
	bool inside, fast_ok;
	int i;

	memset(&opts, 0, sizeof(opts));
	CHECK(rpc_server_new(&g_server, &opts) == 0);
	CHECK(rpc_server_add_method(g_server, "/test.S/Slow", RPC_METHOD_UNARY, slow_echo) == 0);
	CHECK(rpc_server_add_method(g_server, "/test.S/Fast", RPC_METHOD_UNARY, fast_echo) == 0);
	CHECK(rpc_server_add_method(g_server, "/test.S/Fail", RPC_METHOD_UNARY, failing) == 0);
	CHECK(rpc_server_add_method(g_server, "no-slash", RPC_METHOD_UNARY, fast_echo) == -1);
	CHECK(rpc_plugin_services_register(g_server) == 0);
	CHECK(handshake_socket_path(path, sizeof(path), NULL) == 0);
	CHECK(rpc_server_listen_unix(g_server, path, 0600, -1) == 0);
	CHECK(rpc_server_start(g_server) == 0);
	CHECK(access(path, F_OK) == 0);
	pthread_create(&waiter, NULL, wait_thread, NULL);

	snprintf(addr, sizeof(addr), "unix:%s", path);
	{
		grpc_channel_credentials *creds = grpc_insecure_credentials_create();
		g_channel = grpc_channel_create(addr, creds, NULL);
		grpc_channel_credentials_release(creds);
	}
	CHECK(call("/test.S/Fast", "warm-up", &resp) == GRPC_STATUS_OK && resp &&
	      strcmp(resp, "warm-up") == 0);
	free(resp);
	resp = NULL;

	/* N_SLOW slow calls at once: all N_SLOW handlers are inside at the same time
	 * (a serial server would hold one), and a fast call is answered meanwhile. */
	for (i = 0; i < N_SLOW; i++) {
		args[i].i = i;
		args[i].ok = false;
		pthread_create(&slow[i], NULL, slow_thread, &args[i]);
	}
	inside = gate_wait(all_slow_inside);
	fast_ok = inside && call("/test.S/Fast", "while busy", &resp) == GRPC_STATUS_OK;
	free(resp);
	pthread_mutex_lock(&g_gate_mu);
	g_gate_open = true;
	pthread_cond_broadcast(&g_gate_cv);
	pthread_mutex_unlock(&g_gate_mu);
	CHECK(inside); /* all N_SLOW handlers were running at once */
	CHECK(fast_ok); /* answered while every slow handler was still blocked */
	for (i = 0; i < N_SLOW; i++) {
		pthread_join(slow[i], NULL);
		CHECK(args[i].ok);
	}

	CHECK(call("/test.S/Missing", "x", &resp) == GRPC_STATUS_UNIMPLEMENTED && resp == NULL);
	CHECK(call("/other.Service/Method", "x", &resp) == GRPC_STATUS_UNIMPLEMENTED);
	CHECK(call("/test.S/Fail", "x", &resp) == GRPC_STATUS_INVALID_ARGUMENT && resp == NULL);
	CHECK(call("/grpc.health.v1.Health/Check", "\xff\xff", &resp) ==
	      GRPC_STATUS_INVALID_ARGUMENT);
	CHECK(call("/grpc.health.v1.Health/Check", "", &resp) == GRPC_STATUS_OK && resp);
	free(resp);

	/* Shutdown is answered, then the server stops (rpc_server_wait returns 0)
	 * with the client still connected: it waits for the client to close, or
	 * disconnects it after a grace period. The join is the event; no clock. */
	CHECK(call("/plugin.GRPCController/Shutdown", "", &resp) == GRPC_STATUS_OK);
	free(resp);
	pthread_join(waiter, NULL);
	CHECK(g_wait_rc == 0);

	grpc_channel_destroy(g_channel);
	rpc_server_free(g_server);
	unlink(path);
}

int main(void)
{
	grpc_init();
	RUN(test_rpc_server__parallel_unimplemented_shutdown);
	grpc_shutdown();
	return unit_summary();
}
