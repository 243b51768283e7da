// SPDX-License-Identifier: GPL-2.0
/*
 * BFD Control packet codec (RFC 5880 sec 4.1, 6.8.6): decoding vectors
 * laid out by field, every discard rule of sec 6.8.6 that needs no
 * session (and the order the RFC checks them in), the encoder's bytes,
 * its refusals, and round trips over every state, diag and flag.
 */
#include <errno.h>
#include <string.h>

#include "bfd/packet.h"
#include "bgp_test.h"

/* field by field: vers|diag  sta|flags  mult  len | my | your | tx | rx | echo */
#define DOWN_1S \
	"20 40 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 0000c350"

void test_bfd_packet_decode(void)
{
	__u8 b[64];
	struct bfd_pkt p;
	enum bfd_pkt_err why;
	long n;

	n = t_hex(DOWN_1S, b, sizeof(b));
	if (!ASSERT_OK(bfd_pkt_decode(b, n, &p, &why), "decode Down"))
		return;
	ASSERT_EQ(why, BFD_PKT_OK, "why");
	ASSERT_EQ(p.version, 1, "version");
	ASSERT_EQ(p.diag, 0, "diag");
	ASSERT_EQ(p.state, BFD_STATE_DOWN, "state");
	ASSERT_FALSE(p.poll || p.final || p.cpi || p.auth || p.demand || p.multipoint, "flags");
	ASSERT_EQ(p.detect_mult, 3, "mult");
	ASSERT_EQ(p.length, 24, "length");
	ASSERT_EQ(p.my_discr, 1, "my discr");
	ASSERT_EQ(p.your_discr, 0, "your discr");
	ASSERT_EQ(p.desired_min_tx_us, 1000000, "desired min tx");
	ASSERT_EQ(p.required_min_rx_us, 300000, "required min rx");
	ASSERT_EQ(p.required_min_echo_rx_us, 50000, "required min echo rx");

	/* Up, Poll, C, D, diag 1, every byte of the discriminators */
	n = t_hex("21 ea 05 18 | 89abcdef | fedcba98 | 0000c350 | 00000000 | 00000000", b,
		  sizeof(b));
	if (!ASSERT_OK(bfd_pkt_decode(b, n, &p, &why), "decode Up"))
		return;
	ASSERT_EQ(p.diag, BFD_DIAG_DETECT_EXPIRED, "diag");
	ASSERT_EQ(p.state, BFD_STATE_UP, "state");
	ASSERT_TRUE(p.poll && !p.final && p.cpi && p.demand && !p.auth, "P C D");
	ASSERT_EQ(p.detect_mult, 5, "mult");
	ASSERT_EQ(p.my_discr, 0x89abcdef, "my discr");
	ASSERT_EQ(p.your_discr, 0xfedcba98, "your discr");
	ASSERT_EQ(p.desired_min_tx_us, 50000, "tx");
	ASSERT_EQ(p.required_min_rx_us, 0, "rx 0: send nothing periodic");

	/* Final, reserved diag 31 */
	n = t_hex("3f d0 01 18 | 00000002 | 00000003 | 00000001 | 00000001 | 00000000", b,
		  sizeof(b));
	ASSERT_OK(bfd_pkt_decode(b, n, &p, &why), "decode Final");
	ASSERT_TRUE(p.final && !p.poll, "F");
	ASSERT_EQ(p.diag, 31, "reserved diag passes");
	ASSERT_STREQ(bfd_diag_name(p.diag), "Reserved", "name");
}

struct bad_case {
	const char *name;
	const char *hex;
	int trim;		/* bytes removed from the end of the payload */
	enum bfd_pkt_err why;
};

