// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 4271 sec 8.2.2, state by state. Every (state, event) pair has an
 * answer; events a state does not expect send the session to Idle, with
 * an FSM Error NOTIFICATION (RFC 6608 subcodes) once a BGP connection
 * exists. Leaving for Idle after a failure always schedules an automatic
 * restart: xlbd never gives up on a configured neighbor.
 */
#include "bgp/fsm.h"

#define IDLE_AFTER_FAILURE (BGP_ACT_DROP | BGP_ACT_RELEASE | BGP_ACT_AUTO_RESTART)

static enum bgp_state fsm_idle(enum bgp_event ev, unsigned int *a)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
		*a = BGP_ACT_START_CONNECT_RETRY | BGP_ACT_CONNECT;
		return BGP_CONNECT;
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
		*a = BGP_ACT_START_CONNECT_RETRY;
		return BGP_ACTIVE;
	default:
		/* Idle ignores everything else (sec 8.2.2) */
		*a = 0;
		return BGP_IDLE;
	}
}

/* Connect and Active differ only in whether a connect() is under way. */
static enum bgp_state fsm_connect_active(enum bgp_state s, enum bgp_event ev, unsigned int *a)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
		*a = 0;
		return s;
	case BGP_EV_MANUAL_STOP:
		*a = BGP_ACT_DROP | BGP_ACT_STOP_CONNECT_RETRY;
		return BGP_IDLE;
	case BGP_EV_CONNECT_RETRY_TIMER_EXPIRES:
		*a = BGP_ACT_DROP | BGP_ACT_START_CONNECT_RETRY | BGP_ACT_CONNECT;
		return BGP_CONNECT;
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONNECTION_CONFIRMED:
		*a = BGP_ACT_STOP_CONNECT_RETRY | BGP_ACT_SEND_OPEN | BGP_ACT_HOLD_LARGE;
		return BGP_OPENSENT;
	case BGP_EV_TCP_CONNECTION_FAILS:
		if (s == BGP_CONNECT) {
			/* wait for the retry timer (or the peer) in Active */
			*a = BGP_ACT_DROP | BGP_ACT_START_CONNECT_RETRY;
			return BGP_ACTIVE;
		}
		*a = IDLE_AFTER_FAILURE | BGP_ACT_STOP_CONNECT_RETRY;
		return BGP_IDLE;
	default:
		/* a BGP message without a BGP connection: impossible here;
		 * anything else unexpected resets (sec 8.2.2, "any other event") */
		*a = IDLE_AFTER_FAILURE | BGP_ACT_STOP_CONNECT_RETRY;
		return BGP_IDLE;
	}
}

static enum bgp_state fsm_opensent(enum bgp_event ev, unsigned int *a)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
		*a = 0;
		return BGP_OPENSENT;
	case BGP_EV_MANUAL_STOP:
		*a = BGP_ACT_SEND_NOTIFICATION | BGP_ACT_DROP | BGP_ACT_RELEASE;
		return BGP_IDLE;
	case BGP_EV_HOLD_TIMER_EXPIRES:
	case BGP_EV_BGP_HEADER_ERR:
	case BGP_EV_BGP_OPEN_MSG_ERR:
	case BGP_EV_OPEN_COLLISION_DUMP:
		*a = BGP_ACT_SEND_NOTIFICATION | IDLE_AFTER_FAILURE;
		return BGP_IDLE;
	case BGP_EV_TCP_CONNECTION_FAILS:
		*a = BGP_ACT_DROP | BGP_ACT_START_CONNECT_RETRY;
		return BGP_ACTIVE;
	case BGP_EV_BGP_OPEN:
		*a = BGP_ACT_SEND_KEEPALIVE | BGP_ACT_HOLD_NEGOTIATED;
		return BGP_OPENCONFIRM;
	case BGP_EV_NOTIF_MSG_VER_ERR:
	case BGP_EV_NOTIF_MSG:
		*a = IDLE_AFTER_FAILURE;
		return BGP_IDLE;
	default:
		*a = BGP_ACT_SEND_NOTIFICATION | BGP_ACT_FSM_ERROR | IDLE_AFTER_FAILURE;
		return BGP_IDLE;
	}
}

static enum bgp_state fsm_openconfirm(enum bgp_event ev, unsigned int *a)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
		*a = 0;
		return BGP_OPENCONFIRM;
	case BGP_EV_MANUAL_STOP:
		*a = BGP_ACT_SEND_NOTIFICATION | BGP_ACT_DROP | BGP_ACT_RELEASE;
		return BGP_IDLE;
	case BGP_EV_HOLD_TIMER_EXPIRES:
	case BGP_EV_BGP_HEADER_ERR:
	case BGP_EV_BGP_OPEN_MSG_ERR:
	case BGP_EV_OPEN_COLLISION_DUMP:
		*a = BGP_ACT_SEND_NOTIFICATION | IDLE_AFTER_FAILURE;
		return BGP_IDLE;
	case BGP_EV_KEEPALIVE_TIMER_EXPIRES:
		*a = BGP_ACT_SEND_KEEPALIVE;
		return BGP_OPENCONFIRM;
	case BGP_EV_TCP_CONNECTION_FAILS:
	case BGP_EV_NOTIF_MSG_VER_ERR:
	case BGP_EV_NOTIF_MSG:
		*a = IDLE_AFTER_FAILURE;
		return BGP_IDLE;
	case BGP_EV_KEEPALIVE_MSG:
		*a = BGP_ACT_RESTART_HOLD | BGP_ACT_ESTABLISHED;
		return BGP_ESTABLISHED;
	default:
		*a = BGP_ACT_SEND_NOTIFICATION | BGP_ACT_FSM_ERROR | IDLE_AFTER_FAILURE;
		return BGP_IDLE;
	}
}

