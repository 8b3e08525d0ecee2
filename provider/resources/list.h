/*
 * list.h - list resources (`terraform query`, Terraform 1.14+): every object
 * of a managed resource type that the configured account and region hold,
 * found through the type's Describe call, one at a time.
 *
 * A list resource is a res_list_def that goes with the resource's res_def
 * (the engine's table of resource types pairs them): the Describe operation
 * and its answer's array member, how the `config` block's filters become
 * request members (and which filters the API cannot apply and are compared
 * here) and the display name's member. Types whose key has two parts live
 * under a maintenance window (targets and tasks, keys = window_id and id):
 * `op` takes the WindowId, of config.window_id, else of every window
 * (DescribeMaintenanceWindows first).
 * res_list_run() pages through the answers, skips what the filters leave
 * out, and hands each object to the caller as soon as it is found - its key
 * as a state (key attributes set, the rest null, as an import would make it),
 * its display name and, when asked for, the whole object as the resource's
 * read makes it (resource_read on the key) - so the caller can stream it.
 * It makes no AWS call after the limit is reached, after the caller says
 * stop, or after Stop.
 *
 * Limits: at most RES_LIST_MAX_PAGES pages of one Describe call; pages of
 * RES_LIST_PAGE_SIZE entries (the most SSM allows for these calls).
 */
#ifndef SSMPATCH_RES_LIST_H
#define SSMPATCH_RES_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "../core/diag.h"
#include "../core/schema.h"
#include "../core/value.h"
#include "resource.h"

#define RES_LIST_MAX_PAGES 10000
#define RES_LIST_PAGE_SIZE 100

/* One object found (all borrowed for the duration of the callback). */
typedef struct {
	const tf_value *key; /* a state of the resource type with the key attributes set */
	const char *display_name; /* never NULL */
	const tf_value *object; /* the object as read, or NULL when not asked for */
} res_list_item;

/* Called for each object in turn. Return 0 for the next one, or 1 to end the
 * list there (the client went away); diagnostics go to d. */
typedef int (*res_list_emit)(void *ctx, const res_list_item *item, tf_diags *d);

typedef struct res_list_def res_list_def;
struct res_list_def {
	const schema_resource *schema; /* the config block (schema/list_resources.c) */
	const char *op; /* "DescribeMaintenanceWindows" */
	const char *member; /* the answer's array: "WindowIdentities" */
	const char *name_member; /* display name: this member, else the object's ID */
	/* Filters the API applies: members of the request from `config`. -1 on ENOMEM. */
	int (*request)(const tf_value *config, json_t *req);
	/* Filters compared here (NULL: none): false leaves the entry out. A
	 * config.name_prefix is compared here for every type, on name_member. */
	bool (*keep)(const tf_value *config, const json_t *entry);
};

extern const res_list_def res_patch_baseline_list;
extern const res_list_def res_maintenance_window_list;
extern const res_list_def res_window_target_list;
extern const res_list_def res_window_task_list;

/*
 * List the objects of def's type (l is its list resource) that `config` (a
 * known object of l->schema's type) lets through, calling emit for each, at most `limit` of them (0 or less: none).
 * With include_object each one is read first (an object gone in between is
 * left out). Returns 0, or an aws_err with diagnostics (AWS_ERR_CANCELLED:
 * Stop arrived). emit ending the list early is not an error.
 */
int res_list_run(const res_def *def, const res_list_def *l, provider_ctx *p, const tf_value *config,
		 bool include_object, int64_t limit, res_list_emit emit, void *ctx, tf_diags *d);

#endif
