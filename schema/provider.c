/*
 * provider.c - schema of the provider configuration block (provider "ssmpatch").
 *
 * Nothing here needs credentials: the engine resolves them lazily at the first
 * API call. max_retries has no table default (the provider block is never planned;
 * the engine applies 10 at configure time), so it is plain optional.
 * Nested blocks documented as "max 1" are LIST blocks with max_items 1, written
 * with HCL block syntax as in the AWS provider.
 */
#include <stddef.h>

#include "schema_checks.h"
#include "schema_tables.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

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
	 .check = schema_check_assume_role_duration},
};

static const schema_block assume_role_block = {
	.attrs = assume_role_attrs,
	.n_attrs = N(assume_role_attrs),
	.description =
		"Assume an IAM role (STS `AssumeRole`) with the base credentials before calling SSM; "
		"this is how one configuration is applied to several accounts.",
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
		 "then the profile's `region`.",
	 .pattern = "^[a-z]{2}(-[a-z]+)+-[0-9]+$"},
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
