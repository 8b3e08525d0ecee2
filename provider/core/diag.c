/*
 * diag.c - diagnostics lists (see diag.h).
 *
 * Allocation failure never loses the fact that something went wrong: the list
 * keeps one spare slot, and when a diagnostic cannot be built an entry with the
 * static summary "out of memory" takes that slot (freeing skips the static
 * string). Only the very first append into an empty list can fail silently.
 */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static char oom_summary[] = "out of memory";

void tf_diags_init(tf_diags *d)
{
	d->n = 0;
	d->cap = 0;
	d->items = NULL;
}

static void diag_clear(tf_diag *g)
{
	if (g->summary != oom_summary)
		free(g->summary);
	free(g->detail);
	if (g->has_path)
		tf_path_free(&g->path);
	memset(g, 0, sizeof(*g));
}

void tf_diags_free(tf_diags *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		diag_clear(&d->items[i]);
	free(d->items);
	tf_diags_init(d);
}

bool tf_diags_has_error(const tf_diags *d)
{
	size_t i;

	for (i = 0; d && i < d->n; i++)
		if (d->items[i].severity == TF_DIAG_ERROR)
			return true;
	return false;
}

/* Make room for one more entry while keeping one spare slot for the OOM entry. */
static int diags_reserve(tf_diags *d)
{
	tf_diag *items;
	size_t ncap;

	if (d->n + 2 <= d->cap)
		return 0;
	ncap = d->cap ? d->cap * 2 : 8;
	items = realloc(d->items, ncap * sizeof(*items));
	if (!items)
		return -1;
	d->items = items;
	d->cap = ncap;
	return 0;
}

static void diags_add_oom(tf_diags *d)
{
	tf_diag *g;

	if (d->n && d->items[d->n - 1].summary == oom_summary)
		return;
	if (d->n >= d->cap && diags_reserve(d) < 0)
		return;
	g = &d->items[d->n++];
	memset(g, 0, sizeof(*g));
	g->severity = TF_DIAG_ERROR;
	g->summary = oom_summary;
}

void tf_diags_vadd(tf_diags *d, tf_diag_severity sev, const tf_path *path, const char *summary,
		   const char *detail_fmt, va_list ap)
{
	tf_diag g;
	buf b = BUF_INIT;

	memset(&g, 0, sizeof(g));
	g.severity = sev;
	if (!(g.summary = strdup(summary ? summary : "")))
		goto oom;
	if (detail_fmt) {
		buf_vprintf(&b, detail_fmt, ap);
		if (!(g.detail = buf_detach(&b, NULL)))
			goto oom;
	}
	if (path) {
		if (tf_path_copy(&g.path, path) < 0)
			goto oom;
		g.has_path = true;
	}
	if (diags_reserve(d) < 0)
		goto oom;
	d->items[d->n++] = g;
	return;
oom:
	diag_clear(&g);
	diags_add_oom(d);
}

void tf_diags_add(tf_diags *d, tf_diag_severity sev, const tf_path *path, const char *summary,
		  const char *detail_fmt, ...)
{
	va_list ap;

	va_start(ap, detail_fmt);
	tf_diags_vadd(d, sev, path, summary, detail_fmt, ap);
	va_end(ap);
}

/* A path_text that does not parse gives a diagnostic without a path. */
void tf_diags_error_at(tf_diags *d, const char *path_text, const char *summary,
		       const char *detail_fmt, ...)
{
	tf_path p;
	bool have;
	va_list ap;

	have = tf_path_parse(&p, path_text) == 0;
	va_start(ap, detail_fmt);
	tf_diags_vadd(d, TF_DIAG_ERROR, have ? &p : NULL, summary, detail_fmt, ap);
	va_end(ap);
	tf_path_free(&p);
}

void tf_diags_move(tf_diags *dst, tf_diags *src)
{
	size_t i;

	if (!dst || !src || dst == src)
		return;
	for (i = 0; i < src->n; i++) {
		if (diags_reserve(dst) < 0) {
			/* keep what fits, drop the rest, say so */
			for (; i < src->n; i++)
				diag_clear(&src->items[i]);
			diags_add_oom(dst);
			break;
		}
		dst->items[dst->n++] = src->items[i];
	}
	free(src->items);
	tf_diags_init(src);
}
