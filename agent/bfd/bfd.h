/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BFD for xlbd (RFC 5880 asynchronous mode over RFC 5881 single-hop
 * IPv4/IPv6), one session per BGP neighbor with `bfd` configured, all on
 * the event loop.
 *
 * Sockets: one receive socket per address family, bound to UDP port 3784
 * on any address and opened with the first session of that family;
 * packets whose TTL/hop limit is not 255 are discarded (RFC 5881 sec 5,
 * read with IP_RECVTTL / IPV6_RECVHOPLIMIT). Each session sends from a
 * socket of its own bound to a source port from 49152-65535 that no other
 * socket on the system holds (RFC 5881 sec 4), with TTL 255 and DSCP CS6.
 * A packet finds its session by Your Discriminator, or when that is zero
 * by source address; either way the source must be the session's peer.
 *
 * Timers: the periodic transmission (jittered, sec 6.8.7; 1 s while not
 * Up, sec 6.8.3), the Detection Time (sec 6.8.4), a packet at once on
 * every state change and for every Poll received (the Final).
 *
 * Timing, so that 3 x 20 ms holds on a busy host: BFD has a timer of its
 * own (a timerfd, microseconds, absolute: no timer slack applies to it)
 * armed to the earliest due time of all sessions, and the loop treats it
 * and the receive sockets as priority fds (evloop.h): they run before the
 * other fds and timers of a round and again after every other callback,
 * so other work delays BFD by one callback at most. The Detection Time
 * runs from each packet's arrival time as the kernel stamped it
 * (SO_TIMESTAMPNS), and the sockets are drained before a session is
 * declared Down: a packet that arrived in time is never counted missing
 * because xlbd read it late. Packets leave with DSCP CS6 and the socket
 * priority TC_PRIO_CONTROL (the host's own queues). What this cannot
 * help: one callback that runs longer than the remote's Detection Time
 * (a reload building thousands of Maglev tables) delays our packets by
 * that long, and the CPU scheduler decides when xlbd runs at all.
 *
 * Destroying a session that is Init or Up keeps it a little while in
 * AdminDown (diag 7) sending at its last rate (1 s at most) for one
 * Detection Time of the remote's (10 s at most), so the remote sees an
 * administrative stop rather than a failure (RFC 5882 sec 3.2: its BGP
 * then stays up; BIRD and FRR do); its callback no longer fires and the
 * handle is gone at once. A new session for the same peer ends the
 * lingering one.
 *
 * Not covered: the Echo function, Demand mode of our own, authentication
 * (RFC 5880 sec 6.7: packets with the A bit are discarded), multihop
 * (RFC 5883), IPv6 link-local peers (no interface in struct conf_addr).
 */
#ifndef XLB_BFD_H
#define XLB_BFD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <netinet/in.h>

#include "bfd/packet.h"
#include "config/config.h"
#include "lib/evloop.h"

struct bfd;
struct bfd_session;

/* Ports for tests (two instances on one host); 0 = 3784 for both. */
struct bfd_opts {
	uint16_t port;		/* where this instance receives */
	uint16_t peer_port;	/* where it sends */
};

/*
 * The session went Down after having been Up, for a reason the client
 * must act on: the Detection Time passed (diag 1) or the remote said Down
 * (diag 3). Not called when the remote signalled AdminDown (RFC 5882
 * sec 3.2), nor for a session the client destroys. The callback may
 * destroy this session (not the struct bfd).
 */
typedef void (*bfd_down_fn)(void *arg, struct bfd_session *s, enum bfd_diag diag);

/* Every state change of every session, before the down callback (for
 * tools and tests; xlbd needs only the down callback). It must not
 * destroy sessions. */
typedef void (*bfd_notify_fn)(void *arg, struct bfd_session *s, enum bfd_state old);

/* opts may be NULL. Opens no socket yet. */
int bfd_new(struct evloop *el, const struct bfd_opts *opts, struct bfd **out);
void bfd_set_notify(struct bfd *b, bfd_notify_fn fn, void *arg);
/* Every session (lingering ones too) sends one AdminDown if Init/Up,
 * then everything is closed and freed. */
void bfd_free(struct bfd *b);

/*
 * Start a session with peer (the BGP neighbor address). local: the
 * source address (the neighbor's local-address), NULL or family 0 = the
 * kernel's choice. cfg->enabled is not looked at; intervals in ms,
 * multiplier 1..255. Returns 0, -EEXIST (a session for peer exists),
 * -EAFNOSUPPORT (local of the other family), -EADDRINUSE (port 3784 held
 * by another program, or no free source port), -ENOMEM or another -errno
 * from the sockets.
 */
int bfd_session_new(struct bfd *b, const struct conf_addr *peer, const struct conf_addr *local,
		    const struct conf_bfd *cfg, bfd_down_fn down, void *arg,
		    struct bfd_session **out);
/* New intervals/multiplier (a reload): a Poll Sequence carries them to
 * the peer (RFC 5880 sec 6.5, 6.8.3); the session stays Up. */
int bfd_session_set(struct bfd_session *s, const struct conf_bfd *cfg);
/* Stop the session (see the top of this file); s is invalid after. */
void bfd_session_destroy(struct bfd_session *s);

struct bfd_session *bfd_session_find(struct bfd *b, const struct conf_addr *peer);
enum bfd_state bfd_session_state(const struct bfd_session *s);
/* For tests and show: the state machine (read only). */
const struct bfd_sm *bfd_session_sm(const struct bfd_session *s);

struct bfd_session_stats {
	uint64_t pkts_in;		/* packets that reached the state machine */
	uint64_t pkts_out;
	uint64_t send_errors;
	uint32_t ups;			/* times it reached Up */
	uint32_t downs;			/* times it left Up */
	uint32_t downs_detected;	/* of those, by our own Detection Time */
	uint32_t late_deliveries;	/* a packet stamped before a Detection Time that ran
					 * out, delivered to the socket after it */
	enum bfd_diag last_down_diag;	/* why it last left Up */
	uint64_t last_change_ms;	/* monotonic (evloop) time of the last state change */
	/* margins while Up (how close to a Detection Time it came), us:
	 * the longest wait between two packets from the peer by their
	 * arrival times, and between two of our periodic packets */
	uint64_t max_rx_gap_us;
	uint64_t max_tx_gap_us;
	uint64_t pkts_held;		/* periodic packets not sent: xlbd's loop stalled (tx.h) */
};
void bfd_session_stats(const struct bfd_session *s, struct bfd_session_stats *st);

/* For show: the sessions in creation order, lingering ones left out;
 * NULL after the last. */
const struct bfd_session *bfd_session_next(const struct bfd *b, const struct bfd_session *prev);

/* What show says of a session besides its state machine and counters. */
struct bfd_session_info {
	const char *name;		/* the peer as text (valid while s is) */
	char local[INET6_ADDRSTRLEN];	/* its source address; "" = the kernel's choice */
	uint16_t src_port;		/* the UDP port it sends from */
	uint64_t state_ms;		/* since the last state change */
	time_t last_change;		/* wall clock of that change */
};
void bfd_session_info(const struct bfd_session *s, struct bfd_session_info *info);

/* The periodic sender runs at real-time priority: 1, 0 not, -1 not known yet. */
int bfd_sender_realtime(const struct bfd *b);

/* Packets discarded for reason e since bfd_new(). */
uint64_t bfd_discarded(const struct bfd *b, enum bfd_pkt_err e);


#endif
