/*
 * profile.h - the AWS shared config and credentials files as the SDKs read
 * them: which files (provider lists, else AWS_CONFIG_FILE /
 * AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials),
 * which profile (provider `profile`, else AWS_PROFILE, else "default"), and
 * the look-up of a profile's keys.
 *
 * A profile "x" is the section "[x]" of the credentials files and
 * "[profile x]" of the config files ("[default]" in both for the default
 * profile).
 */
#ifndef SSMPATCH_AWS_PROFILE_H
#define SSMPATCH_AWS_PROFILE_H

#include <stdbool.h>

#include "aws.h"
#include "ini.h"

typedef struct {
	aws_ini *config; /* the shared config files */
	aws_ini *credentials; /* the shared credentials files */
	char *name; /* the selected profile */
	bool name_explicit; /* from the provider or AWS_PROFILE (not the default) */
} aws_profiles;

/* Read the files and pick the profile (no network). 0 or an aws_err. */
int aws_profiles_load(aws_profiles *p, const aws_config *cfg, aws_error *err);
void aws_profiles_free(aws_profiles *p);

/* Does profile `name` have a section in either kind of file? */
bool aws_profile_exists(const aws_profiles *p, const char *name);
/* A key of the profile's section in the config files. Borrowed or NULL. */
const char *aws_profile_config_get(const aws_profiles *p, const char *name, const char *key);
/* A key of the profile: the credentials files first, then the config files (as
 * the SDKs do). Borrowed or NULL. */
const char *aws_profile_get(const aws_profiles *p, const char *name, const char *key);

/* "~/x" -> "$HOME/x" (HOME, else the password database); anything else
 * copied. malloc'd or NULL. */
char *aws_expand_home(const char *path);

#endif
