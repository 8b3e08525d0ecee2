/*
 * errors.h - filling and classifying aws_error (aws.h): AWS error codes to the
 * aws_err classes the resources switch on, JSON 1.1 and query (XML) error
 * bodies, and the predicates the retry loop asks.
 *
 * Depends on xml.h only (STS error bodies); everything else in provider/aws
 * reports through here.
 */
#ifndef SSMPATCH_AWS_ERRORS_H
#define SSMPATCH_AWS_ERRORS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws.h"

#define AWS_LOG_MODULE "provider.aws"

/* Fill err (message formatted; aws_code and operation may be NULL). err may be NULL. */
void aws_error_set(aws_error *err, aws_err code, int http_status, const char *aws_code,
		   const char *operation, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Put "prefix" in front of err->message (truncating the end if it must). */
void aws_error_prefix(aws_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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

/* Is s one of the NULL-terminated list's strings? */
bool aws_in_list(const char *s, const char *const *list);
/* Copy s[0..len) into out[n] without leading and trailing blanks (space, tab,
 * CR, LF), truncated to n - 1 bytes, NUL-terminated. */
void aws_copy_trimmed(char *out, size_t n, const char *s, size_t len);

#endif
