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

#include "bgp/peer.h"
#include "bgp/routes.h"
#include "bgp/session.h"
#include "config/config.h"
#include "lib/buf.h"
#include "lib/evloop.h"

struct bgp_speaker;
struct bfd;

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
/* The peers, in config order (for `xlbctl bgp show`). */
struct bgp_peer *const *bgp_speaker_peers(const struct bgp_speaker *sp, size_t *n);
/* The BFD instance of the neighbors' sessions; NULL when none has `bfd`. */
struct bfd *bgp_speaker_bfd(const struct bgp_speaker *sp);

#endif
