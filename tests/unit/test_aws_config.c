/*
 * test_aws_config.c - what provider/aws decides without any network: shared
 * config/credentials file parsing (temp files, nested settings), profile
 * sections, region precedence, partitions, service endpoints and their
 * precedence, config errors, the credential chain's local sources; the
 * pieces of the other credential sources that need no network (splitting and
 * running a credential_process command with its time limit, the container
 * endpoint's allowed hosts, the SSO cache file name); the XML helper.
 */
#include "unit.h"

#include <signal.h>
#include <sys/stat.h>
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
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_SSM");
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL_SSO");
	unsetenv("AWS_ENDPOINT_URL_SSO_OIDC");
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", tmpdir, 1);
}

static void test_aws_ini__parse_and_override(void)
{
	char *files[3];
	aws_ini *ini = NULL;
	aws_error e;

	files[0] = write_tmp("a.ini", "# comment\n; other comment\n[default]\n"
				      "aws_access_key_id = AKIA1  \r\nAWS_Secret_Access_Key=s1\n"
				      "[profile stg]\nregion=ap-northeast-1\ns3 =\n"
				      "  max_concurrency = 10\nrole_arn = a=b\n[empty]\n");
	files[1] = write_tmp("missing-does-not-exist", "");
	unlink(files[1]);
	files[2] = write_tmp("b.ini", "[default]\naws_access_key_id = AKIA2\n");
	CHECK(aws_ini_load(&ini, files, 3, &e) == 0);
	CHECK_STR(aws_ini_get(ini, "default", "aws_access_key_id"), "AKIA2");
	CHECK_STR(aws_ini_get(ini, "default", "aws_secret_access_key"), "s1");
	CHECK_STR(aws_ini_get(ini, "profile stg", "region"), "ap-northeast-1");
	CHECK_STR(aws_ini_get(ini, "profile stg", "s3"), "");
	CHECK(aws_ini_get(ini, "profile stg", "max_concurrency") == NULL);
	CHECK_STR(aws_ini_get(ini, "profile stg", "role_arn"), "a=b");
	CHECK(aws_ini_has_section(ini, "empty"));
	CHECK(!aws_ini_has_section(ini, "stg"));
	CHECK(aws_ini_get(ini, "nope", "region") == NULL);
	aws_ini_free(ini);
}

static void test_aws_ini__unreadable_is_config_error(void)
{
	char *files[1] = {tmpdir}; /* a directory: fopen works, reading fails */
	aws_ini *ini = NULL;
	aws_error e;

	CHECK(aws_ini_load(&ini, files, 1, &e) == AWS_ERR_CONFIG);
	CHECK(ini == NULL);
	CHECK(strstr(e.message, tmpdir) != NULL);
}

static void test_aws_endpoints__partition_and_urls(void)
{
	char u[128];

	CHECK_STR(aws_partition_for_region("us-east-1"), "aws");
	CHECK_STR(aws_partition_for_region("ap-northeast-1"), "aws");
	CHECK_STR(aws_partition_for_region("cn-north-1"), "aws-cn");
	CHECK_STR(aws_partition_for_region("cn-northwest-1"), "aws-cn");
	CHECK_STR(aws_partition_for_region("us-gov-west-1"), "aws-us-gov");
	CHECK(aws_default_endpoint(u, sizeof(u), "ssm", "ap-northeast-1") == 0);
	CHECK_STR(u, "https://ssm.ap-northeast-1.amazonaws.com/");
	CHECK(aws_default_endpoint(u, sizeof(u), "sts", "cn-north-1") == 0);
	CHECK_STR(u, "https://sts.cn-north-1.amazonaws.com.cn/");
	CHECK(aws_default_endpoint(u, sizeof(u), "ssm", "us-gov-west-1") == 0);
	CHECK_STR(u, "https://ssm.us-gov-west-1.amazonaws.com/");
	CHECK(aws_default_endpoint(u, 10, "ssm", "us-east-1") < 0);
}

