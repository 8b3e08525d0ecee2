/*
 * identity.c - resource identities (identity.h): built from a state and the
 * provider's client, and turned back into a state for an import.
 *
 * An import by identity goes through resource_import with the key parts
 * joined as an import ID ("<window_id>/<id>@<region>"), so both kinds of
 * import check the parts and the region the same way and say the same thing
 * about a malformed one.
 */
#include "identity.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"

/* The object's region: its `region` attribute when it has one, else the client's. */
static const char *object_region(const res_def *def, provider_ctx *p, const tf_value *obj)
{
	const char *r = schema_find_attr(def->schema->block, "region")
				? tf_value_attr_str(obj, "region")
				: NULL;

	return r ? r : aws_client_region(p->aws);
}

static size_t n_keys(const res_def *def)
{
	return def->keys[RES_MAX_KEYS - 1].attr ? RES_MAX_KEYS : 1;
}

int resource_identity(const res_def *def, const schema_block *ids, provider_ctx *p,
		      const tf_value *obj, tf_value **out, tf_diags *d)
{
	const char *account = NULL;
	tf_value *id = tf_value_object(schema_block_type(ids));
	aws_error err;
	int rc;

	*out = NULL;
	memset(&err, 0, sizeof(err));
	if (!id) {
		res_diag_internal(d, "identity", NULL);
		return AWS_ERR_OTHER;
	}
	if ((rc = aws_client_account_id(p->aws, &account, &err)) != 0) {
		res_diag_aws(d, NULL, "GetCallerIdentity (the identity's account)", &err);
		tf_value_free(id);
		return rc;
	}
	if (res_set_str(id, "account_id", account) < 0 ||
	    res_set_str(id, "region", object_region(def, p, obj)) < 0)
		goto oom;
	for (size_t i = 0; i < n_keys(def); i++) {
		const char *part = tf_value_attr_str(obj, def->keys[i].attr);

		if (!part) {
			tf_diags_error(
				d, NULL, "Object without its key",
				"The %s has no %s, so it has no identity. This is a bug in the "
				"provider.",
				def->what, def->keys[i].attr);
			tf_value_free(id);
			return AWS_ERR_OTHER;
		}
		if (res_set_str(id, def->keys[i].attr, part) < 0)
			goto oom;
	}
	*out = id;
	return 0;
oom:
	tf_value_free(id);
	res_diag_internal(d, "identity", NULL);
	return AWS_ERR_OTHER;
}

/* The identity's key parts joined as an import ID (malloc'd), with
 * "@<region>" when `region` is given, or NULL with a diagnostic (a part
 * missing, or ENOMEM). */
static char *identity_import_id(const res_def *def, const tf_value *identity, const char *region,
				tf_diags *d)
{
	size_t len = 1 + (region ? strlen(region) + 1 : 0);
	char *id;

	for (size_t i = 0; i < n_keys(def); i++) {
		const char *part = tf_value_attr_str(identity, def->keys[i].attr);

		if (!part || !*part) {
			tf_diags_error_at(d, def->keys[i].attr, "Missing identity attribute",
					  "An import of a %s by identity needs %s.", def->what,
					  def->keys[i].attr);
			return NULL;
		}
		len += strlen(part) + 1;
	}
	if (!(id = malloc(len))) {
		res_diag_internal(d, "import", NULL);
		return NULL;
	}
	len = 0;
	for (size_t i = 0; i < n_keys(def); i++) {
		const char *part = tf_value_attr_str(identity, def->keys[i].attr);
		size_t n = strlen(part);

		if (i)
			id[len++] = '/';
		memcpy(id + len, part, n);
		len += n;
	}
	if (region) {
		id[len++] = '@';
		memcpy(id + len, region, strlen(region));
		len += strlen(region);
	}
	id[len] = '\0';
	return id;
}

int resource_import_identity(const res_def *def, provider_ctx *p, const tf_value *identity,
			     tf_value **out, tf_diags *d)
{
	const char *want_account = tf_value_attr_str(identity, "account_id");
	const char *want_region = tf_value_attr_str(identity, "region");
	bool scoped = schema_find_attr(def->schema->block, "region") != NULL;
	const char *account = NULL, *region = aws_client_region(p->aws);
	aws_error err;
	char *id;
	int rc;

	*out = NULL;
	memset(&err, 0, sizeof(err));
	if (want_account) {
		if ((rc = aws_client_account_id(p->aws, &account, &err)) != 0) {
			res_diag_aws(d, NULL, "GetCallerIdentity (the identity's account)", &err);
			return rc;
		}
		if (strcmp(account, want_account) != 0) {
			tf_diags_error_at(
				d, "account_id", "Identity of another account",
				"The identity names account %s, but this provider's "
				"credentials act in account %s. Import it with a provider "
				"configured for account %s.",
				want_account, account, want_account);
			return AWS_ERR_VALIDATION;
		}
	}
	if (want_region && !aws_region_name_ok(want_region)) {
		tf_diags_error_at(d, "region", "Invalid region",
				  "\"%s\" is not an AWS region name (e.g. \"eu-west-1\").",
				  strlen(want_region) > 64 ? "(too long)" : want_region);
		return AWS_ERR_VALIDATION;
	}
	if (want_region && !scoped && region && strcmp(region, want_region) != 0) {
		tf_diags_error_at(d, "region", "Identity of another region",
				  "The identity names region %s, but this provider works in %s. "
				  "Import it with a provider configured for region %s.",
				  want_region, region, want_region);
		return AWS_ERR_VALIDATION;
	}
	/* A region goes where an import ID's "@<region>" goes: resource_import
	 * checks the name and records it, and the object is read there. */
	if (!(id = identity_import_id(def, identity, scoped ? want_region : NULL, d)))
		return AWS_ERR_VALIDATION;
	rc = resource_import(def, id, out, d);
	free(id);
	return rc;
}
