/*
 * creds.c - where the provider's AWS credentials come from, and keeping them
 * fresh.
 *
 * The chain (docs/resources.md), first source that yields a key wins:
 *   1. provider access_key/secret_key/token;
 *   2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
 *   3. the profile (provider `profile`, else AWS_PROFILE, else "default") in the
 *      shared files: "[name]" in the credentials files, "[profile name]" (or
 *      "[default]") in the config files; keys aws_access_key_id,
 *      aws_secret_access_key, aws_session_token. A profile with role_arn and
 *      source_profile assumes that role with the source profile's credentials
 *      (depth at most 4; credential_source and credential_process are not
 *      supported). A profile named explicitly but found in no file is an error;
 *      a missing "default" just moves on;
 *   4. EC2 instance metadata, IMDSv2 only: PUT /latest/api/token, then
 *      /latest/meta-data/iam/security-credentials/ and .../<role>. Base URL from
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT, default http://169.254.169.254;
 *      AWS_EC2_METADATA_DISABLED=true skips it; 1 s connect / 2 s total timeouts
 *      so a machine that is not on EC2 moves on quickly.
 * Then, with an assume_role block, STS AssumeRole signed with those credentials.
 *
 * The result is cached in the client and re-resolved (whole chain) 5 minutes
 * before it expires; static keys never expire. creds_mu serialises resolution,
 * so concurrent callers wait for one refresh instead of racing.
 *
 * STS answers in XML. A small hand parser (aws_xml_text) takes the text of the
 * few unique elements we need (AccessKeyId, SecretAccessKey, SessionToken,
 * Expiration, Arn, Account, Code, Message): these responses are flat, fixed
 * documents, so a full XML library would be a dependency for five lookups.
 */
#include "aws_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/log.h"

#define INI_MAX_FILE (1024 * 1024) /* larger shared files are rejected */
#define CREDS_REFRESH_BEFORE 300 /* seconds before Expiration */
#define PROFILE_MAX_DEPTH 4 /* source_profile chain length */
#define IMDS_DEFAULT "http://169.254.169.254"
#define IMDS_CONNECT_MS 1000L
#define IMDS_TIMEOUT_MS 2000L

/* ---- credentials values ---- */

static char *secure_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void secure_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void aws_credentials_clear(aws_credentials *c)
{
	if (!c)
		return;
	secure_free(c->access_key);
	secure_free(c->secret_key);
	secure_free(c->token);
	memset(c, 0, sizeof(*c));
}

static int creds_set(aws_credentials *c, const char *ak, const char *sk, const char *tok,
		     time_t expires, const char *source)
{
	aws_credentials_clear(c);
	c->access_key = secure_dup(ak);
	c->secret_key = secure_dup(sk);
	c->token = (tok && *tok) ? secure_dup(tok) : NULL;
	c->expires = expires;
	snprintf(c->source, sizeof(c->source), "%s", source);
	if (!c->access_key || !c->secret_key || (tok && *tok && !c->token)) {
		aws_credentials_clear(c);
		return -1;
	}
	return 0;
}

/* ---- INI files ---- */

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
		secure_free(ini->e[i].value);
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
			secure_free(ini->e[i].value);
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
	secure_free(value);
	return -1;
}

/* Parse one file's text: "[section]", "key = value", '#'/';' comments; indented
 * lines (nested sub-sections such as "s3 =\n  max_concurrency = 10") ignored;
 * key names lower-cased as Python's configparser does; no inline comments. */
