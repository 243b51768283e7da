// SPDX-License-Identifier: GPL-2.0
/*
 * Packet builder and checker for tests (API in pkt.h).
 *
 * Headers are written with explicit byte offsets, not through the system's
 * header structs, so the layout on the wire is visible here. Checksums are
 * the Internet checksum (RFC 1071): TCP (RFC 9293 sec 3.1), UDP (RFC 768;
 * 0 means none over IPv4, and a computed 0 is sent as 0xffff), ICMP
 * (RFC 792, no pseudo-header), and over IPv6 the pseudo-header of RFC 8200
 * sec 8.1, whose destination is the final one when a routing header has
 * segments left.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "pkt.h"

#define PKT_LF_AUTO	(1U << 0)	/* type/protocol field from the next layer */
#define PKT_LF_NOCSUM	(1U << 1)	/* UDP over IPv4 without checksum */

#define ETH_HLEN	14
#define ETH_P_IPV4	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8

static void put16(__u8 *b, __u16 v)
{
	b[0] = v >> 8;
	b[1] = v;
}

static void put32(__u8 *b, __u32 v)
{
	put16(b, v >> 16);
	put16(b + 2, v);
}

static __u16 get16(const __u8 *b)
{
	return b[0] << 8 | b[1];
}

/* Sum of big-endian 16-bit words; fits 32 bits for any buffer here. */
static __u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *b = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(b + i);
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Sum of the pseudo-header; dst is the final destination. */
static __u32 csum_pseudo(__u8 family, const __u8 *src, const __u8 *dst, __u8 proto, size_t len)
{
	__u8 ph[40] = { 0 };

	if (family == XLB_FAMILY_V4) {
		memcpy(ph, src, 4);
		memcpy(ph + 4, dst, 4);
		ph[9] = proto;
		put16(ph + 10, len);
		return csum_add(0, ph, 12);
	}
	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	put32(ph + 32, len);
	ph[39] = proto;
	return csum_add(0, ph, 40);
}

/* Final destination named by a routing header with segments left (types 0
 * and 2: the last address; 4, SRv6: segment 0), or NULL. */
static const __u8 *rthdr_final_dst(const __u8 *rh)
{
	size_t hlen = (rh[1] + 1) * 8;

	if (!rh[3] || hlen < 24)
		return NULL;
	if (rh[2] == 0 || rh[2] == 2)
		return rh + hlen - 16;
	if (rh[2] == 4)
		return rh + 8;
	return NULL;
}

int pkt_addr_parse(const char *str, union xlb_addr *addr, __u8 *family)
{
	__u8 fam = XLB_FAMILY_V4;

	memset(addr, 0, sizeof(*addr));
	if (!str)
		return -EINVAL;
	if (inet_pton(AF_INET, str, &addr->v4) != 1) {
		if (inet_pton(AF_INET6, str, addr->bytes) != 1)
			return -EINVAL;
		fam = XLB_FAMILY_V6;
	}
	if (family)
		*family = fam;
	return 0;
}

/* --- building --- */

void pkt_init(struct pkt *p)
{
	p->len = 0;
	p->err = 0;
	p->nlayers = 0;
}

static int pkt_error(struct pkt *p, int err)
{
	if (!p->err)
		p->err = err;
	return p->err;
}

/* Appends len zeroed bytes; returns their offset or -errno. */
static int pkt_grow(struct pkt *p, size_t len)
{
	size_t off = p->len;

	if (p->err)
		return p->err;
	if (len > PKT_BUF_SIZE - p->len)
		return pkt_error(p, -ENOSPC);
	memset(p->buf + off, 0, len);
	p->len += len;
	return off;
}

static int pkt_push(struct pkt *p, __u8 type, __u16 id, __u8 flags, size_t hlen)
{
	struct pkt_layer *l;
	int off;

	if (p->err)
		return p->err;
	if (p->nlayers == PKT_MAX_LAYERS)
		return pkt_error(p, -E2BIG);
	off = pkt_grow(p, hlen);
	if (off < 0)
		return off;
	l = &p->layers[p->nlayers++];
	l->type = type;
	l->id = id;
	l->flags = flags;
	l->off = off;
	return off;
}

