/*
 * duration.c - Go duration strings (contract in duration.h).
 *
 * A port of Go's time.ParseDuration (src/time/format.go), overflow checks
 * included. Hand-written because no Debian C library parses Go durations.
 */
#include "duration.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define WHY(...) (why ? (void)snprintf(why, DURATION_WHY_MAX, __VA_ARGS__) : (void)0)

static const struct {
	const char *name;
	uint64_t ns;
} units[] = {
	{"ns", 1},
	{"us", 1000},
	{"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
	{"\xce\xbcs", 1000}, /* U+03BC Greek letter mu */
	{"ms", 1000000},
	{"s", 1000000000},
	{"m", UINT64_C(60) * 1000000000},
	{"h", UINT64_C(3600) * 1000000000},
};

#define LIMIT (UINT64_C(1) << 63)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int duration_parse(const char *s, int64_t *ns, char *why)
{
	const char *orig = s;
	uint64_t total = 0;
	bool neg = false;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (!*s) {
		WHY("empty duration");
		return -1;
	}
	while (*s) {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1;
		bool pre = false, post = false, overflow = false;
		const char *u;
		size_t ul, i;

		if (!(*s == '.' || is_digit(*s))) {
			WHY("expected a number at \"%.20s\"", s);
			return -1;
		}
		for (; is_digit(*s); s++, pre = true) {
			if (v > LIMIT / 10 || v * 10 + (uint64_t)(*s - '0') > LIMIT) {
				WHY("number too large in \"%.40s\"", orig);
				return -1;
			}
			v = v * 10 + (uint64_t)(*s - '0');
		}
		if (*s == '.') {
			for (s++; is_digit(*s); s++, post = true) {
				if (overflow)
					continue;
				if (f > (LIMIT - 1) / 10 || f * 10 + (uint64_t)(*s - '0') > LIMIT) {
					overflow = true; /* Go ignores digits past this precision */
					continue;
				}
				f = f * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
		}
		if (!pre && !post) {
			WHY("expected a number at \"%.20s\"", s - 1);
			return -1;
		}
		for (u = s; *s && *s != '.' && !is_digit(*s); s++)
			;
		ul = (size_t)(s - u);
		if (!ul) {
			WHY("missing unit in \"%.40s\" (use h, m, s, ms, us, ns)", orig);
			return -1;
		}
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == ul && memcmp(units[i].name, u, ul) == 0)
				unit = units[i].ns;
		if (!unit) {
			WHY("unknown unit \"%.*s\" (use h, m, s, ms, us, ns)",
			    (int)(ul < 20 ? ul : 20), u);
			return -1;
		}
		if (v > LIMIT / unit)
			goto overflow;
		v *= unit;
		if (f > 0) {
			/* As Go: float64 is exact enough for fractions of an hour. */
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > LIMIT)
				goto overflow;
		}
		total += v;
		if (total > LIMIT)
			goto overflow;
	}
	if (neg) {
		*ns = total == LIMIT ? INT64_MIN : -(int64_t)total;
		return 0;
	}
	if (total > LIMIT - 1)
		goto overflow;
	*ns = (int64_t)total;
	return 0;
overflow:
	WHY("duration \"%.40s\" out of range (at most about 292 years)", orig);
	return -1;
}
