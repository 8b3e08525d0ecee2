/*
 * chain.c - the credential chain (contract and order in chain.h).
 *
 * Each source answers 0 (credentials), 1 (not configured here: the reason is
 * added to the list the "no credentials" diagnostic prints) or an aws_err (it
 * is configured but failed: that error ends the resolution, as in the SDKs).
 */
#include "chain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container.h"
#include "core/log.h"
#include "credproc.h"
#include "endpoint.h"
#include "errors.h"
#include "imds.h"
#include "sso.h"

#define TOKEN_FILE_MAX (64 * 1024) /* web identity tokens are a few KiB */

/* One resolution of the chain. */
typedef struct {
	aws_chain *ch;
	buf tried; /* "\n  - source: why it gave nothing", in order */
	char account[16]; /* the account of credentials STS issued, "" otherwise */
} resolution;

static void tried(resolution *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tried(resolution *r, const char *fmt, ...)
{
	va_list ap;

	buf_puts(&r->tried, "\n  - ");
	va_start(ap, fmt);
	buf_vprintf(&r->tried, fmt, ap);
	va_end(ap);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static int oom(aws_error *err)
{
	aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
	return AWS_ERR_OTHER;
}

/* ---- web identity ---- */

/* The token in path (trailing blanks dropped), malloc'd, or NULL with err. */
static char *read_token_file(const char *path, const char *what, aws_error *err)
{
	char *full = aws_expand_home(path), chunk[4096], *tok = NULL;
	FILE *f = full ? fopen(full, "rb") : NULL;
	buf b;
	size_t got;

	buf_init(&b, TOKEN_FILE_MAX);
	if (!f) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "%s: cannot read the token file %s", what, path);
		goto done;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, got);
	fclose(f);
	while (b.len && strchr(" \t\r\n", b.data[b.len - 1]))
		b.data[--b.len] = '\0';
	if (!b.len || !(tok = buf_detach(&b, NULL)))
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "%s: the token file %s is empty or larger than %d bytes", what, path,
			      TOKEN_FILE_MAX);
done:
	buf_free_secret(&b);
	free(full);
	return tok;
}

static int web_identity(resolution *r, const char *what, const aws_role *role, const char *token,
			const char *token_file, aws_credentials *out, aws_error *err)
{
	char *from_file = NULL;
	int rc;

	if (!role->role_arn || !*role->role_arn) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL, "%s: no role ARN to assume",
			      what);
		return AWS_ERR_CONFIG;
	}
	if (!token || !*token) {
		if (!token_file || !*token_file) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "%s: neither a web identity token nor a token file", what);
			return AWS_ERR_CONFIG;
		}
		if (!(token = from_file = read_token_file(token_file, what, err)))
			return AWS_ERR_CONFIG;
	}
	rc = aws_sts_web_identity(&r->ch->sts, role, token, out, r->account, err);
	aws_secret_free(from_file);
	return rc;
}

/* ---- environment, container, instance ---- */

static int env_keys(aws_credentials *out, aws_error *err)
{
	const char *ak = env("AWS_ACCESS_KEY_ID"), *sk = env("AWS_SECRET_ACCESS_KEY");

	if (!ak || !sk)
		return 1;
	return aws_credentials_set(out, ak, sk, env("AWS_SESSION_TOKEN"), 0, "env") < 0 ? oom(err)
											: 0;
}

static int container(resolution *r, aws_credentials *out, aws_error *err)
{
	char why[256];
	int rc = aws_container_credentials(r->ch->http, out, why, sizeof(why), err);

	if (rc == 1)
		tried(r, "container credentials: %s", why);
	return rc;
}

static int instance(resolution *r, aws_credentials *out)
{
	char why[512];
	int rc = aws_imds_credentials(r->ch->http, out, why, sizeof(why));

	if (rc == 1)
		tried(r, "EC2 instance metadata (IMDSv2): %s", why);
	return rc;
}

/* ---- a profile ---- */

