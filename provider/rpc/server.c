/*
 * server.c - gRPC core server: method registry, worker pool, call lifecycle,
 * graceful shutdown. See server.h for the contract; TLS and the listeners are
 * in server_listen.c, server-streaming calls in server_stream.c.
 *
 * Every completion-queue tag is a struct that starts with (or embeds) an
 * rpc_tag naming the function that handles its completion, so the workers are
 * a plain "next event → tag->fn(tag, ok)" loop.
 *
 * Three kinds of tags:
 *  - request slots (one per registered method, plus one for unregistered
 *    paths) waiting for a new call; on arrival the slot hands the call over,
 *    re-arms itself (unless stopping) and the worker handles the call;
 *  - rpc_call contexts for the final batch of a call (reply + status + close);
 *  - the server shutdown tag.
 *
 * Re-arming and the start of shutdown are serialized by s->mu so that no
 * request is queued after the completion queue is shut down.
 */
#include "server_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "core/log.h"

#define MOD RPC_LOG_MOD

/* Grace periods of rpc_server_wait, in milliseconds. */
#define RPC_DRAIN_MS 1000 /* running calls may finish before being cancelled */
#define RPC_CLOSE_MS 1000 /* clients may close their connections after GOAWAY */
#define RPC_CANCEL_MS 1500 /* cancelled calls / exiting workers */

/* One call after it arrived: the final batch, and for held streams the list link. */
typedef struct rpc_call {
	rpc_tag close_tag; /* final batch (unary) or recv-close (held stream) */
	rpc_tag status_tag; /* held stream: status sent at shutdown */
	struct rpc_server *s;
	grpc_call *call;
	int cancelled;
	grpc_byte_buffer *resp;
	grpc_slice status_details;
	atomic_int refs;
	bool held; /* in s->held list (under s->mu) */
	struct rpc_call *next;
} rpc_call;

/* A waiting request: for one registered method, or (m NULL) for any path
 * that is not one, answered UNIMPLEMENTED. */
typedef struct {
	rpc_tag tag;
	struct rpc_server *s;
	const rpc_method *m;
	grpc_call *call;
	grpc_metadata_array md;
	gpr_timespec deadline; /* registered */
	grpc_byte_buffer *payload; /* registered */
	grpc_call_details details; /* unregistered: the path */
} rpc_slot;

/* ---------- call contexts ---------- */

static void active_add(rpc_server *s)
{
	pthread_mutex_lock(&s->mu);
	s->active_calls++;
	pthread_mutex_unlock(&s->mu);
}

