/*
 * server_internal.h - the rpc_server struct, shared by the two files of the
 * server: server.c (calls, workers, shutdown) and server_listen.c (TLS and
 * the listeners). Not for use outside provider/rpc/server*.c.
 */
#ifndef SSMPATCH_RPC_SERVER_INTERNAL_H
#define SSMPATCH_RPC_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>

#include "server.h"

#define RPC_LOG_MOD "provider.rpc"

/* A completion-queue tag: the function that handles its completion. */
typedef struct rpc_tag rpc_tag;
struct rpc_tag {
	void (*fn)(rpc_tag *t, bool ok);
};

/* The struct of `type` whose `member` (an embedded rpc_tag) ptr is. */
#define CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* A registered method. */
typedef struct {
	const char *path;
	rpc_method_kind kind;
	rpc_unary_fn fn;
	rpc_stream_fn stream_fn; /* RPC_METHOD_SERVER_STREAM */
	void *handle; /* gRPC registered-method handle */
} rpc_method;

struct rpc_server {
	grpc_server *server;
	grpc_completion_queue *cq;
	grpc_server_credentials *creds;
	rpc_method methods[RPC_SERVER_MAX_METHODS];
	size_t n_methods;
	pthread_t threads[RPC_SERVER_THREADS];
	size_t n_threads; /* slots of threads[] taken (under mu) */
	size_t idle_workers; /* waiting in grpc_completion_queue_next */
	int wake[2]; /* shutdown request pipe */
	void (*on_stop)(void);
	int close_ms; /* rpc_server_opts.close_ms, defaulted */
	char *unix_path; /* chmod'ed after start */
	unsigned unix_mode;
	long unix_gid;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started;
	bool stopping; /* no more re-arming */
	bool shutdown_done; /* shutdown tag received */
	size_t live_workers;
	size_t active_calls; /* arrived and not yet finished (handlers included) */
	struct rpc_call *held; /* held streams (server.c) */
	rpc_tag shutdown_tag;
};

/* server.c: a call the server counted as active is over (the last reference
 * to it is gone). */
void rpc_server_call_done(rpc_server *s);

/* server.c: answer a call that arrived but cannot be served (out of memory)
 * with `code` and a static message, and end it for the server: takes over
 * `call`, which counted as active. */
void rpc_server_refuse(rpc_server *s, grpc_call *call, grpc_status_code code, const char *message);

/* server.c: the request message of a call. 0 and *out its bytes (the
 * caller unrefs it), or -1 and *why, the static message of the
 * INVALID_ARGUMENT answer (no message, or one that cannot be read). */
int rpc_request_read(grpc_byte_buffer *payload, grpc_slice *out, const char **why);

/* server_stream.c: run a server-streaming call that arrived (takes over
 * `call` and `payload`; the call counts as active until it is over). */
void rpc_stream_run(rpc_server *s, const rpc_method *m, grpc_call *call, grpc_byte_buffer *payload);

#endif
