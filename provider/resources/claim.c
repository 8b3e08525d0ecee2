/*
 * claim.c - the hand-off of patch groups and OS defaults between patch
 * baselines (claim.h): per-claim locks inside the process, "who holds it
 * now" reads, and the calls that take, give up or restore.
 *
 * API calls:
 *   holder of a patch group   DescribePatchGroups (NAME_PREFIX = group,
 *                             OPERATING_SYSTEM = os), the exact name picked
 *   holder of the default     GetDefaultPatchBaseline (OperatingSystem)
 *   take a patch group        DeregisterPatchBaselineForPatchGroup from the
 *                             holder, then RegisterPatchBaselineForPatchGroup
 *   give up a patch group     DeregisterPatchBaselineForPatchGroup
 *   take the default          RegisterDefaultPatchBaseline
 *   give up the default       RegisterDefaultPatchBaseline of the AWS-owned
 *                             default, found as terraform-provider-aws does:
 *                             DescribePatchBaselines (OWNER=AWS,
 *                             OPERATING_SYSTEM) and the name pattern
 *                             AWS-<Something>PatchBaseline
 *   previous holder's name    GetPatchBaseline (default only; DescribePatchGroups
 *                             names a group's holder itself)
 * Quirk: AWS-owned baselines are named by their ARN
 * (arn:aws:ssm:<region>:<account>:patchbaseline/pb-...), the account's own by
 * their ID; an ID and an ARN ending in "/<ID>" are the same baseline.
 */
#include "claim.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "common.h"

/* ---------------------------------------------------------------- one claim at a time */

/* The keys held by some thread of this process, and the waiters' signal. */
typedef struct held_key {
	struct held_key *next;
	char key[];
} held_key;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_freed = PTHREAD_COND_INITIALIZER;
static held_key *g_held;

static bool is_held(const char *key)
{
	for (held_key *h = g_held; h; h = h->next)
		if (strcmp(h->key, key) == 0)
			return true;
	return false;
}

/* Wait until no other thread holds `key`, then hold it. NULL on ENOMEM. */
static held_key *key_lock(const char *key)
{
	size_t n = strlen(key) + 1;
	held_key *h = malloc(sizeof(*h) + n);

	if (!h)
		return NULL;
	memcpy(h->key, key, n);
	pthread_mutex_lock(&g_mu);
	while (is_held(key))
		pthread_cond_wait(&g_freed, &g_mu);
	h->next = g_held;
	g_held = h;
	pthread_mutex_unlock(&g_mu);
	return h;
}

static void key_unlock(held_key *h)
{
	pthread_mutex_lock(&g_mu);
	for (held_key **pp = &g_held; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	pthread_cond_broadcast(&g_freed);
	pthread_mutex_unlock(&g_mu);
	free(h);
}

static const char *claim_path(const claim *c)
{
	return c->group ? "patch_groups" : "default_baseline";
}

/* Hold the lock of claim c in this account and region: "<account>/<region>/<os>"
 * for a default, ".../<os>/<group>" for a patch group (the group last: it may
 * contain '/'). */
static int claim_lock(provider_ctx *p, const claim *c, held_key **out, tf_diags *d)
{
	const char *account = NULL, *region = aws_client_region(p->aws);
	buf key = BUF_INIT;
	aws_error err;
	int rc;

	*out = NULL;
	memset(&err, 0, sizeof(err));
	if ((rc = aws_client_account_id(p->aws, &account, &err)) != 0) {
		res_diag_aws_at(d, claim_path(c), "GetCallerIdentity", &err);
		return rc;
	}
	buf_printf(&key, "%s/%s/%s", account, region ? region : "", c->os);
	if (c->group)
		buf_printf(&key, "/%s", c->group);
	if (!buf_failed(&key))
		*out = key_lock(key.data);
	buf_free(&key);
	if (!*out) {
		res_diag_internal(d, "claim", NULL);
		return AWS_ERR_OTHER;
	}
	return 0;
}

/* ---------------------------------------------------------------- the two kinds */

/* Baseline IDs a and b name the same baseline (an ID, or an ARN ending in /ID). */
static bool same_baseline(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == lb)
		return strcmp(a, b) == 0;
	if (la < lb) {
		const char *t = a;
		size_t lt = la;

		a = b, la = lb, b = t, lb = lt;
	}
	return a[la - lb - 1] == '/' && strcmp(a + la - lb, b) == 0;
}

