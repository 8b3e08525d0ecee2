/*
 * test_aws_errors.c - AWS error responses to aws_err classes (JSON 1.1 bodies,
 * namespaced __type, x-amzn-ErrorType fallback, non-JSON bodies, STS XML),
 * which classes are retried, and the retry backoff bounds.
 */
#include "unit.h"

#include "aws/aws_internal.h"

typedef struct {
	int status;
	const char *body;
	const char *hdr;
	aws_err code;
	const char *aws_code;
	const char *message;
} json_case;

static const json_case json_cases[] = {
	{400, "{\"__type\":\"DoesNotExistException\",\"message\":\"no such baseline\"}", NULL,
	 AWS_ERR_NOT_FOUND, "DoesNotExistException", "no such baseline"},
	{400, "{\"__type\":\"com.amazonaws.ssm#DoesNotExistException\",\"Message\":\"M\"}", NULL,
	 AWS_ERR_NOT_FOUND, "DoesNotExistException", "M"},
	{400, "{\"__type\":\"InvalidResourceId\"}", NULL, AWS_ERR_VALIDATION, "InvalidResourceId",
	 "HTTP 400 InvalidResourceId"},
	{400, "{\"__type\":\"ParameterNotFound\",\"message\":\"x\"}", NULL, AWS_ERR_NOT_FOUND,
	 "ParameterNotFound", "x"},
	{400, "{\"__type\":\"ResourceInUseException\",\"message\":\"x\"}", NULL, AWS_ERR_IN_USE,
	 "ResourceInUseException", "x"},
	{400, "{\"__type\":\"AlreadyExistsException\",\"message\":\"x\"}", NULL,
	 AWS_ERR_ALREADY_EXISTS, "AlreadyExistsException", "x"},
	{400, "{\"__type\":\"ValidationException\",\"message\":\"1 validation error\"}", NULL,
	 AWS_ERR_VALIDATION, "ValidationException", "1 validation error"},
	{400, "{\"__type\":\"InvalidParameters\",\"message\":\"x\"}", NULL, AWS_ERR_VALIDATION,
	 "InvalidParameters", "x"},
	{400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", NULL,
	 AWS_ERR_THROTTLED, "ThrottlingException", "Rate exceeded"},
	{400, "{\"__type\":\"TooManyUpdates\"}", NULL, AWS_ERR_THROTTLED, "TooManyUpdates", NULL},
	{400, "{\"__type\":\"RequestLimitExceeded\"}", NULL, AWS_ERR_THROTTLED,
	 "RequestLimitExceeded", NULL},
	{400, "{\"__type\":\"UnrecognizedClientException\",\"message\":\"bad key\"}", NULL,
	 AWS_ERR_AUTH, "UnrecognizedClientException", "bad key"},
	{403, "{\"__type\":\"InvalidSignatureException\",\"message\":\"sig\"}", NULL, AWS_ERR_AUTH,
	 "InvalidSignatureException", "sig"},
	{400, "{\"__type\":\"AccessDeniedException\",\"Message\":\"not allowed\"}", NULL,
	 AWS_ERR_AUTH, "AccessDeniedException", "not allowed"},
	{400, "{\"__type\":\"ExpiredTokenException\",\"message\":\"expired\"}", NULL, AWS_ERR_AUTH,
	 "ExpiredTokenException", "expired"},
	{400, "{\"__type\":\"ResourceLimitExceededException\",\"message\":\"max 50\"}", NULL,
	 AWS_ERR_LIMIT, "ResourceLimitExceededException", "max 50"},
	{500, "{\"__type\":\"InternalServerError\",\"message\":\"oops\"}", NULL, AWS_ERR_SERVER,
	 "InternalServerError", "oops"},
	/* header fallback, with its ":url" suffix stripped */
	{400, "", "ResourceInUseException:http://internal.amazon.com/coral/", AWS_ERR_IN_USE,
	 "ResourceInUseException", NULL},
	{400, "", "AlreadyExistsException:http://internal.amazon.com/coral/com.amazon#x",
	 AWS_ERR_ALREADY_EXISTS, "AlreadyExistsException", NULL},
	{400, "{\"message\":\"m\"}", "DoesNotExistException", AWS_ERR_NOT_FOUND,
	 "DoesNotExistException", "m"},
	/* body code wins over the header */
	{400, "{\"__type\":\"ValidationException\"}", "ThrottlingException", AWS_ERR_VALIDATION,
	 "ValidationException", NULL},
	/* non-JSON bodies: status decides */
	{502, "<html><body><h1>502 Bad Gateway</h1></body></html>", NULL, AWS_ERR_SERVER, "",
	 "HTTP 502 with a non-JSON body: <html><body><h1>502 Bad Gateway</h1></body></html>"},
	{503, "", NULL, AWS_ERR_SERVER, "", "HTTP 503"},
	{429, "Too Many Requests", NULL, AWS_ERR_THROTTLED, "", NULL},
	{403, "Forbidden", NULL, AWS_ERR_AUTH, "", NULL},
	{400, "{\"__type\":\"SomethingNew\"}", NULL, AWS_ERR_OTHER, "SomethingNew", NULL},
};

static void test_aws_parse_json_error__table(void)
{
	size_t i;

	for (i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		const json_case *c = &json_cases[i];
		aws_error e;
		aws_parse_json_error(&e, c->status, c->body, strlen(c->body), c->hdr,
				     "GetPatchBaseline");
		if (e.code != c->code)
			fprintf(stderr, "  case %zu: code %d, want %d\n", i, e.code, c->code);
		CHECK(e.code == c->code);
		CHECK_STR(e.aws_code, c->aws_code);
		if (c->message)
			CHECK_STR(e.message, c->message);
		CHECK(e.http_status == c->status);
		CHECK_STR(e.operation, "GetPatchBaseline");
	}
}

