/*
 * aws_internal.h - what the files of provider/aws/ share with each other and
 * with the unit tests, but not with the rest of the provider (which sees aws.h
 * only): the HTTP layer, credentials, shared-file parsing, error
 * classification, retry timing, endpoints and the client struct itself.
 *
 * Files: buf.c (bounded buffer), sigv4.c (signer), http.c (libcurl, pooled
 * handles, cancellation), creds.c (credential chain, shared files, IMDSv2, STS
 * AssumeRole), ssm.c (error parsing, retries, SSM JSON 1.1 and STS query calls),
 * client.c (config, client, region/partition/endpoints, account ID).
 */
#ifndef SSMPATCH_AWS_INTERNAL_H
#define SSMPATCH_AWS_INTERNAL_H

#include "aws.h"
#include "buf.h"
#include "sigv4.h"

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#define AWS_LOG_MODULE "provider.aws"
#define AWS_USER_AGENT "terraform-provider-ssmpatch/0.1.0"

/* ---- http.c ---- */

#define AWS_HTTP_MAX_BODY (16u * 1024 * 1024) /* response bodies beyond this fail */
#define AWS_HTTP_CONNECT_TIMEOUT_MS 10000L
#define AWS_HTTP_TIMEOUT_MS 60000L
#define AWS_HTTP_POOL_MAX 16 /* idle easy handles kept */
#define AWS_HTTP_MAX_IDLE_CONNS 32 /* idle connections kept in the shared cache */

typedef struct aws_http aws_http;

typedef struct {
	const char *method; /* "GET", "PUT", "POST" */
	const char *url;
	const char *const *headers; /* "Name: value" lines, borrowed */
	size_t n_headers;
	const char *body; /* may be NULL */
	size_t body_len;
	long connect_timeout_ms; /* 0 = AWS_HTTP_CONNECT_TIMEOUT_MS */
	long timeout_ms; /* 0 = AWS_HTTP_TIMEOUT_MS */
} aws_http_request;

typedef struct {
	long status; /* HTTP status, 0 before a response */
	aws_buf body; /* bounded by AWS_HTTP_MAX_BODY */
	char error_type[160]; /* x-amzn-ErrorType header, "" if absent */
	char request_id[80]; /* x-amzn-RequestId header, "" if absent */
	time_t date; /* the server's Date header, 0 if absent */
} aws_http_response;

aws_http *aws_http_new(void);
void aws_http_free(aws_http *h);
void aws_http_response_init(aws_http_response *r);
void aws_http_response_free(aws_http_response *r);
/*
 * Perform one request. Returns 0 when a response arrived (any status; see
 * resp->status), AWS_ERR_NETWORK on a transport failure or timeout,
 * AWS_ERR_CANCELLED when aws_cancel_all() interrupted it, AWS_ERR_OTHER when
 * the response body exceeded AWS_HTTP_MAX_BODY. err is filled on failure.
 * Thread-safe; connections, DNS and TLS sessions are shared across threads.
 */
int aws_http_do(aws_http *h, const aws_http_request *req, aws_http_response *resp, aws_error *err);

/* Undo aws_cancel_all() (tests only; a provider process never un-cancels). */
void aws_cancel_reset(void);

/* ---- ssm.c: errors and retries ---- */

