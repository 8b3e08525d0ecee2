/*
 * container.c - container credentials (contract in container.h).
 */
#include "container.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "errors.h"

#define TOKEN_MAX 16384 /* an authorization token file larger than this is refused */

bool aws_container_configured(void)
{
	const char *r = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *f = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");

	return (r && *r) || (f && *f);
}

static bool loopback4(const struct in_addr *a)
{
	return (ntohl(a->s_addr) >> 24) == 127;
}

bool aws_container_host_allowed(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6, eks6;
	struct addrinfo hints, *res = NULL, *ai;
	char h[256];
	size_t l = strlen(host);
	bool ok;

	if (l >= sizeof(h))
		return false;
	if (host[0] == '[' && l > 2 && host[l - 1] == ']') { /* an IPv6 literal in a URL */
		memcpy(h, host + 1, l - 2);
		h[l - 2] = '\0';
	} else {
		memcpy(h, host, l + 1);
	}
	if (inet_pton(AF_INET, h, &a4) == 1)
		return loopback4(&a4) || strcmp(h, "169.254.170.2") == 0 ||
		       strcmp(h, "169.254.170.23") == 0;
	if (inet_pton(AF_INET6, h, &a6) == 1) {
		inet_pton(AF_INET6, "fd00:ec2::23", &eks6);
		return IN6_IS_ADDR_LOOPBACK(&a6) || memcmp(&a6, &eks6, sizeof(a6)) == 0;
	}
	/* A name: every address it resolves to must be loopback (as the SDKs check). */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(h, NULL, &hints, &res) != 0)
		return false;
	ok = res != NULL;
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			ok = ok && loopback4(&((struct sockaddr_in *)ai->ai_addr)->sin_addr);
		else if (ai->ai_family == AF_INET6)
			ok = ok &&
			     IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
		else
			ok = false;
	}
	freeaddrinfo(res);
	return ok;
}

/* Host part of "scheme://host[:port]/..." into h[n]; the scheme into *https. */
static int url_host(const char *url, char *h, size_t n, bool *https)
{
	const char *p, *e;

	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8, *https = true;
	else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7, *https = false;
	else
		return -1;
	if (*p == '[')
		e = strchr(p, ']') ? strchr(p, ']') + 1 : NULL;
	else
		e = p + strcspn(p, ":/?#");
	if (!e || e == p || (size_t)(e - p) >= n || memchr(p, '@', (size_t)(e - p)))
		return -1;
	memcpy(h, p, (size_t)(e - p));
	h[e - p] = '\0';
	return 0;
}

/* The Authorization value into *out (malloc'd, secret) or NULL when none. */
static int auth_token(char **out, aws_error *err)
{
	const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	buf b;
	FILE *f;
	char chunk[1024];
	size_t got;

	*out = NULL;
	if (file && *file) {
		buf_init(&b, TOKEN_MAX);
		if (!(f = fopen(file, "rb"))) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s cannot be read",
				      file);
			return AWS_ERR_CONFIG;
		}
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(&b, chunk, got);
		fclose(f);
		while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
			b.data[--b.len] = '\0';
		if (!(*out = buf_detach(&b, NULL))) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s is larger than %d "
				      "bytes",
				      file, TOKEN_MAX);
			return AWS_ERR_CONFIG;
		}
	} else if (tok && *tok && !(*out = aws_secret_dup(tok))) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		return AWS_ERR_OTHER;
	}
	if (*out && strpbrk(*out, "\r\n")) {
		aws_secret_free(*out);
		*out = NULL;
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "the container authorization token contains a line break");
		return AWS_ERR_CONFIG;
	}
	return 0;
}

int aws_container_credentials(aws_http *http, aws_credentials *out, char *why, size_t n,
			      aws_error *err)
{
	static const aws_json_creds_names names = {"AccessKeyId", "SecretAccessKey", "Token",
						   "Expiration", false};
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	aws_http_response resp;
	buf url, hdr;
	char *token = NULL, host[300], jwhy[160];
	const char *hl[1];
	json_t *j = NULL;
	bool https;
	int rc;

	if (!aws_container_configured()) {
		snprintf(why, n,
			 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set");
		return 1;
	}
	aws_http_response_init(&resp);
	buf_init(&url, 4096);
	buf_init(&hdr, TOKEN_MAX + 32);
	if (rel && *rel) {
		buf_printf(&url, "%s%s%s", AWS_CONTAINER_ECS_BASE, rel[0] == '/' ? "" : "/", rel);
	} else {
		if (url_host(full, host, sizeof(host), &https) < 0) {
			aws_error_set(
				err, AWS_ERR_CONFIG, 0, NULL, NULL,
				"AWS_CONTAINER_CREDENTIALS_FULL_URI \"%s\" is not an http:// or "
				"https:// URL",
				full);
			rc = AWS_ERR_CONFIG;
			goto done;
		}
		if (!https && !aws_container_host_allowed(host)) {
			aws_error_set(
				err, AWS_ERR_CONFIG, 0, NULL, NULL,
				"AWS_CONTAINER_CREDENTIALS_FULL_URI \"%s\": an http:// URL may "
				"only name a loopback address, 169.254.170.2, 169.254.170.23 or "
				"fd00:ec2::23 (use https:// otherwise)",
				full);
			rc = AWS_ERR_CONFIG;
			goto done;
		}
		buf_puts(&url, full);
	}
	if ((rc = auth_token(&token, err)) != 0)
		goto done;
	if (token)
		buf_printf(&hdr, "Authorization: %s", token);
	if (buf_failed(&url) || buf_failed(&hdr)) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "container credentials URL or token too long");
		rc = AWS_ERR_CONFIG;
		goto done;
	}
	hl[0] = hdr.data;
	{
		aws_http_request r = {.method = "GET",
				      .url = url.data,
				      .headers = hl,
				      .n_headers = token ? 1 : 0,
				      .connect_timeout_ms = AWS_CONTAINER_CONNECT_MS,
				      .timeout_ms = AWS_CONTAINER_TIMEOUT_MS};
		if ((rc = aws_http_do(http, &r, &resp, err)) != 0) {
			aws_error_prefix(err, "container credentials from %s: ", url.data);
			goto done;
		}
	}
	j = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len, 0, NULL);
	if (resp.status != 200) {
		const char *code = json_string_value(json_object_get(j, "code"));
		const char *msg = json_string_value(json_object_get(j, "message"));
		aws_error_set(err, AWS_ERR_AUTH, (int)resp.status, code, NULL,
			      "container credentials from %s: HTTP %ld%s%s%s%s", url.data,
			      resp.status, code ? " " : "", code ? code : "", msg ? ": " : "",
			      msg ? msg : "");
		rc = AWS_ERR_AUTH;
		goto done;
	}
	if (aws_credentials_from_json(out, j, &names, "container", jwhy, sizeof(jwhy)) < 0) {
		aws_error_set(err, AWS_ERR_AUTH, 200, NULL, NULL,
			      "container credentials from %s: %s", url.data, jwhy);
		rc = AWS_ERR_AUTH;
		goto done;
	}
	LOG_D(AWS_LOG_MODULE, "credentials from the container endpoint %s", url.data);
	rc = 0;
done:
	aws_json_secret_decref(j);
	aws_http_response_free(&resp);
	aws_secret_free(token);
	buf_free_secret(&hdr);
	buf_free(&url);
	return rc;
}
