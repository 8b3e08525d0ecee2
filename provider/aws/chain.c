/*
 * chain.c - the credential chain (contract and order in chain.h).
 */
#include "chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "errors.h"
#include "imds.h"

/* 0 = found, 1 = this profile has none, < 0 = error. */
static int profile_creds(aws_chain *ch, const char *name, int depth, aws_credentials *out,
			 aws_error *err)
{
	const char *ak, *sk, *tok, *role, *src;
	const aws_profiles *p = ch->profiles;

	if (!aws_profile_exists(p, name)) {
		if (depth > 0 || p->name_explicit) {
			aws_error_set(
				err, AWS_ERR_CONFIG, 0, NULL, NULL,
				"profile \"%s\" not found in the shared config or credentials files",
				name);
			return AWS_ERR_CONFIG;
		}
		return 1;
	}
	ak = aws_profile_get(p, name, "aws_access_key_id");
	sk = aws_profile_get(p, name, "aws_secret_access_key");
	tok = aws_profile_get(p, name, "aws_session_token");
	role = aws_profile_get(p, name, "role_arn");
	if (role && *role) {
		aws_credentials base = {0};
		const char *dur = aws_profile_get(p, name, "duration_seconds");
		int64_t d = 0;
		int rc;

		src = aws_profile_get(p, name, "source_profile");
		if (!src || !*src) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "profile \"%s\" has role_arn without source_profile "
				      "(credential_source is not supported)",
				      name);
			return AWS_ERR_CONFIG;
		}
		if (depth >= AWS_PROFILE_MAX_DEPTH) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "profile \"%s\": source_profile chain longer than %d", name,
				      AWS_PROFILE_MAX_DEPTH);
			return AWS_ERR_CONFIG;
		}
		if (strcmp(src, name) == 0) {
			/* A profile may be its own source: its static keys. */
			if (!ak || !sk || !*ak || !*sk) {
				aws_error_set(
					err, AWS_ERR_CONFIG, 0, NULL, NULL,
					"profile \"%s\" is its own source_profile but has no keys",
					name);
				return AWS_ERR_CONFIG;
			}
			if (aws_credentials_set(&base, ak, sk, tok, 0, "profile") < 0)
				return AWS_ERR_OTHER;
		} else {
			rc = profile_creds(ch, src, depth + 1, &base, err);
			if (rc == 1) {
				aws_error_set(
					err, AWS_ERR_CONFIG, 0, NULL, NULL,
					"source_profile \"%s\" of profile \"%s\" has no credentials",
					src, name);
				rc = AWS_ERR_CONFIG;
			}
			if (rc != 0)
				return rc;
		}
		if (dur) {
			char *e;
			long long v = strtoll(dur, &e, 10);
			if (*e || v < 0) {
				aws_credentials_clear(&base);
				aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
					      "profile \"%s\": invalid duration_seconds", name);
				return AWS_ERR_CONFIG;
			}
			d = v;
		}
		{
			aws_role r = {role, aws_profile_get(p, name, "role_session_name"),
				      aws_profile_get(p, name, "external_id"), d};
			rc = aws_sts_assume_role(&ch->sts, &base, &r, out, NULL, err);
		}
		aws_credentials_clear(&base);
		return rc;
	}
	if (ak && sk && *ak && *sk)
		return aws_credentials_set(out, ak, sk, tok, 0, "profile") < 0 ? AWS_ERR_OTHER : 0;
	return 1;
}

