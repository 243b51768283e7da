// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev against the bounds xlb promises operators (M = 65537, N = 100):
 * every backend's share within 1% (relative) of its weight share, removing
 * one of N backends moves at most 1/N + 1% of the slots, adding one moves
 * at most 1/(N+1) + 1%.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/test.h"
#include "maps/maglev.h"

#define M	65537
#define N	100

static void backends(struct maglev_backend *bes, size_t n, bool weighted)
{
	size_t i;

	memset(bes, 0, n * sizeof(*bes));
	for (i = 0; i < n; i++) {
		bes[i].id = i + 1;
		bes[i].weight = weighted ? 100 * (1 + i % 4) : 100;
		bes[i].family = XLB_FAMILY_V4;
		/* 198.51.100.0/24 and 203.0.113.0/24, documentation space */
		bes[i].addr.bytes[0] = i < 200 ? 198 : 203;
		bes[i].addr.bytes[1] = i < 200 ? 51 : 0;
		bes[i].addr.bytes[2] = i < 200 ? 100 : 113;
		bes[i].addr.bytes[3] = 1 + i % 200;
	}
}

static void shares(bool weighted)
{
	struct maglev_backend bes[N];
	unsigned int counts[N + 1] = {};
	__u64 wsum = 0;
	__u32 *table;
	size_t i;

	table = calloc(M, sizeof(*table));
	if (!ASSERT_TRUE(table != NULL, "alloc"))
		return;
	backends(bes, N, weighted);
	if (!ASSERT_OK(maglev_build(bes, N, table, M), "build"))
		goto out;
	for (i = 0; i < M; i++)
		counts[table[i] <= N ? table[i] : 0]++;
	ASSERT_EQ(counts[0], 0, "every slot has a backend");
	for (i = 0; i < N; i++)
		wsum += bes[i].weight;
	for (i = 0; i < N; i++) {
		double want = (double)M * bes[i].weight / wsum;
		double got = counts[i + 1];

		test_ctx("backend %zu weight %u: %u slots, want %.1f", i + 1, bes[i].weight,
			 counts[i + 1], want);
		if (!ASSERT_TRUE(got >= want * 0.99 && got <= want * 1.01,
				 "share within 1% of the weight share"))
			break;
	}
	test_ctx(NULL);
out:
	free(table);
}

void test_maglev_bounds_equal_shares(void)
{
	shares(false);
}

void test_maglev_bounds_weighted_shares(void)
{
	shares(true);
}

static size_t moved(const __u32 *a, const __u32 *b)
{
	size_t i, n = 0;

	for (i = 0; i < M; i++)
		n += a[i] != b[i];
	return n;
}

void test_maglev_bounds_churn(void)
{
	struct maglev_backend bes[N + 1];
	__u32 *all, *less, *more;
	size_t k, worst_rm = 0, worst_add = 0;

	all = calloc(M, sizeof(*all));
	less = calloc(M, sizeof(*less));
	more = calloc(M, sizeof(*more));
	if (!ASSERT_TRUE(all && less && more, "alloc"))
		goto out;
	backends(bes, N + 1, false);
	if (!ASSERT_OK(maglev_build(bes, N, all, M), "build N"))
		goto out;
	if (!ASSERT_OK(maglev_build(bes, N + 1, more, M), "build N+1"))
		goto out;
	worst_add = moved(all, more);
	/* remove each of a spread of backends in turn */
	for (k = 0; k < N; k += 7) {
		struct maglev_backend rest[N];

		memcpy(rest, bes, k * sizeof(*bes));
		memcpy(rest + k, bes + k + 1, (N - 1 - k) * sizeof(*bes));
		if (!ASSERT_OK(maglev_build(rest, N - 1, less, M), "build N-1"))
			goto out;
		if (moved(all, less) > worst_rm)
			worst_rm = moved(all, less);
	}
	test_ctx("worst removal moved %zu slots, adding moved %zu", worst_rm, worst_add);
	ASSERT_LE(worst_rm, (size_t)(M * (1.0 / N + 0.01)), "removing 1 of N: at most 1/N + 1%");
	ASSERT_LE(worst_add, (size_t)(M * (1.0 / (N + 1) + 0.01)),
		  "adding one: at most 1/(N+1) + 1%");
	test_ctx(NULL);
out:
	free(all);
	free(less);
	free(more);
}
