/*
 * iso8601.c - ISO-8601 dates and timestamps (contract in iso8601.h).
 *
 * Hand-written: glibc's strptime neither checks that a date exists nor
 * parses "+hh:mm" offsets portably, and no Debian C library the provider
 * links offers a strict ISO-8601 parser; the grammar is a dozen lines.
 */
#include "iso8601.h"

#include <stdio.h>
#include <string.h>

#define WHY(...) (why ? (void)snprintf(why, ISO8601_WHY_MAX, __VA_ARGS__) : (void)0)

typedef struct {
	const char *p, *end;
} cursor;

/* Exactly n digits. */
static int fixed(cursor *c, int n, int *out)
{
	int v = 0;

	if (c->end - c->p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return -1;
		v = v * 10 + (c->p[i] - '0');
	}
	c->p += n;
	*out = v;
	return 0;
}

static bool at(const cursor *c, char ch)
{
	return c->p < c->end && *c->p == ch;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int parse_date(cursor *c, int *y, int *m, int *d, char *why)
{
	if (fixed(c, 4, y) < 0 || !at(c, '-') || (c->p++, fixed(c, 2, m) < 0) || !at(c, '-') ||
	    (c->p++, fixed(c, 2, d) < 0)) {
		WHY("expected a date as YYYY-MM-DD");
		return -1;
	}
	if (*m < 1 || *m > 12) {
		WHY("month %02d does not exist", *m);
		return -1;
	}
	if (*d < 1 || *d > days_in_month(*y, *m)) {
		WHY("day %02d does not exist in %04d-%02d", *d, *y, *m);
		return -1;
	}
	return 0;
}

static int parse_time(cursor *c, unsigned flags, int *h, int *mi, int *sec, char *why)
{
	bool need_secs = flags & ISO8601_NEED_SECONDS;

	*sec = 0;
	if (fixed(c, 2, h) < 0 || !at(c, ':') || (c->p++, fixed(c, 2, mi) < 0)) {
		WHY("expected a time as hh:mm%s", need_secs ? ":ss" : "[:ss]");
		return -1;
	}
	if (at(c, ':')) {
		c->p++;
		if (fixed(c, 2, sec) < 0) {
			WHY("expected seconds as two digits");
			return -1;
		}
	} else if (need_secs) {
		WHY("expected a time as hh:mm:ss");
		return -1;
	}
	if (*h > 23 || *mi > 59 || *sec > 59) {
		WHY("time %02d:%02d:%02d is out of range", *h, *mi, *sec);
		return -1;
	}
	return 0;
}

/* Fraction and zone after the time; *off in seconds east of UTC. */
static int parse_zone(cursor *c, unsigned flags, int64_t *off, bool *zone, char *why)
{
	bool rfc = flags & ISO8601_RFC3339;

	if (at(c, '.')) {
		c->p++;
		if (c->p == c->end || *c->p < '0' || *c->p > '9') {
			WHY("expected digits after the decimal point");
			return -1;
		}
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	if (at(c, 'Z') || (rfc && at(c, 'z'))) {
		c->p++;
		*zone = true;
	} else if (rfc && c->end - c->p == 3 && memcmp(c->p, "UTC", 3) == 0) {
		c->p += 3;
		*zone = true;
	} else if (at(c, '+') || at(c, '-')) {
		int sign = *c->p++ == '-' ? -1 : 1, oh, om;
		bool ok = fixed(c, 2, &oh) == 0;

		if (ok && at(c, ':'))
			c->p++;
		if (!ok || fixed(c, 2, &om) < 0 || oh > 14 || om > 59) {
			WHY("expected a zone offset as Z or +hh:mm");
			return -1;
		}
		*off = sign * (int64_t)(oh * 3600 + om * 60);
		*zone = true;
	}
	return 0;
}

int iso8601_parse(const char *s, size_t len, unsigned flags, int64_t *secs, bool *has_zone,
		  char *why)
{
	cursor c = {s, s + len};
	int y, m, d, h = 0, mi = 0, sec = 0;
	int64_t off = 0;
	bool zone = false, rfc = flags & ISO8601_RFC3339;

	if (parse_date(&c, &y, &m, &d, why) < 0)
		return -1;
	if (!(flags & ISO8601_DATE_ONLY)) {
		if (at(&c, 'T') || (rfc && (at(&c, 't') || at(&c, ' ')))) {
			c.p++;
			if (parse_time(&c, flags, &h, &mi, &sec, why) < 0)
				return -1;
			if (!(flags & ISO8601_LOCAL) && parse_zone(&c, flags, &off, &zone, why) < 0)
				return -1;
		} else if (flags & ISO8601_NEED_TIME) {
			WHY("expected a date and time as YYYY-MM-DDThh:mm:ss");
			return -1;
		}
	}
	if (c.p != c.end) {
		WHY("unexpected text \"%.*s\"", (int)(c.end - c.p < 20 ? c.end - c.p : 20), c.p);
		return -1;
	}
	if (secs)
		*secs = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	if (has_zone)
		*has_zone = zone;
	return 0;
}
