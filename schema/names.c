/*
 * names.c - the name validators of names.h: SSM's character pattern for tag
 * keys, tag values and patch groups, and time zone names against tzdata.
 *
 * The pattern's Unicode classes (\p{L} letters, \p{N} numbers) are decided by
 * glibc's wide-character classification in the C.UTF-8 locale (iswalnum_l,
 * thread-safe, no setlocale), not by a table of our own; \p{Z} (space
 * separators) is the short fixed list below, since glibc's "space" class
 * includes tabs and newlines and leaves out no-break spaces. Without a
 * C.UTF-8 locale, non-ASCII characters are let through (SSM decides).
 */
#include "names.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "ssm_enums.h"
#include "tz_names.h"

/* ---------------------------------------------------------------- characters */

static locale_t g_utf8;
static pthread_once_t g_utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
	g_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Unicode space separators (Zs) and the line and paragraph separators (Zl, Zp). */
static bool is_separator(unsigned long c)
{
	return c == 0x20 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Decode one UTF-8 character at *p (advanced); -1 on a malformed sequence. */
static long utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	int n = s[0] < 0x80 ? 0 : s[0] >= 0xf0 ? 3 : s[0] >= 0xe0 ? 2 : s[0] >= 0xc0 ? 1 : -1;
	long c;

	if (n < 0 || s[0] >= 0xf8)
		return -1;
	c = n == 0 ? s[0] : s[0] & (0x3f >> n);
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (s[i] & 0x3f);
	}
	*p = s + n + 1;
	return c;
}

static bool name_char(long c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		       (c && strchr(" _.:/=+-@", (int)c));
	pthread_once(&g_utf8_once, utf8_init);
	if (is_separator((unsigned long)c))
		return true;
	return g_utf8 == (locale_t)0 || iswalnum_l((wint_t)c, g_utf8);
}

bool schema_ssm_name_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		long c = utf8_next(&p);

		if (c < 0 || !name_char(c))
			return false;
	}
	return true;
}

/* The first character of s outside the pattern, quoted into out. */
static void first_bad(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s, *at = p;
	long c;

	while (*p) {
		at = p;
		if ((c = utf8_next(&p)) < 0 || !name_char(c))
			break;
	}
	if (*at < 0x20 || *at == 0x7f)
		snprintf(out, cap, "U+%04X", (unsigned)*at);
	else
		snprintf(out, cap, "\"%.*s\"", (int)(p > at ? p - at : 1), (const char *)at);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

#define NAME_RULE                                                                         \
	"letters, numbers and spaces, and the characters _ . : / = + - @ (SSM's pattern " \
	"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@])"

void schema_check_ssm_name(const tf_value *v, const tf_path *path, tf_diags *d)
{
	const char *s = tf_value_str(v);
	char bad[16];

	if (!s || schema_ssm_name_chars(s))
		return;
	first_bad(s, bad, sizeof(bad));
	tf_diags_error(d, path, "Invalid character", "\"%s\" contains %s; only %s are allowed.", s,
		       bad, NAME_RULE);
}

void schema_check_tag_keys(const tf_value *obj, const char *attr, const tf_path *path, tf_diags *d)
{
	const tf_value *m = tf_value_attr(obj, attr);

	if (!tf_value_is_known(m) || m->type->kind != TF_TYPE_MAP)
		return;
	for (size_t i = 0; i < tf_value_len(m); i++) {
		const char *k = m->u.coll.keys[i];
		size_t chars = utf8_chars(k);
		char bad[16];
		tf_path p;

		tf_path_init(&p);
		if (tf_path_copy(&p, path) < 0 || tf_path_push_attr(&p, attr) < 0 ||
		    tf_path_push_key(&p, k) < 0) {
			tf_path_free(&p);
			continue;
		}
		if (chars < SSM_MIN_TAG_KEY || chars > SSM_MAX_TAG_KEY) {
			tf_diags_error(d, &p, "Invalid tag key",
				       "Tag keys must be %d to %d characters long, got %zu.",
				       SSM_MIN_TAG_KEY, SSM_MAX_TAG_KEY, chars);
		} else if (strncasecmp(k, "aws:", 4) == 0) {
			tf_diags_error(
				d, &p, "Invalid tag key",
				"Tag key \"%s\" uses the prefix \"aws:\", which AWS reserves for "
				"its own tags.",
				k);
		} else if (!schema_ssm_name_chars(k)) {
			first_bad(k, bad, sizeof(bad));
			tf_diags_error(d, &p, "Invalid tag key",
				       "Tag key \"%s\" contains %s; only %s are allowed.", k, bad,
				       NAME_RULE);
		}
		tf_path_free(&p);
	}
}

/* ---------------------------------------------------------------- time zones */

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool schema_timezone_known(const char *s)
{
	return s && bsearch(s, tz_names, TZ_NAMES_COUNT, sizeof(tz_names[0]), cmp_name) != NULL;
}

void schema_check_timezone(const tf_value *v, const tf_path *path, tf_diags *d)
{
	const char *s = tf_value_str(v);
	const char *same_but_case = NULL;

	if (!s || schema_timezone_known(s))
		return;
	for (size_t i = 0; i < TZ_NAMES_COUNT && !same_but_case; i++)
		if (strcasecmp(tz_names[i], s) == 0)
			same_but_case = tz_names[i];
	if (same_but_case)
		tf_diags_error(
			d, path, "Unknown time zone",
			"\"%s\" is not an IANA time zone name; names are case-sensitive: did "
			"you mean \"%s\"?",
			s, same_but_case);
	else
		tf_diags_error(d, path, "Unknown time zone",
			       "\"%s\" is not an IANA time zone name (tzdata %s), such as "
			       "\"Asia/Tokyo\", \"America/Los_Angeles\" or \"UTC\".",
			       s, TZ_NAMES_VERSION);
}
