/*
 * server_stream.c - server-streaming calls (ListResource, InvokeAction): one
 * request message, then any number of response messages, then the status.
 * See server.h (rpc_stream_*) for the contract; the rest of the server is in
 * server.c and server_listen.c.
 *
 * The handler runs on a thread of its own, not on a completion-queue worker:
 * it blocks in rpc_stream_send until gRPC has taken each message, and that
 * completion is delivered by a worker, so a handler on a worker could leave
 * none free to deliver it. Flow control falls out of the same wait: gRPC core
 * allows one SEND_MESSAGE in flight per call, and the next message is only
 * built once the previous one was taken (at most one message is buffered per
 * stream here; the HTTP/2 window holds the rest).
 *
 * Three completion-queue tags per stream, each holding a reference:
 *  - close_tag: RECV_CLOSE_ON_SERVER, started at once; it completes when the
 *    client cancels (cancelled = 1) or after the final status, so the handler
 *    learns at once that nobody listens any more;
 *  - send_tag: the message in flight (with the initial metadata, first time);
 *  - status_tag: the final status, after the handler returned.
 * The handler's thread holds a fourth reference; the last one frees the
 * stream and ends the call for the server (active_done).
 */
#include "server_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/slice.h>

#include "core/log.h"

#define MOD RPC_LOG_MOD

struct rpc_stream {
	rpc_tag close_tag, send_tag, status_tag;
	rpc_server *s;
	const rpc_method *m;
	grpc_call *call;
	grpc_byte_buffer *payload; /* the request, until the handler has read it */
	atomic_int refs;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool sending; /* a send batch is in flight */
	bool send_ok; /* how the last one ended */
	bool closed; /* close_tag completed: the client is gone (or the call over) */
	int cancelled; /* RECV_CLOSE_ON_SERVER's answer */
	bool metadata_sent;
	size_t sent; /* messages gRPC has taken */
	grpc_byte_buffer *msg; /* the message in flight */

	grpc_status_code status; /* final status: OK unless rpc_stream_fail */
	grpc_slice status_details;
};

static void stream_unref(rpc_stream *st)
{
	rpc_server *s = st->s;

	if (atomic_fetch_sub(&st->refs, 1) != 1)
		return;
	if (st->payload)
		grpc_byte_buffer_destroy(st->payload);
	if (st->msg)
		grpc_byte_buffer_destroy(st->msg);
	grpc_slice_unref(st->status_details);
	grpc_call_unref(st->call);
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->cv);
	free(st);
	rpc_server_call_done(s);
}

static void close_done(rpc_tag *t, bool ok)
{
	rpc_stream *st = CONTAINER_OF(t, rpc_stream, close_tag);

	(void)ok;
	pthread_mutex_lock(&st->mu);
	st->closed = true;
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mu);
	stream_unref(st);
}

static void send_done(rpc_tag *t, bool ok)
{
	rpc_stream *st = CONTAINER_OF(t, rpc_stream, send_tag);

	pthread_mutex_lock(&st->mu);
	st->sending = false;
	st->send_ok = ok;
	if (ok)
		st->sent++;
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mu);
	stream_unref(st);
}

static void status_done(rpc_tag *t, bool ok)
{
	(void)ok;
	stream_unref(CONTAINER_OF(t, rpc_stream, status_tag));
}

/* Was the stream cancelled (by the client, a deadline or the server's shutdown)?
 * Called with st->mu held. */
static bool gone_locked(const rpc_stream *st)
{
	return st->closed && st->cancelled;
}

int rpc_stream_send(rpc_stream *st, uint8_t *body, size_t len)
{
	grpc_op ops[2];
	size_t n = 0;
	grpc_slice sl;
	int rc = -1;

	pthread_mutex_lock(&st->mu);
	if (gone_locked(st)) {
		pthread_mutex_unlock(&st->mu);
		free(body);
		return -1;
	}
	sl = body ? grpc_slice_new(body, len, free) : grpc_empty_slice();
	if (st->msg)
		grpc_byte_buffer_destroy(st->msg);
	st->msg = grpc_raw_byte_buffer_create(&sl, 1);
	grpc_slice_unref(sl);
	memset(ops, 0, sizeof(ops));
	if (!st->metadata_sent)
		ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[n].op = GRPC_OP_SEND_MESSAGE;
	ops[n++].data.send_message.send_message = st->msg;
	atomic_fetch_add(&st->refs, 1);
	st->sending = true;
	if (grpc_call_start_batch(st->call, ops, n, &st->send_tag, NULL) != GRPC_CALL_OK) {
		st->sending = false;
		atomic_fetch_sub(&st->refs, 1); /* never the last: the handler holds one */
		pthread_mutex_unlock(&st->mu);
		LOG_E(MOD, "%s: cannot start a send batch", st->m->path);
		return -1;
	}
	st->metadata_sent = true;
	while (st->sending)
		pthread_cond_wait(&st->cv, &st->mu);
	if (st->send_ok && !gone_locked(st))
		rc = 0;
	pthread_mutex_unlock(&st->mu);
	return rc;
}

