/*
 * schema.c - everything derived from the const schema tables (see schema.h):
 * implied types, empty objects, lookup, generic validation, plan defaults,
 * computed unknowns, requires_replace and the conformance check.
 *
 * Two process-wide caches, both guarded by one mutex and never freed (the
 * tables are static, so the caches are bounded by the number of blocks and
 * patterns in the schema tables - a few dozen entries):
 *  - block -> implied object type (types are interned by value.c, so the cache
 *    only saves rebuilding the name/type arrays on every call);
 *  - pattern text -> compiled POSIX extended regex (glibc's regexec is safe to
 *    call concurrently on one compiled regex).
 *
 * Validation walks config and table together. Paths follow the protocol: an
 * attribute name per step, an index for LIST elements, a key for MAP entries; SET
 * elements cannot be addressed, so a path into a set stops at the set's name.
 * Unknown values are never rejected, only skipped: ValidateResourceTypeConfig sees
 * values of resources not yet created.
 */
#include "schema.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest list of allowed values quoted in a diagnostic (longer lists are cut with "..."). */
#define ENUM_LIST_MAX 1024

/* --- caches --- */

typedef struct type_entry {
	const schema_block *block;
	const tf_type *type;
	struct type_entry *next;
} type_entry;

typedef struct regex_entry {
	const char *pattern; /* borrowed from the static table */
	regex_t re;
	int rc; /* regcomp result; nonzero = pattern is broken */
	struct regex_entry *next;
} regex_entry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static type_entry *type_cache;
static regex_entry *regex_cache;

const tf_type *schema_attr_tf_type(schema_attr_type t)
{
	switch (t) {
	case SCHEMA_T_STRING:
		return &tf_type_string;
	case SCHEMA_T_NUMBER:
		return &tf_type_number;
	case SCHEMA_T_BOOL:
		return &tf_type_bool;
	case SCHEMA_T_LIST_STRING:
		return tf_type_list(&tf_type_string);
	case SCHEMA_T_SET_STRING:
		return tf_type_set(&tf_type_string);
	case SCHEMA_T_MAP_STRING:
		return tf_type_map(&tf_type_string);
	case SCHEMA_T_LIST_OBJECT:
		break; /* needs the attribute's elem: schema_attr_type() */
	}
	return NULL;
}

static const tf_type *build_block_type(const schema_block *b);

/* An attribute's type; builds (does not cache) element object types, so it
 * may run with cache_lock held. */
static const tf_type *attr_type(const schema_attr *a)
{
	const tf_type *obj;

	if (a->type != SCHEMA_T_LIST_OBJECT)
		return schema_attr_tf_type(a->type);
	obj = a->elem ? build_block_type(a->elem) : NULL;
	return obj ? tf_type_list(obj) : NULL;
}

const tf_type *schema_attr_type_of(const schema_attr *a)
{
	const tf_type *t;

	pthread_mutex_lock(&cache_lock);
	t = attr_type(a);
	pthread_mutex_unlock(&cache_lock);
	return t;
}

/* Build (uncached) the object type of a block. Called with cache_lock held;
 * recursion into nested blocks goes through the unlocked builder directly. */
static const tf_type *build_block_type(const schema_block *b)
{
	size_t n = b->n_attrs + b->n_blocks;
	const char **names = calloc(n ? n : 1, sizeof *names);
	const tf_type **types = calloc(n ? n : 1, sizeof *types);
	const tf_type *out = NULL;

	if (!names || !types)
		goto done;
	for (size_t i = 0; i < b->n_attrs; i++) {
		names[i] = b->attrs[i].name;
		if (!(types[i] = attr_type(&b->attrs[i])))
			goto done;
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		const schema_nested *nb = &b->blocks[i];
		const tf_type *obj = build_block_type(nb->block);
		size_t k = b->n_attrs + i;
		names[k] = nb->name;
		if (!obj)
			goto done;
		types[k] = nb->nesting == SCHEMA_NEST_LIST  ? tf_type_list(obj)
			   : nb->nesting == SCHEMA_NEST_SET ? tf_type_set(obj)
							    : obj;
		if (!types[k])
			goto done;
	}
	out = tf_type_object(n, names, (const tf_type *const *)types);
done:
	free(names);
	free(types);
	return out;
}

