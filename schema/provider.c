/*
 * provider.c - schema of the provider configuration block (provider "ssmpatch").
 *
 * Nothing here needs credentials: the engine resolves them lazily at the first
 * API call. max_retries has no table default (the provider block is never planned;
 * the engine applies 10 at configure time), so it is plain optional.
 * Nested blocks documented as "max 1" are LIST blocks with max_items 1, written
 * with HCL block syntax as in the AWS provider.
 *
 * The second half maps a configured block to the AWS client's settings
 * (schema_provider_config, provider_config.h): the engine knows no attribute
 * name of the provider block.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "provider_config.h"
#include "schema_checks.h"
#include "schema_tables.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

int schema_provider_duration(const char *s, int64_t *secs, char *why)
{
	int64_t ns;

	if (duration_parse(s, &ns, why) < 0)
		return -1;
	if (ns < 0) {
		snprintf(why, DURATION_WHY_MAX, "a negative duration is not allowed");
		return -1;
	}
	*secs = ns / DURATION_SECOND;
	return 0;
}

static void check_duration(const tf_value *v, const tf_path *path, tf_diags *d)
{
	char why[DURATION_WHY_MAX];
	int64_t secs;
	const char *s = tf_value_str(v);

	if (!s)
		return;
	if (schema_provider_duration(s, &secs, why) < 0)
		tf_diags_error(d, path, "Invalid duration",
			       "\"%s\": %s. Use a duration such as \"15m\", \"1h\" or \"1h30m\".",
			       s, why);
	else if (secs < 900 || secs > 43200)
		tf_diags_error(d, path, "Duration out of range",
			       "\"%s\" is outside what STS AssumeRole allows: 15m to 12h.", s);
}

static const schema_attr assume_role_attrs[] = {
	{.name = "role_arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_REQUIRED,
	 .description = "ARN of the IAM role to assume with the base credentials, e.g. "
			"`arn:aws:iam::123456789012:role/patching`.",
	 .pattern = "^arn:[a-z0-9-]+:iam::[0-9]{12}:role/[^[:space:]]+$"},
	{.name = "session_name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Session name recorded in CloudTrail for the assumed role (2 to 64 characters of "
		 "`[A-Za-z0-9_+=,.@-]`).",
	 .min_len = 2,
	 .max_len = 64,
	 .pattern = "^[A-Za-z0-9_+=,.@-]+$"},
	{.name = "external_id",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "External ID the role's trust policy requires, if any (2 to 1224 characters).",
	 .min_len = 2,
	 .max_len = 1224,
	 .pattern = "^[A-Za-z0-9_+=,.@:/-]+$"},
	{.name = "duration",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Lifetime of the assumed-role session as a duration such as `\"15m\"`, `\"1h\"` or "
		 "`\"1h30m\"`, between 15 minutes and 12 hours (STS default: 1 hour).",
	 .check = check_duration},
};

static const schema_block assume_role_block = {
	.attrs = assume_role_attrs,
	.n_attrs = N(assume_role_attrs),
	.description =
		"Assume an IAM role (STS `AssumeRole`) with the base credentials before calling SSM; "
		"this is how one configuration is applied to several accounts.",
};

static const schema_attr web_identity_attrs[] = {
	{.name = "role_arn",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "ARN of the IAM role to assume with the web identity token; defaults to "
			"`AWS_ROLE_ARN`.",
	 .pattern = "^arn:[a-z0-9-]+:iam::[0-9]{12}:role/[^[:space:]]+$"},
	{.name = "web_identity_token",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_SENSITIVE,
	 .description = "The OIDC token itself (e.g. from a CI system's variable). One of "
			"`web_identity_token` and `web_identity_token_file`.",
	 .min_len = 4,
	 .max_len = 20000},
	{.name = "web_identity_token_file",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "File holding the OIDC token, read again at every refresh (EKS and CI "
			"runners rotate it); defaults to `AWS_WEB_IDENTITY_TOKEN_FILE`.",
	 .min_len = 1},
	{.name = "session_name",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Session name recorded in CloudTrail (2 to 64 characters of "
			"`[A-Za-z0-9_+=,.@-]`); defaults to `AWS_ROLE_SESSION_NAME`.",
	 .min_len = 2,
	 .max_len = 64,
	 .pattern = "^[A-Za-z0-9_+=,.@-]+$"},
	{.name = "duration",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description = "Lifetime of the session as a duration such as `\"15m\"` or `\"1h\"`, "
			"between 15 minutes and 12 hours (STS default: 1 hour).",
	 .check = check_duration},
};

static void web_identity_check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	if (schema_obj_is_set(obj, "web_identity_token") &&
	    schema_obj_is_set(obj, "web_identity_token_file"))
		schema_error_at(d, path, "web_identity_token_file", "Conflicting token sources",
				"Set web_identity_token or web_identity_token_file, not both.");
}

static const schema_block web_identity_block = {
	.attrs = web_identity_attrs,
	.n_attrs = N(web_identity_attrs),
	.description =
		"Assume an IAM role with an OIDC token (STS `AssumeRoleWithWebIdentity`, an "
		"unsigned call): GitHub Actions, GitLab, Terraform Cloud dynamic credentials, "
		"EKS IRSA. It replaces every other credential source; `assume_role` still "
		"applies on top.",
	.check = web_identity_check,
};

/* An empty string means "AWS's endpoint", as in the AWS provider. */
#define ENDPOINT_URL "^(https?://[^[:space:]/]+(/[^[:space:]]*)?)?$"