/* An AWS-owned baseline is named by its ARN. */
static bool is_aws_owned(const char *id)
{
	return strncmp(id, "arn:", 4) == 0;
}

/* Who holds c now: *id and *name (malloc'd; name may stay NULL), or both NULL. */
static int holder(provider_ctx *p, const claim *c, char **id, char **name, tf_diags *d)
{
	json_t *got = NULL, *m;
	size_t i;
	int rc;

	*id = *name = NULL;
	if (!c->group) {
		rc = res_call(p, "GetDefaultPatchBaseline",
			      json_pack("{s:s}", "OperatingSystem", c->os), &got,
			      "default_baseline", d);
		m = json_object_get(got, "BaselineId");
		if (rc == 0 && json_is_string(m) && !(*id = strdup(json_string_value(m)))) {
			res_diag_internal(d, "GetDefaultPatchBaseline", NULL);
			rc = AWS_ERR_OTHER;
		}
		json_decref(got);
		return rc;
	}
	rc = res_call_all(p, "DescribePatchGroups",
			  json_pack("{s:[{s:s,s:[s]},{s:s,s:[s]}]}", "Filters", "Key",
				    "NAME_PREFIX", "Values", c->group, "Key", "OPERATING_SYSTEM",
				    "Values", c->os),
			  "Mappings", &got, "patch_groups", d);
	json_array_foreach (got, i, m) {
		const json_t *who = json_object_get(m, "BaselineIdentity");
		const char *g = json_string_value(json_object_get(m, "PatchGroup"));
		const char *bid = json_string_value(json_object_get(who, "BaselineId"));
		const char *bname = json_string_value(json_object_get(who, "BaselineName"));

		if (!g || strcmp(g, c->group) != 0 || !bid)
			continue;
		if (!(*id = strdup(bid)) || (bname && !(*name = strdup(bname)))) {
			res_diag_internal(d, "DescribePatchGroups", NULL);
			rc = AWS_ERR_OTHER;
		}
		break;
	}
	json_decref(got);
	return rc;
}

/* Register or deregister baseline `id` for c's patch group. */
static int group_call(provider_ctx *p, const claim *c, const char *op, const char *id, tf_diags *d)
{
	char what[384]; /* op (< 64) + a group name (<= 256) */

	snprintf(what, sizeof(what), "%s (patch group \"%s\")", op, c->group);
	return res_call_named(p, op, what,
			      json_pack("{s:s,s:s}", "BaselineId", id, "PatchGroup", c->group),
			      NULL, "patch_groups", d);
}

static int register_default(provider_ctx *p, const char *id, tf_diags *d)
{
	return res_call(p, "RegisterDefaultPatchBaseline", json_pack("{s:s}", "BaselineId", id),
			NULL, "default_baseline", d);
}

/* ^AWS-[0-9A-Za-z]+PatchBaseline$ : the AWS-owned default's naming pattern. */
static bool is_aws_default_name(const char *name)
{
	static const char suffix[] = "PatchBaseline";
	size_t n, i;

	if (!name || strncmp(name, "AWS-", 4) != 0)
		return false;
	n = strlen(name);
	if (n <= 4 + sizeof(suffix) - 1 || strcmp(name + n - (sizeof(suffix) - 1), suffix) != 0)
		return false;
	for (i = 4; i < n; i++)
		if (!isalnum((unsigned char)name[i]))
			return false;
	return true;
}

/*
 * Make the AWS-owned baseline the default for `os` again. No such baseline
 * (an emulator, a new OS) is a warning: there is nothing to restore to.
 */
