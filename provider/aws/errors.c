/*
 * errors.c - aws_error values: classification of AWS error codes, JSON 1.1
 * and query (XML) error bodies (contract in errors.h).
 *
 * JSON 1.1 bodies carry "__type" ("DoesNotExistException" or
 * "com.amazonaws.ssm#DoesNotExistException") and "message" or "Message"; the
 * x-amzn-ErrorType header ("Code:http://...") is the fallback; a non-JSON body
 * (an HTML 502 page from a proxy) falls back to the HTTP status. STS returns
 * <ErrorResponse><Error><Code>..</Code><Message>..</Message></Error>.
 */
#include "errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "xml.h"

/* ---- errors ---- */

const char *aws_err_name(aws_err e)
{
	switch (e) {
	case AWS_OK:
		return "ok";
	case AWS_ERR_NOT_FOUND:
		return "not found";
	case AWS_ERR_IN_USE:
		return "in use";
	case AWS_ERR_ALREADY_EXISTS:
		return "already exists";
	case AWS_ERR_VALIDATION:
		return "validation error";
	case AWS_ERR_THROTTLED:
		return "throttled";
	case AWS_ERR_AUTH:
		return "authentication or authorization error";
	case AWS_ERR_NETWORK:
		return "network error";
	case AWS_ERR_SERVER:
		return "server error";
	case AWS_ERR_CANCELLED:
		return "cancelled";
	case AWS_ERR_LIMIT:
		return "limit exceeded";
	case AWS_ERR_CONFIG:
		return "configuration error";
	case AWS_ERR_OTHER:
		return "error";
	}
	return "error";
}

void aws_error_set(aws_error *err, aws_err code, int http_status, const char *aws_code,
		   const char *operation, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->code = code;
	err->http_status = http_status;
	if (aws_code)
		snprintf(err->aws_code, sizeof(err->aws_code), "%s", aws_code);
	if (operation)
		snprintf(err->operation, sizeof(err->operation), "%s", operation);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

void aws_error_prefix(aws_error *err, const char *fmt, ...)
{
	char m[sizeof(err->message)];
	va_list ap;
	int w;

	if (!err)
		return;
	va_start(ap, fmt);
	w = vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof(m))
		return;
	snprintf(m + w, sizeof(m) - (size_t)w, "%s", err->message);
	memcpy(err->message, m, sizeof(m));
}

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