/* Fill err (message formatted; aws_code and operation may be NULL). */
void aws_error_set(aws_error *err, aws_err code, int http_status, const char *aws_code,
		   const char *operation, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Class of an AWS error code (namespace already stripped) and HTTP status. */
aws_err aws_classify(const char *aws_code, int http_status);
/* Parse a JSON 1.1 error response (body may be non-JSON, e.g. an HTML 502
 * page; error_type_hdr is the x-amzn-ErrorType header or NULL) into err. */
void aws_parse_json_error(aws_error *err, int http_status, const char *body, size_t len,
			  const char *error_type_hdr, const char *operation);
/* Parse an STS/query XML <ErrorResponse> into err. */
void aws_parse_query_error(aws_error *err, int http_status, const char *body,
			   const char *operation);
bool aws_error_retryable(const aws_error *err);
bool aws_error_expired_token(const aws_error *err);
/* A signature rejected because the local clock is off (RequestTimeTooSkewed,
 * RequestExpired, "Signature expired", "Signature not yet current"). */
bool aws_error_clock_skew(const aws_error *err);

#define AWS_BACKOFF_BASE_MS 100L
#define AWS_BACKOFF_CAP_MS 20000L
/* Upper bound of the wait before retry number `attempt` (0-based):
 * min(cap, base * 2^attempt). */
long aws_backoff_cap_ms(int attempt);
/* Full jitter: rnd scaled into [0, aws_backoff_cap_ms(attempt)]. */
long aws_backoff_ms(int attempt, uint32_t rnd);

/* ---- client.c: endpoints ---- */

/* "aws", "aws-cn" (cn-*), "aws-us-gov" (us-gov-*). */
const char *aws_partition_for_region(const char *region);
/* https://<service>.<region>.amazonaws.com, .amazonaws.com.cn for cn-*.
 * Returns 0, or -1 when it does not fit in n. */
int aws_default_endpoint(char *out, size_t n, const char *service, const char *region);

/* ---- creds.c ---- */

typedef struct {
	char *access_key, *secret_key, *token; /* owned; token may be NULL */
	time_t expires; /* 0 = does not expire */
	char source[32]; /* "static", "env", "profile", "imds",
	                                        * "assume_role" (for logs) */
} aws_credentials;

void aws_credentials_clear(aws_credentials *c);

/* Parsed INI files (AWS shared config / credentials). */
typedef struct aws_ini aws_ini;
/* Load files in order; missing files are skipped; a later file's key overrides
 * an earlier one's in the same section. Returns 0 or AWS_ERR_CONFIG (unreadable
 * or too large file, > 1 MiB). *out is never NULL on success. */
int aws_ini_load(aws_ini **out, char *const *files, size_t n, aws_error *err);
void aws_ini_free(aws_ini *ini);
bool aws_ini_has_section(const aws_ini *ini, const char *section);
/* Borrowed value or NULL. */
const char *aws_ini_get(const aws_ini *ini, const char *section, const char *key);

/* A key of the profile's section in the shared config files ("[profile x]",
 * or "[default]" for the default profile). Borrowed or NULL. */
const char *aws_profile_config_get(const aws_client *c, const char *profile, const char *key);

/* Credentials currently valid for the client (refreshing them if needed):
 * *out receives an owned copy. Thread-safe. */
int aws_creds_get(aws_client *c, aws_credentials *out, aws_error *err);
/* Forget the cached credentials (after ExpiredToken). */
void aws_creds_invalidate(aws_client *c);

/* First <elem>text</elem> in xml, entity-decoded; malloc'd or NULL. */
char *aws_xml_text(const char *xml, const char *elem);
/* "2026-11-29T19:00:00Z" (fraction and offset tolerated) -> time_t; -1 if bad. */
time_t aws_parse_iso8601(const char *s);

/* ---- the client ---- */

struct aws_client {
	aws_config cfg; /* deep copy of the provider settings */
	char *region; /* resolved */
	const char *partition; /* static string */
	char *profile; /* resolved profile name */
	bool profile_explicit; /* from the provider or AWS_PROFILE */
	aws_ini *config_ini; /* shared config files */
	aws_ini *credentials_ini; /* shared credentials files */
	char *ssm_url, *sts_url;
	aws_http *http;

	pthread_mutex_t creds_mu; /* guards creds, have_creds, role_arn_account */
	aws_credentials creds;
	bool have_creds;
	char role_account[16]; /* from the assumed role's ARN, "" if none */

	pthread_mutex_t account_mu;
	char account_id[16]; /* "" until known */

	_Atomic long clock_skew; /* seconds to add to time(NULL) when signing,
	                            * learnt from a server's Date on a skew error */
};

/*
 * One signed STS query call (POST form body "Action=..&Version=2011-06-15..")
 * with `creds`, with retries like ssm_call. *xml receives the response body
 * (owned) on 200. Used by creds.c and the account ID lookup.
 */
int aws_sts_call(aws_client *c, const aws_credentials *creds, const char *op, const char *form_body,
		 char **xml, aws_error *err);

#endif
