/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The balancer's maps as seen from userspace: load (or adopt) the XDP
 * program, attach it with libxdp, and write VIPs, backends and Maglev
 * tables so that the datapath never reads a half-written state.
 *
 * All functions return 0 or -errno.
 */
#ifndef XLB_MAPS_DATAPLANE_H
#define XLB_MAPS_DATAPLANE_H

#include <stdbool.h>
#include <linux/types.h>
#include "xlb_shared.h"

struct xlb_dp;

enum xlb_dp_mode {
	XLB_DP_MODE_NONE = 0,	/* load only (tests: BPF_PROG_TEST_RUN) */
	XLB_DP_MODE_NATIVE,	/* attach in the driver (XDP_FLAGS_DRV_MODE) */
	XLB_DP_MODE_GENERIC,	/* attach in the stack (XDP_FLAGS_SKB_MODE) */
};

struct xlb_dp_opts {
	const char *pin_root;	/* pin maps here (e.g. /sys/fs/bpf/xlb); NULL = no pins */
	__u32 flow_entries;	/* flows max_entries; 0 = XLB_FLOWS_DEFAULT */
	__u32 frag_entries;	/* frags max_entries; 0 = XLB_FRAGS_DEFAULT */
	int ifindex;		/* attach here when mode != NONE */
	enum xlb_dp_mode mode;
};

int xlb_dp_open(const struct xlb_dp_opts *opts, struct xlb_dp **out);
/* Detach the program this instance attached (or took over). */
int xlb_dp_detach(struct xlb_dp *dp);
/* Free the userspace side. An attached program stays attached and pinned
 * maps stay pinned: the datapath outlives the process that set it up. */
void xlb_dp_close(struct xlb_dp *dp);
/* Removes this instance's pins (and the pin directory if empty). */
int xlb_dp_unpin(struct xlb_dp *dp);

int xlb_dp_prog_fd(const struct xlb_dp *dp);
/* xlb_dp_open found a balancer left running on the interface and
 * replaced it atomically, adopting its pinned maps. */
bool xlb_dp_adopted(const struct xlb_dp *dp);
/* Attached through libxdp's multi-program dispatcher (whose detach needs
 * CAP_SYS_ADMIN), not as the interface's only program. */
bool xlb_dp_uses_dispatcher(const struct xlb_dp *dp);
/* The pin directory, NULL without pins. */
const char *xlb_dp_pin_root(const struct xlb_dp *dp);
/* "native", "generic" or "none" */
const char *xlb_dp_attach_mode(const struct xlb_dp *dp);
/* Call cb for every VIP entry (not the address markers). */
int xlb_dp_vip_foreach(struct xlb_dp *dp,
		       int (*cb)(const struct xlb_vip_key *key, const struct xlb_vip *vip, void *arg),
		       void *arg);
int xlb_dp_map_fd(const struct xlb_dp *dp, const char *name);

int xlb_dp_config_set(struct xlb_dp *dp, const struct xlb_config *cfg);

/* Backends: ids 1 .. XLB_MAX_BACKENDS-1. Setting a backend whose flags
 * lack XLB_BE_F_PRESENT (or deleting it) sends its flows elsewhere.
 * Established flows are forwarded from their flow entry without a VIP
 * lookup: deleting a VIP must delete its backends too. */
int xlb_dp_backend_set(struct xlb_dp *dp, __u32 id, const struct xlb_backend *be);
int xlb_dp_backend_del(struct xlb_dp *dp, __u32 id);
int xlb_dp_backend_get(struct xlb_dp *dp, __u32 id, struct xlb_backend *be);

/* Write `ring` (ring_size slots, XLB_SLOT words; ring_size prime) into
 * the VIP's inactive table slot, then point the VIP entry at it in one
 * map update. vip->id, flags, encap and gue_port come from the caller;
 * ring_id and ring_size are filled in here. */
int xlb_dp_vip_set(struct xlb_dp *dp, const struct xlb_vip_key *key,
		   const struct xlb_vip *vip, const __u32 *ring, __u32 ring_size);

int xlb_dp_vip_del(struct xlb_dp *dp, const struct xlb_vip_key *key);

/* Counters, summed over CPUs. */
int xlb_dp_stats_read(struct xlb_dp *dp, __u64 out[XLB_STAT_MAX]);
int xlb_dp_vip_stats_read(struct xlb_dp *dp, __u32 vip_id, struct xlb_traffic *out);
int xlb_dp_be_stats_read(struct xlb_dp *dp, __u32 backend_id, struct xlb_traffic *out);
int xlb_dp_sc_stats_read(struct xlb_dp *dp, __u64 out[XLB_SC_STAT_MAX]);
extern const char *const xlb_stat_names[XLB_STAT_MAX];
extern const char *const xlb_sc_stat_names[XLB_SC_STAT_MAX];
/* Map writes (updates, deletes, table fills) this process has made. */
__u64 xlb_dp_map_writes(void);

#endif
