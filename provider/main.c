/*
 * main.c - terraform-provider-ssmpatch: process start-up and lifetime.
 *
 * Terraform runs the binary as a go-plugin child: check the magic cookie,
 * negotiate protocol 5 or 6, listen (unix socket by default), optionally with
 * AutoMTLS, serve tfplugin5/tfplugin6 + go-plugin's side services, print the
 * handshake line on stdout, and run until GRPCController/Shutdown or SIGTERM
 * (docs/protocol.md §2). SIGINT is ignored: Terraform turns Ctrl-C into the
 * Stop RPC.
 *
 * Command line:
 *   -version   print "terraform-provider-ssmpatch <version>" and exit
 *   -debug     debug/reattach mode: no cookie check, no TLS; prints
 *              TF_REATTACH_PROVIDERS='<json>' on stdout and serves until
 *              SIGTERM, SIGINT (Ctrl-C) or Shutdown
 *   -help      usage
 * Environment (besides Terraform's TF_PLUGIN_MAGIC_COOKIE,
 * PLUGIN_PROTOCOL_VERSIONS, PLUGIN_CLIENT_CERT, PLUGIN_UNIX_SOCKET_DIR,
 * PLUGIN_UNIX_SOCKET_GROUP, PLUGIN_MIN_PORT, PLUGIN_MAX_PORT, TF_LOG*):
 *   SSMPATCH_PLUGIN_NETWORK=tcp  listen on 127.0.0.1 (port from
 *              PLUGIN_MIN_PORT..PLUGIN_MAX_PORT, kernel's choice when unset)
 *              instead of a unix socket
 *   SSMPATCH_PROTOCOL_VERSIONS=5 offer only these protocol versions (comma
 *              list out of 5,6); lets a current Terraform drive the protocol-5
 *              path. Unset: 5 and 6.
 *   SSMPATCH_PROVIDER_ADDR       provider source address used as the key of
 *              the reattach JSON (default registry.terraform.io/ssmpatch/ssmpatch)
 *
 * Nothing but the handshake line (or, in debug mode, the reattach hint) is
 * ever written to stdout: fd 1 is pointed at /dev/null right after it. Logs
 * are JSON lines on stderr (core/log.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <grpc/grpc.h>
#include <openssl/crypto.h>
#include <grpc/support/log.h>

#include "core/log.h"
#include "engine/engine.h"
#include "rpc/handshake.h"
#include "rpc/rpc_provider.h"
#include "rpc/server.h"
#include "rpc/tls.h"

#ifndef SSMPATCH_VERSION
#define SSMPATCH_VERSION "0.0.0-dev"
#endif

#define MOD "provider"
#define DEFAULT_PROVIDER_ADDR "registry.terraform.io/ssmpatch/ssmpatch"
/* gRPC parses PLUGIN_CLIENT_CERT fully only when it starts listening with TLS
 * (tls_pem_has_cert checks its shape), so a listen failure under AutoMTLS is
 * most likely a certificate gRPC refused. */
#define BAD_CLIENT_CERT_HINT " (AutoMTLS: gRPC refused the TLS set-up; is PLUGIN_CLIENT_CERT a valid X.509 certificate?)"

static const int g_versions[] = { 5, 6 };

/* The versions this process offers: g_versions, narrowed by
 * SSMPATCH_PROTOCOL_VERSIONS when set. Returns the count (0: nothing valid). */
static size_t offered_versions(const char *env, int out[2])
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(g_versions) / sizeof(g_versions[0]); i++) {
		char want[2] = { (char)('0' + g_versions[i]), 0 };
		if (env && *env && !strstr(env, want))
			continue;
		out[n++] = g_versions[i];
	}
	return n;
}

typedef struct {
	pthread_mutex_t mu;
	rpc_server *server; /* NULL once the server is being freed */
	sigset_t set;
} sig_ctx;

/* Waits for SIGTERM (and SIGINT in debug mode) and stops the server
 * gracefully. Repeats are harmless (a TERM often reaches the process twice,
 * directly and through its process group); the stop is bounded in time by
 * rpc_server_wait anyway. */
static void *signal_thread(void *arg)
{
	sig_ctx *c = arg;
	int sig;

	for (;;) {
		if (sigwait(&c->set, &sig) != 0)
			continue;
		LOG_I(MOD, "signal %d: shutting down", sig);
		pthread_mutex_lock(&c->mu);
		if (c->server)
			rpc_server_request_shutdown(c->server);
		pthread_mutex_unlock(&c->mu);
	}
	return NULL;
}

/* gRPC core's own log lines, as JSON lines on stderr. */
static void grpc_log_to_json(gpr_log_func_args *args)
{
	log_level lvl = args->severity == GPR_LOG_SEVERITY_ERROR ? LOG_WARN : LOG_DEBUG;

	if (log_enabled(lvl))
		log_msg(lvl, "provider.grpc", "%s (%s:%d)", args->message, args->file, args->line);
}

