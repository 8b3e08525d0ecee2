/*
 * common.c - helpers shared by the resource files (see common.h for the
 * contract of each): AWS error diagnostics, tags_all and tag diffs, ARNs,
 * client tokens, and the tf_value <-> JSON converters used by every
 * expand/flatten pair.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errno.h>
#include <sys/random.h>
#include <time.h>

#define RES_MAX_TAGS 1000

/* ---------------------------------------------------------------- errors */

/* The summary is what Terraform prints after "Error:", so it names the
 * operation and the AWS code; the detail adds the message (truncated to the
 * summary buffer's 256 bytes only in the summary). */
void res_diag_aws(tf_diags *d, const tf_path *path, const char *what, const aws_error *err)
{
	const char *code = err->aws_code[0] ? err->aws_code : aws_err_name(err->code);
	const char *op = err->operation[0] ? err->operation : what;
	char summary[256];

	snprintf(summary, sizeof(summary), "%s failed: %s", what, code);
	if (err->http_status)
		tf_diags_error(d, path, summary, "%s failed: %s: %s (operation %s, HTTP status %d)",
			       what, code, err->message, op, err->http_status);
	else
		tf_diags_error(d, path, summary, "%s failed: %s: %s (operation %s)", what, code,
			       err->message, op);
}

void res_diag_aws_at(tf_diags *d, const char *path_text, const char *what, const aws_error *err)
{
	tf_path path;

	tf_path_init(&path);
	if (path_text && tf_path_parse(&path, path_text) == 0)
		res_diag_aws(d, &path, what, err);
	else
		res_diag_aws(d, NULL, what, err);
	tf_path_free(&path);
}

void res_diag_internal(tf_diags *d, const char *what, const char *detail)
{
	tf_diags_error(d, NULL, "Provider internal error", "%s: %s", what,
		       detail ? detail : "out of memory");
}

/* ---------------------------------------------------------------- types */

const tf_type *res_type_string_list(void)
{
	return tf_type_list(&tf_type_string);
}
const tf_type *res_type_string_set(void)
{
	return tf_type_set(&tf_type_string);
}
const tf_type *res_type_string_map(void)
{
	return tf_type_map(&tf_type_string);
}

/* ---------------------------------------------------------------- expand */

/* json_object_set_new that reports failure (it frees `val` either way). */
static int put(json_t *obj, const char *key, json_t *val)
{
	if (!val)
		return -1;
	return json_object_set_new(obj, key, val) == 0 ? 0 : -1;
}

int res_json_put_str(json_t *obj, const char *key, const tf_value *v)
{
	if (!tf_value_is_known(v) || v->type->kind != TF_TYPE_STRING)
		return 0;
	return put(obj, key, json_stringn(v->u.str.s, v->u.str.len));
}

int res_json_put_int(json_t *obj, const char *key, const tf_value *v)
{
	int64_t n;

	if (!tf_value_is_known(v) || tf_value_number_as_i64(v, &n) != 0)
		return 0;
	return put(obj, key, json_integer((json_int_t)n));
}

int res_json_put_bool(json_t *obj, const char *key, const tf_value *v)
{
	if (!tf_value_is_known(v) || v->type->kind != TF_TYPE_BOOL)
		return 0;
	return put(obj, key, json_boolean(v->u.b));
}

