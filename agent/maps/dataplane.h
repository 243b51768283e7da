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
#include <stddef.h>
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
/* The same, address markers (proto 0) included. */
int xlb_dp_vip_foreach_all(struct xlb_dp *dp,
			   int (*cb)(const struct xlb_vip_key *key, const struct xlb_vip *vip,
				     void *arg),
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

/*
 * The same in parts, for a caller that keeps its own model of what the
 * maps hold (xlbd) and writes many entries at once. Batch writes use
 * BPF_MAP_UPDATE_BATCH where the kernel has it. The address markers are
 * the caller's to write here (xlb_dp_vip_set keeps them itself).
 */
int xlb_dp_config_get(struct xlb_dp *dp, struct xlb_config *cfg);
int xlb_dp_backends_write(struct xlb_dp *dp, const __u32 *ids, const struct xlb_backend *bes,
			  size_t n);
/* Every entry of `backends` (XLB_MAX_BACKENDS of them) into all. */
int xlb_dp_backends_read(struct xlb_dp *dp, struct xlb_backend *all);
int xlb_dp_vip_get(struct xlb_dp *dp, const struct xlb_vip_key *key, struct xlb_vip *vip);
int xlb_dp_vips_write(struct xlb_dp *dp, const struct xlb_vip_key *keys,
		      const struct xlb_vip *vals, size_t n);
int xlb_dp_vips_delete(struct xlb_dp *dp, const struct xlb_vip_key *keys, size_t n);
int xlb_dp_encaps_write(struct xlb_dp *dp, const __u32 *vip_ids,
			const struct xlb_vip_encap *encs, size_t n);
int xlb_dp_encap_get(struct xlb_dp *dp, __u32 vip_id, struct xlb_vip_encap *enc);
/* Write ring (ring_size ids) as VIP vip_id's table, in the region of its
 * map that `cur` (the VIP's entry now, NULL if none) does not use, or in
 * a new map staged for its other slot of `rings` (no map of this size
 * yet); next gets the entry's id, ring_id, ring_size and the region bit
 * in flags (its other flags are kept). fp is kept with the table: a
 * fingerprint of what it was built from (maglev_inputs_hash), 0 for
 * none. The switch is the caller's: after xlb_dp_tables_commit(), one
 * update of the VIP entry. */
int xlb_dp_table_write(struct xlb_dp *dp, const struct xlb_vip *cur, __u32 vip_id,
		       const __u32 *ring, __u32 ring_size, __u64 fp, struct xlb_vip *next);
/* The fingerprint written with the table the VIP entry vip points at
 * (fp of xlb_dp_table_write; 0 for tables written without one). -ENOENT
 * when the map is not known or has no room for one (a map from an xlbd
 * before fingerprints). */
int xlb_dp_table_fp(struct xlb_dp *dp, const struct xlb_vip *vip, __u64 *fp);
/* The maps staged for `rings` into it, in one batch update (one RCU grace
 * period however many there are). Before the VIP entries that use them. */
int xlb_dp_tables_commit(struct xlb_dp *dp);
/* The maps of a VIP id that is given up (its entry deleted first) make
 * room for one-slot ones, at the next commit. */
int xlb_dp_table_release(struct xlb_dp *dp, __u32 vip_id);
/* Open and map the tables a running datapath holds (start-up: needs
 * CAP_SYS_ADMIN to open maps by id). */
int xlb_dp_tables_adopt(struct xlb_dp *dp);
/* The table the VIP entry vip points at (vip->ring_size ids) into out. */
int xlb_dp_table_read(struct xlb_dp *dp, const struct xlb_vip *vip, __u32 *out);

/* `vip_filter` with the bits of exactly these addresses (the markers'
 * keys), written if that changes it. A caller writing markers itself
 * sets the bits of new addresses before their markers and clears those
 * of gone ones after. */
int xlb_dp_filter_set(struct xlb_dp *dp, const struct xlb_vip_key *addrs, size_t n);

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
