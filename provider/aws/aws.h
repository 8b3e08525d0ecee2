/*
 * aws.h - the provider's AWS access: configuration, credentials, and the SSM
 * JSON 1.1 client with retries.
 *
 * One aws_client exists per configured provider instance. It is thread-safe:
 * Terraform calls ReadResource/ApplyResourceChange from up to `parallelism`
 * goroutines at once, and each of those lands on a gRPC worker thread that calls
 * ssm_call() concurrently. Connections are reused across calls (libcurl share
 * handle for the connection cache, DNS and TLS sessions).
 *
 * Credentials are resolved lazily on the first call that needs them, in the
 * AWS SDK's order (chain.h, docs/index.md): provider keys, environment keys,
 * web identity, the profile (keys, roles, SSO, credential_process), container
 * credentials, IMDSv2; then assume_role through STS. They are cached and
 * refreshed before expiry. Nothing here ever logs a secret. The modules behind this header are
 * listed in aws_internal.h.
 */
#ifndef SSMPATCH_AWS_H
#define SSMPATCH_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Provider-block settings. All strings are owned by the config (aws_config_free). */
typedef struct {
	char *region;
	char *profile;
	char *access_key, *secret_key, *token;
	char **shared_config_files;
	size_t n_shared_config_files;
	char **shared_credentials_files;
	size_t n_shared_credentials_files;
	bool has_assume_role;
	char *role_arn, *session_name, *external_id;
	int64_t duration_seconds; /* 0 = STS default (1h) */
	bool has_web_identity; /* assume_role_with_web_identity block */
	char *wi_role_arn, *wi_session_name; /* NULL = AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME */
	char *wi_token, *wi_token_file; /* NULL, NULL = AWS_WEB_IDENTITY_TOKEN_FILE */
	int64_t wi_duration_seconds; /* 0 = STS default (1h) */
	char *endpoint_ssm, *endpoint_sts; /* NULL = AWS's regional endpoint */
	int max_retries; /* default 10 */
} aws_config;

void aws_config_init(aws_config *c);
void aws_config_free(aws_config *c);

/* Error classes the resources switch on. */
typedef enum {
	AWS_OK = 0,
	AWS_ERR_NOT_FOUND = -2, /* DoesNotExistException, ...NotFound */
	AWS_ERR_IN_USE = -3, /* ResourceInUseException */
	AWS_ERR_ALREADY_EXISTS = -4, /* AlreadyExistsException */
	AWS_ERR_VALIDATION = -5, /* ValidationException, InvalidParameters, ... */
	AWS_ERR_THROTTLED = -6, /* after retries ran out */
	AWS_ERR_AUTH = -7, /* signature/credentials/access denied */
	AWS_ERR_NETWORK = -8, /* connect/timeout, after retries */
	AWS_ERR_SERVER = -9, /* 5xx after retries */
	AWS_ERR_CANCELLED = -10, /* Stop RPC arrived */
	AWS_ERR_LIMIT = -11, /* ResourceLimitExceededException */
	AWS_ERR_CONFIG = -12, /* no region, no credentials, bad endpoint URL */
	AWS_ERR_OTHER = -13,
} aws_err;

typedef struct {
	aws_err code;
	int http_status; /* 0 when no response */
	char aws_code[128]; /* "DoesNotExistException" (namespace stripped) */
	char message[2048]; /* AWS's message, or a description of the local failure */
	char operation[64]; /* "GetPatchBaseline" */
} aws_error;

typedef struct aws_client aws_client;

/* Build a client from the config (takes no ownership; copies what it needs).
 * Does no network I/O. Returns NULL and fills err on a bad config. */
aws_client *aws_client_new(const aws_config *cfg, aws_error *err);
void aws_client_free(aws_client *c);

const char *aws_client_region(const aws_client *c);
/* "aws", "aws-cn", "aws-us-gov" from the region. */
const char *aws_client_partition(const aws_client *c);
/* Account ID (STS GetCallerIdentity once, or from the assumed role's ARN). Borrowed. */
int aws_client_account_id(aws_client *c, const char **out, aws_error *err);

/*
 * The client for `region`: c itself when region is NULL, empty or c's own;
 * otherwise one made at the first request for that region and kept until c
 * is freed, which shares c's credentials, HTTP connections and account ID and
 * signs for its own region (a per-resource `region`). Its SSM endpoint is the
 * configured one (endpoints block, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL)
 * when there is one, else AWS's endpoint of that region. Borrowed; thread-safe.
 * NULL with err filled (AWS_ERR_CONFIG) for a malformed region name.
 */
aws_client *aws_client_for_region(aws_client *c, const char *region, aws_error *err);

/* Is s a plausible AWS region name (1..64 of [a-z0-9-])? */
bool aws_region_name_ok(const char *s);

/*
 * One SSM JSON 1.1 call: POST with X-Amz-Target AmazonSSM.<op>, body = req.
 * On success returns 0 and *out (new reference; {} for an empty body).
 * Retries throttling, 5xx and network errors with full-jitter backoff up to
 * max_retries. Returns an aws_err (negative) and fills err otherwise.
 */
int ssm_call(aws_client *c, const char *op, json_t *req, json_t **out, aws_error *err);

/*
 * Paginated Describe... / List... call: repeats `op` with NextToken until exhausted and
 * concatenates the arrays found under `list_member`. *out is a new JSON array.
 */
int ssm_call_all(aws_client *c, const char *op, json_t *req, const char *list_member, json_t **out,
		 aws_error *err);
/* ssm_call_all that stops once it has `max_items` elements (0 = all): *out then
 * holds the first max_items, and no further page is asked for. */
int ssm_call_pages(aws_client *c, const char *op, json_t *req, const char *list_member,
		   size_t max_items, json_t **out, aws_error *err);

/*
 * ssm_call under Stop (what Ctrl-C does): a mutating request already sent
 * finishes, bounded by its timeout (60 s), and its answer is returned, so a
 * created object is returned to Terraform and recorded in state; every wait,
 * retry and request not yet sent ends with AWS_ERR_CANCELLED. A request counts
 * as sent once its connection is up and its first byte is written; a read is
 * aborted even then (it changes nothing).
 *
 * Mutating is decided by the operation's name: every SSM operation except the
 * read-only verbs Describe*, Get* and List* (SSM's model names every read that
 * way; an operation this table does not know is treated as mutating, the safe
 * side).
 */
bool ssm_op_mutating(const char *op);

/* Stop RPC: cancel every wait and request as ssm_op_mutating says. Process-wide. */
void aws_cancel_all(void);
bool aws_cancelled(void);
/* Sleep up to ms, returning early with AWS_ERR_CANCELLED on aws_cancel_all(). */
int aws_sleep_ms(long ms);

/* Human-readable name of an aws_err ("not found", ...). */
const char *aws_err_name(aws_err e);

#endif
