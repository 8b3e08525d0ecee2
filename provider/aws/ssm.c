/*
 * ssm.c - signed AWS calls with retries: SSM's JSON 1.1 protocol (ssm_call,
 * ssm_call_all) and STS's query protocol (aws_sts_call), plus the error
 * classification both share.
 *
 * A call signs with the client's current credentials (creds.c), sends through
 * http.c and retries throttling, 5xx and network errors with full-jitter
 * exponential backoff: before retry n (0-based) it sleeps a uniformly random
 * time in [0, min(20 s, 100 ms * 2^n)], at most max_retries times; the sleep
 * ends early on aws_cancel_all(). An ExpiredToken error makes it forget the
 * cached credentials and retry once with fresh ones (not counted as a retry);
 * a signature refused for clock skew makes it sign with the server's clock
 * (offset learnt from the response's Date header) and retry once likewise.
 *
 * Errors: JSON 1.1 bodies carry "__type" ("DoesNotExistException" or
 * "com.amazonaws.ssm#DoesNotExistException") and "message" or "Message"; the
 * x-amzn-ErrorType header ("Code:http://...") is the fallback; a non-JSON body
 * (an HTML 502 page from a proxy) falls back to the HTTP status. STS returns
 * <ErrorResponse><Error><Code>..</Code><Message>..</Message></Error>.
 *
 * Logging (module provider.aws): operation, attempt, status and latency at
 * DEBUG; request and response bodies at TRACE with sensitive members redacted.
 * Headers are never logged, so Authorization and X-Amz-Security-Token never
 * appear in a log line.
 */
#include "aws_internal.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/log.h"

#define SSM_MAX_PAGES 10000 /* ssm_call_all gives up after this many pages */

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

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
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
		if (in_list(code, auth) || has_prefix(code, "AccessDenied") ||
		    has_prefix(code, "ExpiredToken"))
			return AWS_ERR_AUTH;
		if (in_list(code, throttle))
			return AWS_ERR_THROTTLED;
		if (in_list(code, server))
			return AWS_ERR_SERVER;
		if (in_list(code, network))
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
		if (in_list(code, validation) || has_prefix(code, "Invalid") ||
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
	while (l && (code[l - 1] == ' ' || code[l - 1] == '\r' || code[l - 1] == '\n'))
		l--;
	if (l >= n)
		l = n - 1;
	memcpy(out, code, l);
	out[l] = '\0';
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

long aws_backoff_cap_ms(int attempt)
{
	long v = AWS_BACKOFF_BASE_MS;
	int i;

	for (i = 0; i < attempt && v < AWS_BACKOFF_CAP_MS; i++)
		v *= 2;
	return v < AWS_BACKOFF_CAP_MS ? v : AWS_BACKOFF_CAP_MS;
}

long aws_backoff_ms(int attempt, uint32_t rnd)
{
	long cap = aws_backoff_cap_ms(attempt);

	return (long)(((uint64_t)rnd * (uint64_t)(cap + 1)) >> 32);
}

static uint32_t random_u32(void)
{
	uint32_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)time(NULL) * 2654435761u;
	return r;
}

/* ---- one signed call with retries ---- */

typedef struct {
	const char *op; /* for logs and errors */
	const char *service; /* "ssm", "sts" */
	const char *url;
	const char *content_type;
	const char *target; /* X-Amz-Target or NULL */
	const char *body;
	size_t body_len;
	bool query_errors; /* STS XML errors instead of JSON */
} call_spec;

static int send_signed(aws_client *c, const aws_credentials *cr, const call_spec *s,
		       aws_http_response *resp, aws_error *err)
{
	sigv4_header sh[2];
	sigv4_request sr = {0};
	sigv4_credentials sc = {cr->access_key, cr->secret_key, cr->token};
	sigv4_result res = {0};
	aws_buf lines[5];
	const char *hl[5];
	size_t nl = 0, ns = 0, i;
	int rc = AWS_ERR_OTHER;

	for (i = 0; i < 5; i++)
		aws_buf_init(&lines[i], 64 * 1024);
	sh[ns].name = "Content-Type";
	sh[ns++].value = s->content_type;
	if (s->target) {
		sh[ns].name = "X-Amz-Target";
		sh[ns++].value = s->target;
	}
	sr.method = "POST";
	sr.url = s->url;
	sr.headers = sh;
	sr.n_headers = ns;
	sr.body = (const unsigned char *)s->body;
	sr.body_len = s->body_len;
	if (sigv4_sign(&res, &sr, &sc, c->region, s->service,
		       time(NULL) + (time_t)atomic_load(&c->clock_skew)) < 0) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, s->op, "cannot sign a request to %s",
			      s->url);
		goto done;
	}
	if (aws_buf_printf(&lines[nl++], "Content-Type: %s", s->content_type) < 0 ||
	    (s->target && aws_buf_printf(&lines[nl++], "X-Amz-Target: %s", s->target) < 0) ||
	    aws_buf_printf(&lines[nl++], "X-Amz-Date: %s", res.amz_date) < 0 ||
	    (cr->token && cr->token[0] &&
	     aws_buf_printf(&lines[nl++], "X-Amz-Security-Token: %s", cr->token) < 0) ||
	    aws_buf_printf(&lines[nl++], "Authorization: %s", res.authorization) < 0) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, s->op, "request headers too large");
		goto done;
	}
	for (i = 0; i < nl; i++)
		hl[i] = lines[i].ptr;
	{
		aws_http_request hr = {"POST", s->url, hl, nl, s->body, s->body_len, 0, 0};
		rc = aws_http_do(c->http, &hr, resp, err);
	}