static int sso(resolution *r, const char *name, aws_credentials *out, aws_error *err)
{
	const aws_profiles *p = r->ch->profiles;
	const char *session = aws_profile_get(p, name, "sso_session"), *missing = NULL;
	char sec[300], portal_from[AWS_ENDPOINT_FROM_MAX];
	aws_sso_config c = {.profile = name, .session_name = session && *session ? session : NULL};
	char *portal = NULL, *oidc = NULL;
	int rc;

	if (c.session_name) {
		snprintf(sec, sizeof(sec), "sso-session %s", c.session_name);
		if (!aws_ini_has_section(p->config, sec)) {
			aws_error_set(
				err, AWS_ERR_CONFIG, 0, NULL, NULL,
				"profile \"%s\": sso_session \"%s\" has no [%s] section in the "
				"shared config file",
				name, c.session_name, sec);
			return AWS_ERR_CONFIG;
		}
		c.start_url = aws_ini_get(p->config, sec, "sso_start_url");
		c.region = aws_ini_get(p->config, sec, "sso_region");
	} else {
		c.start_url = aws_profile_get(p, name, "sso_start_url");
		c.region = aws_profile_get(p, name, "sso_region");
	}
	c.account_id = aws_profile_get(p, name, "sso_account_id");
	c.role_name = aws_profile_get(p, name, "sso_role_name");
	if (!c.start_url || !*c.start_url)
		missing = "sso_start_url";
	else if (!c.region || !*c.region)
		missing = "sso_region";
	else if (!c.account_id || !*c.account_id)
		missing = "sso_account_id";
	else if (!c.role_name || !*c.role_name)
		missing = "sso_role_name";
	if (missing) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "profile \"%s\" is set up for SSO but has no %s%s%s", name, missing,
			      c.session_name ? " (in its profile or sso-session " : "",
			      c.session_name ? "section)" : "");
		return AWS_ERR_CONFIG;
	}
	if ((rc = aws_endpoint_resolve(&portal, portal_from, AWS_SVC_SSO, NULL, c.region, p,
				       err)) != 0 ||
	    (rc = aws_endpoint_resolve(&oidc, NULL, AWS_SVC_SSO_OIDC, NULL, c.region, p, err)) != 0)
		goto done;
	c.portal_url = portal;
	c.oidc_url = oidc;
	LOG_D(AWS_LOG_MODULE, "profile %s: SSO portal %s (%s)", name, portal, portal_from);
	rc = aws_sso_credentials(&c, r->ch->http, out, err);
done:
	free(portal);
	free(oidc);
	return rc;
}

/* credential_source = Environment | Ec2InstanceMetadata | EcsContainer. */
static int credential_source(resolution *r, const char *name, const char *src, aws_credentials *out,
			     aws_error *err)
{
	char why[512];
	int rc = AWS_ERR_CONFIG;

	if (strcmp(src, "Environment") == 0) {
		if ((rc = env_keys(out, err)) == 1)
			snprintf(why, sizeof(why),
				 "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
	} else if (strcmp(src, "Ec2InstanceMetadata") == 0) {
		rc = aws_imds_credentials(r->ch->http, out, why, sizeof(why));
	} else if (strcmp(src, "EcsContainer") == 0) {
		rc = aws_container_credentials(r->ch->http, out, why, sizeof(why), err);
	} else {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "profile \"%s\": credential_source \"%s\" is not Environment, "
			      "Ec2InstanceMetadata or EcsContainer",
			      name, src);
		return AWS_ERR_CONFIG;
	}
	if (rc == 1) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "profile \"%s\": credential_source %s gave no credentials: %s", name,
			      src, why);
		rc = AWS_ERR_CONFIG;
	}
	return rc;
}

/*
 * The profile's own source of credentials, in the order of the AWS SDK for Go
 * v2 (config/resolve_credentials.go, resolveCredsFromProfile): static keys,
 * credential_source, web_identity_token_file, SSO, credential_process.
 * *terminal is set when the result already is the role's (web identity).
 */
