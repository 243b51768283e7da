/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prefixes on the wire: the <length, prefix> encoding of the NLRI and
 * Withdrawn Routes fields (RFC 4271 sec 4.3), which MP_REACH_NLRI and
 * MP_UNREACH_NLRI reuse for IPv6 (RFC 4760 sec 5), and the address family
 * numbers (RFC 4760, IANA AFI/SAFI).
 */
#ifndef XLB_BGP_NLRI_H
#define XLB_BGP_NLRI_H

#include <stddef.h>
#include <linux/types.h>

#include "bgp/msg.h"
#include "bgp/reader.h"
#include "lib/buf.h"

/* Longest prefix of a family: 32, 128, or 0 for an unknown family. */
__u8 bgp_family_bits(__u8 family);
/* XLB_FAMILY_* of an AFI/SAFI we decode (unicast only), else 0. */
__u8 bgp_afi_family(__u16 afi, __u8 safi);
/* BGP_AFI_* of a family, else 0. */
__u16 bgp_family_afi(__u8 family);

/* Bytes p takes on the wire: a length byte and the significant octets. */
size_t bgp_nlri_size(const struct bgp_prefix *p);
/* Appends p; bits past its length are written as zeroes. -EINVAL for a
 * length longer than the family's. */
int bgp_nlri_put(struct buf *out, const struct bgp_prefix *p);
/* Reads one prefix of family; bits past the length are cleared. -1 when
 * the length is longer than the family's or the prefix runs past the end
 * of r (RFC 7606 sec 5.3: the field is malformed). */
int bgp_nlri_get(struct bgp_reader *r, __u8 family, struct bgp_prefix *p);

#endif