done:
	for (i = 0; i < 5; i++) {
		if (lines[i].ptr)
			memset(lines[i].ptr, 0, lines[i].len);
		aws_buf_free(&lines[i]);
	}
	sigv4_result_free(&res);
	return rc;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/*
 * Run s with retries. fixed_creds: sign with these (STS calls made while the
 * credential chain resolves) instead of the client's current credentials.
 * On 0, resp holds the 2xx response.
 */
static int call_with_retries(aws_client *c, const aws_credentials *fixed_creds, const call_spec *s,
			     aws_http_response *resp, aws_error *err)
{
	aws_credentials cur = {0};
	bool refreshed = false, skew_fixed = false;
	int attempt = 0, rc;

	for (;;) {
		double t0;
		const aws_credentials *use = fixed_creds;

		if (!fixed_creds) {
			aws_credentials_clear(&cur);
			if ((rc = aws_creds_get(c, &cur, err)) != 0) {
				if (!err->operation[0])
					snprintf(err->operation, sizeof(err->operation), "%s",
						 s->op);
				goto done;
			}
			use = &cur;
		}
		t0 = now_ms();
		rc = send_signed(c, use, s, resp, err);
		if (rc == 0 && resp->status >= 200 && resp->status < 300) {
			LOG_D(AWS_LOG_MODULE,
			      "%s attempt=%d status=%ld latency_ms=%.0f request_id=%s", s->op,
			      attempt + 1, resp->status, now_ms() - t0, resp->request_id);
			goto done;
		}
		if (rc == 0) {
			if (s->query_errors)
				aws_parse_query_error(err, (int)resp->status, resp->body.ptr,
						      s->op);
			else
				aws_parse_json_error(err, (int)resp->status, resp->body.ptr,
						     resp->body.len, resp->error_type, s->op);
			rc = err->code;
		}
		snprintf(err->operation, sizeof(err->operation), "%s", s->op);
		LOG_D(AWS_LOG_MODULE,
		      "%s attempt=%d status=%ld latency_ms=%.0f error=%s (%s) request_id=%s", s->op,
		      attempt + 1, resp->status, now_ms() - t0,
		      err->aws_code[0] ? err->aws_code : "-", aws_err_name(err->code),
		      resp->request_id);
		if (rc == AWS_ERR_CANCELLED)
			goto done;
		if (!skew_fixed && rc == AWS_ERR_AUTH && aws_error_clock_skew(err) && resp->date) {
			/* As the AWS SDKs do: sign with the server's clock from now on. */
			long skew = (long)(resp->date - time(NULL));
			LOG_W(AWS_LOG_MODULE,
			      "%s: local clock is %ld s off the server's; correcting", s->op,
			      -skew);
			atomic_store(&c->clock_skew, skew);
			skew_fixed = true;
			continue;
		}
		if (!fixed_creds && !refreshed && aws_error_expired_token(err)) {
			LOG_I(AWS_LOG_MODULE, "%s: credentials expired (%s), refreshing once",
			      s->op, err->aws_code);
			aws_creds_invalidate(c);
			refreshed = true;
			continue;
		}
		if (!aws_error_retryable(err) || attempt >= c->cfg.max_retries)
			goto done;
		{
			long wait = aws_backoff_ms(attempt, random_u32());
			LOG_D(AWS_LOG_MODULE, "%s: retrying in %ld ms (retry %d of %d)", s->op,
			      wait, attempt + 1, c->cfg.max_retries);
			if (aws_sleep_ms(wait) != 0) {
				aws_error_set(err, AWS_ERR_CANCELLED, 0, NULL, s->op,
					      "cancelled while waiting to retry %s", s->op);
				rc = AWS_ERR_CANCELLED;
				goto done;
			}
		}
		attempt++;
	}
done:
	aws_credentials_clear(&cur);
	return rc;
}

/* ---- TRACE body redaction ---- */

