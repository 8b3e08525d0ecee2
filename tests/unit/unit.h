/*
 * unit.h - the smallest test runner that does the job: each test is a function,
 * CHECK records a failure with file:line and carries on, RUN runs one test
 * (or only the one named by the UNIT_ONLY environment variable), and
 * unit_summary() prints the closing "N passed, N failed" line ctest logs show.
 *
 * UNIT_ONLY=test_<module>_<file>__<case> build/test_<file> runs one case. A
 * name that matches no RUN of the runner is a failure (exit 1), never a
 * silent "0 passed, 0 failed": a misspelt name must not look like a pass.
 */
#ifndef SSMPATCH_UNIT_H
#define SSMPATCH_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_passed, unit_failed, unit_cur_failed;

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			unit_cur_failed = 1;                                              \
		}                                                                         \
	} while (0)
#define CHECK_STR(a, b)                                                                          \
	do {                                                                                     \
		const char *a_ = (a), *b_ = (b);                                                 \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                         \
			fprintf(stderr, "  FAIL %s:%d: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, \
				__LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");       \
			unit_cur_failed = 1;                                                     \
		}                                                                                \
	} while (0)

#define RUN(fn)                                                      \
	do {                                                         \
		const char *only_ = getenv("UNIT_ONLY");             \
		if (!only_ || !*only_ || strcmp(only_, #fn) == 0) {  \
			unit_cur_failed = 0;                         \
			fn();                                        \
			if (unit_cur_failed) {                       \
				unit_failed++;                       \
				fprintf(stderr, "not ok %s\n", #fn); \
			} else {                                     \
				unit_passed++;                       \
				fprintf(stderr, "ok %s\n", #fn);     \
			}                                            \
		}                                                    \
	} while (0)

static inline int unit_summary(void)
{
	const char *only = getenv("UNIT_ONLY");

	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	if (only && *only && unit_passed + unit_failed == 0) {
		fprintf(stderr, "UNIT_ONLY=%s names no test of this runner\n", only);
		return 1;
	}
	return unit_failed ? 1 : 0;
}

#endif