static const schema_attr endpoints_attrs[] = {
	{.name = "ssm",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "URL of the SSM endpoint to use instead of `https://ssm.<region>.amazonaws.com` "
		 "(an emulator or a private VPC endpoint). Empty means the default.",
	 .pattern = ENDPOINT_URL},
	{.name = "sts",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "URL of the STS endpoint to use instead of `https://sts.<region>.amazonaws.com`. Empty means "
		 "the default.",
	 .pattern = ENDPOINT_URL},
};

static const schema_block endpoints_block = {
	.attrs = endpoints_attrs,
	.n_attrs = N(endpoints_attrs),
	.description = "Custom service endpoints (`http://` or `https://` URLs).",
};

static const schema_attr default_tags_attrs[] = {
	{.name = "tags",
	 .type = SCHEMA_T_MAP_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Tags applied to every taggable resource of this provider; a resource's own `tags` "
		 "win on a key conflict (the merge is shown in `tags_all`).",
	 .max_len = 256},
};

static void default_tags_check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	schema_check_tag_keys(obj, "tags", path, d);
}

static const schema_block default_tags_block = {
	.attrs = default_tags_attrs,
	.n_attrs = N(default_tags_attrs),
	.description = "Tags merged under each taggable resource's `tags`.",
	.check = default_tags_check,
};

static const schema_attr provider_attrs[] = {
	{.name = "region",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "AWS region, e.g. `ap-northeast-1`; defaults to `AWS_REGION`, `AWS_DEFAULT_REGION`, "
		 "then the profile's `region`. A resource's `region` overrides it for that resource.",
	 .pattern = SCHEMA_REGION_PATTERN},
	{.name = "profile",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Named profile of the shared config and credentials files; defaults to `AWS_PROFILE`, "
		 "then `default`.",
	 .min_len = 1},
	{.name = "access_key",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_SENSITIVE,
	 .description =
		 "Static access key ID; takes precedence over the environment and the shared files "
		 "(requires `secret_key`).",
	 .min_len = 1},
	{.name = "secret_key",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_SENSITIVE,
	 .description = "Static secret access key belonging to `access_key`.",
	 .min_len = 1},
	{.name = "token",
	 .type = SCHEMA_T_STRING,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_SENSITIVE,
	 .description = "Session token for temporary static credentials.",
	 .min_len = 1},
	{.name = "shared_config_files",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Shared config files to read profiles from; defaults to `AWS_CONFIG_FILE`, then "
		 "`~/.aws/config`.",
	 .min_len = 1},
	{.name = "shared_credentials_files",
	 .type = SCHEMA_T_LIST_STRING,
	 .flags = SCHEMA_OPTIONAL,
	 .description =
		 "Shared credentials files to read keys from; defaults to `AWS_SHARED_CREDENTIALS_FILE`, "
		 "then `~/.aws/credentials`.",
	 .min_len = 1},
	{.name = "max_retries",
	 .type = SCHEMA_T_NUMBER,
	 .flags = SCHEMA_OPTIONAL | SCHEMA_INTEGER,
	 .description =
		 "How many times a throttled, 5xx or network-failed API call is retried with "
		 "backoff (0 to 100, default 10).",
	 .has_range = true,
	 .min = 0,
	 .max = 100},
};

