/*
 * number.c - cty numbers, kept as decimal text (see value.h).
 *
 * Comparison normalises each literal to sign x digits x 10^exp (no leading or
 * trailing zero digits) and compares those exactly, so "1" == "1.0" == "1e0"
 * and 30-digit integers stay exact. Exponents are saturated at +-10^17, far
 * beyond anything a float64 or a human writes; two literals that both saturate
 * compare by their digits only.
 */
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- numbers */

#define NUM_EXP_SAT 100000000000000000LL /* 1e17 */

/* A number literal normalised as sign * digits * 10^exp. digits has no
 * leading or trailing zeros; zero has nd == 0 and sign 0. */
typedef struct {
	int sign; /* -1, 0, +1 */
	bool inf;
	const char *src; /* the literal */
	char *digits; /* points at small or at a heap copy */
	size_t nd;
	int64_t exp;
	char small[64];
} num_norm;

static bool is_inf_text(const char *s, int *sign)
{
	*sign = 1;
	if (*s == '+' || *s == '-') {
		if (*s == '-')
			*sign = -1;
		s++;
	}
	return strcasecmp(s, "inf") == 0 || strcasecmp(s, "infinity") == 0;
}

bool tf_number_valid(const char *s)
{
	bool digits = false;
	int sign;

	if (!s)
		return false;
	if (is_inf_text(s, &sign))
		return true;
	if (*s == '+' || *s == '-')
		s++;
	while (isdigit((unsigned char)*s)) {
		s++;
		digits = true;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			s++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

static void num_norm_free(num_norm *n)
{
	if (n->digits && n->digits != n->small)
		free(n->digits);
	n->digits = NULL;
}

/* 0, or -1 when the text is not a valid literal or memory ran out. */
static int num_norm_parse(num_norm *n, const char *s)
{
	size_t len, frac = 0, k = 0, start, end;
	int64_t e = 0;
	bool in_frac = false;
	const char *p;
	int sign = 1;

	memset(n, 0, sizeof(*n));
	n->src = s;
	if (!tf_number_valid(s))
		return -1;
	if (is_inf_text(s, &sign)) {
		n->inf = true;
		n->sign = sign;
		return 0;
	}
	len = strlen(s);
	n->digits = len < sizeof(n->small) ? n->small : malloc(len + 1);
	if (!n->digits)
		return -1;
	p = s;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (; *p && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.') {
			in_frac = true;
			continue;
		}
		n->digits[k++] = *p;
		if (in_frac)
			frac++;
	}
	if (*p == 'e' || *p == 'E') {
		int esign = 1;

		p++;
		if (*p == '+' || *p == '-')
			esign = *p++ == '-' ? -1 : 1;
		for (; *p; p++) {
			if (e < NUM_EXP_SAT)
				e = e * 10 + (*p - '0');
		}
		if (e > NUM_EXP_SAT)
			e = NUM_EXP_SAT;
		e *= esign;
	}
	/* strip leading zeros */
	for (start = 0; start < k && n->digits[start] == '0'; start++)
		;
	/* strip trailing zeros */
	for (end = k; end > start && n->digits[end - 1] == '0'; end--)
		;
	e -= (int64_t)frac;
	e += (int64_t)(k - end);
	memmove(n->digits, n->digits + start, end - start);
	n->nd = end - start;
	n->digits[n->nd] = '\0';
	n->exp = n->nd ? e : 0;
	n->sign = n->nd ? sign : 0;
	return 0;
}

/* Compare magnitudes of two finite, non-zero normalised numbers. */
static int num_cmp_mag(const num_norm *a, const num_norm *b)
{
	/* position of the most significant digit: nd + exp */
	int64_t pa = (int64_t)a->nd + a->exp, pb = (int64_t)b->nd + b->exp;
	size_t i, n;

	if (pa != pb)
		return pa < pb ? -1 : 1;
	n = a->nd > b->nd ? a->nd : b->nd;
	for (i = 0; i < n; i++) {
		char da = i < a->nd ? a->digits[i] : '0';
		char db = i < b->nd ? b->digits[i] : '0';

		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

static int num_norm_cmp(const num_norm *a, const num_norm *b)
{
	int m;

	if (a->sign != b->sign)
		return a->sign < b->sign ? -1 : 1;
	if (a->sign == 0)
		return 0;
	if (a->inf || b->inf) {
		if (a->inf && b->inf)
			return 0;
		m = a->inf ? 1 : -1;
	} else {
		m = num_cmp_mag(a, b);
	}
	return a->sign < 0 ? -m : m;
}

int tf_number_compare(const char *a, const char *b)
{
	num_norm na, nb;
	int c = 0;

	if (num_norm_parse(&na, a) < 0) {
		num_norm_free(&na);
		return strcmp(a ? a : "", b ? b : "") < 0 ? -1 : 1;
	}
	if (num_norm_parse(&nb, b) < 0) {
		num_norm_free(&na);
		num_norm_free(&nb);
		return 1;
	}
	c = num_norm_cmp(&na, &nb);
	num_norm_free(&na);
	num_norm_free(&nb);
	return c;
}

bool tf_number_exact_double(const char *text, double *out)
{
	/* The exact decimal expansion of a double has at most 767 significant digits;
	 * glibc's printf prints it exactly. */
	char tmp[1100];
	num_norm a, b;
	double d;
	bool ok = false;

	if (num_norm_parse(&a, text) < 0)
		goto done;
	if (a.inf) {
		d = a.sign < 0 ? -INFINITY : INFINITY;
		ok = true;
		goto done;
	}
	d = strtod(text, NULL);
	if (!isfinite(d))
		goto done;
	snprintf(tmp, sizeof(tmp), "%.800e", d);
	if (num_norm_parse(&b, tmp) == 0)
		ok = num_norm_cmp(&a, &b) == 0;
	num_norm_free(&b);
done:
	num_norm_free(&a);
	if (ok && out)
		*out = d;
	return ok;
}

void tf_number_shortest(double v, char *out, size_t outsz)
{
	int prec;

	if (v == floor(v) && fabs(v) < 1e21) {
		snprintf(out, outsz, "%.0f", v);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, outsz, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

int tf_value_number_as_i64(const tf_value *v, int64_t *out)
{
	num_norm n;
	uint64_t acc = 0, limit;
	size_t i;
	int64_t k;
	int rc = -1;

	if (!v || v->state != TF_VALUE_KNOWN || v->type->kind != TF_TYPE_NUMBER)
		return -1;
	if (num_norm_parse(&n, v->u.num) < 0 || n.inf)
		goto done;
	if (n.sign == 0) {
		*out = 0;
		rc = 0;
		goto done;
	}
	if (n.exp < 0 || (int64_t)n.nd + n.exp > 19)
		goto done;
	limit = n.sign < 0 ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = 0; i < n.nd + (size_t)n.exp; i++) {
		unsigned d = i < n.nd ? (unsigned)(n.digits[i] - '0') : 0;

		if (acc > (limit - d) / 10)
			goto done;
		acc = acc * 10 + d;
	}
	if (n.sign < 0)
		k = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
	else
		k = (int64_t)acc;
	*out = k;
	rc = 0;
done:
	num_norm_free(&n);
	return rc;
}

/* Nearest double; -1 when the value is beyond the float64 range (an infinity
 * literal reads as an infinity). */
int tf_value_number_as_double(const tf_value *v, double *out)
{
	double d;
	int sign;

	if (!v || v->state != TF_VALUE_KNOWN || v->type->kind != TF_TYPE_NUMBER)
		return -1;
	if (is_inf_text(v->u.num, &sign)) {
		*out = sign < 0 ? -INFINITY : INFINITY;
		return 0;
	}
	errno = 0;
	d = strtod(v->u.num, NULL);
	if (!isfinite(d))
		return -1;
	*out = d;
	return 0;
}
