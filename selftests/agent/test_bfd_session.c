// SPDX-License-Identifier: GPL-2.0
/*
 * The BFD session state machine (agent/bfd/session.c), pure: the
 * reception table of RFC 5880 sec 6.8.6 over every (local state,
 * received state) pair with and without Poll, detection expiry (sec
 * 6.8.4), the slow rate while not Up and the Poll Sequence around it
 * (sec 6.8.3, 6.5), timer changes while Up, Detection Time and transmit
 * interval arithmetic (sec 6.8.2, 6.8.4), Demand mode of the remote,
 * jitter bounds (sec 6.8.7), administrative control (sec 6.8.16) and the
 * RFC 5882 rule on a remote AdminDown.
 */
#include "bfd/session.h"
#include "../lib/test.h"

#define LOCAL_DISCR	0x1111
#define REMOTE_DISCR	0x2222
#define TX		300000
#define RX		300000

static struct bfd_pkt pkt(enum bfd_state st, bool poll, bool final)
{
	struct bfd_pkt p = {
		.version = 1,
		.state = st,
		.poll = poll,
		.final = final,
		.detect_mult = 3,
		.length = 24,
		.my_discr = REMOTE_DISCR,
		.your_discr = st == BFD_STATE_DOWN || st == BFD_STATE_ADMIN_DOWN ? 0 : LOCAL_DISCR,
		.desired_min_tx_us = TX,
		.required_min_rx_us = RX,
	};

	return p;
}

/* A session brought to `st` the way the protocol gets there. */
static void sm_in(struct bfd_sm *sm, enum bfd_state st)
{
	struct bfd_pkt p;

	bfd_sm_init(sm, LOCAL_DISCR, TX, RX, 3);
	switch (st) {
	case BFD_STATE_ADMIN_DOWN:
		bfd_sm_admin(sm, true, BFD_DIAG_ADMIN_DOWN);
		break;
	case BFD_STATE_DOWN:
		break;
	case BFD_STATE_INIT:
		p = pkt(BFD_STATE_DOWN, false, false);
		bfd_sm_rx(sm, &p);
		break;
	case BFD_STATE_UP:
		p = pkt(BFD_STATE_INIT, false, false);
		bfd_sm_rx(sm, &p);
		p = pkt(BFD_STATE_UP, false, true);	/* ends our Poll */
		bfd_sm_rx(sm, &p);
		break;
	}
}

struct rx_case {
	enum bfd_state from;
	enum bfd_state rx;
	enum bfd_state to;
	enum bfd_diag diag;
	unsigned int must, mustnt;
};

#define ST BFD_SM_STATE
#define CD BFD_SM_CLIENT_DOWN
#define D(x) BFD_STATE_##x

/* sec 6.8.6, the state part, for every pair */
static const struct rx_case rx_cases[] = {
	{ D(DOWN), D(ADMIN_DOWN), D(DOWN), BFD_DIAG_NONE, 0, ST | CD },
	{ D(DOWN), D(DOWN), D(INIT), BFD_DIAG_NONE, ST, CD },
	{ D(DOWN), D(INIT), D(UP), BFD_DIAG_NONE, ST, CD },
	{ D(DOWN), D(UP), D(DOWN), BFD_DIAG_NONE, 0, ST | CD },
	{ D(INIT), D(ADMIN_DOWN), D(DOWN), BFD_DIAG_NEIGHBOR_DOWN, ST, CD },
	{ D(INIT), D(DOWN), D(INIT), BFD_DIAG_NONE, 0, ST | CD },
	{ D(INIT), D(INIT), D(UP), BFD_DIAG_NONE, ST, CD },
	{ D(INIT), D(UP), D(UP), BFD_DIAG_NONE, ST, CD },
	/* RFC 5882 sec 3.2: an AdminDown of the remote leaves BGP alone */
	{ D(UP), D(ADMIN_DOWN), D(DOWN), BFD_DIAG_NEIGHBOR_DOWN, ST, CD },
	{ D(UP), D(DOWN), D(DOWN), BFD_DIAG_NEIGHBOR_DOWN, ST | CD, 0 },
	{ D(UP), D(INIT), D(UP), BFD_DIAG_NONE, 0, ST | CD },
	{ D(UP), D(UP), D(UP), BFD_DIAG_NONE, 0, ST | CD },
	/* AdminDown discards whatever comes */
	{ D(ADMIN_DOWN), D(ADMIN_DOWN), D(ADMIN_DOWN), BFD_DIAG_ADMIN_DOWN, 0, ST | CD },
	{ D(ADMIN_DOWN), D(DOWN), D(ADMIN_DOWN), BFD_DIAG_ADMIN_DOWN, 0, ST | CD },
	{ D(ADMIN_DOWN), D(INIT), D(ADMIN_DOWN), BFD_DIAG_ADMIN_DOWN, 0, ST | CD },
	{ D(ADMIN_DOWN), D(UP), D(ADMIN_DOWN), BFD_DIAG_ADMIN_DOWN, 0, ST | CD },
};

