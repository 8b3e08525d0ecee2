/*
 * common.h - helpers every resource file shares: AWS error diagnostics, tags
 * (tags_all, ListTagsForResource, tag diffs), the ARN of an SSM object, client
 * tokens, and small tf_value <-> JSON (jansson) converters for the shapes SSM
 * uses over and over (strings, numbers, bools, string lists/sets, string maps,
 * [{Key,Value}] tag lists).
 *
 * Conventions (as in resource.h):
 * - int functions return 0 or a negative aws_err and append diagnostics to `d`.
 * - tf_value * results are new (caller frees); json_t * results are new
 *   references (caller json_decref()s); arguments are borrowed.
 * - "known" means tf_value_is_known(): a null or unknown argument is skipped by
 *   the res_json_put_* setters, so an expand function can pass every attribute
 *   and only the ones the user set reach the request.
 * - The JSON readers (res_tf_*) accept a missing key or JSON null and return a
 *   null tf_value of the right type, so a flatten function never has to test for
 *   presence first.
 *
 * Limits: tag maps are at most 1000 entries here (SSM allows 1000 per resource);
 * ARNs and paths are built in heap buffers of exactly the needed size.
 */
#ifndef SSMPATCH_RES_COMMON_H
#define SSMPATCH_RES_COMMON_H

#include <stdbool.h>

#include <jansson.h>

#include "../aws/aws.h"
#include "../core/diag.h"
#include "../core/value.h"
#include "resource.h"

/* ---------------------------------------------------------------- errors */

/* res_diag_aws() with the path given as text ("patch_groups"), or NULL. */
void res_diag_aws_at(tf_diags *d, const char *path_text, const char *what, const aws_error *err);

/* An error diagnostic for a local failure (allocation, malformed API answer). */
void res_diag_internal(tf_diags *d, const char *what, const char *detail);

/* ---------------------------------------------------------------- types */

/* Interned string collection types (never NULL after the first call). */
const tf_type *res_type_string_list(void);
const tf_type *res_type_string_set(void);
const tf_type *res_type_string_map(void);

/* ---------------------------------------------------------------- expand: tf_value -> JSON */

/* obj[key] = string, when v is a known string. Returns 0, or -1 on ENOMEM. */
int res_json_put_str(json_t *obj, const char *key, const tf_value *v);
/* obj[key] = integer, when v is a known number that is an exact int64. */
int res_json_put_int(json_t *obj, const char *key, const tf_value *v);
/* obj[key] = true/false, when v is a known bool. */
int res_json_put_bool(json_t *obj, const char *key, const tf_value *v);
/* obj[key] = [strings], when v is a known list/set of strings (an empty
 * collection gives []). Unknown or null elements are skipped. */
int res_json_put_strings(json_t *obj, const char *key, const tf_value *v);
/* New JSON array of the known strings of a list/set; [] for null/unknown. */
json_t *res_json_strings(const tf_value *v);

/* Tags map(string) -> [{"Key": k, "Value": v}, ...] (key order); [] for null. */
json_t *res_json_tag_list(const tf_value *map);

/* ---------------------------------------------------------------- flatten: JSON -> tf_value */

/* obj[key] as a string value; null when missing, JSON null or not a string. */
tf_value *res_tf_str(const json_t *obj, const char *key);
/* obj[key] as a number (JSON integer or real); null when missing. */
tf_value *res_tf_num(const json_t *obj, const char *key);
/* obj[key] as a bool; null when missing. */
tf_value *res_tf_bool(const json_t *obj, const char *key);
/* obj[key] as a bool, `dflt` when missing (the API omits false). */
tf_value *res_tf_bool_or(const json_t *obj, const char *key, bool dflt);

/*
 * JSON array of strings -> known value of type `t` (res_type_string_list() or
 * res_type_string_set()). A missing/null array is the empty collection, unless
 * `empty_as_null`, in which case both a missing and an empty array give null:
 * use that for optional attributes whose prior value was null so that the API
 * answering [] does not show as drift.
 */
tf_value *res_tf_strings(const json_t *arr, const tf_type *t, bool empty_as_null);

/* [{"Key": k, "Value": v}] -> known map(string) (empty map for NULL/[]). */
tf_value *res_tf_tag_map(const json_t *list);

/* ---------------------------------------------------------------- tags */

/*
 * ListTagsForResource(ResourceType, ResourceId) -> *out known map(string) of the
 * tags the object carries (its tags_all). Not found (DoesNotExist, or SSM's
 * InvalidResourceId) is returned as AWS_ERR_NOT_FOUND with no diagnostic (the
 * caller decides it means "gone").
 */