static int restore_aws_default(provider_ctx *p, const char *os, tf_diags *d)
{
	json_t *list = NULL, *b;
	const char *found = NULL;
	size_t i, n_found = 0;
	int rc;

	rc = res_call_all(p, "DescribePatchBaselines",
			  json_pack("{s:[{s:s,s:[s]},{s:s,s:[s]}]}", "Filters", "Key", "OWNER",
				    "Values", "AWS", "Key", "OPERATING_SYSTEM", "Values", os),
			  "BaselineIdentities", &list, "default_baseline", d);
	json_array_foreach (list, i, b) {
		if (is_aws_default_name(json_string_value(json_object_get(b, "BaselineName")))) {
			if (!found)
				found = json_string_value(json_object_get(b, "BaselineId"));
			n_found++;
		}
	}
	if (rc == 0 && !found)
		tf_diags_warn(d, NULL, "No AWS-owned default patch baseline",
			      "No AWS-owned default patch baseline was found for operating system "
			      "%s, so the default could not be restored.",
			      os);
	else if (rc == 0 && n_found > 1)
		tf_diags_warn(d, NULL, "Several AWS-owned default patch baselines",
			      "Found %zu AWS-owned default patch baselines for %s; restoring %s.",
			      n_found, os, found);
	if (rc == 0 && found)
		rc = register_default(p, found, d);
	json_decref(list);
	return rc;
}

/* The warning of a take-over from baseline `from` (name may be NULL). */
static void warn_taken_over(provider_ctx *p, const claim *c, const char *from, const char *name,
			    const char *id, tf_diags *d)
{
	json_t *got = NULL;
	tf_diags scratch;
	tf_path path;

	if (!name) { /* the default's holder: look its name up (best effort) */
		tf_diags_init(&scratch);
		if (res_get(p, "GetPatchBaseline", json_pack("{s:s}", "BaselineId", from), &got,
			    NULL, &scratch) == 0)
			name = json_string_value(json_object_get(got, "Name"));
		tf_diags_free(&scratch);
	}
	tf_path_init(&path);
	tf_path_parse(&path, claim_path(c));
	if (c->group)
		tf_diags_warn(
			d, &path, "Patch group taken over from another baseline",
			"Patch group \"%s\" (%s) was registered with patch baseline %s (\"%s\"); it "
			"is now registered with %s, as this configuration declares. If another "
			"configuration claims the same group for %s, each apply of one takes it "
			"from the other: give the group to one baseline only.",
			c->group, c->os, from, name ? name : "?", id, c->os);
	else
		tf_diags_warn(
			d, &path, "Default patch baseline taken over from another baseline",
			"The default patch baseline for %s was %s (\"%s\"); it is now %s, as this "
			"configuration declares. If another configuration also sets default_baseline "
			"for %s, each apply of one takes the default from the other.",
			c->os, from, name ? name : "?", id, c->os);
	tf_path_free(&path);
	json_decref(got);
}

/* ---------------------------------------------------------------- acquire, release */

/* Make `id` hold c, held now by `from` (NULL: nobody; name may be NULL). */
static int take(provider_ctx *p, const claim *c, const char *id, const char *from, const char *name,
		tf_diags *d)
{
	int rc = 0;

	if (from && same_baseline(from, id))
		return 0; /* already held */
	if (from && c->group)
		rc = group_call(p, c, "DeregisterPatchBaselineForPatchGroup", from, d);
	if (rc == 0 && from && !(!c->group && is_aws_owned(from)))
		warn_taken_over(p, c, from, name, id, d);
	if (rc == 0)
		rc = c->group ? group_call(p, c, "RegisterPatchBaselineForPatchGroup", id, d)
			      : register_default(p, id, d);
	return rc;
}

/* Give c up if `id` is its holder `from`. */
static int give_up(provider_ctx *p, const claim *c, const char *id, const char *from, tf_diags *d)
{
	if (!from || !same_baseline(from, id))
		return 0; /* another baseline's claim (or nobody's): left alone */
	return c->group ? group_call(p, c, "DeregisterPatchBaselineForPatchGroup", id, d)
			: restore_aws_default(p, c->os, d);
}

/* With c locked: read its holder, then take it or give it up. */
static int claim_change(provider_ctx *p, const claim *c, const char *id, bool acquire, tf_diags *d)
{
	char *from = NULL, *name = NULL;
	held_key *lock;
	int rc = claim_lock(p, c, &lock, d);

	if (rc != 0)
		return rc;
	rc = holder(p, c, &from, &name, d);
	if (rc == 0)
		rc = acquire ? take(p, c, id, from, name, d) : give_up(p, c, id, from, d);
	key_unlock(lock);
	free(from);
	free(name);
	return rc;
}

int claim_acquire(provider_ctx *p, const claim *c, const char *id, tf_diags *d)
{
	return claim_change(p, c, id, true, d);
}

int claim_release(provider_ctx *p, const claim *c, const char *id, tf_diags *d)
{
	return claim_change(p, c, id, false, d);
}
