/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pass over the flow table spread over loop turns (flow_scan.c). A full
 * table takes ~0.1 s to read: `backend show` read it in one go, and every
 * poll of a monitoring script stalled xlbd — its BFD and BGP timers, its
 * checks, other xlbctl answers — for that long. A pass reads a slice per
 * turn instead; the answer that needs it is deferred until it is done.
 */
#ifndef XLB_CORE_FLOW_SCAN_H
#define XLB_CORE_FLOW_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "core/model.h"
#include "xlb_shared.h"

struct xlbd;
struct xlb_dp_flow;

/* Which entries a listing takes: of one VIP id (vip < 0: any) and one
 * backend id (be 0: any), the first `limit` of them (0: all); the others
 * are only counted as matched. */
struct flow_scan_list {
	int vip;
	__u32 be;
	__u32 limit;
};

/* What a pass found. */
struct flow_scan {
	/* entries per backend id, of the generation the id had when the
	 * pass began (entries of an earlier backend with that id are not
	 * counted) */
	__u32 gen[XLB_MAX_BACKENDS];
	__u32 count[XLB_MAX_BACKENDS];
	/* a listing (when asked for), the entries it takes in table order */
	bool list;
	struct flow_scan_list want;
	struct xlb_dp_flow *entries;
	size_t n_entries, cap_entries;
	__u64 matched;
};

/* The pass is over (err 0, the table read to its end) or failed (-errno):
 * s is valid for the time of the call. */
typedef void (*flow_scan_done_fn)(struct xlbd *d, const struct flow_scan *s, int err, void *arg);

/*
 * Start a pass; `done` is called from the loop once it is over. With a
 * `list` (NULL: counts only) it keeps a listing too. -EBUSY when
 * FLOW_SCANS_MAX passes run already, -ENODEV without a datapath.
 */
int flow_scan_start(struct xlbd *d, const struct flow_scan_list *list, flow_scan_done_fn done,
		    void *arg);
/* Cancel every pass (exit); their `done` is called with -ECANCELED. */
void flow_scan_cancel_all(struct xlbd *d);
/* Entries the pass counted for b (0 when b's id was given to it after
 * the pass began). */
__u32 flow_scan_count(const struct flow_scan *s, const struct rt_backend *b);

#endif
