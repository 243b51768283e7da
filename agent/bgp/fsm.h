/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BGP session state machine of RFC 4271 sec 8, as a pure transition
 * function: (state, event) -> (next state, actions). States and events
 * carry the RFC's names and event numbers; peer.c performs the actions
 * (sockets, timers, messages). Kept pure so the whole table is tested.
 *
 * Not implemented (optional in the RFC): DelayOpen, the
 * DampPeerOscillations attribute as such (a back-off on the automatic
 * restart stands in for it), and the optional session attributes that
 * go with them.
 */
#ifndef XLB_BGP_FSM_H
#define XLB_BGP_FSM_H

enum bgp_state {
	BGP_IDLE = 0,
	BGP_CONNECT,
	BGP_ACTIVE,
	BGP_OPENSENT,
	BGP_OPENCONFIRM,
	BGP_ESTABLISHED,
	BGP_STATE_MAX
};

/* RFC 4271 sec 8.1, with the RFC's numbers */
enum bgp_event {
	BGP_EV_MANUAL_START = 1,
	BGP_EV_MANUAL_STOP = 2,
	BGP_EV_AUTOMATIC_START = 3,
	BGP_EV_MANUAL_START_PASSIVE = 4,
	BGP_EV_AUTOMATIC_START_PASSIVE = 5,
	BGP_EV_CONNECT_RETRY_TIMER_EXPIRES = 9,
	BGP_EV_HOLD_TIMER_EXPIRES = 10,
	BGP_EV_KEEPALIVE_TIMER_EXPIRES = 11,
	BGP_EV_TCP_CR_ACKED = 16,		/* our connect() completed */
	BGP_EV_TCP_CONNECTION_CONFIRMED = 17,	/* we accepted the peer's connection */
	BGP_EV_TCP_CONNECTION_FAILS = 18,
	BGP_EV_BGP_OPEN = 19,
	BGP_EV_BGP_HEADER_ERR = 21,
	BGP_EV_BGP_OPEN_MSG_ERR = 22,
	BGP_EV_OPEN_COLLISION_DUMP = 23,
	BGP_EV_NOTIF_MSG_VER_ERR = 24,
	BGP_EV_NOTIF_MSG = 25,
	BGP_EV_KEEPALIVE_MSG = 26,
	BGP_EV_UPDATE_MSG = 27,
	BGP_EV_UPDATE_MSG_ERR = 28,
	BGP_EV_MAX
};

/* What the peer must do on a transition (bits). */
enum bgp_action {
	BGP_ACT_CONNECT = 1 << 0,	 /* initiate a TCP connection */
	BGP_ACT_DROP = 1 << 1,		 /* close the TCP connection */
	BGP_ACT_SEND_OPEN = 1 << 2,
	BGP_ACT_SEND_KEEPALIVE = 1 << 3,
	BGP_ACT_SEND_NOTIFICATION = 1 << 4, /* the one the event carries, or FSM Error */
	BGP_ACT_START_CONNECT_RETRY = 1 << 5,
	BGP_ACT_STOP_CONNECT_RETRY = 1 << 6,
	BGP_ACT_HOLD_LARGE = 1 << 7,	 /* hold timer 4 minutes (sec 8.2.2) */
	BGP_ACT_HOLD_NEGOTIATED = 1 << 8, /* hold and keepalive timers from the OPENs */
	BGP_ACT_RESTART_HOLD = 1 << 9,	 /* a message arrived: restart the hold timer */
	BGP_ACT_ESTABLISHED = 1 << 10,	 /* send our routes */
	BGP_ACT_PROCESS_UPDATE = 1 << 11,
	BGP_ACT_RELEASE = 1 << 12,	 /* back to Idle: release resources, count a failure */
	BGP_ACT_AUTO_RESTART = 1 << 13,	 /* schedule an AutomaticStart after a back-off */
	BGP_ACT_FSM_ERROR = 1 << 14,	 /* the NOTIFICATION is an FSM Error */
};

/* Next state for `ev` in `s`; *actions gets the BGP_ACT_* bits. */
enum bgp_state bgp_fsm_next(enum bgp_state s, enum bgp_event ev, unsigned int *actions);

const char *bgp_state_name(enum bgp_state s);
const char *bgp_event_name(enum bgp_event ev);

#endif
