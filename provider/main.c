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
 *   SSMPATCH_SHUTDOWN_GRACE_MS   after Shutdown, how long clients may keep
 *              their connections before the provider cuts them (1..600000,
 *              default 1000; tests that watch the wire set it high)
 *
 * Nothing but the handshake line (or, in debug mode, the reattach hint) is
 * ever written to stdout: fd 1 is pointed at /dev/null right after it. Logs
 * are JSON lines on stderr (core/log.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <grpc/grpc.h>
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
#define BAD_CLIENT_CERT_HINT \
	" (AutoMTLS: gRPC refused the TLS set-up; is PLUGIN_CLIENT_CERT a valid X.509 certificate?)"

static const int g_versions[] = {5, 6};

/* The versions this process offers: g_versions, narrowed by
 * SSMPATCH_PROTOCOL_VERSIONS when set. Returns the count (0: nothing valid). */
static size_t offered_versions(const char *env, int out[2])
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(g_versions) / sizeof(g_versions[0]); i++) {
		char want[2] = {(char)('0' + g_versions[i]), 0};
		if (env && *env && !strstr(env, want))
			continue;
		out[n++] = g_versions[i];
	}
	return n;
}

/* SSMPATCH_SHUTDOWN_GRACE_MS as milliseconds, 0 (the server's default)
 * when unset or not a number in 1..600000. */
static int shutdown_grace_ms(const char *env)
{
	char *end;
	long v;

	if (!env || !*env)
		return 0;
	errno = 0;
	v = strtol(env, &end, 10);
	return errno == 0 && *end == '\0' && v >= 1 && v <= 600000 ? (int)v : 0;
}

/* SIGTERM (and SIGINT in debug mode) stop the server gracefully through
 * rpc_server_request_shutdown, which only write()s a byte to a pipe and so
 * may run in a signal handler (no thread of its own: every thread costs
 * start-up time). The signals stay blocked in every thread but the main one,
 * which unblocks them only while it waits in rpc_server_wait. Repeats are
 * harmless: a TERM often reaches the process twice, directly and through its
 * process group. */
static _Atomic(rpc_server *) g_signal_server;

static void on_stop_signal(int sig)
{
	int saved = errno;
	rpc_server *s = atomic_load(&g_signal_server);

	(void)sig;
	if (s)
		rpc_server_request_shutdown(s);
	errno = saved;
}

