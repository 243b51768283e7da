// SPDX-License-Identifier: GPL-2.0
/*
 * UPDATE messages (agent/bgp/msg_update.c, attrs.c): what we send byte for
 * byte (eBGP, iBGP, 2-octet peers with AS_TRANS and AS4_PATH, prepends,
 * IPv6 in MP_REACH with one or two next hops, withdrawals, End-of-RIB,
 * the Extended Length bit exactly when a value passes 255 bytes),
 * splitting into messages of at most 4096 bytes with every prefix exactly
 * once, round trips through the decoder, and a table of received UPDATEs
 * with what RFC 7606 makes of each problem: session reset (code, subcode,
 * data), treat-as-withdraw or attribute-discard.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/msg.h"
#include "bgp/nlri.h"
#include "bgp_test.h"

/* ---- what we send ---- */

/* eBGP from AS 65001, next hop 192.0.2.1 / 2001:db8::1 (+ fe80::1) */
static struct bgp_attrs ebgp(void)
{
	struct bgp_attrs a = {
		.local_as = 65001,
		.next_hop4 = t_addr("192.0.2.1"),
		.has_next_hop4 = true,
		.next_hop6 = t_addr("2001:db8::1"),
		.has_next_hop6 = true,
	};

	return a;
}

#define ORIGIN_IGP	"400101 00"
#define AS_PATH_65001	"400206 0201 0000fde9"
#define NEXT_HOP_1	"400304 c0000201"
#define NH6		"20010db8000000000000000000000001"
#define NH6_LL		"fe800000000000000000000000000001"
#define P6		"20010db8ffff00000000000000000001"	/* 2001:db8:ffff::1 */

struct enc_case {
	const char *name;
	struct bgp_attrs a;
	bool as4;
	const char *prefixes[3];
	const char *body;	/* hex */
};

static void enc_table(const struct enc_case *cases, size_t n)
{
	struct bgp_prefix p[3];
	struct buf out;
	size_t i, k;

	buf_init(&out, 0);
	for (i = 0; i < n; i++) {
		const struct enc_case *c = &cases[i];

		test_ctx("%s", c->name);
		for (k = 0; k < 3 && c->prefixes[k]; k++)
			p[k] = t_prefix(c->prefixes[k]);
		buf_reset(&out);
		if (!ASSERT_OK(bgp_update_encode_announce(&out, p, k, &c->a, c->as4), "encode"))
			continue;
		t_expect_msg(&out, BGP_MSG_UPDATE, c->body, "message");
	}
	test_ctx(NULL);
	buf_free(&out);
}

void test_bgp_update_encode_announce(void)
{
	struct enc_case cases[] = {
		{ "eBGP, one /32", ebgp(), true, { "198.51.100.1" },
		  "0000 0014 " ORIGIN_IGP AS_PATH_65001 NEXT_HOP_1 " 20 c6336401" },
		{ "eBGP, three prefixes in one message", ebgp(), true,
		  { "198.51.100.1", "198.51.100.2", "203.0.113.0/24" },
		  "0000 0014 " ORIGIN_IGP AS_PATH_65001 NEXT_HOP_1
		  " 20 c6336401 20 c6336402 18 cb0071" },
		{ "eBGP, prepend 2", ebgp(), true, { "198.51.100.1" },
		  "0000 001c " ORIGIN_IGP "40020e 0203 0000fde9 0000fde9 0000fde9" NEXT_HOP_1
		  " 20 c6336401" },
		{ "2-octet peer, 2-octet AS", ebgp(), false, { "198.51.100.1" },
		  "0000 0012 " ORIGIN_IGP "400204 0201 fde9" NEXT_HOP_1 " 20 c6336401" },
		{ "2-octet peer, 4-octet AS: AS_TRANS and AS4_PATH", ebgp(), false,
		  { "198.51.100.1" },
		  "0000 001b " ORIGIN_IGP "400204 0201 5ba0" NEXT_HOP_1 "c01106 0201 fa56ea00"
		  " 20 c6336401" },
		{ "2-octet peer, 4-octet AS, prepend 1", ebgp(), false, { "198.51.100.1" },
		  "0000 0021 " ORIGIN_IGP "400206 0202 5ba0 5ba0" NEXT_HOP_1
		  "c0110a 0202 fa56ea00 fa56ea00 20 c6336401" },
		{ "4-octet peer, 4-octet AS: no AS4_PATH", ebgp(), true, { "198.51.100.1" },
		  "0000 0014 " ORIGIN_IGP "400206 0201 fa56ea00" NEXT_HOP_1 " 20 c6336401" },
		{ "iBGP: empty AS_PATH, LOCAL_PREF, prepend ignored", ebgp(), true,
		  { "198.51.100.1" },
		  "0000 0015 " ORIGIN_IGP "400200" NEXT_HOP_1 "400504 00000064 20 c6336401" },
		{ "iBGP, 2-octet peer, 4-octet AS: no AS4_PATH", ebgp(), false, { "198.51.100.1" },
		  "0000 0015 " ORIGIN_IGP "400200" NEXT_HOP_1 "400504 000000c8 20 c6336401" },
		{ "MED, communities, large communities in the given order", ebgp(), true,
		  { "198.51.100.1" },
		  "0000 0035 " ORIGIN_IGP AS_PATH_65001 NEXT_HOP_1 "800404 0000000a"
		  "c00808 ffff0000 fde90064 c0200c 0000fde9 00000001 00000002 20 c6336401" },
		{ "IPv6 with a global next hop", ebgp(), true, { "2001:db8:ffff::1" },
		  "0000 0036 800e26 0002 01 10 " NH6 " 00 80 " P6 ORIGIN_IGP AS_PATH_65001 },
		{ "IPv6 with global and link-local next hops", ebgp(), true, { "2001:db8:ffff::1" },
		  "0000 0046 800e36 0002 01 20 " NH6 NH6_LL " 00 80 " P6 ORIGIN_IGP AS_PATH_65001 },
		{ "IPv6 iBGP with communities", ebgp(), true,
		  { "2001:db8:ffff::1", "2001:db8::/32" },
		  "0000 0043 800e2b 0002 01 10 " NH6 " 00 80 " P6 " 20 20010db8 " ORIGIN_IGP
		  "400200 400504 00000064 c00804 fde90064" },
	};

	cases[2].a.prepend = 2;
	cases[4].a.local_as = cases[5].a.local_as = cases[6].a.local_as = 4200000000u;
	cases[5].a.prepend = 1;
	cases[7].a.ibgp = cases[8].a.ibgp = cases[12].a.ibgp = true;
	cases[7].a.prepend = 3;
	cases[7].a.local_pref = cases[12].a.local_pref = 100;
	cases[8].a.local_as = 4200000000u;
	cases[8].a.local_pref = 200;
	cases[9].a.has_med = true;
	cases[9].a.med = 10;
	cases[9].a.communities[0] = 0xffff0000;
	cases[9].a.communities[1] = 0xfde90064;
	cases[9].a.n_communities = 2;
	cases[9].a.large_communities[0][0] = 65001;
	cases[9].a.large_communities[0][1] = 1;
	cases[9].a.large_communities[0][2] = 2;
	cases[9].a.n_large_communities = 1;
	cases[11].a.next_hop6_ll = t_addr("fe80::1");
	cases[11].a.has_next_hop6_ll = true;
	cases[12].a.communities[0] = 0xfde90064;
	cases[12].a.n_communities = 1;
	enc_table(cases, sizeof(cases) / sizeof(cases[0]));
}

