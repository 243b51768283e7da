/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The renderers of xlbctl's answers, one file per object (show_vip.c,
 * show_backend.c, show_health.c, show_bgp.c, show_bfd.c, show_status.c):
 * each writes text for people into `text`, or, when `json` is not NULL,
 * JSON for programs into json (text is not used then), both from the
 * same data. They read the model and the subsystems' accessors and
 * change nothing; handlers.c decides what to show.
 */
#ifndef XLB_CORE_SHOW_H
#define XLB_CORE_SHOW_H

#include <linux/types.h>

#include "core/xlbd.h"
#include "lib/buf.h"

struct bfd;
struct bgp_speaker;
struct conf_addr;
struct json_writer;

/* `vip show [VIP]`: one VIP (an object), or with only NULL every VIP (an
 * array). */
void show_vips(struct xlbd *d, const struct rt_vip *only, struct buf *text,
	       struct json_writer *json);
/* `backend show VIP`: v's backends (an array). */
void show_backends(struct xlbd *d, const struct rt_vip *v, struct buf *text,
		   struct json_writer *json);
/* `health show [VIP]`: the checks of one VIP, or of every VIP (an array). */
void show_health(struct xlbd *d, const struct rt_vip *only, struct buf *text,
		 struct json_writer *json);
/* `bgp show`: every neighbor's session (an array). */
void show_bgp(struct bgp_speaker *sp, struct buf *text, struct json_writer *json);
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
 * text per session. peer: only that session (NULL = all).
 */
void show_bfd(struct bfd *b, const struct conf_addr *peer, struct buf *text,
	      struct json_writer *json);
/* `status`: the daemon (an object). */
void show_status(struct xlbd *d, struct buf *text, struct json_writer *json);
/* `stats`: the datapath's counters st[XLB_STAT_MAX] (an object). */
void show_stats(const __u64 *st, struct buf *text, struct json_writer *json);

#endif
