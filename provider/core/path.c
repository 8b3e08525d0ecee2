/*
 * path.c - attribute paths (see value.h), in Terraform's textual form
 * a.b[0]["k"].
 */
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* ------------------------------------------------------------------ paths */

void tf_path_init(tf_path *p)
{
	p->n = 0;
	p->steps = NULL;
}

void tf_path_free(tf_path *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		free(p->steps[i].name);
	free(p->steps);
	tf_path_init(p);
}

static int path_push(tf_path *p, tf_step_kind kind, const char *name, size_t name_len,
		     int64_t index)
{
	tf_path_step *steps;
	char *copy = NULL;

	if (name) {
		if (!(copy = malloc(name_len + 1)))
			return -1;
		memcpy(copy, name, name_len);
		copy[name_len] = '\0';
	}
	steps = realloc(p->steps, (p->n + 1) * sizeof(*steps));
	if (!steps) {
		free(copy);
		return -1;
	}
	p->steps = steps;
	steps[p->n].kind = kind;
	steps[p->n].name = copy;
	steps[p->n].index = index;
	p->n++;
	return 0;
}

int tf_path_copy(tf_path *out, const tf_path *src)
{
	size_t i;

	tf_path_init(out);
	for (i = 0; src && i < src->n; i++) {
		const tf_path_step *s = &src->steps[i];

		if (path_push(out, s->kind, s->name, s->name ? strlen(s->name) : 0, s->index) < 0) {
			tf_path_free(out);
			return -1;
		}
	}
	return 0;
}

int tf_path_push_attr(tf_path *p, const char *name)
{
	return name ? path_push(p, TF_STEP_ATTR, name, strlen(name), 0) : -1;
}

int tf_path_push_key(tf_path *p, const char *key)
{
	return key ? path_push(p, TF_STEP_KEY_STRING, key, strlen(key), 0) : -1;
}

int tf_path_push_index(tf_path *p, int64_t i)
{
	return path_push(p, TF_STEP_KEY_INT, NULL, 0, i);
}

void tf_path_pop(tf_path *p)
{
	if (!p || !p->n)
		return;
	p->n--;
	free(p->steps[p->n].name);
	if (!p->n) {
		free(p->steps);
		p->steps = NULL;
	}
}

char *tf_path_string(const tf_path *p)
{
	buf b = BUF_INIT;
	size_t i;

	for (i = 0; p && i < p->n; i++) {
		const tf_path_step *s = &p->steps[i];

		switch (s->kind) {
		case TF_STEP_ATTR:
			if (i)
				buf_putc(&b, '.');
			buf_puts(&b, s->name);
			break;
		case TF_STEP_KEY_STRING:
			buf_putc(&b, '[');
			buf_json_string(&b, s->name, strlen(s->name));
			buf_putc(&b, ']');
			break;
		case TF_STEP_KEY_INT:
			buf_printf(&b, "[%" PRId64 "]", s->index);
			break;
		}
	}
	return buf_detach(&b, NULL);
}

/* Grammar: step ( "." name | "[" int "]" | "[" quoted "]" )*, where the first step
 * is a name or a bracket; quoted strings use \" and \\ escapes (and \n \t \r).
 * Returns -1 (and an empty path) on malformed text. */
int tf_path_parse(tf_path *out, const char *text)
{
	const char *s = text;
	buf key = BUF_INIT;
	int rc = -1;

	tf_path_init(out);
	if (!s || !*s)
		goto done;
	while (*s) {
		if (*s == '[') {
			s++;
			if (*s == '"') {
				s++;
				buf_free(&key);
				buf_puts(&key, "");
				while (*s && *s != '"') {
					char c = *s++;

					if (c == '\\') {
						/* escape letter, then what it stands for */
						static const char esc[] = "n\nt\tr\r\"\"\\\\";
						const char *e = *s ? strchr(esc, *s++) : NULL;

						if (!e || (e - esc) % 2)
							goto done;
						c = e[1];
					}
					buf_putc(&key, c);
				}
				if (*s != '"' || s[1] != ']' || buf_failed(&key))
					goto done;
				s += 2;
				if (path_push(out, TF_STEP_KEY_STRING, key.data, key.len, 0) < 0)
					goto done;
			} else {
				char *end;
				long long v;

				if (!(isdigit((unsigned char)*s) ||
				      (*s == '-' && isdigit((unsigned char)s[1]))))
					goto done;
				errno = 0;
				v = strtoll(s, &end, 10);
				if (errno || *end != ']')
					goto done;
				s = end + 1;
				if (path_push(out, TF_STEP_KEY_INT, NULL, 0, (int64_t)v) < 0)
					goto done;
			}
		} else {
			const char *start;

			if (out->n) {
				if (*s != '.')
					goto done;
				s++;
			}
			start = s;
			while (*s && *s != '.' && *s != '[' && *s != ']' && *s != '"')
				s++;
			if (s == start)
				goto done;
			if (path_push(out, TF_STEP_ATTR, start, (size_t)(s - start), 0) < 0)
				goto done;
		}
	}
	rc = 0;
done:
	buf_free(&key);
	if (rc < 0)
		tf_path_free(out);
	return rc;
}