bool aws_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void aws_copy_trimmed(char *out, size_t n, const char *s, size_t len)
{
	while (len && blank(*s)) {
		s++;
		len--;
	}
	while (len && blank(s[len - 1]))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

aws_err aws_classify(const char *code, int status)
{
	static const char *const auth[] = {"UnrecognizedClientException",
					   "InvalidSignatureException",
					   "IncompleteSignature",
					   "IncompleteSignatureException",
					   "SignatureDoesNotMatch",
					   "MissingAuthenticationToken",
					   "MissingAuthenticationTokenException",
					   "InvalidClientTokenId",
					   "AuthFailure",
					   "RequestExpired",
					   "NotAuthorized",
					   "UnauthorizedOperation",
					   "InvalidAccessKeyId",
					   "InvalidToken",
					   "UnauthorizedException",
					   "RequestTimeTooSkewed",
					   NULL};
	static const char *const throttle[] = {"ThrottlingException",
					       "Throttling",
					       "ThrottledException",
					       "TooManyUpdates",
					       "RequestLimitExceeded",
					       "TooManyRequestsException",
					       "RequestThrottled",
					       "RequestThrottledException",
					       "SlowDown",
					       "ProvisionedThroughputExceededException",
					       "PriorRequestNotComplete",
					       "EC2ThrottledException",
					       "BandwidthLimitExceeded",
					       NULL};
	static const char *const server[] = {"InternalServerError",
					     "InternalFailure",
					     "InternalError",
					     "InternalServerException",
					     "ServiceUnavailable",
					     "ServiceUnavailableException",
					     NULL};
	static const char *const network[] = {"RequestTimeout", "RequestTimeoutException", NULL};
	static const char *const validation[] = {"ValidationException",
						 "ValidationError",
						 "InvalidParameters",
						 "SerializationException",
						 "IdempotentParameterMismatch",
						 "MissingParameter",
						 "MalformedQueryString",
						 "MalformedPolicyDocument",
						 "MalformedPolicyDocumentException",
						 NULL};

	if (code && *code) {
		if (aws_in_list(code, auth) || has_prefix(code, "AccessDenied") ||
		    has_prefix(code, "ExpiredToken"))
			return AWS_ERR_AUTH;
		if (aws_in_list(code, throttle))
			return AWS_ERR_THROTTLED;
		if (aws_in_list(code, server))
			return AWS_ERR_SERVER;
		if (aws_in_list(code, network))
			return AWS_ERR_NETWORK;
		if (strcmp(code, "DoesNotExistException") == 0 || strstr(code, "NotFound") ||
		    strstr(code, "NoSuchEntity"))
			return AWS_ERR_NOT_FOUND;
		if (strcmp(code, "ResourceInUseException") == 0)
			return AWS_ERR_IN_USE;
		if (strstr(code, "AlreadyExists"))
			return AWS_ERR_ALREADY_EXISTS;
		if (strstr(code, "LimitExceeded"))
			return AWS_ERR_LIMIT;
		if (aws_in_list(code, validation) || has_prefix(code, "Invalid") ||
		    has_prefix(code, "Unsupported"))
			return AWS_ERR_VALIDATION;
	}
	if (status == 429)
		return AWS_ERR_THROTTLED;
	if (status >= 500)
		return AWS_ERR_SERVER;
	if (status == 401 || status == 403)
		return AWS_ERR_AUTH;
	return AWS_ERR_OTHER;
}

/* Copy code into out, dropping ":detail" after it (x-amzn-ErrorType carries
 * "Code:http://internal...") and then "namespace#" before it. */
static void strip_code(char *out, size_t n, const char *code)
{
	size_t l = strcspn(code, ":"), i;

	for (i = l; i > 0; i--) {
		if (code[i - 1] == '#') {
			code += i;
			l -= i;
			break;
		}
	}
	aws_copy_trimmed(out, n, code, l);
}

/* A body excerpt fit for a message: printable ASCII, at most 200 bytes. */
static void excerpt(char *out, size_t n, const char *body, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < n && o < 200; i++) {
		unsigned char ch = (unsigned char)body[i];
		out[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
	}
	out[o] = '\0';
}

void aws_parse_json_error(aws_error *err, int status, const char *body, size_t len,
			  const char *error_type_hdr, const char *operation)
{
	json_t *j = NULL;
	const char *code = NULL, *msg = NULL;
	char stripped[128] = "", ex[256];

	if (body && len)
		j = json_loadb(body, len, 0, NULL);
	if (json_is_object(j)) {
		code = json_string_value(json_object_get(j, "__type"));
		if (!code)
			code = json_string_value(json_object_get(j, "code"));
		if (!code)
			code = json_string_value(json_object_get(j, "Code"));
		msg = json_string_value(json_object_get(j, "message"));
		if (!msg)
			msg = json_string_value(json_object_get(j, "Message"));
		if (!msg)
			msg = json_string_value(json_object_get(j, "errorMessage"));
	}
	if ((!code || !*code) && error_type_hdr && *error_type_hdr)
		code = error_type_hdr;
	if (code)
		strip_code(stripped, sizeof(stripped), code);
	if (msg) {
		aws_error_set(err, aws_classify(stripped, status), status, stripped, operation,
			      "%s", msg);
	} else if (j || !len) {
		aws_error_set(err, aws_classify(stripped, status), status, stripped, operation,
			      "HTTP %d%s%s", status, stripped[0] ? " " : "", stripped);
	} else {
		excerpt(ex, sizeof(ex), body, len);
		aws_error_set(err, aws_classify(stripped, status), status, stripped, operation,
			      "HTTP %d with a non-JSON body: %s", status, ex);
	}
	json_decref(j);
}

void aws_parse_query_error(aws_error *err, int status, const char *body, const char *operation)
{
	char *code = body ? aws_xml_text(body, "Code") : NULL;
	char *msg = body ? aws_xml_text(body, "Message") : NULL;
	char stripped[128] = "", ex[256];

	if (code)
		strip_code(stripped, sizeof(stripped), code);
	if (msg) {
		aws_error_set(err, aws_classify(stripped, status), status, stripped, operation,
			      "%s", msg);
	} else if (code || !body || !*body) {
		aws_error_set(err, aws_classify(stripped, status), status, stripped, operation,
			      "HTTP %d%s%s", status, stripped[0] ? " " : "", stripped);
	} else {
		excerpt(ex, sizeof(ex), body, strlen(body));
		aws_error_set(err, aws_classify(stripped, status), status, stripped, operation,
			      "HTTP %d with an unexpected body: %s", status, ex);
	}
	free(code);
	free(msg);
}

bool aws_error_retryable(const aws_error *err)
{
	return err->code == AWS_ERR_THROTTLED || err->code == AWS_ERR_SERVER ||
	       err->code == AWS_ERR_NETWORK;
}

bool aws_error_expired_token(const aws_error *err)
{
	return has_prefix(err->aws_code, "ExpiredToken");
}

bool aws_error_clock_skew(const aws_error *err)
{
	return strcmp(err->aws_code, "RequestTimeTooSkewed") == 0 ||
	       strcmp(err->aws_code, "RequestExpired") == 0 ||
	       (strcmp(err->aws_code, "InvalidSignatureException") == 0 &&
		(strstr(err->message, "Signature expired") ||
		 strstr(err->message, "Signature not yet current")));
}
