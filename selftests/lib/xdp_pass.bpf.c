// SPDX-License-Identifier: GPL-2.0
/*
 * Pass-through XDP program for the test topologies: a veth only accepts
 * frames another veth sends with XDP_TX/XDP_REDIRECT when it runs an XDP
 * program itself. Real switches and NICs need nothing like it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
