/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backend side (bpf/decap.bpf.c, maps/decap.c): load the decap program
 * and attach it to a device through libxdp with its maps pinned under
 * pin_root, then add the local outer addresses it accepts, and read its
 * counters. For a backend without tunnel devices (`xlb-setup decap
 * IFACE`, `xlb-setup decap-stats`).
 *
 * All functions return 0 or -errno.
 */
#ifndef XLB_MAPS_DECAP_H
#define XLB_MAPS_DECAP_H

#include <linux/types.h>
#include "xlb_shared.h"

int xlb_decap_attach(int ifindex, const char *pin_root, __be16 gue_port);
int xlb_decap_addr_add(const char *pin_root, const struct xlb_decap_key *key);
/* decap_stats / decap_sc_stats pinned under pin_root, summed over CPUs. */
int xlb_decap_stats_read(const char *pin_root, __u64 out[XLB_DECAP_STAT_MAX]);
int xlb_decap_sc_stats_read(const char *pin_root, __u64 out[XLB_DECAP_SC_MAX]);
extern const char *const xlb_decap_stat_names[XLB_DECAP_STAT_MAX];
extern const char *const xlb_decap_sc_names[XLB_DECAP_SC_MAX];

#endif
