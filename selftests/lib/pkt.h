/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet builder and checker for tests.
 *
 * A packet is built layer by layer into a fixed buffer; each call appends
 * one header (and its payload, if given) and returns the header's offset in
 * p->buf, or -errno. Errors are sticky: after the first one every call fails
 * with it, so a test may check only pkt_finish(). pkt_finish() fills what
 * depends on later layers: ethertypes, IP protocol / next header fields,
 * lengths and checksums (IPv4 header; TCP, UDP, ICMPv6 with pseudo-header;
 * ICMP), innermost first, so tunnels (IP in IP, GUE: IP in UDP) come out
 * right too. After pkt_finish() a test may still poke bytes to break them.
 *
 *	struct pkt p;
 *	pkt_tcp_flow(&p, "198.51.100.7", 40000, "203.0.113.10", 80, TH_SYN);
 *
 *	pkt_init(&p);
 *	pkt_eth(&p, NULL);
 *	pkt_vlan(&p, 100);
 *	pkt_ip(&p, &(struct pkt_ip){ .src = "2001:db8::7", .dst = "2001:db8:f::10" });
 *	pkt_ip6_ext(&p, &(struct pkt_ip6_ext){ .type = IPPROTO_FRAGMENT, .more = true, .id = 7 });
 *	pkt_udp(&p, &(struct pkt_udp){ .sport = 5353, .dport = 53, .len = 100 });
 *	err = pkt_finish(&p);
 *
 * Bytes that are not a layer (an encapsulated copy of another packet, the
 * quoted packet of an ICMP error) go in with pkt_payload() or an L4 layer's
 * payload; give the enclosing IP header's .proto then, since there is no
 * next layer to take it from. ICMP and ICMPv6 checksums cover the quoted
 * bytes as given, so build the quoted packet with its own struct pkt.
 */
#ifndef XLB_SELFTESTS_PKT_H
#define XLB_SELFTESTS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>	/* TH_FIN, TH_SYN, TH_RST, TH_PUSH, TH_ACK, TH_URG */
#include <linux/types.h>
#include "xlb_shared.h"

#define PKT_BUF_SIZE	10240	/* a 9000-byte jumbo frame plus encapsulation */
#define PKT_MAX_LAYERS	16

/* MACs pkt_eth() uses when given none (locally administered). */
#define PKT_MAC_SRC	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }
#define PKT_MAC_DST	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }

enum pkt_layer_type {
	PKT_L_ETH = 1, PKT_L_VLAN, PKT_L_IPV4, PKT_L_IPV6, PKT_L_IPV6_EXT,
	PKT_L_TCP, PKT_L_UDP, PKT_L_ICMP, PKT_L_ICMPV6,
};

/* One header in the buffer (private to pkt.c). */
struct pkt_layer {
	__u8 type;		/* enum pkt_layer_type */
	__u8 flags;		/* PKT_LF_* in pkt.c */
	__u16 id;		/* its ethertype (L2) or IP protocol number (L3, L4) */
	__u16 off;		/* offset in buf */
};

struct pkt {
	__u8 buf[PKT_BUF_SIZE];	/* the frame */
	size_t len;		/* bytes used in buf */
	int err;		/* first error, -errno */
	int nlayers;
	struct pkt_layer layers[PKT_MAX_LAYERS];
};

struct pkt_eth {
	__u8 dst[6];		/* all zero: PKT_MAC_DST */
	__u8 src[6];		/* all zero: PKT_MAC_SRC */
	__u16 type;		/* ethertype, host order; 0: from the next layer */
};

/* IPv4 or IPv6, by the family of the addresses. */
struct pkt_ip {
	const char *src;	/* "192.0.2.1" or "2001:db8::1" */
	const char *dst;
	union xlb_addr saddr;	/* used when src is NULL */
	union xlb_addr daddr;	/* used when dst is NULL */
	__u8 family;		/* XLB_FAMILY_V4/V6 of saddr/daddr */
	__u8 tos;		/* IPv4 TOS / IPv6 traffic class (DSCP << 2 | ECN) */
	__u8 ttl;		/* TTL / hop limit; 0: 64 */
	__u8 proto;		/* protocol / next header; 0: from the next layer */
	__u32 flow_label;	/* IPv6 only, 20 bits */
	__u16 id;		/* IPv4 only: identification */
	bool df;		/* IPv4 only: don't fragment */
	bool mf;		/* IPv4 only: more fragments */
	__u16 frag_off;		/* IPv4 only: fragment offset in bytes (multiple of 8) */
	const void *opts;	/* IPv4 only: options, zero-padded to a multiple of 4 */
	size_t opts_len;	/* at most 40 */
};

/* An IPv6 extension header, appended after the IPv6 header or another one. */
struct pkt_ip6_ext {
	__u8 type;		/* IPPROTO_HOPOPTS, _ROUTING, _DSTOPTS or _FRAGMENT */
	__u8 proto;		/* next header; 0: from the next layer */
	/* HOPOPTS, DSTOPTS: options, padded with Pad1/PadN to a multiple of 8.
	 * ROUTING: the bytes after the 4 fixed ones (types 0 and 2: 4 reserved
	 * bytes then the addresses), zero-padded to a multiple of 8. */
	const void *data;
	size_t len;
	__u8 rt_type;		/* ROUTING: routing type */
	__u8 segs_left;		/* ROUTING: segments left */
	__u16 frag_off;		/* FRAGMENT: offset in bytes (multiple of 8) */
	bool more;		/* FRAGMENT: M flag */
	__u32 id;		/* FRAGMENT: identification */
};

