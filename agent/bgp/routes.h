/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one peer gets from us (routes.c): its Adj-RIB-Out, brought up to
 * date by UPDATEs for the difference, and the announce rule that holds
 * whatever the config said (allowed-prefixes).
 */
#ifndef XLB_BGP_ROUTES_H
#define XLB_BGP_ROUTES_H

#include "bgp/session.h"

/* Queue on p->out the UPDATEs (and with full, after the whole table, the
 * End-of-RIB) that bring the peer to xlbd's current routes, and record
 * what it has then; *msgs = the messages queued. Nothing outside
 * Established. 0, or -errno with nothing queued. */
int bgp_adj_out_update(struct bgp_peer *p, bool full, size_t *msgs);
/* One prefix of the Adj-RIB-Out and the attributes it was sent with, and
 * the VIP it is for (attrs and vip NULL: an update of it is under way). */
typedef void (*bgp_adj_out_fn)(void *arg, const struct bgp_prefix *pfx,
			       const struct bgp_attrs *attrs, const struct conf_vip *vip);
/* `xlbctl bgp routes`: every prefix the peer has from us, in prefix
 * order (nothing outside Established). 0 or -ENOMEM. */
int bgp_adj_out_walk(struct bgp_peer *p, bgp_adj_out_fn fn, void *arg);
/* Prefixes the peer has from us. */
size_t bgp_peer_announced(const struct bgp_peer *p);
/* Is the host route of `a` inside allowed-prefixes? (checked again at
 * announce time, whatever the config parser said) */
bool bgp_prefix_allowed(const struct xlb_conf *conf, const struct conf_addr *a);

#endif
