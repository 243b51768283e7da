// SPDX-License-Identifier: GPL-2.0
/*
 * The BGP FSM transition table (RFC 4271 sec 8.2.2): the documented
 * transitions with their actions, and every (state, event) pair leading
 * somewhere sane — a BGP connection is never left open on an error.
 */
#include "../lib/test.h"
#include "bgp/fsm.h"

struct fsm_case {
	enum bgp_state from;
	enum bgp_event ev;
	enum bgp_state to;
	unsigned int must;	/* actions that must be there */
	unsigned int mustnt;	/* actions that must not */
};

#define NOTIF BGP_ACT_SEND_NOTIFICATION

static const struct fsm_case cases[] = {
	{ BGP_IDLE, BGP_EV_MANUAL_START, BGP_CONNECT, BGP_ACT_CONNECT | BGP_ACT_START_CONNECT_RETRY, 0 },
	{ BGP_IDLE, BGP_EV_AUTOMATIC_START_PASSIVE, BGP_ACTIVE, BGP_ACT_START_CONNECT_RETRY, BGP_ACT_CONNECT },
	{ BGP_IDLE, BGP_EV_BGP_OPEN, BGP_IDLE, 0, NOTIF | BGP_ACT_CONNECT },
	{ BGP_IDLE, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, 0, NOTIF },
	{ BGP_CONNECT, BGP_EV_TCP_CR_ACKED, BGP_OPENSENT,
	  BGP_ACT_SEND_OPEN | BGP_ACT_HOLD_LARGE | BGP_ACT_STOP_CONNECT_RETRY, 0 },
	{ BGP_CONNECT, BGP_EV_TCP_CONNECTION_CONFIRMED, BGP_OPENSENT, BGP_ACT_SEND_OPEN, 0 },
	{ BGP_CONNECT, BGP_EV_TCP_CONNECTION_FAILS, BGP_ACTIVE,
	  BGP_ACT_DROP | BGP_ACT_START_CONNECT_RETRY, BGP_ACT_CONNECT },
	{ BGP_CONNECT, BGP_EV_CONNECT_RETRY_TIMER_EXPIRES, BGP_CONNECT, BGP_ACT_CONNECT, 0 },
	{ BGP_CONNECT, BGP_EV_MANUAL_STOP, BGP_IDLE, BGP_ACT_DROP, BGP_ACT_AUTO_RESTART },
	{ BGP_ACTIVE, BGP_EV_CONNECT_RETRY_TIMER_EXPIRES, BGP_CONNECT, BGP_ACT_CONNECT, 0 },
	{ BGP_ACTIVE, BGP_EV_TCP_CONNECTION_CONFIRMED, BGP_OPENSENT, BGP_ACT_SEND_OPEN, 0 },
	{ BGP_ACTIVE, BGP_EV_TCP_CONNECTION_FAILS, BGP_IDLE, BGP_ACT_AUTO_RESTART, 0 },
	{ BGP_OPENSENT, BGP_EV_BGP_OPEN, BGP_OPENCONFIRM,
	  BGP_ACT_SEND_KEEPALIVE | BGP_ACT_HOLD_NEGOTIATED, NOTIF },
	{ BGP_OPENSENT, BGP_EV_BGP_OPEN_MSG_ERR, BGP_IDLE, NOTIF | BGP_ACT_DROP, BGP_ACT_FSM_ERROR },
	{ BGP_OPENSENT, BGP_EV_BGP_HEADER_ERR, BGP_IDLE, NOTIF | BGP_ACT_DROP, BGP_ACT_FSM_ERROR },
	{ BGP_OPENSENT, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, NOTIF | BGP_ACT_DROP, BGP_ACT_FSM_ERROR },
	{ BGP_OPENSENT, BGP_EV_TCP_CONNECTION_FAILS, BGP_ACTIVE, BGP_ACT_START_CONNECT_RETRY, NOTIF },
	{ BGP_OPENSENT, BGP_EV_KEEPALIVE_MSG, BGP_IDLE, NOTIF | BGP_ACT_FSM_ERROR | BGP_ACT_DROP, 0 },
	{ BGP_OPENSENT, BGP_EV_UPDATE_MSG, BGP_IDLE, NOTIF | BGP_ACT_FSM_ERROR, 0 },
	{ BGP_OPENSENT, BGP_EV_NOTIF_MSG, BGP_IDLE, BGP_ACT_DROP, NOTIF },
	{ BGP_OPENSENT, BGP_EV_MANUAL_STOP, BGP_IDLE, NOTIF | BGP_ACT_DROP, BGP_ACT_AUTO_RESTART },
	{ BGP_OPENCONFIRM, BGP_EV_KEEPALIVE_MSG, BGP_ESTABLISHED,
	  BGP_ACT_ESTABLISHED | BGP_ACT_RESTART_HOLD, NOTIF },
	{ BGP_OPENCONFIRM, BGP_EV_KEEPALIVE_TIMER_EXPIRES, BGP_OPENCONFIRM, BGP_ACT_SEND_KEEPALIVE, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, NOTIF | BGP_ACT_DROP, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_BGP_OPEN, BGP_IDLE, NOTIF | BGP_ACT_FSM_ERROR, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_UPDATE_MSG, BGP_IDLE, NOTIF | BGP_ACT_FSM_ERROR, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_NOTIF_MSG, BGP_IDLE, BGP_ACT_DROP, NOTIF },
	{ BGP_ESTABLISHED, BGP_EV_UPDATE_MSG, BGP_ESTABLISHED,
	  BGP_ACT_PROCESS_UPDATE | BGP_ACT_RESTART_HOLD, NOTIF },
	{ BGP_ESTABLISHED, BGP_EV_KEEPALIVE_MSG, BGP_ESTABLISHED, BGP_ACT_RESTART_HOLD, NOTIF },
	{ BGP_ESTABLISHED, BGP_EV_KEEPALIVE_TIMER_EXPIRES, BGP_ESTABLISHED, BGP_ACT_SEND_KEEPALIVE, 0 },
	{ BGP_ESTABLISHED, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, NOTIF | BGP_ACT_DROP, BGP_ACT_FSM_ERROR },
	{ BGP_ESTABLISHED, BGP_EV_UPDATE_MSG_ERR, BGP_IDLE, NOTIF | BGP_ACT_DROP, BGP_ACT_FSM_ERROR },
	{ BGP_ESTABLISHED, BGP_EV_BGP_OPEN, BGP_IDLE, NOTIF | BGP_ACT_FSM_ERROR | BGP_ACT_DROP, 0 },
	{ BGP_ESTABLISHED, BGP_EV_NOTIF_MSG, BGP_IDLE, BGP_ACT_DROP | BGP_ACT_AUTO_RESTART, NOTIF },
	{ BGP_ESTABLISHED, BGP_EV_TCP_CONNECTION_FAILS, BGP_IDLE, BGP_ACT_DROP | BGP_ACT_AUTO_RESTART, NOTIF },
	{ BGP_ESTABLISHED, BGP_EV_MANUAL_STOP, BGP_IDLE, NOTIF | BGP_ACT_DROP, BGP_ACT_AUTO_RESTART },
};

