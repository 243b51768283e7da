/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps of the balancer (bpf/xlb.bpf.c). Keys and values are defined in
 * include/xlb_shared.h; the agent pins every map by its name under the
 * node's pin root (default /sys/fs/bpf/xlb) and adopts them on restart.
 */
#ifndef XLB_BPF_MAPS_H
#define XLB_BPF_MAPS_H

#include "xlb_shared.h"

/* VIPs and address markers. Not preallocated: an update replaces the
 * element under RCU, so a reader never sees a half-written value. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_VIPS * 2);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xlb_vip_key);
	__type(value, struct xlb_vip);
} vips SEC(".maps");

/* Addresses that may be a VIP's (include/xlb_shared.h): checked first. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_vip_filter);
} vip_filter SEC(".maps");

/* Per-VIP settings established flows need, indexed by VIP id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xlb_vip_encap);
} vip_encap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend);
} backends SEC(".maps");

/* A VIP's Maglev tables: ring slot -> backend id, two tables of the
 * VIP's size in one map (slots 0..size-1 and size..2*size-1; the VIP
 * entry's XLB_VIP_F_RING_HI says which is active). BPF_F_INNER_MAP lets
 * each VIP have its own (prime) size; BPF_F_MMAPABLE lets the agent fill
 * the inactive table through a mapping, then switch the VIP entry to it
 * in one update: a table change costs no update of `rings` (each of
 * which waits for an RCU grace period). A map holding one table of the
 * size (one written before the two-table layout) is read as its first
 * region. */
struct ring {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_RING_DEFAULT);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u32);
};

/* Two map slots per VIP (id * 2 + 0/1); the VIP entry names the one in
 * use. The other takes a new map when the VIP's table size changes (a
 * new VIP, a new ring-size), so the switch stays one VIP update. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XLB_RING_SLOTS);
	__type(key, __u32);
	__array(values, struct ring);
} rings SEC(".maps");

/* Connection table. BPF_F_NO_COMMON_LRU gives each CPU its own LRU list
 * (no cross-core lock on the hot path) while lookups see every flow, so
 * a flow keeps its backend even if RSS moves it to another core. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_FLOWS_DEFAULT);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct xlb_flow_key);
	__type(value, struct xlb_flow);
} flows SEC(".maps");

/* First fragments seen, so later fragments (no ports) follow them. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_FRAGS_DEFAULT);
	__type(key, struct xlb_frag_key);
	__type(value, struct xlb_flow);
} frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Second chance's counters (enum xlb_sc_stat): a map of their own, so
 * that `stats` keeps its layout. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_SC_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xlb_traffic);
} vip_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_traffic);
} be_stats SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline void sc_stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&sc_stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline void traffic_add(void *map, __u32 idx, __u64 bytes)
{
	struct xlb_traffic *t = bpf_map_lookup_elem(map, &idx);

	if (t) {
		t->packets++;
		t->bytes += bytes;
	}
}

#endif
