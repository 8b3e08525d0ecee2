/*
 * server.h - the plugin's gRPC server on gRPC core's C API.
 *
 * gRPC core has no C code generation: methods are plain path strings
 * ("/tfplugin5.Provider/GetSchema") registered with a handler that receives the
 * serialized request and produces the serialized response (protobuf-c lives in
 * the handlers, not here). Every method path that was not registered - the
 * unimplemented RPCs of the Provider services, unknown services, go-plugin's
 * broker - is answered UNIMPLEMENTED at once.
 *
 * Concurrency: one completion queue polled by a pool of worker threads. A
 * worker that receives a new call re-arms the request for that method first,
 * then runs the handler synchronously and queues the reply, so slow handlers
 * (AWS I/O inside the engine) run in parallel with each other and with Stop.
 * The pool starts with RPC_SERVER_MIN_THREADS workers and grows on demand: a
 * worker that takes an event while no other worker is idle starts one more,
 * up to RPC_SERVER_THREADS, so a poller stays free for gRPC's own I/O and the
 * next call. (Starting all of them before the handshake line cost about a
 * millisecond of start-up, and Terraform's calls are mostly sequential; at
 * -parallelism=10 the pool settles at about 11; sequential calls keep 2.) Limits: request and response messages up to RPC_SERVER_MAX_MESSAGE
 * bytes; at most RPC_SERVER_MAX_METHODS registered methods.
 *
 * Lifetime: rpc_server_new → rpc_server_add_method... → rpc_server_listen_* →
 * rpc_server_start → rpc_server_wait (returns after rpc_server_request_shutdown
 * and a graceful stop) → rpc_server_free.
 */
#ifndef SSMPATCH_RPC_SERVER_H
#define SSMPATCH_RPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <grpc/status.h>

#define RPC_SERVER_THREADS 24 /* the most workers */
#define RPC_SERVER_MIN_THREADS 1 /* started by rpc_server_start */
#define RPC_SERVER_MAX_METHODS 64
#define RPC_SERVER_MAX_MESSAGE (256 * 1024 * 1024)

/* rpc_server_wait() result when a handler did not return within the grace
 * period: the caller should exit the process without freeing the server. */
#define RPC_SERVER_EDIRTY (-2)

/*
 * What a unary handler answers. On entry status is GRPC_STATUS_OK and the rest
 * zero. Either leave status OK and set body/len (malloc'd, taken over by the
 * server; body NULL means an empty message), or set borrowed_body (bytes that
 * outlive the process's server, e.g. a cached schema), or set an error status
 * and a static message.
 */
typedef struct {
	grpc_status_code status;
	const char *message; /* static text sent with an error status */
	uint8_t *body; /* owned: freed by the server */
	const uint8_t *borrowed_body; /* not freed; used when body is NULL */
	size_t len;
} rpc_reply;

typedef void (*rpc_unary_fn)(const uint8_t *req, size_t req_len, rpc_reply *reply);

typedef enum {
	RPC_METHOD_UNARY = 0,
	/* Server stream kept open without sending anything until shutdown
	 * (go-plugin's GRPCStdio/StreamStdio). The handler is not called. */
	RPC_METHOD_HOLD_STREAM,
	/* Server-streaming RPC (rpc_server_add_stream_method). */
	RPC_METHOD_SERVER_STREAM,
} rpc_method_kind;

/*
 * A server-streaming call (server_stream.c): one request, any number of
 * response messages, then the status. The handler runs on a thread of its
 * own (never on a completion-queue worker), calls rpc_stream_send for each
 * message and returns; the stream then ends with status OK, or with the
 * status of rpc_stream_fail. Flow control: rpc_stream_send returns once gRPC
 * has taken the message, and only one is in flight per stream.
 */
typedef struct rpc_stream rpc_stream;
typedef void (*rpc_stream_fn)(const uint8_t *req, size_t req_len, rpc_stream *st);

/* Send one message (body malloc'd, taken over; NULL = empty message). 0, or
 * -1 when nobody listens any more (the client cancelled or went away, a
 * deadline passed, the server is shutting down): the handler should stop its
 * work and return. */
int rpc_stream_send(rpc_stream *st, uint8_t *body, size_t len);
/* Has the stream been cancelled (as rpc_stream_send's -1)? */
bool rpc_stream_cancelled(rpc_stream *st);
/* End the stream with this status and static message instead of OK (the
 * messages already sent stay sent). */
void rpc_stream_fail(rpc_stream *st, grpc_status_code code, const char *message);

typedef struct rpc_server rpc_server;

typedef struct {
	/* Called once, on the thread running rpc_server_wait, when shutdown starts
	 * (before draining), so in-flight handlers can be told to give up. May be NULL. */
	void (*on_stop)(void);
	/* After the GOAWAY of a shutdown, how long clients may take to close
	 * their connections before the server cuts them; 0 = RPC_CLOSE_MS
	 * (go-plugin's client closes at once and kills the plugin after 2 s). */
	int close_ms;
} rpc_server_opts;

/* 0, or -1 (allocation failure). The server listens without TLS unless
 * rpc_server_use_tls is called before rpc_server_listen_*. */
int rpc_server_new(rpc_server **out, const rpc_server_opts *opts);

/* AutoMTLS: serve TLS with cert_pem/key_pem and require a client certificate
 * signed by client_ca_pem (all PEM, copied; key_pem may also be gRPC's
 * "engine:<engine id>:<key id>" reference, tls.h). Before rpc_server_listen_*; gRPC
 * parses the PEM there, so a bad certificate makes the listen fail. 0 or -1. */
int rpc_server_use_tls(rpc_server *s, const char *client_ca_pem, const char *cert_pem,
		       const char *key_pem);

/* Register a method path (must start with '/'). Before rpc_server_start only.
 * The path string is borrowed and must outlive the server. 0 or -1. */
int rpc_server_add_method(rpc_server *s, const char *path, rpc_method_kind kind, rpc_unary_fn fn);
/* Register a server-streaming method (RPC_METHOD_SERVER_STREAM), as above. */
int rpc_server_add_stream_method(rpc_server *s, const char *path, rpc_stream_fn fn);

/* Listen on a unix socket at `path` (created by gRPC; mode set to `mode`,
 * group to `gid` unless gid is -1). 0 or -1. */
int rpc_server_listen_unix(rpc_server *s, const char *path, unsigned mode, long gid);

/* Listen on 127.0.0.1, trying ports min..max in order (both 0: kernel picks).
 * 0 and *port_out, or -1. */
int rpc_server_listen_tcp(rpc_server *s, int min_port, int max_port, int *port_out);

/* Start serving (worker threads begin). 0 or -1. */
int rpc_server_start(rpc_server *s);

/* Ask the server to stop; callable from any thread, including handlers (the
 * reply of the calling handler is still sent). Not async-signal-safe: signal
 * handling belongs in a thread that calls this. */
void rpc_server_request_shutdown(rpc_server *s);

/* Block until a shutdown is requested, then stop gracefully: finish held
 * streams, let running calls finish and send their replies (cancelled after
 * a short grace period), only then send GOAWAY and stop accepting calls, wait
 * for the clients to close their connections (cut after a grace period) and
 * join the workers. So the caller of GRPCController/Shutdown always gets its
 * answer. 0, or RPC_SERVER_EDIRTY when a handler is still stuck (then do not
 * call rpc_server_free). */
int rpc_server_wait(rpc_server *s);

void rpc_server_free(rpc_server *s);

#endif
