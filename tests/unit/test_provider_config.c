/*
 * test_provider_config.c - the provider block as the AWS client's settings
 * (schema/provider.c, schema_provider_config): every attribute lands in
 * aws_config, unknown values are refused with their path, and - issue 11 -
 * `terraform validate` and Configure agree on assume_role.duration: for every
 * string in the table, validation accepts it exactly when Configure does, and
 * Configure then passes the seconds Go's time.ParseDuration gives.
 */
#include "unit.h"

#include "core/schema.h"
#include "schema/provider_config.h"
#include "schema/schema_tables.h"

/* A provider block with region and, if duration, assume_role { role_arn, duration }. */
static tf_value *provider_block(const char *duration)
{
	const schema_block *ar = schema_find_block(&schema_provider_block, "assume_role")->block;
	tf_value *cfg = schema_new_object(&schema_provider_block);
	tf_value *role = schema_new_object(ar);

	tf_value_set_attr(cfg, "region", tf_value_string("ap-northeast-1"));
	tf_value_set_attr(role, "role_arn",
			  tf_value_string("arn:aws:iam::123456789012:role/patching"));
	if (duration)
		tf_value_set_attr(role, "duration", tf_value_string(duration));
	tf_value_append(tf_value_attr(cfg, "assume_role"), role);
	return cfg;
}

static bool validates(const tf_value *cfg)
{
	tf_diags d;
	bool ok;

	tf_diags_init(&d);
	schema_validate(&schema_provider_block, cfg, &d);
	ok = !tf_diags_has_error(&d);
	tf_diags_free(&d);
	return ok;
}

static const struct {
	const char *text;
	int64_t seconds; /* what STS gets; -1 = invalid syntax everywhere */
	bool in_range; /* 15m to 12h: validate's range check (Configure has none) */
} durations[] = {
	{"1h", 3600, true},
	{"15m", 900, true},
	{"12h", 43200, true},
	{"1h30m", 5400, true},
	{"90m", 5400, true},
	{"1.5h", 5400, true},
	{".25h", 900, true},
	{"3600s", 3600, true},
	{"3600000ms", 3600, true}, /* issue 11: validate accepted, Configure refused */
	{"3600000000us", 3600, true},
	{"3600000000\xc2\xb5s", 3600, true},
	{"3600000000000ns", 3600, true},
	{"+1h", 3600, true},
	{"1h0m0.5s", 3600, true}, /* fractions of a second dropped, as the AWS provider */
	{"2h45m30s", 9930, true},
	{"14m59s", 899, false},
	{"12h0m1s", 43201, false},
	{"0", 0, false},
	{"-1h", -1, false},
	{"1", -1, false},
	{"1d", -1, false},
	{"h1", -1, false},
	{"1h ", -1, false},
	{"", -1, false},
	{"1.5.5h", -1, false},
	{"9223372036854775808ns", -1, false},
};

static void test_provider_config__duration_validate_equals_configure(void)
{
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		tf_value *cfg = provider_block(durations[i].text);
		tf_value *tags = NULL;
		aws_config ac;
		tf_diags d;
		bool valid = validates(cfg), configured;

		tf_diags_init(&d);
		configured = schema_provider_config(cfg, &ac, &tags, &d) == 0;
		/* The one rule: syntax is judged by one parser for both. */
		if (valid && !configured)
			fprintf(stderr, "  \"%s\": validates but Configure refuses\n",
				durations[i].text);
		CHECK(!valid || configured);
		CHECK(configured == (durations[i].seconds >= 0));
		CHECK(valid == (durations[i].seconds >= 0 && durations[i].in_range));
		if (configured) {
			if (ac.duration_seconds != durations[i].seconds)
				fprintf(stderr, "  \"%s\": %lld s, want %lld\n", durations[i].text,
					(long long)ac.duration_seconds,
					(long long)durations[i].seconds);
			CHECK(ac.has_assume_role && ac.duration_seconds == durations[i].seconds);
		} else {
			CHECK(d.n == 1 && strcmp(d.items[0].summary, "Invalid duration") == 0);
		}
		aws_config_free(&ac);
		tf_diags_free(&d);
		tf_value_free(cfg);
	}
}