void test_bgp_update_encode_withdraw_eor(void)
{
	struct bgp_prefix p[2] = { t_prefix("198.51.100.1"), t_prefix("198.51.100.2") };
	struct bgp_prefix p6 = t_prefix("2001:db8:ffff::1");
	struct buf out;

	buf_init(&out, 0);
	ASSERT_OK(bgp_update_encode_withdraw(&out, p, 1), "withdraw one");
	t_expect_msg(&out, BGP_MSG_UPDATE, "0005 20c6336401 0000", "IPv4 withdrawal");
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_withdraw(&out, p, 2), "withdraw two");
	t_expect_msg(&out, BGP_MSG_UPDATE, "000a 20c6336401 20c6336402 0000", "two");
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_withdraw(&out, &p6, 1), "withdraw IPv6");
	t_expect_msg(&out, BGP_MSG_UPDATE, "0000 0017 800f14 0002 01 80 " P6, "MP_UNREACH_NLRI");
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_withdraw(&out, p, 0), "nothing");
	ASSERT_EQ(out.len, 0, "no message for nothing");
	ASSERT_OK(bgp_update_encode_eor(&out, XLB_FAMILY_V4), "IPv4 EoR");
	t_expect_msg(&out, BGP_MSG_UPDATE, "0000 0000", "IPv4 End-of-RIB");
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_eor(&out, XLB_FAMILY_V6), "IPv6 EoR");
	t_expect_msg(&out, BGP_MSG_UPDATE, "0000 0006 800f03 0002 01", "IPv6 End-of-RIB");
	buf_reset(&out);
	ASSERT_EQ(bgp_update_encode_eor(&out, 0), -EINVAL, "unknown family");
	buf_free(&out);
}

/* The Extended Length bit is set exactly when a value passes 255 bytes. */
void test_bgp_update_encode_extended_length(void)
{
	struct bgp_attrs a = ebgp();
	struct bgp_prefix p[16];
	struct buf out;
	__u8 *m;
	size_t i;

	for (i = 0; i < 16; i++) {
		p[i] = t_prefix("2001:db8::1");
		p[i].addr.bytes[15] = i + 1;
	}
	a.next_hop6_ll = t_addr("fe80::1");
	a.has_next_hop6_ll = true;
	buf_init(&out, 0);
	/* MP_REACH value: 37 bytes + 17 per /128: 12 make 241, 13 make 258 */
	ASSERT_OK(bgp_update_encode_announce(&out, p, 12, &a, true), "12 prefixes");
	m = (__u8 *)out.data + BGP_HDR_LEN + 4;
	ASSERT_EQ(m[0], 0x80, "MP_REACH flags, short length");
	ASSERT_EQ(m[2], 241, "MP_REACH length");
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_announce(&out, p, 13, &a, true), "13 prefixes");
	m = (__u8 *)out.data + BGP_HDR_LEN + 4;
	ASSERT_EQ(m[0], 0x90, "MP_REACH flags with Extended Length");
	ASSERT_EQ(m[2] << 8 | m[3], 258, "MP_REACH extended length");
	ASSERT_EQ(out.len, BGP_HDR_LEN + 4 + 4 + 258 + 4 + 9, "message length");

	/* a long AS_PATH: prepend 300 makes two segments (255 + 46 ASNs),
	 * 1208 bytes */
	a.prepend = 300;
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_announce(&out, p, 1, &a, true), "prepend 300");
	m = (__u8 *)out.data + BGP_HDR_LEN + 4 + 57 + 4;	/* after MP_REACH, ORIGIN */
	ASSERT_EQ(m[0], 0x50, "AS_PATH flags with Extended Length");
	ASSERT_EQ(m[1], 2, "AS_PATH type");
	ASSERT_EQ(m[2] << 8 | m[3], 1208, "AS_PATH length");
	ASSERT_EQ(m[4], 2, "AS_SEQUENCE");
	ASSERT_EQ(m[5], 255, "first segment full");
	ASSERT_EQ(m[6 + 255 * 4], 2, "second AS_SEQUENCE");
	ASSERT_EQ(m[7 + 255 * 4], 46, "second segment");

	/* extended-length withdrawal: 15 /128s = 255 + 3 */
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_withdraw(&out, p, 15), "withdraw 15");
	m = (__u8 *)out.data + BGP_HDR_LEN + 4;
	ASSERT_EQ(m[0], 0x90, "MP_UNREACH flags with Extended Length");
	ASSERT_EQ(m[2] << 8 | m[3], 258, "MP_UNREACH length");
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_withdraw(&out, p, 14), "withdraw 14");
	m = (__u8 *)out.data + BGP_HDR_LEN + 4;
	ASSERT_EQ(m[0], 0x80, "MP_UNREACH flags");
	ASSERT_EQ(m[2], 241, "MP_UNREACH length");
	buf_free(&out);
}

void test_bgp_update_encode_errors(void)
{
	struct bgp_prefix p[2] = { t_prefix("198.51.100.1"), t_prefix("2001:db8::1") };
	struct bgp_prefix bad = t_prefix("198.51.100.1/33");
	struct bgp_attrs a = ebgp();
	struct buf out;

	buf_init(&out, 0);
	bgp_keepalive_encode(&out);
	ASSERT_EQ(bgp_update_encode_announce(&out, p, 2, &a, true), -EINVAL, "mixed families");
	ASSERT_EQ(bgp_update_encode_announce(&out, &bad, 1, &a, true), -EINVAL, "/33");
	ASSERT_EQ(bgp_update_encode_withdraw(&out, p, 2), -EINVAL, "mixed withdrawal");
	ASSERT_EQ(bgp_update_encode_withdraw(&out, &bad, 1), -EINVAL, "/33 withdrawal");
	a.has_next_hop4 = false;
	ASSERT_EQ(bgp_update_encode_announce(&out, p, 1, &a, true), -EINVAL, "no IPv4 next hop");
	a = ebgp();
	a.has_next_hop6 = false;
	ASSERT_EQ(bgp_update_encode_announce(&out, p + 1, 1, &a, true), -EINVAL,
		  "no IPv6 next hop");
	a = ebgp();
	a.n_communities = BGP_COMMUNITIES_MAX + 1;
	ASSERT_EQ(bgp_update_encode_announce(&out, p, 1, &a, true), -EINVAL, "communities");
	a = ebgp();
	a.local_as = 0;
	ASSERT_EQ(bgp_update_encode_announce(&out, p, 1, &a, true), -EINVAL, "AS 0 (RFC 7607)");
	a.ibgp = true;
	ASSERT_OK(bgp_update_encode_announce(&out, p, 1, &a, true), "iBGP has no AS in the path");
	buf_truncate(&out, BGP_HDR_LEN);
	a = ebgp();
	a.n_large_communities = BGP_COMMUNITIES_MAX + 1;
	ASSERT_EQ(bgp_update_encode_announce(&out, p, 1, &a, true), -EINVAL, "large");
	/* attributes alone past 4096 bytes */
	a = ebgp();
	a.prepend = 1100;
	ASSERT_EQ(bgp_update_encode_announce(&out, p, 1, &a, true), -EMSGSIZE, "prepend 1100");
	a.prepend = 2040;
	ASSERT_EQ(bgp_update_encode_announce(&out, p, 1, &a, false), -EMSGSIZE, "2040, 2-octet");
	a.prepend = 0xffffffff;
	ASSERT_EQ(bgp_update_encode_announce(&out, p, 1, &a, true), -EMSGSIZE, "prepend 2^32-1");
	ASSERT_EQ(out.len, BGP_HDR_LEN, "only the keepalive written before");
	/* a full buffer: nothing half-written */
	buf_free(&out);
	buf_init(&out, 30);
	a = ebgp();
	ASSERT_EQ(bgp_update_encode_announce(&out, p, 1, &a, true), -ENOBUFS, "no room");
	ASSERT_EQ(out.len, 0, "nothing written");
	buf_free(&out);
}