/* AutoMTLS: the server identity, made on a thread of its own while gRPC
 * starts. Its first use of OpenSSL (key management, the random generator)
 * costs some 10 million instructions, gRPC's start-up about as much again,
 * and they do not depend on each other. */
typedef struct {
	pthread_t thread;
	bool running;
	int rc;
	tls_identity id;
} tls_job;

static void *tls_job_main(void *arg)
{
	tls_job *j = arg;

	j->rc = tls_identity_generate(&j->id);
	return NULL;
}

static void tls_job_start(tls_job *j)
{
	j->running = pthread_create(&j->thread, NULL, tls_job_main, j) == 0;
	if (!j->running)
		tls_job_main(j);
}

/* 0 once the identity is in j->id; -1 when it could not be made. */
static int tls_job_finish(tls_job *j)
{
	if (j->running) {
		pthread_join(j->thread, NULL);
		j->running = false;
	}
	return j->rc;
}

static int write_all(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: terraform-provider-ssmpatch [-debug | -version]\n"
		   "  Normally started by Terraform. -debug serves in reattach mode and prints\n"
		   "  the TF_REATTACH_PROVIDERS value to use; -version prints the version.\n");
}

int main(int argc, char **argv)
{
	bool debug = false, tcp = false;
	const char *client_cert = NULL, *provider_addr;
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)] = "";
	char address[sizeof(sock_path) + 32];
	tls_job tls = { .rc = -1 };
	rpc_server_opts opts;
	rpc_server *server = NULL;
	sig_ctx sig = { .mu = PTHREAD_MUTEX_INITIALIZER };
	pthread_t sig_thread;
	char *line = NULL;
	const char *net;
	int version, rc = 1, i;
	int offered[2];
	size_t n_offered;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1] == '-')
			a++;
		if (strcmp(a, "-version") == 0) {
			printf("terraform-provider-ssmpatch %s\n", SSMPATCH_VERSION);
			return 0;
		} else if (strcmp(a, "-debug") == 0) {
			debug = true;
		} else if (strcmp(a, "-help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}

	log_init();
	/* No OPENSSL_cleanup() at exit: it deletes OpenSSL's thread-local key while
	 * gRPC and curl threads may still be running, and a thread ending after that
	 * loses its error-state block (a 904-byte leak LeakSanitizer reports now and
	 * then). The process is exiting; the OS reclaims everything anyway. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	if (!debug && !handshake_cookie_ok(getenv(HANDSHAKE_COOKIE_KEY))) {
		fputs(HANDSHAKE_COOKIE_MESSAGE, stderr);
		return 1;
	}

	/* Signals: SIGINT reaches the whole process group on Ctrl-C; Terraform
	 * sends Stop instead, so ignore it (except in debug mode, where Ctrl-C is
	 * how the user ends the server). SIGTERM is handled by a thread; block it
	 * before any thread (gRPC's included) exists so they all inherit the mask. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sig.set);
	sigaddset(&sig.set, SIGTERM);
	if (debug)
		sigaddset(&sig.set, SIGINT);
	else
		signal(SIGINT, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &sig.set, NULL);

	n_offered = offered_versions(getenv("SSMPATCH_PROTOCOL_VERSIONS"), offered);
	if (n_offered == 0) {
		fputs("SSMPATCH_PROTOCOL_VERSIONS must list 5, 6 or both (e.g. \"5\")\n", stderr);
		return 1;
	}
	version = handshake_negotiate(getenv("PLUGIN_PROTOCOL_VERSIONS"), offered, n_offered);
	net = getenv("SSMPATCH_PLUGIN_NETWORK");
	if (net && *net && strcmp(net, "tcp") != 0 && strcmp(net, "unix") != 0) {
		fprintf(stderr, "SSMPATCH_PLUGIN_NETWORK must be \"unix\" or \"tcp\", not \"%s\"\n", net);
		return 1;
	}
	tcp = net && strcmp(net, "tcp") == 0;

	client_cert = debug ? NULL : getenv("PLUGIN_CLIENT_CERT");
	if (client_cert && !*client_cert)
		client_cert = NULL;
	if (client_cert) {
		if (!tls_pem_has_cert(client_cert)) {
			fputs("PLUGIN_CLIENT_CERT does not hold a PEM certificate\n", stderr);
			return 1;
		}
		tls_job_start(&tls);
	}

	grpc_init();
	gpr_set_log_function(grpc_log_to_json);

	memset(&opts, 0, sizeof(opts));
	opts.on_stop = engine_stop;
	if (rpc_server_new(&server, &opts) != 0 || rpc_v5_register(server) != 0 ||
	    rpc_v6_register(server) != 0 || rpc_plugin_services_register(server) != 0) {
		fputs("cannot set up the gRPC server\n", stderr);
		goto done;
	}
	if (client_cert) {
		if (tls_job_finish(&tls) != 0) {
			fputs("cannot generate the TLS certificate for AutoMTLS\n", stderr);
			goto done;
		}
		if (rpc_server_use_tls(server, client_cert, tls.id.cert_pem, tls.id.key_pem) != 0) {
			fputs("cannot set up TLS for AutoMTLS\n", stderr);
			goto done;
		}
	}

	if (tcp) {
		int lo, hi, port;
		if (handshake_port_range(getenv("PLUGIN_MIN_PORT"), getenv("PLUGIN_MAX_PORT"), &lo, &hi) != 0) {
			fputs("PLUGIN_MIN_PORT / PLUGIN_MAX_PORT are not a valid port range\n", stderr);
			goto done;
		}
		if (rpc_server_listen_tcp(server, lo, hi, &port) != 0) {
			fprintf(stderr, "cannot listen on 127.0.0.1 in ports %d..%d%s\n", lo, hi,
				client_cert ? BAD_CLIENT_CERT_HINT : "");
			goto done;
		}
		snprintf(address, sizeof(address), "127.0.0.1:%d", port);
	} else {
		long gid = handshake_socket_group(getenv("PLUGIN_UNIX_SOCKET_GROUP"));
		if (handshake_socket_path(sock_path, sizeof(sock_path), getenv("PLUGIN_UNIX_SOCKET_DIR")) != 0) {
			fprintf(stderr, "cannot create a unix socket path: %s\n", strerror(errno));
			sock_path[0] = '\0';
			goto done;
		}
		if (rpc_server_listen_unix(server, sock_path, gid >= 0 ? 0660 : 0600, gid) != 0) {
			fprintf(stderr, "cannot listen on unix socket %s%s\n", sock_path,
				client_cert ? BAD_CLIENT_CERT_HINT : "");
			goto done;
		}
		snprintf(address, sizeof(address), "%s", sock_path);
	}
	if (rpc_server_start(server) != 0) {
		fputs("cannot start the gRPC server\n", stderr);
		goto done;
	}
	pthread_mutex_lock(&sig.mu);
	sig.server = server;
	pthread_mutex_unlock(&sig.mu);
	if (pthread_create(&sig_thread, NULL, signal_thread, &sig) != 0) {
		fputs("cannot start the signal thread\n", stderr);
		goto done;
	}
	pthread_detach(sig_thread);

	if (debug) {
		char *json;
		provider_addr = getenv("SSMPATCH_PROVIDER_ADDR");
		if (!provider_addr || !*provider_addr)
			provider_addr = DEFAULT_PROVIDER_ADDR;
		json = handshake_reattach_json(provider_addr, version, getpid(), tcp ? "tcp" : "unix", address);
		if (!json)
			goto done;
		printf("Provider started in debug mode (protocol %d, pid %d). To attach Terraform, set\n"
		       "this in the environment of the terraform command:\n\n"
		       "TF_REATTACH_PROVIDERS='%s'\n\n"
		       "Stop the provider with Ctrl-C or SIGTERM.\n",
		       version, (int)getpid(), json);
		fflush(stdout);
		free(json);
	} else {
		int devnull;
		line = handshake_line(version, tcp ? "tcp" : "unix", address, tls.id.cert_der_b64);
		if (!line || write_all(STDOUT_FILENO, line) != 0)
			goto done;
		/* Nothing else may reach Terraform's handshake reader. */
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, STDOUT_FILENO);
			close(devnull);
		}
	}
	LOG_I(MOD, "serving protocol %d on %s %s%s", version, tcp ? "tcp" : "unix", address,
	      client_cert ? " with AutoMTLS" : "");

	if (rpc_server_wait(server) == RPC_SERVER_EDIRTY) {
		/* A handler is stuck in I/O: do not tear down under it. */
		if (sock_path[0])
			unlink(sock_path);
		_exit(0);
	}
	rc = 0;
done:
	pthread_mutex_lock(&sig.mu);
	sig.server = NULL;
	pthread_mutex_unlock(&sig.mu);
	if (sock_path[0])
		unlink(sock_path);
	rpc_server_free(server);
	engine_shutdown();
	/* Blocking: grpc_shutdown() may finish its cleanup on a thread of its own,
	 * which can then race the exit-time destructors of the process (a rare
	 * SIGABRT after Shutdown was seen once under load). */
	grpc_shutdown_blocking();
	tls_job_finish(&tls);
	tls_identity_free(&tls.id);
	free(line);
	LOG_D(MOD, "exit %d", rc);
	return rc;
}
