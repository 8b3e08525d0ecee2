/*
 * resource.c - the resource skeleton (resource.h): create, read, update,
 * delete, plan and import of any resource, driven by its res_def, and the
 * find/expand/flatten that resources and data sources share.
 *
 * Every operation starts from the object it is about (planned or prior), and
 * that object says where it lives: its `region` (SCHEMA_REGION_ATTR), or the
 * provider's region when it has none. scope() turns that into the provider
 * context whose AWS client is the one of that region (made once, kept by the
 * provider's client), and every call about the object, hooks included, runs
 * in it; the state records the region. Import IDs take "@region" at the end.
 */
#include "resource.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "common.h"
#include "schema/names.h"

#define MOD "provider.resource"

void res_found_free(res_found *f)
{
	free(f->region);
	json_decref(f->api);
	json_decref(f->more);
	tf_value_free(f->tags_all);
	free(f->arn);
	memset(f, 0, sizeof(*f));
}

/* How many parts the object's key has. */
static size_t n_keys(const res_def *def)
{
	return def->keys[RES_MAX_KEYS - 1].attr ? RES_MAX_KEYS : 1;
}

/* The object's own ID attribute (the last key part). */
static const char *id_attr(const res_def *def)
{
	return def->keys[n_keys(def) - 1].attr;
}

/*
 * The key members of obj into req: all parts, or (create) all but the object's
 * own ID. Returns 0, AWS_ERR_NOT_FOUND when a part is null or empty (no such
 * object to address), or AWS_ERR_OTHER on ENOMEM; no diagnostic.
 */
static int put_key(const res_def *def, const tf_value *obj, bool create, json_t *req)
{
	size_t n = create ? n_keys(def) - 1 : n_keys(def);

	for (size_t i = 0; i < n; i++) {
		const char *s = tf_value_attr_str(obj, def->keys[i].attr);

		if (!s || !*s)
			return AWS_ERR_NOT_FOUND;
		if (json_object_set_new(req, def->keys[i].member, json_string(s)) < 0)
			return AWS_ERR_OTHER;
	}
	return 0;
}

/* def->what with a capital: "Patch baseline". */
static void what_capitalized(const res_def *def, char *out, size_t cap)
{
	snprintf(out, cap, "%s", def->what);
	out[0] = (char)toupper((unsigned char)out[0]);
}

/* ---------------------------------------------------------------- the object's region */

/* Does def's type have the per-object region (SCHEMA_REGION_ATTR)? */
static bool has_region(const res_def *def)
{
	return schema_find_attr(def->schema->block, "region") != NULL;
}

int res_scope(const schema_block *b, const provider_ctx *p, const tf_value *obj, provider_ctx *out,
	      tf_diags *d)
{
	const char *region =
		schema_find_attr(b, "region") ? tf_value_attr_str(obj, "region") : NULL;
	aws_error err;

	*out = *p;
	if (!region || !*region)
		return 0;
	memset(&err, 0, sizeof(err));
	if (!(out->aws = aws_client_for_region(p->aws, region, &err))) {
		out->aws = p->aws;
		tf_diags_error_at(d, "region", "Invalid region", "%s", err.message);
		return AWS_ERR_CONFIG;
	}
	return 0;
}

/* The object's scope (res_scope on def's block). */
static int scope(const res_def *def, const provider_ctx *p, const tf_value *obj, provider_ctx *out,
		 tf_diags *d)
{
	return res_scope(def->schema->block, p, obj, out, d);
}

int resource_plan_region(const res_def *def, const provider_ctx *p, const tf_value *config,
			 tf_value *planned)
{
	const tf_value *want = tf_value_attr(config, "region");

	if (!has_region(def) || !tf_value_is_null(want))
		return 0; /* set (or unknown) in the configuration: as proposed */
	return res_set_str(planned, "region", aws_client_region(p->aws));
}

int resource_region_fill(const res_def *def, const provider_ctx *p, tf_value *state)
{
	if (!has_region(def) || !tf_value_is_null(tf_value_attr(state, "region")))
		return 0;
	return res_set_str(state, "region", aws_client_region(p->aws));
}

/* ---------------------------------------------------------------- find, expand, flatten */

int res_find_get(provider_ctx *p, const res_def *def, const json_t *key, res_found *f, tf_diags *d)
{
	return res_get(p, def->op.get, json_deep_copy(key), &f->api, NULL, d);
}

