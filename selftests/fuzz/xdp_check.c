// SPDX-License-Identifier: GPL-2.0
/*
 * Packet checks shared by the datapath fuzz targets (API in xdp_check.h):
 * the Internet checksum summed from scratch, an IP header parser, and
 * the repair of lengths and checksums that lets mutated packets reach
 * the datapath's deeper paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdp_check.h"
#include "xdp_input.h"

#define IPPROTO_ICMP_	1
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define IPPROTO_ICMPV6_	58

static const uint8_t *ctx_in, *ctx_out;
static size_t ctx_in_len, ctx_out_len;

void xc_context(const uint8_t *in, size_t in_len, const uint8_t *out, size_t out_len)
{
	ctx_in = in;
	ctx_in_len = in_len;
	ctx_out = out;
	ctx_out_len = out_len;
}

static void hexdump(const char *label, const uint8_t *b, size_t len)
{
	size_t i;

	fprintf(stderr, "%s (%zu bytes):", label, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", b[i]);
	fputc('\n', stderr);
}

void xc_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	if (ctx_in)
		hexdump("frame in", ctx_in, ctx_in_len);
	if (ctx_out)
		hexdump("frame out", ctx_out, ctx_out_len);
	abort();
}

uint16_t xc_get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

uint32_t xc_get32(const uint8_t *b)
{
	return (uint32_t)xc_get16(b) << 16 | xc_get16(b + 2);
}

void xc_put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

uint32_t xc_sum(uint32_t sum, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += xc_get16(b + i);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1) {
		sum += (uint32_t)b[len - 1] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

uint16_t xc_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t xc_pseudo(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		   uint32_t len)
{
	uint8_t tail[8] = { 0 };
	size_t alen = family == 4 ? 4 : 16;
	uint32_t sum;

	sum = xc_sum(0, src, alen);
	sum = xc_sum(sum, dst, alen);
	if (family == 4) {
		/* zero, protocol, TCP/UDP length (16 bits) */
		tail[1] = proto;
		xc_put16(tail + 2, (uint16_t)len);
		return xc_sum(sum, tail, 4);
	}
	/* upper-layer length (32 bits), three zero bytes, next header */
	tail[0] = len >> 24;
	tail[1] = len >> 16;
	tail[2] = len >> 8;
	tail[3] = len;
	tail[7] = proto;
	return xc_sum(sum, tail, 8);
}

size_t xc_l2_len(const uint8_t *f, size_t len, uint16_t *type)
{
	uint16_t t;

	if (len < 14)
		return 0;
	t = xc_get16(f + 12);
	if (t == 0x8100 || t == 0x88a8) {
		if (len < 18)
			return 0;
		*type = xc_get16(f + 16);
		return 18;
	}
	*type = t;
	return 14;
}

static bool ip6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60;
}

int xc_ip_parse(const uint8_t *b, size_t avail, struct xc_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (avail < 1)
		return -1;
	if (b[0] >> 4 == 4) {
		size_t hlen = (size_t)(b[0] & 0xf) * 4;
		uint16_t fo;

		if (avail < 20 || hlen < 20 || hlen > avail)
			return -1;
		ip->family = 4;
		ip->len = xc_get16(b + 2);
		if (ip->len < hlen || ip->len > avail)
			return -1;
		ip->l4 = hlen;
		ip->proto = b[9];
		ip->tos = b[1];
		fo = xc_get16(b + 6);
		ip->frag = fo & 0x3fff;
		ip->frag_later = fo & 0x1fff;
		ip->src = b + 12;
		ip->dst = b + 16;
		return 0;
	}
	if (b[0] >> 4 == 6) {
		size_t off = 40;
		uint8_t nh;

		if (avail < 40)
			return -1;
		ip->family = 6;
		ip->len = 40 + (size_t)xc_get16(b + 4);
		if (ip->len > avail)
			return -1;
		ip->tos = (uint8_t)(xc_get16(b) >> 4);
		ip->src = b + 8;
		ip->dst = b + 24;
		nh = b[6];
		while (ip6_ext(nh)) {
			if (off + 8 > ip->len)
				return -1;
			ip->ext = true;
			if (nh == 44) {
				ip->frag = true;
				ip->frag_later |= (xc_get16(b + off + 2) & 0xfff8) != 0;
				nh = b[off];
				off += 8;
				if (ip->frag_later)
					break;
				continue;
			}
			nh = b[off];
			off += ((size_t)b[off + 1] + 1) * 8;
		}
		if (off > ip->len)
			return -1;
		ip->l4 = off;
		ip->proto = nh;
		return 0;
	}
	return -1;
}