static int ini_parse(aws_ini *ini, const char *text)
{
	const char *p = text;
	char *section = NULL;
	int rc = -1;

	while (*p) {
		size_t l = strcspn(p, "\n");
		const char *line = p, *s = p, *eq;
		size_t n = l;

		p += l + (p[l] == '\n');
		if (n && line[n - 1] == '\r')
			n--;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (!n || *s == '#' || *s == ';')
			continue;
		if (s != line)
			continue; /* indented: a nested value */
		if (*s == '[') {
			const char *close = memchr(s, ']', n);
			free(section);
			section = close ? dup_trim(s + 1, (size_t)(close - s - 1)) : NULL;
			if (section && ini_add_section(ini, section) < 0)
				goto done;
			continue;
		}
		if (!section)
			continue;
		eq = memchr(s, '=', n);
		if (!eq)
			continue;
		{
			char *k = dup_trim(s, (size_t)(eq - s));
			char *v = dup_trim(eq + 1, n - (size_t)(eq - s) - 1);
			char *q;
			if (!k || !v) {
				free(k);
				free(v);
				goto done;
			}
			for (q = k; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			if (ini_set(ini, section, k, v) < 0)
				goto done;
		}
	}
	rc = 0;
done:
	free(section);
	return rc;
}

int aws_ini_load(aws_ini **out, char *const *files, size_t n, aws_error *err)
{
	aws_ini *ini = calloc(1, sizeof(*ini));
	aws_buf text;
	size_t i;
	int rc = AWS_ERR_CONFIG;

	aws_buf_init(&text, INI_MAX_FILE);
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
		aws_buf_clear(&text);
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (aws_buf_put(&text, chunk, got) < 0) {
				bad = true;
				break;
			}
		bad = bad || ferror(f);
		fclose(f);
		if (bad) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "cannot read %s (unreadable or larger than %d bytes)",
				      files[i], INI_MAX_FILE);
			goto done;
		}
		if (text.len && ini_parse(ini, text.ptr) < 0) {
			aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
			rc = AWS_ERR_OTHER;
			goto done;
		}
	}
	*out = ini;
	ini = NULL;
	rc = 0;
done:
	if (text.ptr)
		OPENSSL_cleanse(text.ptr, text.len);
	aws_buf_free(&text);
	aws_ini_free(ini);
	return rc;
}

const char *aws_profile_config_get(const aws_client *c, const char *profile, const char *key)
{
	char sec[300];
	const char *v = NULL;

	if (snprintf(sec, sizeof(sec), "profile %s", profile) < (int)sizeof(sec))
		v = aws_ini_get(c->config_ini, sec, key);
	if (!v && strcmp(profile, "default") == 0)
		v = aws_ini_get(c->config_ini, "default", key);
	return v;
}

static bool profile_config_exists(const aws_client *c, const char *profile)
{
	char sec[300];

	if (snprintf(sec, sizeof(sec), "profile %s", profile) < (int)sizeof(sec) &&
	    aws_ini_has_section(c->config_ini, sec))
		return true;
	return strcmp(profile, "default") == 0 && aws_ini_has_section(c->config_ini, "default");
}

/* Credentials file first, then the config file (as the AWS SDKs do). */
static const char *profile_get(const aws_client *c, const char *profile, const char *key)
{
	const char *v = aws_ini_get(c->credentials_ini, profile, key);

	return v ? v : aws_profile_config_get(c, profile, key);
}

/* ---- small XML and date helpers ---- */

static int put_utf8(aws_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else if (cp < 0x110000) {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	} else {
		return -1;
	}
	return aws_buf_put(b, u, n);
}

char *aws_xml_text(const char *xml, const char *elem)
{
	size_t el = strlen(elem);
	const char *p = xml, *start = NULL, *end;
	aws_buf b;
	char close[80];

	if (el == 0 || el > 60)
		return NULL;
	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (strncmp(p, elem, el) == 0 && strchr(">/ \t\r\n", p[el]) && p[el]) {
			start = strchr(p + el, '>');
			break;
		}
	}
	if (!start || start[-1] == '/')
		return start ? strdup("") : NULL;
	start++;
	snprintf(close, sizeof(close), "</%s>", elem);
	if (!(end = strstr(start, close)))
		return NULL;
	aws_buf_init(&b, (size_t)(end - start) + 1);
	for (p = start; p < end;) {
		int r = 0;
		if (*p != '&') {
			r = aws_buf_putc(&b, *p++);
		} else if (strncmp(p, "&amp;", 5) == 0) {
			r = aws_buf_putc(&b, '&'), p += 5;
		} else if (strncmp(p, "&lt;", 4) == 0) {
			r = aws_buf_putc(&b, '<'), p += 4;
		} else if (strncmp(p, "&gt;", 4) == 0) {
			r = aws_buf_putc(&b, '>'), p += 4;
		} else if (strncmp(p, "&quot;", 6) == 0) {
			r = aws_buf_putc(&b, '"'), p += 6;
		} else if (strncmp(p, "&apos;", 6) == 0) {
			r = aws_buf_putc(&b, '\''), p += 6;
		} else if (p[1] == '#') {
			char *e;
			unsigned long cp = (p[2] == 'x' || p[2] == 'X') ? strtoul(p + 3, &e, 16)
									: strtoul(p + 2, &e, 10);
			if (*e != ';' || e > end || put_utf8(&b, cp) < 0) {
				r = aws_buf_putc(&b, *p++);
			} else {
				p = e + 1;
			}
		} else {
			r = aws_buf_putc(&b, *p++);
		}
		if (r < 0) {
			aws_buf_free(&b);
			return NULL;
		}
	}
	{
		char *s = aws_buf_detach(&b);
		char *t;
		size_t n;
		if (!s)
			return NULL;
		/* trim surrounding whitespace (pretty-printed responses) */
		n = strlen(s);
		while (n && isspace((unsigned char)s[n - 1]))
			s[--n] = '\0';
		for (t = s; *t && isspace((unsigned char)*t); t++)
			;
		if (t != s)
			memmove(s, t, strlen(t) + 1);
		return s;
	}
}

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