void test_bfd_sm_rx_table(void)
{
	size_t i;
	int poll;

	for (i = 0; i < sizeof(rx_cases) / sizeof(rx_cases[0]); i++) {
		const struct rx_case *c = &rx_cases[i];

		for (poll = 0; poll < 2; poll++) {
			struct bfd_pkt p = pkt(c->rx, poll, false);
			struct bfd_sm sm;
			unsigned int a;

			test_ctx("%s + %s%s", bfd_state_name(c->from), bfd_state_name(c->rx),
				 poll ? " with Poll" : "");
			sm_in(&sm, c->from);
			if (!ASSERT_EQ(sm.state, c->from, "set up"))
				continue;
			a = bfd_sm_rx(&sm, &p);
			ASSERT_STREQ(bfd_state_name(sm.state), bfd_state_name(c->to), "next state");
			ASSERT_STREQ(bfd_diag_name(sm.local_diag), bfd_diag_name(c->diag), "diag");
			ASSERT_EQ(a & c->must, c->must, "required actions");
			ASSERT_EQ(a & c->mustnt, 0, "forbidden actions");
			/* a Poll is answered in every state but AdminDown */
			ASSERT_EQ(!!(a & BFD_SM_FINAL), poll && c->from != BFD_STATE_ADMIN_DOWN,
				  "Final");
			/* the remote's variables are taken in every state */
			ASSERT_EQ(sm.remote_discr, REMOTE_DISCR, "bfd.RemoteDiscr");
			ASSERT_EQ(sm.remote_state, c->rx, "bfd.RemoteSessionState");
			ASSERT_EQ(sm.remote_min_rx_us, RX, "bfd.RemoteMinRxInterval");
		}
	}
	test_ctx(NULL);
}

/* sec 6.8.1 initial values; sec 6.8.3 slow rate while not Up */
void test_bfd_sm_init(void)
{
	struct bfd_sm sm;
	struct bfd_pkt p;

	bfd_sm_init(&sm, LOCAL_DISCR, 50000, 40000, 4);
	ASSERT_EQ(sm.state, BFD_STATE_DOWN, "Down");
	ASSERT_EQ(sm.remote_state, BFD_STATE_DOWN, "remote Down");
	ASSERT_EQ(sm.remote_discr, 0, "RemoteDiscr");
	ASSERT_EQ(sm.remote_min_rx_us, 1, "RemoteMinRxInterval starts at 1");
	ASSERT_EQ(sm.desired_tx_us, BFD_SLOW_TX_US, "1 s while not Up");
	ASSERT_EQ(sm.required_rx_us, 40000, "RequiredMinRx as configured");
	ASSERT_FALSE(sm.poll, "no Poll");
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), BFD_SLOW_TX_US, "tx interval 1 s");
	ASSERT_EQ(bfd_sm_detect_us(&sm), 0, "nothing to detect yet");
	bfd_sm_packet(&sm, false, &p);
	ASSERT_EQ(p.state, BFD_STATE_DOWN, "packet state");
	ASSERT_EQ(p.your_discr, 0, "Your Discriminator 0");
	ASSERT_EQ(p.my_discr, LOCAL_DISCR, "My Discriminator");
	ASSERT_EQ(p.detect_mult, 4, "mult");
	ASSERT_EQ(p.desired_min_tx_us, BFD_SLOW_TX_US, "Desired Min TX 1 s");
	ASSERT_EQ(p.required_min_rx_us, 40000, "Required Min RX");
	ASSERT_EQ(p.required_min_echo_rx_us, 0, "no Echo");
	ASSERT_FALSE(p.poll || p.final || p.demand || p.auth, "flags");

	/* a configured interval above 1 s stays as it is */
	bfd_sm_init(&sm, LOCAL_DISCR, 2000000, 2000000, 3);
	ASSERT_EQ(sm.desired_tx_us, 2000000, "2 s");
}