/* Options and extension header data: NULL with a length gives zeros.
 * L4 payloads: NULL with a length gives a pattern (byte i is i & 0xff). */
struct pkt_tcp {
	__u16 sport, dport;	/* host order */
	__u32 seq, ack;
	__u8 flags;		/* TH_SYN | TH_ACK ... */
	__u16 window;		/* 0: 65535 */
	const void *opts;	/* TCP options, zero-padded to a multiple of 4 */
	size_t opts_len;	/* at most 40 */
	const void *payload;
	size_t len;
};

struct pkt_udp {
	__u16 sport, dport;	/* host order */
	bool zero_csum;		/* over IPv4: leave the checksum 0 (none) */
	const void *payload;
	size_t len;
};

/* ICMP inside IPv4, ICMPv6 inside IPv6 (the enclosing IP header decides). */
struct pkt_icmp {
	__u8 type, code;
	__u32 rest;		/* header bytes 4-7, host order: MTU, id << 16 | seq, ... */
	const void *payload;	/* e.g. the quoted packet */
	size_t len;
};

/* Building. Each returns the new header's offset in p->buf or -errno. */
void pkt_init(struct pkt *p);
int pkt_eth(struct pkt *p, const struct pkt_eth *eth);	/* NULL: default MACs */
/* A VLAN tag (tci: PCP, DEI, VID); the type field before it becomes 0x8100
 * unless given (e.g. .type = 0x88a8 in pkt_eth for an 802.1ad outer tag). */
int pkt_vlan(struct pkt *p, __u16 tci);
int pkt_ip(struct pkt *p, const struct pkt_ip *ip);
int pkt_ip6_ext(struct pkt *p, const struct pkt_ip6_ext *ext);
int pkt_tcp(struct pkt *p, const struct pkt_tcp *tcp);
int pkt_udp(struct pkt *p, const struct pkt_udp *udp);
int pkt_icmp(struct pkt *p, const struct pkt_icmp *icmp);
int pkt_payload(struct pkt *p, const void *data, size_t len);	/* NULL data: pattern */
/* Fills lengths, protocols and checksums; returns 0 or the first error. */
int pkt_finish(struct pkt *p);

/* One call: init, Ethernet with default MACs, IPv4 or IPv6 by the
 * addresses, TCP (seq 1) or UDP, finish. Return 0 or -errno. */
int pkt_tcp_flow(struct pkt *p, const char *src, __u16 sport, const char *dst, __u16 dport,
		 __u8 flags);
int pkt_udp_flow(struct pkt *p, const char *src, __u16 sport, const char *dst, __u16 dport,
		 const void *payload, size_t len);

/* "192.0.2.1" or "2001:db8::1" into addr (IPv4 in v4, rest zero) and
 * *family (XLB_FAMILY_V4/V6; may be NULL). Returns 0 or -EINVAL. */
int pkt_addr_parse(const char *str, union xlb_addr *addr, __u8 *family);

/* What pkt_parse() found; offsets are from the start of the buffer given. */
struct pkt_info {
	int l3;			/* IP header */
	int l4;			/* L4 header; -1 in a non-first fragment */
	int payload;		/* after the TCP/UDP/ICMP/ICMPv6 header; -1 if none */
	size_t l3_len;		/* IP length from the header (may exceed the buffer) */
	__u8 family;		/* XLB_FAMILY_V4/V6 */
	__u8 proto;		/* L4 protocol, after any IPv6 extension headers */
	__u8 nvlan;		/* VLAN tags before the IP header */
	bool frag;		/* a fragment (MF, offset, or IPv6 fragment header) */
	__u16 frag_off;		/* fragment offset in bytes */
};

/* Parse a frame from its Ethernet header (802.1Q / 802.1ad tags skipped),
 * or from an IP header. Every header up to the L4 header must be in len;
 * the payload need not be. Return 0, -EPROTONOSUPPORT (not IP) or -EINVAL
 * (truncated or malformed). */
int pkt_parse(const void *frame, size_t len, struct pkt_info *info);
int pkt_parse_ip(const void *l3, size_t len, struct pkt_info *info);

/* Checks of a packet starting at its IP header. Return 0 if valid,
 * -EBADMSG if a checksum or length is wrong, -EINVAL if truncated or not
 * IP, -EOPNOTSUPP for a fragment or a protocol other than TCP, UDP, ICMP
 * (in IPv4) and ICMPv6 (in IPv6). A zero UDP checksum is valid over IPv4
 * only. */
int pkt_check_ipv4_csum(const void *l3, size_t len);
int pkt_check_l4_csum(const void *l3, size_t len);

#endif /* XLB_SELFTESTS_PKT_H */
