/*
 * ssm.c - the SSM client: ssm_call and ssm_call_all (aws.h) over SSM's JSON
 * 1.1 protocol, signed with the client's credential chain, with the retries
 * of call.c.
 *
 * Logging (module provider.aws): request and response bodies at TRACE with
 * the members SSM's model marks sensitive redacted.
 *
 * The account ID (aws_client_account_id) lives here, above both STS and
 * SSM, because a client whose SSM endpoint is set and whose STS endpoint is
 * AWS's asks SSM: a user pointing only AWS_ENDPOINT_URL_SSM (or endpoints.ssm)
 * at an emulator must not need AWS's STS, which may be out of reach and would
 * not know the emulator's keys. GetServiceSetting of a setting every account
 * has answers an ARN with the account in it and changes nothing.
 */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "errors.h"
#include "sts.h"

#define SSM_MAX_PAGES 10000 /* ssm_call_all gives up after this many pages */

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
			if (aws_in_list(k, secret))
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

bool ssm_op_mutating(const char *op)
{
	static const char *const read_only[] = {"Describe", "Get", "List"};
	size_t i;

	for (i = 0; op && i < sizeof(read_only) / sizeof(read_only[0]); i++)
		if (strncmp(op, read_only[i], strlen(read_only[i])) == 0 &&
		    op[strlen(read_only[i])] >= 'A' && op[strlen(read_only[i])] <= 'Z')
			return false;
	return true;
}

int ssm_call(aws_client *c, const char *op, json_t *req, json_t **out, aws_error *err)
{
	aws_http_response resp;
	char target[128];
	char *body = NULL;
	aws_call_spec s = {0};
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
	s.mutating = ssm_op_mutating(op);
	/* A regional client signs with its own scope and the provider's credentials. */
	if ((rc = aws_call(&c->caller, &(c->base ? c->base : c)->chain.src, &s, &resp, err)) != 0)
		goto done;
	trace_body("response", op, resp.body.data, resp.body.len);
	if (resp.body.len == 0) {
		*out = json_object();
	} else if (!(*out = json_loadb(resp.body.data, resp.body.len, 0, &jerr)) ||
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
	return ssm_call_pages(c, op, req, list_member, 0, out, err);
}

int ssm_call_pages(aws_client *c, const char *op, json_t *req, const char *list_member,
		   size_t max_items, json_t **out, aws_error *err)
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
		if (max_items && json_array_size(all) >= max_items) {
			while (json_array_size(all) > max_items)
				json_array_remove(all, json_array_size(all) - 1);
			ts = NULL; /* enough: no further page */
		}
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

/* ---- the account ID ---- */

/* A setting every account and region has (AWS default "standard"). */
#define ACCOUNT_SETTING "/ssm/managed-instance/activation-tier"

/* account = the 12 digits of SSM's arn:<partition>:ssm:<region>:<account>:...
 * for ACCOUNT_SETTING. 0, or an error (AWS's, or AWS_ERR_OTHER for an answer
 * with no such ARN). */
static int ssm_account(aws_client *c, char account[16], aws_error *err)
{
	json_t *req = json_pack("{s:s}", "SettingId", ACCOUNT_SETTING), *resp = NULL;
	const char *arn;
	int rc;

	if (!req) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, "GetServiceSetting", "out of memory");
		return AWS_ERR_OTHER;
	}
	rc = ssm_call(c, "GetServiceSetting", req, &resp, err);
	json_decref(req);
	if (rc != 0)
		return rc;
	arn = json_string_value(json_object_get(json_object_get(resp, "ServiceSetting"), "ARN"));
	aws_arn_account(account, arn ? arn : "");
	if (!account[0]) {
		aws_error_set(err, AWS_ERR_OTHER, 200, NULL, "GetServiceSetting",
			      "GetServiceSetting returned no ARN with an account ID");
		rc = AWS_ERR_OTHER;
	}
	json_decref(resp);
	return rc;
}

int aws_client_account_id(aws_client *c, const char **out, aws_error *err)
{
	aws_credentials cr = {0};
	int rc = 0;

	if (c->base) /* one account, whatever the region */
		return aws_client_account_id(c->base, out, err);
	*out = NULL;
	pthread_mutex_lock(&c->account_mu);
	if (c->account_id[0])
		goto found;
	/* Resolving credentials through assume_role yields the account for free. */
	if ((rc = aws_chain_get(&c->chain, &cr, err)) != 0)
		goto done;
	aws_chain_role_account(&c->chain, c->account_id);
	if (c->account_id[0])
		goto found;
	if (c->ssm_custom && !c->sts_custom && !c->ssm_account_refused) {
		aws_error e = {0};

		/* An SSM-compatible endpoint without the call, or a policy denying
		 * it: STS, as with AWS's endpoints. Not after Stop. A refusal (an
		 * answer, not a network, throttling or server failure) is kept, so
		 * later lookups of this process go to STS without asking again. */
		if ((rc = ssm_account(c, c->account_id, &e)) == 0)
			goto found;
		if (rc == AWS_ERR_CANCELLED) {
			if (err)
				*err = e;
			goto done;
		}
		c->ssm_account_refused =
			rc != AWS_ERR_NETWORK && rc != AWS_ERR_THROTTLED && rc != AWS_ERR_SERVER;
		LOG_D(AWS_LOG_MODULE, "account ID: GetServiceSetting failed (%s); asking STS",
		      e.message);
	}
	if ((rc = aws_sts_caller_account(&c->chain.sts, &c->chain.src, c->account_id, err)) != 0)
		goto done;
found:
	*out = c->account_id;
done:
	pthread_mutex_unlock(&c->account_mu);
	aws_credentials_clear(&cr);
	return rc;
}