static void provider_check(const tf_value *obj, const tf_path *path, tf_diags *d)
{
	bool ak = schema_obj_is_set(obj, "access_key"), sk = schema_obj_is_set(obj, "secret_key");
	if (ak && !sk)
		schema_error_at(d, path, "secret_key", "Missing secret_key",
				"access_key is set, so secret_key must be set too.");
	else if (sk && !ak)
		schema_error_at(d, path, "access_key", "Missing access_key",
				"secret_key is set, so access_key must be set too.");
	if (schema_obj_is_set(obj, "token") && !ak)
		schema_error_at(
			d, path, "token", "Token without static credentials",
			"token is a session token for access_key/secret_key; set those too or remove it.");
}

static const schema_nested provider_blocks[] = {
	{.name = "assume_role",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &assume_role_block},
	{.name = "assume_role_with_web_identity",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &web_identity_block},
	{.name = "endpoints",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &endpoints_block},
	{.name = "default_tags",
	 .nesting = SCHEMA_NEST_LIST,
	 .max_items = 1,
	 .block = &default_tags_block},
};

const schema_block schema_provider_block = {
	.attrs = provider_attrs,
	.n_attrs = N(provider_attrs),
	.blocks = provider_blocks,
	.n_blocks = N(provider_blocks),
	.description =
		"The `ssmpatch` provider manages AWS Systems Manager patch baselines and maintenance "
		"windows (windows, targets, tasks).",
	.check = provider_check,
};

/* --- the block as aws_config --- */

/* Copy a known string attribute into *out (NULL when null). Unknown is an error:
 * the provider block cannot depend on values only known after apply. */
static int config_str(const tf_value *obj, const char *name, const char *base, char **out,
		      tf_diags *d)
{
	tf_value *v = tf_value_attr(obj, name);
	const char *s;

	*out = NULL;
	if (tf_value_is_unknown(v)) {
		char path[128];
		snprintf(path, sizeof(path), "%s%s", base, name);
		tf_diags_error_at(d, path, "Provider attribute not known",
				  "\"%s\" depends on a value known only after apply; the provider "
				  "must be configurable at plan time.",
				  name);
		return -1;
	}
	s = tf_value_str(v);
	if (s && !(*out = strdup(s)))
		return -1;
	return 0;
}

static int config_str_list(const tf_value *obj, const char *name, char ***out, size_t *n)
{
	tf_value *v = tf_value_attr(obj, name);
	size_t len = tf_value_len(v);

	*out = NULL;
	*n = 0;
	if (!tf_value_is_known(v) || len == 0)
		return 0;
	if (!(*out = calloc(len, sizeof(char *))))
		return -1;
	for (size_t i = 0; i < len; i++) {
		const char *s = tf_value_str(tf_value_index(v, i));
		if (!s)
			continue;
		if (!((*out)[(*n)++] = strdup(s)))
			return -1;
	}
	return 0;
}

/* The first element of a max-1 block list, or NULL. */
static tf_value *single_block(const tf_value *obj, const char *name)
{
	tf_value *l = tf_value_attr(obj, name);
	return tf_value_len(l) > 0 ? tf_value_index(l, 0) : NULL;
}

/* "" means "AWS's own endpoint" (lets a module pass an optional URL through). */
static void empty_is_null(char **s)
{
	if (*s && !**s) {
		free(*s);
		*s = NULL;
	}
}