json_t *res_json_strings(const tf_value *v)
{
	json_t *arr = json_array();
	size_t i;

	if (!arr || !tf_value_is_known(v))
		return arr;
	for (i = 0; i < tf_value_len(v); i++) {
		const tf_value *e = tf_value_index(v, i);

		if (!tf_value_is_known(e) || e->type->kind != TF_TYPE_STRING)
			continue;
		if (json_array_append_new(arr, json_stringn(e->u.str.s, e->u.str.len)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int res_json_put_strings(json_t *obj, const char *key, const tf_value *v)
{
	if (!tf_value_is_known(v))
		return 0;
	return put(obj, key, res_json_strings(v));
}

json_t *res_json_tag_list(const tf_value *map)
{
	json_t *arr = json_array();
	size_t i;

	if (!arr || !tf_value_is_known(map) || map->type->kind != TF_TYPE_MAP)
		return arr;
	for (i = 0; i < map->u.coll.n; i++) {
		const tf_value *e = map->u.coll.items[i];
		json_t *tag;

		if (!tf_value_is_known(e))
			continue;
		tag = json_pack("{s:s,s:s%}", "Key", map->u.coll.keys[i], "Value", e->u.str.s,
				e->u.str.len);
		if (!tag || json_array_append_new(arr, tag) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* ---------------------------------------------------------------- flatten */

tf_value *res_tf_str(const json_t *obj, const char *key)
{
	json_t *j = obj ? json_object_get(obj, key) : NULL;

	if (!json_is_string(j))
		return tf_value_null(&tf_type_string);
	return tf_value_string_len(json_string_value(j), json_string_length(j));
}

tf_value *res_tf_num(const json_t *obj, const char *key)
{
	json_t *j = obj ? json_object_get(obj, key) : NULL;

	if (json_is_integer(j))
		return tf_value_number_i64((int64_t)json_integer_value(j));
	if (json_is_real(j))
		return tf_value_number_double(json_real_value(j));
	return tf_value_null(&tf_type_number);
}

tf_value *res_tf_bool(const json_t *obj, const char *key)
{
	json_t *j = obj ? json_object_get(obj, key) : NULL;

	if (!json_is_boolean(j))
		return tf_value_null(&tf_type_bool);
	return tf_value_bool(json_is_true(j));
}

tf_value *res_tf_bool_or(const json_t *obj, const char *key, bool dflt)
{
	json_t *j = obj ? json_object_get(obj, key) : NULL;

	return tf_value_bool(json_is_boolean(j) ? json_is_true(j) : dflt);
}

tf_value *res_tf_strings(const json_t *arr, const tf_type *t, bool empty_as_null)
{
	tf_value *v;
	size_t i;

	if (empty_as_null && (!json_is_array(arr) || json_array_size(arr) == 0))
		return tf_value_null(t);
	v = tf_value_empty(t);
	if (!v || !json_is_array(arr))
		return v;
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		tf_value *s;

		if (!json_is_string(e))
			continue;
		s = tf_value_string_len(json_string_value(e), json_string_length(e));
		if (!s || tf_value_append(v, s) != 0) {
			tf_value_free(s);
			tf_value_free(v);
			return NULL;
		}
	}
	return v;
}

tf_value *res_tf_tag_map(const json_t *list)
{
	tf_value *m = tf_value_empty(res_type_string_map());
	size_t i;

	if (!m || !json_is_array(list))
		return m;
	for (i = 0; i < json_array_size(list) && i < RES_MAX_TAGS; i++) {
		json_t *t = json_array_get(list, i);
		json_t *k = json_object_get(t, "Key"), *val = json_object_get(t, "Value");
		tf_value *s;

		if (!json_is_string(k))
			continue;
		s = json_is_string(val)
			    ? tf_value_string_len(json_string_value(val), json_string_length(val))
			    : tf_value_string("");
		if (!s || tf_value_map_put(m, json_string_value(k), s) != 0) {
			tf_value_free(s);
			tf_value_free(m);
			return NULL;
		}
	}
	return m;
}

/* ---------------------------------------------------------------- tags */

/* Copy the known, non-null entries of map `src` into `dst`. */
static int map_overlay(tf_value *dst, const tf_value *src)
{
	size_t i;

	if (!tf_value_is_known(src) || src->type->kind != TF_TYPE_MAP)
		return 0;
	for (i = 0; i < src->u.coll.n; i++) {
		const tf_value *e = src->u.coll.items[i];
		tf_value *c;

		if (!tf_value_is_known(e))
			continue;
		c = tf_value_clone(e);
		if (!c || tf_value_map_put(dst, src->u.coll.keys[i], c) != 0) {
			tf_value_free(c);
			return -1;
		}
	}
	return 0;
}

tf_value *res_tags_all(const provider_ctx *p, const tf_value *tags)
{
	tf_value *all;

	if (tf_value_is_unknown(tags))
		return tf_value_unknown(res_type_string_map());
	all = tf_value_empty(res_type_string_map());
	if (!all)
		return NULL;
	if (map_overlay(all, p ? p->default_tags : NULL) != 0 || map_overlay(all, tags) != 0) {
		tf_value_free(all);
		return NULL;
	}
	return all;
}

int res_tags_read(provider_ctx *p, const char *resource_type, const char *id, tf_value **out,
		  tf_diags *d)
{
	json_t *resp = NULL;
	int rc = res_get(p, "ListTagsForResource",
			 json_pack("{s:s,s:s}", "ResourceType", resource_type, "ResourceId", id),
			 &resp, "tags", d);

	*out = NULL;
	if (rc == 0 && !(*out = res_tf_tag_map(json_object_get(resp, "TagList")))) {
		res_diag_internal(d, "ListTagsForResource", NULL);
		rc = AWS_ERR_OTHER;
	}
	json_decref(resp);
	return rc;
}

int res_tags_update(provider_ctx *p, const char *resource_type, const char *id,
		    const tf_value *old_all, const tf_value *new_all, tf_diags *d)
{
	json_t *keys = NULL, *add = NULL;
	size_t i;
	int rc = 0;

	keys = json_array();
	add = json_array();
	if (!keys || !add)
		goto oom;
	if (tf_value_is_known(old_all)) {
		for (i = 0; i < old_all->u.coll.n; i++) {
			const char *k = old_all->u.coll.keys[i];

			if (!tf_value_is_known(tf_value_map_get(new_all, k)) &&
			    json_array_append_new(keys, json_string(k)) != 0)
				goto oom;
		}
	}
	if (tf_value_is_known(new_all)) {
		for (i = 0; i < new_all->u.coll.n; i++) {
			const char *k = new_all->u.coll.keys[i];
			const tf_value *nv = new_all->u.coll.items[i];
			const tf_value *ov = tf_value_map_get(old_all, k);
			json_t *tag;

			if (!tf_value_is_known(nv) || (ov && tf_value_equal(ov, nv)))
				continue;
			tag = json_pack("{s:s,s:s%}", "Key", k, "Value", nv->u.str.s,
					nv->u.str.len);
			if (!tag || json_array_append_new(add, tag) != 0)
				goto oom;
		}
	}

	if (json_array_size(keys) > 0 &&
	    (rc = res_call(p, "RemoveTagsFromResource",
			   json_pack("{s:s,s:s,s:O}", "ResourceType", resource_type, "ResourceId",
				     id, "TagKeys", keys),
			   NULL, "tags", d)) != 0)
		goto done;
	if (json_array_size(add) > 0)
		rc = res_call(p, "AddTagsToResource",
			      json_pack("{s:s,s:s,s:O}", "ResourceType", resource_type,
					"ResourceId", id, "Tags", add),
			      NULL, "tags", d);
	goto done;
oom:
	res_diag_internal(d, "tags update", NULL);
	rc = AWS_ERR_OTHER;
done:
	json_decref(keys);
	json_decref(add);
	return rc;
}

tf_value *res_tags_from_all(const provider_ctx *p, const tf_value *all, const tf_value *prior_tags)
{
	tf_value *tags = tf_value_empty(res_type_string_map());
	const tf_value *dflt = p ? p->default_tags : NULL;
	size_t i;

	if (!tags)
		return NULL;
	for (i = 0; tf_value_is_known(all) && i < all->u.coll.n; i++) {
		const char *k = all->u.coll.keys[i];
		const tf_value *v = all->u.coll.items[i];
		const tf_value *dv = tf_value_is_known(dflt) ? tf_value_map_get(dflt, k) : NULL;
		bool mine = tf_value_is_known(tf_value_map_get(prior_tags, k));
		tf_value *c;

		/* A default tag the user did not set themselves stays out of `tags`. */
		if (!mine && tf_value_is_known(dv) && tf_value_equal(dv, v))
			continue;
		c = tf_value_clone(v);
		if (!c || tf_value_map_put(tags, k, c) != 0) {
			tf_value_free(c);
			tf_value_free(tags);
			return NULL;
		}
	}
	if (tags->u.coll.n == 0 && !tf_value_is_known(prior_tags)) {
		tf_value_free(tags);
		return tf_value_null(res_type_string_map());
	}
	return tags;
}

int res_plan_tags_all(const provider_ctx *p, tf_value *planned)
{
	const tf_value *tags = tf_value_attr(planned, "tags");
	tf_value *all;

	if (tf_value_has_unknown(tags) || (p && tf_value_has_unknown(p->default_tags)))
		all = tf_value_unknown(res_type_string_map());
	else
		all = res_tags_all(p, tags);
	return res_set_attr(planned, "tags_all", all);
}

/* ---------------------------------------------------------------- state helpers */

void res_keep_prior(tf_value *state, const tf_value *prior, const char *attr,
		    bool (*equiv)(const tf_value *a, const tf_value *b))
{
	const tf_value *pv = tf_value_attr(prior, attr);
	const tf_value *sv = tf_value_attr(state, attr);

	if (!tf_value_is_known(pv) || !tf_value_is_known(sv) || tf_value_has_unknown(pv))
		return;
	if (pv->type != sv->type)
		return;
	if (!(equiv ? equiv(pv, sv) : tf_value_equal(pv, sv)))
		return;
	res_set_attr(state, attr, tf_value_clone(pv)); /* on failure the API's value stays */
}

bool res_equiv_icase(const tf_value *a, const tf_value *b)
{
	const char *x = tf_value_str(a), *y = tf_value_str(b);

	return x && y && strcasecmp(x, y) == 0;
}

void res_unknown_to_null(tf_value *v)
{
	size_t i;

	if (!v)
		return;
	if (v->state == TF_VALUE_UNKNOWN) {
		tf_type_kind k = v->type->kind;
		tf_value *repl = (k == TF_TYPE_LIST || k == TF_TYPE_SET || k == TF_TYPE_MAP)
					 ? tf_value_empty(v->type)
					 : tf_value_null(v->type);

		if (!repl)
			return;
		/* Swap contents in place: the caller holds a pointer to v. */
		{
			tf_value tmp = *v;
			*v = *repl;
			*repl = tmp;
			tf_value_free(repl);
		}
		return;
	}
	if (v->state != TF_VALUE_KNOWN)
		return;
	switch (v->type->kind) {
	case TF_TYPE_LIST:
	case TF_TYPE_SET:
	case TF_TYPE_MAP:
	case TF_TYPE_OBJECT:
	case TF_TYPE_TUPLE:
		for (i = 0; i < v->u.coll.n; i++)
			res_unknown_to_null(v->u.coll.items[i]);
		break;
	default:
		break;
	}
}

int res_set_str(tf_value *state, const char *attr, const char *s)
{
	return res_set_attr(state, attr, s ? tf_value_string(s) : tf_value_null(&tf_type_string));
}

int res_set_attr(tf_value *obj, const char *attr, tf_value *v)
{
	if (!v)
		return -1;
	if (tf_value_set_attr(obj, attr, v) != 0) {
		tf_value_free(v);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- identity */

int res_arn(provider_ctx *p, const char *kind, const char *id, char **out, tf_diags *d)
{
	const char *account = NULL, *region, *partition;
	aws_error err;
	size_t len;
	int rc;

	*out = NULL;
	memset(&err, 0, sizeof(err));
	rc = aws_client_account_id(p->aws, &account, &err);
	if (rc != 0) {
		res_diag_aws_at(d, "arn", "GetCallerIdentity", &err);
		return rc;
	}
	region = aws_client_region(p->aws);
	partition = aws_client_partition(p->aws);
	if (!region)
		region = "";
	if (!partition)
		partition = "aws";
	len = strlen(partition) + strlen(region) + strlen(account) + strlen(kind) + strlen(id) + 16;
	*out = malloc(len);
	if (!*out) {
		res_diag_internal(d, "ARN", NULL);
		return AWS_ERR_OTHER;
	}
	snprintf(*out, len, "arn:%s:ssm:%s:%s:%s/%s", partition, region, account, kind, id);
	return 0;
}

void res_client_token(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i, o = 0, got = 0;

	/* getrandom(2), not OpenSSL: its per-thread DRBG state would outlive the
	 * gRPC worker threads this runs on. 16 bytes never block once the pool is
	 * initialised; EINTR is retried. */
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(b)) {
		/* No entropy source at all: fall back to time and address bits,
		 * still unique per call in this process. */
		static uint64_t counter;
		uint64_t c = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
		uint64_t t = (uint64_t)time(NULL);

		memcpy(b, &c, sizeof(c));
		memcpy(b + sizeof(c), &t, sizeof(t));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

/* ---------------------------------------------------------------- calls: find, delete */

/* res_call, res_get and res_delete: every failure but a quiet_gone
 * AWS_ERR_NOT_FOUND gets a diagnostic naming `what` (NULL: op). A list_member
 * makes it a paginated call (ssm_call_all) answering that member's array. */
static int call(provider_ctx *p, const char *op, const char *what, const char *list_member,
		json_t *req, json_t **resp, const char *at, bool quiet_gone, tf_diags *d)
{
	json_t *answer = NULL;
	aws_error err;
	int rc;

	if (resp)
		*resp = NULL;
	if (!req) {
		res_diag_internal(d, op, NULL);
		return AWS_ERR_OTHER;
	}
	memset(&err, 0, sizeof(err));
	rc = list_member ? ssm_call_all(p->aws, op, req, list_member, &answer, &err)
			 : ssm_call(p->aws, op, req, &answer, &err);
	json_decref(req);
	/* An ID SSM refuses as invalid names no object (ListTagsForResource
	 * answers so for one that does not exist): for a find, it is gone. */
	if (quiet_gone && strcmp(err.aws_code, "InvalidResourceId") == 0)
		rc = AWS_ERR_NOT_FOUND;
	if (rc != 0 && !(quiet_gone && rc == AWS_ERR_NOT_FOUND))
		res_diag_aws_at(d, at, what ? what : op, &err);
	if (rc == 0 && resp)
		*resp = answer;
	else
		json_decref(answer);
	return rc;
}

int res_call(provider_ctx *p, const char *op, json_t *req, json_t **resp, const char *at,
	     tf_diags *d)
{
	return call(p, op, NULL, NULL, req, resp, at, false, d);
}

int res_call_named(provider_ctx *p, const char *op, const char *what, json_t *req, json_t **resp,
		   const char *at, tf_diags *d)
{
	return call(p, op, what, NULL, req, resp, at, false, d);
}

int res_call_all(provider_ctx *p, const char *op, json_t *req, const char *list_member,
		 json_t **list, const char *at, tf_diags *d)
{
	return call(p, op, NULL, list_member, req, list, at, false, d);
}

int res_get(provider_ctx *p, const char *op, json_t *req, json_t **resp, const char *at,
	    tf_diags *d)
{
	return call(p, op, NULL, NULL, req, resp, at, true, d);
}

int res_delete(provider_ctx *p, const char *op, json_t *req, tf_diags *d)
{
	int rc = call(p, op, NULL, NULL, req, NULL, NULL, true, d);

	return rc == AWS_ERR_NOT_FOUND ? 0 : rc;
}
