/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One BFD session's state machine in asynchronous mode (RFC 5880), pure:
 * no sockets, no clock. Events go in (a packet that passed the decoder
 * and the session lookup, the Detection Time passing, a change of the
 * configured timers, administrative control) and come back as actions
 * for bfd.c to carry out (send a Final now, re-arm the timers, tell the
 * client). The timers are derived values the caller reads after each
 * event.
 *
 * What it implements, by RFC 5880 section:
 *   6.2/6.8.6  states AdminDown, Down, Init, Up and the three-way handshake
 *   6.5        the Poll Sequence: P on every packet until an F arrives;
 *              a received P is answered at once with F
 *   6.8.1      the state variables, initialised as the RFC says
 *   6.8.2      transmit interval max(bfd.DesiredMinTxInterval,
 *              bfd.RemoteMinRxInterval); no periodic transmission while
 *              bfd.RemoteMinRxInterval is zero
 *   6.8.3      DesiredMinTxInterval at least 1 s while not Up; any change
 *              of the advertised intervals starts a Poll Sequence; while
 *              Up a larger TX interval, or a smaller RX interval for the
 *              Detection Time, waits until the Final
 *   6.8.4      Detection Time = remote Detect Mult x max(RequiredMinRx,
 *              last received Desired Min TX); on expiry Init/Up go Down
 *              with diag 1 and bfd.RemoteDiscr is cleared
 *   6.8.7      packet contents, jitter (75-100 %, 75-90 % with Detect
 *              Mult 1), no periodic packets while the remote is in Demand
 *              mode (xlb never asks for Demand mode itself)
 *   6.8.12     Detect Mult changes take effect with the next packet
 *   6.8.16     AdminDown with diag 7, and back to Down
 * and RFC 5882 sec 3.2: a session that goes Down because the remote
 * signalled AdminDown does not take the client (BGP) down.
 *
 * Not implemented: the Echo function (Required Min Echo RX is sent as 0),
 * Demand mode on our side, authentication (sec 6.7).
 */
#ifndef XLB_BFD_SESSION_H
#define XLB_BFD_SESSION_H

#include <stdbool.h>
#include <linux/types.h>

#include "bfd/packet.h"

#define BFD_SLOW_TX_US	1000000	/* sec 6.8.3: at least 1 s while not Up */

/* Actions an event asks for (bits, or-ed). */
#define BFD_SM_STATE	(1u << 0)	/* bfd.SessionState changed: send a packet now */
#define BFD_SM_FINAL	(1u << 1)	/* answer a Poll now: a packet with F set */
#define BFD_SM_TIMERS	(1u << 2)	/* transmit interval or Detection Time changed */
#define BFD_SM_CLIENT_DOWN (1u << 3)	/* Up -> Down the client must act on */
#define BFD_SM_POLL_DONE (1u << 4)	/* a Poll Sequence ended with this packet */

struct bfd_sm {
	/* RFC 5880 sec 6.8.1 */
	enum bfd_state state;		/* bfd.SessionState */
	enum bfd_state remote_state;	/* bfd.RemoteSessionState */
	__u32 local_discr;		/* bfd.LocalDiscr, nonzero */
	__u32 remote_discr;		/* bfd.RemoteDiscr, 0 = unknown */
	enum bfd_diag local_diag;	/* bfd.LocalDiag */
	__u32 desired_tx_us;		/* bfd.DesiredMinTxInterval (advertised) */
	__u32 required_rx_us;		/* bfd.RequiredMinRxInterval (advertised) */
	__u32 remote_min_rx_us;		/* bfd.RemoteMinRxInterval, starts at 1 */
	bool remote_demand;		/* bfd.RemoteDemandMode */
	__u8 detect_mult;		/* bfd.DetectMult */
	/* from the last packet received */
	__u32 remote_tx_us;		/* its Desired Min TX Interval */
	__u8 remote_mult;		/* its Detect Mult; 0 = nothing received */
	__u8 remote_diag;		/* its Diag */
	/* configured (the session's wish when Up) */
	__u32 cfg_tx_us;
	__u32 cfg_rx_us;
	/* sec 6.8.3: what is in force until the Poll Sequence ends */
	__u32 tx_used_us;		/* DesiredMinTx that paces our packets */
	__u32 rx_used_us;		/* RequiredMinRx the Detection Time uses */
	bool poll;			/* a Poll Sequence is being transmitted */
};

/* A new session in Down. local_discr nonzero and unique on the system;
 * tx/rx in microseconds (> 0), mult 1..255. */
void bfd_sm_init(struct bfd_sm *sm, __u32 local_discr, __u32 tx_us, __u32 rx_us, __u8 mult);

/* A packet that passed bfd_pkt_decode(), the session lookup and the TTL
 * check (sec 6.8.6 from "Set bfd.RemoteDiscr" on). Every packet that
 * gets here counts as received for the Detection Time. */
unsigned int bfd_sm_rx(struct bfd_sm *sm, const struct bfd_pkt *p);

/* A Detection Time passed without a packet (sec 6.8.4). */
unsigned int bfd_sm_expired(struct bfd_sm *sm);

/* New configured intervals/multiplier (sec 6.8.10-6.8.12). */
unsigned int bfd_sm_set_params(struct bfd_sm *sm, __u32 tx_us, __u32 rx_us, __u8 mult);

/* Administrative control (sec 6.8.16): down with the given diag, or up
 * (AdminDown -> Down). */
unsigned int bfd_sm_admin(struct bfd_sm *sm, bool down, enum bfd_diag diag);

/* The packet to send now (sec 6.8.7); final: the answer to a Poll. */
void bfd_sm_packet(const struct bfd_sm *sm, bool final, struct bfd_pkt *p);

/* Periodic transmit interval before jitter, us; 0 = no periodic packets
 * now (bfd.RemoteMinRxInterval is zero, or the remote is in Demand mode
 * and no Poll is pending). */
__u32 bfd_sm_tx_interval_us(const struct bfd_sm *sm);
/* The negotiated transmit interval whatever Demand mode says (for show). */
__u32 bfd_sm_tx_negotiated_us(const struct bfd_sm *sm);
/* The interval at which the remote sends: max(RequiredMinRx in force,
 * its Desired Min TX); 0 before its first packet. */
__u32 bfd_sm_rx_interval_us(const struct bfd_sm *sm);
/* Detection Time, us; 0 before the first packet (nothing to detect). */
__u64 bfd_sm_detect_us(const struct bfd_sm *sm);
/* interval less the sec 6.8.7 jitter, from a random number rnd. */
__u32 bfd_sm_jitter_us(const struct bfd_sm *sm, __u32 interval_us, __u32 rnd);
/* The same for a Detect Mult of 1 (mult1) or not, without a session. */
__u32 bfd_jitter_us(__u32 interval_us, bool mult1, __u32 rnd);

#endif
