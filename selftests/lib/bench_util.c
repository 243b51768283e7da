// SPDX-License-Identifier: GPL-2.0
/* Shared by the benchmark programs (selftests/bench/). */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "bench_util.h"

int bench_pin_cpu(int cpu)
{
	cpu_set_t set;
	int i;

	if (cpu < 0) {
		if (sched_getaffinity(0, sizeof(set), &set))
			return -errno;
		for (i = CPU_SETSIZE - 1; i >= 0 && !CPU_ISSET(i, &set); i--)
			;
		cpu = i;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return cpu;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

double bench_central_mean(unsigned int *v, size_t n, unsigned int central, double *med)
{
	double sum = 0;
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), cmp_uint);
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + (double)v[n / 2]) / 2;
	for (i = 0; i < n; i++) {
		if (v[i] + central >= *med && v[i] <= *med + central) {
			sum += v[i];
			k++;
		}
	}
	return k ? sum / k : *med;
}
