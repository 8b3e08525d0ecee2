/*
 * imds.c - EC2 instance metadata credentials over IMDSv2 (contract in imds.h).
 */
#include "imds.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/iso8601.h"
#include "core/log.h"
#include "errors.h"

#define WHY(...) snprintf(why, n, __VA_ARGS__)

/* GET or PUT base+path with the one header; 0 and resp filled on HTTP 200. */
static int imds_get(aws_http *http, const char *method, const char *base, size_t bl,
		    const char *path, const char *header, aws_http_response *resp, aws_error *err)
{
	char url[1024];
	const char *hdr[1] = {header};
	aws_http_request r = {.method = method,
			      .url = url,
			      .headers = hdr,
			      .n_headers = 1,
			      .connect_timeout_ms = AWS_IMDS_CONNECT_MS,
			      .timeout_ms = AWS_IMDS_TIMEOUT_MS};
	int w = snprintf(url, sizeof(url), "%.*s%s", (int)bl, base, path);

	if (w < 0 || (size_t)w >= sizeof(url)) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL, "metadata URL too long");
		return -1;
	}
	if (aws_http_do(http, &r, resp, err) != 0)
		return -1;
	if (resp->status != 200 || !resp->body.len) {
		aws_error_set(err, AWS_ERR_OTHER, (int)resp->status, NULL, NULL,
			      resp->status != 200 ? "HTTP %ld" : "HTTP %ld with an empty body",
			      resp->status);
		return -1;
	}
	return 0;
}

int aws_imds_credentials(aws_http *http, aws_credentials *out, char *why, size_t n)
{
	static const char creds_path[] = "/latest/meta-data/iam/security-credentials/";
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	aws_http_response resp;
	aws_error lerr;
	buf tokhdr, path;
	char *token = NULL, role[256];
	json_t *j = NULL;
	size_t bl, l;
	int rc = 1;

	if (dis && strcasecmp(dis, "true") == 0) {
		WHY("AWS_EC2_METADATA_DISABLED is true");
		return 1;
	}
	if (!base || !*base)
		base = AWS_IMDS_DEFAULT;
	bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	aws_http_response_init(&resp);
	buf_init(&tokhdr, 4096);
	buf_init(&path, 1024);

	if (imds_get(http, "PUT", base, bl, "/latest/api/token",
		     "X-aws-ec2-metadata-token-ttl-seconds: 21600", &resp, &lerr) < 0) {
		WHY("no IMDSv2 token from %.*s (%s)", (int)bl, base, lerr.message);
		LOG_D(AWS_LOG_MODULE, "IMDSv2 token not available (%s)", lerr.message);
		goto done;
	}
	if (!(token = buf_detach(&resp.body, NULL)))
		goto done;
	l = strlen(token);
	while (l && isspace((unsigned char)token[l - 1]))
		token[--l] = '\0';
	if (buf_printf(&tokhdr, "X-aws-ec2-metadata-token: %s", token + strspn(token, " \t\r\n")) <
	    0)
		goto done;

	if (imds_get(http, "GET", base, bl, creds_path, tokhdr.data, &resp, &lerr) < 0) {
		WHY("no instance role (%s)", lerr.message);
		LOG_D(AWS_LOG_MODULE, "IMDS: no instance role (HTTP %ld)", resp.status);
		goto done;
	}
	l = strcspn(resp.body.data, "\r\n");
	if (l == 0 || l >= sizeof(role) ||
	    strspn(resp.body.data,
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-") != l) {
		WHY("unexpected role name from the metadata service");
		LOG_W(AWS_LOG_MODULE, "IMDS: unexpected role name");
		goto done;
	}
	memcpy(role, resp.body.data, l);
	role[l] = '\0';
	if (buf_printf(&path, "%s%s", creds_path, role) < 0)
		goto done;
	if (imds_get(http, "GET", base, bl, path.data, tokhdr.data, &resp, &lerr) < 0) {
		WHY("role %s: credentials not available (%s)", role, lerr.message);
		LOG_D(AWS_LOG_MODULE, "IMDS: role credentials not available (HTTP %ld)",
		      resp.status);
		goto done;
	}
	{
		const char *code, *ak, *sk, *tok, *exp;
		int64_t expires;

		j = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len, 0, NULL);
		code = json_string_value(json_object_get(j, "Code"));
		ak = json_string_value(json_object_get(j, "AccessKeyId"));
		sk = json_string_value(json_object_get(j, "SecretAccessKey"));
		tok = json_string_value(json_object_get(j, "Token"));
		exp = json_string_value(json_object_get(j, "Expiration"));
		if ((code && strcmp(code, "Success") != 0) || !ak || !sk || !tok || !exp ||
		    iso8601_parse(exp, strlen(exp), ISO8601_NEED_TIME | ISO8601_RFC3339, &expires,
				  NULL, NULL) < 0) {
			WHY("role %s returned no usable credentials (Code %s)", role,
			    code ? code : "-");
			LOG_W(AWS_LOG_MODULE,
			      "IMDS: role %s returned no usable credentials (Code %s)", role,
			      code ? code : "-");
			goto done;
		}
		if (aws_credentials_set(out, ak, sk, tok, (time_t)expires, "imds") < 0)
			goto done;
		LOG_D(AWS_LOG_MODULE, "credentials from IMDS role %s", role);
		rc = 0;
	}
done:
	aws_json_secret_decref(j);
	aws_http_response_free(&resp);
	aws_secret_free(token);
	buf_free_secret(&tokhdr);
	buf_free(&path);
	return rc;
}
