/*
 * datasource.h - the data sources: one skeleton, one file each, on the same
 * SSM client and resource skeleton as the resources.
 *
 * A data source is a schema table (schema/data_*.c) and a read function. The
 * engine validates the configuration against the table (attribute paths as
 * for resources), and data_source_read() runs the read on the configuration
 * with its defaults filled in; the read sets the computed attributes. Terraform
 * reads data sources at plan time, and only with a wholly known configuration
 * (it defers the read while a value is unknown), so a read never sees an
 * unknown. Where a data source returns an object a resource manages, it finds
 * and flattens it with the resource's own resource_find()/resource_flatten().
 *
 * Calls that fan out (one per instance, execution or window) run on a small
 * pool of threads (ds_parallel): the AWS client is thread-safe, and a plan
 * waits for the slowest of N calls instead of their sum.
 *
 * Conventions as in resource.h: int functions return 0 or a negative aws_err
 * and append diagnostics (with attribute paths where one applies) to `d`.
 */
#ifndef SSMPATCH_DATASOURCE_H
#define SSMPATCH_DATASOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../resources/mapping.h"
#include "../resources/resource.h"

typedef struct {
	const schema_resource *schema;
	/* Set the computed attributes of `state`: the configuration, known, with
	 * its defaults filled in. The filters are read from it too. */
	int (*read)(provider_ctx *p, tf_value *state, tf_diags *d);
} ds_def;

extern const ds_def ds_patch_baseline_def;
extern const ds_def ds_maintenance_windows_def;
extern const ds_def ds_window_executions_def;
extern const ds_def ds_patch_group_compliance_def;

/* The configuration (known) -> *out, the data source's new state (NULL on an
 * error). */
int data_source_read(const ds_def *def, provider_ctx *p, const tf_value *config, tf_value **out,
		     tf_diags *d);

/* ---------------------------------------------------------------- helpers */

/* At most this many calls of one read are in flight at once. */
#define DS_PARALLEL_MAX 10

/*
 * fn(ctx, i, d_i) for every i < n, on up to DS_PARALLEL_MAX threads (the
 * caller's among them). Each call gets its own diagnostics, appended to `d` in
 * index order afterwards. After the first failure no further item starts.
 * Returns 0, or the error of the lowest failing index. fn must be thread-safe
 * across distinct i.
 */
typedef int (*ds_item_fn)(void *ctx, size_t i, tf_diags *d);
int ds_parallel(size_t n, ds_item_fn fn, void *ctx, tf_diags *d);

/*
 * A paginated read: `op` with `req` (ownership taken) until `max_items` entries
 * of `member` (0 = all) are in *out (a new JSON array). MaxResults is set to
 * `page_size` when nonzero. An error gets a diagnostic at `at` (path text or
 * NULL).
 */
int ds_pages(provider_ctx *p, const char *op, json_t *req, const char *member, size_t page_size,
	     size_t max_items, json_t **out, const char *at, tf_diags *d);

/* Seconds since 1970 (with milliseconds) as RFC 3339 in UTC:
 * "2024-06-01T17:00:00Z", "2024-06-01T17:00:00.250Z". out holds 32 bytes. */
void ds_rfc3339(double secs, char out[32]);

/*
 * An API time as an RFC 3339 string value: a JSON number (seconds since 1970,
 * how SSM's JSON protocol sends timestamps) or a string in one of the ISO-8601
 * forms SSM writes ("2024-06-01T17:00Z"); null when missing. A string that does
 * not parse is kept as it is.
 */
tf_value *ds_time(const json_t *j);

/*
 * Append to the known list `list` (of objects of `elem`) one object flattened
 * from the API object `api` by `map`; `row` (may be NULL) receives the new
 * element, borrowed, for attributes the map cannot express. Returns 0 or -1.
 */
int ds_append_row(tf_value *list, const schema_block *elem, const res_map *map, const json_t *api,
		  tf_value **row);

/* The (computed) attribute `name` of `state`: a new empty list of its type. */
tf_value *ds_empty_list(const tf_value *state, const char *name);

/* Case-insensitive equality of SSM enum spellings, ignoring underscores:
 * "INSTALLED_PENDING_REBOOT" matches "InstalledPendingReboot". */
bool ds_enum_eq(const char *a, const char *b);

/* A new known list(string) from C strings. */
tf_value *ds_string_list(const char *const *s, size_t n);

#endif
