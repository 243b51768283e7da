/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A writer of the Prometheus text exposition format (version 0.0.4, the
 * format every Prometheus server scrapes): one family at a time, its
 * `# HELP` and `# TYPE` lines first, then its samples, each
 *
 *     name{label="value",...} value
 *
 * Label values are escaped as the format asks (backslash, double quote
 * and line feed become \\, \" and \n); HELP text escapes backslash and
 * line feed. Metric and label names are checked against the format's
 * grammar ([a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]*, no label
 * name starting with "__", which Prometheus reserves), so a typo in a
 * name gives -EINVAL instead of a page the server refuses.
 *
 * A family that gets no sample (no BGP neighbors, say) is taken out
 * again when the next one starts or at expo_finish(): its HELP and TYPE
 * lines alone would only say that nothing is there.
 *
 * Errors are sticky, as in struct buf: the first one (-EINVAL for a bad
 * name or a sample before any family; -ENOBUFS/-ENOMEM from the buffer)
 * is kept, later calls do nothing, and expo_finish() returns it. That a
 * family appears only once per page is the caller's part (the e2e test
 * has promtool check it).
 */
#ifndef XLB_METRICS_EXPO_H
#define XLB_METRICS_EXPO_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"

/* Content-Type of what this writer produces. */
#define EXPO_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum expo_type {
	EXPO_COUNTER,	/* names end in _total (Prometheus convention; not enforced) */
	EXPO_GAUGE,
	EXPO_UNTYPED,
	EXPO_HISTOGRAM,	/* samples through expo_histogram() only */
};

#define EXPO_NAME_MAX 128

struct expo {
	struct buf *out;
	char family[EXPO_NAME_MAX];	/* the family samples go to; "" = none yet */
	size_t family_at;		/* where its HELP line starts in out */
	size_t samples;			/* samples written in it */
	int err;
};

void expo_init(struct expo *e, struct buf *out);
/* Start a family: HELP and TYPE lines. */
void expo_family(struct expo *e, const char *name, enum expo_type type, const char *help);
/*
 * One sample of the current family. The variadic part is label name and
 * value pairs (const char *), ended by NULL; a pair whose value is NULL
 * is left out (a label that does not apply to this sample).
 */
void expo_u64(struct expo *e, uint64_t value, ...) __attribute__((sentinel));
/* The same with a float value: NaN, +Inf, -Inf as the format spells them,
 * others in the shortest form that reads back the same (%.17g at most). */
void expo_f64(struct expo *e, double value, ...) __attribute__((sentinel));
/* The samples of a histogram family without labels: n upper bounds le[]
 * (increasing), counts[] the observations in each bucket (not cumulative)
 * and counts[n] those above the last bound; sum of all observations.
 * Writes the cumulative NAME_bucket{le="..."} lines, +Inf, NAME_sum and
 * NAME_count. */
void expo_histogram(struct expo *e, const double *le, const uint64_t *counts, size_t n,
		    double sum);
/* 0, or the first error. */
int expo_finish(struct expo *e);

/* For tests and callers that build names: is this a valid metric name,
 * label name? */
bool expo_metric_name_ok(const char *s);
bool expo_label_name_ok(const char *s);

#endif
