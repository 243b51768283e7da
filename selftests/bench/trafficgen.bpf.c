// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic generators of the forwarding benchmark (bench_forward.c). Both
 * send frames out of one veth to its peer, where the program under test
 * is attached, and write every frame whole from the template, then give
 * it the source port of the next of `nflows` flows, round robin (TCP
 * checksum adjusted, RFC 1624 eqn 3).
 *
 * - trafficgen: run with BPF_PROG_TEST_RUN in live-frames mode on the
 *   veth; every frame it returns XDP_TX for is transmitted. Live-frames
 *   mode recycles its pages without restoring their contents, hence the
 *   whole write.
 * - bouncer: where the kernel refuses live frames. Attached to the veth
 *   itself, it receives what the program under test sent back, counts
 *   it, turns it back into a template frame (cutting what the program
 *   put in front: xlb's outer header) and sends it to the peer again with
 *   XDP_TX, until it has sent `bounce_limit` frames back; then it drops
 *   them. The benchmark puts a few frames in flight with a packet socket
 *   and they go back and forth through native XDP on both ends.
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
__u64 bounce_limit;			/* bouncer: frames sent back per CPU, at
					 * most (set before each run) */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seq SEC(".maps");

/* bouncer: counts[0] every frame received, counts[1] those that are IPv4
 * in IPv4 (what xlb makes of the benchmark's traffic), counts[2] those
 * sent back, counts[3] those too short to be a template frame */
enum { CNT_RX, CNT_IPIP, CNT_BOUNCED, CNT_SHORT, CNT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline __u64 *counter(__u32 idx)
{
	return bpf_map_lookup_elem(&counts, &idx);
}

/* Write the template frame at the start of the frame, with the next
 * flow's source port. XDP_TX, or XDP_ABORTED if it does not fit. */
static __always_inline int frame_write(struct xdp_md *ctx)
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

SEC("xdp")
int trafficgen(struct xdp_md *ctx)
{
	return frame_write(ctx);
}

SEC("xdp")
int bouncer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u64 *rx = counter(CNT_RX), *ipip = counter(CNT_IPIP), *bounced = counter(CNT_BOUNCED);
	__u64 *shrt = counter(CNT_SHORT);
	long extra = (long)(data_end - data) - 8 * TMPL_WORDS;

	if (!rx || !ipip || !bounced || !shrt)
		return XDP_ABORTED;
	(*rx)++;
	if ((void *)(iph + 1) <= data_end && eth->h_proto == bpf_htons(0x0800) &&
	    iph->protocol == 4)
		(*ipip)++;
	if (extra < 0) {
		(*shrt)++;
		return XDP_DROP;
	}
	if (*bounced >= bounce_limit)
		return XDP_DROP;
	/* what the program under test put in front goes; called for every
	 * frame, with 0 for an unchanged one, so that the generator costs
	 * the same whatever the program under test did */
	if (bpf_xdp_adjust_head(ctx, (int)extra))
		return XDP_DROP;
	(*bounced)++;
	return frame_write(ctx);
}
