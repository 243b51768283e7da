/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbd's BGP speaker: one peer per configured neighbor, all on the event
 * loop. Announce-only: it sends each VIP's host route while xlbd says the
 * VIP is up (one place decides: rt_vip_route()), withdraws it otherwise,
 * and validates then discards whatever the peer sends.
 */
#ifndef XLB_BGP_SPEAKER_H
#define XLB_BGP_SPEAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bgp/fsm.h"
#include "bgp/msg.h"
#include "config/config.h"
#include "lib/buf.h"
#include "lib/evloop.h"

struct bgp_speaker;
struct bfd;
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

struct adj_out;

struct bgp_peer {
	struct bgp_speaker *sp;
	const struct conf_neighbor *conf;
	char name[64];			/* neighbor address as text */
	enum bgp_state state;
	int fd;				/* the BGP connection, -1 = none */
	bool connecting;		/* fd is our connect() in progress */
	struct buf in, out;
	struct ev_timer t_connect_retry, t_hold, t_keepalive, t_idle_hold, t_shutdown;
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

int bgp_speaker_new(struct evloop *el, const struct xlb_conf *conf, bgp_routes_fn routes,
		    void *arg, struct bgp_speaker **out);
void bgp_speaker_free(struct bgp_speaker *sp);
/* The config changed (reload): neighbors added/removed/changed are
 * started/stopped/reset; unchanged ones keep their sessions. */
int bgp_speaker_reconfigure(struct bgp_speaker *sp, const struct xlb_conf *conf);
/* Route states may have changed: send the difference to every peer. */
void bgp_speaker_sync(struct bgp_speaker *sp);
/* Longest drain of any neighbor, ms (how long GSHUT lasts). */
uint32_t bgp_speaker_drain_ms(const struct bgp_speaker *sp);
/* Shut every session down gracefully: GSHUT, wait the drain, Cease.
 * Returns the ms the caller should wait before exiting. */
uint32_t bgp_speaker_shutdown(struct bgp_speaker *sp, const char *text);

struct bgp_peer *bgp_speaker_peer(struct bgp_speaker *sp, const char *addr);
int bgp_peer_admin(struct bgp_peer *p, bool down, const char *text);
/* The peers, in config order (for `xlbctl bgp show`). */
struct bgp_peer *const *bgp_speaker_peers(const struct bgp_speaker *sp, size_t *n);
/* The BFD instance of the neighbors' sessions; NULL when none has `bfd`. */
struct bfd *bgp_speaker_bfd(const struct bgp_speaker *sp);
/* BFD says the path to the neighbor is down: drop the session now. */
void bgp_peer_bfd_down(struct bgp_peer *p, const char *why);

/* Is the host route of `a` inside allowed-prefixes? (checked again at
 * announce time, whatever the config parser said) */
bool bgp_prefix_allowed(const struct xlb_conf *conf, const struct conf_addr *a);

/* peer.c, used by speaker.c */
void bgp_peer_init(struct bgp_peer *p, struct bgp_speaker *sp, const struct conf_neighbor *c);
void bgp_peer_start(struct bgp_peer *p);
void bgp_peer_stop(struct bgp_peer *p, __u8 subcode, const char *text);
void bgp_peer_release(struct bgp_peer *p);
void bgp_peer_incoming(struct bgp_peer *p, int fd);
void bgp_peer_send_routes(struct bgp_peer *p, bool full);
void bgp_peer_sent(struct bgp_peer *p, size_t msgs);
size_t bgp_peer_announced(const struct bgp_peer *p);
int bgp_socket_setup(int fd, const struct conf_neighbor *c, bool ibgp);
int bgp_md5_set(int fd, const struct conf_neighbor *c);

/* speaker.c, used by peer.c */
struct evloop *bgp_speaker_loop(struct bgp_speaker *sp);
const struct xlb_conf *bgp_speaker_conf(struct bgp_speaker *sp);
size_t bgp_speaker_routes(struct bgp_speaker *sp, struct bgp_route **out);

#endif
