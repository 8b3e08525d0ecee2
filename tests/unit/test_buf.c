/*
 * test_buf.c - the growable buffer (provider/core/buf.h): the hard limit,
 * sticky failure with the content kept, NUL termination, percent- and JSON
 * encoding, detach, clear.
 */
#include "unit.h"

#include "core/buf.h"

static void test_buf__limit_is_hard_and_failure_sticky(void)
{
	buf b;

	buf_init(&b, 8);
	CHECK(buf_puts(&b, "12345678") == 0);
	CHECK(!buf_failed(&b));
	CHECK(b.cap <= 9); /* never more than max + 1 allocated */
	CHECK(buf_putc(&b, '9') < 0);
	CHECK(buf_failed(&b));
	CHECK_STR(b.data, "12345678"); /* the content stays */
	CHECK(b.len == 8);
	CHECK(buf_puts(&b, "") < 0); /* sticky, even for an empty append */
	CHECK(buf_printf(&b, "%d", 1) < 0);
	CHECK(buf_detach(&b, NULL) == NULL); /* a failed buffer hands out nothing */
	CHECK(b.data == NULL && b.len == 0 && !buf_failed(&b));
	buf_free(&b);
}

static void test_buf__clear_resets_failure_keeps_memory(void)
{
	buf b;
	char *keep;

	buf_init(&b, 4);
	CHECK(buf_puts(&b, "abcde") < 0);
	CHECK(b.len == 0);
	CHECK(buf_puts(&b, "abc") < 0);
	buf_clear(&b);
	CHECK(!buf_failed(&b));
	CHECK(buf_puts(&b, "abcd") == 0);
	keep = b.data;
	buf_clear(&b);
	CHECK(b.data == keep && b.len == 0 && b.data[0] == '\0');
	CHECK(buf_printf(&b, "%s-%d", "x", 7) == 0);
	CHECK_STR(b.data, "x-7");
	buf_free(&b);
}

static void test_buf__default_limit_and_binary(void)
{
	buf b = BUF_INIT;
	size_t n;
	char *s;

	CHECK(buf_append(&b, "a\0b", 3) == 0);
	CHECK(b.len == 3 && b.data[3] == '\0' && b.data[1] == '\0');
	s = buf_detach(&b, &n);
	CHECK(s && n == 3 && memcmp(s, "a\0b", 4) == 0);
	free(s);
	/* an empty buffer detaches to "" */
	s = buf_detach(&b, &n);
	CHECK(s && n == 0 && s[0] == '\0');
	free(s);
	CHECK(buf_append(&b, "x", BUF_DEFAULT_MAX + 1) < 0); /* over the default limit */
	buf_free(&b);
}

static void test_buf__uri_encoding(void)
{
	buf b;

	buf_init(&b, 64);
	CHECK(buf_uri_encoded(&b, "a b/~", 5, "/") == 0);
	CHECK_STR(b.data, "a%20b/~");
	buf_clear(&b);
	CHECK(buf_uri_encoded(&b, "\xc3\xbc=&-_.~", 8, NULL) == 0);
	CHECK_STR(b.data, "%C3%BC%3D%26-_.~");
	buf_clear(&b);
	CHECK(buf_uri_encoded(&b, "a/b", 3, NULL) == 0);
	CHECK_STR(b.data, "a%2Fb");
	buf_free(&b);
	buf_init(&b, 5);
	CHECK(buf_uri_encoded(&b, "  ", 2, NULL) < 0); /* "%20%20" is 6 > 5 */
	buf_free(&b);
}

static void test_buf__json_string(void)
{
	buf b = BUF_INIT;

	CHECK(buf_json_string(&b, "a\"b\\c\n\x01\x7f", 8) == 0);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\\u007f\"");
	buf_free(&b);
}

static void test_buf__free_secret(void)
{
	buf b = BUF_INIT;

	CHECK(buf_puts(&b, "secret") == 0);
	buf_free_secret(&b);
	CHECK(b.data == NULL && b.len == 0);
	buf_free_secret(&b); /* empty is fine */
}

int main(void)
{
	RUN(test_buf__limit_is_hard_and_failure_sticky);
	RUN(test_buf__clear_resets_failure_keeps_memory);
	RUN(test_buf__default_limit_and_binary);
	RUN(test_buf__uri_encoding);
	RUN(test_buf__json_string);
	RUN(test_buf__free_secret);
	return unit_summary();
}
