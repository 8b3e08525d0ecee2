/*
 * test_sigv4.c - the SigV4 signer alone: AWS's published test-suite vectors
 * (aws-sig-v4-test-suite get-vanilla, post-vanilla, get-vanilla-query-order-key-case
 * inputs and the IAM ListUsers example from the SigV4 documentation), session
 * token handling, header canonicalisation and input validation. The byte-for-byte
 * comparison with botocore is tests/aws/test_sigv4_botocore.py.
 */
#include "unit.h"

#include "aws/sigv4.h"

static const sigv4_credentials suite_creds = {"AKIDEXAMPLE",
					      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL};
#define SUITE_TIME ((time_t)1440938160) /* 2015-08-30T12:36:00Z */

static void test_sigv4_sign__get_vanilla(void)
{
	sigv4_request r = {"GET", "https://example.amazonaws.com/", NULL, 0, NULL, 0};
	sigv4_result res;

	CHECK(sigv4_sign(&res, &r, &suite_creds, "us-east-1", "service", SUITE_TIME) == 0);
	CHECK_STR(res.amz_date, "20150830T123600Z");
	CHECK_STR(res.canonical_request,
		  "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
		  "host;x-amz-date\n"
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(res.string_to_sign,
		  "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
		  "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
	CHECK_STR(
		res.authorization,
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
		"SignedHeaders=host;x-amz-date, "
		"Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	sigv4_result_free(&res);
}

static void test_sigv4_sign__post_vanilla(void)
{
	sigv4_request r = {"POST", "https://example.amazonaws.com/", NULL, 0, NULL, 0};
	sigv4_result res;

	CHECK(sigv4_sign(&res, &r, &suite_creds, "us-east-1", "service", SUITE_TIME) == 0);
	CHECK_STR(res.signature,
		  "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
	sigv4_result_free(&res);
}

static void test_sigv4_sign__query_order(void)
{
	sigv4_request r = {"GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1",
			   NULL,  0,
			   NULL,  0};
	sigv4_result res;

	CHECK(sigv4_sign(&res, &r, &suite_creds, "us-east-1", "service", SUITE_TIME) == 0);
	CHECK(strstr(res.canonical_request, "\n/\nParam1=value1&Param2=value2\n") != NULL);
	CHECK_STR(res.signature,
		  "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
	sigv4_result_free(&res);
}

static void test_sigv4_sign__iam_doc_example(void)
{
	sigv4_header h[] = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
	sigv4_request r = {"GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
			   h,     1,
			   NULL,  0};
	sigv4_result res;

	CHECK(sigv4_sign(&res, &r, &suite_creds, "us-east-1", "iam", SUITE_TIME) == 0);
	CHECK_STR(res.signature,
		  "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
	sigv4_result_free(&res);
}

static void test_sigv4_sign__session_token_signed(void)
{
	sigv4_credentials c = {"ASIAX", "secret", "tok en"};
	sigv4_header h[] = {{"Content-Type", "application/x-amz-json-1.1"},
			    {"X-Amz-Target", "AmazonSSM.GetPatchBaseline"},
			    {"X-Amz-Security-Token", "stale"}};
	const char body[] = "{}";
	sigv4_request r = {
		"POST", "https://ssm.eu-west-1.amazonaws.com/", h, 3, (const unsigned char *)body,
		2};
	sigv4_result res;

	CHECK(sigv4_sign(&res, &r, &c, "eu-west-1", "ssm", SUITE_TIME) == 0);
	CHECK(strstr(res.authorization,
		     "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,") !=
	      NULL);
	/* the caller's stale token header is replaced, not duplicated */
	CHECK(strstr(res.canonical_request, "\nx-amz-security-token:tok en\n") != NULL);
	CHECK(strstr(res.canonical_request, "stale") == NULL);
	CHECK(strstr(res.authorization, "x-amz-content-sha256") == NULL);
	CHECK(strstr(res.canonical_request,
		     "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a") != NULL);
	sigv4_result_free(&res);
}

static void test_sigv4_sign__header_canonicalisation(void)
{
	sigv4_header h[] = {{"X-B", "  two   spaces\there "},
			    {"x-a", "1"},
			    {"X-A", "2"},
			    {"User-Agent", "ignored"},
			    {"Host", "Override.example"}};
	sigv4_request r = {"GET", "http://127.0.0.1:4566/a/./b/../c//d", h, 5, NULL, 0};
	sigv4_result res;

	static const char want[] = "GET\n/a/c/d\n\nhost:Override.example\nx-a:1,2\n"
				   "x-amz-date:20150830T123600Z\nx-b:two spaces here\n\n"
				   "host;x-a;x-amz-date;x-b\n";

	CHECK(sigv4_sign(&res, &r, &suite_creds, "us-east-1", "ssm", SUITE_TIME) == 0);
	CHECK(res.canonical_request && strncmp(res.canonical_request, want, sizeof(want) - 1) == 0);
	sigv4_result_free(&res);
}

static void test_sigv4_sign__host_from_url(void)
{
	sigv4_request r = {"POST", "https://SSM.us-east-1.amazonaws.com:443", NULL, 0, NULL, 0};
	sigv4_request r2 = {"POST", "http://localhost:8080/", NULL, 0, NULL, 0};
	sigv4_result res;

	CHECK(sigv4_sign(&res, &r, &suite_creds, "us-east-1", "ssm", SUITE_TIME) == 0);
	CHECK(strstr(res.canonical_request, "POST\n/\n\nhost:ssm.us-east-1.amazonaws.com\n") !=
	      NULL);
	sigv4_result_free(&res);
	CHECK(sigv4_sign(&res, &r2, &suite_creds, "us-east-1", "ssm", SUITE_TIME) == 0);
	CHECK(strstr(res.canonical_request, "\nhost:localhost:8080\n") != NULL);
	sigv4_result_free(&res);
}

static void test_sigv4_sign__rejects_bad_input(void)
{
	sigv4_header date[] = {{"Date", "x"}};
	sigv4_request bad_url = {"GET", "example.com/", NULL, 0, NULL, 0};
	sigv4_request bad_port = {"GET", "http://h:99999/", NULL, 0, NULL, 0};
	sigv4_request userinfo = {"GET", "http://u@h/", NULL, 0, NULL, 0};
	sigv4_request with_date = {"GET", "http://h/", date, 1, NULL, 0};
	sigv4_request ok = {"GET", "http://h/", NULL, 0, NULL, 0};
	sigv4_credentials no_secret = {"AK", NULL, NULL};
	sigv4_result res;

	CHECK(sigv4_sign(&res, &bad_url, &suite_creds, "r", "s", 0) < 0);
	CHECK(res.authorization == NULL);
	CHECK(sigv4_sign(&res, &bad_port, &suite_creds, "r", "s", 0) < 0);
	CHECK(sigv4_sign(&res, &userinfo, &suite_creds, "r", "s", 0) < 0);
	CHECK(sigv4_sign(&res, &with_date, &suite_creds, "r", "s", 0) < 0);
	CHECK(sigv4_sign(&res, &ok, &no_secret, "r", "s", 0) < 0);
	CHECK(sigv4_sign(&res, &ok, &suite_creds, NULL, "s", 0) < 0);
}

static void test_sigv4_sha256_hex__empty_and_abc(void)
{
	char h[65];

	sigv4_sha256_hex(h, NULL, 0);
	CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sigv4_sha256_hex(h, "abc", 3);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	RUN(test_sigv4_sign__get_vanilla);
	RUN(test_sigv4_sign__post_vanilla);
	RUN(test_sigv4_sign__query_order);
	RUN(test_sigv4_sign__iam_doc_example);
	RUN(test_sigv4_sign__session_token_signed);
	RUN(test_sigv4_sign__header_canonicalisation);
	RUN(test_sigv4_sign__host_from_url);
	RUN(test_sigv4_sign__rejects_bad_input);
	RUN(test_sigv4_sha256_hex__empty_and_abc);
	return unit_summary();
}
