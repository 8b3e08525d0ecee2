/*
 * names.h - validators of the names SSM takes: tag keys and values, patch
 * group names and IANA time zone names.
 *
 * Tag keys, tag values and patch groups share SSM's pattern
 * ^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$ (botocore's model): letters, numbers and
 * space separators of any script, and the seven punctuation characters
 * _ . : / = + - @. Lengths: tag keys 1 to 128, tag values 1 to 256, patch
 * groups 1 to 256 characters (the model's min/max, SSM_MIN_/SSM_MAX_ in
 * ssm_enums.h). A resource carries at most SCHEMA_MAX_TAGS tags.
 *
 * Time zones: the zone and link names of Debian's tzdata, a table generated at
 * build time (tools/gen_timezones.py); names are case-sensitive, as in the
 * IANA database.
 *
 * Every check appends an error at the value's path (tag keys: at
 * tags["<key>"]) naming what is allowed.
 */
#ifndef SSMPATCH_SCHEMA_NAMES_H
#define SSMPATCH_SCHEMA_NAMES_H

#include <stdbool.h>

#include "core/diag.h"
#include "core/value.h"

/* Tags per resource: AWS's tagging limit (TooManyTagsError beyond it). The
 * model's TagList maximum of 1000 is per request, not per resource. */
#define SCHEMA_MAX_TAGS 50

/* The `tags` and `tags_all` attributes of a taggable resource (two rows of a
 * schema_attr table); `what` names it in the descriptions ("patch baseline").
 * Needs ssm_enums.h. */
#define SCHEMA_TAG_ATTRS(what)                                                                   \
	{.name = "tags",                                                                         \
	 .type = SCHEMA_T_MAP_STRING,                                                            \
	 .flags = SCHEMA_OPTIONAL,                                                               \
	 .description = "Tags of the " what " (merged over the provider's `default_tags`): at "  \
			"most 50; keys 1 to 128 and values 1 to 256 characters of letters, "     \
			"numbers, spaces and `_ . : / = + - @`; keys not starting with `aws:`.", \
	 .min_len = SSM_MIN_TAG_VALUE,                                                           \
	 .max_len = SSM_MAX_TAG_VALUE,                                                           \
	 .max_items = SCHEMA_MAX_TAGS,                                                           \
	 .check = schema_check_ssm_name},                                                        \
	{                                                                                        \
		.name = "tags_all", .type = SCHEMA_T_MAP_STRING, .flags = SCHEMA_COMPUTED,       \
		.description =                                                                   \
			"All tags of the " what ": `tags` over the provider's `default_tags`."   \
	}

/* Is s (UTF-8) made only of characters of SSM's name pattern above? */
bool schema_ssm_name_chars(const char *s);

/* Is s an IANA time zone name tzdata knows? */
bool schema_timezone_known(const char *s);

/* Attribute checks (schema_check_fn): a tag value or patch group name (the
 * pattern), a time zone name. */
void schema_check_ssm_name(const tf_value *v, const tf_path *path, tf_diags *d);
void schema_check_timezone(const tf_value *v, const tf_path *path, tf_diags *d);

/*
 * Keys of the map attribute `attr` of obj (a tags map): 1 to 128 characters of
 * the pattern, not starting with the reserved "aws:" prefix. Errors at
 * attr["key"].
 */
void schema_check_tag_keys(const tf_value *obj, const char *attr, const tf_path *path, tf_diags *d);

#endif
