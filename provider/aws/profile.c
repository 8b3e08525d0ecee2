/*
 * profile.c - the shared config/credentials files and profile look-ups
 * (contract in profile.h).
 */
#include "profile.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"

static char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (h && *h)
		return strdup(h);
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_dir)
		return strdup(res->pw_dir);
	return strdup("/");
}

char *aws_expand_home(const char *p)
{
	char *home, *out;
	size_t n;

	if (strncmp(p, "~/", 2) != 0 && strcmp(p, "~") != 0)
		return strdup(p);
	if (!(home = home_dir()))
		return NULL;
	n = strlen(home) + strlen(p) + 1;
	if ((out = malloc(n)))
		snprintf(out, n, "%s%s", home, p + 1);
	free(home);
	return out;
}

/* Files to read: the provider list, else the environment variable, else dflt. */
static int load_files(aws_ini **out, char *const *list, size_t n, const char *env, const char *dflt,
		      aws_error *err)
{
	char **paths = NULL;
	size_t np = 0, i;
	const char *e = getenv(env);
	int rc = AWS_ERR_OTHER;

	paths = calloc(n ? n : 1, sizeof(char *));
	if (!paths)
		goto oom;
	if (n) {
		for (i = 0; i < n; i++, np++)
			if (!(paths[i] = aws_expand_home(list[i])))
				goto oom;
	} else {
		if (!(paths[0] = aws_expand_home(e && *e ? e : dflt)))
			goto oom;
		np = 1;
	}
	rc = aws_ini_load(out, paths, np, err);
	goto done;
oom:
	aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
done:
	for (i = 0; i < np; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

const char *aws_profile_config_get(const aws_profiles *p, const char *profile, const char *key)
{
	char sec[300];
	const char *v = NULL;

	if (snprintf(sec, sizeof(sec), "profile %s", profile) < (int)sizeof(sec))
		v = aws_ini_get(p->config, sec, key);
	if (!v && strcmp(profile, "default") == 0)
		v = aws_ini_get(p->config, "default", key);
	return v;
}

static bool config_has(const aws_profiles *p, const char *profile)
{
	char sec[300];

	if (snprintf(sec, sizeof(sec), "profile %s", profile) < (int)sizeof(sec) &&
	    aws_ini_has_section(p->config, sec))
		return true;
	return strcmp(profile, "default") == 0 && aws_ini_has_section(p->config, "default");
}

/* Credentials file first, then the config file (as the AWS SDKs do). */
const char *aws_profile_get(const aws_profiles *p, const char *profile, const char *key)
{
	const char *v = aws_ini_get(p->credentials, profile, key);

	return v ? v : aws_profile_config_get(p, profile, key);
}

bool aws_profile_exists(const aws_profiles *p, const char *name)
{
	return aws_ini_has_section(p->credentials, name) || config_has(p, name);
}

int aws_profiles_load(aws_profiles *p, const aws_config *cfg, aws_error *err)
{
	const char *v = cfg->profile && *cfg->profile ? cfg->profile : getenv("AWS_PROFILE");
	int rc;

	memset(p, 0, sizeof(*p));
	p->name_explicit = v && *v;
	if (!(p->name = strdup(p->name_explicit ? v : "default"))) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		return AWS_ERR_OTHER;
	}
	if ((rc = load_files(&p->config, cfg->shared_config_files, cfg->n_shared_config_files,
			     "AWS_CONFIG_FILE", "~/.aws/config", err)) != 0 ||
	    (rc = load_files(&p->credentials, cfg->shared_credentials_files,
			     cfg->n_shared_credentials_files, "AWS_SHARED_CREDENTIALS_FILE",
			     "~/.aws/credentials", err)) != 0)
		return rc;
	return 0;
}

void aws_profiles_free(aws_profiles *p)
{
	aws_ini_free(p->config);
	aws_ini_free(p->credentials);
	free(p->name);
	memset(p, 0, sizeof(*p));
}
