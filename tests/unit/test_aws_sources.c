/*
 * test_aws_sources.c - the pieces of the credential sources that need no
 * network: the shared files' nested settings, service endpoints and their
 * precedence, splitting and running a credential_process command (time
 * limit included), the container endpoint's allowed hosts, the SSO cache
 * file name.
 */
#include "unit.h"

#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include "aws/aws_internal.h"

static char tmpdir[64];

static char *write_tmp(const char *name, const char *text)
{
	static char paths[8][128];
	static int n;
	char *p = paths[n++ % 8];
	FILE *f;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

static void clear_env(void)
{
	static const char *const vars[] = {"AWS_ENDPOINT_URL",
					   "AWS_ENDPOINT_URL_SSM",
					   "AWS_ENDPOINT_URL_STS",
					   "AWS_ENDPOINT_URL_SSO",
					   "AWS_ENDPOINT_URL_SSO_OIDC",
					   "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
					   "AWS_PROFILE",
					   "AWS_CONFIG_FILE",
					   "AWS_SHARED_CREDENTIALS_FILE"};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	setenv("HOME", tmpdir, 1);
}

static void test_aws_ini__nested_settings(void)
{
	char *files[1];
	aws_ini *ini = NULL;
	aws_error e;

	files[0] = write_tmp("nested.ini", "[services local]\nssm =\n  endpoint_url = http://a:1\n"
					   "  Other = x\nsts =\n\tendpoint_url = http://b:2\n"
					   "plain = v\n  continuation line\n[profile p]\ns3 =\n"
					   "  max_concurrency = 10\n");
	CHECK(aws_ini_load(&ini, files, 1, &e) == 0);
	CHECK_STR(aws_ini_get(ini, "services local", "ssm.endpoint_url"), "http://a:1");
	CHECK_STR(aws_ini_get(ini, "services local", "ssm.other"), "x");
	CHECK_STR(aws_ini_get(ini, "services local", "sts.endpoint_url"), "http://b:2");
	CHECK_STR(aws_ini_get(ini, "services local", "plain"), "v");
	CHECK(aws_ini_get(ini, "services local", "plain.continuation line") == NULL);
	CHECK_STR(aws_ini_get(ini, "profile p", "s3.max_concurrency"), "10");
	CHECK(aws_ini_get(ini, "profile p", "max_concurrency") == NULL);
	aws_ini_free(ini);
}

/* The SSM URL for a client over `conf` with the given provider endpoint. */
static char *ssm_url(char *conf, const char *configured, aws_error *e)
{
	aws_profiles p;
	aws_config c;
	char *url = NULL, from[AWS_ENDPOINT_FROM_MAX];

	aws_config_init(&c);
	c.shared_config_files = calloc(1, sizeof(char *));
	c.shared_config_files[0] = strdup(conf);
	c.n_shared_config_files = 1;
	if (aws_profiles_load(&p, &c, e) == 0) {
		if (aws_endpoint_resolve(&url, from, AWS_SVC_SSM, configured, "eu-west-1", &p, e) ==
		    0) {
			size_t n = strlen(url) + strlen(from) + 4;
			char *both = malloc(n);
			snprintf(both, n, "%s (%s)", url, from);
			free(url);
			url = both;
		}
		aws_profiles_free(&p);
	}
	aws_config_free(&c);
	return url;
}

static void check_url(char *conf, const char *configured, const char *want)
{
	aws_error e;
	char *got = ssm_url(conf, configured, &e);

	if (!got || strcmp(got, want) != 0)
		fprintf(stderr, "  got %s, want %s\n", got ? got : e.message, want);
	CHECK(got && strcmp(got, want) == 0);
	free(got);
}

static void test_aws_endpoint__precedence(void)
{
	char *conf = write_tmp("ep.ini",
			       "[default]\nendpoint_url = http://profile-global:1\n"
			       "services = local\n"
			       "[services local]\nssm =\n  endpoint_url = http://services-ssm:2\n"
			       "[profile bare]\nregion = eu-west-1\n"
			       "[profile ignoring]\nendpoint_url = http://ignored:3\n"
			       "ignore_configured_endpoint_urls = true\n");
	aws_error e;
	char *bad;

	clear_env();
	/* 6: AWS's endpoint */
	setenv("AWS_PROFILE", "bare", 1);
	check_url(conf, NULL, "https://ssm.eu-west-1.amazonaws.com/ (default)");
	/* 5: the profile's endpoint_url, 4: its services section over it */
	unsetenv("AWS_PROFILE");
	check_url(conf, NULL, "http://services-ssm:2 ([services local] ssm endpoint_url)");
	/* 3: AWS_ENDPOINT_URL over the config file (SDKs and Tools Reference Guide) */
	setenv("AWS_ENDPOINT_URL", "http://env-global:4", 1);
	check_url(conf, NULL, "http://env-global:4 (AWS_ENDPOINT_URL)");
	/* 2: AWS_ENDPOINT_URL_SSM over AWS_ENDPOINT_URL */
	setenv("AWS_ENDPOINT_URL_SSM", "http://env-ssm:5", 1);
	check_url(conf, NULL, "http://env-ssm:5 (AWS_ENDPOINT_URL_SSM)");
	/* 1: the provider's endpoints block over everything */
	check_url(conf, "http://provider:6", "http://provider:6 (endpoints.ssm)");
	/* ignore_configured_endpoint_urls: 2 to 5 skipped, the provider's still used */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	check_url(conf, NULL, "https://ssm.eu-west-1.amazonaws.com/ (default)");
	check_url(conf, "http://provider:6", "http://provider:6 (endpoints.ssm)");
	clear_env();
	setenv("AWS_PROFILE", "ignoring", 1);
	check_url(conf, NULL, "https://ssm.eu-west-1.amazonaws.com/ (default)");
	clear_env();
	/* a bad URL names where it came from */
	setenv("AWS_ENDPOINT_URL_SSM", "ssm.internal:443", 1);
	bad = ssm_url(conf, NULL, &e);
	CHECK(bad == NULL && e.code == AWS_ERR_CONFIG);
	CHECK(strstr(e.message, "AWS_ENDPOINT_URL_SSM must be an http:// or https:// URL") != NULL);
	clear_env();
}

static void test_aws_endpoint__sso_defaults(void)
{
	char *conf = write_tmp("sso-ep.ini", "[default]\nregion = us-east-1\n");
	aws_profiles p;
	aws_config c;
	aws_error e;
	char *url = NULL;

	clear_env();
	aws_config_init(&c);
	c.shared_config_files = calloc(1, sizeof(char *));
	c.shared_config_files[0] = strdup(conf);
	c.n_shared_config_files = 1;
	CHECK(aws_profiles_load(&p, &c, &e) == 0);
	CHECK(aws_endpoint_resolve(&url, NULL, AWS_SVC_SSO, NULL, "eu-central-1", &p, &e) == 0);
	CHECK_STR(url, "https://portal.sso.eu-central-1.amazonaws.com");
	free(url);
	CHECK(aws_endpoint_resolve(&url, NULL, AWS_SVC_SSO_OIDC, NULL, "eu-central-1", &p, &e) ==
	      0);
	CHECK_STR(url, "https://oidc.eu-central-1.amazonaws.com");
	free(url);
	setenv("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9/", 1);
	CHECK(aws_endpoint_resolve(&url, NULL, AWS_SVC_SSO_OIDC, NULL, "eu-central-1", &p, &e) ==
	      0);
	CHECK_STR(url, "http://127.0.0.1:9/");
	free(url);
	aws_profiles_free(&p);
	aws_config_free(&c);
	clear_env();
}

static void test_aws_process__split_like_a_shell_without_one(void)
{
	char **argv = NULL, why[128];

	CHECK(aws_process_split("  /bin/helper  --profile 'ops prod' \"a \\\"b\\\" c\" x\\ y ",
				&argv, why, sizeof(why)) == 0);
	CHECK(argv && argv[0] && argv[1] && argv[2] && argv[3] && argv[4] && !argv[5]);
	if (argv && argv[4]) {
		CHECK_STR(argv[0], "/bin/helper");
		CHECK_STR(argv[1], "--profile");
		CHECK_STR(argv[2], "ops prod");
		CHECK_STR(argv[3], "a \"b\" c");
		CHECK_STR(argv[4], "x y");
	}
	aws_process_argv_free(argv);
	CHECK(aws_process_split("a'b'c \"d\"e ; $HOME", &argv, why, sizeof(why)) == 0);
	CHECK(argv && argv[3] && !argv[4]);
	if (argv && argv[3]) {
		CHECK_STR(argv[0], "abc");
		CHECK_STR(argv[1], "de");
		CHECK_STR(argv[2], ";"); /* no shell: just a word */
		CHECK_STR(argv[3], "$HOME"); /* no expansion */
	}
	aws_process_argv_free(argv);
	CHECK(aws_process_split("helper 'unterminated", &argv, why, sizeof(why)) < 0);
	CHECK(strstr(why, "unterminated") != NULL);
	CHECK(aws_process_split("   ", &argv, why, sizeof(why)) < 0);
	CHECK(aws_process_split("x\\", &argv, why, sizeof(why)) < 0);
}

static void test_aws_process__run_collects_and_kills_at_the_deadline(void)
{
	char *ok[] = {"/bin/sh", "-c", "printf out; printf err >&2; exit 3", NULL};
	char *slow[] = {"/bin/sh", "-c", "printf partial; exec sleep 30", NULL};
	char *missing[] = {"/nonexistent/helper", NULL};
	aws_process_result r;
	char why[256];

	CHECK(aws_process_run(ok, 5000, &r, why, sizeof(why)) == 0);
	CHECK(r.exit_status == 3 && !r.timed_out);
	CHECK_STR(r.out.data, "out");
	CHECK_STR(r.err.data, "err");
	aws_process_result_free(&r);

	CHECK(aws_process_run(slow, 300, &r, why, sizeof(why)) == 0);
	CHECK(r.timed_out && r.exit_status == -1 &&
	      r.signal == SIGKILL); /* killed, not waited for */
	CHECK_STR(r.out.data, "partial");
	aws_process_result_free(&r);

	CHECK(aws_process_run(missing, 1000, &r, why, sizeof(why)) < 0);
	CHECK(strstr(why, "cannot run") != NULL);
}

static void test_aws_credential_process__time_limit(void)
{
	aws_credentials cr = {0};
	aws_error e;

	CHECK(aws_credential_process("slow", "/bin/sh -c 'echo waiting >&2; exec sleep 30'", 300,
				     &cr, &e) == AWS_ERR_AUTH);
	CHECK(strstr(e.message, "did not finish within 0.3 s and was killed") != NULL);
	CHECK(strstr(e.message, "waiting") != NULL);
	CHECK(cr.access_key == NULL);
	CHECK(aws_credential_process("ok",
				     "/bin/sh -c 'printf \"{\\\"Version\\\": 1, "
				     "\\\"AccessKeyId\\\": \\\"AKIA1\\\", "
				     "\\\"SecretAccessKey\\\": \\\"s\\\"}\"'",
				     5000, &cr, &e) == 0);
	CHECK_STR(cr.access_key, "AKIA1");
	CHECK(cr.token == NULL && cr.expires == 0); /* no Expiration: never expires */
	aws_credentials_clear(&cr);
}

static void test_aws_container__allowed_hosts(void)
{
	static const char *const yes[] = {"127.0.0.1",     "127.1.2.3",     "[::1]",
					  "localhost",     "169.254.170.2", "169.254.170.23",
					  "[fd00:ec2::23]"};
	static const char *const no[] = {"169.254.169.254", "10.0.0.1", "[fd00:ec2::24]",
					 "[2001:db8::1]",   "0.0.0.0",  "nonexistent.invalid"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!aws_container_host_allowed(yes[i]))
			fprintf(stderr, "  refused %s\n", yes[i]);
		CHECK(aws_container_host_allowed(yes[i]));
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (aws_container_host_allowed(no[i]))
			fprintf(stderr, "  allowed %s\n", no[i]);
		CHECK(!aws_container_host_allowed(no[i]));
	}
}

static void test_aws_sso__cache_path_is_the_cli_s(void)
{
	char path[512], want[512];

	clear_env();
	CHECK(aws_sso_cache_path(path, sizeof(path), "my-sso") == 0);
	/* SHA-1("my-sso"), as the AWS CLI v2 names the file (`echo -n my-sso | sha1sum`) */
	snprintf(want, sizeof(want), "%s/.aws/sso/cache/%s.json", tmpdir,
		 "0ad374308c5a4e22f723adf10145eafad7c4031c");
	CHECK_STR(path, want);
	CHECK(aws_sso_cache_path(path, 20, "my-sso") < 0);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_aws_sources.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 2;
	RUN(test_aws_ini__nested_settings);
	RUN(test_aws_endpoint__precedence);
	RUN(test_aws_endpoint__sso_defaults);
	RUN(test_aws_process__split_like_a_shell_without_one);
	RUN(test_aws_process__run_collects_and_kills_at_the_deadline);
	RUN(test_aws_credential_process__time_limit);
	RUN(test_aws_container__allowed_hosts);
	RUN(test_aws_sso__cache_path_is_the_cli_s);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	return unit_summary();
}