static void test_provider_config__every_attribute(void)
{
	tf_value *cfg = provider_block("45m"), *tags = NULL, *l, *ep, *dt, *m;
	const schema_block *epb = schema_find_block(&schema_provider_block, "endpoints")->block;
	const schema_block *dtb = schema_find_block(&schema_provider_block, "default_tags")->block;
	tf_value *role = tf_value_index(tf_value_attr(cfg, "assume_role"), 0);
	aws_config ac;
	tf_diags d;

	tf_value_set_attr(cfg, "profile", tf_value_string("ops"));
	tf_value_set_attr(cfg, "access_key", tf_value_string("AKIA1"));
	tf_value_set_attr(cfg, "secret_key", tf_value_string("s1"));
	tf_value_set_attr(cfg, "token", tf_value_string("t1"));
	tf_value_set_attr(cfg, "max_retries", tf_value_number_i64(3));
	l = tf_value_empty(tf_type_list(&tf_type_string));
	tf_value_append(l, tf_value_string("/a/config"));
	tf_value_append(l, tf_value_string("/b/config"));
	tf_value_set_attr(cfg, "shared_config_files", l);
	l = tf_value_empty(tf_type_list(&tf_type_string));
	tf_value_append(l, tf_value_string("/a/credentials"));
	tf_value_set_attr(cfg, "shared_credentials_files", l);
	tf_value_set_attr(role, "session_name", tf_value_string("tf"));
	tf_value_set_attr(role, "external_id", tf_value_string("ext-1"));
	ep = schema_new_object(epb);
	tf_value_set_attr(ep, "ssm", tf_value_string("http://127.0.0.1:4566"));
	tf_value_set_attr(ep, "sts", tf_value_string(""));
	tf_value_append(tf_value_attr(cfg, "endpoints"), ep);
	dt = schema_new_object(dtb);
	m = tf_value_empty(tf_type_map(&tf_type_string));
	tf_value_set_attr(dt, "tags", m);
	tf_value_append(tf_value_attr(cfg, "default_tags"), dt);

	tf_diags_init(&d);
	CHECK(schema_provider_config(cfg, &ac, &tags, &d) == 0);
	CHECK(d.n == 0);
	CHECK_STR(ac.region, "ap-northeast-1");
	CHECK_STR(ac.profile, "ops");
	CHECK_STR(ac.access_key, "AKIA1");
	CHECK_STR(ac.secret_key, "s1");
	CHECK_STR(ac.token, "t1");
	CHECK(ac.max_retries == 3);
	CHECK(ac.n_shared_config_files == 2 && !strcmp(ac.shared_config_files[1], "/b/config"));
	CHECK(ac.n_shared_credentials_files == 1);
	CHECK(ac.has_assume_role && ac.duration_seconds == 2700);
	CHECK_STR(ac.role_arn, "arn:aws:iam::123456789012:role/patching");
	CHECK_STR(ac.session_name, "tf");
	CHECK_STR(ac.external_id, "ext-1");
	CHECK_STR(ac.endpoint_ssm, "http://127.0.0.1:4566");
	CHECK(ac.endpoint_sts == NULL); /* "" = AWS's own endpoint */
	CHECK(tags != NULL);
	aws_config_free(&ac);
	tf_value_free(tags);
	tf_diags_free(&d);
	tf_value_free(cfg);
}

static void test_provider_config__unknown_is_an_error_at_its_path(void)
{
	tf_value *cfg = provider_block(NULL), *tags = NULL;
	tf_value *role = tf_value_index(tf_value_attr(cfg, "assume_role"), 0);
	aws_config ac;
	tf_diags d;
	char *path;

	tf_value_set_attr(role, "role_arn", tf_value_unknown(&tf_type_string));
	tf_diags_init(&d);
	CHECK(schema_provider_config(cfg, &ac, &tags, &d) < 0);
	CHECK(d.n == 1 && strcmp(d.items[0].summary, "Provider attribute not known") == 0);
	path = d.n ? tf_path_string(&d.items[0].path) : NULL;
	CHECK_STR(path, "assume_role[0].role_arn");
	free(path);
	aws_config_free(&ac);
	tf_diags_free(&d);
	tf_value_free(cfg);
}

int main(void)
{
	RUN(test_provider_config__duration_validate_equals_configure);
	RUN(test_provider_config__every_attribute);
	RUN(test_provider_config__unknown_is_an_error_at_its_path);
	return unit_summary();
}
