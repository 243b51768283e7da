// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev lookup-table builder (Eisenbud et al., NSDI 2016, section 3.4,
 * "Pseudocode 1: Populate Maglev hashing lookup table").
 *
 * Each backend gets a permutation of the table slots, defined by an
 * offset and a skip derived from two hashes of its address:
 *
 *	permutation[j] = (offset + j * skip) mod size
 *
 * With size prime and 1 <= skip < size every permutation visits every
 * slot. Backends then take turns claiming the next free slot of their own
 * permutation until the table is full. Because a backend's preferences do
 * not depend on the others, adding or removing one backend only moves
 * about its share of slots (paper, section 3.4 and figure 11).
 *
 * Weights: a backend's turns are spaced by credit (a smooth weighted
 * round robin): each round every backend earns its weight and takes a
 * turn whenever its credit reaches the largest weight. The backend with
 * the largest weight takes a turn every round, the others proportionally
 * less often, so the slot counts follow the weights to within one round.
 *
 * Cross-node determinism: the hash is computed here (no libc or random
 * seed), over the address bytes in network order and the family, and the
 * backends are visited in address order. The seeds and the hash are part
 * of the contract between LB nodes: changing them reshuffles every table,
 * so every node of a deployment must run the same version.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/maglev.h"

#define MAGLEV_SEED_OFFSET	0x5851f42d4c957f2dULL
#define MAGLEV_SEED_SKIP	0x14057b7ef767814fULL

#define FNV64_BASIS		0xcbf29ce484222325ULL
#define FNV64_PRIME		0x00000100000001b3ULL

struct mg_state {
	const struct maglev_backend *be;
	__u64 offset;		/* first slot of the permutation */
	__u64 skip;		/* step between slots, 1 .. size-1 */
	__u64 pos;		/* next slot this backend will try */
	__u64 credit;		/* weighted round robin credit */
};

bool maglev_is_prime(__u32 n)
{
	__u32 d;

	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; (__u64)d * d <= n; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

bool maglev_size_ok(__u32 size, size_t n)
{
	/* size >= 100 * n, without overflow for any n */
	return n <= size / MAGLEV_SLOTS_PER_BACKEND;
}

static size_t mg_addr_len(__u8 family)
{
	return family == XLB_FAMILY_V4 ? 4 : 16;
}

/* 64-bit FNV-1a over family and address, started from a seeded basis and
 * finished with a multiply-xorshift avalanche: FNV alone leaves the high
 * bits weakly mixed for short inputs that differ in the last byte, which
 * is exactly what neighbouring backend addresses look like. */
static __u64 mg_hash(const struct maglev_backend *be, __u64 seed)
{
	size_t i, len = mg_addr_len(be->family);
	__u64 h = FNV64_BASIS ^ seed;

	h ^= be->family;
	h *= FNV64_PRIME;
	for (i = 0; i < len; i++) {
		h ^= be->addr.bytes[i];
		h *= FNV64_PRIME;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static int mg_addr_cmp(const struct maglev_backend *a,
		       const struct maglev_backend *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr.bytes, b->addr.bytes, mg_addr_len(a->family));
}

static int mg_state_cmp(const void *a, const void *b)
{
	const struct mg_state *x = a, *y = b;

	return mg_addr_cmp(x->be, y->be);
}

int maglev_build(const struct maglev_backend *bes, size_t n, __u32 *table,
		 __u32 size)
{
	struct mg_state *st = NULL;
	__u32 max_weight = 0, filled = 0;
	size_t i, m = 0;
	int err = 0;

	if (!maglev_is_prime(size) || !maglev_size_ok(size, n))
		return -EINVAL;

	for (i = 0; i < n; i++) {
		if (bes[i].family != XLB_FAMILY_V4 &&
		    bes[i].family != XLB_FAMILY_V6)
			return -EINVAL;
		if (bes[i].weight && bes[i].id == XLB_BACKEND_NONE)
			return -EINVAL;
		if (bes[i].weight)
			m++;
	}

	for (i = 0; i < size; i++)
		table[i] = XLB_BACKEND_NONE;

	/* Sort all backends, weightless ones included, so that duplicates
	 * are refused whatever their weight. */
	if (!n)
		return 0;
	st = calloc(n, sizeof(*st));
	if (!st)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		st[i].be = &bes[i];
	qsort(st, n, sizeof(*st), mg_state_cmp);
	for (i = 1; i < n; i++) {
		if (!mg_addr_cmp(st[i - 1].be, st[i].be)) {
			err = -EINVAL;
			goto out;
		}
	}
	if (!m)
		goto out;

	/* Keep only the weighted backends, still in address order. */
	m = 0;
	for (i = 0; i < n; i++) {
		if (!st[i].be->weight)
			continue;
		st[m] = st[i];
		st[m].offset = mg_hash(st[m].be, MAGLEV_SEED_OFFSET) % size;
		st[m].skip = mg_hash(st[m].be, MAGLEV_SEED_SKIP) % (size - 1) + 1;
		st[m].pos = st[m].offset;
		st[m].credit = 0;
		if (st[m].be->weight > max_weight)
			max_weight = st[m].be->weight;
		m++;
	}

	while (filled < size) {
		for (i = 0; i < m && filled < size; i++) {
			struct mg_state *s = &st[i];

			s->credit += s->be->weight;
			if (s->credit < max_weight)
				continue;
			s->credit -= max_weight;

			/* The permutation is a full cycle and the table is
			 * not full, so this finds a free slot. */
			while (table[s->pos] != XLB_BACKEND_NONE) {
				s->pos += s->skip;
				if (s->pos >= size)
					s->pos -= size;
			}
			table[s->pos] = s->be->id;
			filled++;
			s->pos += s->skip;
			if (s->pos >= size)
				s->pos -= size;
		}
	}
out:
	free(st);
	return err;
}

size_t maglev_prev_merge(__u32 *table, const __u32 *prev, __u32 size)
{
	size_t moved = 0;
	__u32 i;

	for (i = 0; i < size; i++) {
		__u32 be = XLB_SLOT_BE(table[i]), p = XLB_SLOT_BE(prev[i]);

		table[i] = XLB_SLOT(be, p != be ? p : XLB_BACKEND_NONE);
		moved += p != be && p != XLB_BACKEND_NONE;
	}
	return moved;
}