/* The innermost IP layer before layer `before`, or NULL. */
static const struct pkt_layer *pkt_ip_layer(const struct pkt *p, int before)
{
	for (int i = before - 1; i >= 0; i--)
		if (p->layers[i].type == PKT_L_IPV4 || p->layers[i].type == PKT_L_IPV6)
			return &p->layers[i];
	return NULL;
}

int pkt_payload(struct pkt *p, const void *data, size_t len)
{
	int off = pkt_grow(p, len);

	if (off < 0)
		return off;
	for (size_t i = 0; i < len; i++)
		p->buf[off + i] = data ? ((const __u8 *)data)[i] : i & 0xff;
	return off;
}

int pkt_eth(struct pkt *p, const struct pkt_eth *eth)
{
	static const __u8 zero[6], def_dst[6] = PKT_MAC_DST, def_src[6] = PKT_MAC_SRC;
	struct pkt_eth e = eth ? *eth : (struct pkt_eth){ 0 };
	int off;

	off = pkt_push(p, PKT_L_ETH, e.type, e.type ? 0 : PKT_LF_AUTO, ETH_HLEN);
	if (off < 0)
		return off;
	memcpy(p->buf + off, memcmp(e.dst, zero, 6) ? e.dst : def_dst, 6);
	memcpy(p->buf + off + 6, memcmp(e.src, zero, 6) ? e.src : def_src, 6);
	put16(p->buf + off + 12, e.type);
	return off;
}

int pkt_vlan(struct pkt *p, __u16 tci)
{
	int off;

	if (!p->err && (!p->nlayers || p->layers[p->nlayers - 1].type > PKT_L_VLAN))
		return pkt_error(p, -EINVAL);
	off = pkt_push(p, PKT_L_VLAN, ETH_P_8021Q, PKT_LF_AUTO, 4);
	if (off < 0)
		return off;
	put16(p->buf + off, tci);
	return off;
}

static int pkt_ip_addrs(const struct pkt_ip *ip, union xlb_addr *src, union xlb_addr *dst,
			__u8 *family)
{
	__u8 sfam = ip->family, dfam = ip->family;

	*src = ip->saddr;
	*dst = ip->daddr;
	if (ip->src && pkt_addr_parse(ip->src, src, &sfam))
		return -EINVAL;
	if (ip->dst && pkt_addr_parse(ip->dst, dst, &dfam))
		return -EINVAL;
	if (sfam != dfam || (sfam != XLB_FAMILY_V4 && sfam != XLB_FAMILY_V6))
		return -EINVAL;
	*family = sfam;
	return 0;
}

/* RFC 791 sec 3.1 */
static int pkt_ipv4(struct pkt *p, const struct pkt_ip *ip, const union xlb_addr *src,
		    const union xlb_addr *dst)
{
	size_t olen = (ip->opts_len + 3) & ~3UL;
	__u8 *h;
	int off;

	if (olen > 40 || ip->frag_off % 8 || ip->frag_off / 8 > 0x1fff || ip->flow_label)
		return pkt_error(p, -EINVAL);
	off = pkt_push(p, PKT_L_IPV4, IPPROTO_IPIP, ip->proto ? 0 : PKT_LF_AUTO, 20 + olen);
	if (off < 0)
		return off;
	h = p->buf + off;
	h[0] = 0x40 | (20 + olen) / 4;
	h[1] = ip->tos;
	put16(h + 4, ip->id);
	put16(h + 6, (ip->df ? 0x4000 : 0) | (ip->mf ? 0x2000 : 0) | ip->frag_off / 8);
	h[8] = ip->ttl ? ip->ttl : 64;
	h[9] = ip->proto;
	memcpy(h + 12, &src->v4, 4);
	memcpy(h + 16, &dst->v4, 4);
	if (ip->opts)
		memcpy(h + 20, ip->opts, ip->opts_len);
	return off;
}

