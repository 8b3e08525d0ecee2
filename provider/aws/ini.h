/*
 * ini.h - the AWS shared config and credentials files' INI dialect, parsed.
 *
 * "[section]" headers, "key = value" lines, '#' and ';' comment lines;
 * key names lower-cased as Python's configparser does (botocore reads the
 * files with it); values trimmed, no inline comments. Indented "sub = value"
 * lines under a key with an empty value are nested settings, stored as
 * "key.sub" ("ssm =\n  endpoint_url = ..." in a [services x] section gives
 * "ssm.endpoint_url"); other indented lines (continuations) are ignored.
 * Values are secrets (they may be keys) and are zeroed when freed.
 */
#ifndef SSMPATCH_AWS_INI_H
#define SSMPATCH_AWS_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "aws.h"

#define AWS_INI_MAX_FILE (1024 * 1024) /* larger shared files are rejected */

typedef struct aws_ini aws_ini;

/* Load files in order; missing files are skipped; a later file's key overrides
 * an earlier one's in the same section. Returns 0 or AWS_ERR_CONFIG (unreadable
 * or too large file). *out is never NULL on success. */
int aws_ini_load(aws_ini **out, char *const *files, size_t n, aws_error *err);
void aws_ini_free(aws_ini *ini);
bool aws_ini_has_section(const aws_ini *ini, const char *section);
/* Borrowed value or NULL. */
const char *aws_ini_get(const aws_ini *ini, const char *section, const char *key);

#endif
