/*
 * duration.h - Go duration strings, as Go's time.ParseDuration reads them: the
 * form Terraform providers use for durations ("15m", "1h30m", "90s",
 * "3600000ms", "1.5h"). The provider's one parser: the schema validation of
 * an attribute and the code that uses its value both call it, so they can
 * never disagree about what is valid.
 *
 * Grammar: [-+]? ( digits? [. digits?] unit )+ with at least one digit per
 * number, or a lone "0" (signed or not); units ns, us, "µs" (U+00B5), "μs"
 * (U+03BC), ms, s, m, h. No spaces. Every accepted string is what Go accepts
 * and gives the same value, in nanoseconds, to the nanosecond; like Go, a
 * total beyond the int64 range (about 292 years) is an error. On failure -1
 * and a one-line reason in why[DURATION_WHY_MAX] (why may be NULL).
 */
#ifndef SSMPATCH_DURATION_H
#define SSMPATCH_DURATION_H

#include <stdint.h>

#define DURATION_WHY_MAX 160
#define DURATION_SECOND INT64_C(1000000000)

int duration_parse(const char *s, int64_t *ns, char *why);

#endif
