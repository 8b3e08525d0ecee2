/*
 * test_base64.c - base64 over OpenSSL's EVP block coder
 * (provider/core/base64.h): RFC 4648 section 10 vectors both ways, padding
 * on and off, and the strictness EVP_DecodeBlock alone lacks.
 */
#include "unit.h"

#include "core/base64.h"

static const struct {
	const char *plain, *b64;
} rfc4648[] = {
	{"", ""},
	{"f", "Zg=="},
	{"fo", "Zm8="},
	{"foo", "Zm9v"},
	{"foob", "Zm9vYg=="},
	{"fooba", "Zm9vYmE="},
	{"foobar", "Zm9vYmFy"},
};

static void test_base64__rfc4648_vectors(void)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t n = 99;
		char *e = base64_encode(rfc4648[i].plain, strlen(rfc4648[i].plain), 0, &n);
		char *d = base64_decode(rfc4648[i].b64, strlen(rfc4648[i].b64), 0, &n);

		CHECK_STR(e, rfc4648[i].b64);
		CHECK_STR(d, rfc4648[i].plain);
		CHECK(d && n == strlen(rfc4648[i].plain));
		free(e);
		free(d);
	}
}

static void test_base64__no_pad_and_pad_optional(void)
{
	char *s;
	size_t n;

	/* The go-plugin handshake's certificate field: no padding. */
	s = base64_encode("a", 1, BASE64_NO_PAD, &n);
	CHECK_STR(s, "YQ");
	CHECK(n == 2);
	free(s);
	s = base64_encode("ab", 2, BASE64_NO_PAD, NULL);
	CHECK_STR(s, "YWI");
	free(s);
	s = base64_encode("abc", 3, BASE64_NO_PAD, NULL);
	CHECK_STR(s, "YWJj");
	free(s);
	s = base64_encode("\xfb\xff", 2, BASE64_NO_PAD, NULL);
	CHECK_STR(s, "+/8"); /* standard alphabet, not URL-safe */
	free(s);

	CHECK(base64_decode("YQ", 2, 0, NULL) == NULL);
	s = base64_decode("YQ", 2, BASE64_PAD_OPTIONAL, &n);
	CHECK_STR(s, "a");
	CHECK(n == 1);
	free(s);
	s = base64_decode("YWI", 3, BASE64_PAD_OPTIONAL, &n);
	CHECK_STR(s, "ab");
	free(s);
	s = base64_decode("YQ==", 4, BASE64_PAD_OPTIONAL, &n); /* padded is fine too */
	CHECK_STR(s, "a");
	free(s);
}

static void test_base64__strict_where_evp_is_lenient(void)
{
	/* Each of these EVP_DecodeBlock alone accepts (or trims). */
	static const char *const bad[] = {"YQ==YQ==", "YW=j", "Y===", "  YWJj", "YWJj\n", "Y Q==",
					  "YQ===",    "=",    "Y",    "YQ=a",   "-_8=",   "YW Jj"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *s = base64_decode(bad[i], strlen(bad[i]), BASE64_PAD_OPTIONAL, NULL);
		if (s)
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
		CHECK(s == NULL);
		free(s);
	}
}

static void test_base64__binary_and_text(void)
{
	char *s;
	size_t n;

	s = base64_decode("AGEA", 4, 0, &n); /* "\0a\0" */
	CHECK(s && n == 3 && s[0] == '\0' && s[1] == 'a' && s[3] == '\0');
	free(s);
	CHECK(base64_decode("AGEA", 4, BASE64_TEXT, &n) == NULL);
	s = base64_decode("eyJrIjoxfQ==", 12, BASE64_TEXT, &n);
	CHECK_STR(s, "{\"k\":1}");
	free(s);
}

static void test_base64__round_trip_all_lengths(void)
{
	unsigned char in[300];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof(in); len += 7) {
		for (unsigned flags = 0; flags <= BASE64_NO_PAD; flags++) {
			size_t n;
			char *e = base64_encode(in, len, flags, NULL);
			char *d = e ? base64_decode(e, strlen(e), BASE64_PAD_OPTIONAL, &n) : NULL;
			CHECK(d && n == len && memcmp(d, in, len) == 0);
			free(e);
			free(d);
		}
	}
}

int main(void)
{
	RUN(test_base64__rfc4648_vectors);
	RUN(test_base64__no_pad_and_pad_optional);
	RUN(test_base64__strict_where_evp_is_lenient);
	RUN(test_base64__binary_and_text);
	RUN(test_base64__round_trip_all_lengths);
	return unit_summary();
}
