/*
 * claim.h - the things a patch baseline holds in an account and region, and
 * the one mechanism by which a baseline takes or gives them up.
 *
 * A baseline can hold two kinds of thing that at most one baseline holds at a
 * time:
 * - a patch group, for its operating system: SSM keeps one baseline per
 *   (patch group, operating system), so "web" can hold a WINDOWS and an
 *   AMAZON_LINUX_2 baseline side by side, but not two WINDOWS ones;
 * - the default of its operating system (GetDefaultPatchBaseline).
 *
 * Acquire: read who holds it now; if another baseline does, take it over
 * (patch group: deregister it there; default: RegisterDefaultPatchBaseline
 * replaces it) and add a warning naming the previous holder by ID and name,
 * then register this one. The AWS-owned default being replaced is the normal
 * case and gets no warning.
 * Release: read who holds it now, and give it up only if this baseline still
 * does (patch group: deregister; default: register the AWS-owned default of
 * the OS again). Another baseline's claim is never undone.
 *
 * Inside the provider process, acquire and release of the same (account,
 * region, operating system, patch group) or (account, region, operating
 * system default) run one at a time, so two baselines handing a claim over in
 * one apply end the same way in any order and at any -parallelism. Across
 * processes (two configurations claiming one group) the last acquire wins and
 * says so in its warning; the other configuration's next plan shows the loss
 * as drift.
 *
 * Functions return 0 or a negative aws_err with a diagnostic at the attribute
 * the claim belongs to ("patch_groups", "default_baseline").
 */
#ifndef SSMPATCH_RES_CLAIM_H
#define SSMPATCH_RES_CLAIM_H

#include "resource.h"

/* One claim: a patch group of an operating system (group set), or the default
 * of an operating system (group NULL). Borrowed strings. */
typedef struct {
	const char *os;
	const char *group;
} claim;

/* Make baseline `id` (operating system c->os) hold c. */
int claim_acquire(provider_ctx *p, const claim *c, const char *id, tf_diags *d);

/* Give c up if baseline `id` holds it now; otherwise leave it alone. */
int claim_release(provider_ctx *p, const claim *c, const char *id, tf_diags *d);

#endif
