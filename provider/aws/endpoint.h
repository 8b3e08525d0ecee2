/*
 * endpoint.h - which URL each AWS service the provider talks to is reached
 * at, with the SDKs' service-specific endpoint conventions (AWS SDKs and
 * Tools Reference Guide, "Service-specific endpoints"), first match wins:
 *   1. the provider's `endpoints` block (ssm, sts);
 *   2. AWS_ENDPOINT_URL_<SERVICE> (SSM, STS, SSO, SSO_OIDC);
 *   3. AWS_ENDPOINT_URL;
 *   4. the profile's `services = NAME` and, in the config file's
 *      [services NAME] section, "<service> =" with a nested endpoint_url;
 *   5. the profile's endpoint_url;
 *   6. AWS's endpoint: https://ssm.<region>.amazonaws.com/ (".com.cn" in the
 *      China regions), sts likewise, https://portal.sso.<region>.amazonaws.com
 *      and https://oidc.<region>.amazonaws.com.
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
 * ignore_configured_endpoint_urls = true) skips 2 to 5. A URL is http:// or
 * https:// with a host, no user info, fragment or blanks.
 */
#ifndef SSMPATCH_AWS_ENDPOINT_H
#define SSMPATCH_AWS_ENDPOINT_H

#include <stddef.h>

#include "aws.h"
#include "profile.h"

typedef enum {
	AWS_SVC_SSM,
	AWS_SVC_STS,
	AWS_SVC_SSO, /* the IAM Identity Center portal (GetRoleCredentials) */
	AWS_SVC_SSO_OIDC, /* its OIDC service (CreateToken) */
} aws_service;

/*
 * *out (malloc'd, no trailing slash added or removed) for svc in region,
 * given the provider's configured URL (NULL = none). from[AWS_ENDPOINT_FROM_MAX]
 * (may be NULL) names where it came from ("endpoints.ssm",
 * "AWS_ENDPOINT_URL_SSM", "[services x] ssm endpoint_url", "default", ...).
 * 0, or AWS_ERR_CONFIG with err naming the setting that holds a bad URL.
 */
#define AWS_ENDPOINT_FROM_MAX 320
int aws_endpoint_resolve(char **out, char *from, aws_service svc, const char *configured,
			 const char *region, const aws_profiles *p, aws_error *err);

/* https://<svc>.<region>.amazonaws.com/ (".com.cn" for cn-*), for ssm and sts.
 * Returns 0, or -1 when it does not fit in n. */
int aws_default_endpoint(char *out, size_t n, const char *service, const char *region);

#endif
