/*
 * test_iso8601.c - the one ISO-8601 parser (provider/core/iso8601.h) in each
 * of the ways the provider uses it: window start/end dates (no flags),
 * approval dates (DATE_ONLY), at() schedules (NEED_TIME | NEED_SECONDS |
 * LOCAL) and credential expirations (NEED_TIME | RFC3339).
 */
#include "unit.h"

#include "core/iso8601.h"

#define CREDS (ISO8601_NEED_TIME | ISO8601_RFC3339)
#define AT (ISO8601_NEED_TIME | ISO8601_NEED_SECONDS | ISO8601_LOCAL)

static int parse(const char *s, unsigned flags, int64_t *secs, bool *zone)
{
	char why[ISO8601_WHY_MAX] = "";
	int rc = iso8601_parse(s, strlen(s), flags, secs, zone, why);

	if (rc < 0 && !why[0])
		fprintf(stderr, "  no reason for \"%s\"\n", s);
	return rc < 0 && !why[0] ? -2 : rc;
}

static void test_iso8601__timestamps(void)
{
	int64_t s1 = 0, s2 = 0;
	bool z = false;

	CHECK(parse("2026-01-01T09:00:00+09:00", 0, &s1, &z) == 0 && z);
	CHECK(parse("2026-01-01T00:00:00Z", 0, &s2, &z) == 0 && z);
	CHECK(s1 == s2);
	CHECK(parse("1970-01-02", 0, &s1, &z) == 0 && !z && s1 == 86400);
	CHECK(parse("2026-01-01T00:00:00+0900", 0, &s1, &z) == 0);
	CHECK(parse("2026-01-01T10:30", 0, &s1, &z) == 0 && !z);
	CHECK(parse("2026-01-01T00:00:00.5-01:30", 0, &s1, &z) == 0 && z);
	CHECK(parse("2026-01-01T00:00:00+09", 0, &s1, &z) < 0);
	CHECK(parse("2026-01-01T", 0, &s1, &z) < 0);
	CHECK(parse("2026-01-01T00:00:00.Z", 0, &s1, &z) < 0);
	CHECK(parse("2026-01-01T24:00:00Z", 0, &s1, &z) < 0);
	CHECK(parse("2026-01-01T00:00:60Z", 0, &s1, &z) < 0);
	CHECK(parse("2026-01-01T00:00:00+15:00", 0, &s1, &z) < 0);
	CHECK(parse("2026-01-01t00:00:00z", 0, &s1, &z) < 0); /* RFC 3339 only */
	CHECK(parse("2026-01-01 00:00:00Z", 0, &s1, &z) < 0);
	CHECK(parse("2026-01-01T00:00:00UTC", 0, &s1, &z) < 0);
}

static bool date_only(const char *s)
{
	return parse(s, ISO8601_DATE_ONLY, NULL, NULL) == 0;
}

static bool at_form(const char *s)
{
	return parse(s, AT, NULL, NULL) == 0;
}

static void test_iso8601__dates(void)
{
	static const char *const ok[] = {"2024-02-29", "2000-02-29"};
	static const char *const bad[] = {"1900-02-29", "2024-2-29", "2024-04-31", "2024-13-01",
					  "2024-12-01T00:00:00Z"};

	CHECK_SPLIT(date_only, ok, bad);
}

static void test_iso8601__at_schedule_form(void)
{
	static const char *const ok[] = {"2028-02-29T00:00:00"};
	static const char *const bad[] = {"2027-02-29T00:00:00", "2027-02-28T00:00",
					  "2027-02-28T00:00:00Z", "2027-02-28T00:00:00.1",
					  "2027-02-28"};

	CHECK_SPLIT(at_form, ok, bad);
}

static void test_iso8601__credential_expirations(void)
{
	int64_t s = -1;

	CHECK(parse("1970-01-01T00:00:00Z", CREDS, &s, NULL) == 0 && s == 0);
	CHECK(parse("2026-11-29T19:00:00Z", CREDS, &s, NULL) == 0 && s == 1795978800);
	CHECK(parse("2026-11-29T19:00:00.123Z", CREDS, &s, NULL) == 0 && s == 1795978800);
	CHECK(parse("2026-11-30T04:00:00+09:00", CREDS, &s, NULL) == 0 && s == 1795978800);
	CHECK(parse("2026-11-29T14:00:00-05:00", CREDS, &s, NULL) == 0 && s == 1795978800);
	CHECK(parse("2026-11-29t19:00:00z", CREDS, &s, NULL) == 0 && s == 1795978800);
	CHECK(parse("2026-11-29 19:00:00Z", CREDS, &s, NULL) == 0 && s == 1795978800);
	/* what older AWS CLI versions write into the SSO cache */
	CHECK(parse("2026-11-29T19:00:00UTC", CREDS, &s, NULL) == 0 && s == 1795978800);
	CHECK(parse("2026-11-29", CREDS, &s, NULL) < 0);
	CHECK(parse("2026-13-29T19:00:00Z", CREDS, &s, NULL) < 0);
	CHECK(parse("2026-11-29T19:00:00Zjunk", CREDS, &s, NULL) < 0);
	CHECK(parse("", CREDS, &s, NULL) < 0);
}

static void test_iso8601__length_bounds_the_text(void)
{
	const char *s = "2026-01-01T00:00:00Zjunk";
	int64_t t;

	CHECK(iso8601_parse(s, 20, 0, &t, NULL, NULL) == 0);
	CHECK(iso8601_parse(s, 19, ISO8601_NEED_SECONDS, &t, NULL, NULL) == 0);
	CHECK(iso8601_parse(s, 18, ISO8601_NEED_SECONDS, &t, NULL, NULL) < 0);
	CHECK(iso8601_parse(s, 9, 0, &t, NULL, NULL) < 0);
}

int main(void)
{
	RUN(test_iso8601__timestamps);
	RUN(test_iso8601__dates);
	RUN(test_iso8601__at_schedule_form);
	RUN(test_iso8601__credential_expirations);
	RUN(test_iso8601__length_bounds_the_text);
	return unit_summary();
}