static int resolve_base(aws_chain *ch, aws_credentials *out, aws_error *err)
{
	const aws_config *cfg = ch->cfg;
	char why[256];
	const char *eak = getenv("AWS_ACCESS_KEY_ID"), *esk = getenv("AWS_SECRET_ACCESS_KEY");
	int rc;

	if ((cfg->access_key && *cfg->access_key) || (cfg->secret_key && *cfg->secret_key)) {
		if (!cfg->access_key || !*cfg->access_key || !cfg->secret_key ||
		    !*cfg->secret_key) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "access_key and secret_key must be set together");
			return AWS_ERR_CONFIG;
		}
		return aws_credentials_set(out, cfg->access_key, cfg->secret_key, cfg->token, 0,
					   "static") < 0
			       ? AWS_ERR_OTHER
			       : 0;
	}
	if (eak && *eak && esk && *esk)
		return aws_credentials_set(out, eak, esk, getenv("AWS_SESSION_TOKEN"), 0, "env") < 0
			       ? AWS_ERR_OTHER
			       : 0;
	rc = profile_creds(ch, ch->profiles->name, 0, out, err);
	if (rc != 1)
		return rc;
	if (aws_imds_credentials(ch->http, out, why, sizeof(why)) == 0)
		return 0;
	aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
		      "no AWS credentials found: set access_key/secret_key, AWS_ACCESS_KEY_ID/"
		      "AWS_SECRET_ACCESS_KEY, a profile (\"%s\") with keys in the shared files, "
		      "or run on EC2 with an instance role",
		      ch->profiles->name);
	return AWS_ERR_CONFIG;
}

static int resolve(aws_chain *ch, aws_credentials *out, char account[16], aws_error *err)
{
	aws_credentials base = {0};
	int rc;

	account[0] = '\0';
	if ((rc = resolve_base(ch, &base, err)) != 0)
		goto done;
	if (!ch->cfg->has_assume_role) {
		*out = base;
		memset(&base, 0, sizeof(base));
		goto done;
	}
	{
		aws_role r = {ch->cfg->role_arn, ch->cfg->session_name, ch->cfg->external_id,
			      ch->cfg->duration_seconds};
		rc = aws_sts_assume_role(&ch->sts, &base, &r, out, account, err);
	}
	/* The assumed credentials carry STS's Expiration; they stay valid on their
	 * own even when the base (e.g. IMDS) credentials expire earlier. */
done:
	aws_credentials_clear(&base);
	return rc;
}

int aws_chain_get(aws_chain *ch, aws_credentials *out, aws_error *err)
{
	time_t now = time(NULL);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ch->mu);
	if (!ch->have ||
	    (ch->creds.expires && now >= ch->creds.expires - AWS_CREDS_REFRESH_BEFORE)) {
		aws_credentials fresh = {0};
		char account[16];
		if ((rc = resolve(ch, &fresh, account, err)) != 0)
			goto done;
		aws_credentials_clear(&ch->creds);
		ch->creds = fresh;
		ch->have = true;
		if (account[0])
			memcpy(ch->role_account, account, sizeof(account));
		LOG_D(AWS_LOG_MODULE, "credentials from %s%s", ch->creds.source,
		      ch->creds.expires ? " (expiring)" : "");
	}
	if (aws_credentials_copy(out, &ch->creds) < 0) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		rc = AWS_ERR_OTHER;
	}
done:
	pthread_mutex_unlock(&ch->mu);
	return rc;
}

void aws_chain_invalidate(aws_chain *ch)
{
	pthread_mutex_lock(&ch->mu);
	aws_credentials_clear(&ch->creds);
	ch->have = false;
	pthread_mutex_unlock(&ch->mu);
}

void aws_chain_role_account(aws_chain *ch, char out[16])
{
	pthread_mutex_lock(&ch->mu);
	memcpy(out, ch->role_account, 16);
	pthread_mutex_unlock(&ch->mu);
}

static int chain_src_get(aws_creds_source *src, aws_credentials *out, aws_error *err)
{
	return aws_chain_get((aws_chain *)src, out, err);
}

static void chain_src_invalidate(aws_creds_source *src)
{
	aws_chain_invalidate((aws_chain *)src);
}

void aws_chain_init(aws_chain *ch, const aws_config *cfg, const aws_profiles *profiles,
		    aws_caller *caller, const char *sts_url)
{
	memset(ch, 0, sizeof(*ch));
	ch->src.get = chain_src_get;
	ch->src.invalidate = chain_src_invalidate;
	ch->cfg = cfg;
	ch->profiles = profiles;
	ch->sts.caller = caller;
	ch->sts.url = sts_url;
	ch->http = caller->http;
	pthread_mutex_init(&ch->mu, NULL);
}

void aws_chain_free(aws_chain *ch)
{
	aws_credentials_clear(&ch->creds);
	pthread_mutex_destroy(&ch->mu);
}
