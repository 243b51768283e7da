/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One BGP session's life (peer.c): started, stopped, handed an accepted
 * connection, told to send its routes, shut down gracefully or by BFD.
 * The speaker drives these; the session's state is in session.h.
 */
#ifndef XLB_BGP_PEER_H
#define XLB_BGP_PEER_H

#include "bgp/session.h"

/* p starts Idle with its loop, config and route source in env. */
void bgp_peer_init(struct bgp_peer *p, struct bgp_env *env, const struct conf_neighbor *c);
void bgp_peer_start(struct bgp_peer *p);
/* Cease with this subcode (and RFC 8203 text), drop the connection. */
void bgp_peer_stop(struct bgp_peer *p, __u8 subcode, const char *text);
/* Everything the peer holds (timers, socket, buffers); p itself stays. */
void bgp_peer_release(struct bgp_peer *p);
/* A connection the speaker accepted from this neighbor. */
void bgp_peer_incoming(struct bgp_peer *p, int fd);
/* Send what the peer is missing of xlbd's routes (full: the whole table,
 * as after Established or a ROUTE-REFRESH). */
void bgp_peer_send_routes(struct bgp_peer *p, bool full);
/* Graceful shutdown (RFC 8326): every route with GRACEFUL_SHUTDOWN for
 * the drain time, then a Cease. Returns the ms until the Cease. */
uint32_t bgp_peer_graceful_stop(struct bgp_peer *p, const char *text);
/* `xlbctl bgp neighbor shutdown|enable` */
int bgp_peer_admin(struct bgp_peer *p, bool down, const char *text);
/* BFD says the path to the neighbor is down: drop the session now. */
void bgp_peer_bfd_down(struct bgp_peer *p, const char *why);
/* TCP-MD5 key, TTL/GTSM and latency options of the neighbor on fd. */
int bgp_socket_setup(int fd, const struct conf_neighbor *c, bool ibgp);
/* TCP-MD5 key for this neighbor on fd (a connecting or listening socket). */
int bgp_md5_set(int fd, const struct conf_neighbor *c);

#endif