time_t aws_parse_iso8601(const char *s)
{
	struct tm tm = {0};
	int Y, M, D, h, m, sec, oh = 0, om = 0;
	long off = 0;
	time_t t;

	if (!s || strlen(s) < 19 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) ||
	    s[7] != '-' || digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &m) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	s += 19;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		if (digits(s + 1, 2, &oh) || s[3] != ':' || digits(s + 4, 2, &om))
			return -1;
		off = (oh * 3600L + om * 60L) * (*s == '-' ? -1 : 1);
		s += 6;
	} else if (*s) {
		return -1;
	}
	if (*s || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -1;
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	t = timegm(&tm);
	return t == (time_t)-1 ? -1 : t - off;
}

/* ---- STS AssumeRole ---- */

static int form_add(aws_buf *b, const char *k, const char *v)
{
	if (aws_buf_printf(b, "&%s=", k) < 0)
		return -1;
	return aws_buf_put_uri_encoded(b, v, strlen(v), NULL);
}

/* Account ID from "arn:aws:sts::123456789012:assumed-role/r/s" into out[16]. */
static void account_from_arn(char out[16], const char *arn)
{
	const char *p = arn;
	size_t l;
	int i;

	out[0] = '\0';
	for (i = 0; i < 4 && p; i++) {
		p = strchr(p, ':');
		if (p)
			p++;
	}
	if (!p)
		return;
	l = strcspn(p, ":");
	if (l == 12)
		snprintf(out, 16, "%.*s", (int)l, p);
}

static int assume_role(aws_client *c, const aws_credentials *base, const char *role_arn,
		       const char *session_name, const char *external_id, int64_t duration,
		       aws_credentials *out, char account[16], aws_error *err)
{
	aws_buf form;
	char *xml = NULL, *ak = NULL, *sk = NULL, *tok = NULL, *exp = NULL, *arn = NULL;
	char session[64], num[32];
	time_t expires;
	int rc = AWS_ERR_OTHER;

	aws_buf_init(&form, 64 * 1024);
	if (!session_name || !*session_name) {
		snprintf(session, sizeof(session), "ssmpatch-%lld", (long long)time(NULL));
		session_name = session;
	}
	if (aws_buf_puts(&form, "Action=AssumeRole&Version=2011-06-15") < 0 ||
	    form_add(&form, "RoleArn", role_arn) < 0 ||
	    form_add(&form, "RoleSessionName", session_name) < 0)
		goto oom;
	if (duration > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)duration);
		if (form_add(&form, "DurationSeconds", num) < 0)
			goto oom;
	}
	if (external_id && *external_id && form_add(&form, "ExternalId", external_id) < 0)
		goto oom;
	LOG_D(AWS_LOG_MODULE, "AssumeRole %s (session %s) with %s credentials", role_arn,
	      session_name, base->source);
	if ((rc = aws_sts_call(c, base, "AssumeRole", form.ptr, &xml, err)) != 0) {
		/* Say which role failed: the STS message alone may not. */
		char m[sizeof(err->message)];
		int w = snprintf(m, sizeof(m), "assume role %s: ", role_arn);
		if (w > 0 && (size_t)w < sizeof(m)) {
			size_t room = sizeof(m) - (size_t)w;
			size_t l = strnlen(err->message, room - 1);
			memcpy(m + w, err->message, l);
			m[(size_t)w + l] = '\0';
			memcpy(err->message, m, sizeof(m));
		}
		goto done;
	}
	ak = aws_xml_text(xml, "AccessKeyId");
	sk = aws_xml_text(xml, "SecretAccessKey");
	tok = aws_xml_text(xml, "SessionToken");
	exp = aws_xml_text(xml, "Expiration");
	arn = aws_xml_text(xml, "Arn");
	expires = exp ? aws_parse_iso8601(exp) : -1;
	if (!ak || !sk || !tok || !*ak || !*sk || expires < 0) {
		aws_error_set(err, AWS_ERR_AUTH, 200, NULL, "AssumeRole",
			      "assume role %s: STS response lacks credentials or Expiration",
			      role_arn);
		rc = AWS_ERR_AUTH;
		goto done;
	}
	if (creds_set(out, ak, sk, tok, expires, "assume_role") < 0)
		goto oom;
	if (account)
		account_from_arn(account, arn ? arn : "");
	rc = 0;
	goto done;