const tf_type *schema_block_type(const schema_block *b)
{
	const tf_type *t = NULL;
	pthread_mutex_lock(&cache_lock);
	for (type_entry *e = type_cache; e; e = e->next) {
		if (e->block == b) {
			t = e->type;
			goto done;
		}
	}
	if ((t = build_block_type(b))) {
		type_entry *e = malloc(sizeof *e);
		if (e) {
			e->block = b;
			e->type = t;
			e->next = type_cache;
			type_cache = e;
		}
	}
done:
	pthread_mutex_unlock(&cache_lock);
	return t;
}

/* Compiled regex for a table pattern, or NULL if it does not compile (a table bug). */
static const regex_t *pattern_regex(const char *pattern)
{
	const regex_t *out = NULL;
	regex_entry *e;
	pthread_mutex_lock(&cache_lock);
	for (e = regex_cache; e; e = e->next)
		if (e->pattern == pattern || strcmp(e->pattern, pattern) == 0)
			break;
	if (!e && (e = calloc(1, sizeof *e))) {
		e->pattern = pattern;
		e->rc = regcomp(&e->re, pattern, REG_EXTENDED | REG_NOSUB);
		e->next = regex_cache;
		regex_cache = e;
	}
	if (e && e->rc == 0)
		out = &e->re;
	pthread_mutex_unlock(&cache_lock);
	return out;
}

/* --- construction and lookup --- */

tf_value *schema_new_object(const schema_block *b)
{
	const tf_type *t = schema_block_type(b);
	tf_value *obj = t ? tf_value_object(t) : NULL;
	if (!obj)
		return NULL;
	for (size_t i = 0; i < b->n_blocks; i++) {
		const schema_nested *nb = &b->blocks[i];
		if (nb->nesting == SCHEMA_NEST_SINGLE)
			continue;
		int k = tf_type_attr_index(t, nb->name);
		tf_value *e = k >= 0 ? tf_value_empty(t->types[k]) : NULL;
		/* tf_value_set_attr takes ownership, also when it fails */
		if (!e || tf_value_set_attr(obj, nb->name, e) < 0) {
			tf_value_free(obj);
			return NULL;
		}
	}
	return obj;
}

const schema_attr *schema_find_attr(const schema_block *b, const char *name)
{
	for (size_t i = 0; b && i < b->n_attrs; i++)
		if (strcmp(b->attrs[i].name, name) == 0)
			return &b->attrs[i];
	return NULL;
}

const schema_nested *schema_find_block(const schema_block *b, const char *name)
{
	for (size_t i = 0; b && i < b->n_blocks; i++)
		if (strcmp(b->blocks[i].name, name) == 0)
			return &b->blocks[i];
	return NULL;
}

/* --- validation --- */

/* Characters (code points) of UTF-8 text: every byte that is not a continuation byte. */
static int64_t utf8_len(const char *s, size_t n)
{
	int64_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static void enum_list(const char *const *vals, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; vals[i]; i++) {
		int w = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", vals[i]);
		if (w < 0 || (size_t)w >= cap - used) {
			if (cap > 4)
				memcpy(buf + cap - 4, "...", 4);
			return;
		}
		used += (size_t)w;
	}
}

/*
 * Validators of one known string: an attribute (elem false) or an element of a
 * string collection (elem true). The value is quoted in the detail unless the
 * attribute is sensitive.
 */
