/*
 * schema_checks.c - custom validators for the schema tables: schedule expressions,
 * timestamps, dates and target keys (see schema_checks.h). Dates and timestamps
 * are read by the core ISO-8601 parser (core/iso8601.h).
 *
 * The parsers work on plain C strings with no allocation and write a short reason
 * into a caller's buffer; the schema_check_* wrappers turn a failure into a
 * diagnostic at the attribute's path. Limits: numbers in expressions are at most
 * 9 digits (anything longer is rejected as out of range, never overflowed).
 */
#include "schema_checks.h"

#include "core/iso8601.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY(...) snprintf(why, SCHEMA_WHY_MAX, __VA_ARGS__)

/* --- small helpers --- */

/* Parse 1..9 decimal digits at *p; advance. -1 if none or too many. */
static int parse_uint(const char **p, long *out)
{
	const char *s = *p;
	long v = 0;
	int n = 0;
	while (isdigit((unsigned char)*s)) {
		if (++n > 9)
			return -1;
		v = v * 10 + (*s - '0');
		s++;
	}
	if (n == 0)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

/* --- cron --- */

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
					  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const dow_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

typedef struct {
	const char *name;
	long lo, hi;
	const char *const *names; /* index 0 maps to lo */
	size_t n_names;
} cron_field;

static const cron_field cron_fields[6] = {
	{"minutes", 0, 59, NULL, 0},         {"hours", 0, 23, NULL, 0},
	{"day-of-month", 1, 31, NULL, 0},    {"month", 1, 12, month_names, 12},
	{"day-of-week", 1, 7, dow_names, 7}, {"year", 1970, 2199, NULL, 0},
};

/* One value of a field: number in range or a name. */
static int cron_value(const cron_field *f, const char **p, long *out, char *why)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		if (parse_uint(&s, out) < 0 || *out < f->lo || *out > f->hi) {
			WHY("%s value out of range %ld..%ld", f->name, f->lo, f->hi);
			return -1;
		}
		*p = s;
		return 0;
	}
	for (size_t i = 0; i < f->n_names; i++) {
		if (strncasecmp(s, f->names[i], 3) == 0) {
			*out = f->lo + (long)i;
			*p = s + 3;
			return 0;
		}
	}
	WHY("invalid %s value \"%.12s\"", f->name, s);
	return -1;
}

