// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic generator of the forwarding benchmark (bench_forward.c), run
 * with BPF_PROG_TEST_RUN in live-frames mode on one veth: every frame it
 * returns XDP_TX for is transmitted out of that veth to its peer, where
 * the program under test is attached.
 *
 * Live-frames mode recycles its pages without restoring their contents,
 * and the program under test rewrites the frame (xlb writes its outer
 * header over the old Ethernet header), so each frame is written whole
 * from the template, then given the source port of the next of `nflows`
 * flows, round robin (TCP checksum adjusted, RFC 1624 eqn 3).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TMPL_WORDS	9	/* 72 bytes: the frame, zero-padded */

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 tmpl[TMPL_WORDS];	/* the frame (exactly this long) */
const volatile __u32 sport_off;		/* offset of the TCP source port */
const volatile __u32 csum_off;		/* offset of the TCP checksum */
const volatile __u16 sport_base;	/* host order: the template's port */
__u32 nflows;				/* ports sport_base .. + nflows - 1; set
					 * between runs through the skeleton */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seq SEC(".maps");

SEC("xdp")
int trafficgen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, sum;
	__u16 port, *p, *c;
	__u64 *n;
	int i;

	if (data + 8 * TMPL_WORDS > data_end || sport_off > 64 || csum_off > 64)
		return XDP_ABORTED;
#pragma unroll
	for (i = 0; i < TMPL_WORDS; i++)
		((__u64 *)data)[i] = tmpl[i];
	n = bpf_map_lookup_elem(&seq, &zero);
	if (!n || !nflows)
		return XDP_ABORTED;
	port = sport_base + (__u16)(*n % nflows);
	(*n)++;
	p = data + sport_off;
	c = data + csum_off;
	if ((void *)(p + 1) > data_end || (void *)(c + 1) > data_end)
		return XDP_ABORTED;
	*p = bpf_htons(port);
	sum = (__u16)~bpf_ntohs(*c) + (__u16)~sport_base + port;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*c = bpf_htons(~sum & 0xffff);
	return XDP_TX;
}