oom:
	aws_error_set(err, AWS_ERR_OTHER, 0, NULL, "AssumeRole", "out of memory");
	rc = AWS_ERR_OTHER;
done:
	if (form.ptr)
		OPENSSL_cleanse(form.ptr, form.len);
	aws_buf_free(&form);
	secure_free(xml);
	secure_free(ak);
	secure_free(sk);
	secure_free(tok);
	free(exp);
	free(arn);
	return rc;
}

/* ---- the chain ---- */

/* 0 = found, 1 = this profile has none, < 0 = error. */
static int profile_creds(aws_client *c, const char *name, int depth, aws_credentials *out,
			 aws_error *err)
{
	const char *ak, *sk, *tok, *role, *src;
	bool exists =
		aws_ini_has_section(c->credentials_ini, name) || profile_config_exists(c, name);

	if (!exists) {
		if (depth > 0 || c->profile_explicit) {
			aws_error_set(
				err, AWS_ERR_CONFIG, 0, NULL, NULL,
				"profile \"%s\" not found in the shared config or credentials files",
				name);
			return AWS_ERR_CONFIG;
		}
		return 1;
	}
	ak = profile_get(c, name, "aws_access_key_id");
	sk = profile_get(c, name, "aws_secret_access_key");
	tok = profile_get(c, name, "aws_session_token");
	role = profile_get(c, name, "role_arn");
	if (role && *role) {
		aws_credentials base = {0};
		const char *dur = profile_get(c, name, "duration_seconds");
		int64_t d = 0;
		int rc;

		src = profile_get(c, name, "source_profile");
		if (!src || !*src) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "profile \"%s\" has role_arn without source_profile "
				      "(credential_source is not supported)",
				      name);
			return AWS_ERR_CONFIG;
		}
		if (depth >= PROFILE_MAX_DEPTH) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "profile \"%s\": source_profile chain longer than %d", name,
				      PROFILE_MAX_DEPTH);
			return AWS_ERR_CONFIG;
		}
		if (strcmp(src, name) == 0) {
			/* A profile may be its own source: its static keys. */
			if (!ak || !sk || !*ak || !*sk) {
				aws_error_set(
					err, AWS_ERR_CONFIG, 0, NULL, NULL,
					"profile \"%s\" is its own source_profile but has no keys",
					name);
				return AWS_ERR_CONFIG;
			}
			if (creds_set(&base, ak, sk, tok, 0, "profile") < 0)
				return AWS_ERR_OTHER;
		} else {
			rc = profile_creds(c, src, depth + 1, &base, err);
			if (rc == 1) {
				aws_error_set(
					err, AWS_ERR_CONFIG, 0, NULL, NULL,
					"source_profile \"%s\" of profile \"%s\" has no credentials",
					src, name);
				rc = AWS_ERR_CONFIG;
			}
			if (rc != 0)
				return rc;
		}
		if (dur) {
			char *e;
			long long v = strtoll(dur, &e, 10);
			if (*e || v < 0) {
				aws_credentials_clear(&base);
				aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
					      "profile \"%s\": invalid duration_seconds", name);
				return AWS_ERR_CONFIG;
			}
			d = v;
		}
		rc = assume_role(c, &base, role, profile_get(c, name, "role_session_name"),
				 profile_get(c, name, "external_id"), d, out, NULL, err);
		aws_credentials_clear(&base);
		return rc;
	}
	if (ak && sk && *ak && *sk)
		return creds_set(out, ak, sk, tok, 0, "profile") < 0 ? AWS_ERR_OTHER : 0;
	return 1;
}