/* Down -> Init -> Up: fast rate with a Poll Sequence; Final ends it;
 * leaving Up goes back to 1 s at once (sec 6.8.3). */
void test_bfd_sm_up_and_poll(void)
{
	struct bfd_sm sm;
	struct bfd_pkt p, out;
	unsigned int a;

	bfd_sm_init(&sm, LOCAL_DISCR, 50000, 50000, 3);
	p = pkt(BFD_STATE_DOWN, false, false);
	p.desired_min_tx_us = BFD_SLOW_TX_US;
	a = bfd_sm_rx(&sm, &p);
	ASSERT_EQ(sm.state, BFD_STATE_INIT, "Init");
	ASSERT_FALSE(sm.poll, "no Poll in Init: nothing advertised changed");
	ASSERT_TRUE(a & BFD_SM_STATE, "state action");
	ASSERT_EQ(bfd_sm_detect_us(&sm), 3 * BFD_SLOW_TX_US, "detect: 3 x remote 1 s");

	p = pkt(BFD_STATE_UP, false, false);
	p.desired_min_tx_us = BFD_SLOW_TX_US;
	a = bfd_sm_rx(&sm, &p);
	ASSERT_EQ(sm.state, BFD_STATE_UP, "Up");
	ASSERT_EQ(sm.desired_tx_us, 50000, "fast rate advertised");
	ASSERT_EQ(sm.tx_used_us, 50000, "a faster rate applies at once");
	ASSERT_TRUE(sm.poll, "Poll Sequence started");
	ASSERT_TRUE(a & BFD_SM_TIMERS, "timers action");
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), RX, "tx: max(50 ms, remote min rx 300 ms)");
	bfd_sm_packet(&sm, false, &out);
	ASSERT_TRUE(out.poll && !out.final, "P on periodic packets");
	ASSERT_EQ(out.your_discr, REMOTE_DISCR, "Your Discriminator");
	bfd_sm_packet(&sm, true, &out);
	ASSERT_TRUE(!out.poll && out.final, "a Final carries no Poll");

	/* the remote's answer, with its own fast rate */
	p = pkt(BFD_STATE_UP, false, true);
	p.desired_min_tx_us = 20000;
	p.required_min_rx_us = 20000;
	a = bfd_sm_rx(&sm, &p);
	ASSERT_TRUE(a & BFD_SM_POLL_DONE, "Poll done");
	ASSERT_FALSE(sm.poll, "no Poll");
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), 50000, "tx 50 ms");
	ASSERT_EQ(bfd_sm_rx_interval_us(&sm), 50000, "rx: max(our 50 ms, its 20 ms)");
	ASSERT_EQ(bfd_sm_detect_us(&sm), 150000, "detect 3 x 50 ms");

	/* a Final that answers nothing changes nothing */
	a = bfd_sm_rx(&sm, &p);
	ASSERT_FALSE(a & BFD_SM_POLL_DONE, "no Poll to end");

	/* the remote says Down: we go Down, slow at once, Poll again */
	p = pkt(BFD_STATE_DOWN, false, false);
	a = bfd_sm_rx(&sm, &p);
	ASSERT_EQ(sm.state, BFD_STATE_DOWN, "Down");
	ASSERT_TRUE(a & BFD_SM_CLIENT_DOWN, "client told");
	ASSERT_EQ(sm.local_diag, BFD_DIAG_NEIGHBOR_DOWN, "diag 3");
	ASSERT_EQ(sm.desired_tx_us, BFD_SLOW_TX_US, "1 s advertised");
	ASSERT_EQ(sm.tx_used_us, BFD_SLOW_TX_US, "1 s in use");
	ASSERT_TRUE(sm.poll, "Poll for the change");
	bfd_sm_packet(&sm, false, &out);
	ASSERT_EQ(out.diag, BFD_DIAG_NEIGHBOR_DOWN, "diag sent");
}

