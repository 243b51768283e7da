/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The renderers of xlbctl's answers, one file per object (show_vip.c,
 * show_backend.c, show_health.c, show_bgp.c and show_bgp_routes.c,
 * show_bfd.c, show_status.c):
 * each writes text for people into `text`, or, when `json` is not NULL,
 * JSON for programs into json (text is not used then), both from the
 * same data. They read the model and the subsystems' accessors and
 * change nothing; handlers.c decides what to show.
 */
#ifndef XLB_CORE_SHOW_H
#define XLB_CORE_SHOW_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "core/xlbd.h"
#include "lib/buf.h"

struct bfd;
struct bgp_speaker;
struct conf_addr;
struct json_writer;

struct flow_scan;

/* `vip show [VIP]`: one VIP (an object, with its backends' flow-table
 * entries counted in `flows`, a pass over the table; NULL: not counted),
 * or with only NULL every VIP (an array). */
void show_vips(struct xlbd *d, const struct rt_vip *only, const struct flow_scan *flows,
	       struct buf *text, struct json_writer *json);
/* `backend show VIP`: v's backends (an array), their flow-table entries
 * as `flows` counted them (NULL: not counted, null in JSON). */
void show_backends(struct xlbd *d, const struct rt_vip *v, const struct flow_scan *flows,
		   struct buf *text, struct json_writer *json);
/* `health show [VIP]`: the checks of one VIP, or of every VIP (an array). */
void show_health(struct xlbd *d, const struct rt_vip *only, struct buf *text,
		 struct json_writer *json);
/* `bgp show`: every neighbor's session (an array). */
void show_bgp(struct bgp_speaker *sp, struct buf *text, struct json_writer *json);
/* `bgp routes [NEIGHBOR]`: what each neighbor (or only that one) has
 * from us, prefix by prefix with its attributes (an array; the JSON shape
 * is at the top of show_bgp_routes.c). Returns 0. */
struct bgp_peer;
int show_bgp_routes(struct bgp_speaker *sp, struct bgp_peer *only, struct buf *text,
		    struct json_writer *json);
/*
 * `bfd show`: into json an object
 *   {"sessions": [{peer, local, state, remote_state, diag, remote_diag,
 *     last_down_diag, local_discriminator, remote_discriminator,
 *     multiplier, remote_multiplier, desired_min_tx_us,
 *     required_min_rx_us, remote_desired_min_tx_us,
 *     remote_required_min_rx_us, tx_interval_us, rx_interval_us,
 *     detect_time_us, poll, source_port, packets_in, packets_out,
 *     send_errors, ups, downs, state_seconds, last_change}...],
 *   "discarded": {"ttl": N, "version": N, ...}}
 * (last_change: Unix time of the last state change), else one block of
 * text per session. peer: only that session (NULL = all). b NULL (no BFD
 * configured): no sessions, nothing discarded.
 */
void show_bfd(struct bfd *b, const struct conf_addr *peer, struct buf *text,
	      struct json_writer *json);
/* `flow show [VIP] [BACKEND] [--limit N]`: an object {flows, matched,
 * shown, limit} from the listing a pass over the table kept (its limit:
 * 0 for all). */
struct xlb_dp_flow;
int show_flows(struct xlbd *d, const struct rt_vip *v, const struct rt_backend *b,
	       const struct flow_scan *flows, struct buf *text, struct json_writer *json);
/* `flow lookup`: where f's tuple goes (an object); v is the VIP it is
 * for. -errno with the reason in err. */
int show_flow_lookup(struct xlbd *d, const struct rt_vip *v, struct xlb_dp_flow *f,
		     struct buf *text, struct json_writer *json, char *err, size_t errlen);
/* `pool show [VIP]` (pool-state etcd): an object {store, vips: [...]}. */
void show_pool(struct xlbd *d, const struct rt_vip *only, struct buf *text,
	       struct json_writer *json);
/* The etcd line of `pool show` and `status`. */
void show_pool_link(struct xlbd *d, struct buf *text);
/* `fleet status` from a view of the cluster's keys (read just now, or
 * the node's own copy when etcd is unreachable: stale). */
struct pool_view;
void show_fleet(struct xlbd *d, const struct pool_view *view, int64_t store_revision, bool stale,
		struct buf *text, struct json_writer *json);
/* `status`: the daemon (an object). */
void show_status(struct xlbd *d, struct buf *text, struct json_writer *json);
/* `stats`: the datapath's counters st[XLB_STAT_MAX] (an object). */
/* The datapath's counters: `stats` (XLB_STAT_MAX), then second chance's
 * `sc_stats` (XLB_SC_STAT_MAX), shown as sc_NAME. */
void show_stats(const __u64 *st, const __u64 *sc, struct buf *text, struct json_writer *json);

#endif
