/*
 * sso.c - IAM Identity Center credentials (contract in sso.h).
 */
#include "sso.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "core/iso8601.h"
#include "core/log.h"
#include "errors.h"
#include "profile.h"

#define CACHE_MAX (1024 * 1024)

int aws_sso_cache_path(char *out, size_t n, const char *key)
{
	unsigned char md[SHA_DIGEST_LENGTH];
	char hex[2 * SHA_DIGEST_LENGTH + 1], *dir;
	int w;

	SHA1((const unsigned char *)key, strlen(key), md);
	for (size_t i = 0; i < SHA_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (!(dir = aws_expand_home("~/.aws/sso/cache")))
		return -1;
	w = snprintf(out, n, "%s/%s.json", dir, hex);
	free(dir);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

static int login_error(aws_error *err, const aws_sso_config *c, const char *fmt, const char *what)
{
	aws_error_set(
		err, AWS_ERR_AUTH, 0, NULL, NULL,
		"%s%s for profile \"%s\" (SSO start URL %s): run `aws sso login --profile %s`", fmt,
		what ? what : "", c->profile, c->start_url, c->profile);
	return AWS_ERR_AUTH;
}

/* The cached token object, or NULL with err (missing, unreadable, not JSON). */
static json_t *load_token(const aws_sso_config *c, const char *path, aws_error *err)
{
	FILE *f = fopen(path, "rb");
	buf text;
	char chunk[4096];
	size_t got;
	json_t *j = NULL;

	if (!f) {
		char what[4400];
		snprintf(what, sizeof(what), " (%s: %s)", path, strerror(errno));
		login_error(err, c, "no cached SSO token", what);
		return NULL;
	}
	buf_init(&text, CACHE_MAX);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&text, chunk, got);
	fclose(f);
	if (!buf_failed(&text))
		j = json_loadb(text.data ? text.data : "", text.len, 0, NULL);
	buf_free_secret(&text);
	if (!json_is_object(j) || !json_is_string(json_object_get(j, "accessToken")) ||
	    !json_is_string(json_object_get(j, "expiresAt"))) {
		aws_json_secret_decref(j);
		login_error(err, c, "the cached SSO token is unreadable", NULL);
		return NULL;
	}
	return j;
}

static int64_t json_time(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	int64_t t;

	if (!s || iso8601_parse(s, strlen(s), ISO8601_NEED_TIME | ISO8601_RFC3339, &t, NULL, NULL))
		return -1;
	return t;
}

/* Write tok to path through a temporary file and rename (mode 0600). */
static int write_cache(const char *path, const json_t *tok)
{
	char tmp[4200];
	char *text = json_dumps(tok, JSON_INDENT(2));
	size_t len = text ? strlen(text) : 0;
	int fd, rc = -1;

	if (!text ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		goto done;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto done;
	if (write(fd, text, len) == (ssize_t)len && close(fd) == 0)
		rc = rename(tmp, path);
	else
		close(fd);
	if (rc < 0)
		unlink(tmp);
done:
	aws_secret_free(text);
	return rc;
}

/* The OIDC CreateToken refresh of tok (updated in place and written back).
 * 0, or -1 when it cannot or did not work (the caller keeps the old token). */
static int refresh(const aws_sso_config *c, aws_http *http, const char *path, json_t *tok)
{
	const char *cid = json_string_value(json_object_get(tok, "clientId"));
	const char *csec = json_string_value(json_object_get(tok, "clientSecret"));
	const char *rt = json_string_value(json_object_get(tok, "refreshToken"));
	int64_t reg = json_time(tok, "registrationExpiresAt");
	json_t *req = NULL, *resp_j = NULL;
	aws_http_response resp;
	aws_error err;
	char *body = NULL, url[1024], exp[32];
	const char *hl[1] = {"Content-Type: application/json"}, *at;
	json_int_t expires_in;
	time_t now = time(NULL), t;
	int rc = -1;

	if (!cid || !csec || !rt || reg < 0 || reg <= now) {
		LOG_D(AWS_LOG_MODULE,
		      "SSO token of profile %s: no usable refresh token in the cache", c->profile);
		return -1;
	}
	aws_http_response_init(&resp);
	req = json_pack("{s:s,s:s,s:s,s:s}", "clientId", cid, "clientSecret", csec, "grantType",
			"refresh_token", "refreshToken", rt);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	if (!body || snprintf(url, sizeof(url), "%s/token", c->oidc_url) >= (int)sizeof(url))
		goto done;
	{
		aws_http_request r = {.method = "POST",
				      .url = url,
				      .headers = hl,
				      .n_headers = 1,
				      .body = body,
				      .body_len = strlen(body)};
		if (aws_http_do(http, &r, &resp, &err) != 0 || resp.status != 200) {
			LOG_W(AWS_LOG_MODULE,
			      "refreshing the SSO token of profile %s failed (HTTP %ld%s%s)",
			      c->profile, resp.status, resp.status ? "" : ": ",
			      resp.status ? "" : err.message);
			goto done;
		}
	}
	resp_j = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len, 0, NULL);
	at = json_string_value(json_object_get(resp_j, "accessToken"));
	expires_in = json_integer_value(json_object_get(resp_j, "expiresIn"));
	if (!at || expires_in <= 0)
		goto done;
	t = now + (time_t)expires_in;
	strftime(exp, sizeof(exp), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &(struct tm){0}));
	if (json_object_set_new(tok, "accessToken", json_string(at)) != 0 ||
	    json_object_set_new(tok, "expiresAt", json_string(exp)) != 0 ||
	    (json_is_string(json_object_get(resp_j, "refreshToken")) &&
	     json_object_set_new(
		     tok, "refreshToken",
		     json_string(json_string_value(json_object_get(resp_j, "refreshToken")))) != 0))
		goto done;
	if (write_cache(path, tok) < 0)
		LOG_W(AWS_LOG_MODULE, "the refreshed SSO token could not be written to %s", path);
	LOG_I(AWS_LOG_MODULE, "SSO token of profile %s refreshed (valid until %s)", c->profile,
	      exp);
	rc = 0;
done:
	aws_json_secret_decref(resp_j);
	aws_json_secret_decref(req);
	aws_secret_free(body);
	aws_http_response_free(&resp);
	return rc;
}