static aws_client *client(const char *region, const char *profile, char *conf, aws_error *e)
{
	aws_config c;
	aws_client *cl;

	aws_config_init(&c);
	CHECK(c.max_retries == 10);
	c.region = region ? strdup(region) : NULL;
	c.profile = profile ? strdup(profile) : NULL;
	if (conf) {
		c.shared_config_files = calloc(1, sizeof(char *));
		c.shared_config_files[0] = strdup(conf);
		c.n_shared_config_files = 1;
	}
	cl = aws_client_new(&c, e);
	aws_config_free(&c);
	return cl;
}

static void test_aws_client_new__region_precedence(void)
{
	char *conf = write_tmp("config", "[default]\nregion = eu-west-1\n"
					 "[profile prd]\nregion = cn-north-1\n");
	aws_client *c;
	aws_error e;

	clear_env();
	c = client("us-west-2", NULL, conf, &e);
	CHECK(c && strcmp(aws_client_region(c), "us-west-2") == 0);
	aws_client_free(c);

	setenv("AWS_DEFAULT_REGION", "eu-south-1", 1);
	c = client(NULL, NULL, conf, &e);
	CHECK(c && strcmp(aws_client_region(c), "eu-south-1") == 0);
	aws_client_free(c);

	setenv("AWS_REGION", "eu-north-1", 1);
	c = client(NULL, NULL, conf, &e);
	CHECK(c && strcmp(aws_client_region(c), "eu-north-1") == 0);
	aws_client_free(c);

	clear_env();
	c = client(NULL, NULL, conf, &e);
	CHECK(c && strcmp(aws_client_region(c), "eu-west-1") == 0);
	CHECK(c && strcmp(aws_client_partition(c), "aws") == 0);
	aws_client_free(c);

	c = client(NULL, "prd", conf, &e);
	CHECK(c && strcmp(aws_client_region(c), "cn-north-1") == 0);
	CHECK(c && strcmp(aws_client_partition(c), "aws-cn") == 0);
	CHECK(c && strcmp(c->ssm_url, "https://ssm.cn-north-1.amazonaws.com.cn/") == 0);
	aws_client_free(c);

	setenv("AWS_PROFILE", "prd", 1);
	c = client(NULL, NULL, conf, &e);
	CHECK(c && strcmp(aws_client_region(c), "cn-north-1") == 0);
	CHECK(c && c->profiles.name_explicit);
	aws_client_free(c);

	/* AWS_CONFIG_FILE when the provider gives no list */
	clear_env();
	setenv("AWS_CONFIG_FILE", conf, 1);
	c = client(NULL, NULL, NULL, &e);
	CHECK(c && strcmp(aws_client_region(c), "eu-west-1") == 0);
	aws_client_free(c);
	clear_env();
}