static const struct bad_case bad_cases[] = {
	{ "empty", "", 0, BFD_PKT_TRUNCATED },
	{ "three bytes", "20 40 03", 0, BFD_PKT_TRUNCATED },
	{ "one byte, version 2", "40", 0, BFD_PKT_VERSION },
	{ "version 0", "00 40 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_VERSION },
	{ "version 2", "40 40 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_VERSION },
	{ "version 7", "e0 40 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_VERSION },
	/* the version is checked before anything else */
	{ "version 2, length 0, mult 0",
	  "40 41 00 00 | 00000000 | 00000000 | 00000000 | 00000000 | 00000000", 0,
	  BFD_PKT_VERSION },
	{ "length 0", "20 40 03 00 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_LENGTH_SHORT },
	{ "length 23", "20 40 03 17 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_LENGTH_SHORT },
	{ "A bit, length 24 (26 needed)",
	  "20 44 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_LENGTH_SHORT },
	{ "A bit, length 25",
	  "20 44 03 19 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000 | 01", 0,
	  BFD_PKT_LENGTH_SHORT },
	{ "length 25 > payload 24",
	  "20 40 03 19 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_LENGTH_LONG },
	{ "length 24 > payload 20 (truncated)",
	  "20 40 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 4,
	  BFD_PKT_LENGTH_LONG },
	{ "length 24 > payload 4", "20 40 03 18", 0, BFD_PKT_LENGTH_LONG },
	{ "length 255 > payload 24",
	  "20 40 03 ff | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_LENGTH_LONG },
	{ "detect mult 0", "20 40 00 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000",
	  0, BFD_PKT_MULT_ZERO },
	/* mult is checked before M */
	{ "mult 0 and M", "20 41 00 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000",
	  0, BFD_PKT_MULT_ZERO },
	{ "multipoint", "20 41 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_MULTIPOINT },
	{ "my discr 0", "20 40 03 18 | 00000000 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_MY_DISCR_ZERO },
	{ "your discr 0 in Init",
	  "20 80 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_YOUR_DISCR_ZERO },
	{ "your discr 0 in Up",
	  "20 c0 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000", 0,
	  BFD_PKT_YOUR_DISCR_ZERO },
	{ "A bit: no authentication in use",
	  "20 44 03 1a | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000 | 01 02", 0,
	  BFD_PKT_AUTH },
	{ "A bit with simple password",
	  "20 c4 03 1c | 00000001 | 00000002 | 000f4240 | 000493e0 | 00000000 | 01 04 01 61", 0,
	  BFD_PKT_AUTH },
	{ "Poll and Final", "20 f0 03 18 | 00000001 | 00000002 | 000f4240 | 000493e0 | 00000000",
	  0, BFD_PKT_POLL_FINAL },
};

void test_bfd_packet_invalid(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		enum bfd_pkt_err why;
		struct bfd_pkt p;
		__u8 b[64];
		long n;

		test_ctx("%s", c->name);
		n = t_hex(c->hex, b, sizeof(b));
		if (n < 0)
			continue;
		ASSERT_EQ(bfd_pkt_decode(b, n - c->trim, &p, &why), -EBADMSG, "refused");
		if (why != c->why)
			test_fail("discarded as %s, want %s", bfd_pkt_err_name(why),
				  bfd_pkt_err_name(c->why));
	}
	test_ctx(NULL);
}

/* What sec 6.8.6 does not forbid passes: Down/AdminDown with Your
 * Discriminator 0, a Length past 24 without authentication, bytes after
 * Length, large intervals. */
void test_bfd_packet_valid_edges(void)
{
	static const char *const ok[] = {
		"20 00 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000",
		"20 40 ff 18 | ffffffff | 00000000 | ffffffff | ffffffff | ffffffff",
		"20 c0 01 18 | 00000001 | 00000001 | 00000000 | 00000000 | 00000000",
		"20 40 03 1e | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000 | 0000 0000 0000",
		"20 40 03 18 | 00000001 | 00000000 | 000f4240 | 000493e0 | 00000000 | 0102 0304",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		enum bfd_pkt_err why;
		struct bfd_pkt p;
		__u8 b[64];
		long n = t_hex(ok[i], b, sizeof(b));

		test_ctx("valid %zu", i);
		if (!ASSERT_OK(bfd_pkt_decode(b, n, &p, &why), "decode"))
			test_fail("discarded as %s", bfd_pkt_err_name(why));
	}
	test_ctx(NULL);
}

void test_bfd_packet_encode(void)
{
	struct bfd_pkt p = {
		.diag = BFD_DIAG_NEIGHBOR_DOWN,
		.state = BFD_STATE_INIT,
		.poll = true,
		.detect_mult = 3,
		.my_discr = 0x01020304,
		.your_discr = 0xa0b0c0d0,
		.desired_min_tx_us = 300000,
		.required_min_rx_us = 100000,
	};
	__u8 got[BFD_PKT_LEN + 4], want[BFD_PKT_LEN];
	long n;

	memset(got, 0xee, sizeof(got));
	n = t_hex("23 a0 03 18 | 01020304 | a0b0c0d0 | 000493e0 | 000186a0 | 00000000", want,
		  sizeof(want));
	if (!ASSERT_OK(bfd_pkt_encode(&p, got, sizeof(got)), "encode"))
		return;
	ASSERT_PKT_EQ(got, BFD_PKT_LEN, want, n, "Init, Poll, diag 3");
	ASSERT_EQ(got[BFD_PKT_LEN], 0xee, "nothing written past 24 bytes");

	/* version and length come from the encoder, not the struct */
	p.version = 7;
	p.length = 99;
	p.poll = false;
	p.final = true;
	p.state = BFD_STATE_UP;
	p.diag = 0;
	ASSERT_OK(bfd_pkt_encode(&p, got, sizeof(got)), "encode Final");
	n = t_hex("20 d0 03 18 | 01020304 | a0b0c0d0 | 000493e0 | 000186a0 | 00000000", want,
		  sizeof(want));
	ASSERT_PKT_EQ(got, BFD_PKT_LEN, want, n, "Up, Final");
}

void test_bfd_packet_encode_refuses(void)
{
	const struct bfd_pkt good = { .state = BFD_STATE_DOWN, .detect_mult = 3, .my_discr = 1 };
	struct bfd_pkt p;
	__u8 b[BFD_PKT_LEN];

	ASSERT_OK(bfd_pkt_encode(&good, b, sizeof(b)), "good");
	ASSERT_EQ(bfd_pkt_encode(&good, b, BFD_PKT_LEN - 1), -ENOBUFS, "short buffer");
	p = good, p.poll = p.final = true;
	ASSERT_EQ(bfd_pkt_encode(&p, b, sizeof(b)), -EINVAL, "P and F");
	p = good, p.detect_mult = 0;
	ASSERT_EQ(bfd_pkt_encode(&p, b, sizeof(b)), -EINVAL, "mult 0");
	p = good, p.my_discr = 0;
	ASSERT_EQ(bfd_pkt_encode(&p, b, sizeof(b)), -EINVAL, "my discr 0");
	p = good, p.state = 4;
	ASSERT_EQ(bfd_pkt_encode(&p, b, sizeof(b)), -EINVAL, "state 4");
	p = good, p.diag = 32;
	ASSERT_EQ(bfd_pkt_encode(&p, b, sizeof(b)), -EINVAL, "diag 32");
	p = good, p.auth = true;
	ASSERT_EQ(bfd_pkt_encode(&p, b, sizeof(b)), -EINVAL, "A bit");
	p = good, p.multipoint = true;
	ASSERT_EQ(bfd_pkt_encode(&p, b, sizeof(b)), -EINVAL, "M bit");
}

static bool pkt_same(const struct bfd_pkt *a, const struct bfd_pkt *b)
{
	return a->version == b->version && a->diag == b->diag && a->state == b->state &&
	       a->poll == b->poll && a->final == b->final && a->cpi == b->cpi &&
	       a->auth == b->auth && a->demand == b->demand && a->multipoint == b->multipoint &&
	       a->detect_mult == b->detect_mult && a->length == b->length &&
	       a->my_discr == b->my_discr && a->your_discr == b->your_discr &&
	       a->desired_min_tx_us == b->desired_min_tx_us &&
	       a->required_min_rx_us == b->required_min_rx_us &&
	       a->required_min_echo_rx_us == b->required_min_echo_rx_us;
}

/* Every state x diag x P/F/C/D combination the encoder accepts decodes
 * back to itself (Your Discriminator set, so Init/Up are valid). */
void test_bfd_packet_roundtrip(void)
{
	unsigned int st, diag, fl;

	for (st = 0; st < 4; st++) {
		for (diag = 0; diag < 32; diag++) {
			for (fl = 0; fl < 16; fl++) {
				struct bfd_pkt p = {
					.diag = diag,
					.state = st,
					.poll = fl & 1,
					.final = fl & 2,
					.cpi = fl & 4,
					.demand = fl & 8,
					.detect_mult = 1 + diag,
					.my_discr = 0x10000 + fl,
					.your_discr = 0x20000 + diag,
					.desired_min_tx_us = 1000 * (st + 1),
					.required_min_rx_us = 7 * diag,
					.required_min_echo_rx_us = fl,
				}, q;
				enum bfd_pkt_err why;
				__u8 b[BFD_PKT_LEN];

				if (p.poll && p.final)
					continue;
				test_ctx("state %u diag %u flags %x", st, diag, fl);
				if (!ASSERT_OK(bfd_pkt_encode(&p, b, sizeof(b)), "encode") ||
				    !ASSERT_OK(bfd_pkt_decode(b, sizeof(b), &q, &why), "decode"))
					goto out;
				p.version = 1;
				p.length = BFD_PKT_LEN;
				if (!ASSERT_TRUE(pkt_same(&p, &q), "round trip"))
					goto out;
			}
		}
	}
out:
	test_ctx(NULL);
}
