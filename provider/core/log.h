/*
 * log.h - JSON log lines on stderr in the form Terraform's plugin client parses
 * (go-plugin log_entry.go): {"@level":..,"@message":..,"@module":..,"@timestamp":
 * "2006-01-02T15:04:05.000000Z07:00", extra keys...}. Level from TF_LOG_PROVIDER,
 * else TF_LOG (TRACE, DEBUG, INFO, WARN, ERROR, OFF; JSON means TRACE). Lines below
 * the level are not formatted at all. Never log a secret: callers pass redacted
 * values; log_msg itself does not know what is secret.
 * Thread-safe: one write(2) per line.
 */
#ifndef SSMPATCH_LOG_H
#define SSMPATCH_LOG_H

#include <stdbool.h>

typedef enum { LOG_TRACE = 0, LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF } log_level;

/* Read the level from the environment. Safe to call more than once. */
void log_init(void);
bool log_enabled(log_level lvl);
/* module e.g. "provider", "provider.aws", "provider.rpc". */
void log_msg(log_level lvl, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* LOG_AT(level, module, fmt, ...): the arguments are evaluated only when the
 * level is enabled. LOG_T .. LOG_E name the levels. */
#define LOG_AT(lvl, mod, ...)                               \
	do {                                                \
		if (log_enabled((lvl)))                     \
			log_msg((lvl), (mod), __VA_ARGS__); \
	} while (0)
#define LOG_T(mod, ...) LOG_AT(LOG_TRACE, mod, __VA_ARGS__)
#define LOG_D(mod, ...) LOG_AT(LOG_DEBUG, mod, __VA_ARGS__)
#define LOG_I(mod, ...) LOG_AT(LOG_INFO, mod, __VA_ARGS__)
#define LOG_W(mod, ...) LOG_AT(LOG_WARN, mod, __VA_ARGS__)
#define LOG_E(mod, ...) LOG_AT(LOG_ERROR, mod, __VA_ARGS__)

#endif
