/*
 * provider_config.h - the provider block (provider "ssmpatch") as the AWS
 * client's settings. Defined in schema/provider.c next to the block's table,
 * so the attribute names live in one file and the engine stays generic: it
 * calls schema_provider_config and hands the result to aws_client_new.
 */
#ifndef SSMPATCH_PROVIDER_CONFIG_H
#define SSMPATCH_PROVIDER_CONFIG_H

#include <stdint.h>

#include "aws/aws.h"
#include "core/diag.h"
#include "core/value.h"

/*
 * Map a validated provider block to *out (initialised here; free with
 * aws_config_free even on failure) and *default_tags (a new map value or
 * NULL). A value only known after apply, or a malformed one, is an error
 * diagnostic at its attribute path. Returns 0 or -1.
 */
int schema_provider_config(const tf_value *config, aws_config *out, tf_value **default_tags,
			   tf_diags *d);

/*
 * An assume_role `duration` as whole seconds: the Go duration syntax
 * (core/duration.h), not negative, fractions of a second dropped (as the AWS
 * provider does). The schema check and schema_provider_config both use it.
 * 0, or -1 with a reason in why[DURATION_WHY_MAX].
 */
int schema_provider_duration(const char *s, int64_t *secs, char *why);

#endif
