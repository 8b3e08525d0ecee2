/*
 * ini.c - the shared config/credentials file parser (contract in ini.h).
 *
 * Hand-written: the dialect is botocore's configparser use (lower-cased keys,
 * nested values by indentation), which no Debian C INI library reproduces,
 * and it is forty lines.
 */
#include "ini.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "credentials.h"
#include "errors.h"

typedef struct {
	char *section, *key, *value;
} ini_ent;

struct aws_ini {
	ini_ent *e;
	size_t n, cap;
	char **sec;
	size_t nsec, capsec;
};

void aws_ini_free(aws_ini *ini)
{
	size_t i;

	if (!ini)
		return;
	for (i = 0; i < ini->n; i++) {
		free(ini->e[i].section);
		free(ini->e[i].key);
		aws_secret_free(ini->e[i].value);
	}
	for (i = 0; i < ini->nsec; i++)
		free(ini->sec[i]);
	free(ini->e);
	free(ini->sec);
	free(ini);
}

bool aws_ini_has_section(const aws_ini *ini, const char *section)
{
	size_t i;

	for (i = 0; ini && i < ini->nsec; i++)
		if (strcmp(ini->sec[i], section) == 0)
			return true;
	return false;
}

const char *aws_ini_get(const aws_ini *ini, const char *section, const char *key)
{
	size_t i;

	for (i = 0; ini && i < ini->n; i++)
		if (strcmp(ini->e[i].section, section) == 0 && strcmp(ini->e[i].key, key) == 0)
			return ini->e[i].value;
	return NULL;
}

static char *dup_trim(const char *s, size_t n)
{
	char *d;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int ini_add_section(aws_ini *ini, const char *name)
{
	char **p;

	if (aws_ini_has_section(ini, name))
		return 0;
	if (ini->nsec == ini->capsec) {
		size_t nc = ini->capsec ? ini->capsec * 2 : 8;
		if (!(p = realloc(ini->sec, nc * sizeof(*p))))
			return -1;
		ini->sec = p;
		ini->capsec = nc;
	}
	if (!(ini->sec[ini->nsec] = strdup(name)))
		return -1;
	ini->nsec++;
	return 0;
}

/* Takes ownership of key and value. */
static int ini_set(aws_ini *ini, const char *section, char *key, char *value)
{
	size_t i;
	ini_ent *p;

	for (i = 0; i < ini->n; i++) {
		if (strcmp(ini->e[i].section, section) == 0 && strcmp(ini->e[i].key, key) == 0) {
			aws_secret_free(ini->e[i].value);
			ini->e[i].value = value;
			free(key);
			return 0;
		}
	}
	if (ini->n == ini->cap) {
		size_t nc = ini->cap ? ini->cap * 2 : 16;
		if (!(p = realloc(ini->e, nc * sizeof(*p))))
			goto fail;
		ini->e = p;
		ini->cap = nc;
	}
	if (!(ini->e[ini->n].section = strdup(section)))
		goto fail;
	ini->e[ini->n].key = key;
	ini->e[ini->n].value = value;
	ini->n++;
	return 0;
fail:
	free(key);
	aws_secret_free(value);
	return -1;
}

/* A key from s[0..n), trimmed and lower-cased; with parent, "parent.key". */
static char *make_key(const char *parent, const char *s, size_t n)
{
	char *k = dup_trim(s, n), *out, *q;
	size_t pl;

	if (!k || !parent)
		out = k;
	else {
		pl = strlen(parent);
		if ((out = malloc(pl + strlen(k) + 2)))
			snprintf(out, pl + strlen(k) + 2, "%s.%s", parent, k);
		free(k);
	}
	for (q = out; q && *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return out;
}

/* Parse one file's text (the dialect in ini.h). A key with an empty value
 * followed by indented "sub = value" lines gets them as "key.sub", the way
 * botocore reads the nested `s3 =` and `[services]` settings. */
static int ini_parse(aws_ini *ini, const char *text)
{
	const char *p = text;
	char *section = NULL, *parent = NULL;
	int rc = -1;

	while (*p) {
		size_t l = strcspn(p, "\n");
		const char *line = p, *s = p, *eq;
		size_t n = l;
		bool indented;
		char *k, *v;

		p += l + (p[l] == '\n');
		if (n && line[n - 1] == '\r')
			n--;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (!n || *s == '#' || *s == ';')
			continue;
		indented = s != line;
		if (!indented && *s == '[') {
			const char *close = memchr(s, ']', n);
			free(section);
			free(parent);
			parent = NULL;
			section = close ? dup_trim(s + 1, (size_t)(close - s - 1)) : NULL;
			if (section && ini_add_section(ini, section) < 0)
				goto done;
			continue;
		}
		if (!section || !(eq = memchr(s, '=', n)) || (indented && !parent))
			continue; /* no section yet, no "=", or a continuation line */
		k = make_key(indented ? parent : NULL, s, (size_t)(eq - s));
		v = dup_trim(eq + 1, n - (size_t)(eq - s) - 1);
		if (!indented) {
			free(parent);
			parent = (k && v && !*v) ? strdup(k) : NULL;
		}
		if (!k || !v) {
			free(k);
			aws_secret_free(v);
			goto done;
		}
		if (ini_set(ini, section, k, v) < 0)
			goto done;
	}
	rc = 0;
done:
	free(section);
	free(parent);
	return rc;
}

int aws_ini_load(aws_ini **out, char *const *files, size_t n, aws_error *err)
{
	aws_ini *ini = calloc(1, sizeof(*ini));
	buf text;
	size_t i;
	int rc = AWS_ERR_CONFIG;

	buf_init(&text, AWS_INI_MAX_FILE);
	*out = NULL;
	if (!ini) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		rc = AWS_ERR_OTHER;
		goto done;
	}
	for (i = 0; i < n; i++) {
		FILE *f = fopen(files[i], "rb");
		char chunk[4096];
		size_t got;
		bool bad = false;

		if (!f) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL, "cannot read %s: %s",
				      files[i], strerror(errno));
			goto done;
		}
		buf_clear(&text);
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_append(&text, chunk, got) < 0) {
				bad = true;
				break;
			}
		bad = bad || ferror(f);
		fclose(f);
		if (bad) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "cannot read %s (unreadable or larger than %d bytes)",
				      files[i], AWS_INI_MAX_FILE);
			goto done;
		}
		if (text.len && ini_parse(ini, text.data) < 0) {
			aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
			rc = AWS_ERR_OTHER;
			goto done;
		}
	}
	*out = ini;
	ini = NULL;
	rc = 0;
done:
	buf_free_secret(&text);
	aws_ini_free(ini);
	return rc;
}
