// SPDX-License-Identifier: GPL-2.0
/*
 * The BFD session state machine (RFC 5880 sec 6.2, 6.5, 6.8): pure
 * functions over struct bfd_sm, see session.h for the sections covered.
 */
#include <string.h>

#include "bfd/session.h"

static __u32 max32(__u32 a, __u32 b)
{
	return a > b ? a : b;
}

/*
 * Bring the advertised intervals in line with the state and the
 * configuration (sec 6.8.3). A change starts a Poll Sequence. While Up,
 * a slower transmit rate and a shorter receive interval wait for the
 * Final (the remote must have updated its Detection Time first); a faster
 * rate, a longer receive interval, and anything outside Up apply now.
 */
static unsigned int advertise(struct bfd_sm *sm)
{
	__u32 tx = sm->cfg_tx_us, rx = sm->cfg_rx_us;
	bool up = sm->state == BFD_STATE_UP;

	if (!up)
		tx = max32(tx, BFD_SLOW_TX_US);
	if (tx == sm->desired_tx_us && rx == sm->required_rx_us)
		return 0;
	if (!up || tx < sm->tx_used_us)
		sm->tx_used_us = tx;
	if (!up || rx > sm->rx_used_us)
		sm->rx_used_us = rx;
	sm->desired_tx_us = tx;
	sm->required_rx_us = rx;
	sm->poll = true;
	return BFD_SM_TIMERS;
}

static unsigned int set_state(struct bfd_sm *sm, enum bfd_state to)
{
	enum bfd_state from = sm->state;
	unsigned int a = BFD_SM_STATE;

	if (to == from)
		return 0;
	sm->state = to;
	if (to == BFD_STATE_UP)
		sm->local_diag = BFD_DIAG_NONE;
	/* RFC 5882 sec 3.2: the remote saying AdminDown is no failure of the
	 * path, and an AdminDown of our own is the client's doing */
	if (from == BFD_STATE_UP && to == BFD_STATE_DOWN &&
	    !(sm->local_diag == BFD_DIAG_NEIGHBOR_DOWN &&
	      sm->remote_state == BFD_STATE_ADMIN_DOWN))
		a |= BFD_SM_CLIENT_DOWN;
	return a | advertise(sm);
}

void bfd_sm_init(struct bfd_sm *sm, __u32 local_discr, __u32 tx_us, __u32 rx_us, __u8 mult)
{
	memset(sm, 0, sizeof(*sm));
	sm->state = BFD_STATE_DOWN;
	sm->remote_state = BFD_STATE_DOWN;
	sm->local_discr = local_discr;
	sm->local_diag = BFD_DIAG_NONE;
	sm->remote_min_rx_us = 1;
	sm->detect_mult = mult;
	sm->cfg_tx_us = tx_us;
	sm->cfg_rx_us = rx_us;
	sm->desired_tx_us = max32(tx_us, BFD_SLOW_TX_US);
	sm->required_rx_us = rx_us;
	sm->tx_used_us = sm->desired_tx_us;
	sm->rx_used_us = rx_us;
}

unsigned int bfd_sm_rx(struct bfd_sm *sm, const struct bfd_pkt *p)
{
	__u32 tx_before = bfd_sm_tx_interval_us(sm);
	__u64 detect_before = bfd_sm_detect_us(sm);
	unsigned int a = 0;

	sm->remote_discr = p->my_discr;
	sm->remote_state = p->state;
	sm->remote_demand = p->demand;
	sm->remote_min_rx_us = p->required_min_rx_us;
	sm->remote_tx_us = p->desired_min_tx_us;
	sm->remote_mult = p->detect_mult;
	sm->remote_diag = p->diag;
	/* we never send Echo packets, so Required Min Echo RX needs nothing */
	if (sm->poll && p->final) {
		sm->poll = false;
		sm->tx_used_us = sm->desired_tx_us;
		sm->rx_used_us = sm->required_rx_us;
		a |= BFD_SM_POLL_DONE;
	}

	if (sm->state == BFD_STATE_ADMIN_DOWN)
		goto out;
	if (p->state == BFD_STATE_ADMIN_DOWN) {
		if (sm->state != BFD_STATE_DOWN) {
			sm->local_diag = BFD_DIAG_NEIGHBOR_DOWN;
			a |= set_state(sm, BFD_STATE_DOWN);
		}
	} else if (sm->state == BFD_STATE_DOWN) {
		if (p->state == BFD_STATE_DOWN)
			a |= set_state(sm, BFD_STATE_INIT);
		else if (p->state == BFD_STATE_INIT)
			a |= set_state(sm, BFD_STATE_UP);
	} else if (sm->state == BFD_STATE_INIT) {
		if (p->state == BFD_STATE_INIT || p->state == BFD_STATE_UP)
			a |= set_state(sm, BFD_STATE_UP);
	} else if (p->state == BFD_STATE_DOWN) {
		/* Up */
		sm->local_diag = BFD_DIAG_NEIGHBOR_DOWN;
		a |= set_state(sm, BFD_STATE_DOWN);
	}
	if (p->poll)
		a |= BFD_SM_FINAL;
out:
	if (bfd_sm_tx_interval_us(sm) != tx_before || bfd_sm_detect_us(sm) != detect_before)
		a |= BFD_SM_TIMERS;
	return a;
}