static void validate_string(const schema_attr *a, const tf_value *v, bool elem, const tf_path *path,
			    tf_diags *d)
{
	const char *s = v->u.str.s;
	size_t n = v->u.str.len;
	bool secret = a->flags & SCHEMA_SENSITIVE;
	char label[160], quoted[96];

	snprintf(label, sizeof label, "%s%s", elem ? "each element of " : "", a->name);
	if (secret)
		snprintf(quoted, sizeof quoted, "The value");
	else
		snprintf(quoted, sizeof quoted, "\"%.80s%s\"", s, n > 80 ? "..." : "");

	if (a->enum_values) {
		bool ok = false;
		for (size_t i = 0; a->enum_values[i] && !ok; i++)
			ok = strcmp(a->enum_values[i], s) == 0;
		if (!ok) {
			char list[ENUM_LIST_MAX];
			enum_list(a->enum_values, list, sizeof list);
			tf_diags_error(d, path, "Invalid value",
				       "%s is not a valid value %s %s. Allowed values: %s.", quoted,
				       elem ? "in" : "for", a->name, list);
			return;
		}
	}
	if (a->min_len > 0 || a->max_len > 0) {
		int64_t len = utf8_len(s, n);
		if (len < a->min_len || (a->max_len > 0 && len > a->max_len)) {
			char want[64];
			if (a->max_len == 0)
				snprintf(want, sizeof want,
					 a->min_len == 1 ? "must not be empty"
							 : "must be at least %lld characters long",
					 (long long)a->min_len);
			else if (a->min_len == 0)
				snprintf(want, sizeof want, "must be at most %lld characters long",
					 (long long)a->max_len);
			else
				snprintf(want, sizeof want, "must be %lld to %lld characters long",
					 (long long)a->min_len, (long long)a->max_len);
			if (len == 0 && a->min_len == 1)
				tf_diags_error(d, path, "Invalid length", "%c%s must not be empty.",
					       elem ? 'E' : label[0], label + 1);
			else
				tf_diags_error(d, path, "Invalid length", "%c%s %s, got %lld.",
					       elem ? 'E' : label[0], label + 1, want,
					       (long long)len);
			return; /* a pattern error on top would say the same thing again */
		}
	}
	if (a->pattern) {
		const regex_t *re = pattern_regex(a->pattern);
		if (!re) {
			tf_diags_error(
				d, path, "Internal error: invalid schema pattern",
				"The provider's pattern for %s does not compile: %s. This is a provider bug.",
				a->name, a->pattern);
		} else if (strlen(s) != n || regexec(re, s, 0, NULL, 0) != 0) {
			tf_diags_error(d, path, "Invalid format",
				       "%s is not a valid %s%s: it must match %s.", quoted,
				       elem ? "element of " : "", a->name, a->pattern);
			return;
		}
	}
	if (a->check)
		a->check(v, path, d);
}

static void validate_number(const schema_attr *a, const tf_value *v, const tf_path *path,
			    tf_diags *d)
{
	int64_t i;
	double x;
	bool have_double = tf_value_number_as_double(v, &x) == 0;
	const char *text = v->u.num ? v->u.num : "?";

	if ((a->flags & SCHEMA_INTEGER) && tf_value_number_as_i64(v, &i) != 0 &&
	    !(have_double && isfinite(x) && floor(x) == x)) {
		tf_diags_error(d, path, "Whole number required",
			       "%s must be a whole number, got %s.", a->name, text);
		return;
	}
	if (a->has_range && (!have_double || x < a->min || x > a->max)) {
		tf_diags_error(d, path, "Value out of range",
			       "%s must be between %.17g and %.17g, got %s.", a->name, a->min,
			       a->max, text);
		return;
	}
	if (a->check)
		a->check(v, path, d);
}

static void validate_collection(const schema_attr *a, const tf_value *v, const tf_path *path,
				tf_diags *d)
{
	size_t n = tf_value_len(v);
	bool is_set = a->type == SCHEMA_T_SET_STRING, is_map = a->type == SCHEMA_T_MAP_STRING;
	/* Unknown elements of a set may turn out equal and collapse: its count is not known yet. */
	bool count_known = !(is_set && tf_value_has_unknown(v));
	tf_path p;

	if (count_known && a->min_items > 0 && (int64_t)n < a->min_items)
		tf_diags_error(d, path, "Too few elements",
			       "%s needs at least %lld element%s, got %zu.", a->name,
			       (long long)a->min_items, a->min_items == 1 ? "" : "s", n);
	if (count_known && a->max_items > 0 && (int64_t)n > a->max_items)
		tf_diags_error(d, path, "Too many elements",
			       "%s takes at most %lld element%s, got %zu.", a->name,
			       (long long)a->max_items, a->max_items == 1 ? "" : "s", n);

	tf_path_init(&p);
	if (tf_path_copy(&p, path) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		const tf_value *e = tf_value_index(v, i);
		int pushed = is_set   ? 0
			     : is_map ? tf_path_push_key(&p, v->u.coll.keys[i])
				      : tf_path_push_index(&p, (int64_t)i);
		if (pushed < 0)
			goto done;
		if (tf_value_is_null(e))
			tf_diags_error(d, &p, "Null element", "%s must not contain null elements.",
				       a->name);
		else if (tf_value_is_known(e) && e->type->kind == TF_TYPE_STRING)
			validate_string(a, e, true, &p, d);
		if (!is_set)
			tf_path_pop(&p);
	}
done:
	tf_path_free(&p);
}