static enum bgp_state fsm_established(enum bgp_event ev, unsigned int *a)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
		*a = 0;
		return BGP_ESTABLISHED;
	case BGP_EV_MANUAL_STOP:
		*a = BGP_ACT_SEND_NOTIFICATION | BGP_ACT_DROP | BGP_ACT_RELEASE;
		return BGP_IDLE;
	case BGP_EV_KEEPALIVE_TIMER_EXPIRES:
		*a = BGP_ACT_SEND_KEEPALIVE;
		return BGP_ESTABLISHED;
	case BGP_EV_KEEPALIVE_MSG:
		*a = BGP_ACT_RESTART_HOLD;
		return BGP_ESTABLISHED;
	case BGP_EV_UPDATE_MSG:
		*a = BGP_ACT_RESTART_HOLD | BGP_ACT_PROCESS_UPDATE;
		return BGP_ESTABLISHED;
	case BGP_EV_HOLD_TIMER_EXPIRES:
	case BGP_EV_UPDATE_MSG_ERR:
	case BGP_EV_BGP_HEADER_ERR:
	case BGP_EV_BGP_OPEN_MSG_ERR:
	case BGP_EV_OPEN_COLLISION_DUMP:
		*a = BGP_ACT_SEND_NOTIFICATION | IDLE_AFTER_FAILURE;
		return BGP_IDLE;
	case BGP_EV_TCP_CONNECTION_FAILS:
	case BGP_EV_NOTIF_MSG_VER_ERR:
	case BGP_EV_NOTIF_MSG:
		*a = IDLE_AFTER_FAILURE;
		return BGP_IDLE;
	default:
		/* e.g. an OPEN on an established session */
		*a = BGP_ACT_SEND_NOTIFICATION | BGP_ACT_FSM_ERROR | IDLE_AFTER_FAILURE;
		return BGP_IDLE;
	}
}

enum bgp_state bgp_fsm_next(enum bgp_state s, enum bgp_event ev, unsigned int *actions)
{
	switch (s) {
	case BGP_IDLE:
		return fsm_idle(ev, actions);
	case BGP_CONNECT:
	case BGP_ACTIVE:
		return fsm_connect_active(s, ev, actions);
	case BGP_OPENSENT:
		return fsm_opensent(ev, actions);
	case BGP_OPENCONFIRM:
		return fsm_openconfirm(ev, actions);
	case BGP_ESTABLISHED:
		return fsm_established(ev, actions);
	default:
		*actions = BGP_ACT_DROP | BGP_ACT_RELEASE;
		return BGP_IDLE;
	}
}

const char *bgp_state_name(enum bgp_state s)
{
	static const char *const names[] = { "Idle", "Connect", "Active", "OpenSent",
					     "OpenConfirm", "Established" };

	return (unsigned int)s < BGP_STATE_MAX ? names[s] : "?";
}

const char *bgp_event_name(enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_MANUAL_START: return "ManualStart";
	case BGP_EV_MANUAL_STOP: return "ManualStop";
	case BGP_EV_AUTOMATIC_START: return "AutomaticStart";
	case BGP_EV_MANUAL_START_PASSIVE: return "ManualStart_with_PassiveTcpEstablishment";
	case BGP_EV_AUTOMATIC_START_PASSIVE: return "AutomaticStart_with_PassiveTcpEstablishment";
	case BGP_EV_CONNECT_RETRY_TIMER_EXPIRES: return "ConnectRetryTimer_Expires";
	case BGP_EV_HOLD_TIMER_EXPIRES: return "HoldTimer_Expires";
	case BGP_EV_KEEPALIVE_TIMER_EXPIRES: return "KeepaliveTimer_Expires";
	case BGP_EV_TCP_CR_ACKED: return "Tcp_CR_Acked";
	case BGP_EV_TCP_CONNECTION_CONFIRMED: return "TcpConnectionConfirmed";
	case BGP_EV_TCP_CONNECTION_FAILS: return "TcpConnectionFails";
	case BGP_EV_BGP_OPEN: return "BGPOpen";
	case BGP_EV_BGP_HEADER_ERR: return "BGPHeaderErr";
	case BGP_EV_BGP_OPEN_MSG_ERR: return "BGPOpenMsgErr";
	case BGP_EV_OPEN_COLLISION_DUMP: return "OpenCollisionDump";
	case BGP_EV_NOTIF_MSG_VER_ERR: return "NotifMsgVerErr";
	case BGP_EV_NOTIF_MSG: return "NotifMsg";
	case BGP_EV_KEEPALIVE_MSG: return "KeepAliveMsg";
	case BGP_EV_UPDATE_MSG: return "UpdateMsg";
	case BGP_EV_UPDATE_MSG_ERR: return "UpdateMsgErr";
	default: return "?";
	}
}