static void active_done(rpc_server *s)
{
	pthread_mutex_lock(&s->mu);
	if (--s->active_calls == 0)
		pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void rpc_server_call_done(rpc_server *s)
{
	active_done(s);
}

void rpc_server_refuse(rpc_server *s, grpc_call *call, grpc_status_code code, const char *message)
{
	grpc_call_cancel_with_status(call, code, message, NULL);
	grpc_call_unref(call);
	active_done(s);
}

int rpc_request_read(grpc_byte_buffer *payload, grpc_slice *out, const char **why)
{
	grpc_byte_buffer_reader rd;

	if (!payload) {
		*why = "request message missing";
		return -1;
	}
	if (!grpc_byte_buffer_reader_init(&rd, payload)) {
		*why = "request message cannot be read";
		return -1;
	}
	*out = grpc_byte_buffer_reader_readall(&rd);
	grpc_byte_buffer_reader_destroy(&rd);
	return 0;
}

static void call_unref(rpc_call *c)
{
	rpc_server *s = c->s;

	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	if (c->resp)
		grpc_byte_buffer_destroy(c->resp);
	grpc_slice_unref(c->status_details);
	if (c->call)
		grpc_call_unref(c->call);
	free(c);
	active_done(s);
}

static void call_final_done(rpc_tag *t, bool ok)
{
	rpc_call *c = CONTAINER_OF(t, rpc_call, close_tag);
	(void)ok;
	call_unref(c);
}

/* Send the reply (message when OK) and the status, and wait for the close.
 * Takes over `call` and reply->body. */
static void send_reply(rpc_server *s, grpc_call *call, rpc_reply *reply)
{
	grpc_op ops[4];
	size_t n = 0;
	rpc_call *c = calloc(1, sizeof(*c));

	if (!c) {
		free(reply->body);
		rpc_server_refuse(s, call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	c->close_tag.fn = call_final_done;
	c->s = s;
	c->call = call;
	atomic_init(&c->refs, 1);
	c->status_details = grpc_slice_from_static_string(reply->message ? reply->message : "");

	memset(ops, 0, sizeof(ops));
	ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	if (reply->status == GRPC_STATUS_OK) {
		grpc_slice sl;
		if (reply->body)
			sl = grpc_slice_new(reply->body, reply->len, free);
		else if (reply->borrowed_body && reply->len)
			sl = grpc_slice_from_static_buffer(reply->borrowed_body, reply->len);
		else
			sl = grpc_empty_slice();
		reply->body = NULL;
		c->resp = grpc_raw_byte_buffer_create(&sl, 1);
		grpc_slice_unref(sl);
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = c->resp;
	} else {
		free(reply->body);
		reply->body = NULL;
	}
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = reply->status;
	ops[n++].data.send_status_from_server.status_details = &c->status_details;
	ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[n++].data.recv_close_on_server.cancelled = &c->cancelled;

	if (grpc_call_start_batch(call, ops, n, &c->close_tag, NULL) != GRPC_CALL_OK) {
		LOG_E(MOD, "cannot start reply batch");
		call_unref(c);
	}
}

static void run_unary(rpc_server *s, const rpc_method *m, grpc_call *call,
		      grpc_byte_buffer *payload)
{
	rpc_reply reply = {.status = GRPC_STATUS_OK};
	grpc_slice sl;

	if (rpc_request_read(payload, &sl, &reply.message) != 0) {
		reply.status = GRPC_STATUS_INVALID_ARGUMENT;
	} else {
		LOG_T(MOD, "call %s (%zu bytes)", m->path, (size_t)GRPC_SLICE_LENGTH(sl));
		m->fn(GRPC_SLICE_START_PTR(sl), GRPC_SLICE_LENGTH(sl), &reply);
		grpc_slice_unref(sl);
		if (reply.status != GRPC_STATUS_OK)
			LOG_D(MOD, "call %s failed: status %d: %s", m->path, (int)reply.status,
			      reply.message ? reply.message : "");
	}
	if (payload)
		grpc_byte_buffer_destroy(payload);
	send_reply(s, call, &reply);
}

static void held_close_done(rpc_tag *t, bool ok)
{
	rpc_call *c = CONTAINER_OF(t, rpc_call, close_tag);
	rpc_server *s = c->s;
	(void)ok;

	pthread_mutex_lock(&s->mu);
	if (c->held) {
		rpc_call **pp = &s->held;
		while (*pp && *pp != c)
			pp = &(*pp)->next;
		if (*pp)
			*pp = c->next;
		c->held = false;
	}
	pthread_mutex_unlock(&s->mu);
	call_unref(c);
}

static void held_status_done(rpc_tag *t, bool ok)
{
	(void)ok;
	call_unref(CONTAINER_OF(t, rpc_call, status_tag));
}

/* Send OK to a held stream. Called with s->mu held, c already unlinked. */
static void held_finish_locked(rpc_call *c)
{
	grpc_op op;

	memset(&op, 0, sizeof(op));
	atomic_fetch_add(&c->refs, 1);
	op.op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	op.data.send_status_from_server.status = GRPC_STATUS_OK;
	op.data.send_status_from_server.status_details = &c->status_details;
	if (grpc_call_start_batch(c->call, &op, 1, &c->status_tag, NULL) != GRPC_CALL_OK)
		call_unref(c);
}

static void run_hold(rpc_server *s, const rpc_method *m, grpc_call *call, grpc_byte_buffer *payload)
{
	grpc_op ops[2];
	rpc_call *c = calloc(1, sizeof(*c));

	if (payload)
		grpc_byte_buffer_destroy(payload);
	if (!c) {
		rpc_server_refuse(s, call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	LOG_T(MOD, "stream %s held open", m->path);
	c->close_tag.fn = held_close_done;
	c->status_tag.fn = held_status_done;
	c->s = s;
	c->call = call;
	c->status_details = grpc_empty_slice();
	atomic_init(&c->refs, 1);

	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[1].data.recv_close_on_server.cancelled = &c->cancelled;

	pthread_mutex_lock(&s->mu);
	if (grpc_call_start_batch(call, ops, 2, &c->close_tag, NULL) != GRPC_CALL_OK) {
		pthread_mutex_unlock(&s->mu);
		call_unref(c);
		return;
	}
	if (s->stopping) {
		held_finish_locked(c);
	} else {
		c->held = true;
		c->next = s->held;
		s->held = c;
	}
	pthread_mutex_unlock(&s->mu);
}

/* ---------- request slots ---------- */

static void slot_done(rpc_tag *t, bool ok);

static void slot_free(rpc_slot *slot)
{
	grpc_metadata_array_destroy(&slot->md);
	grpc_call_details_destroy(&slot->details);
	if (slot->payload)
		grpc_byte_buffer_destroy(slot->payload);
	if (slot->call)
		grpc_call_unref(slot->call);
	free(slot);
}

/* Queue the slot's request unless the server is stopping. false: not queued. */
static bool slot_arm(rpc_slot *slot)
{
	rpc_server *s = slot->s;
	grpc_call_error e = GRPC_CALL_ERROR;

	pthread_mutex_lock(&s->mu);
	if (!s->stopping) {
		slot->call = NULL;
		slot->payload = NULL;
		if (slot->m)
			e = grpc_server_request_registered_call(
				s->server, slot->m->handle, &slot->call, &slot->deadline, &slot->md,
				&slot->payload, s->cq, s->cq, &slot->tag);
		else
			e = grpc_server_request_call(s->server, &slot->call, &slot->details,
						     &slot->md, s->cq, s->cq, &slot->tag);
	}
	pthread_mutex_unlock(&s->mu);
	return e == GRPC_CALL_OK;
}

/* A new slot for method m (NULL: unregistered paths), armed. -1: none. */
static int slot_start(rpc_server *s, const rpc_method *m)
{
	rpc_slot *slot = calloc(1, sizeof(*slot));

	if (!slot)
		return -1;
	slot->tag.fn = slot_done;
	slot->s = s;
	slot->m = m;
	grpc_metadata_array_init(&slot->md);
	grpc_call_details_init(&slot->details);
	if (!slot_arm(slot)) {
		slot_free(slot);
		return -1;
	}
	return 0;
}

static void slot_done(rpc_tag *t, bool ok)
{
	rpc_slot *slot = (rpc_slot *)(void *)t;
	rpc_server *s = slot->s;
	const rpc_method *m = slot->m;
	grpc_call *call = slot->call;
	grpc_byte_buffer *payload = slot->payload;

	if (!ok) { /* server shutting down: the request was cancelled */
		slot_free(slot);
		return;
	}
	active_add(s);
	if (!m && log_enabled(LOG_DEBUG)) {
		char *path = grpc_slice_to_c_string(slot->details.method);
		log_msg(LOG_DEBUG, MOD, "unimplemented method %s", path ? path : "?");
		gpr_free(path);
	}
	slot->call = NULL;
	slot->payload = NULL;
	grpc_metadata_array_destroy(&slot->md);
	grpc_metadata_array_init(&slot->md);
	grpc_call_details_destroy(&slot->details);
	grpc_call_details_init(&slot->details);
	if (!slot_arm(slot))
		slot_free(slot);
	/* slot may be reused by another worker from here on */
	if (!m) {
		rpc_reply reply = {.status = GRPC_STATUS_UNIMPLEMENTED,
				   .message = "method not implemented by this provider"};

		send_reply(s, call, &reply);
	} else if (m->kind == RPC_METHOD_HOLD_STREAM) {
		run_hold(s, m, call, payload);
	} else if (m->kind == RPC_METHOD_SERVER_STREAM) {
		rpc_stream_run(s, m, call, payload);
	} else {
		run_unary(s, m, call, payload);
	}
}

/* ---------- workers and shutdown ---------- */

static void shutdown_tag_done(rpc_tag *t, bool ok)
{
	rpc_server *s = CONTAINER_OF(t, rpc_server, shutdown_tag);
	(void)ok;
	pthread_mutex_lock(&s->mu);
	s->shutdown_done = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static void *worker_main(void *arg);

/* Starts a worker in the next slot of s->threads. Called with s->mu held. */
static int worker_spawn_locked(rpc_server *s)
{
	size_t i = s->n_threads;

	if (i >= RPC_SERVER_THREADS)
		return -1;
	if (pthread_create(&s->threads[i], NULL, worker_main, s) != 0) {
		LOG_E(MOD, "cannot start worker thread %zu", i);
		return -1;
	}
	s->n_threads++;
	s->live_workers++;
	s->idle_workers++;
	return 0;
}

static void *worker_main(void *arg)
{
	rpc_server *s = arg;

	for (;;) {
		grpc_event ev =
			grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);

		pthread_mutex_lock(&s->mu);
		s->idle_workers--;
		/* The last idle poller is about to be busy: start another, so
		 * gRPC's I/O and the next call never wait for a handler. */
		if (ev.type == GRPC_OP_COMPLETE && s->idle_workers == 0 && !s->stopping)
			worker_spawn_locked(s);
		pthread_mutex_unlock(&s->mu);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type == GRPC_OP_COMPLETE) {
			rpc_tag *t = ev.tag;
			t->fn(t, ev.success != 0);
		}
		pthread_mutex_lock(&s->mu);
		s->idle_workers++;
		pthread_mutex_unlock(&s->mu);
	}
	pthread_mutex_lock(&s->mu);
	s->live_workers--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static struct timespec deadline_in(int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	return until;
}

/* Wait on s->cv (s->mu held) until *flag is true or ms elapse. */
static bool wait_flag(rpc_server *s, const bool *flag, int ms)
{
	struct timespec until = deadline_in(ms);

	while (!*flag)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
			break;
	return *flag;
}

/* Wait on s->cv (s->mu held) until *count is 0 or ms elapse. */
static bool wait_zero(rpc_server *s, const size_t *count, int ms)
{
	struct timespec until = deadline_in(ms);

	while (*count > 0)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
			break;
	return *count == 0;
}

/* ---------- public API ---------- */

int rpc_server_new(rpc_server **out, const rpc_server_opts *opts)
{
	rpc_server *s = NULL;
	grpc_arg args[3];
	grpc_channel_args ch_args;
	int rc = -1;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto done;
	s->wake[0] = s->wake[1] = -1;
	s->unix_gid = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->shutdown_tag.fn = shutdown_tag_done;
	s->on_stop = opts ? opts->on_stop : NULL;
	s->close_ms = opts && opts->close_ms > 0 ? opts->close_ms : RPC_CLOSE_MS;
	if (pipe(s->wake) != 0)
		goto done;

	memset(args, 0, sizeof(args));
	args[0].type = GRPC_ARG_INTEGER;
	args[0].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
	args[0].value.integer = RPC_SERVER_MAX_MESSAGE;
	args[1].type = GRPC_ARG_INTEGER;
	args[1].key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
	args[1].value.integer = RPC_SERVER_MAX_MESSAGE;
	args[2].type = GRPC_ARG_INTEGER;
	args[2].key = GRPC_ARG_ALLOW_REUSEPORT; /* a busy TCP port must fail, not be shared */
	args[2].value.integer = 0;
	ch_args.num_args = 3;
	ch_args.args = args;

	s->server = grpc_server_create(&ch_args, NULL);
	s->cq = grpc_completion_queue_create_for_next(NULL);
	if (!s->server || !s->cq)
		goto done;
	grpc_server_register_completion_queue(s->server, s->cq, NULL);

	s->creds = grpc_insecure_server_credentials_create();
	if (!s->creds)
		goto done;
	rc = 0;
done:
	if (rc == 0)
		*out = s;
	else
		rpc_server_free(s);
	return rc;
}

int rpc_server_add_stream_method(rpc_server *s, const char *path, rpc_stream_fn fn)
{
	if (!fn || rpc_server_add_method(s, path, RPC_METHOD_SERVER_STREAM, NULL) != 0)
		return -1;
	s->methods[s->n_methods - 1].stream_fn = fn;
	return 0;
}

int rpc_server_add_method(rpc_server *s, const char *path, rpc_method_kind kind, rpc_unary_fn fn)
{
	rpc_method *m;

	if (s->started || s->n_methods >= RPC_SERVER_MAX_METHODS || !path || path[0] != '/' ||
	    (kind == RPC_METHOD_UNARY && !fn))
		return -1;
	m = &s->methods[s->n_methods];
	m->path = path;
	m->kind = kind;
	m->fn = fn;
	m->handle = grpc_server_register_method(s->server, path, NULL,
						GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
	if (!m->handle)
		return -1;
	s->n_methods++;
	return 0;
}

int rpc_server_start(rpc_server *s)
{
	size_t i;

	grpc_server_start(s->server);
	pthread_mutex_lock(&s->mu);
	s->started = true;
	pthread_mutex_unlock(&s->mu);

	if (s->unix_path) {
		if (chmod(s->unix_path, s->unix_mode) != 0)
			LOG_W(MOD, "chmod %s: %s", s->unix_path, strerror(errno));
		if (s->unix_gid >= 0 && chown(s->unix_path, (uid_t)-1, (gid_t)s->unix_gid) != 0)
			LOG_W(MOD, "chown %s: %s", s->unix_path, strerror(errno));
	}

	/* One slot per method, and the last for every other path. */
	for (i = 0; i <= s->n_methods; i++)
		if (slot_start(s, i < s->n_methods ? &s->methods[i] : NULL) != 0)
			return -1;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < RPC_SERVER_MIN_THREADS; i++)
		if (worker_spawn_locked(s) != 0)
			break;
	i = s->n_threads;
	pthread_mutex_unlock(&s->mu);
	return i > 0 ? 0 : -1;
}

void rpc_server_request_shutdown(rpc_server *s)
{
	char b = 'x';
	ssize_t n;

	do
		n = write(s->wake[1], &b, 1);
	while (n < 0 && errno == EINTR);
}

int rpc_server_wait(rpc_server *s)
{
	char b;
	ssize_t n;
	size_t i;
	bool drained, done = false;

	do
		n = read(s->wake[0], &b, 1);
	while (n < 0 && errno == EINTR);

	LOG_D(MOD, "server shutting down");
	if (s->on_stop)
		s->on_stop();

	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	while (s->held) {
		rpc_call *c = s->held;
		s->held = c->next;
		c->held = false;
		held_finish_locked(c);
	}
	pthread_mutex_unlock(&s->mu);

	/* Every reply first, the Shutdown call's own included: until the
	 * running calls are done nothing else is queued on the connections, so
	 * the GOAWAY below follows the replies on the wire. */
	pthread_mutex_lock(&s->mu);
	drained = wait_zero(s, &s->active_calls, RPC_DRAIN_MS);
	pthread_mutex_unlock(&s->mu);
	if (!drained)
		LOG_W(MOD, "calls still running after %d ms; cancelling them", RPC_DRAIN_MS);

	/* GOAWAY to every client. The notification comes once every connection
	 * is gone: closed by its client (go-plugin closes right after the
	 * Shutdown answer) or by gRPC when it has no stream left after its
	 * graceful GOAWAY. A connection is cut only after close_ms: cutting
	 * it at once, while its client still writes (its answer to the GOAWAY
	 * ping), fails the client's write with EPIPE before it has read the
	 * reply, and the Shutdown call ends in UNAVAILABLE "Broken pipe". */
	grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
	if (drained) {
		pthread_mutex_lock(&s->mu);
		done = wait_flag(s, &s->shutdown_done, s->close_ms);
		pthread_mutex_unlock(&s->mu);
	}
	if (!done) {
		if (drained)
			LOG_D(MOD, "clients still connected after %d ms; disconnecting them",
			      s->close_ms);
		grpc_server_cancel_all_calls(s->server);
		pthread_mutex_lock(&s->mu);
		done = wait_flag(s, &s->shutdown_done, RPC_CANCEL_MS);
		pthread_mutex_unlock(&s->mu);
	}
	if (!done) {
		LOG_W(MOD, "a handler is still running; exiting without cleanup");
		return RPC_SERVER_EDIRTY;
	}

	grpc_completion_queue_shutdown(s->cq);
	pthread_mutex_lock(&s->mu);
	done = wait_zero(s, &s->live_workers, RPC_CANCEL_MS);
	pthread_mutex_unlock(&s->mu);
	if (!done)
		return RPC_SERVER_EDIRTY;
	/* live_workers is 0: no worker is left to take another slot. */
	for (i = 0; i < s->n_threads; i++)
		pthread_join(s->threads[i], NULL);
	s->n_threads = 0;
	return 0;
}

void rpc_server_free(rpc_server *s)
{
	if (!s)
		return;
	if (s->server) {
		if (!s->shutdown_done) {
			/* Never started or never waited for: shut down and drain here,
			 * with no worker threads running. */
			grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
			grpc_server_cancel_all_calls(s->server);
			while (!s->shutdown_done) {
				grpc_event ev = grpc_completion_queue_next(
					s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
				if (ev.type != GRPC_OP_COMPLETE)
					break;
				((rpc_tag *)ev.tag)->fn(ev.tag, ev.success != 0);
			}
			grpc_completion_queue_shutdown(s->cq);
			for (;;) {
				grpc_event ev = grpc_completion_queue_next(
					s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
				if (ev.type == GRPC_QUEUE_SHUTDOWN)
					break;
				if (ev.type == GRPC_OP_COMPLETE)
					((rpc_tag *)ev.tag)->fn(ev.tag, ev.success != 0);
			}
		}
		grpc_server_destroy(s->server);
	}
	if (s->cq)
		grpc_completion_queue_destroy(s->cq);
	if (s->creds)
		grpc_server_credentials_release(s->creds);
	if (s->wake[0] >= 0)
		close(s->wake[0]);
	if (s->wake[1] >= 0)
		close(s->wake[1]);
	free(s->unix_path);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