static int profile_source(resolution *r, const char *name, aws_credentials *out, bool *terminal,
			  aws_error *err)
{
	const aws_profiles *p = r->ch->profiles;
	const char *ak = aws_profile_get(p, name, "aws_access_key_id");
	const char *sk = aws_profile_get(p, name, "aws_secret_access_key");
	const char *csrc = aws_profile_get(p, name, "credential_source");
	const char *wif = aws_profile_get(p, name, "web_identity_token_file");
	const char *proc = aws_profile_get(p, name, "credential_process");
	const char *role = aws_profile_get(p, name, "role_arn");
	char source[48];

	*terminal = false;
	if (ak && sk && *ak && *sk) {
		snprintf(source, sizeof(source), "profile %s", name);
		return aws_credentials_set(out, ak, sk,
					   aws_profile_get(p, name, "aws_session_token"), 0,
					   source) < 0
			       ? oom(err)
			       : 0;
	}
	if ((csrc && *csrc) || (wif && *wif)) {
		if (!role || !*role) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "profile \"%s\" has %s but no role_arn", name,
				      csrc && *csrc ? "credential_source"
						    : "web_identity_token_file");
			return AWS_ERR_CONFIG;
		}
		if (csrc && *csrc)
			return credential_source(r, name, csrc, out, err);
		{
			char what[300];
			aws_role wr = {role, aws_profile_get(p, name, "role_session_name"), NULL,
				       0};
			snprintf(what, sizeof(what), "web_identity_token_file of profile \"%s\"",
				 name);
			*terminal = true;
			return web_identity(r, what, &wr, NULL, wif, out, err);
		}
	}
	if ((aws_profile_get(p, name, "sso_session") && *aws_profile_get(p, name, "sso_session")) ||
	    (aws_profile_get(p, name, "sso_start_url") &&
	     *aws_profile_get(p, name, "sso_start_url")))
		return sso(r, name, out, err);
	if (proc && *proc)
		return aws_credential_process(name, proc, 0, out, err);
	return 1;
}

/* 0 = found, 1 = this profile has none, < 0 = error. */
static int profile_creds(resolution *r, const char *name, int depth, aws_credentials *out,
			 aws_error *err)
{
	const aws_profiles *p = r->ch->profiles;
	const char *role = aws_profile_get(p, name, "role_arn");
	const char *src = aws_profile_get(p, name, "source_profile");
	const char *dur = aws_profile_get(p, name, "duration_seconds");
	aws_credentials base = {0};
	bool terminal = false;
	int64_t d = 0;
	int rc;

	if (!aws_profile_exists(p, name)) {
		if (depth > 0 || p->name_explicit) {
			aws_error_set(
				err, AWS_ERR_CONFIG, 0, NULL, NULL,
				"profile \"%s\" not found in the shared config or credentials files",
				name);
			return AWS_ERR_CONFIG;
		}
		tried(r, "profile \"%s\": not in the shared config or credentials files", name);
		return 1;
	}
	if (src && *src) {
		if (!role || !*role) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "profile \"%s\" has source_profile but no role_arn", name);
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
			const char *ak = aws_profile_get(p, name, "aws_access_key_id");
			const char *sk = aws_profile_get(p, name, "aws_secret_access_key");
			if (!ak || !sk || !*ak || !*sk) {
				aws_error_set(
					err, AWS_ERR_CONFIG, 0, NULL, NULL,
					"profile \"%s\" is its own source_profile but has no keys",
					name);
				return AWS_ERR_CONFIG;
			}
			rc = aws_credentials_set(&base, ak, sk,
						 aws_profile_get(p, name, "aws_session_token"), 0,
						 "profile") < 0
				     ? oom(err)
				     : 0;
		} else if ((rc = profile_creds(r, src, depth + 1, &base, err)) == 1) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "source_profile \"%s\" of profile \"%s\" has no credentials",
				      src, name);
			rc = AWS_ERR_CONFIG;
		}
	} else if ((rc = profile_source(r, name, &base, &terminal, err)) == 1) {
		if (!role || !*role) {
			tried(r,
			      "profile \"%s\": no keys, role_arn, credential_source, "
			      "web_identity_token_file, sso_session, sso_start_url or "
			      "credential_process",
			      name);
			return 1;
		}
		/* role_arn alone: the SDK assumes it with container or instance credentials. */
		if ((rc = container(r, &base, err)) == 1 && (rc = instance(r, &base)) == 1) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "profile \"%s\" has role_arn but no credentials to assume it "
				      "with (no source_profile, credential_source, keys, SSO or "
				      "credential_process, and no container or instance "
				      "credentials):%s",
				      name, r->tried.data ? r->tried.data : "");
			rc = AWS_ERR_CONFIG;
		}
	}
	if (rc != 0 || terminal || !role || !*role) {
		if (rc == 0) {
			*out = base;
			memset(&base, 0, sizeof(base));
		}
		goto done;
	}
	if (dur && *dur) {
		char *e;
		long long v = strtoll(dur, &e, 10);
		if (*e || v < 0) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "profile \"%s\": invalid duration_seconds", name);
			rc = AWS_ERR_CONFIG;
			goto done;
		}
		d = v;
	}
	{
		aws_role ar = {role, aws_profile_get(p, name, "role_session_name"),
			       aws_profile_get(p, name, "external_id"), d};
		rc = aws_sts_assume_role(&r->ch->sts, &base, &ar, out, r->account, err);
	}
