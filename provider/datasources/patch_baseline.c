/*
 * patch_baseline.c - data source ssmpatch_patch_baseline: one patch baseline
 * found by filters, returned with every attribute of the resource.
 *
 * API calls:
 *   DescribePatchBaselines (OWNER, and OPERATING_SYSTEM when given; all pages)
 *   lists the candidates; name, name_prefix and default_baseline are applied
 *   here, so an error can list the baselines the filters came close to. The
 *   one left is then read exactly as the resource reads it (resource_find +
 *   resource_flatten of res_patch_baseline_def): GetPatchBaseline,
 *   GetDefaultPatchBaseline, ListTagsForResource.
 *
 * Quirks:
 * - AWS-owned baselines are addressed by their full ARN only (the API
 *   reference of GetPatchBaseline), so their ID is the ARN; they carry no
 *   tags (ListTagsForResource answers InvalidResourceId), so none are read.
 * - Unlike the resource, empty collections read as empty, not null: a data
 *   source has no configuration to keep null, and length() of null fails.
 */
#include "datasource.h"

#include <stdio.h>
#include <string.h>

#include "../core/buf.h"
#include "../resources/common.h"
#include "schema/schema_tables.h"

/* Candidates named in a "no match" or "several match" error. */
#define PB_MAX_LISTED 10

typedef struct {
	const char *owner, *name, *prefix, *os;
	const tf_value *dflt; /* bool or null */
} pb_filters;

static bool pb_matches(const pb_filters *f, const json_t *ident)
{
	const char *name = json_string_value(json_object_get(ident, "BaselineName"));
	const char *os = json_string_value(json_object_get(ident, "OperatingSystem"));

	if (!name || (f->name && strcmp(name, f->name) != 0) ||
	    (f->prefix && strncmp(name, f->prefix, strlen(f->prefix)) != 0) ||
	    (f->os && (!os || strcmp(os, f->os) != 0)))
		return false;
	return tf_value_is_null(f->dflt) ||
	       json_is_true(json_object_get(ident, "DefaultBaseline")) == f->dflt->u.b;
}

/* `owner = "All", name_prefix = "stg-"`: the filters the user set. */
static void pb_describe_filters(buf *b, const pb_filters *f)
{
	buf_printf(b, "owner = \"%s\"", f->owner);
	if (f->name)
		buf_printf(b, ", name = \"%s\"", f->name);
	if (f->prefix)
		buf_printf(b, ", name_prefix = \"%s\"", f->prefix);
	if (f->os)
		buf_printf(b, ", operating_system = \"%s\"", f->os);
	if (!tf_value_is_null(f->dflt))
		buf_printf(b, ", default_baseline = %s", f->dflt->u.b ? "true" : "false");
}

/* "A (id), B (id) and 3 more" for the baselines of `list` (all, or those
 * matching f). */
static void pb_list(buf *b, const json_t *list, const pb_filters *f)
{
	size_t i, shown = 0, total = 0;
	const json_t *e;

	json_array_foreach (list, i, e) {
		if (f && !pb_matches(f, e))
			continue;
		if (shown < PB_MAX_LISTED) {
			const char *name = json_string_value(json_object_get(e, "BaselineName"));
			const char *id = json_string_value(json_object_get(e, "BaselineId"));
			const char *os = json_string_value(json_object_get(e, "OperatingSystem"));

			buf_printf(b, "%s%s (%s%s%s%s)", shown ? ", " : "", name ? name : "?",
				   id ? id : "?", os ? ", " : "", os ? os : "",
				   json_is_true(json_object_get(e, "DefaultBaseline")) ? ", default"
										       : "");
			shown++;
		}
		total++;
	}
	if (total > shown)
		buf_printf(b, " and %zu more", total - shown);
}

/* The error for no or several matches, listing candidates. */
static void pb_no_single(const pb_filters *f, const json_t *all, size_t matches, tf_diags *d)
{
	buf b = BUF_INIT;
	char *text;

	if (matches == 0) {
		buf_puts(&b, "No patch baseline matches ");
		pb_describe_filters(&b, f);
		if (json_array_size(all) == 0) {
			buf_printf(&b, ": there is no baseline of owner %s%s%s.", f->owner,
				   f->os ? " for " : "", f->os ? f->os : "");
		} else {
			buf_printf(&b, ". The baselines of owner %s%s%s are: ", f->owner,
				   f->os ? " for " : "", f->os ? f->os : "");
			pb_list(&b, all, NULL);
			buf_putc(&b, '.');
		}
	} else {
		buf_printf(&b, "%zu patch baselines match ", matches);
		pb_describe_filters(&b, f);
		buf_puts(&b, ": ");
		pb_list(&b, all, f);
		buf_puts(&b, ". Narrow the filters (name, name_prefix, operating_system or "
			     "default_baseline) so that one is left.");
	}
	text = buf_detach(&b, NULL);
	tf_diags_error(d, NULL,
		       matches ? "Several patch baselines match" : "No patch baseline matches",
		       "%s", text ? text : "(out of memory)");
	free(text);
}

