// SPDX-License-Identifier: GPL-2.0
/*
 * Receiver of the forwarding benchmark (bench_forward.c), attached to the
 * generator's veth: counts what the program under test sent back and
 * drops it. counts[0]: every frame; counts[1]: frames that are IPv4 in
 * IPv4 (protocol 4, what xlb makes of the benchmark's traffic).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &idx);

	if (v)
		*v += 1;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	count(0);
	if ((void *)(iph + 1) <= data_end && eth->h_proto == bpf_htons(0x0800) &&
	    iph->protocol == 4)
		count(1);
	return XDP_DROP;
}
