/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flow hash: Bob Jenkins' lookup3 mixing (public domain) over the flow
 * key. Every xlb node must compute the same value for the same flow, so
 * the seed is fixed, and the key is hashed in client orientation (ICMP
 * errors are turned around before hashing).
 */
#ifndef XLB_BPF_HASH_H
#define XLB_BPF_HASH_H

#include "xlb_shared.h"

#define XLB_HASH_SEED	0x786c6221	/* "xlb!" */

static __always_inline __u32 rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

#define LK3_MIX(a, b, c)						\
	do {								\
		a -= c; a ^= rol32(c, 4);  c += b;			\
		b -= a; b ^= rol32(a, 6);  a += c;			\
		c -= b; c ^= rol32(b, 8);  b += a;			\
		a -= c; a ^= rol32(c, 16); c += b;			\
		b -= a; b ^= rol32(a, 19); a += c;			\
		c -= b; c ^= rol32(b, 4);  b += a;			\
	} while (0)

#define LK3_FINAL(a, b, c)						\
	do {								\
		c ^= b; c -= rol32(b, 14);				\
		a ^= c; a -= rol32(c, 11);				\
		b ^= a; b -= rol32(a, 25);				\
		c ^= b; c -= rol32(b, 16);				\
		a ^= c; a -= rol32(c, 4);				\
		b ^= a; b -= rol32(a, 14);				\
		c ^= b; c -= rol32(b, 24);				\
	} while (0)

/* Hash of the client address only (VIPs with XLB_VIP_F_HASH_SRC). */
static __always_inline __u32 hash_src(const struct xlb_flow_key *k)
{
	__u32 a, b, c;

	a = b = c = XLB_HASH_SEED + 16;
	a += k->src.v6[0];
	b += k->src.v6[1];
	c += k->src.v6[2];
	LK3_MIX(a, b, c);
	a += k->src.v6[3];
	b += k->family;
	LK3_FINAL(a, b, c);
	return c;
}

/* Hash of the whole 5-tuple. */
static __always_inline __u32 hash_flow(const struct xlb_flow_key *k)
{
	__u32 a, b, c;

	a = b = c = XLB_HASH_SEED + 40;
	a += k->src.v6[0];
	b += k->src.v6[1];
	c += k->src.v6[2];
	LK3_MIX(a, b, c);
	a += k->src.v6[3];
	b += k->dst.v6[0];
	c += k->dst.v6[1];
	LK3_MIX(a, b, c);
	a += k->dst.v6[2];
	b += k->dst.v6[3];
	c += ((__u32)k->sport << 16) | k->dport;
	LK3_MIX(a, b, c);
	a += ((__u32)k->proto << 8) | k->family;
	LK3_FINAL(a, b, c);
	return c;
}

#endif
