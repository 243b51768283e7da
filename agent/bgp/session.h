/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One BGP session's state (struct bgp_peer), shared by the two files that
 * work on it: peer.c (the connection and the FSM's actions) and routes.c
 * (what the peer has from us, its Adj-RIB-Out). The speaker (speaker.c)
 * owns the peers; what a peer needs from it is given at init as a struct
 * bgp_env, so neither file calls back into the speaker.
 *
 * Every log line about a peer goes through log_peer_*, which names the
 * peer the same way: "neighbor ADDRESS: ...".
 */
#ifndef XLB_BGP_SESSION_H
#define XLB_BGP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bgp/fsm.h"
#include "bgp/msg.h"
#include "config/config.h"
#include "lib/buf.h"
#include "lib/evloop.h"
#include "lib/log.h"

struct bfd_session;

/* What the speaker should do with one VIP's route, decided by xlbd. */
enum bgp_route_state {
	BGP_ROUTE_WITHDRAWN = 0,
	BGP_ROUTE_ANNOUNCED,
	BGP_ROUTE_GSHUT,	/* announced with GRACEFUL_SHUTDOWN (RFC 8326) before withdrawal */
};

struct bgp_route {
	const struct conf_vip *vip;
	enum bgp_route_state state;
};

/* xlbd's side: fill `out` (capacity n) with every VIP's route state;
 * returns how many. */
typedef size_t (*bgp_routes_fn)(void *arg, struct bgp_route *out, size_t n);

/* What every peer needs from the speaker that owns it, given at init
 * (bgp_peer_init). The speaker keeps it current (a reload replaces conf);
 * the peers only read it, and fill routes through routes_fn. */
struct bgp_env {
	struct evloop *el;
	const struct xlb_conf *conf;	/* router-id, local-as, allowed-prefixes, encap-source */
	bgp_routes_fn routes_fn;	/* xlbd's route states */
	void *routes_arg;
	struct bgp_route *routes;	/* routes_fn's buffer, shared by the peers */
	size_t cap_routes;
};

struct adj_out;

struct bgp_peer {
	struct bgp_env *env;
	const struct conf_neighbor *conf;
	char name[64];			/* neighbor address as text */
	enum bgp_state state;
	int fd;				/* the BGP connection, -1 = none */
	bool connecting;		/* fd is our connect() in progress */
	int closing_fd;			/* a closed session's socket, half-closed
					 * until the peer's FIN (or t_closing) */
	struct ev_timer t_closing;
	struct buf in, out;
	struct ev_timer t_connect_retry, t_hold, t_keepalive, t_idle_hold, t_shutdown;
	struct ev_timer t_read_pause;	/* reading paused: the peer used its share */
	bool read_paused;
	bool want_write;		/* EPOLLOUT asked for */
	uint32_t backoff_ms;		/* automatic restart delay, doubles on failures */
	bool admin_down;		/* `xlbctl bgp neighbor shutdown` */
	bool shutting_down;		/* draining before the Cease */
	char shutdown_text[128];	/* RFC 8203 message for the Cease */
	struct bgp_err err;		/* the NOTIFICATION the current event carries */
	__u8 rx_type;			/* type of the message being handled, 0 = none */
	struct bgp_open remote;		/* the peer's OPEN */
	uint16_t hold_time;		/* negotiated, seconds */
	bool as4, mp_v4, mp_v6;		/* negotiated */
	/* local end of the session */
	struct conf_addr local;
	struct conf_addr local_ll;	/* IPv6 link-local of the same interface */
	/* what the peer has from us: prefix -> attribute signature */
	struct adj_out *adj;
	size_t n_adj, cap_adj;
	/* VIPs xlbd announces that this session does not carry, at the last
	 * sync: their family not negotiated / no next hop of their family
	 * (an IPv6 VIP over an IPv4 session without encap-source or next-hop) */
	size_t unsent_family, unsent_next_hop;
	/* counters and history for `xlbctl bgp show` */
	uint64_t msgs_in, msgs_out, updates_in, prefixes_received;
	uint64_t established, dropped;	/* times the session came up / went down from Established */
	time_t state_since;		/* wall clock of the last state change */
	uint32_t failures;		/* consecutive failed attempts */
	bool has_last_error;
	struct bgp_err last_error;	/* last NOTIFICATION we sent, or a local error text */
	bool has_last_notif;
	struct bgp_notification last_notif; /* last one received */
	struct bfd_session *bfd;	/* with `bfd` configured */
};

#define log_peer_info(p, fmt, ...) log_info("neighbor %s: " fmt, (p)->name, ##__VA_ARGS__)
#define log_peer_warnx(p, fmt, ...) log_warnx("neighbor %s: " fmt, (p)->name, ##__VA_ARGS__)
#define log_peer_debug(p, fmt, ...) log_debug("neighbor %s: " fmt, (p)->name, ##__VA_ARGS__)

#endif
