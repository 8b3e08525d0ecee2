/*
 * sts.c - STS query calls: AssumeRole, AssumeRoleWithWebIdentity and
 * GetCallerIdentity (contract in sts.h). Answers are read with aws_xml_text (xml.c); expirations with the
 * core ISO-8601 parser.
 */
#include "sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/iso8601.h"
#include "core/log.h"
#include "errors.h"
#include "xml.h"

int aws_sts_call(const aws_sts *sts, aws_creds_source *src, const char *op, const char *form_body,
		 char **xml, aws_error *err)
{
	aws_http_response resp;
	aws_call_spec s = {0};
	int rc;

	*xml = NULL;
	aws_http_response_init(&resp);
	s.op = op;
	s.service = "sts";
	s.url = sts->url;
	s.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	s.body = form_body;
	s.body_len = strlen(form_body);
	s.query_errors = true;
	if ((rc = aws_call(sts->caller, src, &s, &resp, err)) != 0)
		goto done;
	if (!(*xml = buf_detach(&resp.body, NULL))) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op, "out of memory");
		rc = AWS_ERR_OTHER;
	}
done:
	aws_http_response_free(&resp);
	return rc;
}

static int form_add(buf *b, const char *k, const char *v)
{
	buf_printf(b, "&%s=", k);
	return buf_uri_encoded(b, v, strlen(v), NULL);
}

void aws_arn_account(char out[16], const char *arn)
{
	const char *p = arn;

	out[0] = '\0';
	/* Skip "arn", partition, service and region: four fields. */
	for (int i = 0; i < 4 && p; i++)
		p = (p = strchr(p, ':')) ? p + 1 : NULL;
	if (p && strspn(p, "0123456789") == 12 && (p[12] == ':' || p[12] == '\0'))
		snprintf(out, 16, "%.12s", p);
}

/* The role's credentials from an AssumeRole* answer. */
static int creds_from_xml(const char *xml, const char *op, const aws_role *role, const char *source,
			  aws_credentials *out, char account[16], aws_error *err)
{
	char *ak = aws_xml_text(xml, "AccessKeyId"), *sk = aws_xml_text(xml, "SecretAccessKey");
	char *tok = aws_xml_text(xml, "SessionToken"), *exp = aws_xml_text(xml, "Expiration");
	char *arn = aws_xml_text(xml, "Arn");
	int64_t expires;
	int rc = 0;

	if (!ak || !sk || !tok || !*ak || !*sk || !exp ||
	    iso8601_parse(exp, strlen(exp), ISO8601_NEED_TIME | ISO8601_RFC3339, &expires, NULL,
			  NULL) < 0) {
		aws_error_set(err, AWS_ERR_AUTH, 200, NULL, op,
			      "%s %s: STS response lacks credentials or Expiration", op,
			      role->role_arn);
		rc = AWS_ERR_AUTH;
	} else if (aws_credentials_set(out, ak, sk, tok, (time_t)expires, source) < 0) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op, "out of memory");
		rc = AWS_ERR_OTHER;
	} else if (account) {
		aws_arn_account(account, arn ? arn : "");
	}
	aws_secret_free(ak);
	aws_secret_free(sk);
	aws_secret_free(tok);
	free(exp);
	free(arn);
	return rc;
}

/* The form of an AssumeRole* call: Action, RoleArn, RoleSessionName (default
 * "ssmpatch-<unix time>"), DurationSeconds; the caller adds the rest. */
static void role_form(buf *form, const char *action, const aws_role *role)
{
	char session[64], num[32];
	const char *name = role->session_name;

	if (!name || !*name) {
		snprintf(session, sizeof(session), "ssmpatch-%lld", (long long)time(NULL));
		name = session;
	}
	buf_printf(form, "Action=%s&Version=2011-06-15", action);
	form_add(form, "RoleArn", role->role_arn);
	form_add(form, "RoleSessionName", name);
	if (role->duration_seconds > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)role->duration_seconds);
		form_add(form, "DurationSeconds", num);
	}
}

/* One AssumeRole* call: form built, sent (signed by src or unsigned), answer read. */
static int role_call(const aws_sts *sts, aws_creds_source *src, const char *op, buf *form,
		     const aws_role *role, const char *source, aws_credentials *out,
		     char account[16], aws_error *err)
{
	char *xml = NULL;
	int rc;

	if (buf_failed(form)) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, op, "out of memory");
		rc = AWS_ERR_OTHER;
	} else if ((rc = aws_sts_call(sts, src, op, form->data, &xml, err)) != 0) {
		/* Say which role failed: the STS message alone may not. */
		aws_error_prefix(err, "%s %s: ", op, role->role_arn);
	} else {
		rc = creds_from_xml(xml, op, role, source, out, account, err);
	}
	buf_free_secret(form);
	aws_secret_free(xml);
	return rc;
}

int aws_sts_assume_role(const aws_sts *sts, const aws_credentials *base, const aws_role *role,
			aws_credentials *out, char account[16], aws_error *err)
{
	aws_fixed_creds fixed;
	buf form;

	buf_init(&form, 64 * 1024);
	role_form(&form, "AssumeRole", role);
	if (role->external_id && *role->external_id)
		form_add(&form, "ExternalId", role->external_id);
	LOG_D(AWS_LOG_MODULE, "AssumeRole %s with %s credentials", role->role_arn, base->source);
	aws_fixed_creds_init(&fixed, base);
	return role_call(sts, &fixed.src, "AssumeRole", &form, role, "assume_role", out, account,
			 err);
}

int aws_sts_web_identity(const aws_sts *sts, const aws_role *role, const char *token,
			 aws_credentials *out, char account[16], aws_error *err)
{
	buf form;

	buf_init(&form, 256 * 1024);
	role_form(&form, "AssumeRoleWithWebIdentity", role);
	form_add(&form, "WebIdentityToken", token);
	LOG_D(AWS_LOG_MODULE, "AssumeRoleWithWebIdentity %s (unsigned)", role->role_arn);
	return role_call(sts, NULL, "AssumeRoleWithWebIdentity", &form, role, "web_identity", out,
			 account, err);
}

int aws_sts_caller_account(const aws_sts *sts, aws_creds_source *src, char account[16],
			   aws_error *err)
{
	char *xml = NULL, *acct = NULL;
	int rc;

	if ((rc = aws_sts_call(sts, src, "GetCallerIdentity",
			       "Action=GetCallerIdentity&Version=2011-06-15", &xml, err)) != 0)
		goto done;
	acct = aws_xml_text(xml, "Account");
	if (!acct || strlen(acct) != 12 || strspn(acct, "0123456789") != 12) {
		aws_error_set(err, AWS_ERR_OTHER, 200, NULL, "GetCallerIdentity",
			      "GetCallerIdentity returned no valid Account");
		rc = AWS_ERR_OTHER;
		goto done;
	}
	memcpy(account, acct, 13);
done:
	free(xml);
	free(acct);
	return rc;
}
