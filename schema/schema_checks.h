/*
 * schema_checks.h - the custom validators the schema tables point at.
 *
 * The declarative validators of schema.h (enums, lengths, patterns, ranges, item
 * counts) cover most attributes. What they cannot express lives here: schedule
 * expressions (cron/rate/at), ISO-8601 timestamps and calendar dates (through
 * core/iso8601.h), and the helpers the cross-field block checks of the schema
 * files share. Go durations (core/duration.h) are checked where they are used
 * (schema/provider.c).
 *
 * Every check appends an ERROR diagnostic at the given path (or below it) whose
 * summary names the problem and whose detail says what is allowed. Checks only
 * ever see known, non-null values; callers skip unknowns.
 *
 * The schedule parser is exported so it can be unit-tested without a value tree.
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
#define SCHEMA_WHY_MAX 160 /* = ISO8601_WHY_MAX, DURATION_WHY_MAX */

/*
 * Maintenance window schedule: "cron(m h dom mon dow year)" (AWS cron, six
 * fields, exactly one of dom/dow is "?"), "rate(N unit)" (minute/hour/day,
 * singular exactly when N is 1), "at(yyyy-mm-ddThh:mm:ss)". Returns 0 when valid;
 * otherwise -1 and a one-line reason in why[SCHEMA_WHY_MAX].
 * *is_cron is set to whether the expression is a cron expression (even an invalid one).
 */
int schema_parse_schedule(const char *s, bool *is_cron, char *why);

/* Attribute checks for the tables (signature schema_check_fn). */
void schema_check_schedule(const tf_value *v, const tf_path *path, tf_diags *d);
void schema_check_iso8601(const tf_value *v, const tf_path *path, tf_diags *d);
void schema_check_date(const tf_value *v, const tf_path *path, tf_diags *d);
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
