/*
 * endpoint.c - service endpoints (contract and precedence in endpoint.h).
 */
#include "endpoint.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"

static const struct {
	const char *env; /* AWS_ENDPOINT_URL_<env> */
	const char *key; /* key in a [services] section */
	const char *label; /* for messages */
} services[] = {
	[AWS_SVC_SSM] = {"SSM", "ssm", "ssm"},
	[AWS_SVC_STS] = {"STS", "sts", "sts"},
	[AWS_SVC_SSO] = {"SSO", "sso", "sso"},
	[AWS_SVC_SSO_OIDC] = {"SSO_OIDC", "sso_oidc", "sso_oidc"},
};

int aws_default_endpoint(char *out, size_t n, const char *service, const char *region)
{
	bool cn = strncmp(region, "cn-", 3) == 0;
	int w = snprintf(out, n, "https://%s.%s.amazonaws.com%s/", service, region,
			 cn ? ".cn" : "");

	return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

static bool valid_url(const char *u)
{
	const char *host;

	if (strncmp(u, "https://", 8) == 0)
		host = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		host = u + 7;
	else
		return false;
	return *host && *host != '/' && *host != ':' && !strpbrk(u, " \t\r\n@#");
}

static bool truthy(const char *v)
{
	return v && strcasecmp(v, "true") == 0;
}

int aws_endpoint_resolve(char **out, char *from, aws_service svc, const char *configured,
			 const char *region, const aws_profiles *p, aws_error *err)
{
	char var[64], url[512], sec[300], key[64], src_buf[AWS_ENDPOINT_FROM_MAX];
	const char *v = NULL, *src = NULL, *services_name;
	bool ignore;

	*out = NULL;
	ignore = truthy(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
		 truthy(aws_profile_config_get(p, p->name, "ignore_configured_endpoint_urls"));
	snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_%s", services[svc].env);
	if (configured && *configured) {
		v = configured;
		snprintf(src_buf, sizeof(src_buf), "endpoints.%s", services[svc].label);
		src = src_buf;
	} else if (!ignore && (v = getenv(var)) && *v) {
		src = var;
	} else if (!ignore && (v = getenv("AWS_ENDPOINT_URL")) && *v) {
		src = "AWS_ENDPOINT_URL";
	} else if (!ignore && (services_name = aws_profile_config_get(p, p->name, "services")) &&
		   *services_name &&
		   snprintf(sec, sizeof(sec), "services %s", services_name) < (int)sizeof(sec) &&
		   snprintf(key, sizeof(key), "%s.endpoint_url", services[svc].key) <
			   (int)sizeof(key) &&
		   (v = aws_ini_get(p->config, sec, key)) && *v) {
		snprintf(src_buf, sizeof(src_buf), "[services %s] %s endpoint_url", services_name,
			 services[svc].key);
		src = src_buf;
	} else if (!ignore && (v = aws_profile_config_get(p, p->name, "endpoint_url")) && *v) {
		snprintf(src_buf, sizeof(src_buf), "endpoint_url of profile %s", p->name);
		src = src_buf;
	} else {
		v = NULL;
	}
	if (v) {
		if (!valid_url(v)) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "%s must be an http:// or https:// URL, got \"%s\"", src, v);
			return AWS_ERR_CONFIG;
		}
		*out = strdup(v);
	} else {
		int w = -1;
		switch (svc) {
		case AWS_SVC_SSM:
		case AWS_SVC_STS:
			w = aws_default_endpoint(url, sizeof(url), services[svc].key, region);
			break;
		case AWS_SVC_SSO:
			w = snprintf(url, sizeof(url), "https://portal.sso.%s.amazonaws.com",
				     region) < (int)sizeof(url)
				    ? 0
				    : -1;
			break;
		case AWS_SVC_SSO_OIDC:
			w = snprintf(url, sizeof(url), "https://oidc.%s.amazonaws.com", region) <
					    (int)sizeof(url)
				    ? 0
				    : -1;
			break;
		}
		if (w < 0) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL, "region name too long");
			return AWS_ERR_CONFIG;
		}
		*out = strdup(url);
		src = "default";
	}
	if (!*out) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		return AWS_ERR_OTHER;
	}
	if (from)
		snprintf(from, AWS_ENDPOINT_FROM_MAX, "%s", src);
	return 0;
}
