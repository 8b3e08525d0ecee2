/*
 * test_duration.c - the Go duration parser (provider/core/duration.h)
 * against Go's own table: the cases of parseDurationTests and
 * parseDurationErrorTests in Go's src/time/time_test.go (Go 1.21), values in
 * nanoseconds as Go returns them.
 */
#include "unit.h"

#include "core/duration.h"

#define NS INT64_C(1)
#define US (1000 * NS)
#define MS (1000 * US)
#define S (1000 * MS)
#define M (60 * S)
#define H (60 * M)

static const struct {
	const char *in;
	int64_t want;
} good[] = {
	/* simple */
	{"0", 0},
	{"5s", 5 * S},
	{"30s", 30 * S},
	{"1478s", 1478 * S},
	/* sign */
	{"-5s", -5 * S},
	{"+5s", 5 * S},
	{"-0", 0},
	{"+0", 0},
	/* decimal */
	{"5.0s", 5 * S},
	{"5.6s", 5 * S + 600 * MS},
	{"5.s", 5 * S},
	{".5s", 500 * MS},
	{"1.0s", 1 * S},
	{"1.00s", 1 * S},
	{"1.004s", 1 * S + 4 * MS},
	{"1.0040s", 1 * S + 4 * MS},
	{"100.00100s", 100 * S + 1 * MS},
	/* different units */
	{"10ns", 10 * NS},
	{"11us", 11 * US},
	{"12\xc2\xb5s", 12 * US}, /* U+00B5 */
	{"12\xce\xbcs", 12 * US}, /* U+03BC */
	{"13ms", 13 * MS},
	{"14s", 14 * S},
	{"15m", 15 * M},
	{"16h", 16 * H},
	/* composite durations */
	{"3h30m", 3 * H + 30 * M},
	{"10.5s4m", 4 * M + 10 * S + 500 * MS},
	{"-2m3.4s", -(2 * M + 3 * S + 400 * MS)},
	{"1h2m3s4ms5us6ns", 1 * H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS},
	{"39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS},
	/* large value */
	{"52763797000ns", 52763797000 * NS},
	/* more than 9 digits after the decimal point */
	{"0.3333333333333333333h", 20 * M},
	/* 9007199254740993 = 1<<53+1 cannot be stored precisely in a float64 */
	{"9007199254740993ns", (INT64_C(1) << 53) + 1},
	/* largest duration that can be represented by int64 in nanoseconds */
	{"9223372036854775807ns", INT64_MAX},
	{"9223372036854775.807us", INT64_MAX},
	{"9223372036s854ms775us807ns", INT64_MAX},
	{"-9223372036854775808ns", INT64_MIN},
	{"-9223372036854775.808us", INT64_MIN},
	{"-9223372036s854ms775us808ns", INT64_MIN},
	/* largest negative value */
	{"-9223372036854775808ns", INT64_MIN},
	/* largest negative round trip value */
	{"-2562047h47m16.854775808s", INT64_MIN},
	/* huge string; issue 15011. */
	{"0.100000000000000000000h", 6 * M},
	/* This value tests the first overflow check in leadingFraction. */
	{"0.830103483285477580700h", 49 * M + 48 * S + 372539827 * NS},
	/* what this provider's users write */
	{"1h30m", 90 * M},
	{"3600000ms", 1 * H},
	{"3600000000us", 1 * H},
	{"1.5h", 90 * M},
};

static const char *const bad[] = {
	"",
	"3",
	"-",
	"s",
	".",
	"-.",
	".s",
	"+.s",
	"1d",
	"\x85\x85",
	"\xff"
	"ff",
	"hello \xff"
	"ff world",
	"9223372036854775808ns", /* overflow */
	"9223372036854775.808us", /* overflow */
	"9223372036s854ms775us808ns", /* overflow */
	"-9223372036854775809ns", /* overflow */
	"1h ",
	" 1h",
	"1 h",
	"1H",
	"1hr",
	"1.5.5h",
};

static void test_duration__go_table(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char why[DURATION_WHY_MAX] = "";
		int64_t ns = 12345;
		int rc = duration_parse(good[i].in, &ns, why);

		if (rc != 0 || ns != good[i].want)
			fprintf(stderr, "  \"%s\": rc %d, %lld ns, want %lld (%s)\n", good[i].in,
				rc, (long long)ns, (long long)good[i].want, why);
		CHECK(rc == 0 && ns == good[i].want);
	}
}

static void test_duration__go_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char why[DURATION_WHY_MAX] = "";
		int64_t ns = 0;
		int rc = duration_parse(bad[i], &ns, why);

		if (rc == 0)
			fprintf(stderr, "  accepted \"%s\" as %lld ns\n", bad[i], (long long)ns);
		CHECK(rc < 0);
		CHECK(why[0] != '\0' && memchr(why, 0, sizeof(why)));
	}
}

int main(void)
{
	RUN(test_duration__go_table);
	RUN(test_duration__go_errors);
	return unit_summary();
}