static void up_fast(struct bfd_sm *sm)
{
	struct bfd_pkt p;

	sm_in(sm, BFD_STATE_UP);
	p = pkt(BFD_STATE_UP, false, false);
	p.required_min_rx_us = 10000;
	p.desired_min_tx_us = 10000;
	bfd_sm_rx(sm, &p);
}

/* sec 6.8.3 while Up: slower TX and shorter RX wait for the Final */
void test_bfd_sm_timer_change(void)
{
	struct bfd_sm sm;
	struct bfd_pkt p;
	unsigned int a;

	up_fast(&sm);
	ASSERT_FALSE(sm.poll, "settled");
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), TX, "tx 300 ms");

	/* slower TX, longer RX */
	a = bfd_sm_set_params(&sm, 1000000, 500000, 3);
	ASSERT_TRUE(sm.poll, "Poll");
	ASSERT_TRUE(a & BFD_SM_TIMERS, "timers");
	ASSERT_FALSE(a & BFD_SM_STATE, "no state change");
	ASSERT_EQ(sm.desired_tx_us, 1000000, "advertised 1 s");
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), TX, "still 300 ms until the Final");
	ASSERT_EQ(bfd_sm_detect_us(&sm), 3 * 500000, "longer RX applies at once");
	p = pkt(BFD_STATE_UP, false, true);
	p.required_min_rx_us = 10000;
	p.desired_min_tx_us = 10000;
	bfd_sm_rx(&sm, &p);
	ASSERT_FALSE(sm.poll, "Poll done");
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), 1000000, "1 s after the Final");

	/* shorter RX: the Detection Time keeps the old one until the Final */
	a = bfd_sm_set_params(&sm, 1000000, 100000, 3);
	ASSERT_TRUE(sm.poll, "Poll");
	ASSERT_EQ(sm.required_rx_us, 100000, "advertised 100 ms");
	ASSERT_EQ(bfd_sm_detect_us(&sm), 3 * 500000, "old RX until the Final");
	p = pkt(BFD_STATE_UP, false, false);	/* a packet without F: no change */
	p.required_min_rx_us = 10000;
	p.desired_min_tx_us = 10000;
	bfd_sm_rx(&sm, &p);
	ASSERT_EQ(bfd_sm_detect_us(&sm), 3 * 500000, "still old RX");
	p.final = true;
	bfd_sm_rx(&sm, &p);
	ASSERT_EQ(bfd_sm_detect_us(&sm), 3 * 100000, "new RX after the Final");

	/* faster TX applies at once */
	bfd_sm_set_params(&sm, 50000, 100000, 3);
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), 50000, "50 ms at once");

	/* multiplier: next packet, no Poll (sec 6.8.12) */
	p.final = true;
	bfd_sm_rx(&sm, &p);
	ASSERT_FALSE(sm.poll, "settled");
	a = bfd_sm_set_params(&sm, 50000, 100000, 7);
	ASSERT_FALSE(sm.poll, "no Poll for the multiplier");
	bfd_sm_packet(&sm, false, &p);
	ASSERT_EQ(p.detect_mult, 7, "new multiplier sent");

	/* nothing changed: nothing to do */
	a = bfd_sm_set_params(&sm, 50000, 100000, 7);
	ASSERT_EQ(a, 0, "no actions");
	ASSERT_FALSE(sm.poll, "no Poll");
}

