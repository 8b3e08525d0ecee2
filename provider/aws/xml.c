/*
 * xml.c - element text from STS's XML answers (contract in xml.h).
 *
 * Hand-written: these responses are flat, fixed documents, so a full XML
 * library (libxml2) would be a dependency, and a start-up cost, for a handful
 * of look-ups.
 */
#include "xml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static int put_utf8(buf *b, unsigned long cp)
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
	return buf_append(b, u, n);
}

char *aws_xml_text(const char *xml, const char *elem)
{
	size_t el = strlen(elem);
	const char *p = xml, *start = NULL, *end;
	buf b;
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
	buf_init(&b, (size_t)(end - start) + 1);
	for (p = start; p < end;) {
		int r = 0;
		if (*p != '&') {
			r = buf_putc(&b, *p++);
		} else if (strncmp(p, "&amp;", 5) == 0) {
			r = buf_putc(&b, '&'), p += 5;
		} else if (strncmp(p, "&lt;", 4) == 0) {
			r = buf_putc(&b, '<'), p += 4;
		} else if (strncmp(p, "&gt;", 4) == 0) {
			r = buf_putc(&b, '>'), p += 4;
		} else if (strncmp(p, "&quot;", 6) == 0) {
			r = buf_putc(&b, '"'), p += 6;
		} else if (strncmp(p, "&apos;", 6) == 0) {
			r = buf_putc(&b, '\''), p += 6;
		} else if (p[1] == '#') {
			char *e;
			unsigned long cp = (p[2] == 'x' || p[2] == 'X') ? strtoul(p + 3, &e, 16)
									: strtoul(p + 2, &e, 10);
			if (*e != ';' || e > end || put_utf8(&b, cp) < 0) {
				r = buf_putc(&b, *p++);
			} else {
				p = e + 1;
			}
		} else {
			r = buf_putc(&b, *p++);
		}
		if (r < 0) {
			buf_free(&b);
			return NULL;
		}
	}
	{
		char *s = buf_detach(&b, NULL);
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