/* RFC 8200 sec 3 */
static int pkt_ipv6(struct pkt *p, const struct pkt_ip *ip, const union xlb_addr *src,
		    const union xlb_addr *dst)
{
	__u8 *h;
	int off;

	if (ip->flow_label > 0xfffff || ip->id || ip->df || ip->mf || ip->frag_off || ip->opts_len)
		return pkt_error(p, -EINVAL);
	off = pkt_push(p, PKT_L_IPV6, IPPROTO_IPV6, ip->proto ? 0 : PKT_LF_AUTO, 40);
	if (off < 0)
		return off;
	h = p->buf + off;
	put32(h, 6U << 28 | (__u32)ip->tos << 20 | ip->flow_label);
	h[6] = ip->proto;
	h[7] = ip->ttl ? ip->ttl : 64;
	memcpy(h + 8, src->bytes, 16);
	memcpy(h + 24, dst->bytes, 16);
	return off;
}

int pkt_ip(struct pkt *p, const struct pkt_ip *ip)
{
	union xlb_addr src, dst;
	__u8 family;

	if (p->err)
		return p->err;
	if (pkt_ip_addrs(ip, &src, &dst, &family))
		return pkt_error(p, -EINVAL);
	if (family == XLB_FAMILY_V4)
		return pkt_ipv4(p, ip, &src, &dst);
	return pkt_ipv6(p, ip, &src, &dst);
}

/* RFC 8200 sec 4.3-4.6 */
int pkt_ip6_ext(struct pkt *p, const struct pkt_ip6_ext *ext)
{
	const struct pkt_layer *last = p->nlayers ? &p->layers[p->nlayers - 1] : NULL;
	size_t fixed = 2, hlen;
	__u8 *h;
	int off;

	if (p->err)
		return p->err;
	if (!last || (last->type != PKT_L_IPV6 && last->type != PKT_L_IPV6_EXT))
		return pkt_error(p, -EINVAL);
	switch (ext->type) {
	case IPPROTO_FRAGMENT:
		if (ext->frag_off % 8 || ext->len)
			return pkt_error(p, -EINVAL);
		fixed = 8;
		break;
	case IPPROTO_ROUTING:
		fixed = 4;
		break;
	case IPPROTO_HOPOPTS:
	case IPPROTO_DSTOPTS:
		break;
	default:
		return pkt_error(p, -EINVAL);
	}
	hlen = (fixed + ext->len + 7) & ~7UL;
	if (hlen > 2048)
		return pkt_error(p, -EINVAL);
	off = pkt_push(p, PKT_L_IPV6_EXT, ext->type, ext->proto ? 0 : PKT_LF_AUTO, hlen);
	if (off < 0)
		return off;
	h = p->buf + off;
	h[0] = ext->proto;
	if (ext->type == IPPROTO_FRAGMENT) {
		put16(h + 2, ext->frag_off | ext->more);
		put32(h + 4, ext->id);
		return off;
	}
	h[1] = hlen / 8 - 1;
	if (ext->type == IPPROTO_ROUTING) {
		h[2] = ext->rt_type;
		h[3] = ext->segs_left;
	}
	if (ext->data)
		memcpy(h + fixed, ext->data, ext->len);
	if (ext->type != IPPROTO_ROUTING && hlen - fixed - ext->len >= 2) {
		/* PadN (RFC 8200 sec 4.2); a single byte left is Pad1, 0 */
		h[fixed + ext->len] = 1;
		h[fixed + ext->len + 1] = hlen - fixed - ext->len - 2;
	}
	return off;
}

static int pkt_l4_payload(struct pkt *p, int off, const void *data, size_t len)
{
	int ret = pkt_payload(p, data, len);

	return ret < 0 ? ret : off;
}

