// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev table fingerprints (see fingerprint.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/evp.h>

#include "maps/fingerprint.h"

struct ranked {
	const struct maglev_backend *be;
};

static int be_cmp(const void *a, const void *b)
{
	const struct maglev_backend *x = ((const struct ranked *)a)->be;
	const struct maglev_backend *y = ((const struct ranked *)b)->be;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(&x->addr, &y->addr, sizeof(x->addr));
}

/* rank of the backend whose id is `id`, by binary search over ids */
struct id_rank {
	__u32 id;
	__u16 rank;
};

static int id_cmp(const void *a, const void *b)
{
	__u32 x = ((const struct id_rank *)a)->id, y = ((const struct id_rank *)b)->id;

	return x < y ? -1 : x > y;
}

#define RANK_SET (1U << 16)

int maglev_fingerprint(const __u32 *table, __u32 size, const struct maglev_backend *bes,
		       size_t n, uint64_t *out)
{
	static const char tag[] = "xlb-maglev-1";
	struct ranked *sorted = NULL;
	struct id_rank *ids = NULL;
	__u16 *slots = NULL;
	__u32 *rank_of = NULL;	/* by id: RANK_SET | the rank in network order */
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	__be32 nsize = htonl(size);
	size_t i, k;
	int err = -ENOMEM;

	if (n > 0xfffe)
		return -EINVAL;
	sorted = calloc(n ? n : 1, sizeof(*sorted));
	ids = calloc(n ? n : 1, sizeof(*ids));
	slots = malloc((size_t)size * sizeof(*slots));
	rank_of = calloc(XLB_MAX_BACKENDS, sizeof(*rank_of));
	ctx = EVP_MD_CTX_new();
	if (!sorted || !ids || !slots || !rank_of || !ctx)
		goto out;
	/* only backends that can hold slots: one configured at weight 0 on
	 * one node and absent on another leaves the tables the same */
	for (i = 0, k = 0; i < n; i++)
		if (bes[i].weight)
			sorted[k++].be = &bes[i];
	n = k;
	qsort(sorted, n, sizeof(*sorted), be_cmp);
	for (i = 0; i < n; i++)
		ids[i] = (struct id_rank){ .id = sorted[i].be->id, .rank = i };
	qsort(ids, n, sizeof(*ids), id_cmp);
	/* each id's rank, looked up once per id: a search per slot took
	 * longer than building the table (65537 searches, ~0.5 ms) */
	for (i = 0; i < n; i++)
		if (ids[i].id < XLB_MAX_BACKENDS)
			rank_of[ids[i].id] = htons(ids[i].rank) | RANK_SET;
	for (i = 0; i < size; i++) {
		/* the current table's backend alone: second chance's previous
		 * owner in the high half (XLB_SLOT) is this node's history */
		struct id_rank key = { .id = XLB_SLOT_BE(table[i]) }, *hit;

		if (key.id == XLB_BACKEND_NONE) {
			slots[i] = htons(0xffff);
			continue;
		}
		if (table[i] < XLB_MAX_BACKENDS && (rank_of[table[i]] & RANK_SET)) {
			slots[i] = (__u16)rank_of[table[i]];
			continue;
		}
		hit = bsearch(&key, ids, n, sizeof(*ids), id_cmp);
		if (!hit) {
			err = -EINVAL;
			goto out;
		}
		slots[i] = htons(hit->rank);
	}
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, tag, sizeof(tag) - 1) ||
	    !EVP_DigestUpdate(ctx, &nsize, sizeof(nsize)))
		goto crypto;
	for (i = 0; i < n; i++)
		if (!EVP_DigestUpdate(ctx, &sorted[i].be->family, 1) ||
		    !EVP_DigestUpdate(ctx, &sorted[i].be->addr, sizeof(sorted[i].be->addr)))
			goto crypto;
	if (!EVP_DigestUpdate(ctx, slots, (size_t)size * sizeof(*slots)) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen < 6)
		goto crypto;
	*out = 0;
	for (i = 0; i < 6; i++)
		*out = *out << 8 | md[i];
	err = 0;
	goto out;
crypto:
	err = -EIO;
out:
	EVP_MD_CTX_free(ctx);
	free(sorted);
	free(ids);
	free(slots);
	free(rank_of);
	return err;
}

void maglev_fingerprint_str(uint64_t fp, char *buf)
{
	snprintf(buf, 13, "%012llx", (unsigned long long)(fp & MAGLEV_FP_MASK));
}
