/*
 * fuzz_schema_checks.c - libFuzzer target: the hand-written string parsers and
 * checks of schema/schema_checks.c (schedule expressions, target keys) and the
 * core ISO-8601 and Go duration parsers they and schema/provider.c use, on
 * arbitrary text.
 *
 * fuzz_schema_validate reaches these only through whole msgpack objects;
 * here the string goes straight in. Input: selector byte (mod 10), then the
 * text (a NUL ends it early, as C strings do). Oracles besides the
 * sanitizers: a failing parser writes a non-empty, terminated reason shorter
 * than SCHEMA_WHY_MAX; a parser and the check built on it agree (the check
 * adds an error diagnostic exactly when the parser fails); a valid date is
 * also a valid ISO-8601 timestamp without zone.
 */
#include <string.h>

#include "core/diag.h"
#include "fuzz_common.h"
#include "core/iso8601.h"
#include "schema/provider_config.h"
#include "schema/schema_checks.h"

FUZZ_QUIET_INITIALIZE

static void check_why(int rc, const char *why)
{
	if (rc == 0)
		return;
	FUZZ_CHECK(rc == -1, "parser returned %d", rc);
	FUZZ_CHECK(memchr(why, 0, SCHEMA_WHY_MAX) != NULL, "reason not terminated");
	FUZZ_CHECK(why[0] != '\0', "failure without a reason");
}

/* Run check fn on string s; returns whether it added an error. */
static bool run_check(schema_check_fn fn, const char *s)
{
	tf_value *v = tf_value_string(s);
	tf_path p;
	tf_diags d;
	bool err;

	FUZZ_CHECK(v, "out of memory");
	tf_path_init(&p);
	FUZZ_CHECK(tf_path_push_attr(&p, "attr") == 0, "out of memory");
	tf_diags_init(&d);
	fn(v, &p, &d);
	err = tf_diags_has_error(&d);
	for (size_t i = 0; i < d.n; i++)
		FUZZ_CHECK(d.items[i].summary && d.items[i].summary[0],
			   "diagnostic without summary");
	tf_diags_free(&d);
	tf_path_free(&p);
	tf_value_free(v);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[SCHEMA_WHY_MAX];
	char *s;
	int rc;
	bool b;
	int64_t secs;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	memset(why, 'x', sizeof(why));

	switch (data[0] % 10) {
	case 0:
		rc = schema_parse_schedule(s, &b, why);
		check_why(rc, why);
		FUZZ_CHECK(run_check(schema_check_schedule, s) == (rc != 0),
			   "schedule parser/check disagree");
		break;
	case 1:
		rc = iso8601_parse(s, strlen(s), 0, &secs, &b, why);
		check_why(rc, why);
		FUZZ_CHECK(run_check(schema_check_iso8601, s) == (rc != 0),
			   "iso8601 parser/check disagree");
		break;
	case 2:
		rc = iso8601_parse(s, strlen(s), ISO8601_DATE_ONLY, NULL, NULL, why);
		check_why(rc, why);
		FUZZ_CHECK(run_check(schema_check_date, s) == (rc != 0),
			   "date parser/check disagree");
		if (rc == 0) {
			memset(why, 'x', sizeof(why));
			FUZZ_CHECK(iso8601_parse(s, strlen(s), 0, &secs, &b, why) == 0 && !b,
				   "valid date %s is not a zone-less ISO-8601 timestamp", s);
		}
		break;
	case 3:
		rc = schema_provider_duration(s, &secs, why);
		check_why(rc, why);
		FUZZ_CHECK(rc != 0 || secs >= 0, "negative duration accepted");
		break;
	case 4:
		(void)run_check(schema_check_window_target_key, s);
		break;
	case 5:
		(void)run_check(schema_check_task_target_key, s);
		break;
	default: { /* prefixed forms the mutator rarely builds itself */
		static const char *const pre[] = {"cron(", "rate(", "at(", "2026-"};
		const char *p = pre[(data[0] % 10) - 6];
		size_t n = strlen(p) + strlen(s) + 2;
		char *t = malloc(n);
		if (!t)
			break;
		snprintf(t, n, "%s%s%s", p, s, (data[0] % 10) < 9 ? ")" : "");
		memset(why, 'x', sizeof(why));
		if ((data[0] % 10) < 9)
			check_why(schema_parse_schedule(t, &b, why), why);
		else
			check_why(iso8601_parse(t, strlen(t), 0, &secs, &b, why), why);
		free(t);
		break;
	}
	}
	free(s);
	return 0;
}