static void redact(json_t *j)
{
	/* Members the SSM model marks sensitive (or that carry user secrets). */
	static const char *const secret[] = {"Configuration",    "Payload",     "Input",
					     "OwnerInformation", "Description", "TaskParameters",
					     "Parameters",       NULL};
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach (j, k, v) {
			if (in_list(k, secret))
				json_object_set_new(j, k, json_string("(redacted)"));
			else
				redact(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach (j, i, v)
			redact(v);
	}
}

static void trace_body(const char *what, const char *op, const char *body, size_t len)
{
	json_t *j;
	char *s;

	if (!log_enabled(LOG_TRACE))
		return;
	j = len ? json_loadb(body, len, 0, NULL) : NULL;
	if (!j) {
		log_msg(LOG_TRACE, AWS_LOG_MODULE, "%s %s body: (%zu bytes, not JSON)", op, what,
			len);
		return;
	}
	redact(j);
	s = json_dumps(j, JSON_COMPACT);
	log_msg(LOG_TRACE, AWS_LOG_MODULE, "%s %s body: %s", op, what, s ? s : "?");
	free(s);
	json_decref(j);
}

/* ---- SSM JSON 1.1 ---- */

int ssm_call(aws_client *c, const char *op, json_t *req, json_t **out, aws_error *err)
{
	aws_http_response resp;
	char target[128];
	char *body = NULL;
	call_spec s = {0};
	json_error_t jerr;
	int rc;

	*out = NULL;
	aws_http_response_init(&resp);
	if (!c || !op ||
	    snprintf(target, sizeof(target), "AmazonSSM.%s", op) >= (int)sizeof(target)) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op, "invalid SSM operation");
		rc = AWS_ERR_OTHER;
		goto done;
	}
	body = req ? json_dumps(req, JSON_COMPACT) : strdup("{}");
	if (!body) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op, "cannot encode the %s request", op);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	trace_body("request", op, body, strlen(body));
	s.op = op;
	s.service = "ssm";
	s.url = c->ssm_url;
	s.content_type = "application/x-amz-json-1.1";
	s.target = target;
	s.body = body;
	s.body_len = strlen(body);
	if ((rc = call_with_retries(c, NULL, &s, &resp, err)) != 0)
		goto done;
	trace_body("response", op, resp.body.ptr, resp.body.len);
	if (resp.body.len == 0) {
		*out = json_object();
	} else if (!(*out = json_loadb(resp.body.ptr, resp.body.len, 0, &jerr)) ||
		   !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		aws_error_set(err, AWS_ERR_OTHER, (int)resp.status, NULL, op,
			      "%s returned a body that is not a JSON object", op);
		rc = AWS_ERR_OTHER;
	}
done:
	free(body);
	aws_http_response_free(&resp);
	return rc;
}

int ssm_call_all(aws_client *c, const char *op, json_t *req, const char *list_member, json_t **out,
		 aws_error *err)
{
	json_t *r = req ? json_deep_copy(req) : json_object();
	json_t *all = json_array(), *page = NULL;
	char *prev_token = NULL;
	int rc = AWS_ERR_OTHER, n;

	*out = NULL;
	if (!r || !all) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op, "out of memory");
		goto done;
	}
	for (n = 0; n < SSM_MAX_PAGES; n++) {
		json_t *list, *tok;
		const char *ts;

		if ((rc = ssm_call(c, op, r, &page, err)) != 0)
			goto done;
		list = json_object_get(page, list_member);
		if (json_is_array(list) && json_array_extend(all, list) != 0) {
			aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op, "out of memory");
			rc = AWS_ERR_OTHER;
			goto done;
		}
		tok = json_object_get(page, "NextToken");
		ts = json_string_value(tok);
		if (!ts || !*ts) {
			*out = all;
			all = NULL;
			rc = 0;
			goto done;
		}
		if (prev_token && strcmp(prev_token, ts) == 0) {
			aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op,
				      "%s returned the same NextToken twice", op);
			rc = AWS_ERR_OTHER;
			goto done;
		}
		free(prev_token);
		prev_token = strdup(ts);
		json_object_set(r, "NextToken", tok);
		json_decref(page);
		page = NULL;
	}
	aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op, "%s: more than %d pages", op, SSM_MAX_PAGES);
	rc = AWS_ERR_OTHER;
done:
	free(prev_token);
	json_decref(page);
	json_decref(r);
	json_decref(all);
	return rc;
}

/* ---- STS query ---- */

int aws_sts_call(aws_client *c, const aws_credentials *creds, const char *op, const char *form_body,
		 char **xml, aws_error *err)
{
	aws_http_response resp;
	call_spec s = {0};
	int rc;

	*xml = NULL;
	aws_http_response_init(&resp);
	s.op = op;
	s.service = "sts";
	s.url = c->sts_url;
	s.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	s.body = form_body;
	s.body_len = strlen(form_body);
	s.query_errors = true;
	if ((rc = call_with_retries(c, creds, &s, &resp, err)) != 0)
		goto done;
	if (!(*xml = aws_buf_detach(&resp.body))) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op, "out of memory");
		rc = AWS_ERR_OTHER;
	}
done:
	aws_http_response_free(&resp);
	return rc;
}