static void validate_block(const schema_block *b, const tf_value *obj, tf_path *path, tf_diags *d);

/* The elements of one nested block type. `path` ends with the block's name. */
static void validate_nested(const schema_nested *nb, const tf_value *list, tf_path *path,
			    tf_diags *d)
{
	if (tf_value_is_unknown(list))
		return;
	if (nb->nesting == SCHEMA_NEST_SINGLE) {
		if (tf_value_is_known(list))
			validate_block(nb->block, list, path, d);
		return;
	}
	size_t n = tf_value_len(list);
	bool count_known = !(nb->nesting == SCHEMA_NEST_SET && tf_value_has_unknown(list));
	if (count_known && nb->min_items > 0 && (int64_t)n < nb->min_items)
		tf_diags_error(
			d, path,
			nb->min_items == 1 ? "Missing required block" : "Insufficient blocks",
			"At least %lld \"%s\" block%s required, got %zu.", (long long)nb->min_items,
			nb->name, nb->min_items == 1 ? " is" : "s are", n);
	if (count_known && nb->max_items > 0 && (int64_t)n > nb->max_items)
		tf_diags_error(d, path, "Too many blocks",
			       "No more than %lld \"%s\" block%s allowed, got %zu.",
			       (long long)nb->max_items, nb->name,
			       nb->max_items == 1 ? " is" : "s are", n);
	for (size_t i = 0; i < n; i++) {
		const tf_value *e = tf_value_index(list, i);
		if (nb->nesting == SCHEMA_NEST_LIST) {
			if (tf_path_push_index(path, (int64_t)i) < 0)
				return;
			validate_block(nb->block, e, path, d);
			tf_path_pop(path);
		} else {
			/* A set element has no address: validate it as if it had one, then cut
			 * the paths of its diagnostics back to the set's name. */
			size_t first = d->n;
			validate_block(nb->block, e, path, d);
			for (size_t k = first; k < d->n; k++)
				while (d->items[k].has_path && d->items[k].path.n > path->n)
					tf_path_pop(&d->items[k].path);
		}
	}
}

static void validate_block(const schema_block *b, const tf_value *obj, tf_path *path, tf_diags *d)
{
	if (!tf_value_is_known(obj))
		return;
	for (size_t i = 0; i < b->n_attrs; i++) {
		const schema_attr *a = &b->attrs[i];
		const tf_value *v = tf_value_attr(obj, a->name);
		bool computed_only = (a->flags & SCHEMA_COMPUTED) &&
				     !(a->flags & (SCHEMA_OPTIONAL | SCHEMA_REQUIRED));

		if (tf_path_push_attr(path, a->name) < 0)
			return;
		if (tf_value_is_null(v)) {
			if (a->flags & SCHEMA_REQUIRED)
				tf_diags_error(
					d, path, "Missing required argument",
					"The argument \"%s\" is required, but no definition was found.",
					a->name);
		} else if (computed_only) {
			tf_diags_error(
				d, path, "Value for unconfigurable attribute",
				"Can't configure a value for \"%s\": its value will be decided automatically "
				"based on the result of applying this configuration.",
				a->name);
		} else if (tf_value_is_known(v)) {
			switch (a->type) {
			case SCHEMA_T_STRING:
				if (v->type->kind == TF_TYPE_STRING)
					validate_string(a, v, false, path, d);
				break;
			case SCHEMA_T_NUMBER:
				if (v->type->kind == TF_TYPE_NUMBER)
					validate_number(a, v, path, d);
				break;
			case SCHEMA_T_BOOL:
				if (a->check)
					a->check(v, path, d);
				break;
			case SCHEMA_T_LIST_STRING:
			case SCHEMA_T_SET_STRING:
			case SCHEMA_T_MAP_STRING:
				validate_collection(a, v, path, d);
				break;
			case SCHEMA_T_LIST_OBJECT:
				break; /* computed only: refused above when set */
			}
		}
		tf_path_pop(path);
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		const schema_nested *nb = &b->blocks[i];
		if (tf_path_push_attr(path, nb->name) < 0)
			return;
		validate_nested(nb, tf_value_attr(obj, nb->name), path, d);
		tf_path_pop(path);
	}
	if (b->check)
		b->check(obj, path, d);
}