static void trim_inplace(char *s)
{
	size_t n = strlen(s);
	char *t;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	for (t = s; *t && isspace((unsigned char)*t); t++)
		;
	memmove(s, t, strlen(t) + 1);
}

/* 0 = found, 1 = not available here. */
static int imds_creds(aws_client *c, aws_credentials *out, aws_error *err)
{
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	aws_http_response resp;
	aws_error lerr;
	aws_buf url, tokhdr;
	char *token = NULL, role[256];
	const char *hdr[1];
	json_t *j = NULL;
	size_t bl;
	int rc = 1;

	(void)err;
	if (dis && strcasecmp(dis, "true") == 0)
		return 1;
	if (!base || !*base)
		base = IMDS_DEFAULT;
	bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	aws_http_response_init(&resp);
	aws_buf_init(&url, 4096);
	aws_buf_init(&tokhdr, 4096);

	hdr[0] = "X-aws-ec2-metadata-token-ttl-seconds: 21600";
	if (aws_buf_printf(&url, "%.*s/latest/api/token", (int)bl, base) < 0)
		goto done;
	{
		aws_http_request r = {"PUT",           url.ptr,        hdr, 1, NULL, 0,
				      IMDS_CONNECT_MS, IMDS_TIMEOUT_MS};
		if (aws_http_do(c->http, &r, &resp, &lerr) != 0 || resp.status != 200 ||
		    !resp.body.len) {
			LOG_D(AWS_LOG_MODULE, "IMDSv2 token not available (%s)",
			      resp.status ? "HTTP error" : lerr.message);
			goto done;
		}
	}
	token = aws_buf_detach(&resp.body);
	aws_buf_init(&resp.body, AWS_HTTP_MAX_BODY);
	if (!token)
		goto done;
	trim_inplace(token);
	if (aws_buf_printf(&tokhdr, "X-aws-ec2-metadata-token: %s", token) < 0)
		goto done;
	hdr[0] = tokhdr.ptr;

	aws_buf_clear(&url);
	if (aws_buf_printf(&url, "%.*s/latest/meta-data/iam/security-credentials/", (int)bl, base) <
	    0)
		goto done;
	{
		aws_http_request r = {"GET",           url.ptr,        hdr, 1, NULL, 0,
				      IMDS_CONNECT_MS, IMDS_TIMEOUT_MS};
		size_t l;
		if (aws_http_do(c->http, &r, &resp, &lerr) != 0 || resp.status != 200 ||
		    !resp.body.len) {
			LOG_D(AWS_LOG_MODULE, "IMDS: no instance role (HTTP %ld)", resp.status);
			goto done;
		}
		l = strcspn(resp.body.ptr, "\r\n");
		if (l == 0 || l >= sizeof(role) ||
		    strspn(resp.body.ptr,
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-") !=
			    l) {
			LOG_W(AWS_LOG_MODULE, "IMDS: unexpected role name");
			goto done;
		}
		memcpy(role, resp.body.ptr, l);
		role[l] = '\0';
		if (aws_buf_puts(&url, role) < 0)
			goto done;
	}
	{
		aws_http_request r = {"GET",           url.ptr,        hdr, 1, NULL, 0,
				      IMDS_CONNECT_MS, IMDS_TIMEOUT_MS};
		const char *code, *ak, *sk, *tok, *exp;
		time_t expires;
		if (aws_http_do(c->http, &r, &resp, &lerr) != 0 || resp.status != 200) {
			LOG_D(AWS_LOG_MODULE, "IMDS: role credentials not available (HTTP %ld)",
			      resp.status);
			goto done;
		}
		j = json_loadb(resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, NULL);
		code = json_string_value(json_object_get(j, "Code"));
		ak = json_string_value(json_object_get(j, "AccessKeyId"));
		sk = json_string_value(json_object_get(j, "SecretAccessKey"));
		tok = json_string_value(json_object_get(j, "Token"));
		exp = json_string_value(json_object_get(j, "Expiration"));
		expires = exp ? aws_parse_iso8601(exp) : -1;
		if ((code && strcmp(code, "Success") != 0) || !ak || !sk || !tok || expires < 0) {
			LOG_W(AWS_LOG_MODULE,
			      "IMDS: role %s returned no usable credentials (Code %s)", role,
			      code ? code : "-");
			goto done;
		}
		if (creds_set(out, ak, sk, tok, expires, "imds") < 0)
			goto done;
		LOG_D(AWS_LOG_MODULE, "credentials from IMDS role %s", role);
		rc = 0;
	}
done:
	if (j) {
		json_t *v;
		const char *k;
		/* Scrub the secrets jansson copied before freeing. */
		json_object_foreach (j, k, v)
			if (json_is_string(v) && json_string_length(v))
				OPENSSL_cleanse((void *)json_string_value(v),
						json_string_length(v));
		json_decref(j);
	}
	if (resp.body.ptr)
		OPENSSL_cleanse(resp.body.ptr, resp.body.len);
	aws_http_response_free(&resp);
	secure_free(token);
	if (tokhdr.ptr)
		OPENSSL_cleanse(tokhdr.ptr, tokhdr.len);
	aws_buf_free(&tokhdr);
	aws_buf_free(&url);
	return rc;
}

static int resolve_base(aws_client *c, aws_credentials *out, aws_error *err)
{
	const aws_config *cfg = &c->cfg;
	const char *eak = getenv("AWS_ACCESS_KEY_ID"), *esk = getenv("AWS_SECRET_ACCESS_KEY");
	int rc;

	if ((cfg->access_key && *cfg->access_key) || (cfg->secret_key && *cfg->secret_key)) {
		if (!cfg->access_key || !*cfg->access_key || !cfg->secret_key ||
		    !*cfg->secret_key) {
			aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
				      "access_key and secret_key must be set together");
			return AWS_ERR_CONFIG;
		}
		return creds_set(out, cfg->access_key, cfg->secret_key, cfg->token, 0, "static") < 0
			       ? AWS_ERR_OTHER
			       : 0;
	}
	if (eak && *eak && esk && *esk)
		return creds_set(out, eak, esk, getenv("AWS_SESSION_TOKEN"), 0, "env") < 0
			       ? AWS_ERR_OTHER
			       : 0;
	rc = profile_creds(c, c->profile, 0, out, err);
	if (rc != 1)
		return rc;
	if (imds_creds(c, out, err) == 0)
		return 0;
	aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
		      "no AWS credentials found: set access_key/secret_key, AWS_ACCESS_KEY_ID/"
		      "AWS_SECRET_ACCESS_KEY, a profile (\"%s\") with keys in the shared files, "
		      "or run on EC2 with an instance role",
		      c->profile);
	return AWS_ERR_CONFIG;
}