static int get_role_credentials(const aws_sso_config *c, aws_http *http, const char *token,
				aws_credentials *out, aws_error *err)
{
	static const aws_json_creds_names names = {"accessKeyId", "secretAccessKey", "sessionToken",
						   "expiration", true};
	aws_http_response resp;
	buf url, hdr;
	const char *hl[1];
	json_t *j = NULL;
	char why[160];
	int rc;

	aws_http_response_init(&resp);
	buf_init(&url, 4096);
	buf_init(&hdr, 64 * 1024);
	buf_printf(&url, "%s/federation/credentials?account_id=", c->portal_url);
	buf_uri_encoded(&url, c->account_id, strlen(c->account_id), NULL);
	buf_puts(&url, "&role_name=");
	buf_uri_encoded(&url, c->role_name, strlen(c->role_name), NULL);
	buf_printf(&hdr, "x-amz-sso_bearer_token: %s", token);
	if (buf_failed(&url) || buf_failed(&hdr)) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, "GetRoleCredentials",
			      "SSO portal URL or token too long");
		rc = AWS_ERR_CONFIG;
		goto done;
	}
	hl[0] = hdr.data;
	{
		aws_http_request r = {
			.method = "GET", .url = url.data, .headers = hl, .n_headers = 1};
		if ((rc = aws_http_do(http, &r, &resp, err)) != 0) {
			aws_error_prefix(err, "SSO GetRoleCredentials: ");
			goto done;
		}
	}
	if (resp.status == 401 || resp.status == 403) {
		char what[64];
		snprintf(what, sizeof(what), " (HTTP %ld)", resp.status);
		rc = login_error(err, c, "the SSO portal refused the cached SSO token", what);
		goto done;
	}
	if (resp.status != 200) {
		aws_parse_json_error(err, (int)resp.status, resp.body.data, resp.body.len,
				     resp.error_type, "GetRoleCredentials");
		aws_error_prefix(err,
				 "SSO GetRoleCredentials for account %s role %s: ", c->account_id,
				 c->role_name);
		rc = err->code;
		goto done;
	}
	j = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len, 0, NULL);
	if (aws_credentials_from_json(out, json_object_get(j, "roleCredentials"), &names, "sso",
				      why, sizeof(why)) < 0) {
		aws_error_set(err, AWS_ERR_AUTH, 200, NULL, "GetRoleCredentials",
			      "SSO GetRoleCredentials returned no usable roleCredentials: %s", why);
		rc = AWS_ERR_AUTH;
		goto done;
	}
	rc = 0;
done:
	aws_json_secret_decref(j);
	aws_http_response_free(&resp);
	buf_free_secret(&hdr);
	buf_free(&url);
	return rc;
}

int aws_sso_credentials(const aws_sso_config *c, aws_http *http, aws_credentials *out,
			aws_error *err)
{
	char path[4096], when[32];
	json_t *tok = NULL;
	int64_t expires;
	time_t now = time(NULL), t;
	int rc = AWS_ERR_AUTH;

	if (aws_sso_cache_path(path, sizeof(path),
			       c->session_name ? c->session_name : c->start_url) < 0) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL, "SSO token cache path too long");
		return AWS_ERR_CONFIG;
	}
	if (!(tok = load_token(c, path, err)))
		return AWS_ERR_AUTH;
	expires = json_time(tok, "expiresAt");
	if (c->session_name && expires >= 0 && expires - now < AWS_SSO_REFRESH_WINDOW &&
	    refresh(c, http, path, tok) == 0)
		expires = json_time(tok, "expiresAt");
	if (expires < 0) {
		login_error(err, c, "the cached SSO token has no valid expiresAt", NULL);
		goto done;
	}
	if (expires <= now) {
		t = (time_t)expires;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &(struct tm){0}));
		{
			char what[64];
			snprintf(what, sizeof(what), " at %s", when);
			login_error(err, c, "the cached SSO token expired", what);
		}
		goto done;
	}
	rc = get_role_credentials(c, http, json_string_value(json_object_get(tok, "accessToken")),
				  out, err);
	if (rc == 0)
		LOG_D(AWS_LOG_MODULE, "credentials from SSO (profile %s, account %s, role %s)",
		      c->profile, c->account_id, c->role_name);
done:
	aws_json_secret_decref(tok);
	return rc;
}
