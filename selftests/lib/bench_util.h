/* SPDX-License-Identifier: GPL-2.0 */
/* What every benchmark program needs: one CPU to run on, and medians. */
#ifndef XLB_SELFTESTS_BENCH_UTIL_H
#define XLB_SELFTESTS_BENCH_UTIL_H

#include <stddef.h>

/* Pin the calling thread to cpu, or with cpu < 0 to the last CPU it may
 * use (usually the quieter one). Returns the CPU or -errno. */
int bench_pin_cpu(int cpu);

/* qsort comparator for doubles */
int bench_cmp_double(const void *a, const void *b);

/* The median of v[0..n) (n > 0); sorts v. */
double bench_median(double *v, size_t n);

/* Durations (ns) of calls timed by a clock that ticks coarsely: the mean
 * of those within `central` ns of their median (which goes to *med), so
 * that the value lies between ticks and the slow tail is left out. Sorts
 * v. */
double bench_central_mean(unsigned int *v, size_t n, unsigned int central, double *med);

#endif