void test_bgp_fsm_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fsm_case *c = &cases[i];
		unsigned int a = 0;
		enum bgp_state to = bgp_fsm_next(c->from, c->ev, &a);

		test_ctx("%s + %s", bgp_state_name(c->from), bgp_event_name(c->ev));
		ASSERT_STREQ(bgp_state_name(to), bgp_state_name(c->to), "next state");
		ASSERT_EQ(a & c->must, c->must, "required actions");
		ASSERT_EQ(a & c->mustnt, 0, "forbidden actions");
	}
	test_ctx(NULL);
}

/* Every pair: leaving a connected state for Idle drops the connection;
 * a NOTIFICATION is only sent where a BGP connection exists; Idle and the
 * start events never send anything. */
void test_bgp_fsm_total(void)
{
	int s, ev;

	for (s = 0; s < BGP_STATE_MAX; s++) {
		for (ev = 1; ev < BGP_EV_MAX; ev++) {
			unsigned int a = 0;
			enum bgp_state to = bgp_fsm_next(s, ev, &a);

			test_ctx("%s + %d %s", bgp_state_name(s), ev, bgp_event_name(ev));
			ASSERT_TRUE(to < BGP_STATE_MAX, "valid next state");
			if ((s == BGP_OPENSENT || s == BGP_OPENCONFIRM || s == BGP_ESTABLISHED) &&
			    to == BGP_IDLE)
				ASSERT_TRUE(a & BGP_ACT_DROP, "connection dropped on the way to Idle");
			if (s == BGP_IDLE || s == BGP_CONNECT || s == BGP_ACTIVE)
				ASSERT_FALSE(a & BGP_ACT_SEND_NOTIFICATION,
					     "no NOTIFICATION without a BGP connection");
			if (to == BGP_IDLE && s != BGP_IDLE && ev != BGP_EV_MANUAL_STOP)
				ASSERT_TRUE(a & BGP_ACT_AUTO_RESTART,
					    "a failed session always comes back");
			if (test_failed())
				goto out;
		}
	}
out:
	test_ctx(NULL);
}