/* Offset of the checksum field in a transport header; 0 for none. */
static size_t csum_field(int family, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return 16;
	case IPPROTO_UDP_:
		return 6;
	case IPPROTO_ICMP_:
		return family == 4 ? 2 : 0;
	case IPPROTO_ICMPV6_:
		return family == 6 ? 2 : 0;
	}
	return 0;
}

/* Sum of the transport segment including its pseudo-header, if any. */
static uint32_t l4_sum(const uint8_t *b, const struct xc_ip *ip)
{
	size_t l4len = ip->len - ip->l4;
	uint32_t sum = 0;

	if (ip->proto != IPPROTO_ICMP_)
		sum = xc_pseudo(ip->family, ip->src, ip->dst, ip->proto, (uint32_t)l4len);
	return xc_sum(sum, b + ip->l4, l4len);
}

enum xc_csum xc_ip_csum(const uint8_t *b, const struct xc_ip *ip)
{
	size_t l4len = ip->len - ip->l4, field = csum_field(ip->family, ip->proto);

	if (ip->family == 4 && xc_fold(xc_sum(0, b, ip->l4)) != 0xffff)
		return XC_CSUM_BAD;
	if (ip->frag || !field)
		return XC_CSUM_NONE;
	if (l4len < field + 2)
		return XC_CSUM_BAD;
	if (ip->proto == IPPROTO_UDP_) {
		if (xc_get16(b + ip->l4 + 4) != l4len)
			return XC_CSUM_BAD;
		if (!xc_get16(b + ip->l4 + 6))
			return XC_CSUM_NONE;
	}
	return xc_fold(l4_sum(b, ip)) == 0xffff ? XC_CSUM_VALID : XC_CSUM_BAD;
}

void xc_ip_repair(uint8_t *b, size_t avail)
{
	struct xc_ip ip;
	size_t field, l4len;
	uint16_t c;

	if (avail < 1)
		return;
	if (b[0] >> 4 == 4 && avail >= 20 && avail <= 0xffff)
		xc_put16(b + 2, (uint16_t)avail);
	else if (b[0] >> 4 == 6 && avail >= 40 && avail - 40 <= 0xffff)
		xc_put16(b + 4, (uint16_t)(avail - 40));
	if (xc_ip_parse(b, avail, &ip))
		return;
	l4len = ip.len - ip.l4;
	field = csum_field(ip.family, ip.proto);
	if (!ip.frag && field && l4len >= field + 2) {
		if (ip.proto == IPPROTO_UDP_)
			xc_put16(b + ip.l4 + 4, (uint16_t)l4len);
		/* a UDP datagram sent without checksum stays so */
		if (ip.proto != IPPROTO_UDP_ || xc_get16(b + ip.l4 + 6)) {
			xc_put16(b + ip.l4 + field, 0);
			c = (uint16_t)~xc_fold(l4_sum(b, &ip));
			if (ip.proto == IPPROTO_UDP_ && !c)
				c = 0xffff;
			xc_put16(b + ip.l4 + field, c);
		}
	}
	if (ip.family == 4) {
		xc_put16(b + 10, 0);
		xc_put16(b + 10, (uint16_t)~xc_fold(xc_sum(0, b, ip.l4)));
	}
}

bool xdp_in_next(const uint8_t *data, size_t size, size_t *off, struct xdp_in_record *r)
{
	size_t left, len;

	if (*off + 3 > size)
		return false;
	r->flags = data[*off];
	len = xc_get16(data + *off + 1);
	*off += 3;
	left = size - *off;
	r->frame = data + *off;
	r->len = len < left ? len : left;
	*off += r->len;
	return true;
}

size_t xdp_in_frame(const struct xdp_in_record *r, uint8_t *buf)
{
	size_t len = r->len, l2;
	uint16_t type;

	if (len > XDP_IN_MAX_FRAME)
		len = XDP_IN_MAX_FRAME;
	if ((r->flags & XDP_IN_VLAN) && len >= 12) {
		if (len > XDP_IN_MAX_FRAME - 4)
			len = XDP_IN_MAX_FRAME - 4;
		memcpy(buf, r->frame, 12);
		xc_put16(buf + 12, r->flags & XDP_IN_VLAN_AD ? 0x88a8 : 0x8100);
		xc_put16(buf + 14, 100);
		memcpy(buf + 16, r->frame + 12, len - 12);
		len += 4;
	} else {
		memcpy(buf, r->frame, len);
	}
	if (r->flags & XDP_IN_REPAIR) {
		l2 = xc_l2_len(buf, len, &type);
		if (l2 && (type == 0x0800 || type == 0x86dd))
			xc_ip_repair(buf + l2, len - l2);
	}
	return len;
}