/* RFC 9293 sec 3.1 */
int pkt_tcp(struct pkt *p, const struct pkt_tcp *tcp)
{
	size_t olen = (tcp->opts_len + 3) & ~3UL;
	__u8 *h;
	int off;

	if (!p->err && (olen > 40 || !pkt_ip_layer(p, p->nlayers)))
		return pkt_error(p, -EINVAL);
	off = pkt_push(p, PKT_L_TCP, IPPROTO_TCP, 0, 20 + olen);
	if (off < 0)
		return off;
	h = p->buf + off;
	put16(h, tcp->sport);
	put16(h + 2, tcp->dport);
	put32(h + 4, tcp->seq);
	put32(h + 8, tcp->ack);
	h[12] = (20 + olen) / 4 << 4;
	h[13] = tcp->flags;
	put16(h + 14, tcp->window ? tcp->window : 65535);
	if (tcp->opts)
		memcpy(h + 20, tcp->opts, tcp->opts_len);
	return pkt_l4_payload(p, off, tcp->payload, tcp->len);
}

/* RFC 768 */
int pkt_udp(struct pkt *p, const struct pkt_udp *udp)
{
	int off;

	if (!p->err && !pkt_ip_layer(p, p->nlayers))
		return pkt_error(p, -EINVAL);
	off = pkt_push(p, PKT_L_UDP, IPPROTO_UDP, udp->zero_csum ? PKT_LF_NOCSUM : 0, 8);
	if (off < 0)
		return off;
	put16(p->buf + off, udp->sport);
	put16(p->buf + off + 2, udp->dport);
	return pkt_l4_payload(p, off, udp->payload, udp->len);
}

/* RFC 792, RFC 4443 sec 2.1 */
int pkt_icmp(struct pkt *p, const struct pkt_icmp *icmp)
{
	const struct pkt_layer *ip;
	bool v6;
	int off;

	if (p->err)
		return p->err;
	ip = pkt_ip_layer(p, p->nlayers);
	if (!ip)
		return pkt_error(p, -EINVAL);
	v6 = ip->type == PKT_L_IPV6;
	off = pkt_push(p, v6 ? PKT_L_ICMPV6 : PKT_L_ICMP, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, 0, 8);
	if (off < 0)
		return off;
	p->buf[off] = icmp->type;
	p->buf[off + 1] = icmp->code;
	put32(p->buf + off + 4, icmp->rest);
	return pkt_l4_payload(p, off, icmp->payload, icmp->len);
}

static __u16 ethertype_of(const struct pkt_layer *next)
{
	if (!next)
		return 0;
	switch (next->type) {
	case PKT_L_VLAN:
		return ETH_P_8021Q;
	case PKT_L_IPV4:
		return ETH_P_IPV4;
	case PKT_L_IPV6:
		return ETH_P_IPV6;
	default:
		return 0;
	}
}

/* Fills the checksum (and UDP length) of the L4 layer i. */
static void pkt_finish_l4(struct pkt *p, int i)
{
	const struct pkt_layer *l = &p->layers[i], *ip = pkt_ip_layer(p, i);
	__u8 *h = p->buf + l->off, *iph = p->buf + ip->off;
	size_t len = p->len - l->off;
	const __u8 *dst = iph + 24, *rdst;
	__u32 sum = 0;
	int csum_off;

	switch (l->type) {
	case PKT_L_TCP:
		csum_off = 16;
		break;
	case PKT_L_UDP:
		csum_off = 6;
		put16(h + 4, len);
		break;
	default:
		csum_off = 2;
		break;
	}
	put16(h + csum_off, 0);
	if (l->flags & PKT_LF_NOCSUM && ip->type == PKT_L_IPV4)
		return;
	if (ip->type == PKT_L_IPV4) {
		if (l->type != PKT_L_ICMP)
			sum = csum_pseudo(XLB_FAMILY_V4, iph + 12, iph + 16, l->id, len);
	} else {
		for (int j = ip - p->layers + 1; j < i; j++) {
			const struct pkt_layer *ext = &p->layers[j];

			if (ext->type != PKT_L_IPV6_EXT || ext->id != IPPROTO_ROUTING)
				continue;
			rdst = rthdr_final_dst(p->buf + ext->off);
			if (rdst)
				dst = rdst;
		}
		sum = csum_pseudo(XLB_FAMILY_V6, iph + 8, dst, l->id, len);
	}
	sum = csum_fold(csum_add(sum, h, len));
	if (!sum && l->type == PKT_L_UDP)
		sum = 0xffff;
	put16(h + csum_off, sum);
}