static void test_aws_client_new__home_default_files(void)
{
	char dir[128], path[160];
	aws_client *c;
	aws_error e;
	FILE *f;

	clear_env();
	snprintf(dir, sizeof(dir), "%s/.aws", tmpdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/config", dir);
	f = fopen(path, "w");
	fputs("[default]\nregion = sa-east-1\n", f);
	fclose(f);
	c = client(NULL, NULL, NULL, &e);
	CHECK(c && strcmp(aws_client_region(c), "sa-east-1") == 0);
	aws_client_free(c);
	unlink(path);
	rmdir(dir);
}

static void test_aws_client_new__config_errors(void)
{
	aws_config c;
	aws_client *cl;
	aws_error e;

	clear_env();
	cl = client(NULL, NULL, NULL, &e);
	CHECK(cl == NULL);
	CHECK(e.code == AWS_ERR_CONFIG);
	CHECK(strstr(e.message, "no AWS region") != NULL);

	cl = client("US East 1", NULL, NULL, &e);
	CHECK(cl == NULL && e.code == AWS_ERR_CONFIG);

	aws_config_init(&c);
	c.region = strdup("us-east-1");
	c.endpoint_ssm = strdup("localhost:4566");
	CHECK(aws_client_new(&c, &e) == NULL);
	CHECK(e.code == AWS_ERR_CONFIG && strstr(e.message, "endpoints.ssm") != NULL);
	free(c.endpoint_ssm);
	c.endpoint_ssm = strdup("http://127.0.0.1:4566");
	c.has_assume_role = true;
	CHECK(aws_client_new(&c, &e) == NULL);
	CHECK(e.code == AWS_ERR_CONFIG && strstr(e.message, "role_arn") != NULL);
	c.has_assume_role = false;
	c.max_retries = -1;
	CHECK(aws_client_new(&c, &e) == NULL && e.code == AWS_ERR_CONFIG);
	c.max_retries = 0;
	cl = aws_client_new(&c, &e);
	CHECK(cl != NULL);
	CHECK(cl && strcmp(cl->ssm_url, "http://127.0.0.1:4566") == 0);
	CHECK(cl && strcmp(cl->sts_url, "https://sts.us-east-1.amazonaws.com/") == 0);
	aws_client_free(cl);
	aws_config_free(&c);
}

static void test_aws_client_new__endpoint_environment(void)
{
	aws_config c;
	aws_client *cl;
	aws_error e;

	clear_env();
	aws_config_init(&c);
	c.region = strdup("us-east-1");
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111", 1);
	setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:2222/", 1);
	cl = aws_client_new(&c, &e);
	CHECK(cl && strcmp(cl->ssm_url, "http://127.0.0.1:2222/") == 0);
	CHECK(cl && strcmp(cl->sts_url, "http://127.0.0.1:1111") == 0);
	aws_client_free(cl);

	c.endpoint_ssm = strdup("https://vpce.example.com");
	cl = aws_client_new(&c, &e);
	CHECK(cl && strcmp(cl->ssm_url, "https://vpce.example.com") == 0);
	aws_client_free(cl);

	setenv("AWS_ENDPOINT_URL_STS", "sts.example.com", 1);
	CHECK(aws_client_new(&c, &e) == NULL);
	CHECK(e.code == AWS_ERR_CONFIG && strstr(e.message, "AWS_ENDPOINT_URL_STS") != NULL);
	aws_config_free(&c);
	clear_env();
}

/* Clients for other regions: made once, kept, sharing the provider's
 * transport and credentials, signing for their own region. */
static void test_aws_client_for_region__made_once_and_shared(void)
{
	aws_config c;
	aws_client *cl, *eu, *cn;
	const char *acct = NULL;
	aws_error e;

	clear_env();
	aws_config_init(&c);
	c.region = strdup("ap-northeast-1");
	cl = aws_client_new(&c, &e);
	CHECK(cl != NULL);
	if (!cl)
		goto done;
	CHECK(aws_client_for_region(cl, NULL, &e) == cl);
	CHECK(aws_client_for_region(cl, "", &e) == cl);
	CHECK(aws_client_for_region(cl, "ap-northeast-1", &e) == cl);
	eu = aws_client_for_region(cl, "eu-west-1", &e);
	CHECK(eu && eu != cl && aws_client_for_region(cl, "eu-west-1", &e) == eu);
	CHECK(eu && aws_client_for_region(eu, "eu-west-1", &e) == eu); /* from a regional one */
	CHECK(eu && aws_client_for_region(eu, "ap-northeast-1", &e) == cl);
	CHECK(eu && strcmp(aws_client_region(eu), "eu-west-1") == 0 &&
	      strcmp(eu->caller.region, "eu-west-1") == 0 && eu->caller.http == cl->http &&
	      eu->caller.max_retries == cl->caller.max_retries);
	CHECK(eu && strcmp(eu->ssm_url, "https://ssm.eu-west-1.amazonaws.com/") == 0);
	cn = aws_client_for_region(cl, "cn-north-1", &e);
	CHECK(cn && strcmp(aws_client_partition(cn), "aws-cn") == 0 &&
	      strcmp(cn->ssm_url, "https://ssm.cn-north-1.amazonaws.com.cn/") == 0);
	/* one account, asked of the provider's client */
	snprintf(cl->account_id, sizeof(cl->account_id), "123456789012");
	CHECK(eu && aws_client_account_id(eu, &acct, &e) == 0 && acct &&
	      strcmp(acct, "123456789012") == 0);
	CHECK(aws_client_for_region(cl, "EU WEST", &e) == NULL && e.code == AWS_ERR_CONFIG);
	aws_client_free(cl);

	/* a configured endpoint serves every region */
	c.endpoint_ssm = strdup("http://127.0.0.1:3333/");
	cl = aws_client_new(&c, &e);
	eu = cl ? aws_client_for_region(cl, "eu-west-1", &e) : NULL;
	CHECK(eu && strcmp(eu->ssm_url, "http://127.0.0.1:3333/") == 0);
	aws_client_free(cl);
done:
	aws_config_free(&c);
	clear_env();
}

/* Resolve credentials for a client over the given files (no network: every
 * case here ends before IMDS or STS would be asked). */
static int creds_for(const char *ak, const char *sk, const char *profile, char *conf, char *cred,
		     aws_credentials *out, aws_error *e)
{
	aws_config c;
	aws_client *cl;
	int rc;

	aws_config_init(&c);
	c.region = strdup("us-east-1");
	c.access_key = ak ? strdup(ak) : NULL;
	c.secret_key = sk ? strdup(sk) : NULL;
	c.profile = profile ? strdup(profile) : NULL;
	c.shared_config_files = calloc(1, sizeof(char *));
	c.shared_config_files[0] = strdup(conf);
	c.n_shared_config_files = 1;
	c.shared_credentials_files = calloc(1, sizeof(char *));
	c.shared_credentials_files[0] = strdup(cred);
	c.n_shared_credentials_files = 1;
	cl = aws_client_new(&c, e);
	aws_config_free(&c);
	if (!cl)
		return -100;
	rc = aws_chain_get(&cl->chain, out, e);
	aws_client_free(cl);
	return rc;
}

static void test_aws_creds__chain_without_network(void)
{
	char *conf = write_tmp("cconf", "[default]\nregion = us-east-1\n"
					"[profile cfgkeys]\naws_access_key_id = AKIACONF\n"
					"aws_secret_access_key = conf-secret\n"
					"[profile norole]\nrole_arn = arn:aws:iam::1:role/r\n"
					"[profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\n"
					"source_profile = loop-b\n"
					"[profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\n"
					"source_profile = loop-a\n"
					"[profile only-region]\nregion = eu-west-1\n");
	char *cred = write_tmp("ccred", "[default]\naws_access_key_id = AKIADEFAULT\n"
					"aws_secret_access_key = default-secret\n"
					"aws_session_token = default-token\n"
					"[cfgkeys]\naws_access_key_id = AKIACREDFILE\n"
					"aws_secret_access_key = cred-secret\n");
	char *empty = write_tmp("cempty", "");
	aws_credentials cr = {0};
	aws_error e;

	clear_env();
	/* provider keys first */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	CHECK(creds_for("AKIAPROV", "prov-secret", NULL, conf, cred, &cr, &e) == 0);
	CHECK_STR(cr.access_key, "AKIAPROV");
	CHECK_STR(cr.source, "static");
	CHECK(cr.token == NULL && cr.expires == 0);
	aws_credentials_clear(&cr);
	CHECK(creds_for("AKIAPROV", NULL, NULL, conf, cred, &cr, &e) == AWS_ERR_CONFIG);
	CHECK(strstr(e.message, "together") != NULL);

	/* then the environment, also over AWS_PROFILE */
	setenv("AWS_SESSION_TOKEN", "env-token", 1);
	setenv("AWS_PROFILE", "cfgkeys", 1);
	CHECK(creds_for(NULL, NULL, NULL, conf, cred, &cr, &e) == 0);
	CHECK_STR(cr.access_key, "AKIAENV");
	CHECK_STR(cr.token, "env-token");
	CHECK_STR(cr.source, "env");
	aws_credentials_clear(&cr);
	/* but a profile set in the provider wins over the environment's keys, as in
	 * the AWS provider (aws-sdk-go-base: WithSharedConfigProfile) */
	CHECK(creds_for(NULL, NULL, "cfgkeys", conf, cred, &cr, &e) == 0);
	CHECK_STR(cr.access_key, "AKIACREDFILE");
	CHECK_STR(cr.source, "profile cfgkeys");
	aws_credentials_clear(&cr);
	clear_env();

	/* then the profile: credentials file before config file */
	CHECK(creds_for(NULL, NULL, NULL, conf, cred, &cr, &e) == 0);
	CHECK_STR(cr.access_key, "AKIADEFAULT");
	CHECK_STR(cr.token, "default-token");
	aws_credentials_clear(&cr);
	CHECK(creds_for(NULL, NULL, "cfgkeys", conf, cred, &cr, &e) == 0);
	CHECK_STR(cr.access_key, "AKIACREDFILE");
	aws_credentials_clear(&cr);
	CHECK(creds_for(NULL, NULL, "cfgkeys", conf, empty, &cr, &e) == 0);
	CHECK_STR(cr.access_key, "AKIACONF");
	CHECK_STR(cr.source, "profile cfgkeys");
	aws_credentials_clear(&cr);
	setenv("AWS_PROFILE", "cfgkeys", 1);
	CHECK(creds_for(NULL, NULL, NULL, conf, cred, &cr, &e) == 0);
	CHECK_STR(cr.access_key, "AKIACREDFILE");
	aws_credentials_clear(&cr);
	clear_env();

	/* profile errors */
	CHECK(creds_for(NULL, NULL, "missing", conf, cred, &cr, &e) == AWS_ERR_CONFIG);
	CHECK(strstr(e.message, "\"missing\" not found") != NULL);
	/* role_arn alone: assumed with container or instance credentials, here none */
	CHECK(creds_for(NULL, NULL, "norole", conf, cred, &cr, &e) == AWS_ERR_CONFIG);
	CHECK(strstr(e.message, "has role_arn but no credentials to assume it") != NULL);
	CHECK(creds_for(NULL, NULL, "loop-a", conf, cred, &cr, &e) == AWS_ERR_CONFIG);
	CHECK(strstr(e.message, "chain longer") != NULL);

	/* nothing anywhere (IMDS disabled): a clear configuration error */
	CHECK(creds_for(NULL, NULL, "only-region", conf, empty, &cr, &e) == AWS_ERR_CONFIG);
	CHECK(strstr(e.message, "No AWS credentials found") != NULL);
	CHECK(strstr(e.message, "profile \"only-region\": no keys, role_arn") != NULL);
	CHECK(creds_for(NULL, NULL, NULL, empty, empty, &cr, &e) == AWS_ERR_CONFIG);
	CHECK(cr.access_key == NULL);
	clear_env();
}

static void test_aws_xml_text__elements_and_entities(void)
{
	const char *x =
		"<R xmlns=\"x\">\n <Credentials>\n  <AccessKeyId>ASIA1</AccessKeyId>\n"
		"  <SecretAccessKey>a&amp;b&lt;c&gt;&quot;&apos;&#65;&#x42;&#x3042;</SecretAccessKey>\n"
		"  <SessionToken>\n   tok\n  </SessionToken><Empty/>\n"
		" </Credentials><Arn attr=\"1\">arn:aws:sts::1:x</Arn></R>";
	char *s;

	CHECK_STR((s = aws_xml_text(x, "AccessKeyId")), "ASIA1");
	free(s);
	CHECK_STR((s = aws_xml_text(x, "SecretAccessKey")), "a&b<c>\"'AB\xe3\x81\x82");
	free(s);
	CHECK_STR((s = aws_xml_text(x, "SessionToken")), "tok");
	free(s);
	CHECK_STR((s = aws_xml_text(x, "Arn")), "arn:aws:sts::1:x");
	free(s);
	CHECK_STR((s = aws_xml_text(x, "Empty")), "");
	free(s);
	CHECK(aws_xml_text(x, "Access") == NULL);
	CHECK(aws_xml_text(x, "Expiration") == NULL);
	CHECK(aws_xml_text("<A>unterminated", "A") == NULL);
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
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_aws_config.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 2;
	RUN(test_aws_ini__parse_and_override);
	RUN(test_aws_ini__unreadable_is_config_error);
	RUN(test_aws_endpoints__partition_and_urls);
	RUN(test_aws_client_new__region_precedence);
	RUN(test_aws_client_new__home_default_files);
	RUN(test_aws_client_new__config_errors);
	RUN(test_aws_client_new__endpoint_environment);
	RUN(test_aws_client_for_region__made_once_and_shared);
	RUN(test_aws_creds__chain_without_network);
	RUN(test_aws_xml_text__elements_and_entities);
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
