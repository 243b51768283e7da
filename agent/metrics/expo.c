// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition format writer (see expo.h). Each sample is
 * built whole in the buffer and cut back on error, so a failed append
 * never leaves half a line behind.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/expo.h"

static bool is_alpha_(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool expo_metric_name_ok(const char *s)
{
	size_t i;

	if (!s || !*s || strlen(s) >= EXPO_NAME_MAX)
		return false;
	for (i = 0; s[i]; i++)
		if (!is_alpha_(s[i]) && s[i] != ':' && (i == 0 || !is_digit(s[i])))
			return false;
	return true;
}

bool expo_label_name_ok(const char *s)
{
	size_t i;

	if (!s || !*s || (s[0] == '_' && s[1] == '_'))
		return false;
	for (i = 0; s[i]; i++)
		if (!is_alpha_(s[i]) && (i == 0 || !is_digit(s[i])))
			return false;
	return true;
}

void expo_init(struct expo *e, struct buf *out)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
}

static void fail(struct expo *e, int err)
{
	if (!e->err)
		e->err = err;
}

/* HELP text: \ and line feed escaped. Label values also escape ".
 * Runs without those characters go in one append (a page of a thousand
 * VIPs has a hundred thousand label values). */
static void put_escaped(struct buf *b, const char *s, bool quote)
{
	const char *special = quote ? "\\\n\"" : "\\\n";
	size_t n;

	for (;;) {
		n = strcspn(s, special);
		buf_append(b, s, n);
		s += n;
		if (!*s)
			return;
		buf_puts(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\");
		s++;
	}
}

/* Decimal digits of v, the same as %llu, without printf's machinery. */
static void put_u64(struct buf *b, uint64_t v)
{
	char num[24];
	size_t i = sizeof(num);

	do {
		num[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	buf_append(b, num + i, sizeof(num) - i);
}

/* A family that got no sample leaves no HELP/TYPE lines behind. */
static void family_end(struct expo *e)
{
	if (e->family[0] && !e->samples && !e->err)
		buf_truncate(e->out, e->family_at);
	e->family[0] = '\0';
}

void expo_family(struct expo *e, const char *name, enum expo_type type, const char *help)
{
	static const char *const types[] = {
		[EXPO_COUNTER] = "counter", [EXPO_GAUGE] = "gauge", [EXPO_UNTYPED] = "untyped",
		[EXPO_HISTOGRAM] = "histogram",
	};
	size_t mark;

	family_end(e);
	mark = e->out->len;
	if (e->err)
		return;
	if (!expo_metric_name_ok(name) || (unsigned)type > EXPO_HISTOGRAM) {
		fail(e, -EINVAL);
		return;
	}
	snprintf(e->family, sizeof(e->family), "%s", name);
	e->family_at = mark;
	e->samples = 0;
	buf_printf(e->out, "# HELP %s ", name);
	put_escaped(e->out, help ? help : "", false);
	buf_printf(e->out, "\n# TYPE %s %s\n", name, types[type]);
	if (e->out->err) {
		fail(e, e->out->err);
		buf_truncate(e->out, mark);
	}
}

/* name{l1="v1",...} and a space; the value follows. */
static bool sample_start(struct expo *e, va_list ap)
{
	const char *label, *value;
	bool any = false;

	if (e->err)
		return false;
	if (!e->family[0]) {
		fail(e, -EINVAL);
		return false;
	}
	buf_puts(e->out, e->family);
	while ((label = va_arg(ap, const char *))) {
		value = va_arg(ap, const char *);
		if (!value)
			continue;
		if (!expo_label_name_ok(label)) {
			fail(e, -EINVAL);
			return false;
		}
		buf_putc(e->out, any ? ',' : '{');
		buf_puts(e->out, label);
		buf_append(e->out, "=\"", 2);
		put_escaped(e->out, value, true);
		buf_putc(e->out, '"');
		any = true;
	}
	if (any)
		buf_putc(e->out, '}');
	buf_putc(e->out, ' ');
	return true;
}

/* The line feed; on any error the whole sample goes. */
static void sample_end(struct expo *e, size_t mark, bool started)
{
	if (started) {
		buf_putc(e->out, '\n');
		if (e->out->err)
			fail(e, e->out->err);
		e->samples++;
	}
	if (e->err && e->out->len > mark)
		buf_truncate(e->out, mark);
}

/* A number as expo_f64 writes it. */
static void f64_str(double value, char *num, size_t len)
{
	if (isnan(value))
		snprintf(num, len, "NaN");
	else if (isinf(value))
		snprintf(num, len, "%sInf", value > 0 ? "+" : "-");
	else {
		snprintf(num, len, "%.15g", value);
		if (strtod(num, NULL) != value)
			snprintf(num, len, "%.17g", value);
	}
}

void expo_u64(struct expo *e, uint64_t value, ...)
{
	size_t mark = e->out->len;
	va_list ap;
	bool ok;

	va_start(ap, value);
	ok = sample_start(e, ap);
	va_end(ap);
	if (ok)
		put_u64(e->out, value);
	sample_end(e, mark, ok);
}

void expo_f64(struct expo *e, double value, ...)
{
	size_t mark = e->out->len;
	char num[32];
	va_list ap;
	bool ok;

	va_start(ap, value);
	ok = sample_start(e, ap);
	va_end(ap);
	if (ok) {
		f64_str(value, num, sizeof(num));
		buf_puts(e->out, num);
	}
	sample_end(e, mark, ok);
}

void expo_histogram(struct expo *e, const double *le, const uint64_t *counts, size_t n,
		    double sum)
{
	size_t mark = e->out->len, i;
	uint64_t total = 0;
	char num[32];

	if (e->err)
		return;
	if (!e->family[0]) {
		fail(e, -EINVAL);
		return;
	}
	for (i = 0; i <= n; i++) {
		total += counts[i];
		if (i < n)
			f64_str(le[i], num, sizeof(num));
		buf_printf(e->out, "%s_bucket{le=\"%s\"} ", e->family, i < n ? num : "+Inf");
		put_u64(e->out, total);
		buf_putc(e->out, '\n');
	}
	f64_str(sum, num, sizeof(num));
	buf_printf(e->out, "%s_sum %s\n%s_count ", e->family, num, e->family);
	put_u64(e->out, total);
	buf_putc(e->out, '\n');
	if (e->out->err)
		fail(e, e->out->err);
	else
		e->samples += n + 3;
	if (e->err)
		buf_truncate(e->out, mark);
}

int expo_finish(struct expo *e)
{
	family_end(e);
	if (!e->err && e->out->err)
		e->err = e->out->err;
	return e->err;
}
