// SPDX-License-Identifier: GPL-2.0
/*
 * Baseline for the datapath benchmark (selftests/bench/bench_datapath.c):
 * the least an XDP load balancer has to do. It parses Ethernet, IPv4 and
 * TCP with the same bounds checks the verifier demands of xlb, reads the
 * ports and sends the frame back out unchanged. xlb's cost is reported as
 * a multiple of this one's, measured the same way in the same run.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int bench_baseline(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct tcphdr *th;
	__u32 ihl;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	ihl = iph->ihl;
	if (iph->version != 4 || ihl < 5 || iph->protocol != IPPROTO_TCP)
		return XDP_PASS;
	th = (void *)iph + ihl * 4;
	if ((void *)(th + 1) > data_end)
		return XDP_PASS;
	/* the ports are what a balancer hashes; port 0 is never valid, and
	 * testing for it keeps the loads in the program */
	if (!th->source || !th->dest)
		return XDP_DROP;
	return XDP_TX;
}

/* The floor: what BPF_PROG_TEST_RUN's timing reports for a program that
 * does nothing (clock read, bottom-half disable, the call itself). It is
 * part of every number the benchmark prints and is shown next to them. */
SEC("xdp")
int bench_empty(struct xdp_md *ctx)
{
	return XDP_TX;
}