/* ---- splitting ---- */

struct split {
	struct bgp_prefix *got;
	size_t n_got, max;
	size_t msgs;
	size_t first_of_msg[64];	/* index in got of each message's first prefix */
	size_t msg_len[64];
};

/* Decode every message of out, collecting the prefixes (announced or
 * withdrawn). */
static bool split_decode(const struct buf *out, bool withdrawn, struct split *s)
{
	const __u8 *p = (const __u8 *)out->data;
	size_t off = 0;

	s->n_got = s->msgs = 0;
	while (off < out->len) {
		struct bgp_update_info info;
		struct bgp_update_rx rx = {};
		struct bgp_err err;
		struct bgp_hdr h;

		if (!ASSERT_OK(bgp_hdr_decode(p + off, out->len - off, &h, &err), "header") ||
		    !ASSERT_EQ(h.type, BGP_MSG_UPDATE, "type") ||
		    !ASSERT_LE(h.length, BGP_MSG_MAX, "message size") ||
		    !ASSERT_LE(off + h.length, out->len, "whole message") ||
		    !ASSERT_LT(s->msgs, 64, "messages"))
			return false;
		if (withdrawn) {
			rx.withdrawn = s->got + s->n_got;
			rx.withdrawn_max = s->max - s->n_got;
		} else {
			rx.nlri = s->got + s->n_got;
			rx.nlri_max = s->max - s->n_got;
		}
		if (!ASSERT_OK(bgp_update_parse(p + off + BGP_HDR_LEN, h.length - BGP_HDR_LEN, true,
						&info, &rx, &err),
			       "decode"))
			return false;
		ASSERT_FALSE(info.treat_as_withdraw, "well formed");
		s->first_of_msg[s->msgs] = s->n_got;
		s->msg_len[s->msgs++] = h.length;
		s->n_got += withdrawn ? rx.n_withdrawn : rx.n_nlri;
		ASSERT_EQ(withdrawn ? info.withdrawn : info.announced,
			  withdrawn ? rx.n_withdrawn : rx.n_nlri, "all kept");
		off += h.length;
	}
	return true;
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct bgp_prefix *x = a, *y = b;
	int d = memcmp(x->addr.bytes, y->addr.bytes, 16);

	return d ? d : x->len - y->len;
}

/* Every prefix exactly once, and every message but the last too full to
 * take the next prefix. */
static void split_check(const struct bgp_prefix *in, size_t n, struct split *s, size_t min_msgs)
{
	struct bgp_prefix *a = calloc(n, sizeof(*a)), *b = calloc(s->n_got, sizeof(*b));
	size_t i;

	if (!ASSERT_TRUE(a && b, "memory"))
		goto out;
	ASSERT_EQ(s->n_got, n, "prefix count");
	ASSERT_GE(s->msgs, min_msgs, "messages");
	memcpy(a, in, n * sizeof(*a));
	memcpy(b, s->got, s->n_got * sizeof(*b));
	qsort(a, n, sizeof(*a), prefix_cmp);
	qsort(b, s->n_got, sizeof(*b), prefix_cmp);
	for (i = 0; i < n && i < s->n_got; i++)
		if (!ASSERT_EQ(prefix_cmp(&a[i], &b[i]), 0, "same prefixes"))
			break;
	for (i = 1; i < n; i++)
		if (!ASSERT_TRUE(prefix_cmp(&a[i - 1], &a[i]), "input has no duplicates"))
			break;
	for (i = 0; i + 1 < s->msgs; i++) {
		const struct bgp_prefix *next = &s->got[s->first_of_msg[i + 1]];

		/* +1: the MP attribute may need a longer length field */
		if (!ASSERT_GT(s->msg_len[i] + bgp_nlri_size(next) + 1, BGP_MSG_MAX,
			       "message filled"))
			break;
	}
out:
	free(a);
	free(b);
}

/* Every prefix of length 24..32 in 192.0.2.0/24, 198.51.100.0/24 and
 * 203.0.113.0/24: 3 * 511 documentation prefixes of 4 and 5 bytes. */
static size_t doc_prefixes_v4(struct bgp_prefix *p, size_t max)
{
	static const char *const nets[] = { "192.0.2.0", "198.51.100.0", "203.0.113.0" };
	size_t n = 0, i;
	unsigned int len, host;

	for (i = 0; i < 3; i++)
		for (len = 24; len <= 32; len++)
			for (host = 0; host < 256; host += 1u << (32 - len)) {
				if (n == max)
					return n;
				p[n] = t_prefix(nets[i]);
				p[n].addr.bytes[3] = host;
				p[n++].len = len;
			}
	return n;
}

void test_bgp_update_split(void)
{
	size_t max = 2000, n4, i;
	struct bgp_prefix *p4 = calloc(max, sizeof(*p4)), *p6 = calloc(1000, sizeof(*p6));
	struct split s = { .got = calloc(max, sizeof(struct bgp_prefix)), .max = max };
	struct bgp_attrs a = ebgp();
	struct buf out;

	buf_init(&out, 0);
	if (!ASSERT_TRUE(p4 && p6 && s.got, "memory"))
		goto out;
	n4 = doc_prefixes_v4(p4, max);
	ASSERT_EQ(n4, 1533, "IPv4 prefixes");
	for (i = 0; i < 1000; i++) {
		p6[i] = t_prefix("2001:db8:ffff::");
		p6[i].addr.bytes[14] = i >> 8;
		p6[i].addr.bytes[15] = i & 0xff;
	}
	a.communities[0] = 0xfde90064;
	a.n_communities = 1;

	test_ctx("IPv4 announce");
	ASSERT_OK(bgp_update_encode_announce(&out, p4, n4, &a, true), "encode");
	if (split_decode(&out, false, &s))
		split_check(p4, n4, &s, 2);
	test_ctx("IPv4 withdraw");
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_withdraw(&out, p4, n4), "encode");
	if (split_decode(&out, true, &s))
		split_check(p4, n4, &s, 2);
	test_ctx("IPv6 announce, 1000 /128");
	buf_reset(&out);
	a.next_hop6_ll = t_addr("fe80::1");
	a.has_next_hop6_ll = true;
	ASSERT_OK(bgp_update_encode_announce(&out, p6, 1000, &a, true), "encode");
	if (split_decode(&out, false, &s))
		split_check(p6, 1000, &s, 5);
	test_ctx("IPv6 withdraw, 1000 /128");
	buf_reset(&out);
	ASSERT_OK(bgp_update_encode_withdraw(&out, p6, 1000), "encode");
	if (split_decode(&out, true, &s))
		split_check(p6, 1000, &s, 5);
	test_ctx("IPv6 announce, long AS_PATH");
	buf_reset(&out);
	a.prepend = 700;
	ASSERT_OK(bgp_update_encode_announce(&out, p6, 1000, &a, true), "encode");
	if (split_decode(&out, false, &s))
		split_check(p6, 1000, &s, 15);
	test_ctx(NULL);