void schema_validate(const schema_block *b, const tf_value *config, tf_diags *d)
{
	tf_path path;
	tf_path_init(&path);
	validate_block(b, config, &path, d);
	tf_path_free(&path);
}

/* --- plan helpers --- */

static tf_value *default_value(const schema_attr *a)
{
	switch (a->type) {
	case SCHEMA_T_STRING:
		return tf_value_string(a->dflt);
	case SCHEMA_T_NUMBER:
		return tf_value_number_text(a->dflt);
	case SCHEMA_T_BOOL:
		return tf_value_bool(strcmp(a->dflt, "true") == 0);
	default:
		return NULL; /* collections have no text defaults */
	}
}

/* Config element paired with planned element i of a nested block list/set: the same
 * index when config has it; else NULL (the planned element then stands for itself). */
static const tf_value *paired(const tf_value *config_list, const tf_value *planned_list, size_t i)
{
	if (!tf_value_is_known(config_list) ||
	    tf_value_len(config_list) != tf_value_len(planned_list))
		return NULL;
	return tf_value_index(config_list, i);
}

typedef int (*plan_fn)(const schema_block *b, tf_value *planned, const tf_value *config);

/* Apply fn to each element of every nested block of planned, paired with config. */
static int each_nested(const schema_block *b, tf_value *planned, const tf_value *config, plan_fn fn)
{
	for (size_t i = 0; i < b->n_blocks; i++) {
		const schema_nested *nb = &b->blocks[i];
		tf_value *pl = tf_value_attr(planned, nb->name);
		const tf_value *cl = config ? tf_value_attr(config, nb->name) : NULL;
		if (!tf_value_is_known(pl))
			continue;
		if (nb->nesting == SCHEMA_NEST_SINGLE) {
			if (fn(nb->block, pl, tf_value_is_known(cl) ? cl : NULL) < 0)
				return -1;
			continue;
		}
		for (size_t j = 0; j < tf_value_len(pl); j++) {
			tf_value *pe = tf_value_index(pl, j);
			if (tf_value_is_known(pe) && fn(nb->block, pe, paired(cl, pl, j)) < 0)
				return -1;
		}
	}
	return 0;
}

int schema_fill_defaults(const schema_block *b, tf_value *planned, const tf_value *config)
{
	if (!tf_value_is_known(planned))
		return 0;
	for (size_t i = 0; i < b->n_attrs; i++) {
		const schema_attr *a = &b->attrs[i];
		const tf_value *cv = tf_value_attr(config ? config : planned, a->name);
		if (!a->dflt || !tf_value_is_null(cv))
			continue;
		tf_value *dv = default_value(a);
		if (!dv || tf_value_set_attr(planned, a->name, dv) < 0)
			return -1;
	}
	return each_nested(b, planned, config, schema_fill_defaults);
}

int schema_mark_computed_unknown(const schema_block *b, tf_value *planned, const tf_value *config)
{
	if (!tf_value_is_known(planned))
		return 0;
	for (size_t i = 0; i < b->n_attrs; i++) {
		const schema_attr *a = &b->attrs[i];
		tf_value *pv = tf_value_attr(planned, a->name);
		const tf_value *cv = config ? tf_value_attr(config, a->name) : NULL;
		if (!(a->flags & SCHEMA_COMPUTED) || !tf_value_is_null(pv) || !tf_value_is_null(cv))
			continue;
		const tf_type *t = schema_attr_type_of(a);
		tf_value *u = t ? tf_value_unknown(t) : NULL;
		if (!u || tf_value_set_attr(planned, a->name, u) < 0)
			return -1;
	}
	return each_nested(b, planned, config, schema_mark_computed_unknown);
}