/* gRPC core's own log lines, as JSON lines on stderr. */
static void grpc_log_to_json(gpr_log_func_args *args)
{
	log_level lvl = args->severity == GPR_LOG_SEVERITY_ERROR ? LOG_WARN : LOG_DEBUG;

	if (log_enabled(lvl))
		log_msg(lvl, "provider.grpc", "%s (%s:%d)", args->message, args->file, args->line);
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
	tls_identity tls = {NULL, NULL, NULL};
	rpc_server_opts opts;
	rpc_server *server = NULL;
	sigset_t stop_signals;
	struct sigaction sa;
	char *line = NULL;
	const char *net;
	int version, rc = 1, wait_rc, i;
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
	if (!debug && !handshake_cookie_ok(getenv(HANDSHAKE_COOKIE_KEY))) {
		fputs(HANDSHAKE_COOKIE_MESSAGE, stderr);
		return 1;
	}

	/* Signals: SIGINT reaches the whole process group on Ctrl-C; Terraform
	 * sends Stop instead, so ignore it (except in debug mode, where Ctrl-C is
	 * how the user ends the server). Block the stop signals before any thread
	 * (gRPC's included) exists, so they all inherit the mask and only the
	 * main thread, waiting in rpc_server_wait, takes them (on_stop_signal). */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	if (debug)
		sigaddset(&stop_signals, SIGINT);
	else
		signal(SIGINT, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

	n_offered = offered_versions(getenv("SSMPATCH_PROTOCOL_VERSIONS"), offered);
	if (n_offered == 0) {
		fputs("SSMPATCH_PROTOCOL_VERSIONS must list 5, 6 or both (e.g. \"5\")\n", stderr);
		return 1;
	}
	version = handshake_negotiate(getenv("PLUGIN_PROTOCOL_VERSIONS"), offered, n_offered);
	net = getenv("SSMPATCH_PLUGIN_NETWORK");
	if (net && *net && strcmp(net, "tcp") != 0 && strcmp(net, "unix") != 0) {
		fprintf(stderr, "SSMPATCH_PLUGIN_NETWORK must be \"unix\" or \"tcp\", not \"%s\"\n",
			net);
		return 1;
	}
	tcp = net && strcmp(net, "tcp") == 0;

	client_cert = debug ? NULL : getenv("PLUGIN_CLIENT_CERT");
	if (client_cert && !*client_cert)
		client_cert = NULL;
	if (tls_openssl_init(client_cert != NULL) != 0) {
		fputs("cannot initialise OpenSSL\n", stderr);
		return 1;
	}
	if (client_cert) {
		if (!tls_pem_has_cert(client_cert)) {
			fputs("PLUGIN_CLIENT_CERT does not hold a PEM certificate\n", stderr);
			return 1;
		}
		if (tls_identity_generate(&tls) != 0) {
			fputs("cannot generate the TLS certificate for AutoMTLS\n", stderr);
			return 1;
		}
	}

	grpc_init();
	gpr_set_log_function(grpc_log_to_json);

	memset(&opts, 0, sizeof(opts));
	opts.on_stop = engine_stop;
	opts.close_ms = shutdown_grace_ms(getenv("SSMPATCH_SHUTDOWN_GRACE_MS"));
	if (rpc_server_new(&server, &opts) != 0 || rpc_v5_register(server) != 0 ||
	    rpc_v6_register(server) != 0 || rpc_plugin_services_register(server) != 0) {
		fputs("cannot set up the gRPC server\n", stderr);
		goto done;
	}
	if (client_cert &&
	    rpc_server_use_tls(server, client_cert, tls.cert_pem, tls.key_ref) != 0) {
		fputs("cannot set up TLS for AutoMTLS\n", stderr);
		goto done;
	}

	if (tcp) {
		int lo, hi, port;
		if (handshake_port_range(getenv("PLUGIN_MIN_PORT"), getenv("PLUGIN_MAX_PORT"), &lo,
					 &hi) != 0) {
			fputs("PLUGIN_MIN_PORT / PLUGIN_MAX_PORT are not a valid port range\n",
			      stderr);
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
		if (handshake_socket_path(sock_path, sizeof(sock_path),
					  getenv("PLUGIN_UNIX_SOCKET_DIR")) != 0) {
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
	atomic_store(&g_signal_server, server);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);

	if (debug) {
		char *json;

		sigaction(SIGINT, &sa, NULL);
		provider_addr = getenv("SSMPATCH_PROVIDER_ADDR");
		if (!provider_addr || !*provider_addr)
			provider_addr = DEFAULT_PROVIDER_ADDR;
		json = handshake_reattach_json(provider_addr, version, getpid(),
					       tcp ? "tcp" : "unix", address);
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
		line = handshake_line(version, tcp ? "tcp" : "unix", address, tls.cert_der_b64);
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

	pthread_sigmask(SIG_UNBLOCK, &stop_signals, NULL); /* a pending one fires now */
	wait_rc = rpc_server_wait(server);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	if (wait_rc == RPC_SERVER_EDIRTY) {
		/* A handler is stuck in I/O: do not tear down under it. */
		if (sock_path[0])
			unlink(sock_path);
		_exit(0);
	}
	rc = 0;
done:
	atomic_store(&g_signal_server, NULL);
	if (sock_path[0])
		unlink(sock_path);
	rpc_server_free(server);
	engine_shutdown();
	/* Blocking: grpc_shutdown() may finish its cleanup on a thread of its own,
	 * which can then race the exit-time destructors of the process (a rare
	 * SIGABRT after Shutdown was seen once under load). */
	grpc_shutdown_blocking();
	tls_identity_free(&tls);
	free(line);
	LOG_D(MOD, "exit %d", rc);
	return rc;
}
