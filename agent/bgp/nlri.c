// SPDX-License-Identifier: GPL-2.0
/*
 * Prefix encoding (see nlri.h). A prefix of length L takes 1 + ceil(L/8)
 * bytes; the trailing bits of the last byte are irrelevant (RFC 4271 sec
 * 4.3), so they are written as zeroes and cleared when read.
 */
#include <errno.h>
#include <string.h>

#include "bgp/nlri.h"
#include "bgp/writer.h"

__u8 bgp_family_bits(__u8 family)
{
	switch (family) {
	case XLB_FAMILY_V4:
		return 32;
	case XLB_FAMILY_V6:
		return 128;
	}
	return 0;
}

__u8 bgp_afi_family(__u16 afi, __u8 safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return 0;
	if (afi == BGP_AFI_IPV4)
		return XLB_FAMILY_V4;
	if (afi == BGP_AFI_IPV6)
		return XLB_FAMILY_V6;
	return 0;
}

__u16 bgp_family_afi(__u8 family)
{
	switch (family) {
	case XLB_FAMILY_V4:
		return BGP_AFI_IPV4;
	case XLB_FAMILY_V6:
		return BGP_AFI_IPV6;
	}
	return 0;
}

size_t bgp_nlri_size(const struct bgp_prefix *p)
{
	return 1 + (p->len + 7u) / 8;
}

/* Clear the bits of addr past len (len within the family). */
static void prefix_mask(__u8 *addr, size_t bytes, __u8 len)
{
	size_t i;

	for (i = len / 8; i < bytes; i++)
		addr[i] = i == len / 8 ? addr[i] & (__u8)(0xff00 >> (len % 8)) : 0;
}

int bgp_nlri_put(struct buf *out, const struct bgp_prefix *p)
{
	__u8 addr[16];
	size_t n = (p->len + 7u) / 8;

	if (!bgp_family_bits(p->family) || p->len > bgp_family_bits(p->family))
		return -EINVAL;
	memcpy(addr, p->addr.bytes, sizeof(addr));
	prefix_mask(addr, sizeof(addr), p->len);
	bgp_put_u8(out, p->len);
	return bgp_put_bytes(out, addr, n);
}

int bgp_nlri_get(struct bgp_reader *r, __u8 family, struct bgp_prefix *p)
{
	struct bgp_reader save = *r;
	__u8 len;

	memset(p, 0, sizeof(*p));
	if (bgp_get_u8(r, &len))
		return -1;
	if (!bgp_family_bits(family) || len > bgp_family_bits(family) ||
	    bgp_get_bytes(r, p->addr.bytes, (len + 7u) / 8)) {
		*r = save;
		return -1;
	}
	prefix_mask(p->addr.bytes, sizeof(p->addr.bytes), len);
	p->family = family;
	p->len = len;
	return 0;
}
