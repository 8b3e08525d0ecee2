/*
 * http.h - the provider's HTTP client (libcurl, loaded at first use), shared
 * by every thread of a client: pooled easy handles, one connection cache.
 */
#ifndef SSMPATCH_AWS_HTTP_H
#define SSMPATCH_AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws.h"
#include "core/buf.h"

#define AWS_USER_AGENT "terraform-provider-ssmpatch/0.1.0"
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
	bool finish_once_sent; /* Stop does not abort it once sent (mutating calls) */
} aws_http_request;

typedef struct {
	long status; /* HTTP status, 0 before a response */
	buf body; /* bounded by AWS_HTTP_MAX_BODY */
	char error_type[160]; /* x-amzn-ErrorType header, "" if absent */
	char request_id[80]; /* x-amzn-RequestId header, "" if absent */
	time_t date; /* the server's Date header, 0 if absent */
} aws_http_response;

aws_http *aws_http_new(void);
void aws_http_free(aws_http *h);
void aws_http_response_init(aws_http_response *r);
/* Frees the body; zeroes it first (it may have held credentials). */
void aws_http_response_free(aws_http_response *r);
/*
 * Perform one request. Returns 0 when a response arrived (any status; see
 * resp->status), AWS_ERR_NETWORK on a transport failure or timeout,
 * AWS_ERR_CANCELLED when aws_cancel_all() interrupted it, AWS_ERR_OTHER when
 * the response body exceeded AWS_HTTP_MAX_BODY. err is filled on failure.
 * Thread-safe; connections, DNS and TLS sessions are shared across threads.
 *
 * Under Stop (aws_cancel_all): a request not yet started fails at once; one
 * still connecting fails before its first byte is written (curl's
 * pre-request callback, after connect and TLS); one already sent is aborted,
 * unless finish_once_sent: then it runs to its answer or its timeout, and that
 * is what it returns.
 */
int aws_http_do(aws_http *h, const aws_http_request *req, aws_http_response *resp, aws_error *err);

#endif
