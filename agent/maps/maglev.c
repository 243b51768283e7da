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

/* A backend's turn in the weighted round robin: true if it claims a slot
 * now. */
static bool mg_turn(struct mg_state *s, __u32 max_weight)
{
	s->credit += s->be->weight;
	if (s->credit < max_weight)
		return false;
	s->credit -= max_weight;
	return true;
}

/* The last slots: probing finds the k-th last free slot after
 * ~size / k probes, so the last 256 slots of a 65537-slot table take
 * more than half of all probes (size x (ln 256 + 0.58) of
 * size x (ln size + 0.58)); without them a default build takes 15 %
 * less (0.86 -> 0.74 ms with 10 backends: the rest is mostly the
 * table's stores and the probe loop's mispredicted exits, not the
 * probes). There each backend's next slot is found
 * otherwise: the free slot that comes first in its permutation (every
 * free slot is still ahead of it: the slots it passed were taken, and a
 * taken slot stays taken), the permutation index of slot x being
 * (x - offset) / skip mod size. The table is the same slot for slot.
 * How many slots: the index of each free slot for each backend costs a
 * division, so fewer when the backends are many. */
static __u32 mg_tail_size(__u32 size, size_t m)
{
	size_t tail = 16384 / (m ? m : 1);

	if (tail > 256)
		tail = 256;
	if (tail < 16)
		tail = 16;
	return (__u32)(tail < size / 4 ? tail : 0);
}

/* x^-1 mod p, p prime, 0 < x < p (extended Euclid) */
static __u64 mg_inverse(__u64 x, __u64 p)
{
	__s64 t = 0, nt = 1, r = (__s64)p, nr = (__s64)x, q, tmp;

	while (nr) {
		q = r / nr;
		tmp = t - q * nt;
		t = nt;
		nt = tmp;
		tmp = r - q * nr;
		r = nr;
		nr = tmp;
	}
	return (__u64)(t < 0 ? t + (__s64)p : t);
}

/* The free slots of word w of the bitmap, as bits. */
static __u64 mg_free_bits(const __u64 *used, __u32 w, __u32 size)
{
	__u64 bits = ~used[w];

	if ((w + 1) * 64 > size)
		bits &= (1ULL << (size - w * 64)) - 1;
	return bits;
}

/* Fills the free slots left, the turns going on from backend `from` of
 * the round. idx[i * stride + k]: backend i's permutation index of the
 * k-th free slot; a claimed slot leaves the lists (swapped with the
 * last), so each claim looks at the slots still free only. */
static int mg_fill_tail(struct mg_state *st, size_t m, size_t from, __u32 max_weight,
			const __u64 *used, __u32 *table, __u32 size)
{
	__u32 *slots, *idx, n_free = 0, w, k;
	size_t i, stride;

	for (w = 0; w < (size + 63) / 64; w++)
		n_free += (__u32)__builtin_popcountll(mg_free_bits(used, w, size));
	slots = calloc(n_free, sizeof(*slots));
	idx = calloc((size_t)n_free * m, sizeof(*idx));
	if (!slots || !idx) {
		free(slots);
		free(idx);
		return -ENOMEM;
	}
	for (w = 0, k = 0; w < (size + 63) / 64; w++) {
		__u64 bits = mg_free_bits(used, w, size);

		for (; bits; bits &= bits - 1)
			slots[k++] = w * 64 + (__u32)__builtin_ctzll(bits);
	}
	stride = n_free;
	for (i = 0; i < m; i++) {
		__u64 inv = mg_inverse(st[i].skip, size);

		for (k = 0; k < n_free; k++)
			idx[i * stride + k] =
				(__u32)((slots[k] + size - st[i].offset) % size * inv % size);
	}
	for (i = from; n_free; i = i + 1 < m ? i + 1 : 0) {
		const __u32 *mine = idx + i * stride;
		__u32 best = 0;
		size_t j;

		if (!mg_turn(&st[i], max_weight))
			continue;
		for (k = 1; k < n_free; k++)
			if (mine[k] < mine[best])
				best = k;
		table[slots[best]] = st[i].be->id;
		/* out of every backend's list */
		n_free--;
		slots[best] = slots[n_free];
		for (j = 0; j < m; j++)
			idx[j * stride + best] = idx[j * stride + n_free];
	}
	free(slots);
	free(idx);
	return 0;
}

int maglev_build(const struct maglev_backend *bes, size_t n, __u32 *table,
		 __u32 size)
{
	struct mg_state *st = NULL;
	__u64 *used = NULL;
	__u32 max_weight = 0, filled = 0, tail;
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

	/* Which slots are taken, one bit each: probing 8 KB that stay in
	 * the first-level cache instead of the 256 KB table (a default
	 * table takes ~size x ln(size) probes) roughly halves the build. */
	used = calloc((size + 63) / 64, sizeof(*used));
	if (!used) {
		err = -ENOMEM;
		goto out;
	}
	tail = mg_tail_size(size, m);
	while (filled < size - tail) {
		for (i = 0; i < m && filled < size - tail; i++) {
			struct mg_state *s = &st[i];

			if (!mg_turn(s, max_weight))
				continue;
			/* The permutation is a full cycle and the table is
			 * not full, so this finds a free slot. */
			while (used[s->pos >> 6] & (1ULL << (s->pos & 63))) {
				s->pos += s->skip;
				if (s->pos >= size)
					s->pos -= size;
			}
			used[s->pos >> 6] |= 1ULL << (s->pos & 63);
			table[s->pos] = s->be->id;
			filled++;
			s->pos += s->skip;
			if (s->pos >= size)
				s->pos -= size;
		}
		/* the round goes on where it stopped, in the tail */
		if (filled < size && filled == size - tail && i < m) {
			err = mg_fill_tail(st, m, i, max_weight, used, table, size);
			goto out;
		}
	}
	if (filled < size)
		err = mg_fill_tail(st, m, 0, max_weight, used, table, size);
out:
	free(used);
	free(st);
	return err;
}

__u64 maglev_inputs_hash(const struct maglev_backend *bes, size_t n, __u32 size)
{
	__u64 sum = 0, h;
	size_t i, k;

	/* a sum of each backend's own hash: the order does not matter */
	for (i = 0; i < n; i++) {
		h = FNV64_BASIS;
		h = (h ^ bes[i].family) * FNV64_PRIME;
		for (k = 0; k < mg_addr_len(bes[i].family); k++)
			h = (h ^ bes[i].addr.bytes[k]) * FNV64_PRIME;
		for (k = 0; k < 4; k++)
			h = (h ^ ((bes[i].id >> (8 * k)) & 0xff)) * FNV64_PRIME;
		for (k = 0; k < 4; k++)
			h = (h ^ ((bes[i].weight >> (8 * k)) & 0xff)) * FNV64_PRIME;
		h ^= h >> 33;
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 33;
		sum += h;
	}
	h = sum ^ ((__u64)size << 32) ^ ((__u64)MAGLEV_VERSION << 8) ^ n;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h | 1;
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