done:
	aws_credentials_clear(&base);
	return rc;
}

/* ---- the chain ---- */

static int resolve_base(resolution *r, aws_credentials *out, aws_error *err)
{
	const aws_config *cfg = r->ch->cfg;
	const aws_profiles *p = r->ch->profiles;
	int rc;

	if (cfg->has_web_identity) {
		/* The provider's assume_role_with_web_identity replaces every other
		 * source, as in the AWS provider (aws-sdk-go-base). */
		aws_role wr = {cfg->wi_role_arn ? cfg->wi_role_arn : env("AWS_ROLE_ARN"),
			       cfg->wi_session_name ? cfg->wi_session_name
						    : env("AWS_ROLE_SESSION_NAME"),
			       NULL, cfg->wi_duration_seconds};
		return web_identity(r, "assume_role_with_web_identity", &wr, cfg->wi_token,
				    cfg->wi_token_file ? cfg->wi_token_file
						       : env("AWS_WEB_IDENTITY_TOKEN_FILE"),
				    out, err);
	}
	if ((cfg->access_key && *cfg->access_key) || (cfg->secret_key && *cfg->secret_key)) {
		if (!cfg->access_key || !*cfg->access_key || !cfg->secret_key ||
		    !*cfg->secret_key) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "access_key and secret_key must be set together");
			return AWS_ERR_CONFIG;
		}
		return aws_credentials_set(out, cfg->access_key, cfg->secret_key, cfg->token, 0,
					   "static") < 0
			       ? oom(err)
			       : 0;
	}
	tried(r, "provider access_key and secret_key: not set");
	if (cfg->profile && *cfg->profile) {
		/* A profile set in the provider wins over the environment's keys
		 * (aws-sdk-go-base, config.WithSharedConfigProfile). */
		tried(r,
		      "environment keys and web identity: not used, the provider sets "
		      "profile \"%s\"",
		      p->name);
	} else {
		if ((rc = env_keys(out, err)) != 1)
			return rc;
		tried(r, "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set");
		if (env("AWS_WEB_IDENTITY_TOKEN_FILE")) {
			aws_role wr = {env("AWS_ROLE_ARN"), env("AWS_ROLE_SESSION_NAME"), NULL, 0};
			return web_identity(r, "AWS_WEB_IDENTITY_TOKEN_FILE", &wr, NULL,
					    env("AWS_WEB_IDENTITY_TOKEN_FILE"), out, err);
		}
		tried(r, "environment web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set");
	}
	if ((rc = profile_creds(r, p->name, 0, out, err)) != 1 ||
	    (rc = container(r, out, err)) != 1 || (rc = instance(r, out)) != 1)
		return rc;
	aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
		      "No AWS credentials found. Sources tried, in order:%s",
		      r->tried.data ? r->tried.data : "");
	return AWS_ERR_CONFIG;
}

static int resolve(aws_chain *ch, aws_credentials *out, char account[16], aws_error *err)
{
	resolution r = {.ch = ch};
	aws_credentials base = {0};
	int rc;

	buf_init(&r.tried, 4096);
	if ((rc = resolve_base(&r, &base, err)) != 0)
		goto done;
	if (!ch->cfg->has_assume_role) {
		*out = base;
		memset(&base, 0, sizeof(base));
		goto done;
	}
	{
		aws_role ar = {ch->cfg->role_arn, ch->cfg->session_name, ch->cfg->external_id,
			       ch->cfg->duration_seconds};
		rc = aws_sts_assume_role(&ch->sts, &base, &ar, out, r.account, err);
	}
	/* The assumed credentials carry STS's Expiration; they stay valid on their
	 * own even when the base (e.g. IMDS) credentials expire earlier. */
done:
	memcpy(account, r.account, 16);
	aws_credentials_clear(&base);
	buf_free(&r.tried);
	return rc;
}

/* Time to (re)resolve: nothing yet, or within AWS_CREDS_REFRESH_BEFORE of expiry. */
static bool stale(const aws_chain *ch, time_t now)
{
	return !ch->have ||
	       (ch->creds.expires && now >= ch->creds.expires - AWS_CREDS_REFRESH_BEFORE);
}

int aws_chain_get(aws_chain *ch, aws_credentials *out, aws_error *err)
{
	time_t now = time(NULL);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ch->mu);
	if (stale(ch, now)) {
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
		      ch->creds.expires ? " (temporary)" : "");
	}
	if (aws_credentials_copy(out, &ch->creds) < 0)
		rc = oom(err);
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
