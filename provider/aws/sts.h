/*
 * sts.h - the STS calls the provider makes (query protocol, XML answers):
 * AssumeRole for `assume_role` and profile role chains,
 * AssumeRoleWithWebIdentity (unsigned: the OIDC token is the proof) for web
 * identity from the environment, a profile or the provider block, and
 * GetCallerIdentity for the account ID.
 */
#ifndef SSMPATCH_AWS_STS_H
#define SSMPATCH_AWS_STS_H

#include <stdint.h>

#include "call.h"

/* Where STS calls go: the client's caller and its STS endpoint URL (borrowed). */
typedef struct {
	aws_caller *caller;
	const char *url;
} aws_sts;

/* Parameters of one AssumeRole (borrowed strings; NULL/"" = not sent, except
 * session_name: "" = "ssmpatch-<unix time>"; duration 0 = STS's default). */
typedef struct {
	const char *role_arn, *session_name, *external_id;
	int64_t duration_seconds;
} aws_role;

/*
 * One STS query call (POST form body "Action=..&Version=2011-06-15..") signed
 * with credentials from src (NULL: unsigned), with retries. *xml receives the
 * response body (owned, zero it before freeing: it may hold credentials) on 200.
 */
int aws_sts_call(const aws_sts *sts, aws_creds_source *src, const char *op, const char *form_body,
		 char **xml, aws_error *err);

/* STS AssumeRole signed with base: *out the role's credentials (source
 * "assume_role"), account[16] (may be NULL) the role's account from the
 * assumed-role ARN, "" if none. Errors name the role. */
int aws_sts_assume_role(const aws_sts *sts, const aws_credentials *base, const aws_role *role,
			aws_credentials *out, char account[16], aws_error *err);

/* STS AssumeRoleWithWebIdentity, unsigned, with the OIDC token (borrowed,
 * secret): *out the role's credentials (source "web_identity"), account[16]
 * (may be NULL) the role's account. Errors name the role. */
int aws_sts_web_identity(const aws_sts *sts, const aws_role *role, const char *token,
			 aws_credentials *out, char account[16], aws_error *err);

/* The account ID of an ARN ("arn:aws:sts::123456789012:assumed-role/r/s",
 * "arn:aws:ssm:eu-west-1:123456789012:servicesetting/...") into out[16]: its
 * fifth field when that is 12 digits, else "". */
void aws_arn_account(char out[16], const char *arn);

/* Account ID (12 digits) of the credentials src yields, into account[16]. */
int aws_sts_caller_account(const aws_sts *sts, aws_creds_source *src, char account[16],
			   aws_error *err);

#endif
