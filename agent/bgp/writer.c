// SPDX-License-Identifier: GPL-2.0
/*
 * Network-order appends and the two length-prefixed frames of BGP (see
 * writer.h). Lengths are written as placeholders and patched afterwards,
 * so encoders write each field once, in wire order.
 */
#include <errno.h>
#include <string.h>

#include "bgp/msg.h"
#include "bgp/writer.h"
#include "bgp/attrs.h"

int bgp_put_u8(struct buf *b, __u8 v)
{
	return buf_append(b, &v, 1);
}

int bgp_put_u16(struct buf *b, __u16 v)
{
	__u8 x[2] = { v >> 8, v & 0xff };

	return buf_append(b, x, sizeof(x));
}

int bgp_put_u32(struct buf *b, __u32 v)
{
	__u8 x[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

	return buf_append(b, x, sizeof(x));
}

int bgp_put_bytes(struct buf *b, const void *p, size_t n)
{
	return buf_append(b, p, n);
}

void bgp_patch_u16(struct buf *b, size_t off, __u16 v)
{
	__u8 *p = (__u8 *)b->data + off;

	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* RFC 4271 sec 4.1: 16-byte marker of all ones, length, type. */
int bgp_msg_begin(struct buf *b, __u8 type, size_t *start)
{
	static const __u8 marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	int err;

	*start = b->len;
	err = buf_reserve(b, BGP_HDR_LEN);
	if (err)
		return err;
	bgp_put_bytes(b, marker, sizeof(marker));
	bgp_put_u16(b, 0);
	return bgp_put_u8(b, type);
}

int bgp_msg_end(struct buf *b, size_t start)
{
	size_t len;

	if (b->err) {
		buf_truncate(b, start);
		return b->err;
	}
	len = b->len - start;
	if (len > BGP_MSG_MAX) {
		buf_truncate(b, start);
		return -EMSGSIZE;
	}
	bgp_patch_u16(b, start + 16, len);
	return 0;
}

/* RFC 4271 sec 4.3: flags, type code, then a 1-byte length, or a 2-byte
 * one when the Extended Length bit is set. */
int bgp_attr_begin(struct buf *b, __u8 flags, __u8 type, size_t *start)
{
	*start = b->len;
	bgp_put_u8(b, flags | BGP_ATTR_F_EXTLEN);
	bgp_put_u8(b, type);
	return bgp_put_u16(b, 0);
}

int bgp_attr_end(struct buf *b, size_t start)
{
	__u8 *p;
	size_t len;

	if (b->err)
		return b->err;
	len = b->len - start - 4;
	if (len > 0xffff) {
		buf_truncate(b, start);
		return -EMSGSIZE;
	}
	p = (__u8 *)b->data + start;
	if (len > 255) {
		bgp_patch_u16(b, start + 2, len);
		return 0;
	}
	/* short form: one length byte, value moved back over the other */
	p[0] &= ~BGP_ATTR_F_EXTLEN;
	p[2] = len;
	memmove(p + 3, p + 4, len);
	buf_truncate(b, b->len - 1);
	return 0;
}
