/*
 * sso.h - IAM Identity Center (SSO) credentials for a profile that has them,
 * as the AWS CLI v2 and the SDKs get them after `aws sso login`:
 *
 * - The profile names an [sso-session NAME] section (sso_session = NAME, with
 *   sso_start_url and sso_region there) or carries the legacy sso_start_url
 *   and sso_region itself; sso_account_id and sso_role_name are in the
 *   profile either way.
 * - The access token is read from ~/.aws/sso/cache/<hex SHA-1>.json, the
 *   SHA-1 of the session name (sso-session form) or of the start URL (legacy
 *   form), exactly the file the AWS CLI v2 writes ("accessToken",
 *   "expiresAt", and for the sso-session form "refreshToken", "clientId",
 *   "clientSecret", "registrationExpiresAt").
 * - As botocore does, a token of the sso-session form expiring within 15
 *   minutes is refreshed with the OIDC CreateToken call (grant type
 *   refresh_token) when the cache has a refresh token and an unexpired client
 *   registration, and the new token is written back to the cache file.
 * - The portal's GetRoleCredentials (unsigned GET, the token in the
 *   x-amz-sso_bearer_token header) gives the role's credentials.
 * - An expired or refused token is an error that says to run
 *   `aws sso login --profile NAME`. No token or secret is ever logged.
 */
#ifndef SSMPATCH_AWS_SSO_H
#define SSMPATCH_AWS_SSO_H

#include "aws.h"
#include "credentials.h"
#include "http.h"

#define AWS_SSO_REFRESH_WINDOW 900 /* seconds before expiry: try the refresh token */

typedef struct {
	const char *profile; /* for diagnostics: `aws sso login --profile NAME` */
	const char *session_name; /* sso_session, or NULL for the legacy form */
	const char *start_url, *region, *account_id, *role_name;
	const char *portal_url; /* https://portal.sso.<region>.amazonaws.com or configured */
	const char *oidc_url; /* https://oidc.<region>.amazonaws.com or configured */
} aws_sso_config;

/* The cache file of a session name or start URL into out[n]
 * ("<home>/.aws/sso/cache/<40 hex>.json"). 0 or -1. */
int aws_sso_cache_path(char *out, size_t n, const char *key);

/* 0 and *out (source "sso"), or an aws_err with err filled. */
int aws_sso_credentials(const aws_sso_config *c, aws_http *http, aws_credentials *out,
			aws_error *err);

#endif
