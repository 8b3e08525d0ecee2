/*
 * client.c - the aws_client: provider settings, region, partition, endpoints
 * and the account ID (see client.h).
 */
#include "client.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "errors.h"
#include "endpoint.h"
#include "sts.h"

/* ---- config ---- */

void aws_config_init(aws_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_retries = 10;
}

static void free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void aws_config_free(aws_config *c)
{
	if (!c)
		return;
	free(c->region);
	free(c->profile);
	free(c->access_key);
	aws_secret_free(c->secret_key);
	aws_secret_free(c->token);
	free_list(c->shared_config_files, c->n_shared_config_files);
	free_list(c->shared_credentials_files, c->n_shared_credentials_files);
	free(c->role_arn);
	free(c->session_name);
	free(c->external_id);
	free(c->wi_role_arn);
	free(c->wi_session_name);
	aws_secret_free(c->wi_token);
	free(c->wi_token_file);
	free(c->endpoint_ssm);
	free(c->endpoint_sts);
	aws_config_init(c);
}

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

static int dup_list(char ***dst, size_t *dn, char *const *src, size_t n)
{
	size_t i;

	*dst = NULL;
	*dn = 0;
	if (!n)
		return 0;
	if (!(*dst = calloc(n, sizeof(char *))))
		return -1;
	*dn = n;
	for (i = 0; i < n; i++)
		if (dup_opt(&(*dst)[i], src[i]) < 0)
			return -1;
	return 0;
}

static int config_copy(aws_config *d, const aws_config *s)
{
	aws_config_init(d);
	d->has_assume_role = s->has_assume_role;
	d->duration_seconds = s->duration_seconds;
	d->has_web_identity = s->has_web_identity;
	d->wi_duration_seconds = s->wi_duration_seconds;
	d->max_retries = s->max_retries;
	if (dup_opt(&d->region, s->region) || dup_opt(&d->profile, s->profile) ||
	    dup_opt(&d->access_key, s->access_key) || dup_opt(&d->secret_key, s->secret_key) ||
	    dup_opt(&d->token, s->token) || dup_opt(&d->role_arn, s->role_arn) ||
	    dup_opt(&d->session_name, s->session_name) ||
	    dup_opt(&d->external_id, s->external_id) || dup_opt(&d->wi_role_arn, s->wi_role_arn) ||
	    dup_opt(&d->wi_session_name, s->wi_session_name) ||
	    dup_opt(&d->wi_token, s->wi_token) || dup_opt(&d->wi_token_file, s->wi_token_file) ||
	    dup_opt(&d->endpoint_ssm, s->endpoint_ssm) ||
	    dup_opt(&d->endpoint_sts, s->endpoint_sts) ||
	    dup_list(&d->shared_config_files, &d->n_shared_config_files, s->shared_config_files,
		     s->n_shared_config_files) ||
	    dup_list(&d->shared_credentials_files, &d->n_shared_credentials_files,
		     s->shared_credentials_files, s->n_shared_credentials_files))
		return -1;
	return 0;
}

/* ---- region, partition, endpoints ---- */

const char *aws_partition_for_region(const char *region)
{
	if (region && strncmp(region, "cn-", 3) == 0)
		return "aws-cn";
	if (region && strncmp(region, "us-gov-", 7) == 0)
		return "aws-us-gov";
	return "aws";
}

bool aws_region_name_ok(const char *r)
{
	size_t n = r ? strlen(r) : 0;

	return n >= 1 && n <= 64 && strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* ---- the client ---- */

aws_client *aws_client_new(const aws_config *cfg, aws_error *err)
{
	aws_client *c = calloc(1, sizeof(*c));
	const char *v, *region = NULL, *region_from = NULL;
	char ssm_from[AWS_ENDPOINT_FROM_MAX], sts_from[AWS_ENDPOINT_FROM_MAX];

	if (!c) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&c->account_mu, NULL);
	pthread_mutex_init(&c->regions_mu, NULL);
	if (config_copy(&c->cfg, cfg) < 0)
		goto oom;
	if (c->cfg.max_retries < 0 || c->cfg.max_retries > 100) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "max_retries must be between 0 and 100, got %d", c->cfg.max_retries);
		goto fail;
	}
	if (c->cfg.has_web_identity && c->cfg.wi_token && *c->cfg.wi_token &&
	    c->cfg.wi_token_file && *c->cfg.wi_token_file) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "assume_role_with_web_identity takes web_identity_token or "
			      "web_identity_token_file, not both");
		goto fail;
	}
	if (c->cfg.has_assume_role && (!c->cfg.role_arn || !*c->cfg.role_arn)) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL, "assume_role needs role_arn");
		goto fail;
	}

	/* profile and shared files */
	if (aws_profiles_load(&c->profiles, &c->cfg, err) != 0)
		goto fail;

	/* region */
	if (c->cfg.region && *c->cfg.region) {
		region = c->cfg.region;
		region_from = "provider region";
	} else if ((v = getenv("AWS_REGION")) && *v) {
		region = v;
		region_from = "AWS_REGION";
	} else if ((v = getenv("AWS_DEFAULT_REGION")) && *v) {
		region = v;
		region_from = "AWS_DEFAULT_REGION";
	} else if ((v = aws_profile_config_get(&c->profiles, c->profiles.name, "region")) && *v) {
		region = v;
		region_from = "profile region";
	}
	if (!region) {
		aws_error_set(
			err, AWS_ERR_CONFIG, 0, NULL, NULL,
			"no AWS region: set the provider's region, AWS_REGION or "
			"AWS_DEFAULT_REGION, or region in the \"%s\" profile of the shared config file",
			c->profiles.name);
		goto fail;
	}
	if (!aws_region_name_ok(region)) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "invalid AWS region \"%s\" (from %s)", region, region_from);
		goto fail;
	}
	if (!(c->region = strdup(region)))
		goto oom;
	c->partition = aws_partition_for_region(c->region);

	/* endpoints */
	if (aws_endpoint_resolve(&c->ssm_url, ssm_from, AWS_SVC_SSM, c->cfg.endpoint_ssm, c->region,
				 &c->profiles, err) != 0 ||
	    aws_endpoint_resolve(&c->sts_url, sts_from, AWS_SVC_STS, c->cfg.endpoint_sts, c->region,
				 &c->profiles, err) != 0)
		goto fail;
	if (!(c->http = aws_http_new())) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		goto fail;
	}
	c->caller.http = c->http;
	c->caller.region = c->region;
	c->caller.max_retries = c->cfg.max_retries;
	aws_chain_init(&c->chain, &c->cfg, &c->profiles, &c->caller, c->sts_url);
	LOG_D(AWS_LOG_MODULE,
	      "AWS client: region %s (%s), partition %s, profile %s, ssm %s (%s), sts %s (%s)",
	      c->region, region_from, c->partition, c->profiles.name, c->ssm_url, ssm_from,
	      c->sts_url, sts_from);
	return c;