/* One comma-separated item of field `fi`, in [s, e). */
static int cron_item(int fi, const char *s, const char *e, char *why)
{
	const cron_field *f = &cron_fields[fi];
	char buf[32];
	size_t n = (size_t)(e - s);
	long a, b;
	if (n == 0 || n >= sizeof buf) {
		WHY("empty or overlong item in the %s field", f->name);
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	const char *p = buf;

	/* Day-of-month specials: L, LW, nW. Day-of-week specials: L, nL, n#k. */
	if (fi == 2 && (strcmp(buf, "L") == 0 || strcmp(buf, "LW") == 0))
		return 0;
	if (fi == 4 && strcmp(buf, "L") == 0)
		return 0;
	if (fi == 2 && buf[n - 1] == 'W') {
		if (cron_value(f, &p, &a, why) < 0)
			return -1;
		if (p[0] != 'W' || p[1] != '\0') {
			WHY("invalid day-of-month \"%s\" (use nW for the nearest weekday)", buf);
			return -1;
		}
		return 0;
	}
	if (fi == 4 && (strchr(buf, '#') || (n > 1 && buf[n - 1] == 'L'))) {
		if (cron_value(f, &p, &a, why) < 0)
			return -1;
		if (*p == 'L' && p[1] == '\0')
			return 0;
		if (*p == '#' && p[1] >= '1' && p[1] <= '5' && p[2] == '\0')
			return 0;
		WHY("invalid day-of-week \"%s\" (use d#n with n 1..5, or dL)", buf);
		return -1;
	}

	if (*p == '*') {
		p++;
	} else {
		if (cron_value(f, &p, &a, why) < 0)
			return -1;
		if (*p == '-') {
			p++;
			if (cron_value(f, &p, &b, why) < 0)
				return -1;
		}
	}
	if (*p == '/') {
		long step;
		p++;
		if (parse_uint(&p, &step) < 0 || step < 1 || step > f->hi) {
			WHY("invalid step in the %s field", f->name);
			return -1;
		}
	}
	if (*p) {
		WHY("invalid %s item \"%s\"", f->name, buf);
		return -1;
	}
	return 0;
}

static int parse_cron(const char *body, size_t len, char *why)
{
	const char *s = body, *e = body + len;
	const char *fs[6], *fe[6];
	int nf = 0;
	while (s < e) {
		while (s < e && *s == ' ')
			s++;
		if (s == e)
			break;
		if (nf == 6) {
			WHY("a cron expression has exactly 6 fields (minutes hours day-of-month month day-of-week year)");
			return -1;
		}
		fs[nf] = s;
		while (s < e && *s != ' ')
			s++;
		fe[nf++] = s;
	}
	if (nf != 6) {
		WHY("a cron expression has exactly 6 fields (minutes hours day-of-month month day-of-week year), found %d",
		    nf);
		return -1;
	}
	bool q[6] = {false};
	for (int i = 0; i < 6; i++) {
		if (fe[i] - fs[i] == 1 && *fs[i] == '?') {
			if (i != 2 && i != 4) {
				WHY("\"?\" is only allowed in the day-of-month and day-of-week fields");
				return -1;
			}
			q[i] = true;
			continue;
		}
		const char *a = fs[i];
		while (a <= fe[i]) {
			const char *c = a;
			while (c < fe[i] && *c != ',')
				c++;
			if (cron_item(i, a, c, why) < 0)
				return -1;
			a = c + 1;
		}
	}
	if (q[2] == q[4]) {
		WHY("exactly one of day-of-month and day-of-week must be \"?\"");
		return -1;
	}
	return 0;
}

int schema_parse_schedule(const char *s, bool *is_cron, char *why)
{
	size_t n = strlen(s);
	*is_cron = false;
	if (n > 5 && strncmp(s, "cron(", 5) == 0 && s[n - 1] == ')') {
		*is_cron = true;
		return parse_cron(s + 5, n - 6, why);
	}
	if (n > 5 && strncmp(s, "rate(", 5) == 0 && s[n - 1] == ')') {
		const char *p = s + 5;
		long v;
		if (parse_uint(&p, &v) < 0 || v < 1 || *p++ != ' ') {
			WHY("expected rate(N unit) with N a positive integer");
			return -1;
		}
		size_t ul = (size_t)(s + n - 1 - p);
		static const char *const units[] = {"minute", "hour", "day"};
		for (size_t i = 0; i < 3; i++) {
			size_t bl = strlen(units[i]);
			if (strncmp(p, units[i], bl) != 0)
				continue;
			if (ul == bl && v == 1)
				return 0;
			if (ul == bl + 1 && p[bl] == 's' && v != 1)
				return 0;
			WHY("use \"%s\" when N is 1 and \"%ss\" otherwise", units[i], units[i]);
			return -1;
		}
		WHY("the unit must be minute(s), hour(s) or day(s)");
		return -1;
	}
	if (n > 3 && strncmp(s, "at(", 3) == 0 && s[n - 1] == ')') {
		/* at() takes a wall-clock time: seconds, no fraction, no zone. */
		return iso8601_parse(s + 3, n - 4,
				     ISO8601_NEED_TIME | ISO8601_NEED_SECONDS | ISO8601_LOCAL, NULL,
				     NULL, why);
	}
	WHY("the schedule must be cron(...), rate(...) or at(...)");
	return -1;
}

/* --- diagnostics helpers --- */

void schema_error_at(tf_diags *d, const tf_path *base, const char *suffix, const char *summary,
		     const char *detail_fmt, ...)
{
	tf_path p, sub;
	va_list ap;
	tf_path_init(&p);
	tf_path_init(&sub);
	bool ok = tf_path_copy(&p, base) == 0;
	if (ok && suffix && *suffix) {
		ok = tf_path_parse(&sub, suffix) == 0;
		for (size_t i = 0; ok && i < sub.n; i++) {
			const tf_path_step *st = &sub.steps[i];
			ok = (st->kind == TF_STEP_ATTR ? tf_path_push_attr(&p, st->name)
			      : st->kind == TF_STEP_KEY_STRING
				      ? tf_path_push_key(&p, st->name)
				      : tf_path_push_index(&p, st->index)) == 0;
		}
	}
	va_start(ap, detail_fmt);
	tf_diags_vadd(d, TF_DIAG_ERROR, ok ? &p : base, summary, detail_fmt, ap);
	va_end(ap);
	tf_path_free(&sub);
	tf_path_free(&p);
}

const char *schema_obj_str(const tf_value *obj, const char *name)
{
	return tf_value_str(tf_value_attr(obj, name));
}

bool schema_obj_is_set(const tf_value *obj, const char *name)
{
	return !tf_value_is_null(tf_value_attr(obj, name));
}

bool schema_obj_is_unknown(const tf_value *obj, const char *name)
{
	return tf_value_is_unknown(tf_value_attr(obj, name));
}

/* --- attribute checks --- */

void schema_check_schedule(const tf_value *v, const tf_path *path, tf_diags *d)
{
	char why[SCHEMA_WHY_MAX];
	bool is_cron;
	const char *s = tf_value_str(v);
	if (s && schema_parse_schedule(s, &is_cron, why) < 0)
		tf_diags_error(
			d, path, "Invalid schedule expression",
			"\"%s\": %s. Allowed: cron(minutes hours day-of-month month day-of-week year), "
			"rate(N minute(s)|hour(s)|day(s)) or at(yyyy-mm-ddThh:mm:ss).",
			s, why);
}

void schema_check_iso8601(const tf_value *v, const tf_path *path, tf_diags *d)
{
	char why[SCHEMA_WHY_MAX];
	const char *s = tf_value_str(v);
	if (s && iso8601_parse(s, strlen(s), 0, NULL, NULL, why) < 0)
		tf_diags_error(
			d, path, "Invalid timestamp",
			"\"%s\": %s. Use ISO-8601 extended format, e.g. 2026-01-31T02:00:00Z or "
			"2026-01-31T11:00:00+09:00.",
			s, why);
}

void schema_check_date(const tf_value *v, const tf_path *path, tf_diags *d)
{
	char why[SCHEMA_WHY_MAX];
	const char *s = tf_value_str(v);
	if (s && iso8601_parse(s, strlen(s), ISO8601_DATE_ONLY, NULL, NULL, why) < 0)
		tf_diags_error(d, path, "Invalid date",
			       "\"%s\": %s. Use YYYY-MM-DD, e.g. 2026-12-31.", s, why);
}

void schema_check_window_target_key(const tf_value *v, const tf_path *path, tf_diags *d)
{
	const char *s = tf_value_str(v);
	if (!s)
		return;
	if (strcmp(s, "InstanceIds") == 0 || strcmp(s, "tag-key") == 0 ||
	    strcmp(s, "resource-groups:Name") == 0 ||
	    strcmp(s, "resource-groups:ResourceTypeFilters") == 0)
		return;
	if (strncmp(s, "tag:", 4) == 0 && s[4] && strlen(s + 4) <= 128)
		return;
	tf_diags_error(
		d, path, "Invalid target key",
		"\"%s\" is not a maintenance window target key. Allowed: InstanceIds, tag:<TagName> "
		"(tag name 1..128 characters), tag-key, resource-groups:Name, "
		"resource-groups:ResourceTypeFilters.",
		s);
}

void schema_check_task_target_key(const tf_value *v, const tf_path *path, tf_diags *d)
{
	const char *s = tf_value_str(v);
	if (s && strcmp(s, "WindowTargetIds") != 0 && strcmp(s, "InstanceIds") != 0)
		tf_diags_error(
			d, path, "Invalid target key",
			"\"%s\" is not a window task target key. Allowed: WindowTargetIds, InstanceIds.",
			s);
}