int schema_provider_config(const tf_value *config, aws_config *cfg, tf_value **default_tags,
			   tf_diags *d)
{
	tf_value *ar, *wi, *ep, *dt, *mr;
	char *duration = NULL, *wi_duration = NULL;
	int64_t n;
	int rc = -1;

	aws_config_init(cfg);
	*default_tags = NULL;
	if (config_str(config, "region", "", &cfg->region, d) < 0 ||
	    config_str(config, "profile", "", &cfg->profile, d) < 0 ||
	    config_str(config, "access_key", "", &cfg->access_key, d) < 0 ||
	    config_str(config, "secret_key", "", &cfg->secret_key, d) < 0 ||
	    config_str(config, "token", "", &cfg->token, d) < 0 ||
	    config_str_list(config, "shared_config_files", &cfg->shared_config_files,
			    &cfg->n_shared_config_files) < 0 ||
	    config_str_list(config, "shared_credentials_files", &cfg->shared_credentials_files,
			    &cfg->n_shared_credentials_files) < 0)
		goto done;
	if ((ar = single_block(config, "assume_role"))) {
		cfg->has_assume_role = true;
		if (config_str(ar, "role_arn", "assume_role[0].", &cfg->role_arn, d) < 0 ||
		    config_str(ar, "session_name", "assume_role[0].", &cfg->session_name, d) < 0 ||
		    config_str(ar, "external_id", "assume_role[0].", &cfg->external_id, d) < 0 ||
		    config_str(ar, "duration", "assume_role[0].", &duration, d) < 0)
			goto done;
		if (duration) {
			char why[DURATION_WHY_MAX];
			if (schema_provider_duration(duration, &cfg->duration_seconds, why) < 0) {
				tf_diags_error_at(d, "assume_role[0].duration", "Invalid duration",
						  "\"%s\": %s.", duration, why);
				goto done;
			}
		}
	}
	if ((wi = single_block(config, "assume_role_with_web_identity"))) {
		static const char base[] = "assume_role_with_web_identity[0].";
		cfg->has_web_identity = true;
		if (config_str(wi, "role_arn", base, &cfg->wi_role_arn, d) < 0 ||
		    config_str(wi, "session_name", base, &cfg->wi_session_name, d) < 0 ||
		    config_str(wi, "web_identity_token", base, &cfg->wi_token, d) < 0 ||
		    config_str(wi, "web_identity_token_file", base, &cfg->wi_token_file, d) < 0 ||
		    config_str(wi, "duration", base, &wi_duration, d) < 0)
			goto done;
		if (wi_duration) {
			char why[DURATION_WHY_MAX];
			if (schema_provider_duration(wi_duration, &cfg->wi_duration_seconds, why) <
			    0) {
				tf_diags_error_at(d, "assume_role_with_web_identity[0].duration",
						  "Invalid duration", "\"%s\": %s.", wi_duration,
						  why);
				goto done;
			}
		}
	}
	if ((ep = single_block(config, "endpoints"))) {
		if (config_str(ep, "ssm", "endpoints[0].", &cfg->endpoint_ssm, d) < 0 ||
		    config_str(ep, "sts", "endpoints[0].", &cfg->endpoint_sts, d) < 0)
			goto done;
		empty_is_null(&cfg->endpoint_ssm);
		empty_is_null(&cfg->endpoint_sts);
	}
	mr = tf_value_attr(config, "max_retries");
	if (tf_value_is_known(mr) && tf_value_number_as_i64(mr, &n) == 0)
		cfg->max_retries = (int)n;
	if ((dt = single_block(config, "default_tags"))) {
		tf_value *tags = tf_value_attr(dt, "tags");
		if (tf_value_is_unknown(tags)) {
			tf_diags_error_at(d, "default_tags[0].tags", "Provider attribute not known",
					  "default_tags must be known at plan time.");
			goto done;
		}
		if (tf_value_is_known(tags) && !(*default_tags = tf_value_clone(tags)))
			goto done;
	}
	rc = 0;
done:
	if (rc < 0 && !tf_diags_has_error(d))
		tf_diags_error(d, NULL, "Provider configuration failed", "Out of memory.");
	free(duration);
	free(wi_duration);
	return rc;
}
