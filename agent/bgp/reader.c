// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded reader (see reader.h). The only place in agent/bgp/ that
 * indexes received bytes: every other decoder goes through these.
 */
#include <string.h>

#include "bgp/reader.h"

/* What a reader over NULL points at, so that r->p + r->off is always a
 * valid pointer (offsetting NULL, even by 0, is undefined). */
static const __u8 bgp_reader_empty[1];

void bgp_reader_init(struct bgp_reader *r, const void *p, size_t len)
{
	r->p = p ? p : bgp_reader_empty;
	r->len = p ? len : 0;
	r->off = 0;
}

int bgp_get_u8(struct bgp_reader *r, __u8 *v)
{
	if (bgp_left(r) < 1)
		return -1;
	*v = r->p[r->off];
	r->off += 1;
	return 0;
}

int bgp_get_u16(struct bgp_reader *r, __u16 *v)
{
	if (bgp_left(r) < 2)
		return -1;
	*v = (__u16)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return 0;
}

int bgp_get_u32(struct bgp_reader *r, __u32 *v)
{
	const __u8 *b;

	if (bgp_left(r) < 4)
		return -1;
	b = r->p + r->off;
	*v = (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
	r->off += 4;
	return 0;
}

int bgp_get_bytes(struct bgp_reader *r, void *dst, size_t n)
{
	if (bgp_left(r) < n)
		return -1;
	if (n)
		memcpy(dst, r->p + r->off, n);
	r->off += n;
	return 0;
}

int bgp_skip(struct bgp_reader *r, size_t n)
{
	if (bgp_left(r) < n)
		return -1;
	r->off += n;
	return 0;
}

int bgp_get_sub(struct bgp_reader *r, size_t n, struct bgp_reader *sub)
{
	if (bgp_left(r) < n)
		return -1;
	bgp_reader_init(sub, r->p + r->off, n);
	r->off += n;
	return 0;
}