out:
	buf_free(&out);
	free(p4);
	free(p6);
	free(s.got);
}

/* A message filled to exactly 4096 bytes: 23 + 20 bytes of attributes,
 * then 5-byte /32s and 4-byte /24s. */
void test_bgp_update_split_exact(void)
{
	struct bgp_prefix p[1000];
	struct bgp_attrs a = ebgp();
	struct buf out;
	size_t n = doc_prefixes_v4(p, 1000), i, len = BGP_HDR_LEN + 4 + 20, k = 0;

	/* the /32s (5 bytes) then /31s (5) ... pick prefixes to land on 4096 */
	for (i = 0; i < n && len < BGP_MSG_MAX; i++) {
		if (len + bgp_nlri_size(&p[i]) > BGP_MSG_MAX)
			continue;
		p[k++] = p[i];
		len += bgp_nlri_size(&p[i]);
	}
	ASSERT_EQ(len, BGP_MSG_MAX, "vector fills a message");
	buf_init(&out, 0);
	ASSERT_OK(bgp_update_encode_announce(&out, p, k, &a, true), "encode");
	ASSERT_EQ(out.len, BGP_MSG_MAX, "one full message");
	buf_reset(&out);
	p[k] = p[0];
	p[k].addr.bytes[0] = 203;
	p[k].addr.bytes[1] = 0;
	p[k].addr.bytes[2] = 113;
	p[k].addr.bytes[3] = 255;
	p[k].len = 32;
	ASSERT_OK(bgp_update_encode_announce(&out, p, k + 1, &a, true), "one more");
	ASSERT_EQ(out.len, BGP_MSG_MAX + BGP_HDR_LEN + 4 + 20 + 5, "two messages");
	buf_free(&out);
}

/* ---- round trips ---- */

void test_bgp_update_round_trip(void)
{
	static const char *const v4[] = { "198.51.100.1", "203.0.113.0/24", "192.0.2.128/25" };
	static const char *const v6[] = { "2001:db8:ffff::1", "2001:db8::/32", "2001:db8:1::/48" };
	struct bgp_prefix p[3], got[3];
	struct bgp_update_info info;
	struct bgp_update_rx rx;
	struct bgp_err err;
	struct buf out;
	int fam, as4, ibgp, big;
	size_t i;

	buf_init(&out, 0);
	for (fam = 0; fam < 2; fam++)
	for (as4 = 0; as4 < 2; as4++)
	for (ibgp = 0; ibgp < 2; ibgp++)
	for (big = 0; big < 2; big++) {
		struct bgp_attrs a = ebgp();

		test_ctx("%s %s %s AS %s", fam ? "IPv6" : "IPv4", as4 ? "4-octet" : "2-octet",
			 ibgp ? "iBGP" : "eBGP", big ? "4200000000" : "65001");
		for (i = 0; i < 3; i++)
			p[i] = t_prefix(fam ? v6[i] : v4[i]);
		a.ibgp = ibgp;
		a.local_as = big ? 4200000000u : 65001;
		a.prepend = 2;
		a.local_pref = 150;
		a.has_med = true;
		a.med = 7;
		a.next_hop6_ll = t_addr("fe80::1");
		a.has_next_hop6_ll = fam;
		for (i = 0; i < BGP_COMMUNITIES_MAX; i++) {
			a.communities[i] = 0xfde90000 + i;
			a.large_communities[i][0] = a.local_as;
			a.large_communities[i][1] = i;
			a.large_communities[i][2] = ~i;
		}
		a.n_communities = a.n_large_communities = BGP_COMMUNITIES_MAX;
		buf_reset(&out);
		if (!ASSERT_OK(bgp_update_encode_announce(&out, p, 3, &a, as4), "encode"))
			continue;
		memset(&rx, 0, sizeof(rx));
		rx.nlri = got;
		rx.nlri_max = 3;
		if (!ASSERT_OK(bgp_update_parse((__u8 *)out.data + BGP_HDR_LEN,
						out.len - BGP_HDR_LEN, as4, &info, &rx, &err),
			       "decode"))
			continue;
		ASSERT_EQ(err.code, 0, "no problem");
		ASSERT_EQ(info.announced, 3, "announced");
		ASSERT_FALSE(info.treat_as_withdraw, "valid");
		ASSERT_EQ(info.attrs_discarded, 0, "nothing discarded");
		for (i = 0; i < 3; i++)
			ASSERT_EQ(prefix_cmp(&got[i], &p[i]), 0, "prefix in order");
		ASSERT_TRUE(rx.has_origin && rx.origin == 0, "ORIGIN IGP");
		ASSERT_TRUE(rx.has_as_path, "AS_PATH");
		if (ibgp) {
			ASSERT_EQ(rx.as_path_len, 0, "empty AS_PATH");
			ASSERT_TRUE(rx.has_local_pref && rx.local_pref == 150, "LOCAL_PREF");
		} else {
			__u32 want = !as4 && big ? BGP_AS_TRANS : a.local_as;

			ASSERT_EQ(rx.as_path_len, 3, "AS_PATH length");
			ASSERT_EQ(rx.as_path_segs, 1, "one segment");
			for (i = 0; i < rx.as_path_len; i++)
				ASSERT_EQ(rx.as_path[i], want, "AS_PATH ASN");
			ASSERT_FALSE(rx.has_local_pref, "no LOCAL_PREF to eBGP");
		}
		ASSERT_EQ(rx.has_as4_path, !as4 && !ibgp && big, "AS4_PATH only when needed");
		if (rx.has_as4_path) {
			ASSERT_EQ(rx.as4_path_len, 3, "AS4_PATH length");
			ASSERT_EQ(rx.as4_path[0], 4200000000u, "AS4_PATH real AS");
		}
		ASSERT_TRUE(rx.has_med && rx.med == 7, "MED");
		ASSERT_EQ(rx.n_communities, BGP_COMMUNITIES_MAX, "communities");
		ASSERT_MEMEQ(rx.communities, a.communities, sizeof(a.communities), "communities");
		ASSERT_EQ(rx.n_large_communities, BGP_COMMUNITIES_MAX, "large communities");
		ASSERT_MEMEQ(rx.large_communities, a.large_communities,
			     sizeof(a.large_communities), "large communities");
		ASSERT_EQ(rx.n_unknown, 0, "nothing unknown");
		if (fam) {
			ASSERT_FALSE(rx.has_next_hop4, "no NEXT_HOP for IPv6");
			ASSERT_TRUE(rx.has_next_hop6 && rx.has_next_hop6_ll, "two next hops");
			ASSERT_MEMEQ(rx.next_hop6.bytes, a.next_hop6.bytes, 16, "global");
			ASSERT_MEMEQ(rx.next_hop6_ll.bytes, a.next_hop6_ll.bytes, 16, "link-local");
		} else {
			ASSERT_TRUE(rx.has_next_hop4, "NEXT_HOP");
			ASSERT_EQ(rx.next_hop4.v4, a.next_hop4.v4, "NEXT_HOP value");
			ASSERT_FALSE(rx.has_next_hop6, "no MP next hop");
		}

		/* and the withdrawal of the same */
		buf_reset(&out);
		if (!ASSERT_OK(bgp_update_encode_withdraw(&out, p, 3), "encode withdrawal"))
			continue;
		memset(&rx, 0, sizeof(rx));
		rx.withdrawn = got;
		rx.withdrawn_max = 3;
		ASSERT_OK(bgp_update_parse((__u8 *)out.data + BGP_HDR_LEN, out.len - BGP_HDR_LEN,
					   as4, &info, &rx, &err),
			  "decode withdrawal");
		ASSERT_EQ(info.withdrawn, 3, "withdrawn");
		ASSERT_EQ(info.announced, 0, "nothing announced");
		ASSERT_FALSE(info.eor, "not End-of-RIB");
		for (i = 0; i < 3; i++)
			ASSERT_EQ(prefix_cmp(&got[i], &p[i]), 0, "withdrawn prefix");
	}
	test_ctx(NULL);

	/* End-of-RIB both ways */
	for (fam = 0; fam < 2; fam++) {
		test_ctx("End-of-RIB %s", fam ? "IPv6" : "IPv4");
		buf_reset(&out);
		ASSERT_OK(bgp_update_encode_eor(&out, fam ? XLB_FAMILY_V6 : XLB_FAMILY_V4),
			  "encode");
		ASSERT_OK(bgp_update_decode((__u8 *)out.data + BGP_HDR_LEN, out.len - BGP_HDR_LEN,
					    true, &info, &err),
			  "decode");
		ASSERT_TRUE(info.eor, "eor");
		ASSERT_EQ(info.eor_afi, fam ? BGP_AFI_IPV6 : BGP_AFI_IPV4, "afi");
		ASSERT_EQ(info.eor_safi, BGP_SAFI_UNICAST, "safi");
	}
	test_ctx(NULL);
	buf_free(&out);
}