/* sec 6.8.2 / 6.8.4 arithmetic, sec 6.8.7 no periodic packets at times */
void test_bfd_sm_intervals(void)
{
	struct bfd_sm sm;
	struct bfd_pkt p;

	up_fast(&sm);
	p = pkt(BFD_STATE_UP, false, false);
	p.detect_mult = 5;
	p.desired_min_tx_us = 200000;
	p.required_min_rx_us = 700000;
	bfd_sm_rx(&sm, &p);
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), 700000, "tx: the remote's RX is slower");
	ASSERT_EQ(bfd_sm_detect_us(&sm), 5 * 300000ull, "detect: its mult x our RX");
	p.desired_min_tx_us = 900000;
	bfd_sm_rx(&sm, &p);
	ASSERT_EQ(bfd_sm_detect_us(&sm), 5 * 900000ull, "detect: its mult x its TX");
	p.detect_mult = 255;
	p.desired_min_tx_us = 0xffffffff;
	bfd_sm_rx(&sm, &p);
	ASSERT_EQ(bfd_sm_detect_us(&sm), 255ull * 0xffffffff, "no overflow");

	/* RemoteMinRxInterval 0: no periodic transmission */
	p = pkt(BFD_STATE_UP, false, false);
	p.required_min_rx_us = 0;
	bfd_sm_rx(&sm, &p);
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), 0, "remote min rx 0");

	/* Demand mode on the remote, both Up: none either, unless polling */
	p = pkt(BFD_STATE_UP, false, false);
	p.demand = true;
	bfd_sm_rx(&sm, &p);
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), 0, "remote in Demand mode");
	ASSERT_EQ(bfd_sm_tx_negotiated_us(&sm), TX, "still negotiated");
	bfd_sm_set_params(&sm, 400000, RX, 3);
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), TX, "a Poll Sequence goes out");
	p.state = BFD_STATE_INIT;
	p.final = true;
	bfd_sm_rx(&sm, &p);
	ASSERT_NEQ(bfd_sm_tx_interval_us(&sm), 0, "remote not Up: periodic again");
}

/* sec 6.8.4 */
void test_bfd_sm_expiry(void)
{
	struct bfd_sm sm;
	unsigned int a;

	sm_in(&sm, BFD_STATE_UP);
	a = bfd_sm_expired(&sm);
	ASSERT_EQ(sm.state, BFD_STATE_DOWN, "Up -> Down");
	ASSERT_EQ(sm.local_diag, BFD_DIAG_DETECT_EXPIRED, "diag 1");
	ASSERT_TRUE((a & (BFD_SM_STATE | BFD_SM_CLIENT_DOWN)) == (BFD_SM_STATE | BFD_SM_CLIENT_DOWN),
		    "state, client");
	ASSERT_EQ(sm.remote_discr, 0, "RemoteDiscr cleared");
	ASSERT_EQ(sm.remote_state, BFD_STATE_DOWN, "remote Down");
	ASSERT_EQ(bfd_sm_detect_us(&sm), 0, "nothing to detect until a packet");
	ASSERT_EQ(bfd_sm_tx_interval_us(&sm), BFD_SLOW_TX_US, "slow");

	sm_in(&sm, BFD_STATE_INIT);
	a = bfd_sm_expired(&sm);
	ASSERT_EQ(sm.state, BFD_STATE_DOWN, "Init -> Down");
	ASSERT_EQ(sm.local_diag, BFD_DIAG_DETECT_EXPIRED, "diag 1");
	ASSERT_FALSE(a & BFD_SM_CLIENT_DOWN, "never Up: client not told");

	sm_in(&sm, BFD_STATE_DOWN);
	sm.remote_discr = REMOTE_DISCR;
	a = bfd_sm_expired(&sm);
	ASSERT_EQ(sm.state, BFD_STATE_DOWN, "Down stays");
	ASSERT_FALSE(a & BFD_SM_STATE, "no change");
	ASSERT_EQ(sm.local_diag, BFD_DIAG_NONE, "diag untouched");
	ASSERT_EQ(sm.remote_discr, 0, "RemoteDiscr cleared in Down too");
}

