/*
 * handshake.c - go-plugin start-up contract: cookie, version negotiation,
 * socket path, handshake line, reattach JSON. See handshake.h.
 */
#include "handshake.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

/* Longest comma-separated version list we look at (longer input is truncated). */
#define HANDSHAKE_MAX_VERSIONS 32

bool handshake_cookie_ok(const char *value)
{
	return value && strcmp(value, HANDSHAKE_COOKIE_VALUE) == 0;
}

/* Parse a decimal int with optional surrounding blanks. 0 or -1. */
static int parse_int(const char *s, size_t len, long *out)
{
	char buf[32];
	char *end;
	long v;

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int handshake_negotiate(const char *client_list, const int *supported, size_t n)
{
	long client[HANDSHAKE_MAX_VERSIONS];
	size_t n_client = 0, i, j;
	int best = -1, lowest = -1;
	const char *p = client_list;

	while (p && *p && n_client < HANDSHAKE_MAX_VERSIONS) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		long v;
		if (parse_int(p, len, &v) == 0)
			client[n_client++] = v;
		if (!comma)
			break;
		p = comma + 1;
	}
	for (j = 0; j < n; j++)
		if (lowest < 0 || supported[j] < lowest)
			lowest = supported[j];
	/* Highest client version we also support (go-plugin sorts both lists
	 * descending and takes the first match; the result is the same). */
	for (i = 0; i < n_client; i++)
		for (j = 0; j < n; j++)
			if (client[i] == supported[j] && supported[j] > best)
				best = supported[j];
	return best >= 0 ? best : lowest;
}

int handshake_socket_path(char *out, size_t out_size, const char *dir)
{
	struct sockaddr_un sun;
	size_t dlen;
	int n, fd;

	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	n = snprintf(out, out_size, "%.*s/pluginXXXXXX", (int)dlen, dir);
	if (n < 0 || (size_t)n >= out_size || (size_t)n >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(out);
	if (fd < 0)
		return -1;
	close(fd);
	/* It has to not exist for the socket to be created; the random name
	 * stays ours in practice (go-plugin does the same). */
	if (unlink(out) != 0)
		return -1;
	return 0;
}

long handshake_socket_group(const char *value)
{
	long gid = -1, max;
	struct group grp, *g = NULL;
	char *buf = NULL, *bigger;
	size_t len;

	if (!value || !*value)
		return -1;
	if (parse_int(value, strlen(value), &gid) == 0)
		return gid >= 0 ? gid : -1;
	/* getgrnam_r, not getgrnam: no static result shared with other threads.
	 * The buffer starts at the system's hint and doubles on ERANGE (large
	 * groups), up to 1 MiB. */
	max = sysconf(_SC_GETGR_R_SIZE_MAX);
	len = max > 0 ? (size_t)max : 1024;
	for (;;) {
		int rc;

		bigger = realloc(buf, len);
		if (!bigger)
			break;
		buf = bigger;
		rc = getgrnam_r(value, &grp, buf, len, &g);
		if (rc != ERANGE || len >= (1u << 20))
			break;
		len *= 2;
	}
	gid = g ? (long)g->gr_gid : -1;
	free(buf);
	return gid;
}

char *handshake_line(int version, const char *network, const char *address, const char *cert_b64)
{
	char *line = NULL;
	size_t len = strlen(network) + strlen(address) + (cert_b64 ? strlen(cert_b64) : 0) + 32;
	int n;

	line = malloc(len);
	if (!line)
		return NULL;
	n = snprintf(line, len, "1|%d|%s|%s|grpc|%s\n", version, network, address,
		     cert_b64 ? cert_b64 : "");
	if (n < 0 || (size_t)n >= len) {
		free(line);
		return NULL;
	}
	return line;
}

char *handshake_reattach_json(const char *provider_addr, int version, pid_t pid,
			      const char *network, const char *address)
{
	json_t *root;
	char *out;

	root = json_pack("{s:{s:s, s:i, s:I, s:b, s:{s:s, s:s}}}", provider_addr, "Protocol",
			 "grpc", "ProtocolVersion", version, "Pid", (json_int_t)pid, "Test", 1,
			 "Addr", "Network", network, "String", address);
	if (!root)
		return NULL;
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return out;
}

int handshake_port_range(const char *min_s, const char *max_s, int *min_out, int *max_out)
{
	long lo = 0, hi = 0;

	if (min_s && *min_s && parse_int(min_s, strlen(min_s), &lo) != 0)
		return -1;
	if (max_s && *max_s && parse_int(max_s, strlen(max_s), &hi) != 0)
		return -1;
	if (lo < 0 || hi < 0 || lo > 65535 || hi > 65535 || lo > hi)
		return -1;
	*min_out = (int)lo;
	*max_out = (int)hi;
	return 0;
}