unsigned int bfd_sm_expired(struct bfd_sm *sm)
{
	unsigned int a = BFD_SM_TIMERS;

	/* sec 6.8.1: bfd.RemoteDiscr goes back to zero; the rest of what
	 * we knew of the remote goes with it, as for a new session */
	sm->remote_discr = 0;
	sm->remote_state = BFD_STATE_DOWN;
	sm->remote_mult = 0;
	sm->remote_tx_us = 0;
	sm->remote_min_rx_us = 1;
	sm->remote_demand = false;
	if (sm->state == BFD_STATE_INIT || sm->state == BFD_STATE_UP) {
		sm->local_diag = BFD_DIAG_DETECT_EXPIRED;
		a |= set_state(sm, BFD_STATE_DOWN);
	}
	return a;
}

unsigned int bfd_sm_set_params(struct bfd_sm *sm, __u32 tx_us, __u32 rx_us, __u8 mult)
{
	unsigned int a = sm->detect_mult != mult ? BFD_SM_TIMERS : 0;

	sm->detect_mult = mult;
	sm->cfg_tx_us = tx_us;
	sm->cfg_rx_us = rx_us;
	return a | advertise(sm);
}

unsigned int bfd_sm_admin(struct bfd_sm *sm, bool down, enum bfd_diag diag)
{
	if (down) {
		if (sm->state == BFD_STATE_ADMIN_DOWN)
			return 0;
		sm->local_diag = diag;
		return set_state(sm, BFD_STATE_ADMIN_DOWN) & ~BFD_SM_CLIENT_DOWN;
	}
	if (sm->state != BFD_STATE_ADMIN_DOWN)
		return 0;
	return set_state(sm, BFD_STATE_DOWN);
}

void bfd_sm_packet(const struct bfd_sm *sm, bool final, struct bfd_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->version = BFD_VERSION;
	p->diag = sm->local_diag;
	p->state = sm->state;
	/* a Final never carries Poll (sec 6.5); the next periodic one will */
	p->poll = sm->poll && !final;
	p->final = final;
	p->detect_mult = sm->detect_mult;
	p->length = BFD_PKT_LEN;
	p->my_discr = sm->local_discr;
	p->your_discr = sm->remote_discr;
	p->desired_min_tx_us = sm->desired_tx_us;
	p->required_min_rx_us = sm->required_rx_us;
	p->required_min_echo_rx_us = 0;
}

__u32 bfd_sm_tx_negotiated_us(const struct bfd_sm *sm)
{
	if (!sm->remote_min_rx_us)
		return 0;
	return max32(sm->tx_used_us, sm->remote_min_rx_us);
}

__u32 bfd_sm_tx_interval_us(const struct bfd_sm *sm)
{
	if (sm->remote_demand && sm->state == BFD_STATE_UP && sm->remote_state == BFD_STATE_UP &&
	    !sm->poll)
		return 0;
	return bfd_sm_tx_negotiated_us(sm);
}

__u32 bfd_sm_rx_interval_us(const struct bfd_sm *sm)
{
	if (!sm->remote_mult)
		return 0;
	return max32(sm->rx_used_us, sm->remote_tx_us);
}

__u64 bfd_sm_detect_us(const struct bfd_sm *sm)
{
	return (__u64)sm->remote_mult * bfd_sm_rx_interval_us(sm);
}

__u32 bfd_jitter_us(__u32 interval_us, bool mult1, __u32 rnd)
{
	/* reduce by 0..25 %, or by 10..25 % with Detect Mult 1, in steps
	 * of 0.01 % */
	__u32 cut = mult1 ? 1000 + rnd % 1501 : rnd % 2501;

	return interval_us - (__u32)((__u64)interval_us * cut / 10000);
}

__u32 bfd_sm_jitter_us(const struct bfd_sm *sm, __u32 interval_us, __u32 rnd)
{
	return bfd_jitter_us(interval_us, sm->detect_mult == 1, rnd);
}
