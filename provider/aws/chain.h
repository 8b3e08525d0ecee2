/*
 * chain.h - where the provider's AWS credentials come from, and keeping them
 * fresh: the credential chain of one client, in the precedence of the AWS SDK
 * for Go v2 (config.LoadDefaultConfig) as the AWS provider uses it
 * (aws-sdk-go-base), the first source configured wins:
 *
 *   0. the provider's assume_role_with_web_identity block, when set: it
 *      replaces every source below (role_arn / session_name / the token
 *      file default to AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME and
 *      AWS_WEB_IDENTITY_TOKEN_FILE);
 *   1. the provider's access_key / secret_key / token;
 *   2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
 *   3. web identity from the environment: AWS_WEB_IDENTITY_TOKEN_FILE with
 *      AWS_ROLE_ARN (and AWS_ROLE_SESSION_NAME);
 *      (2 and 3 are skipped when the provider block sets `profile`: a
 *      profile chosen in the configuration wins over the environment)
 *   4. the profile (provider `profile`, else AWS_PROFILE, else "default"),
 *      by the first of: source_profile (+ role_arn, recursively, depth 4),
 *      static keys, credential_source (Environment, Ec2InstanceMetadata,
 *      EcsContainer) + role_arn, web_identity_token_file + role_arn, SSO
 *      (sso_session or the legacy sso_start_url; sso.h), credential_process
 *      (credproc.h); then role_arn, if any and not yet used, is assumed with
 *      those credentials (role_arn alone: with container or instance
 *      credentials, as the SDK does). A profile named explicitly but found
 *      in no file is an error; a missing "default" just moves on;
 *   5. container credentials (container.h);
 *   6. EC2 instance metadata, IMDSv2 (imds.h).
 * Then, with an assume_role block, STS AssumeRole signed with those.
 *
 * A source that is configured but fails (an expired SSO token, a
 * credential_process exiting 1, a refused web identity token) ends the
 * resolution with its error; when no source is configured, the error lists
 * every source tried and why each gave nothing.
 *
 * The result is cached and re-resolved (whole chain) 5 minutes before it
 * expires, so temporary credentials from every source are renewed in the
 * middle of a long apply; static keys never expire. The mutex serialises resolution, so
 * concurrent callers wait for one refresh instead of racing.
 */
#ifndef SSMPATCH_AWS_CHAIN_H
#define SSMPATCH_AWS_CHAIN_H

#include <pthread.h>
#include <stdbool.h>

#include "call.h"
#include "profile.h"
#include "sts.h"

#define AWS_CREDS_REFRESH_BEFORE 300 /* seconds before Expiration */
#define AWS_PROFILE_MAX_DEPTH 4 /* source_profile chain length */

typedef struct {
	aws_creds_source src; /* first member: the chain as a source for aws_call */
	const aws_config *cfg; /* borrowed: the client's settings */
	const aws_profiles *profiles; /* borrowed */
	aws_sts sts; /* where AssumeRole goes */
	aws_http *http; /* borrowed, for IMDS */

	pthread_mutex_t mu; /* guards creds, have, role_account */
	aws_credentials creds;
	bool have;
	char role_account[16]; /* from the assumed role's ARN, "" if none */
} aws_chain;

void aws_chain_init(aws_chain *ch, const aws_config *cfg, const aws_profiles *profiles,
		    aws_caller *caller, const char *sts_url);
void aws_chain_free(aws_chain *ch);
/* Credentials currently valid (resolving or refreshing them if needed): *out
 * receives an owned copy. Thread-safe. */
int aws_chain_get(aws_chain *ch, aws_credentials *out, aws_error *err);
/* Forget the cached credentials (after ExpiredToken). */
void aws_chain_invalidate(aws_chain *ch);
/* The account of the role assume_role assumed, into out[16]; "" if none (yet). */
void aws_chain_role_account(aws_chain *ch, char out[16]);

#endif