int res_tags_read(provider_ctx *p, const char *resource_type, const char *id, tf_value **out,
		  tf_diags *d);

/*
 * Bring the object's tags from `old_all` to `new_all` (maps, either may be null):
 * RemoveTagsFromResource for keys that disappear, AddTagsToResource for keys
 * added or changed. No call when nothing changes. Errors carry path "tags".
 */
int res_tags_update(provider_ctx *p, const char *resource_type, const char *id,
		    const tf_value *old_all, const tf_value *new_all, tf_diags *d);

/*
 * The user's `tags` as seen from the object's tags (`all`, from the API): every
 * key that is in prior_tags, or is not a provider default tag with the same
 * value. Result is null when it would be empty and prior_tags was null (so an
 * untagged object imported or created without tags has tags = null).
 */
tf_value *res_tags_from_all(const provider_ctx *p, const tf_value *all, const tf_value *prior_tags);

/*
 * Plan-hook helper: planned.tags_all = res_tags_all(p, planned.tags) when the
 * tags (and default tags) are wholly known, else unknown. Returns 0 or -1.
 */
int res_plan_tags_all(const provider_ctx *p, tf_value *planned);

/*
 * One SSM call: `op` with `req` (ownership taken; NULL is reported as out of
 * memory). *resp receives the answer (pass NULL to drop it); NULL on failure.
 * A failure gets a diagnostic at path `at` (text such as "tags", or NULL)
 * naming the operation. Returns 0 or the aws_err.
 */
int res_call(provider_ctx *p, const char *op, json_t *req, json_t **resp, const char *at,
	     tf_diags *d);

/* res_call whose diagnostic names `what` ("RegisterPatchBaselineForPatchGroup
 * (patch group \"web\")") instead of the operation. */
int res_call_named(provider_ctx *p, const char *op, const char *what, json_t *req, json_t **resp,
		   const char *at, tf_diags *d);

/* res_call of a paginated Describe/List: *list is a new array of every page's
 * `list_member` elements. */
int res_call_all(provider_ctx *p, const char *op, json_t *req, const char *list_member,
		 json_t **list, const char *at, tf_diags *d);

/* The shared "find": res_call of a Get/Describe/List, but AWS_ERR_NOT_FOUND
 * (the object, or its window, is gone; also SSM's InvalidResourceId) comes
 * back with no diagnostic. */
int res_get(provider_ctx *p, const char *op, json_t *req, json_t **resp, const char *at,
	    tf_diags *d);

/* The shared delete: res_call, and an object already gone (AWS_ERR_NOT_FOUND)
 * is success. */
int res_delete(provider_ctx *p, const char *op, json_t *req, tf_diags *d);

/* ---------------------------------------------------------------- state helpers */

/*
 * Read normalisation: if prior[attr] and state[attr] are both known and
 * equivalent (`equiv`, or tf_value_equal when NULL), put prior's value into
 * state so the user's spelling survives a round trip through the API.
 */
void res_keep_prior(tf_value *state, const tf_value *prior, const char *attr,
		    bool (*equiv)(const tf_value *a, const tf_value *b));
/* Equivalence for res_keep_prior: known strings equal ignoring ASCII case. */
bool res_equiv_icase(const tf_value *a, const tf_value *b);

/* Replace every unknown inside v by null (unknown LIST/SET/MAP by empty):
 * for returning a planned object as the partial result of a failed apply. */
void res_unknown_to_null(tf_value *v);

/* Set state.attr = string s (copied; NULL gives null). Returns 0 or -1. */
int res_set_str(tf_value *state, const char *attr, const char *s);
/* Set obj.attr = v, taking ownership of v (freed on failure; NULL v = ENOMEM).
 * Returns 0 or -1. Lets a flatten function chain constructors without leaks:
 *   if (res_set_attr(o, "name", res_tf_str(resp, "Name")) < 0) goto oom; */
int res_set_attr(tf_value *obj, const char *attr, tf_value *v);

/* ---------------------------------------------------------------- identity */

/*
 * *out = "arn:<partition>:ssm:<region>:<account>:<kind>/<id>" (malloc'd), e.g.
 * kind "patchbaseline". The account comes from aws_client_account_id(); on
 * failure a diagnostic is added and the aws_err returned.
 */
int res_arn(provider_ctx *p, const char *kind, const char *id, char **out, tf_diags *d);

/* A random RFC 4122 v4 UUID, for ClientToken (out must hold 37 bytes). */
void res_client_token(char out[37]);

#endif