static int append_path(tf_path **paths, size_t *n_paths, const tf_path *p)
{
	tf_path *grown = realloc(*paths, (*n_paths + 1) * sizeof **paths);
	if (!grown)
		return -1;
	*paths = grown;
	tf_path_init(&grown[*n_paths]);
	if (tf_path_copy(&grown[*n_paths], p) < 0)
		return -1;
	(*n_paths)++;
	return 0;
}

/* Does the block (or anything below it) have a force-new attribute or block? */
static bool has_force_new(const schema_block *b)
{
	for (size_t i = 0; i < b->n_attrs; i++)
		if (b->attrs[i].flags & SCHEMA_FORCE_NEW)
			return true;
	for (size_t i = 0; i < b->n_blocks; i++)
		if ((b->blocks[i].flags & SCHEMA_FORCE_NEW) || has_force_new(b->blocks[i].block))
			return true;
	return false;
}

static int replace_walk(const schema_block *b, const tf_value *prior, const tf_value *planned,
			tf_path *path, tf_path **paths, size_t *n_paths)
{
	int rc = 0;
	for (size_t i = 0; i < b->n_attrs && rc == 0; i++) {
		const schema_attr *a = &b->attrs[i];
		if (!(a->flags & SCHEMA_FORCE_NEW) ||
		    tf_value_equal(tf_value_attr(prior, a->name), tf_value_attr(planned, a->name)))
			continue;
		if ((rc = tf_path_push_attr(path, a->name)) == 0) {
			rc = append_path(paths, n_paths, path);
			tf_path_pop(path);
		}
	}
	for (size_t i = 0; i < b->n_blocks && rc == 0; i++) {
		const schema_nested *nb = &b->blocks[i];
		const tf_value *pr = tf_value_attr(prior, nb->name),
			       *pl = tf_value_attr(planned, nb->name);
		if (!(nb->flags & SCHEMA_FORCE_NEW) && !has_force_new(nb->block))
			continue;
		if ((rc = tf_path_push_attr(path, nb->name)) < 0)
			break;
		if (nb->flags & SCHEMA_FORCE_NEW || nb->nesting == SCHEMA_NEST_SET ||
		    !tf_value_is_known(pr) || !tf_value_is_known(pl)) {
			/* Whole block (sets cannot be indexed): replace when it differs at all. */
			if (!tf_value_equal(pr, pl))
				rc = append_path(paths, n_paths, path);
		} else if (nb->nesting == SCHEMA_NEST_SINGLE) {
			rc = replace_walk(nb->block, pr, pl, path, paths, n_paths);
		} else {
			/* LIST: pair by index; an added or removed element is not a change of a
			 * force-new attribute of an existing element. */
			size_t n = tf_value_len(pr) < tf_value_len(pl) ? tf_value_len(pr)
								       : tf_value_len(pl);
			for (size_t j = 0; j < n && rc == 0; j++) {
				if ((rc = tf_path_push_index(path, (int64_t)j)) < 0)
					break;
				rc = replace_walk(nb->block, tf_value_index(pr, j),
						  tf_value_index(pl, j), path, paths, n_paths);
				tf_path_pop(path);
			}
		}
		tf_path_pop(path);
	}
	return rc < 0 ? -1 : 0;
}

int schema_requires_replace(const schema_block *b, const tf_value *prior, const tf_value *planned,
			    tf_path **paths, size_t *n_paths)
{
	tf_path path;
	int rc;
	if (!tf_value_is_known(prior) || !tf_value_is_known(planned))
		return (int)*n_paths;
	tf_path_init(&path);
	rc = replace_walk(b, prior, planned, &path, paths, n_paths);
	tf_path_free(&path);
	return rc < 0 ? -1 : (int)*n_paths;
}

/* --- conformance --- */

static bool types_equal(const tf_type *a, const tf_type *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TF_TYPE_LIST:
	case TF_TYPE_SET:
	case TF_TYPE_MAP:
		return types_equal(a->elem, b->elem);
	case TF_TYPE_OBJECT:
	case TF_TYPE_TUPLE:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if ((a->kind == TF_TYPE_OBJECT && strcmp(a->names[i], b->names[i]) != 0) ||
			    !types_equal(a->types[i], b->types[i]))
				return false;
		return true;
	default:
		return true; /* primitives: same kind */
	}
}

static bool conforms_block(const schema_block *b, const tf_value *v, tf_path *path, tf_diags *d);

