/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maglev lookup tables (Eisenbud et al., "Maglev: A Fast and Reliable
 * Software Network Load Balancer", NSDI 2016, section 3.4), built in
 * userspace and written into `rings` by agent/maps/dataplane.c.
 *
 * Every LB node must build the same table from the same backend list, so
 * that a flow reaches the same backend whichever node ECMP hands it to.
 * The table therefore depends only on the set of (family, address, weight)
 * triples: backend ids are node-local and only copied into the slots, and
 * the order the caller lists the backends in does not matter.
 *
 * Functions return 0 or -errno.
 */
#ifndef XLB_MAPS_MAGLEV_H
#define XLB_MAPS_MAGLEV_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "xlb_shared.h"

/* Minimum table slots per backend: with fewer, the shares drift from the
 * weights and one backend change moves more than its share of flows. */
#define MAGLEV_SLOTS_PER_BACKEND	100

struct maglev_backend {
	__u32 id;		/* value stored in the table; never XLB_BACKEND_NONE */
	__u32 weight;		/* relative share; 0 = no slots */
	union xlb_addr addr;	/* backend address, network order: the hash input */
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
};

/* n is prime (trial division; fast enough for any __u32). */
bool maglev_is_prime(__u32 n);

/* size has at least MAGLEV_SLOTS_PER_BACKEND slots per backend (n counts
 * every backend given, weight 0 included, so a drained backend does not
 * make a valid configuration invalid when it comes back). */
bool maglev_size_ok(__u32 size, size_t n);

/*
 * Fill table[0..size-1] with backend ids.
 *
 * -EINVAL: size not prime, !maglev_size_ok(size, n), a family other than
 * XLB_FAMILY_V4/V6, id XLB_BACKEND_NONE with a non-zero weight, or two
 * backends with the same address (they would hash alike and the table
 * would depend on their ids). -ENOMEM: out of memory.
 *
 * Backends with weight 0 get no slot. With no weighted backend every slot
 * is XLB_BACKEND_NONE. On error the table is left unspecified.
 */
int maglev_build(const struct maglev_backend *bes, size_t n, __u32 *table,
		 __u32 size);

/*
 * A fingerprint of what maglev_build(bes, n, table, size) gets: the
 * backends' ids, weights and addresses (in any order) and the size, and
 * the version of the builder (MAGLEV_VERSION, changed with anything that
 * changes the tables it builds). Equal fingerprints: the same table, so
 * a table written with its fingerprint need not be built again to know
 * it is right. Never 0.
 */
#define MAGLEV_VERSION 1
__u64 maglev_inputs_hash(const struct maglev_backend *bes, size_t n, __u32 size);

/*
 * Second chance: put the previous table's backend into each slot of
 * `table` (a table of the same size) where it is another one, as the
 * datapath reads it (XLB_SLOT in include/xlb_shared.h). Returns the
 * number of slots that got one.
 */
size_t maglev_prev_merge(__u32 *table, const __u32 *prev, __u32 size);

#endif