/* arn for `id`: the ID itself when it is an ARN (an AWS-owned patch baseline,
 * which the data source finds), obj's own arn when it already names this
 * object, else built. */
static int find_arn(const res_def *def, provider_ctx *p, const tf_value *obj, const char *id,
		    char **out, tf_diags *d)
{
	const char *parn = tf_value_attr_str(obj, "arn"), *own = NULL;
	size_t pl = parn ? strlen(parn) : 0, il = strlen(id), kl = strlen(def->arn_kind);

	if (strncmp(id, "arn:", 4) == 0)
		own = id;
	else if (parn && pl > il + kl + 1 && strcmp(parn + pl - il, id) == 0 &&
		 parn[pl - il - 1] == '/' &&
		 strncmp(parn + pl - il - kl - 1, def->arn_kind, kl) == 0)
		own = parn;
	if (!own)
		return res_arn(p, def->arn_kind, id, out, d);
	if (!(*out = strdup(own))) {
		res_diag_internal(d, "ARN", NULL);
		return AWS_ERR_OTHER;
	}
	return 0;
}

int resource_find(const res_def *def, provider_ctx *p, const tf_value *obj, res_found *f,
		  tf_diags *d)
{
	const char *id = tf_value_attr_str(obj, id_attr(def));
	json_t *key = json_object();
	provider_ctx scoped;
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = scope(def, p, obj, &scoped, d)) != 0)
		goto done;
	p = &scoped;
	if (has_region(def) && !(f->region = strdup(aws_client_region(p->aws)))) {
		res_diag_internal(d, def->op.get, NULL);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	if (!key || (rc = put_key(def, obj, false, key)) == AWS_ERR_OTHER) {
		res_diag_internal(d, def->op.get, NULL);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	if (rc != 0)
		goto done; /* nothing to look for: gone */
	rc = def->find ? def->find(p, def, key, f, d) : res_find_get(p, def, key, f, d);
	if (rc == 0 && def->tag_type)
		rc = res_tags_read(p, def->tag_type, id, &f->tags_all, d);
	if (rc == 0 && def->arn_kind)
		rc = find_arn(def, p, obj, id, &f->arn, d);
done:
	if (rc != 0)
		res_found_free(f);
	json_decref(key);
	return rc;
}

int resource_expand(const res_def *def, const tf_value *obj, res_phase phase, json_t *req)
{
	if (res_map_expand(def->map, obj, phase, req) < 0)
		return -1;
	return def->expand ? def->expand(obj, phase, req) : 0;
}

int resource_flatten(const res_def *def, const provider_ctx *p, const res_found *f,
		     const tf_value *prior, tf_value **out)
{
	tf_value *o = schema_new_object(def->schema->block);

	*out = NULL;
	if (!o)
		return -1;
	for (size_t i = 0; i < n_keys(def); i++)
		if (res_set_attr(o, def->keys[i].attr, res_tf_str(f->api, def->keys[i].member)) < 0)
			goto fail;
	if (def->arn_kind && res_set_str(o, "arn", f->arn) < 0)
		goto fail;
	if (has_region(def) && res_set_str(o, "region",
					   f->region     ? f->region
					   : p && p->aws ? aws_client_region(p->aws)
							 : NULL) < 0)
		goto fail;
	if (def->tag_type &&
	    (res_set_attr(o, "tags",
			  res_tags_from_all(p, f->tags_all, tf_value_attr(prior, "tags"))) < 0 ||
	     res_set_attr(o, "tags_all",
			  f->tags_all ? tf_value_clone(f->tags_all)
				      : tf_value_empty(res_type_string_map())) < 0))
		goto fail;
	if (res_map_flatten(def->map, def->schema->block, f->api, prior, o) < 0 ||
	    (def->flatten && def->flatten(f, prior, o) < 0))
		goto fail;
	*out = o;
	return 0;
fail:
	tf_value_free(o);
	return -1;
}

/* ---------------------------------------------------------------- read */

int resource_read(const res_def *def, provider_ctx *p, const tf_value *prior, tf_value **out,
		  tf_diags *d)
{
	res_found f;
	int rc;

	*out = NULL;
	rc = resource_find(def, p, prior, &f, d);
	if (rc == AWS_ERR_NOT_FOUND)
		return 0; /* gone: Terraform plans a create */
	if (rc != 0)
		return rc;
	if (resource_flatten(def, p, &f, prior, out) < 0) {
		res_diag_internal(d, def->op.get, "reading the answer");
		rc = AWS_ERR_OTHER;
	}
	res_found_free(&f);
	return rc;
}

/* Waits between read-back attempts of a just-written object not found yet. */
static const long read_after_write_waits_ms[] = {250, 500, 1000, 2000};
#define READ_AFTER_WRITE_ATTEMPTS \
	(sizeof(read_after_write_waits_ms) / sizeof(read_after_write_waits_ms[0]) + 1)

/* res_read_back (retry false: one attempt) and res_read_after_write. */
static int read_back(const res_def *def, provider_ctx *p, const tf_value *fallback, const char *id,
		     bool retry, tf_value **out, tf_diags *d)
{
	tf_value *st = tf_value_clone(fallback);
	size_t attempt = 0;
	long waited = 0;
	char what[64];
	int rc;

	*out = NULL;
	what_capitalized(def, what, sizeof(what));
	if (!st || res_set_str(st, id_attr(def), id) < 0) {
		tf_value_free(st);
		res_diag_internal(d, "state after apply", NULL);
		return AWS_ERR_OTHER;
	}
	for (;;) {
		rc = resource_read(def, p, st, out, d);
		if (rc < 0 || *out || !retry)
			break;
		if (++attempt == READ_AFTER_WRITE_ATTEMPTS) {
			tf_diags_add(
				d, TF_DIAG_WARNING, NULL, "Object not readable yet",
				"%s %s was written, but reading it back found nothing in %zu attempts "
				"over %.2f s (SSM is eventually consistent). The state records it with "
				"the configured values; the next plan reads it again, and shows it as "
				"gone if it really is.",
				what, id, attempt, (double)waited / 1000.0);
			break;
		}
		rc = aws_sleep_ms(read_after_write_waits_ms[attempt - 1]);
		if (rc != 0) {
			tf_diags_error(
				d, NULL, "Stopped",
				"Terraform stopped the provider while it waited for %s %s to become "
				"readable; the state records it with the configured values.",
				what, id);
			break;
		}
		waited += read_after_write_waits_ms[attempt - 1];
	}
	if (rc < 0 || !*out) {
		tf_value_free(*out);
		res_unknown_to_null(st);
		*out = st;
		return rc < 0 ? rc : 0;
	}
	tf_value_free(st);
	return 0;
}

int res_read_back(const res_def *def, provider_ctx *p, const tf_value *fallback, const char *id,
		  tf_value **out, tf_diags *d)
{
	tf_diags scratch;
	int rc;

	tf_diags_init(&scratch);
	rc = read_back(def, p, fallback, id, false, out, d ? d : &scratch);
	tf_diags_free(&scratch);
	return rc;
}

int res_read_after_write(const res_def *def, provider_ctx *p, const tf_value *fallback,
			 const char *id, tf_value **out, tf_diags *d)
{
	return read_back(def, p, fallback, id, true, out, d);
}

/* ---------------------------------------------------------------- create */

/* The create request: the mapped members, the key's outer parts, a ClientToken
 * (a retried create never makes two objects) and the tags. NULL on ENOMEM. */
static json_t *create_request(const res_def *def, provider_ctx *p, const tf_value *planned)
{
	json_t *req = json_object();
	tf_value *all = NULL;
	char token[37];

	res_client_token(token);
	if (!req || resource_expand(def, planned, RES_PHASE_CREATE, req) < 0 ||
	    put_key(def, planned, true, req) != 0 ||
	    json_object_set_new(req, "ClientToken", json_string(token)) < 0)
		goto fail;
	if (def->tag_type) {
		if (!(all = res_tags_all(p, tf_value_attr(planned, "tags"))))
			goto fail;
		if (tf_value_len(all) > 0 &&
		    json_object_set_new(req, "Tags", res_json_tag_list(all)) < 0)
			goto fail;
		tf_value_free(all);
	}
	return req;
fail:
	tf_value_free(all);
	json_decref(req);
	return NULL;
}

int resource_create(const res_def *def, provider_ctx *p, const tf_value *planned, tf_value **out,
		    tf_diags *d)
{
	const char *id_member = def->keys[n_keys(def) - 1].member;
	json_t *resp = NULL;
	provider_ctx scoped;
	char *id = NULL;
	int rc;

	*out = NULL;
	if ((rc = scope(def, p, planned, &scoped, d)) != 0)
		return rc;
	p = &scoped;
	rc = res_call(p, def->op.create, create_request(def, p, planned), &resp, NULL, d);
	if (rc != 0)
		goto done;
	if (!json_is_string(json_object_get(resp, id_member)) ||
	    !(id = strdup(json_string_value(json_object_get(resp, id_member))))) {
		tf_diags_error(d, NULL, "Created object has no ID",
			       "%s answered without %s; the %s may exist without being tracked in "
			       "the state.",
			       def->op.create, id_member, def->what);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	LOG_D(MOD, "%s: created %s", def->what, id);
	/* From here on the object exists: every failure returns it in *out. */
	if (def->after_create && (rc = def->after_create(p, id, planned, d)) != 0) {
		res_read_back(def, p, planned, id, out, NULL);
		goto done;
	}
	rc = res_read_after_write(def, p, planned, id, out, d);
done:
	json_decref(resp);
	free(id);
	return rc;
}

/* ---------------------------------------------------------------- update */

/*
 * The update call, only when a member differs between prior and planned: the
 * whole object with Replace=true (a member left out is cleared). Returns 0
 * or an error with a diagnostic.
 */
static int update_if_changed(const res_def *def, provider_ctx *p, const tf_value *prior,
			     const tf_value *planned, tf_diags *d)
{
	json_t *old_req = json_object(), *new_req = json_object();
	int rc = 0;

	if (!old_req || !new_req || resource_expand(def, prior, RES_PHASE_UPDATE, old_req) < 0 ||
	    resource_expand(def, planned, RES_PHASE_UPDATE, new_req) < 0)
		goto oom;
	if (json_equal(old_req, new_req))
		goto done;
	if (put_key(def, prior, false, new_req) != 0 ||
	    json_object_set_new(new_req, "Replace", json_true()) < 0)
		goto oom;
	rc = res_call(p, def->op.update, json_incref(new_req), NULL, NULL, d);
	goto done;
oom:
	res_diag_internal(d, def->op.update, NULL);
	rc = AWS_ERR_OTHER;
done:
	json_decref(old_req);
	json_decref(new_req);
	return rc;
}

int resource_update(const res_def *def, provider_ctx *p, const tf_value *prior,
		    const tf_value *planned, tf_value **out, tf_diags *d)
{
	const char *id = tf_value_attr_str(prior, id_attr(def));
	provider_ctx scoped;
	tf_value *all = NULL;
	int rc;

	*out = NULL;
	if (!id) {
		tf_diags_error(d, NULL, "Object has no ID", "The prior state of the %s has no %s.",
			       def->what, id_attr(def));
		return AWS_ERR_OTHER;
	}
	/* A changed region plans a replacement: prior and planned agree here. */
	if ((rc = scope(def, p, planned, &scoped, d)) != 0)
		return rc;
	p = &scoped;
	rc = update_if_changed(def, p, prior, planned, d);
	if (rc == 0 && def->after_update)
		rc = def->after_update(p, prior, planned, d);
	if (rc == 0 && def->tag_type) {
		if (!(all = res_tags_all(p, tf_value_attr(planned, "tags")))) {
			res_diag_internal(d, "tags update", NULL);
			rc = AWS_ERR_OTHER;
		} else {
			rc = res_tags_update(p, def->tag_type, id, tf_value_attr(prior, "tags_all"),
					     all, d);
		}
	}
	if (rc == 0)
		rc = res_read_after_write(def, p, planned, id, out, d);
	else /* the object as it now is, with the error */
		res_read_back(def, p, prior, id, out, NULL);
	tf_value_free(all);
	return rc;
}

/* ---------------------------------------------------------------- delete, plan, import */

int resource_delete(const res_def *def, provider_ctx *p, const tf_value *prior, tf_diags *d)
{
	provider_ctx scoped;
	json_t *req;
	int rc;

	if ((rc = scope(def, p, prior, &scoped, d)) != 0)
		return rc;
	p = &scoped;
	if (def->before_delete) {
		rc = def->before_delete(p, prior, d);
		if (rc != 0)
			return rc == AWS_ERR_NOT_FOUND ? 0 : rc;
	}
	req = json_object();
	if (req && (rc = put_key(def, prior, false, req)) != 0) {
		json_decref(req);
		if (rc == AWS_ERR_NOT_FOUND)
			return 0; /* no ID: nothing was ever made */
		req = NULL;
	}
	/* Already gone (or its window is): success. */
	return res_delete(p, def->op.destroy, req, d);
}

int resource_plan(const res_def *def, provider_ctx *p, const tf_value *prior,
		  const tf_value *config, tf_value *planned, tf_diags *d)
{
	const tf_value *all;
	provider_ctx scoped;
	int rc;

	if ((rc = scope(def, p, planned, &scoped, d)) != 0)
		return rc;
	p = &scoped;
	if (def->tag_type && res_plan_tags_all(p, planned) < 0) {
		res_diag_internal(d, "planning tags_all", NULL);
		return -1;
	}
	/* Validation counts `tags` alone; with the provider's default_tags the
	 * object may carry more than SSM takes (TooManyTagsError at apply). */
	all = tf_value_attr(planned, "tags_all");
	if (def->tag_type && tf_value_len(all) > SCHEMA_MAX_TAGS) {
		tf_diags_error_at(d, "tags", "Too many tags",
				  "tags and the provider's default_tags together give this %s %zu "
				  "tags; SSM allows %d per resource.",
				  def->what, tf_value_len(all), SCHEMA_MAX_TAGS);
		return -1;
	}
	return def->plan ? def->plan(p, prior, config, planned, d) : 0;
}

/* Does `part` (n bytes) fit key part k: not empty, at most 128 bytes, and if
 * k has a prefix, that prefix and then letters and digits only? */
static bool id_part_ok(const res_key *k, const char *part, size_t n)
{
	size_t i, pl = k->prefix ? strlen(k->prefix) : 0;

	if (n == 0 || n > 128 || (pl && (n <= pl || strncmp(part, k->prefix, pl) != 0)))
		return false;
	for (i = pl; pl && i < n; i++)
		if (!isalnum((unsigned char)part[i]))
			return false;
	return true;
}

/* The import ID's format, for the diagnostic: a prefixed single ID, or the
 * parts "<window_id>/<window_target_id>". */
static void import_format_error(const res_def *def, const char *id, tf_diags *d)
{
	const res_key *k = def->keys;

	if (n_keys(def) == 1)
		tf_diags_error(
			d, NULL, "Invalid import ID",
			"Expected a %s ID of the form %s<hex digits> (e.g. %s0123456789abcdef0), "
			"got \"%s\".",
			def->what, k[0].prefix, k[0].prefix, strlen(id) > 128 ? "(too long)" : id);
	else
		tf_diags_error(
			d, NULL, "Invalid import ID",
			"Expected \"<%s>/<%s>\", e.g. "
			"\"mw-0123456789abcdef0/1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f\"; got \"%s\".",
			k[0].name ? k[0].name : k[0].attr, k[1].name ? k[1].name : k[1].attr,
			strlen(id) > 300 ? "(too long)" : id);
}

int resource_import(const res_def *def, const char *id, tf_value **out, tf_diags *d)
{
	const char *at = has_region(def) ? strrchr(id, '@') : NULL;
	char *own = NULL;
	const char *part = id;
	tf_value *st;

	*out = NULL;
	if (!(st = schema_new_object(def->schema->block)))
		goto oom;
	if (at) { /* "<ID>@<region>": the object lives in that region */
		if (!aws_region_name_ok(at + 1)) {
			tf_value_free(st);
			tf_diags_error(d, NULL, "Invalid import ID",
				       "\"%s\" after \"@\" is not an AWS region name (e.g. "
				       "\"<ID>@eu-west-1\").",
				       strlen(at + 1) > 64 ? "(too long)" : at + 1);
			return AWS_ERR_VALIDATION;
		}
		if (res_set_str(st, "region", at + 1) < 0 ||
		    !(own = strndup(id, (size_t)(at - id))))
			goto oom;
		part = id = own;
	}
	for (size_t i = 0; i < n_keys(def); i++) {
		const char *slash = strchr(part, '/');
		bool last = i + 1 == n_keys(def);
		size_t n = last ? strlen(part) : slash ? (size_t)(slash - part) : 0;

		if ((last ? slash != NULL : !slash) || !id_part_ok(&def->keys[i], part, n)) {
			tf_value_free(st);
			import_format_error(def, id, d);
			free(own);
			return AWS_ERR_VALIDATION;
		}
		if (res_set_attr(st, def->keys[i].attr, tf_value_string_len(part, n)) < 0)
			goto oom;
		part += n + 1;
	}
	free(own);
	*out = st;
	return 0;
oom:
	free(own);
	tf_value_free(st);
	res_diag_internal(d, "import", NULL);
	return AWS_ERR_OTHER;
}