oom:
	aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
fail:
	aws_client_free(c);
	return NULL;
}

void aws_client_free(aws_client *c)
{
	if (!c)
		return;
	while (c->regions) {
		aws_client *r = c->regions;
		c->regions = r->next;
		aws_client_free(r);
	}
	if (c->chain.src.get) /* initialised */
		aws_chain_free(&c->chain);
	aws_http_free(c->http);
	aws_profiles_free(&c->profiles);
	free(c->ssm_url);
	free(c->sts_url);
	free(c->region);
	aws_config_free(&c->cfg);
	pthread_mutex_destroy(&c->account_mu);
	pthread_mutex_destroy(&c->regions_mu);
	free(c);
}

const char *aws_client_region(const aws_client *c)
{
	return c->region;
}

const char *aws_client_partition(const aws_client *c)
{
	return c->partition;
}

int aws_client_account_id(aws_client *c, const char **out, aws_error *err)
{
	aws_credentials cr = {0};
	int rc = 0;

	if (c->base) /* one account, whatever the region */
		return aws_client_account_id(c->base, out, err);
	*out = NULL;
	pthread_mutex_lock(&c->account_mu);
	if (c->account_id[0])
		goto found;
	/* Resolving credentials through assume_role yields the account for free. */
	if ((rc = aws_chain_get(&c->chain, &cr, err)) != 0)
		goto done;
	aws_chain_role_account(&c->chain, c->account_id);
	if (c->account_id[0])
		goto found;
	if ((rc = aws_sts_caller_account(&c->chain.sts, &c->chain.src, c->account_id, err)) != 0)
		goto done;
found:
	*out = c->account_id;
done:
	pthread_mutex_unlock(&c->account_mu);
	aws_credentials_clear(&cr);
	return rc;
}

/* ---- clients for other regions ---- */

/* A regional client of base for region (not yet in base's list). */
static aws_client *regional_new(aws_client *base, const char *region, aws_error *err)
{
	aws_client *r = calloc(1, sizeof(*r));

	if (!r || !(r->region = strdup(region))) {
		free(r);
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		return NULL;
	}
	r->base = base;
	pthread_mutex_init(&r->account_mu, NULL);
	pthread_mutex_init(&r->regions_mu, NULL);
	r->partition = aws_partition_for_region(r->region);
	/* The base's rules (endpoints block, environment, profile), for this region. */
	if (aws_endpoint_resolve(&r->ssm_url, NULL, AWS_SVC_SSM, base->cfg.endpoint_ssm, r->region,
				 &base->profiles, err) != 0) {
		aws_client_free(r);
		return NULL;
	}
	r->caller.http = base->http;
	r->caller.region = r->region; /* the SigV4 scope of this region */
	r->caller.max_retries = base->caller.max_retries;
	atomic_init(&r->caller.clock_skew, atomic_load(&base->caller.clock_skew));
	LOG_D(AWS_LOG_MODULE, "AWS client for region %s: partition %s, ssm %s", r->region,
	      r->partition, r->ssm_url);
	return r;
}

aws_client *aws_client_for_region(aws_client *c, const char *region, aws_error *err)
{
	aws_client *r;

	if (c->base)
		c = c->base;
	if (!region || !*region || strcmp(region, c->region) == 0)
		return c;
	if (!aws_region_name_ok(region)) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL, "invalid AWS region \"%s\"",
			      region);
		return NULL;
	}
	pthread_mutex_lock(&c->regions_mu);
	for (r = c->regions; r; r = r->next)
		if (strcmp(r->region, region) == 0)
			break;
	if (!r && (r = regional_new(c, region, err))) {
		r->next = c->regions;
		c->regions = r;
	}
	pthread_mutex_unlock(&c->regions_mu);
	return r;
}
