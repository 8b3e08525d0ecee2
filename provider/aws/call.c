/*
 * call.c - signed AWS calls with retries (contract in call.h).
 *
 * Logging (module provider.aws): operation, attempt, status and latency at
 * DEBUG. Headers are never logged, so Authorization and X-Amz-Security-Token
 * never appear in a log line.
 */
#include "call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "cancel.h"
#include "core/log.h"
#include "errors.h"
#include "sigv4.h"

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

/* ---- one attempt ---- */

/* Send one attempt, signed with cr (NULL: unsigned). */
static int send_once(aws_caller *k, const aws_credentials *cr, const aws_call_spec *s,
		     aws_http_response *resp, aws_error *err)
{
	sigv4_header sh[2];
	sigv4_request sr = {0};
	sigv4_result res = {0};
	buf lines[5];
	const char *hl[5];
	size_t nl = 0, ns = 0, i;
	int rc = AWS_ERR_OTHER;

	for (i = 0; i < 5; i++)
		buf_init(&lines[i], 64 * 1024);
	sh[ns].name = "Content-Type";
	sh[ns++].value = s->content_type;
	if (s->target) {
		sh[ns].name = "X-Amz-Target";
		sh[ns++].value = s->target;
	}
	if (buf_printf(&lines[nl++], "Content-Type: %s", s->content_type) < 0 ||
	    (s->target && buf_printf(&lines[nl++], "X-Amz-Target: %s", s->target) < 0))
		goto too_large;
	if (cr) {
		sigv4_credentials sc = {cr->access_key, cr->secret_key, cr->token};

		sr.method = "POST";
		sr.url = s->url;
		sr.headers = sh;
		sr.n_headers = ns;
		sr.body = (const unsigned char *)s->body;
		sr.body_len = s->body_len;
		if (sigv4_sign(&res, &sr, &sc, k->region, s->service,
			       time(NULL) + (time_t)atomic_load(&k->clock_skew)) < 0) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, s->op,
				      "cannot sign a request to %s", s->url);
			goto done;
		}
		if (buf_printf(&lines[nl++], "X-Amz-Date: %s", res.amz_date) < 0 ||
		    (cr->token && cr->token[0] &&
		     buf_printf(&lines[nl++], "X-Amz-Security-Token: %s", cr->token) < 0) ||
		    buf_printf(&lines[nl++], "Authorization: %s", res.authorization) < 0)
			goto too_large;
	}
	for (i = 0; i < nl; i++)
		hl[i] = lines[i].data;
	{
		aws_http_request hr = {"POST",      s->url, hl, nl,         s->body,
				       s->body_len, 0,      0,  s->mutating};
		rc = aws_http_do(k->http, &hr, resp, err);
	}
	goto done;
too_large:
	aws_error_set(err, AWS_ERR_OTHER, 0, NULL, s->op, "request headers too large");
done:
	for (i = 0; i < 5; i++)
		buf_free_secret(&lines[i]);
	sigv4_result_free(&res);
	return rc;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int aws_call(aws_caller *k, aws_creds_source *src, const aws_call_spec *s, aws_http_response *resp,
	     aws_error *err)
{
	aws_credentials cur = {0};
	bool refreshed = false, skew_fixed = false;
	int attempt = 0, rc;

	for (;;) {
		double t0;

		if (src) {
			aws_credentials_clear(&cur);
			if ((rc = src->get(src, &cur, err)) != 0) {
				if (!err->operation[0])
					snprintf(err->operation, sizeof(err->operation), "%s",
						 s->op);
				goto done;
			}
		}
		t0 = now_ms();
		rc = send_once(k, src ? &cur : NULL, s, resp, err);
		if (rc == 0 && resp->status >= 200 && resp->status < 300) {
			LOG_D(AWS_LOG_MODULE,
			      "%s attempt=%d status=%ld latency_ms=%.0f request_id=%s", s->op,
			      attempt + 1, resp->status, now_ms() - t0, resp->request_id);
			goto done;
		}
		if (rc == 0) {
			if (s->query_errors)
				aws_parse_query_error(err, (int)resp->status, resp->body.data,
						      s->op);
			else
				aws_parse_json_error(err, (int)resp->status, resp->body.data,
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
		if (aws_cancelled()) {
			/* Stop came while this attempt ran: its answer is the result. */
			aws_error_prefix(err, "not retried after Stop: ");
			goto done;
		}
		if (!skew_fixed && rc == AWS_ERR_AUTH && aws_error_clock_skew(err) && resp->date) {
			/* As the AWS SDKs do: sign with the server's clock from now on. */
			long skew = (long)(resp->date - time(NULL));
			LOG_W(AWS_LOG_MODULE,
			      "%s: local clock is %ld s off the server's; correcting", s->op,
			      -skew);
			atomic_store(&k->clock_skew, skew);
			skew_fixed = true;
			continue;
		}
		if (src && src->invalidate && !refreshed && aws_error_expired_token(err)) {
			LOG_I(AWS_LOG_MODULE, "%s: credentials expired (%s), refreshing once",
			      s->op, err->aws_code);
			src->invalidate(src);
			refreshed = true;
			continue;
		}
		if (!aws_error_retryable(err) || attempt >= k->max_retries)
			goto done;
		{
			long wait = aws_backoff_ms(attempt, random_u32());
			LOG_D(AWS_LOG_MODULE, "%s: retrying in %ld ms (retry %d of %d)", s->op,
			      wait, attempt + 1, k->max_retries);
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

/* ---- fixed credentials ---- */

static int fixed_get(aws_creds_source *src, aws_credentials *out, aws_error *err)
{
	const aws_fixed_creds *f = (const aws_fixed_creds *)src;

	if (aws_credentials_copy(out, f->creds) < 0) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		return AWS_ERR_OTHER;
	}
	return 0;
}

void aws_fixed_creds_init(aws_fixed_creds *f, const aws_credentials *creds)
{
	f->src.get = fixed_get;
	f->src.invalidate = NULL;
	f->creds = creds;
}
