/*
 * log.c - JSON log lines on stderr for go-plugin's log reader (see log.h).
 *
 * The level follows Terraform's internal/logging: TF_LOG_PROVIDER if non-empty,
 * else TF_LOG; compared case-insensitively; empty or unset means OFF; "JSON"
 * means TRACE; any other non-level value also means TRACE (Terraform warns
 * "Invalid log level ... Defaulting to level: TRACE").
 *
 * Limits: go-plugin reads stderr with a 64 KiB line buffer and splits longer
 * lines, which would break the JSON, so a message is cut at LOG_MAX_MESSAGE
 * bytes and marked "...(truncated)". Each line goes out in one write(2) under
 * a mutex, so lines from different threads never interleave.
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

#define LOG_MAX_MESSAGE (48 * 1024)

static volatile int g_level = LOG_OFF;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t g_write_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"trace", "debug", "info", "warn", "error", "off"};

static log_level parse_level(const char *s)
{
	static const char *const upper[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};
	size_t i;

	if (!s || !*s)
		return LOG_OFF;
	for (i = 0; i < sizeof(upper) / sizeof(upper[0]); i++)
		if (strcasecmp(s, upper[i]) == 0)
			return (log_level)i;
	/* "JSON" and anything unrecognised: TRACE, as Terraform does. */
	return LOG_TRACE;
}

void log_init(void)
{
	const char *s = getenv("TF_LOG_PROVIDER");

	if (!s || !*s)
		s = getenv("TF_LOG");
	__atomic_store_n(&g_level, (int)parse_level(s), __ATOMIC_RELAXED);
}

static void log_init_once(void)
{
	log_init();
}

bool log_enabled(log_level lvl)
{
	pthread_once(&g_once, log_init_once);
	return lvl < LOG_OFF && (int)lvl >= __atomic_load_n(&g_level, __ATOMIC_RELAXED);
}

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

void log_msg(log_level lvl, const char *module, const char *fmt, ...)
{
	buf msg = BUF_INIT, line = BUF_INIT;
	struct timespec ts;
	struct tm tm;
	char stamp[64];
	va_list ap;

	if (!log_enabled(lvl))
		return;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (buf_failed(&msg))
		goto done;
	if (msg.len > LOG_MAX_MESSAGE) {
		msg.len = LOG_MAX_MESSAGE;
		/* do not cut a UTF-8 sequence in half */
		while (msg.len && ((unsigned char)msg.data[msg.len] & 0xC0) == 0x80)
			msg.len--;
		buf_puts(&msg, "...(truncated)");
	}

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long)(ts.tv_nsec / 1000));

	buf_puts(&line, "{\"@level\":\"");
	buf_puts(&line, level_names[lvl]);
	buf_puts(&line, "\",\"@message\":");
	buf_json_string(&line, msg.data ? msg.data : "", msg.len);
	buf_puts(&line, ",\"@module\":");
	module = module ? module : "provider";
	buf_json_string(&line, module, strlen(module));
	buf_puts(&line, ",\"@timestamp\":\"");
	buf_puts(&line, stamp);
	buf_puts(&line, "\"}\n");
	if (buf_failed(&line))
		goto done;

	pthread_mutex_lock(&g_write_mu);
	write_all(line.data, line.len);
	pthread_mutex_unlock(&g_write_mu);
done:
	buf_free(&msg);
	buf_free(&line);
}