bool rpc_stream_cancelled(rpc_stream *st)
{
	bool gone;

	pthread_mutex_lock(&st->mu);
	gone = gone_locked(st);
	pthread_mutex_unlock(&st->mu);
	return gone;
}

void rpc_stream_fail(rpc_stream *st, grpc_status_code code, const char *message)
{
	st->status = code;
	grpc_slice_unref(st->status_details);
	st->status_details = grpc_slice_from_static_string(message ? message : "");
}

/* After the handler: the final status (with the initial metadata when no
 * message was sent), unless the client is gone. */
static void finish(rpc_stream *st)
{
	grpc_op ops[2];
	size_t n = 0;
	bool gone;

	pthread_mutex_lock(&st->mu);
	gone = gone_locked(st);
	pthread_mutex_unlock(&st->mu);
	if (gone) {
		LOG_D(MOD, "%s: stream ended by the client after %zu messages", st->m->path,
		      st->sent);
		return;
	}
	memset(ops, 0, sizeof(ops));
	if (!st->metadata_sent)
		ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = st->status;
	ops[n++].data.send_status_from_server.status_details = &st->status_details;
	atomic_fetch_add(&st->refs, 1);
	if (grpc_call_start_batch(st->call, ops, n, &st->status_tag, NULL) != GRPC_CALL_OK) {
		atomic_fetch_sub(&st->refs, 1);
		grpc_call_cancel(st->call, NULL);
	}
	LOG_T(MOD, "%s: stream done, %zu messages, status %d", st->m->path, st->sent,
	      (int)st->status);
}

static void *stream_thread(void *arg)
{
	rpc_stream *st = arg;
	const char *why;
	grpc_slice sl;

	if (rpc_request_read(st->payload, &sl, &why) != 0) {
		rpc_stream_fail(st, GRPC_STATUS_INVALID_ARGUMENT, why);
	} else {
		grpc_byte_buffer_destroy(st->payload);
		st->payload = NULL;
		LOG_T(MOD, "stream %s (%zu bytes)", st->m->path, (size_t)GRPC_SLICE_LENGTH(sl));
		st->m->stream_fn(GRPC_SLICE_START_PTR(sl), GRPC_SLICE_LENGTH(sl), st);
		grpc_slice_unref(sl);
	}
	finish(st);
	stream_unref(st);
	return NULL;
}

void rpc_stream_run(rpc_server *s, const rpc_method *m, grpc_call *call, grpc_byte_buffer *payload)
{
	rpc_stream *st = calloc(1, sizeof(*st));
	pthread_attr_t attr;
	pthread_t th;
	grpc_op op;

	if (!st) {
		if (payload)
			grpc_byte_buffer_destroy(payload);
		rpc_server_refuse(s, call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	st->close_tag.fn = close_done;
	st->send_tag.fn = send_done;
	st->status_tag.fn = status_done;
	st->s = s;
	st->m = m;
	st->call = call;
	st->payload = payload;
	st->status = GRPC_STATUS_OK;
	st->status_details = grpc_empty_slice();
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->cv, NULL);
	atomic_init(&st->refs, 1); /* the handler's thread */

	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	op.data.recv_close_on_server.cancelled = &st->cancelled;
	atomic_fetch_add(&st->refs, 1);
	if (grpc_call_start_batch(call, &op, 1, &st->close_tag, NULL) != GRPC_CALL_OK) {
		atomic_fetch_sub(&st->refs, 1);
		grpc_call_cancel_with_status(call, GRPC_STATUS_INTERNAL, "cannot start the stream",
					     NULL);
		stream_unref(st);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, stream_thread, st) != 0) {
		LOG_E(MOD, "%s: cannot start the stream's thread", m->path);
		grpc_call_cancel_with_status(call, GRPC_STATUS_RESOURCE_EXHAUSTED,
					     "no thread for the stream", NULL);
		stream_unref(st);
	}
	pthread_attr_destroy(&attr);
}
