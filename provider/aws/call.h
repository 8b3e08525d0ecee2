/*
 * call.h - one AWS API call, signed with SigV4 (or unsigned), with the SDKs'
 * retry rules: what SSM's JSON 1.1 client (ssm.c) and STS's query client
 * (sts.c) share.
 *
 * A call retries throttling, 5xx and network errors with full-jitter
 * exponential backoff: before retry n (0-based) it sleeps a uniformly random
 * time in [0, min(20 s, 100 ms * 2^n)], at most max_retries times; the sleep
 * ends early on aws_cancel_all(). An ExpiredToken error makes it invalidate
 * the credentials source and retry once with fresh ones (not counted as a
 * retry); a signature refused for clock skew makes it sign with the server's
 * clock (offset learnt from the response's Date header) and retry once
 * likewise.
 *
 * Stop (aws_cancel_all) ends the backoff waits and keeps further attempts
 * from being sent; an attempt already sent of a `mutating` call finishes
 * (http.h) and its answer is the call's result: success, or its error, not
 * retried.
 *
 * Credentials come from an aws_creds_source, asked before every attempt, so
 * this file knows nothing of where they come from (the chain sits above it
 * and hands itself in).
 */
#ifndef SSMPATCH_AWS_CALL_H
#define SSMPATCH_AWS_CALL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws.h"
#include "credentials.h"
#include "http.h"

/* What every call of one client shares. */
typedef struct {
	aws_http *http; /* borrowed */
	const char *region; /* borrowed; the signing region */
	int max_retries;
	_Atomic long clock_skew; /* seconds to add to time(NULL) when signing,
	                          * learnt from a server's Date on a skew error */
} aws_caller;

/* Where a call's credentials come from. get fills *out with an owned copy;
 * invalidate (may be NULL: the credentials cannot be refreshed) drops a
 * cached set after ExpiredToken. */
typedef struct aws_creds_source aws_creds_source;
struct aws_creds_source {
	int (*get)(aws_creds_source *src, aws_credentials *out, aws_error *err);
	void (*invalidate)(aws_creds_source *src);
};

/* A source that always hands out copies of one fixed set (borrowed). */
typedef struct {
	aws_creds_source src;
	const aws_credentials *creds;
} aws_fixed_creds;
void aws_fixed_creds_init(aws_fixed_creds *f, const aws_credentials *creds);

typedef struct {
	const char *op; /* for logs and errors */
	const char *service; /* signing name: "ssm", "sts" */
	const char *url;
	const char *content_type;
	const char *target; /* X-Amz-Target or NULL */
	const char *body;
	size_t body_len;
	bool query_errors; /* STS XML errors instead of JSON */
	bool mutating; /* changes something: once sent, Stop lets it finish */
} aws_call_spec;

/*
 * Run s with retries, signed with creds from src (NULL: unsigned, as STS
 * AssumeRoleWithWebIdentity). On 0, resp holds the 2xx response; otherwise an
 * aws_err with err filled (err->operation = s->op).
 */
int aws_call(aws_caller *k, aws_creds_source *src, const aws_call_spec *s, aws_http_response *resp,
	     aws_error *err);

#define AWS_BACKOFF_BASE_MS 100L
#define AWS_BACKOFF_CAP_MS 20000L
/* Upper bound of the wait before retry number `attempt` (0-based):
 * min(cap, base * 2^attempt). */
long aws_backoff_cap_ms(int attempt);
/* Full jitter: rnd scaled into [0, aws_backoff_cap_ms(attempt)]. */
long aws_backoff_ms(int attempt, uint32_t rnd);

#endif