/* Copy the resource's attributes into the data source state: all of them,
 * except filters the user set; null collections become empty. */
static int pb_copy(const tf_value *found, tf_value *state)
{
	const schema_block *b = schema_data_patch_baseline.block;

	for (size_t i = 0; i < b->n_attrs; i++) {
		const schema_attr *a = &b->attrs[i];
		const tf_value *v = tf_value_attr(found, a->name);
		tf_value *c;

		if (!(a->flags & SCHEMA_COMPUTED) ||
		    !tf_value_is_null(tf_value_attr(state, a->name)))
			continue; /* a filter, or set by the user (and matched) */
		if (!v)
			continue;
		if (tf_value_is_null(v) && a->type != SCHEMA_T_STRING &&
		    a->type != SCHEMA_T_NUMBER && a->type != SCHEMA_T_BOOL)
			c = tf_value_empty(v->type);
		else
			c = tf_value_clone(v);
		if (res_set_attr(state, a->name, c) < 0)
			return -1;
	}
	return 0;
}

/* Read the baseline `id` as the resource does, into state. */
static int pb_read_one(provider_ctx *p, const char *id, tf_value *state, tf_diags *d)
{
	res_def def = res_patch_baseline_def;
	tf_value *key = schema_new_object(def.schema->block), *found = NULL;
	res_found f;
	int rc;

	if (strncmp(id, "arn:", 4) == 0)
		def.tag_type = NULL; /* AWS-owned: no tags */
	if (!key || res_set_str(key, "id", id) < 0) {
		tf_value_free(key);
		res_diag_internal(d, "GetPatchBaseline", NULL);
		return AWS_ERR_OTHER;
	}
	rc = resource_find(&def, p, key, &f, d);
	tf_value_free(key);
	if (rc == AWS_ERR_NOT_FOUND) {
		tf_diags_error(
			d, NULL, "Patch baseline disappeared",
			"Patch baseline %s was listed by DescribePatchBaselines but could not "
			"be read (deleted meanwhile?).",
			id);
		return rc;
	}
	if (rc != 0)
		return rc;
	if (resource_flatten(&def, p, &f, NULL, &found) < 0 || pb_copy(found, state) < 0) {
		res_diag_internal(d, "GetPatchBaseline", "reading the answer");
		rc = AWS_ERR_OTHER;
	}
	tf_value_free(found);
	res_found_free(&f);
	return rc;
}

static int pb_read(provider_ctx *p, tf_value *state, tf_diags *d)
{
	pb_filters f = {
		.owner = tf_value_attr_str(state, "owner"),
		.name = tf_value_attr_str(state, "name"),
		.prefix = tf_value_attr_str(state, "name_prefix"),
		.os = tf_value_attr_str(state, "operating_system"),
		.dflt = tf_value_attr(state, "default_baseline"),
	};
	json_t *req, *all = NULL;
	const json_t *one = NULL, *e;
	size_t i, matches = 0;
	int rc;

	if (!f.owner)
		f.owner = "All";
	req = json_pack("{s:[{s:s,s:[s]}]}", "Filters", "Key", "OWNER", "Values", f.owner);
	if (req && f.os)
		json_array_append_new(
			json_object_get(req, "Filters"),
			json_pack("{s:s,s:[s]}", "Key", "OPERATING_SYSTEM", "Values", f.os));
	rc = ds_pages(p, "DescribePatchBaselines", req, "BaselineIdentities", 100, 0, &all, NULL,
		      d);
	if (rc != 0)
		return rc;
	json_array_foreach (all, i, e) {
		if (pb_matches(&f, e)) {
			one = e;
			matches++;
		}
	}
	if (matches != 1) {
		pb_no_single(&f, all, matches, d);
		rc = AWS_ERR_NOT_FOUND;
	} else if (!json_is_string(json_object_get(one, "BaselineId"))) {
		res_diag_internal(d, "DescribePatchBaselines", "a baseline without BaselineId");
		rc = AWS_ERR_OTHER;
	} else {
		rc = pb_read_one(p, json_string_value(json_object_get(one, "BaselineId")), state,
				 d);
	}
	json_decref(all);
	return rc;
}

const ds_def ds_patch_baseline_def = {
	.schema = &schema_data_patch_baseline,
	.read = pb_read,
};