/* ---- what we receive: RFC 4271 sec 6.3 as revised by RFC 7606 ---- */

enum outcome { FINE, DISCARD, WITHDRAW, RESET };

struct dec_case {
	const char *name;
	bool as2;		/* the peer has 2-octet ASNs */
	const char *withdrawn, *attrs, *nlri;	/* hex; the lengths are computed */
	const char *raw;	/* or the whole body, hex */
	enum outcome outcome;
	__u8 subcode;		/* UPDATE Message Error subcode in err; 0: none */
	const char *data;	/* hex; NULL: not checked */
	size_t discarded, announced, withdrawn_n;
	bool eor;
	__u16 eor_afi;
	__u8 eor_safi;
};

#define BASE		ORIGIN_IGP AS_PATH_65001 NEXT_HOP_1	/* for a 4-octet peer */
#define BASE2		ORIGIN_IGP "400204 0201 fde9" NEXT_HOP_1	/* for a 2-octet peer */
#define N1		"20 c6336401"
#define MP6		"800e26 0002 01 10 " NH6 " 00 80 " P6
#define UNREACH6	"800f14 0002 01 80 " P6

static const struct dec_case dec_cases[] = {
	/* well formed */
	{ "one route", .attrs = BASE, .nlri = N1, .announced = 1 },
	{ "withdrawal only", .withdrawn = N1, .withdrawn_n = 1 },
	{ "withdrawal and announcement", .withdrawn = "18 cb0071", .attrs = BASE, .nlri = N1,
	  .announced = 1, .withdrawn_n = 1 },
	{ "attribute with Extended Length", .attrs = BASE "d008 0004 fde90064", .nlri = N1,
	  .announced = 1 },
	{ "unknown optional transitive (partial) ignored", .attrs = BASE "e063 02 abcd",
	  .nlri = N1, .announced = 1 },
	{ "unknown optional non-transitive ignored", .attrs = BASE "8063 00", .nlri = N1,
	  .announced = 1 },
	{ "2-octet AS_PATH from a 2-octet peer", .as2 = true, .attrs = BASE2, .nlri = N1,
	  .announced = 1 },
	{ "AS4_PATH from a 2-octet peer", .as2 = true,
	  .attrs = ORIGIN_IGP "400204 0201 5ba0" NEXT_HOP_1 "c01106 0201 fa56ea00", .nlri = N1,
	  .announced = 1 },
	{ "AS_SEQUENCE, AS_SET, confederation segments",
	  .attrs = ORIGIN_IGP "40021c 0201 0000fde9 0102 0000fdea 0000fdeb 0301 0000fdec 0401 "
			      "0000fded" NEXT_HOP_1,
	  .nlri = N1, .announced = 1 },
	{ "empty AS_PATH (from iBGP)", .attrs = ORIGIN_IGP "400200" NEXT_HOP_1 "400504 00000064",
	  .nlri = N1, .announced = 1 },
	{ "every other attribute well formed",
	  .attrs = BASE "800404 00000000 400600 c00708 0000fde9 c0000201 c00804 fde90064 "
			"800904 c0000201 800a08 c0000201 c0000202 c01008 0002fde9 00000064 "
			"c0200c 0000fde9 00000001 00000002",
	  .nlri = N1, .announced = 1 },
	{ "AGGREGATOR of a 2-octet peer", .as2 = true, .attrs = BASE2 "c00706 fde9 c0000201",
	  .nlri = N1, .announced = 1 },
	{ "AS4_AGGREGATOR of a 2-octet peer", .as2 = true,
	  .attrs = BASE2 "c00706 5ba0 c0000201 c01208 fa56ea00 c0000201", .nlri = N1,
	  .announced = 1 },
	{ "IPv6 in MP_REACH_NLRI", .attrs = MP6 ORIGIN_IGP AS_PATH_65001, .announced = 1 },
	{ "IPv6 with a link-local next hop",
	  .attrs = "800e36 0002 01 20 " NH6 NH6_LL " 00 80 " P6 ORIGIN_IGP AS_PATH_65001,
	  .announced = 1 },
	{ "IPv4 in MP_REACH_NLRI needs no NEXT_HOP",
	  .attrs = "800e0e 0001 01 04 c0000201 00 20 c6336401" ORIGIN_IGP AS_PATH_65001,
	  .announced = 1 },
	{ "IPv4 in MP_REACH_NLRI with an IPv6 next hop (RFC 8950)",
	  .attrs = "800e1a 0001 01 10 " NH6 " 00 20 c6336401" ORIGIN_IGP AS_PATH_65001,
	  .announced = 1 },
	{ "MP_REACH_NLRI of another family skipped",
	  .attrs = "800e0a 0019 46 04 c0000201 00 ff" ORIGIN_IGP AS_PATH_65001 },
	{ "MP_REACH_NLRI and the NLRI field", .attrs = MP6 BASE, .nlri = N1, .announced = 2 },
	{ "IPv6 in MP_UNREACH_NLRI", .attrs = UNREACH6, .withdrawn_n = 1 },
	{ "IPv4 End-of-RIB", .raw = "0000 0000", .eor = true, .eor_afi = 1, .eor_safi = 1 },
	{ "IPv6 End-of-RIB", .attrs = "800f03 0002 01", .eor = true, .eor_afi = 2,
	  .eor_safi = 1 },
	{ "End-of-RIB of another family", .attrs = "800f03 0001 02", .eor = true, .eor_afi = 1,
	  .eor_safi = 2 },
	{ "MP_UNREACH_NLRI with a route is no End-of-RIB", .attrs = UNREACH6,
	  .withdrawn_n = 1 },
	{ "empty MP_UNREACH_NLRI and more is no End-of-RIB",
	  .attrs = "800f03 0002 01" ORIGIN_IGP },

	/* session reset */
	{ "Withdrawn Routes Length past the message", .raw = "0010 0000", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .data = "" },
	{ "Total Path Attribute Length past the message", .raw = "0000 0010 400101 00",
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .data = "" },
	{ "no Total Path Attribute Length", .raw = "0000", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .data = "" },
	{ "one byte", .raw = "00", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .data = "" },
	{ "empty", .raw = "", .outcome = RESET, .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST,
	  .data = "" },
	{ "withdrawn /33", .withdrawn = "21 c6336401 00", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_INVALID_NETWORK, .data = "" },
	{ "withdrawn prefix cut short", .withdrawn = "20 c63364", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_INVALID_NETWORK, .data = "" },
	{ "NLRI /33", .attrs = BASE, .nlri = "21 c6336401 00", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_INVALID_NETWORK, .data = "" },
	{ "NLRI prefix cut short", .attrs = BASE, .nlri = N1 "20 c63364", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_INVALID_NETWORK, .data = "" },
	{ "MP_REACH_NLRI twice", .attrs = MP6 MP6 ORIGIN_IGP AS_PATH_65001, .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .data = "" },
	{ "MP_UNREACH_NLRI twice", .attrs = UNREACH6 "800f03 0002 01", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .data = "" },
	{ "MP_REACH_NLRI cut short", .attrs = "800e02 0002" ORIGIN_IGP AS_PATH_65001,
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR, .data = "800e02 0002" },
	{ "MP_REACH_NLRI next hop past its end", .attrs = "800e04 0002 01 10", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR, .data = "800e04 0002 01 10" },
	{ "MP_REACH_NLRI without the reserved byte", .attrs = "800e14 0002 01 10 " NH6,
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR },
	{ "IPv6 next hop of 4 bytes", .attrs = "800e09 0002 01 04 c0000201 00" ORIGIN_IGP,
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR,
	  .data = "800e09 0002 01 04 c0000201 00" },
	{ "IPv6 next hop of 24 bytes",
	  .attrs = "800e1d 0002 01 18 " NH6 "0000000000000000 00" ORIGIN_IGP, .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR },
	{ "IPv4 next hop of 5 bytes", .attrs = "800e0a 0001 01 05 c000020101 00",
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR },
	{ "MP_REACH_NLRI /129",
	  .attrs = "800e27 0002 01 10 " NH6 " 00 81 " P6 "00" ORIGIN_IGP AS_PATH_65001,
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR },
	{ "MP_REACH_NLRI prefix cut short", .attrs = "800e18 0002 01 10 " NH6 " 00 80 2001",
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR },
	{ "MP_UNREACH_NLRI cut short", .attrs = "800f02 0002", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR, .data = "800f02 0002" },
	{ "MP_UNREACH_NLRI /129", .attrs = "800f15 0002 01 81 " P6 "00", .outcome = RESET,
	  .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR },
	{ "MP_UNREACH_NLRI IPv4 /33", .attrs = "800f09 0001 01 21 c6336401 00",
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR },
	{ "unrecognized well-known attribute", .attrs = BASE "4063 02 abcd", .nlri = N1,
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_UNRECOGNIZED_WELLKNOWN,
	  .data = "4063 02 abcd" },
	{ "unrecognized well-known, Extended Length", .attrs = "5063 0001 ab" BASE, .nlri = N1,
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_UNRECOGNIZED_WELLKNOWN,
	  .data = "5063 0001 ab" },
	{ "reset beats treat-as-withdraw", .attrs = "400101 07" MP6 MP6 AS_PATH_65001,
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST },
	{ "reset after an attribute-discard", .attrs = BASE "400601 00", .nlri = "21",
	  .outcome = RESET, .subcode = BGP_ERR_UPDATE_INVALID_NETWORK },

	/* treat-as-withdraw */
	{ "ORIGIN of 2 bytes", .attrs = "400102 0000" AS_PATH_65001 NEXT_HOP_1, .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .data = "400102 0000",
	  .announced = 1 },
	{ "ORIGIN of 0 bytes", .attrs = "400100" AS_PATH_65001 NEXT_HOP_1, .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .data = "400100",
	  .announced = 1 },
	{ "ORIGIN 3", .attrs = "400101 03" AS_PATH_65001 NEXT_HOP_1, .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_INVALID_ORIGIN, .data = "400101 03",
	  .announced = 1 },
	{ "ORIGIN marked optional", .attrs = "c00101 00" AS_PATH_65001 NEXT_HOP_1, .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_FLAGS, .data = "c00101 00",
	  .announced = 1 },
	{ "NEXT_HOP not transitive", .attrs = ORIGIN_IGP AS_PATH_65001 "000304 c0000201",
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_FLAGS,
	  .data = "000304 c0000201", .announced = 1 },
	{ "AS_PATH segment type 5", .attrs = ORIGIN_IGP "400206 0501 0000fde9" NEXT_HOP_1,
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_AS_PATH,
	  .data = "", .announced = 1 },
	{ "AS_PATH segment type 0", .attrs = ORIGIN_IGP "400206 0001 0000fde9" NEXT_HOP_1,
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_AS_PATH,
	  .announced = 1 },
	{ "AS_PATH segment overruns", .attrs = ORIGIN_IGP "400206 0202 0000fde9" NEXT_HOP_1,
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_AS_PATH,
	  .announced = 1 },
	{ "AS_PATH empty segment", .attrs = ORIGIN_IGP "400202 0200" NEXT_HOP_1, .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_AS_PATH, .announced = 1 },
	{ "AS_PATH stray byte", .attrs = ORIGIN_IGP "400207 0201 0000fde9 02" NEXT_HOP_1,
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_AS_PATH,
	  .announced = 1 },
	{ "AS_PATH with AS 0 (RFC 7607)", .attrs = ORIGIN_IGP "400206 0201 00000000" NEXT_HOP_1,
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_AS_PATH,
	  .announced = 1 },
	{ "4-octet AS_PATH from a 2-octet peer", .as2 = true, .attrs = BASE, .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_AS_PATH, .announced = 1 },
	{ "2-octet AS_PATH from a 4-octet peer", .attrs = BASE2, .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_AS_PATH, .announced = 1 },
	{ "NEXT_HOP of 5 bytes", .attrs = ORIGIN_IGP AS_PATH_65001 "400305 c000020101",
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH,
	  .data = "400305 c000020101", .announced = 1 },
	{ "NEXT_HOP 0.0.0.0", .attrs = ORIGIN_IGP AS_PATH_65001 "400304 00000000", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_INVALID_NEXT_HOP,
	  .data = "400304 00000000", .announced = 1 },
	{ "NEXT_HOP 127.0.0.1", .attrs = ORIGIN_IGP AS_PATH_65001 "400304 7f000001",
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_INVALID_NEXT_HOP,
	  .announced = 1 },
	{ "NEXT_HOP 224.0.0.5", .attrs = ORIGIN_IGP AS_PATH_65001 "400304 e0000005",
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_INVALID_NEXT_HOP,
	  .announced = 1 },
	{ "NEXT_HOP 255.255.255.255", .attrs = ORIGIN_IGP AS_PATH_65001 "400304 ffffffff",
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_INVALID_NEXT_HOP,
	  .announced = 1 },
	{ "MED of 3 bytes", .attrs = BASE "800403 000000", .nlri = N1, .outcome = WITHDRAW,
	  .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .data = "800403 000000", .announced = 1 },
	{ "MED transitive", .attrs = BASE "c00404 00000000", .nlri = N1, .outcome = WITHDRAW,
	  .subcode = BGP_ERR_UPDATE_ATTR_FLAGS, .announced = 1 },
	{ "LOCAL_PREF of 5 bytes", .attrs = BASE "400505 0000000064", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .announced = 1 },
	{ "COMMUNITIES of 6 bytes", .attrs = BASE "c00806 fde900640000", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH,
	  .data = "c00806 fde900640000", .announced = 1 },
	{ "COMMUNITIES empty", .attrs = BASE "c00800", .nlri = N1, .outcome = WITHDRAW,
	  .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .announced = 1 },
	{ "COMMUNITIES not transitive", .attrs = BASE "800804 fde90064", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_FLAGS, .announced = 1 },
	{ "LARGE_COMMUNITY of 13 bytes", .attrs = BASE "c0200d 0000fde9 00000001 00000002 00",
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH,
	  .announced = 1 },
	{ "LARGE_COMMUNITY empty", .attrs = BASE "c02000", .nlri = N1, .outcome = WITHDRAW,
	  .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .announced = 1 },
	{ "EXTENDED_COMMUNITIES of 7 bytes", .attrs = BASE "c01007 0002fde9 000000",
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH,
	  .announced = 1 },
	{ "ORIGINATOR_ID of 3 bytes", .attrs = BASE "800903 c00002", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .announced = 1 },
	{ "CLUSTER_LIST of 6 bytes", .attrs = BASE "800a06 c0000201 0000", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .announced = 1 },
	{ "CLUSTER_LIST empty", .attrs = BASE "800a00", .nlri = N1, .outcome = WITHDRAW,
	  .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .announced = 1 },
	{ "attribute overruns the attribute field", .attrs = BASE "c00808 fde90064",
	  .nlri = N1, .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST,
	  .data = "", .announced = 1 },
	{ "two stray bytes after the attributes", .attrs = BASE "c008", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .announced = 1 },
	{ "one stray byte after the attributes", .attrs = BASE "c0", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .announced = 1 },
	{ "Extended Length header cut short", .attrs = BASE "d008 00", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .announced = 1 },
	{ "ORIGIN missing", .attrs = AS_PATH_65001 NEXT_HOP_1, .nlri = N1, .outcome = WITHDRAW,
	  .subcode = BGP_ERR_UPDATE_MISSING_WELLKNOWN, .data = "01", .announced = 1 },
	{ "AS_PATH missing", .attrs = ORIGIN_IGP NEXT_HOP_1, .nlri = N1, .outcome = WITHDRAW,
	  .subcode = BGP_ERR_UPDATE_MISSING_WELLKNOWN, .data = "02", .announced = 1 },
	{ "NEXT_HOP missing", .attrs = ORIGIN_IGP AS_PATH_65001, .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_MISSING_WELLKNOWN, .data = "03",
	  .announced = 1 },
	{ "no attributes at all", .nlri = N1, .outcome = WITHDRAW,
	  .subcode = BGP_ERR_UPDATE_MISSING_WELLKNOWN, .data = "01", .announced = 1 },
	{ "MP_REACH_NLRI without AS_PATH", .attrs = MP6 ORIGIN_IGP, .outcome = WITHDRAW,
	  .subcode = BGP_ERR_UPDATE_MISSING_WELLKNOWN, .data = "02", .announced = 1 },
	{ "MP_REACH_NLRI marked transitive",
	  .attrs = "c00e26 0002 01 10 " NH6 " 00 80 " P6 ORIGIN_IGP AS_PATH_65001,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_ATTR_FLAGS, .announced = 1 },
	{ "treat-as-withdraw beats a discard",
	  .attrs = "400601 00 400101 09" AS_PATH_65001 NEXT_HOP_1, .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_INVALID_ORIGIN, .discarded = 1,
	  .announced = 1 },
	{ "the first treat-as-withdraw is reported",
	  .attrs = "400101 09" AS_PATH_65001 "400305 c000020101", .nlri = N1,
	  .outcome = WITHDRAW, .subcode = BGP_ERR_UPDATE_INVALID_ORIGIN, .announced = 1 },

	/* attribute-discard */
	{ "ATOMIC_AGGREGATE of 1 byte", .attrs = BASE "400601 00", .nlri = N1,
	  .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .data = "400601 00",
	  .discarded = 1, .announced = 1 },
	{ "AGGREGATOR of 6 bytes from a 4-octet peer", .attrs = BASE "c00706 fde9 c0000201",
	  .nlri = N1, .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH,
	  .discarded = 1, .announced = 1 },
	{ "AGGREGATOR of 8 bytes from a 2-octet peer", .as2 = true,
	  .attrs = BASE2 "c00708 0000fde9 c0000201", .nlri = N1, .outcome = DISCARD,
	  .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .discarded = 1, .announced = 1 },
	{ "AGGREGATOR with AS 0", .attrs = BASE "c00708 00000000 c0000201", .nlri = N1,
	  .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR, .discarded = 1,
	  .announced = 1 },
	{ "AGGREGATOR not transitive", .attrs = BASE "800708 0000fde9 c0000201", .nlri = N1,
	  .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_ATTR_FLAGS, .discarded = 1,
	  .announced = 1 },
	{ "AS4_PATH from a 4-octet peer", .attrs = BASE "c01106 0201 fa56ea00", .nlri = N1,
	  .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR, .discarded = 1,
	  .announced = 1 },
	{ "AS4_PATH overrun", .as2 = true, .attrs = BASE2 "c01106 0202 fa56ea00", .nlri = N1,
	  .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR, .discarded = 1,
	  .announced = 1 },
	{ "AS4_PATH confederation segment", .as2 = true, .attrs = BASE2 "c01106 0301 fa56ea00",
	  .nlri = N1, .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR,
	  .discarded = 1, .announced = 1 },
	{ "AS4_PATH with AS 0", .as2 = true, .attrs = BASE2 "c01106 0201 00000000", .nlri = N1,
	  .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR, .discarded = 1,
	  .announced = 1 },
	{ "AS4_AGGREGATOR of 6 bytes", .as2 = true, .attrs = BASE2 "c01206 5ba0 c0000201",
	  .nlri = N1, .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH,
	  .discarded = 1, .announced = 1 },
	{ "AS4_AGGREGATOR from a 4-octet peer", .attrs = BASE "c01208 fa56ea00 c0000201",
	  .nlri = N1, .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_OPTIONAL_ATTR,
	  .discarded = 1, .announced = 1 },
	{ "COMMUNITIES twice", .attrs = BASE "c00804 fde90064 c00804 fde90065", .nlri = N1,
	  .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .discarded = 1,
	  .announced = 1 },
	{ "ORIGIN twice", .attrs = BASE "400101 02", .nlri = N1, .outcome = DISCARD,
	  .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .discarded = 1, .announced = 1 },
	{ "unknown attribute twice", .attrs = BASE "c06302abcd c06301ab", .nlri = N1,
	  .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, .discarded = 1,
	  .announced = 1 },
	{ "two discards", .attrs = BASE "400601 00 c00706 fde9 c0000201", .nlri = N1,
	  .outcome = DISCARD, .subcode = BGP_ERR_UPDATE_ATTR_LENGTH, .data = "400601 00",
	  .discarded = 2, .announced = 1 },
};

