/*
 * handshake.h - go-plugin's start-up contract, as pure functions.
 *
 * Terraform starts the provider with TF_PLUGIN_MAGIC_COOKIE and
 * PLUGIN_PROTOCOL_VERSIONS in the environment and reads exactly one line from
 * its stdout:  1|<app version>|<unix|tcp>|<address>|grpc|<server cert>
 * (go-plugin server.go; docs/protocol.md §2). Debug mode prints the
 * TF_REATTACH_PROVIDERS JSON instead (§2.8). Nothing here touches the network:
 * main.c strings these together with server.c and tls.c.
 */
#ifndef SSMPATCH_RPC_HANDSHAKE_H
#define SSMPATCH_RPC_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HANDSHAKE_COOKIE_KEY "TF_PLUGIN_MAGIC_COOKIE"
#define HANDSHAKE_COOKIE_VALUE "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

/* The message go-plugin prints when the cookie is wrong (to stderr, exit 1). */
#define HANDSHAKE_COOKIE_MESSAGE                                                  \
	"This binary is a plugin. These are not meant to be executed directly.\n" \
	"Please execute the program that consumes these plugins, which will\n"    \
	"load any plugins automatically\n"

/* Does the environment value (may be NULL) carry the right cookie? */
bool handshake_cookie_ok(const char *value);

/*
 * Pick the app protocol version as go-plugin does: parse the comma list
 * `client_list` (may be NULL or empty; non-numbers are skipped), and return the
 * highest entry that is also in `supported` (n entries); with no match, the
 * lowest supported version.
 */
int handshake_negotiate(const char *client_list, const int *supported, size_t n);

/*
 * Choose a fresh socket path "<dir>/pluginXXXXXX" (the name reserved with
 * mkstemp, then removed so the socket can be created there). `dir` NULL or
 * empty means $TMPDIR, else /tmp. 0, or -1 with errno (ENAMETOOLONG when the
 * path would not fit a sockaddr_un).
 */
int handshake_socket_path(char *out, size_t out_size, const char *dir);

/* Parse PLUGIN_UNIX_SOCKET_GROUP (a gid or a group name). -1 when absent or unknown. */
long handshake_socket_group(const char *value);

/* "1|<version>|<network>|<address>|grpc|<cert_b64 or empty>\n" (malloc'd). */
char *handshake_line(int version, const char *network, const char *address, const char *cert_b64);

/*
 * The TF_REATTACH_PROVIDERS value for debug mode (malloc'd compact JSON):
 * {"<provider_addr>":{"Protocol":"grpc","ProtocolVersion":N,"Pid":P,"Test":true,
 *  "Addr":{"Network":"unix","String":"/tmp/plugin..."}}}
 */
char *handshake_reattach_json(const char *provider_addr, int version, pid_t pid,
			      const char *network, const char *address);

/* Port range from PLUGIN_MIN_PORT / PLUGIN_MAX_PORT (either may be NULL or
 * empty, meaning 0; the go-plugin client normally sets 10000 / 25000). Both 0
 * means "let the kernel pick". 0, or -1 on a non-number, a port above 65535,
 * or min > max (go-plugin refuses the same). */
int handshake_port_range(const char *min_s, const char *max_s, int *min_out, int *max_out);

#endif
