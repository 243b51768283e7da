/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet checks shared by the datapath fuzz targets (fuzz_xlb, fuzz_decap).
 *
 * Written from the RFCs, independently of the datapath's own code
 * (bpf/csum.h, bpf/parse.h): checksums are summed byte by byte from
 * scratch, headers are read at explicit offsets. Only what the checks
 * need; nothing here trusts a length it has not compared with the buffer.
 */
#ifndef XLB_FUZZ_XDP_CHECK_H
#define XLB_FUZZ_XDP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			xc_fail(__FILE__, __LINE__, #cond);                                        \
	} while (0)

/* Prints the failed check and the frames of the current run (see
 * xc_context), then aborts: libFuzzer keeps the input. */
void xc_fail(const char *file, int line, const char *what) __attribute__((noreturn));
/* The frames xc_fail dumps; pointers must stay valid until the next call. */
void xc_context(const uint8_t *in, size_t in_len, const uint8_t *out, size_t out_len);

uint16_t xc_get16(const uint8_t *b);
uint32_t xc_get32(const uint8_t *b);
void xc_put16(uint8_t *b, uint16_t v);

/* Internet checksum (RFC 1071): the one's complement sum of big-endian
 * 16-bit words, odd byte padded with zero, folded to 16 bits. A header
 * or segment carrying a valid checksum sums to 0xffff. */
uint32_t xc_sum(uint32_t sum, const uint8_t *b, size_t len);
uint16_t xc_fold(uint32_t sum);
/* Sum of the TCP/UDP/ICMPv6 pseudo-header (RFC 9293 sec 3.1, RFC 8200
 * sec 8.1) for addresses of `family` (4 or 6). */
uint32_t xc_pseudo(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		   uint32_t len);

/* An IP packet as its own header describes it. */
struct xc_ip {
	int family;		/* 4 or 6 */
	size_t len;		/* IP length from the header, bytes */
	size_t l4;		/* transport header offset, after IPv6 extension headers */
	uint8_t proto;		/* transport protocol */
	uint8_t tos;		/* IPv4 TOS / IPv6 traffic class */
	bool frag;		/* a fragment (MF, offset or IPv6 fragment header) */
	bool frag_later;	/* not the first fragment */
	bool ext;		/* IPv6 extension headers present */
	const uint8_t *src, *dst;
};

/* Parses the IP packet at b (avail bytes there). 0 when the header is
 * valid (version, IHL, length within avail, IPv6 extension headers
 * complete), -1 otherwise. */
int xc_ip_parse(const uint8_t *b, size_t avail, struct xc_ip *ip);

/* L2 header length of a frame: 14, 18 with one 802.1Q/802.1ad tag;
 * *type gets the ethertype after it. 0 when the frame is shorter. */
size_t xc_l2_len(const uint8_t *f, size_t len, uint16_t *type);

enum xc_csum {
	XC_CSUM_VALID,		/* every checksum of the packet verifies */
	XC_CSUM_BAD,		/* one does not */
	XC_CSUM_NONE,		/* the transport carries none to verify (fragment,
				 * other protocol, UDP without checksum) */
};
/* Checksums of an IP packet parsed by xc_ip_parse: the IPv4 header's,
 * and the transport's (TCP, UDP, ICMP in IPv4, ICMPv6 in IPv6; the
 * pseudo-header's destination is the IPv6 header's). */
enum xc_csum xc_ip_csum(const uint8_t *b, const struct xc_ip *ip);

/* Makes the IP packet at b (avail bytes, the rest of the frame) well
 * formed where lengths and checksums are concerned: length fields set
 * to avail, IPv4 header checksum, TCP/UDP/ICMP/ICMPv6 checksums. Headers
 * themselves are left as they are; a packet too broken to parse is left
 * alone. */
void xc_ip_repair(uint8_t *b, size_t avail);

#endif /* XLB_FUZZ_XDP_CHECK_H */