/* sec 6.8.16 */
void test_bfd_sm_admin(void)
{
	struct bfd_sm sm;
	struct bfd_pkt p;
	unsigned int a;

	sm_in(&sm, BFD_STATE_UP);
	a = bfd_sm_admin(&sm, true, BFD_DIAG_ADMIN_DOWN);
	ASSERT_EQ(sm.state, BFD_STATE_ADMIN_DOWN, "AdminDown");
	ASSERT_TRUE(a & BFD_SM_STATE, "state action");
	ASSERT_FALSE(a & BFD_SM_CLIENT_DOWN, "our own doing");
	bfd_sm_packet(&sm, false, &p);
	ASSERT_EQ(p.state, BFD_STATE_ADMIN_DOWN, "sent");
	ASSERT_EQ(p.diag, BFD_DIAG_ADMIN_DOWN, "diag 7");
	ASSERT_EQ(bfd_sm_admin(&sm, true, BFD_DIAG_ADMIN_DOWN), 0, "again: nothing");
	p = pkt(BFD_STATE_INIT, true, false);
	a = bfd_sm_rx(&sm, &p);
	ASSERT_FALSE(a & (BFD_SM_STATE | BFD_SM_FINAL), "packets discarded");
	a = bfd_sm_admin(&sm, false, BFD_DIAG_NONE);
	ASSERT_EQ(sm.state, BFD_STATE_DOWN, "enabled: Down");
	ASSERT_TRUE(a & BFD_SM_STATE, "state action");
	ASSERT_EQ(bfd_sm_admin(&sm, false, BFD_DIAG_NONE), 0, "enable when not AdminDown");
	/* and the handshake works again */
	p = pkt(BFD_STATE_INIT, false, false);
	bfd_sm_rx(&sm, &p);
	ASSERT_EQ(sm.state, BFD_STATE_UP, "Up again");
	ASSERT_EQ(sm.local_diag, BFD_DIAG_NONE, "diag cleared on Up");
}

/* sec 6.8.7: 75-100 %, 75-90 % with Detect Mult 1 */
void test_bfd_sm_jitter(void)
{
	struct bfd_sm sm;
	__u32 r, lo = ~0u, hi = 0, v;

	bfd_sm_init(&sm, 1, TX, RX, 3);
	ASSERT_EQ(bfd_sm_jitter_us(&sm, 100000, 0), 100000, "rnd 0: 100 %");
	ASSERT_EQ(bfd_sm_jitter_us(&sm, 100000, 2500), 75000, "rnd 2500: 75 %");
	for (r = 0; r < 200000; r += 7) {
		v = bfd_sm_jitter_us(&sm, 100000, r * 2654435761u);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	ASSERT_GE(lo, 75000, "never below 75 %");
	ASSERT_LE(hi, 100000, "never above 100 %");
	ASSERT_LT(lo, 76000, "reaches 75 %");
	ASSERT_GT(hi, 99000, "reaches 100 %");

	bfd_sm_init(&sm, 1, TX, RX, 1);
	lo = ~0u, hi = 0;
	for (r = 0; r < 200000; r += 7) {
		v = bfd_sm_jitter_us(&sm, 100000, r * 2654435761u);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	ASSERT_GE(lo, 75000, "mult 1: never below 75 %");
	ASSERT_LE(hi, 90000, "mult 1: never above 90 %");
	ASSERT_GT(hi, 89000, "mult 1: reaches 90 %");
}
