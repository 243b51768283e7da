/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the BGP codec tests (test_bgp_*.c): byte vectors written as
 * hex strings, whole messages built around a body, a message stream split
 * into its messages.
 */
#ifndef XLB_SELFTESTS_BGP_TEST_H
#define XLB_SELFTESTS_BGP_TEST_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "bgp/msg.h"
#include "../lib/test.h"

/* Hex digits to bytes; spaces, '|' and '.' are ignored so vectors can be
 * laid out by field. Returns the length, or -1 (and fails the test) on a
 * bad digit, an odd count or more than max bytes. */
static inline long t_hex(const char *hex, __u8 *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (*hex == ' ' || *hex == '|' || *hex == '.' || *hex == '\n')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else
			goto bad;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= max)
			goto bad;
		out[n++] = hi << 4 | v;
		hi = -1;
	}
	if (hi >= 0)
		goto bad;
	return n;
bad:
	test_fail("bad hex vector '%.40s'", hex);
	return -1;
}

/* A whole message: marker, length, type, then the body given in hex. */
static inline long t_msg(__u8 type, const char *body_hex, __u8 *out, size_t max)
{
	long n;

	if (max < BGP_HDR_LEN)
		return -1;
	n = t_hex(body_hex, out + BGP_HDR_LEN, max - BGP_HDR_LEN);
	if (n < 0)
		return -1;
	memset(out, 0xff, 16);
	out[16] = (n + BGP_HDR_LEN) >> 8;
	out[17] = (n + BGP_HDR_LEN) & 0xff;
	out[18] = type;
	return n + BGP_HDR_LEN;
}

/* Checks that out holds exactly one message of type with that body. */
static inline bool t_expect_msg(const struct buf *out, __u8 type, const char *body_hex,
				const char *what)
{
	__u8 want[BGP_MSG_MAX + 64];
	long n = t_msg(type, body_hex, want, sizeof(want));

	if (n < 0)
		return false;
	return ASSERT_PKT_EQ(out->data, out->len, want, (size_t)n, what);
}

/* An IPv4 or IPv6 prefix from text ("192.0.2.1/32", "2001:db8::1/128");
 * no length means a host route. */
static inline struct bgp_prefix t_prefix(const char *text)
{
	struct bgp_prefix p = {};
	char addr[64];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);

	snprintf(addr, sizeof(addr), "%.*s", (int)n, text);
	if (inet_pton(AF_INET, addr, &p.addr.v4) == 1) {
		p.family = XLB_FAMILY_V4;
		p.len = 32;
	} else if (inet_pton(AF_INET6, addr, p.addr.bytes) == 1) {
		p.family = XLB_FAMILY_V6;
		p.len = 128;
	} else {
		test_fail("bad prefix '%s'", text);
	}
	if (slash)
		p.len = atoi(slash + 1);
	return p;
}

static inline union xlb_addr t_addr(const char *text)
{
	return t_prefix(text).addr;
}

/* Prefix as text, for messages. */
static inline const char *t_prefix_str(const struct bgp_prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == XLB_FAMILY_V6 ? AF_INET6 : AF_INET, p->addr.bytes, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->len);
	return buf;
}

#endif