/* The body of c: its raw bytes, or the fields with their lengths. */
static long dec_body(const struct dec_case *c, __u8 *body, size_t max)
{
	long w, a, n;

	if (c->raw)
		return t_hex(c->raw, body, max);
	w = t_hex(c->withdrawn ? c->withdrawn : "", body + 2, max - 2);
	if (w < 0)
		return -1;
	a = t_hex(c->attrs ? c->attrs : "", body + 4 + w, max - 4 - w);
	if (a < 0)
		return -1;
	n = t_hex(c->nlri ? c->nlri : "", body + 4 + w + a, max - 4 - w - a);
	if (n < 0)
		return -1;
	body[0] = w >> 8;
	body[1] = w & 0xff;
	body[2 + w] = a >> 8;
	body[3 + w] = a & 0xff;
	return 4 + w + a + n;
}

void test_bgp_update_decode_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
		const struct dec_case *c = &dec_cases[i];
		__u8 body[512], data[64];
		long n = dec_body(c, body, sizeof(body)), dn = 0;
		struct bgp_update_info info;
		struct bgp_err err;
		int ret;

		test_ctx("%s", c->name);
		if (n < 0 || (c->data && (dn = t_hex(c->data, data, sizeof(data))) < 0))
			continue;
		memset(&info, 0xa5, sizeof(info));
		memset(&err, 0xa5, sizeof(err));
		ret = bgp_update_decode(body, n, !c->as2, &info, &err);
		if (c->subcode) {
			ASSERT_EQ(err.code, BGP_ERR_UPDATE, "code");
			ASSERT_EQ(err.subcode, c->subcode, "subcode");
			ASSERT_TRUE(err.text[0], "text");
			if (c->data)
				ASSERT_PKT_EQ(err.data, err.data_len, data, dn, "data");
		} else {
			ASSERT_EQ(err.code, 0, "no problem");
		}
		if (test_failed() || c->outcome == RESET)
			printf("    %s\n", err.text);
		if (c->outcome == RESET) {
			ASSERT_EQ(ret, -EBADMSG, "session reset");
			continue;
		}
		if (!ASSERT_OK(ret, "decodes"))
			continue;
		ASSERT_EQ(info.treat_as_withdraw, c->outcome == WITHDRAW, "treat-as-withdraw");
		ASSERT_EQ(info.attrs_discarded, c->discarded, "attributes discarded");
		ASSERT_EQ(info.announced, c->announced, "announced");
		ASSERT_EQ(info.withdrawn, c->withdrawn_n, "withdrawn");
		ASSERT_EQ(info.eor, c->eor, "End-of-RIB");
		if (c->eor) {
			ASSERT_EQ(info.eor_afi, c->eor_afi, "End-of-RIB AFI");
			ASSERT_EQ(info.eor_safi, c->eor_safi, "End-of-RIB SAFI");
		}
	}
	test_ctx(NULL);
}

