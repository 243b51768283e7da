/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fingerprint of a Maglev table, for telling whether two xlb nodes hold
 * the same table for a VIP (`xlbctl fleet status`, the metrics). Node-local
 * backend ids are replaced by the backend's address before hashing, so
 * two nodes that pick the same backend for every slot have the same
 * fingerprint whatever their ids; anything else that makes the tables
 * differ — a weight, a backend more or less, a health verdict, another
 * table size, another Maglev implementation — changes it.
 *
 * SHA-256 (libcrypto) over "xlb-maglev-1", the table size, the family and
 * address of the backends with a weight (those that can hold slots) in
 * sorted order, then each slot as the index of its
 * backend in that order (0xffff: no backend); the first 48 bits of the
 * digest, so the value is exact in a Prometheus sample (a double).
 */
#ifndef XLB_MAPS_FINGERPRINT_H
#define XLB_MAPS_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "maps/maglev.h"

#define MAGLEV_FP_MASK ((1ULL << 48) - 1)

/* bes: the backends the table was built from (their ids are what the
 * slots hold). -EINVAL for a slot naming no backend of bes, -ENOMEM. */
int maglev_fingerprint(const __u32 *table, __u32 size, const struct maglev_backend *bes,
		       size_t n, uint64_t *out);

/* 12 lowercase hex digits and a NUL into buf (13 bytes). */
void maglev_fingerprint_str(uint64_t fp, char *buf);

#endif
