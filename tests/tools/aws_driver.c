/*
 * aws_driver.c - drives provider/aws through its public interface (aws.h) for
 * tests/aws/test_aws_client.py: builds an aws_client from a JSON config, runs
 * a list of actions and prints one JSON line per action on stdout.
 *
 * stdin (or the file named by argv[1]):
 *   {"config": {"region", "profile", "access_key", "secret_key", "token",
 *               "shared_config_files": [..], "shared_credentials_files": [..],
 *               "assume_role": {"role_arn", "session_name", "external_id",
 *                               "duration_seconds"},
 *               "assume_role_with_web_identity": {"role_arn", "session_name",
 *                               "web_identity_token", "web_identity_token_file",
 *                               "duration_seconds"},
 *               "endpoints": {"ssm", "sts"}, "max_retries"},
 *    "actions": [{"do": "region"} | {"do": "account_id"} |
 *                {"do": "ssm", "op", "req"} | {"do": "ssm_all", "op", "req", "list"} |
 *                {"do": "parallel", "threads", "calls", "op", "req"} |
 *                {"do": "cancel_after_ms", "ms"} | {"do": "cancel_on_stdin"} |
 *                {"do": "sleep_ms", "ms"}]}
 * cancel_on_stdin (input from argv[1] then): aws_cancel_all() when a line
 * arrives on stdin, so a test can Stop at an exact event.
 * A failed client_new prints {"client_error": {...}} and exits 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "aws/aws.h"
#include "core/log.h"

static char *jdup(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? strdup(s) : NULL;
}

static char **jlist(json_t *o, const char *k, size_t *n)
{
	json_t *a = json_object_get(o, k), *v;
	char **l;
	size_t i;

	*n = 0;
	if (!json_is_array(a) || !json_array_size(a))
		return NULL;
	l = calloc(json_array_size(a), sizeof(char *));
	json_array_foreach (a, i, v)
		l[i] = strdup(json_string_value(v));
	*n = json_array_size(a);
	return l;
}

static void load_config(aws_config *c, json_t *j)
{
	json_t *ar = json_object_get(j, "assume_role"), *ep = json_object_get(j, "endpoints");
	json_t *wi = json_object_get(j, "assume_role_with_web_identity");

	aws_config_init(c);
	c->region = jdup(j, "region");
	c->profile = jdup(j, "profile");
	c->access_key = jdup(j, "access_key");
	c->secret_key = jdup(j, "secret_key");
	c->token = jdup(j, "token");
	c->shared_config_files = jlist(j, "shared_config_files", &c->n_shared_config_files);
	c->shared_credentials_files =
		jlist(j, "shared_credentials_files", &c->n_shared_credentials_files);
	if (json_is_object(ar)) {
		c->has_assume_role = true;
		c->role_arn = jdup(ar, "role_arn");
		c->session_name = jdup(ar, "session_name");
		c->external_id = jdup(ar, "external_id");
		c->duration_seconds = json_integer_value(json_object_get(ar, "duration_seconds"));
	}
	if (json_is_object(wi)) {
		c->has_web_identity = true;
		c->wi_role_arn = jdup(wi, "role_arn");
		c->wi_session_name = jdup(wi, "session_name");
		c->wi_token = jdup(wi, "web_identity_token");
		c->wi_token_file = jdup(wi, "web_identity_token_file");
		c->wi_duration_seconds =
			json_integer_value(json_object_get(wi, "duration_seconds"));
	}
	if (json_is_object(ep)) {
		c->endpoint_ssm = jdup(ep, "ssm");
		c->endpoint_sts = jdup(ep, "sts");
	}
	if (json_is_integer(json_object_get(j, "max_retries")))
		c->max_retries = (int)json_integer_value(json_object_get(j, "max_retries"));
}

static json_t *err_json(int rc, const aws_error *e)
{
	return json_pack("{s:b,s:s,s:i,s:s,s:i,s:s,s:s}", "ok", 0, "code", aws_err_name(rc),
			 "code_num", rc, "aws_code", e->aws_code, "status", e->http_status,
			 "message", e->message, "operation", e->operation);
}

typedef struct {
	aws_client *c;
	const char *op;
	json_t *req;
	int calls, ok;
} par_arg;

static void *par_main(void *p)
{
	par_arg *a = p;
	int i;

	for (i = 0; i < a->calls; i++) {
		aws_error e;
		json_t *out = NULL;
		if (ssm_call(a->c, a->op, a->req, &out, &e) == 0)
			a->ok++;
		json_decref(out);
	}
	return NULL;
}

static void *cancel_main(void *p)
{
	long ms = (long)(intptr_t)p;

	usleep((useconds_t)ms * 1000);
	aws_cancel_all();
	return NULL;
}

static void *cancel_stdin_main(void *p)
{
	char line[64];

	(void)p;
	if (fgets(line, sizeof(line), stdin))
		aws_cancel_all();
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static json_t *run(aws_client *c, json_t *a, pthread_t *canceller, bool *have_canceller)
{
	const char *what = json_string_value(json_object_get(a, "do"));
	const char *op = json_string_value(json_object_get(a, "op"));
	json_t *req = json_object_get(a, "req"), *out = NULL, *r;
	aws_error e;
	double t0 = now_s();
	int rc;

	memset(&e, 0, sizeof(e));
	if (!what)
		return json_pack("{s:s}", "bad_action", "missing do");
	if (!strcmp(what, "region"))
		return json_pack("{s:b,s:s,s:s}", "ok", 1, "region", aws_client_region(c),
				 "partition", aws_client_partition(c));
	if (!strcmp(what, "account_id")) {
		const char *id;
		rc = aws_client_account_id(c, &id, &e);
		return rc ? err_json(rc, &e) : json_pack("{s:b,s:s}", "ok", 1, "account_id", id);
	}
	if (!strcmp(what, "ssm") || !strcmp(what, "ssm_all")) {
		if (!strcmp(what, "ssm"))
			rc = ssm_call(c, op, req, &out, &e);
		else
			rc = ssm_call_all(c, op, req, json_string_value(json_object_get(a, "list")),
					  &out, &e);
		r = rc ? err_json(rc, &e) : json_pack("{s:b,s:o}", "ok", 1, "out", out);
		json_object_set_new(r, "seconds", json_real(now_s() - t0));
		return r;
	}
	if (!strcmp(what, "parallel")) {
		int n = (int)json_integer_value(json_object_get(a, "threads")), i, ok = 0;
		pthread_t th[64];
		par_arg args[64];
		if (n < 1 || n > 64)
			return json_pack("{s:s}", "bad_action", "threads 1..64");
		for (i = 0; i < n; i++) {
			args[i] =
				(par_arg){c, op, req,
					  (int)json_integer_value(json_object_get(a, "calls")), 0};
			pthread_create(&th[i], NULL, par_main, &args[i]);
		}
		for (i = 0; i < n; i++) {
			pthread_join(th[i], NULL);
			ok += args[i].ok;
		}
		return json_pack("{s:b,s:i}", "ok", 1, "succeeded", ok);
	}
	if (!strcmp(what, "cancel_after_ms")) {
		long ms = (long)json_integer_value(json_object_get(a, "ms"));
		pthread_create(canceller, NULL, cancel_main, (void *)(intptr_t)ms);
		*have_canceller = true;
		return json_pack("{s:b}", "ok", 1);
	}
	if (!strcmp(what, "cancel_on_stdin")) {
		pthread_t t;
		pthread_create(&t, NULL, cancel_stdin_main, NULL);
		pthread_detach(t);
		return json_pack("{s:b}", "ok", 1);
	}
	if (!strcmp(what, "sleep_ms")) {
		usleep((useconds_t)json_integer_value(json_object_get(a, "ms")) * 1000);
		return json_pack("{s:b}", "ok", 1);
	}
	return json_pack("{s:s}", "bad_action", what);
}

int main(int argc, char **argv)
{
	json_error_t je;
	json_t *in, *a;
	aws_config cfg;
	aws_client *c;
	aws_error e;
	pthread_t canceller;
	bool have_canceller = false;
	size_t i;

	log_init();
	in = argc > 1 ? json_load_file(argv[1], 0, &je) : json_loadf(stdin, 0, &je);
	if (!json_is_object(in)) {
		fprintf(stderr, "aws_driver: bad input: %s\n", je.text);
		return 2;
	}
	load_config(&cfg, json_object_get(in, "config"));
	c = aws_client_new(&cfg, &e);
	aws_config_free(&cfg);
	if (!c) {
		json_t *r = json_pack("{s:o}", "client_error", err_json(e.code, &e));
		char *s = json_dumps(r, JSON_COMPACT);
		puts(s);
		free(s);
		json_decref(r);
		json_decref(in);
		return 0;
	}
	json_array_foreach (json_object_get(in, "actions"), i, a) {
		json_t *r = run(c, a, &canceller, &have_canceller);
		char *s = json_dumps(r, JSON_COMPACT);
		puts(s);
		fflush(stdout);
		free(s);
		json_decref(r);
	}
	if (have_canceller)
		pthread_join(canceller, NULL);
	aws_client_free(c);
	json_decref(in);
	return 0;
}
