/*
 * test_diag_log.c - diagnostics lists and the JSON log lines on stderr.
 * Log output is captured by pointing fd 2 at a pipe and parsed back with jansson.
 */
#include <jansson.h>
#include <pthread.h>
#include <regex.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/log.h"
#include "unit.h"

static void test_diag_diags__add(void)
{
	tf_diags d;
	tf_path p;
	char *s;

	tf_diags_init(&d);
	CHECK(!tf_diags_has_error(&d));
	tf_diags_warn(&d, NULL, "careful", NULL);
	CHECK(d.n == 1 && !tf_diags_has_error(&d));
	CHECK(d.items[0].severity == TF_DIAG_WARNING && d.items[0].detail == NULL &&
	      !d.items[0].has_path);
	tf_path_init(&p);
	tf_path_push_attr(&p, "tags");
	tf_path_push_key(&p, "Env");
	tf_diags_error(&d, &p, "Invalid value", "value %d is not %s", 42, "allowed");
	tf_path_free(&p); /* the diag holds its own copy */
	CHECK(d.n == 2 && tf_diags_has_error(&d));
	CHECK_STR(d.items[1].summary, "Invalid value");
	CHECK_STR(d.items[1].detail, "value 42 is not allowed");
	CHECK(d.items[1].has_path && d.items[1].path.n == 2);
	s = tf_path_string(&d.items[1].path);
	CHECK_STR(s, "tags[\"Env\"]");
	free(s);
	tf_diags_free(&d);
	CHECK(d.n == 0 && d.items == NULL);
}

static void test_diag_diags__error_at_and_move(void)
{
	tf_diags a, b;
	char *s;
	int i;

	tf_diags_init(&a);
	tf_diags_init(&b);
	tf_diags_error_at(&a, "approval_rule[0].approve_after_days", "Out of range",
			  "must be <= %d", 360);
	CHECK(a.n == 1 && a.items[0].has_path && a.items[0].path.n == 3);
	s = tf_path_string(&a.items[0].path);
	CHECK_STR(s, "approval_rule[0].approve_after_days");
	free(s);
	tf_diags_error_at(&a, "bad..path", "No path", NULL);
	CHECK(a.n == 2 && !a.items[1].has_path);
	for (i = 0; i < 50; i++)
		tf_diags_warn(&b, NULL, "w", "n=%d", i);
	tf_diags_move(&a, &b);
	CHECK(a.n == 52 && b.n == 0 && b.items == NULL);
	CHECK_STR(a.items[51].detail, "n=49");
	tf_diags_move(&a, &b); /* empty source */
	CHECK(a.n == 52);
	tf_diags_free(&a);
	tf_diags_free(&b);
}

/* Run fn with stderr captured; returns the malloc'd output. */
static char *capture_stderr(void (*fn)(void))
{
	int fds[2], saved;
	char *out = NULL;
	size_t len = 0;
	char chunk[4096];
	ssize_t n;

	if (pipe(fds) < 0)
		return NULL;
	fflush(stderr);
	saved = dup(2);
	dup2(fds[1], 2);
	close(fds[1]);
	fn();
	dup2(saved, 2);
	close(saved);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0) {
		char *p = realloc(out, len + (size_t)n + 1);

		if (!p)
			break;
		out = p;
		memcpy(out + len, chunk, (size_t)n);
		len += (size_t)n;
		out[len] = '\0';
	}
	close(fds[0]);
	return out ? out : strdup("");
}