int pkt_finish(struct pkt *p)
{
	if (p->err)
		return p->err;
	/* innermost first: an outer checksum covers the inner headers */
	for (int i = p->nlayers - 1; i >= 0; i--) {
		const struct pkt_layer *l = &p->layers[i];
		const struct pkt_layer *next = i + 1 < p->nlayers ? &p->layers[i + 1] : NULL;
		bool fill = l->flags & PKT_LF_AUTO;
		__u8 proto = next ? next->id : IPPROTO_NONE;
		__u8 *h = p->buf + l->off;
		size_t len = p->len - l->off;

		switch (l->type) {
		case PKT_L_ETH:
			if (fill)
				put16(h + 12, ethertype_of(next));
			break;
		case PKT_L_VLAN:
			if (fill)
				put16(h + 2, ethertype_of(next));
			break;
		case PKT_L_IPV4:
			if (fill)
				h[9] = proto;
			put16(h + 2, len);
			put16(h + 10, 0);
			put16(h + 10, csum_fold(csum_add(0, h, (h[0] & 0xf) * 4)));
			break;
		case PKT_L_IPV6:
			if (fill)
				h[6] = proto;
			put16(h + 4, len - 40);
			break;
		case PKT_L_IPV6_EXT:
			if (fill)
				h[0] = proto;
			break;
		default:
			pkt_finish_l4(p, i);
			break;
		}
	}
	return 0;
}

int pkt_tcp_flow(struct pkt *p, const char *src, __u16 sport, const char *dst, __u16 dport,
		 __u8 flags)
{
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = src, .dst = dst });
	pkt_tcp(p, &(struct pkt_tcp){ .sport = sport, .dport = dport, .seq = 1, .flags = flags });
	return pkt_finish(p);
}

int pkt_udp_flow(struct pkt *p, const char *src, __u16 sport, const char *dst, __u16 dport,
		 const void *payload, size_t len)
{
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = src, .dst = dst });
	pkt_udp(p, &(struct pkt_udp){
			   .sport = sport, .dport = dport, .payload = payload, .len = len });
	return pkt_finish(p);
}

/* --- parsing and checking --- */

/* Parses from the IP header at b + l3; final_dst (16 bytes, may be NULL)
 * gets the IPv6 pseudo-header destination. */
static int parse_ip(const __u8 *b, size_t len, int l3, struct pkt_info *info,
		    const __u8 **final_dst)
{
	const __u8 *h = b + l3, *rdst;
	size_t off, hlen;
	__u8 nh;

	info->l3 = l3;
	info->l4 = info->payload = -1;
	if (len < (size_t)l3 + 1)
		return -EINVAL;
	len -= l3;
	if (h[0] >> 4 == 4) {
		hlen = (h[0] & 0xf) * 4;
		if (len < 20 || hlen < 20 || len < hlen)
			return -EINVAL;
		info->family = XLB_FAMILY_V4;
		info->l3_len = get16(h + 2);
		info->proto = h[9];
		info->frag_off = (get16(h + 6) & 0x1fff) * 8;
		info->frag = info->frag_off || get16(h + 6) & 0x2000;
		if (info->l3_len < hlen)
			return -EINVAL;
		off = hlen;
	} else if (h[0] >> 4 == 6) {
		if (len < 40)
			return -EINVAL;
		info->family = XLB_FAMILY_V6;
		info->l3_len = 40 + get16(h + 4);
		if (final_dst)
			*final_dst = h + 24;
		nh = h[6];
		/* RFC 8200 sec 4: hop-by-hop, routing, fragment, destination
		 * options; AH (RFC 4302) counts its length in 4-byte units */
		for (off = 40;; off += hlen) {
			if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
			    nh != IPPROTO_DSTOPTS && nh != IPPROTO_FRAGMENT && nh != IPPROTO_AH)
				break;
			if (len < off + 8)
				return -EINVAL;
			if (nh == IPPROTO_FRAGMENT)
				hlen = 8;
			else if (nh == IPPROTO_AH)
				hlen = (h[off + 1] + 2) * 4;
			else
				hlen = (h[off + 1] + 1) * 8;
			if (len < off + hlen)
				return -EINVAL;
			if (nh == IPPROTO_FRAGMENT) {
				info->frag_off = get16(h + off + 2) & 0xfff8;
				/* an atomic fragment (RFC 6946) is a whole packet */
				info->frag = info->frag_off || h[off + 3] & 1;
			}
			if (nh == IPPROTO_ROUTING && final_dst) {
				rdst = rthdr_final_dst(h + off);
				if (rdst)
					*final_dst = rdst;
			}
			nh = h[off];
		}
		info->proto = nh;
	} else {
		return -EINVAL;
	}
	if (info->frag_off)
		return 0;
	info->l4 = l3 + off;
	switch (info->proto) {
	case IPPROTO_TCP:
		hlen = len < off + 13 ? 20 : (h[off + 12] >> 4) * 4;
		if (hlen < 20)
			return -EINVAL;
		break;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		hlen = 8;
		break;
	default:
		return 0;
	}
	if (len < off + hlen)
		return -EINVAL;
	info->payload = info->l4 + hlen;
	return 0;
}