/* What bgp_update_parse() keeps of a received UPDATE. */
void test_bgp_update_parse_rx(void)
{
	struct dec_case c = {
		.withdrawn = "18 cb0071",
		.attrs = BASE "800404 00000005 c00808 fde90064 fde90064 c00804 ffffffff "
			      "c0200c 0000fde9 00000001 00000002 e06302abcd",
		.nlri = N1 "20 c6336402",
	};
	struct bgp_prefix nlri[1], wd[4];
	struct bgp_update_rx rx = { .nlri = nlri, .nlri_max = 1, .withdrawn = wd,
				    .withdrawn_max = 4 };
	struct bgp_update_info info;
	struct bgp_err err;
	__u8 body[512];
	long n = dec_body(&c, body, sizeof(body));
	char s[64];

	if (!ASSERT_OK(bgp_update_parse(body, n, true, &info, &rx, &err), "decode"))
		return;
	ASSERT_EQ(info.announced, 2, "announced counts all");
	ASSERT_EQ(rx.n_nlri, 1, "kept what fits");
	ASSERT_STREQ(t_prefix_str(&nlri[0], s, sizeof(s)), "198.51.100.1/32", "first kept");
	ASSERT_EQ(rx.n_withdrawn, 1, "withdrawn kept");
	ASSERT_STREQ(t_prefix_str(&wd[0], s, sizeof(s)), "203.0.113.0/24", "withdrawn");
	ASSERT_EQ(rx.n_communities, 2, "first COMMUNITIES kept, duplicates inside kept");
	ASSERT_EQ(rx.communities[0], 0xfde90064, "community");
	ASSERT_EQ(info.attrs_discarded, 1, "second COMMUNITIES discarded");
	ASSERT_EQ(rx.n_large_communities, 1, "large");
	ASSERT_EQ(rx.large_communities[0][2], 2, "large value");
	ASSERT_TRUE(rx.has_med && rx.med == 5, "MED");
	ASSERT_EQ(rx.n_unknown, 1, "unknown");
	ASSERT_EQ(rx.as_path_len, 1, "AS_PATH");
	ASSERT_EQ(rx.as_path[0], 65001, "AS_PATH ASN");

	/* the arrays survive a second decode into the same rx */
	ASSERT_OK(bgp_update_parse(body, n, true, &info, &rx, &err), "decode again");
	ASSERT_TRUE(rx.nlri == nlri && rx.nlri_max == 1, "arrays kept");
	ASSERT_EQ(rx.n_nlri, 1, "counts start over");
}