static void log_some(void)
{
	LOG_T("provider", "trace %d", 1);
	LOG_D("provider.aws", "debug %s", "two");
	LOG_I("provider", "info");
	LOG_W("provider", "warn");
	LOG_E("provider.rpc", "error \"quoted\"\n\ttab\x01 \\ end");
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static void test_log_line__format(void)
{
	char *out, *nl;
	json_t *j;
	json_error_t err;
	regex_t re;

	setenv("TF_LOG", "trace", 1);
	unsetenv("TF_LOG_PROVIDER");
	log_init();
	out = capture_stderr(log_some);
	CHECK(count_lines(out) == 5);
	/* the last line: the error with characters that need escaping */
	nl = out + strlen(out) - 1;
	CHECK(*nl == '\n');
	*nl = '\0';
	nl = strrchr(out, '\n');
	j = json_loads(nl ? nl + 1 : out, 0, &err);
	CHECK(j != NULL);
	if (j) {
		CHECK(json_object_size(j) == 4);
		CHECK_STR(json_string_value(json_object_get(j, "@level")), "error");
		CHECK_STR(json_string_value(json_object_get(j, "@module")), "provider.rpc");
		CHECK_STR(json_string_value(json_object_get(j, "@message")),
			  "error \"quoted\"\n\ttab\x01 \\ end");
		CHECK(regcomp(&re,
			      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$",
			      REG_EXTENDED) == 0);
		CHECK(regexec(&re, json_string_value(json_object_get(j, "@timestamp")), 0, NULL,
			      0) == 0);
		regfree(&re);
		json_decref(j);
	}
	/* the first line, key order as hclog writes it */
	{
		static const char first[] =
			"{\"@level\":\"trace\",\"@message\":\"trace 1\",\"@module\":\"provider\",\"@timestamp\":\"";

		CHECK(strncmp(out, first, strlen(first)) == 0);
	}
	free(out);
}

static void check_level(const char *tf_log, const char *tf_log_provider, size_t expect_lines)
{
	char *out;

	if (tf_log)
		setenv("TF_LOG", tf_log, 1);
	else
		unsetenv("TF_LOG");
	if (tf_log_provider)
		setenv("TF_LOG_PROVIDER", tf_log_provider, 1);
	else
		unsetenv("TF_LOG_PROVIDER");
	log_init();
	out = capture_stderr(log_some);
	if (count_lines(out) != expect_lines)
		fprintf(stderr, "  TF_LOG=%s TF_LOG_PROVIDER=%s: %zu lines, expected %zu\n",
			tf_log ? tf_log : "(unset)", tf_log_provider ? tf_log_provider : "(unset)",
			count_lines(out), expect_lines);
	CHECK(count_lines(out) == expect_lines);
	free(out);
}

static void test_log_level__filtering(void)
{
	check_level(NULL, NULL, 0);
	check_level("", NULL, 0);
	check_level("OFF", NULL, 0);
	check_level("TRACE", NULL, 5);
	check_level("DEBUG", NULL, 4);
	check_level("info", NULL, 3);
	check_level("WARN", NULL, 2);
	check_level("ERROR", NULL, 1);
	check_level("JSON", NULL, 5);
	check_level("verbose-please", NULL, 5); /* Terraform: unknown level means TRACE */
	check_level("TRACE", "ERROR", 1); /* TF_LOG_PROVIDER wins */
	check_level("TRACE", "off", 0);
	check_level(NULL, "WARN", 2);
	check_level("WARN", "", 2); /* empty TF_LOG_PROVIDER falls back */
	CHECK(!log_enabled(LOG_OFF));
	{
		/* below the level the arguments are not even evaluated */
		int evaluated = 0;

		setenv("TF_LOG", "ERROR", 1);
		unsetenv("TF_LOG_PROVIDER");
		log_init();
		LOG_D("provider", "%d", ++evaluated);
		CHECK(evaluated == 0);
		CHECK(log_enabled(LOG_ERROR) && !log_enabled(LOG_WARN));
	}
	unsetenv("TF_LOG");
	unsetenv("TF_LOG_PROVIDER");
	log_init();
}

static void log_long(void)
{
	char *big = malloc(200000);

	memset(big, 'x', 199999);
	big[199999] = '\0';
	log_msg(LOG_INFO, "provider", "%s", big);
	free(big);
}

static void test_log_line__truncated(void)
{
	char *out;
	json_t *j;

	setenv("TF_LOG", "DEBUG", 1);
	log_init();
	out = capture_stderr(log_long);
	CHECK(count_lines(out) == 1);
	CHECK(strlen(out) < 64 * 1024);
	j = json_loads(out, 0, NULL);
	CHECK(j != NULL);
	if (j) {
		const char *m = json_string_value(json_object_get(j, "@message"));

		CHECK(m && strstr(m, "...(truncated)") != NULL);
		json_decref(j);
	}
	free(out);
	unsetenv("TF_LOG");
	log_init();
}

static void *log_thread(void *arg)
{
	int i;

	for (i = 0; i < 200; i++)
		LOG_I("provider", "thread %ld line %d %s", (long)(intptr_t)arg, i,
		      "padding padding padding padding padding padding padding padding");
	return NULL;
}

static void log_threads(void)
{
	pthread_t th[4];
	long i;

	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, log_thread, (void *)(intptr_t)i);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
}

static void test_log_line__threads(void)
{
	char *out, *line, *save = NULL;
	size_t good = 0;

	setenv("TF_LOG", "INFO", 1);
	log_init();
	/* 800 lines x ~190 bytes overflow a pipe buffer: capture into a temp file */
	{
		FILE *f = tmpfile();
		int saved;
		long sz;

		fflush(stderr);
		saved = dup(2);
		dup2(fileno(f), 2);
		log_threads();
		dup2(saved, 2);
		close(saved);
		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		rewind(f);
		out = calloc(1, (size_t)sz + 1);
		CHECK(fread(out, 1, (size_t)sz, f) == (size_t)sz);
		fclose(f);
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);

		if (j &&
		    strncmp(json_string_value(json_object_get(j, "@message")), "thread ", 7) == 0)
			good++;
		json_decref(j);
	}
	CHECK(good == 800);
	free(out);
	unsetenv("TF_LOG");
	log_init();
}

int main(void)
{
	RUN(test_diag_diags__add);
	RUN(test_diag_diags__error_at_and_move);
	RUN(test_log_line__format);
	RUN(test_log_level__filtering);
	RUN(test_log_line__truncated);
	RUN(test_log_line__threads);
	return unit_summary();
}
