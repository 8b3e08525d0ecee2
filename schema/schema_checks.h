/*
 * schema_checks.h - the custom validators the schema tables point at.
 *
 * The declarative validators of schema.h (enums, lengths, patterns, ranges, item
 * counts) cover most attributes. What they cannot express lives here: schedule
 * expressions (cron/rate/at), ISO-8601 timestamps, calendar dates, Go-style
 * durations, and the helpers the cross-field block checks of the schema files share.
 *
 * Every check appends an ERROR diagnostic at the given path (or below it) whose
 * summary names the problem and whose detail says what is allowed. Checks only
 * ever see known, non-null values; callers skip unknowns.
 *
 * The parsers are exported (schema_parse_*) so the resources can reuse them, and
 * so they can be unit-tested without a value tree.
 */
#ifndef SSMPATCH_SCHEMA_CHECKS_H
#define SSMPATCH_SCHEMA_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "core/schema.h"
#include "core/value.h"
#include "names.h"

/* Longest message a parser writes into its `why` buffer (including NUL). */
#define SCHEMA_WHY_MAX 160

/*
 * Maintenance window schedule: "cron(m h dom mon dow year)" (AWS cron, six
 * fields, exactly one of dom/dow is "?"), "rate(N unit)" (minute/hour/day,
 * singular exactly when N is 1), "at(yyyy-mm-ddThh:mm:ss)". Returns 0 when valid;
 * otherwise -1 and a one-line reason in why[SCHEMA_WHY_MAX].
 * *is_cron is set to whether the expression is a cron expression (even an invalid one).
 */
int schema_parse_schedule(const char *s, bool *is_cron, char *why);

/*
 * ISO-8601 extended timestamp: YYYY-MM-DD, optionally Thh:mm[:ss[.fff]], optionally
 * Z or ±hh:mm. On success *secs is seconds since 1970-01-01 of the wall time minus
 * the offset, and *has_zone tells whether a zone was given. Returns 0 or -1.
 */
int schema_parse_iso8601(const char *s, int64_t *secs, bool *has_zone, char *why);

/* Calendar date YYYY-MM-DD that exists (leap years included). 0 or -1. */
int schema_parse_date(const char *s, char *why);

/* Go time.ParseDuration syntax ("15m", "1h", "1h30m", "90s", "1.5h"); *secs is
 * the total in seconds. 0 or -1. */
int schema_parse_go_duration(const char *s, double *secs, char *why);

/* Attribute checks for the tables (signature schema_check_fn). */
void schema_check_schedule(const tf_value *v, const tf_path *path, tf_diags *d);
void schema_check_iso8601(const tf_value *v, const tf_path *path, tf_diags *d);
void schema_check_date(const tf_value *v, const tf_path *path, tf_diags *d);
void schema_check_assume_role_duration(const tf_value *v, const tf_path *path, tf_diags *d);
void schema_check_window_target_key(const tf_value *v, const tf_path *path, tf_diags *d);
void schema_check_task_target_key(const tf_value *v, const tf_path *path, tf_diags *d);

/*
 * Error at `base` extended by `suffix` (path text such as "approval_rule[0].key",
 * "" for base itself). detail is printf-style.
 */
void schema_error_at(tf_diags *d, const tf_path *base, const char *suffix, const char *summary,
		     const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

/* Known string attribute of a known object, else NULL (null or unknown). */
const char *schema_obj_str(const tf_value *obj, const char *name);
/* Is the attribute (of a known object) set: non-null, known or unknown. */
bool schema_obj_is_set(const tf_value *obj, const char *name);
/* Is the attribute unknown (wholly)? */
bool schema_obj_is_unknown(const tf_value *obj, const char *name);

#endif