static void test_aws_parse_query_error__sts(void)
{
	aws_error e;

	aws_parse_query_error(
		&e, 403,
		"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<Error><Type>Sender</Type><Code>AccessDenied</Code>"
		"<Message>User: arn:aws:iam::1:user/u is not authorized &amp; so on</Message>"
		"</Error><RequestId>r</RequestId></ErrorResponse>",
		"AssumeRole");
	CHECK(e.code == AWS_ERR_AUTH);
	CHECK_STR(e.aws_code, "AccessDenied");
	CHECK_STR(e.message, "User: arn:aws:iam::1:user/u is not authorized & so on");
	aws_parse_query_error(&e, 400,
			      "<ErrorResponse><Error><Code>ValidationError</Code>"
			      "<Message>1 validation error</Message></Error></ErrorResponse>",
			      "AssumeRole");
	CHECK(e.code == AWS_ERR_VALIDATION);
	aws_parse_query_error(&e, 400,
			      "<ErrorResponse><Error><Code>Throttling</Code>"
			      "<Message>Rate exceeded</Message></Error></ErrorResponse>",
			      "AssumeRole");
	CHECK(e.code == AWS_ERR_THROTTLED);
	aws_parse_query_error(&e, 504, "gateway timeout", "GetCallerIdentity");
	CHECK(e.code == AWS_ERR_SERVER);
	CHECK_STR(e.message, "HTTP 504 with an unexpected body: gateway timeout");
}

static void test_aws_error__retryable_and_expired(void)
{
	aws_error e;

	aws_error_set(&e, AWS_ERR_THROTTLED, 400, "ThrottlingException", "Op", "m");
	CHECK(aws_error_retryable(&e));
	aws_error_set(&e, AWS_ERR_SERVER, 500, "", "Op", "m");
	CHECK(aws_error_retryable(&e));
	aws_error_set(&e, AWS_ERR_NETWORK, 0, NULL, "Op", "m");
	CHECK(aws_error_retryable(&e));
	aws_error_set(&e, AWS_ERR_NOT_FOUND, 400, "DoesNotExistException", "Op", "m");
	CHECK(!aws_error_retryable(&e));
	aws_error_set(&e, AWS_ERR_AUTH, 400, "ExpiredTokenException", "Op", "m");
	CHECK(!aws_error_retryable(&e));
	CHECK(aws_error_expired_token(&e));
	aws_error_set(&e, AWS_ERR_AUTH, 400, "ExpiredToken", "Op", "m");
	CHECK(aws_error_expired_token(&e));
	aws_error_set(&e, AWS_ERR_AUTH, 400, "AccessDeniedException", "Op", "m");
	CHECK(!aws_error_expired_token(&e));
	CHECK(!aws_error_clock_skew(&e));
	aws_error_set(&e, AWS_ERR_AUTH, 403, "InvalidSignatureException", "Op",
		      "Signature expired: 20261129T120000Z is now earlier than 20261129T124500Z");
	CHECK(aws_error_clock_skew(&e));
	aws_error_set(&e, AWS_ERR_AUTH, 403, "InvalidSignatureException", "Op",
		      "The request signature we calculated does not match");
	CHECK(!aws_error_clock_skew(&e));
	CHECK(aws_classify("RequestTimeTooSkewed", 400) == AWS_ERR_AUTH);
}

static void test_aws_backoff__bounds(void)
{
	long total = 0;
	int i;

	CHECK(aws_backoff_cap_ms(0) == 100);
	CHECK(aws_backoff_cap_ms(1) == 200);
	CHECK(aws_backoff_cap_ms(7) == 12800);
	CHECK(aws_backoff_cap_ms(8) == 20000);
	CHECK(aws_backoff_cap_ms(60) == 20000);
	CHECK(aws_backoff_cap_ms(100000) == 20000);
	for (i = 0; i < 10; i++) {
		CHECK(aws_backoff_ms(i, 0) == 0);
		CHECK(aws_backoff_ms(i, UINT32_MAX) == aws_backoff_cap_ms(i));
		CHECK(aws_backoff_ms(i, UINT32_MAX / 2) <= aws_backoff_cap_ms(i) / 2 + 1);
		total += aws_backoff_cap_ms(i);
	}
	/* default max_retries 10: the worst-case total wait is bounded */
	CHECK(total == 65500);
}

static void test_aws_err_name__distinct(void)
{
	CHECK_STR(aws_err_name(AWS_ERR_NOT_FOUND), "not found");
	CHECK_STR(aws_err_name(AWS_ERR_THROTTLED), "throttled");
	CHECK_STR(aws_err_name(AWS_ERR_CANCELLED), "cancelled");
	CHECK(strcmp(aws_err_name(AWS_ERR_AUTH), aws_err_name(AWS_ERR_CONFIG)) != 0);
}

static void test_aws_sleep__cancelled(void)
{
	aws_cancel_reset();
	CHECK(aws_sleep_ms(1) == 0);
	CHECK(!aws_cancelled());
	aws_cancel_all();
	CHECK(aws_cancelled());
	CHECK(aws_sleep_ms(60000) == AWS_ERR_CANCELLED); /* returns at once */
	aws_cancel_reset();
}

int main(void)
{
	RUN(test_aws_parse_json_error__table);
	RUN(test_aws_parse_query_error__sts);
	RUN(test_aws_error__retryable_and_expired);
	RUN(test_aws_backoff__bounds);
	RUN(test_aws_err_name__distinct);
	RUN(test_aws_sleep__cancelled);
	return unit_summary();
}
