/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded reader over received bytes, as in OpenBGPD's ibuf: every get
 * checks what is left first and returns -1 on underrun, leaving the
 * position where it was, so a decoder never reads past what it was given
 * and never trusts a length field it has not checked against the reader.
 * Integers are read in network byte order and returned in host order.
 *
 * A length-delimited field (an attribute, a capability, an optional
 * parameter) is read by splitting off a sub-reader of exactly that many
 * bytes: whatever the field's own parser does, it cannot run into the
 * next field.
 */
#ifndef XLB_BGP_READER_H
#define XLB_BGP_READER_H

#include <stddef.h>
#include <linux/types.h>

struct bgp_reader {
	const __u8 *p;		/* start of the bytes */
	size_t len;		/* how many there are */
	size_t off;		/* next byte to read; off <= len always */
};

void bgp_reader_init(struct bgp_reader *r, const void *p, size_t len);

/* Bytes not read yet. */
static inline size_t bgp_left(const struct bgp_reader *r)
{
	return r->len - r->off;
}

/* The next unread byte (valid only if bgp_left() > 0). */
static inline const __u8 *bgp_cur(const struct bgp_reader *r)
{
	return r->p + r->off;
}

/* All return 0, or -1 (nothing consumed) when fewer bytes are left. */
int bgp_get_u8(struct bgp_reader *r, __u8 *v);
int bgp_get_u16(struct bgp_reader *r, __u16 *v);
int bgp_get_u32(struct bgp_reader *r, __u32 *v);
int bgp_get_bytes(struct bgp_reader *r, void *dst, size_t n);
int bgp_skip(struct bgp_reader *r, size_t n);
/* Consume the next n bytes as a reader of their own. */
int bgp_get_sub(struct bgp_reader *r, size_t n, struct bgp_reader *sub);

#endif
