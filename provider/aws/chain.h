/*
 * chain.h - where the provider's AWS credentials come from, and keeping them
 * fresh: the credential chain of one client.
 *
 * The chain (docs/index.md), first source that yields a key wins:
 *   1. provider access_key/secret_key/token;
 *   2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
 *   3. the profile (profile.h) in the shared files: keys aws_access_key_id,
 *      aws_secret_access_key, aws_session_token. A profile with role_arn and
 *      source_profile assumes that role with the source profile's credentials
 *      (depth at most 4). A profile named explicitly but found in no file is
 *      an error; a missing "default" just moves on;
 *   4. EC2 instance metadata (imds.h).
 * Then, with an assume_role block, STS AssumeRole signed with those
 * credentials.
 *
 * The result is cached and re-resolved (whole chain) 5 minutes before it
 * expires; static keys never expire. The mutex serialises resolution, so
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