int pkt_parse_ip(const void *l3, size_t len, struct pkt_info *info)
{
	memset(info, 0, sizeof(*info));
	return parse_ip(l3, len, 0, info, NULL);
}

int pkt_parse(const void *frame, size_t len, struct pkt_info *info)
{
	const __u8 *b = frame;
	size_t off = ETH_HLEN;
	__u16 type;

	memset(info, 0, sizeof(*info));
	info->l3 = info->l4 = info->payload = -1;
	if (len < ETH_HLEN)
		return -EINVAL;
	type = get16(b + 12);
	while (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (len < off + 4 || info->nvlan == 8)
			return -EINVAL;
		type = get16(b + off + 2);
		off += 4;
		info->nvlan++;
	}
	if (type != ETH_P_IPV4 && type != ETH_P_IPV6) {
		info->l3 = off;
		return -EPROTONOSUPPORT;
	}
	return parse_ip(b, len, off, info, NULL);
}

int pkt_check_ipv4_csum(const void *l3, size_t len)
{
	const __u8 *h = l3;
	size_t hlen;

	if (len < 20 || h[0] >> 4 != 4)
		return -EINVAL;
	hlen = (h[0] & 0xf) * 4;
	if (hlen < 20 || len < hlen)
		return -EINVAL;
	return csum_fold(csum_add(0, h, hlen)) ? -EBADMSG : 0;
}

int pkt_check_l4_csum(const void *l3, size_t len)
{
	const __u8 *h = l3, *dst = NULL, *l4;
	struct pkt_info info = { 0 };
	__u32 sum = 0;
	size_t l4_len;
	int err;

	err = parse_ip(l3, len, 0, &info, &dst);
	if (err)
		return err;
	if (info.frag)
		return -EOPNOTSUPP;
	if (info.l3_len > len)
		return -EINVAL;
	if (info.payload < 0 || (size_t)info.payload > info.l3_len)
		return info.payload < 0 ? -EOPNOTSUPP : -EBADMSG;
	l4 = h + info.l4;
	l4_len = info.l3_len - info.l4;
	if (info.family == XLB_FAMILY_V4) {
		if (info.proto == IPPROTO_ICMPV6)
			return -EOPNOTSUPP;
		if (info.proto != IPPROTO_ICMP)
			sum = csum_pseudo(XLB_FAMILY_V4, h + 12, h + 16, info.proto, l4_len);
	} else {
		if (info.proto == IPPROTO_ICMP)
			return -EOPNOTSUPP;
		sum = csum_pseudo(XLB_FAMILY_V6, h + 8, dst, info.proto, l4_len);
	}
	if (info.proto == IPPROTO_UDP) {
		if (get16(l4 + 4) != l4_len)
			return -EBADMSG;
		if (!get16(l4 + 6))
			return info.family == XLB_FAMILY_V4 ? 0 : -EBADMSG;
	}
	return csum_fold(csum_add(sum, l4, l4_len)) ? -EBADMSG : 0;
}
