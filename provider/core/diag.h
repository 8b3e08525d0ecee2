/*
 * diag.h - diagnostics as values, appended and returned (as Terraform shows them).
 *
 * A tf_diags list collects errors and warnings while an RPC runs; the RPC layer
 * turns it into the protocol's Diagnostic messages. Every diagnostic may carry an
 * attribute path so Terraform can point at the line in the user's configuration.
 * Never put a secret into a summary or detail.
 */
#ifndef SSMPATCH_DIAG_H
#define SSMPATCH_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "value.h"

typedef enum { TF_DIAG_ERROR = 1, TF_DIAG_WARNING = 2 } tf_diag_severity;

typedef struct {
	tf_diag_severity severity;
	char *summary;
	char *detail; /* may be NULL */
	bool has_path;
	tf_path path;
} tf_diag;

typedef struct {
	size_t n, cap;
	tf_diag *items;
} tf_diags;

void tf_diags_init(tf_diags *d);
void tf_diags_free(tf_diags *d);
bool tf_diags_has_error(const tf_diags *d);

/* Append a diagnostic; `path` may be NULL (copied when given). detail is printf-style
 * and may be NULL. Allocation failure is swallowed into a fixed "out of memory" entry. */
void tf_diags_add(tf_diags *d, tf_diag_severity sev, const tf_path *path, const char *summary,
		  const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
void tf_diags_vadd(tf_diags *d, tf_diag_severity sev, const tf_path *path, const char *summary,
		   const char *detail_fmt, va_list ap);

/* Shorthands. */
#define tf_diags_error(d, path, summary, ...) \
	tf_diags_add((d), TF_DIAG_ERROR, (path), (summary), __VA_ARGS__)
#define tf_diags_warn(d, path, summary, ...) \
	tf_diags_add((d), TF_DIAG_WARNING, (path), (summary), __VA_ARGS__)

/* Error at a path given as text ("approval_rule[0].approve_after_days"). */
void tf_diags_error_at(tf_diags *d, const char *path_text, const char *summary,
		       const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));

/* Move every entry of src to the end of dst (src ends empty). */
void tf_diags_move(tf_diags *dst, tf_diags *src);

#endif