static bool conforms_attr(const schema_attr *a, const tf_value *v, tf_path *path, tf_diags *d)
{
	const tf_type *want = schema_attr_type_of(a);
	if (!v) {
		tf_diags_error(d, path, "Attribute missing", "The object has no attribute \"%s\".",
			       a->name);
		return false;
	}
	if (!types_equal(v->type, want)) {
		tf_diags_error(d, path, "Wrong attribute type",
			       "\"%s\" does not have the schema's type.", a->name);
		return false;
	}
	if (!tf_value_is_known(v) || a->type <= SCHEMA_T_BOOL)
		return true;
	for (size_t i = 0; i < tf_value_len(v); i++) {
		const tf_value *e = tf_value_index(v, i);
		const tf_type *elem =
			a->type == SCHEMA_T_LIST_OBJECT ? want->elem : &tf_type_string;
		if (!e || !types_equal(e->type, elem)) {
			tf_diags_error(d, path, "Wrong element type",
				       "An element of \"%s\" does not have the element type.",
				       a->name);
			return false;
		}
	}
	return true;
}

static bool conforms_block(const schema_block *b, const tf_value *v, tf_path *path, tf_diags *d)
{
	bool ok = true;
	if (!tf_value_is_known(v)) {
		tf_diags_error(d, path, "Block object not known",
			       "A block object must be a known, non-null object (found %s).",
			       tf_value_is_unknown(v) ? "unknown" : "null");
		return false;
	}
	if (v->type->kind != TF_TYPE_OBJECT || v->type->n != b->n_attrs + b->n_blocks) {
		tf_diags_error(d, path, "Wrong object shape",
			       "The object has %zu attributes, the schema %zu.",
			       v->type->kind == TF_TYPE_OBJECT ? v->type->n : 0,
			       b->n_attrs + b->n_blocks);
		return false;
	}
	for (size_t i = 0; i < b->n_attrs; i++) {
		if (tf_path_push_attr(path, b->attrs[i].name) < 0)
			return false;
		ok &= conforms_attr(&b->attrs[i], tf_value_attr(v, b->attrs[i].name), path, d);
		tf_path_pop(path);
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		const schema_nested *nb = &b->blocks[i];
		const tf_value *l = tf_value_attr(v, nb->name);
		if (tf_path_push_attr(path, nb->name) < 0)
			return false;
		if (!l) {
			tf_diags_error(d, path, "Block missing",
				       "The object has no nested block \"%s\".", nb->name);
			ok = false;
		} else if (nb->nesting == SCHEMA_NEST_SINGLE) {
			if (!tf_value_is_null(l))
				ok &= conforms_block(nb->block, l, path, d);
		} else if (!tf_value_is_known(l)) {
			tf_diags_error(
				d, path, "Block list not known",
				"Nested block \"%s\" must be a known list or set (empty when absent), not %s.",
				nb->name, tf_value_is_null(l) ? "null" : "unknown");
			ok = false;
		} else if (l->type->kind !=
			   (nb->nesting == SCHEMA_NEST_LIST ? TF_TYPE_LIST : TF_TYPE_SET)) {
			tf_diags_error(d, path, "Wrong block collection",
				       "Nested block \"%s\" must be a %s.", nb->name,
				       nb->nesting == SCHEMA_NEST_LIST ? "list" : "set");
			ok = false;
		} else {
			for (size_t j = 0; j < tf_value_len(l); j++) {
				bool pushed = nb->nesting == SCHEMA_NEST_LIST;
				if (pushed && tf_path_push_index(path, (int64_t)j) < 0)
					return false;
				ok &= conforms_block(nb->block, tf_value_index(l, j), path, d);
				if (pushed)
					tf_path_pop(path);
			}
		}
		tf_path_pop(path);
	}
	return ok;
}

bool schema_conforms(const schema_block *b, const tf_value *v, tf_diags *d)
{
	tf_path path;
	bool ok;
	if (v && tf_value_is_null(v) && types_equal(v->type, schema_block_type(b)))
		return true; /* a null object of the block type (e.g. a deleted resource) */
	tf_path_init(&path);
	ok = conforms_block(b, v, &path, d);
	tf_path_free(&path);
	return ok;
}
