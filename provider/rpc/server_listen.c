/*
 * server_listen.c - where the gRPC server listens: AutoMTLS credentials, the
 * unix socket (created with no looser mode than asked, even for an instant),
 * and 127.0.0.1 ports probed before gRPC is asked. The rest of the server is
 * in server.c; both share server_internal.h.
 */
#include "server_internal.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

#define MOD RPC_LOG_MOD

int rpc_server_use_tls(rpc_server *s, const char *client_ca_pem, const char *cert_pem,
		       const char *key_pem)
{
	grpc_ssl_pem_key_cert_pair pair = {key_pem, cert_pem};
	grpc_server_credentials *creds;

	if (s->started || !client_ca_pem || !cert_pem || !key_pem)
		return -1;
	creds = grpc_ssl_server_credentials_create_ex(
		client_ca_pem, &pair, 1, GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY,
		NULL);
	if (!creds)
		return -1;
	grpc_server_credentials_release(s->creds);
	s->creds = creds;
	return 0;
}

int rpc_server_listen_unix(rpc_server *s, const char *path, unsigned mode, long gid)
{
	char addr[4096];
	mode_t old;
	int port, n;

	n = snprintf(addr, sizeof(addr), "unix:%s", path);
	if (n < 0 || (size_t)n >= sizeof(addr))
		return -1;
	free(s->unix_path);
	s->unix_path = strdup(path);
	if (!s->unix_path)
		return -1;
	s->unix_mode = mode;
	s->unix_gid = gid;
	/* Never let the socket exist with looser permissions, even briefly. */
	old = umask(0177);
	port = grpc_server_add_http2_port(s->server, addr, s->creds);
	umask(old);
	return port > 0 ? 0 : -1;
}

/* Can 127.0.0.1:port be bound (with SO_REUSEADDR, as gRPC binds)? */
static bool tcp_port_free(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	bool ok;

	if (fd < 0)
		return true; /* cannot tell: let gRPC try */
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/*
 * grpc_server_add_http2_port answers 0 both for a busy port and for TLS
 * credentials it refuses (a bad PLUGIN_CLIENT_CERT), and sets TLS up afresh on
 * every try (millions of instructions with OpenSSL 3). So ports are probed
 * with a plain socket first, and a refusal of a port the probe found free
 * ends the search after a second one (a race for the port is possible once,
 * a credentials problem repeats).
 */
int rpc_server_listen_tcp(rpc_server *s, int min_port, int max_port, int *port_out)
{
	char addr[64];
	int p, got, refused = 0;

	*port_out = 0;
	if (min_port == 0 && max_port == 0) {
		got = grpc_server_add_http2_port(s->server, "127.0.0.1:0", s->creds);
		if (got <= 0)
			return -1;
		*port_out = got;
		return 0;
	}
	if (min_port <= 0 || max_port < min_port || max_port > 65535)
		return -1;
	for (p = min_port; p <= max_port; p++) {
		if (!tcp_port_free(p))
			continue;
		snprintf(addr, sizeof(addr), "127.0.0.1:%d", p);
		got = grpc_server_add_http2_port(s->server, addr, s->creds);
		if (got > 0) {
			*port_out = got;
			return 0;
		}
		LOG_D(MOD, "gRPC refused to listen on %s", addr);
		if (++refused == 2)
			break;
	}
	return -1;
}