static int resolve(aws_client *c, aws_credentials *out, char account[16], aws_error *err)
{
	aws_credentials base = {0};
	int rc;

	account[0] = '\0';
	if ((rc = resolve_base(c, &base, err)) != 0)
		goto done;
	if (!c->cfg.has_assume_role) {
		*out = base;
		memset(&base, 0, sizeof(base));
		goto done;
	}
	rc = assume_role(c, &base, c->cfg.role_arn, c->cfg.session_name, c->cfg.external_id,
			 c->cfg.duration_seconds, out, account, err);
	/* The assumed credentials carry STS's Expiration; they stay valid on their
	 * own even when the base (e.g. IMDS) credentials expire earlier. */
done:
	aws_credentials_clear(&base);
	return rc;
}

int aws_creds_get(aws_client *c, aws_credentials *out, aws_error *err)
{
	time_t now = time(NULL);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->creds_mu);
	if (!c->have_creds ||
	    (c->creds.expires && now >= c->creds.expires - CREDS_REFRESH_BEFORE)) {
		aws_credentials fresh = {0};
		char account[16];
		if ((rc = resolve(c, &fresh, account, err)) != 0)
			goto done;
		aws_credentials_clear(&c->creds);
		c->creds = fresh;
		c->have_creds = true;
		if (account[0])
			memcpy(c->role_account, account, sizeof(account));
		LOG_D(AWS_LOG_MODULE, "credentials from %s%s", c->creds.source,
		      c->creds.expires ? " (expiring)" : "");
	}
	if (creds_set(out, c->creds.access_key, c->creds.secret_key, c->creds.token,
		      c->creds.expires, c->creds.source) < 0) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
		rc = AWS_ERR_OTHER;
	}
done:
	pthread_mutex_unlock(&c->creds_mu);
	return rc;
}

void aws_creds_invalidate(aws_client *c)
{
	pthread_mutex_lock(&c->creds_mu);
	aws_credentials_clear(&c->creds);
	c->have_creds = false;
	pthread_mutex_unlock(&c->creds_mu);
}
