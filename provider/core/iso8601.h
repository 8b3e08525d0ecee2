/*
 * iso8601.h - the provider's one parser of ISO-8601 dates and timestamps:
 * what users write in maintenance window start/end dates and approval dates,
 * `at(...)` schedules, and the Expiration of temporary AWS credentials (STS,
 * IMDS, SSO, container and credential_process answers).
 *
 * Grammar (extended format only):
 *   YYYY-MM-DD [ T hh:mm [:ss [.fraction]] [ Z | +hh:mm | +hhmm | -... ] ]
 * The date must exist (leap years counted); hh 00-23, mm and ss 00-59 (no
 * leap second), a zone offset at most 14:59. Flags narrow or widen it:
 *   ISO8601_DATE_ONLY     just YYYY-MM-DD;
 *   ISO8601_NEED_TIME     the time part is required;
 *   ISO8601_NEED_SECONDS  hh:mm:ss, not hh:mm;
 *   ISO8601_LOCAL         no fraction and no zone (wall-clock time);
 *   ISO8601_RFC3339       also "t" or " " as separator, "z", and the "UTC"
 *                         suffix older AWS CLI versions write into caches.
 * No allocation. On success *secs is the seconds since 1970-01-01T00:00:00Z
 * of the wall time minus the offset (no zone: as if UTC) and *has_zone says
 * whether a zone was given (either may be NULL). On failure -1, with a
 * one-line reason in why[ISO8601_WHY_MAX] (why may be NULL).
 */
#ifndef SSMPATCH_ISO8601_H
#define SSMPATCH_ISO8601_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISO8601_WHY_MAX 160

enum {
	ISO8601_DATE_ONLY = 1,
	ISO8601_NEED_TIME = 2,
	ISO8601_NEED_SECONDS = 4,
	ISO8601_LOCAL = 8,
	ISO8601_RFC3339 = 16,
};

/* Parse s[0..len). */
int iso8601_parse(const char *s, size_t len, unsigned flags, int64_t *secs, bool *has_zone,
		  char *why);

#endif
