// SPDX-License-Identifier: GPL-2.0
/*
 * xlb balancer: the XDP program on a load-balancer node's uplink.
 *
 * For a packet to a VIP it picks a backend (flow table, else the VIP's
 * Maglev table), encapsulates the untouched packet towards it with the
 * node's own address as outer source, and sends it out. Everything that
 * is not for a VIP passes to the kernel byte-for-byte untouched. Every
 * packet is counted once as an action and, if passed or dropped, under a
 * reason (enum xlb_stat). This file holds only the flow of decisions;
 * see parse.h, hash.h, encap.h, nexthop.h, icmp.h and maps.h.
 *
 * Layout, for the instruction cache: the top level (xlb_balancer) holds
 * what the common packets need — parse, the address filter, established
 * flows, the VIP lookup and the one copy of the sending code — inline;
 * rarer work is in static subprograms (BPF-to-BPF calls) that decide and
 * return to it: choose_backend, choose_no_ports, reply_too_big, nh_fib.
 */
/* vmlinux.h has a typedef named `config`, the name of one of our maps */
#define config vmlinux_config
#include "vmlinux.h"
#undef config
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.h"
#include "parse.h"
#include "hash.h"
#include "encap.h"
#include "nexthop.h"
#include "icmp.h"

char LICENSE[] SEC("license") = "GPL";

/* Count the action, and the reason when there is one. */
static __always_inline int verdict(int action, __u32 reason)
{
	__u32 act = action == XDP_TX	   ? XLB_STAT_TX :
		    action == XDP_REDIRECT ? XLB_STAT_REDIRECT :
		    action == XDP_PASS	   ? XLB_STAT_PASS :
					     XLB_STAT_DROP;

	stat_inc(act);
	if (reason)
		stat_inc(reason);
	return action;
}

/* The backend of `slot` in table `ring_id` of `rings`. */
static __always_inline __u32 ring_read(__u32 ring_id, __u32 slot)
{
	__u32 *be_id;
	void *ring;

	ring = bpf_map_lookup_elem(&rings, &ring_id);
	if (!ring)
		return XLB_BACKEND_NONE;
	be_id = bpf_map_lookup_elem(ring, &slot);
	return be_id ? *be_id : XLB_BACKEND_NONE;
}

/* The slot of `hash` in the VIP's table (XLB_SLOT: the backend, and
 * with second chance the previous table's when another). */
static __always_inline __u32 maglev_pick(const struct xlb_vip *vip, __u32 hash)
{
	__u32 slot;

	if (!vip->ring_size)
		return XLB_BACKEND_NONE;
	slot = hash % vip->ring_size;
	/* the table's second region: the inner map holds two tables */
	if (vip->flags & XLB_VIP_F_RING_HI)
		slot += vip->ring_size;
	return ring_read(vip->ring_id, slot);
}

static __always_inline bool backend_usable(const struct xlb_backend *be, __u32 gen)
{
	return be && (be->flags & XLB_BE_F_PRESENT) && be->gen == gen;
}

/* A TCP segment opening a connection (SYN without ACK). */
static __always_inline bool tcp_syn(const struct pkt *p)
{
	return p->flow.proto == IPPROTO_TCP &&
	       (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

/*
 * Answer a packet too big to encapsulate with ICMP fragmentation-needed
 * or packet-too-big carrying `mtu`. Rare: kept out of the forwarding
 * path's code.
 */
static __noinline int reply_too_big(struct xdp_md *ctx, const struct pkt *p, __u32 mtu)
{
	if (p->flow.family == XLB_FAMILY_V4) {
		/* without DF the sender expects us to fragment, which XDP
		 * cannot do */
		if (!p->df || icmp_too_big_v4(ctx, p, mtu))
			return verdict(XDP_DROP, XLB_STAT_DROP_TOO_BIG);
	} else if (icmp_too_big_v6(ctx, p, mtu)) {
		return verdict(XDP_DROP, XLB_STAT_DROP_TOO_BIG);
	}
	return verdict(XDP_TX, XLB_STAT_TOO_BIG_SENT);
}

/* The second-chance hop of flow `hop` (XLB_FLOW_HOP) for a packet to
 * `be`: present, still the backend it was (its generation's low bits),
 * of the outer family. NULL otherwise: the packet goes without. */
static __always_inline const struct xlb_backend *hop_backend(__u16 hop,
							     const struct xlb_backend *be)
{
	__u32 id = XLB_FLOW_HOP_ID(hop);
	const struct xlb_backend *h = bpf_map_lookup_elem(&backends, &id);

	if (!h || !(h->flags & XLB_BE_F_PRESENT) || (h->gen & 0xf) != XLB_FLOW_HOP_GEN(hop) ||
	    h->family != be->family)
		return NULL;
	return h;
}

/*
 * Encapsulate towards backend `be` (of `fl`) with the VIP's `enc` and
 * send; a flow with a second-chance hop carries it (GUE only). `may_reply`
 * is false for packets that must not be answered with an ICMP error (ICMP
 * errors themselves). Inlined once, at the end of the top level, where
 * every path that forwards ends.
 */
static __always_inline int send_to_backend(struct xdp_md *ctx, const struct pkt *p,
					   const struct xlb_flow *fl, const struct xlb_backend *be,
					   const struct xlb_vip_encap *enc, bool may_reply)
{
	__u64 bytes = ctx->data_end - ctx->data;
	const struct xlb_backend *hop = NULL;
	const struct xlb_config *cfg;
	struct xlb_nexthop nh = {};
	__u32 zero = 0, olen;
	int rc;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg)
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_SOURCE);
	if (be->family == XLB_FAMILY_V4 ? !cfg->has_v4 : !cfg->has_v6)
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_SOURCE);

	if (fl->hop && enc->encap == XLB_ENCAP_GUE)
		hop = hop_backend(fl->hop, be);
	olen = encap_len(be->family, enc->encap, hop);
	rc = nh_resolve(ctx, p, be, olen, &nh);
	if (rc == NH_NO_ROUTE)
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_ROUTE);
	if (rc == NH_TOO_BIG) {
		if (!may_reply)
			return verdict(XDP_DROP, XLB_STAT_DROP_TOO_BIG);
		return reply_too_big(ctx, p, nh.mtu > olen ? nh.mtu - olen : 0);
	}

	if (encap_push(ctx, p, enc, be, cfg, fl->hash, hop))
		return verdict(XDP_DROP, XLB_STAT_DROP_ENCAP);
	traffic_add(&vip_stats, fl->vip_id, bytes);
	traffic_add(&be_stats, fl->backend_id, bytes);
	if (rc == NH_NO_NEIGH)
		return verdict(XDP_PASS, XLB_STAT_PASS_NO_NEIGH);
	rc = nh_send(ctx, &nh);
	/* (nh_send drops only a frame too short for its MACs, which encap
	 * never leaves; counted all the same: every drop has its reason) */
	return verdict(rc, rc == XDP_DROP ? XLB_STAT_DROP_ENCAP : 0);
}

/* What the choosing functions return when they have written the backend
 * to send to into their `fl` (a verdict is >= 0). */
#define SEND		(-1)
#define SEND_NO_REPLY	(-2)	/* the same; an ICMP error: never answered with one */

/* choose_backend()'s `how`: the VIP key's port (network order) in the
 * low 16 bits, and whether the packet is an ICMP error about the flow. */
#define HOW_ICMP_ERROR	(1U << 16)

/*
 * Second chance (README "Second chance"): a TCP segment that is not a SYN
 * and found no flow entry, whose slot had another owner, prev_id, in its
 * VIP's previous table: that owner, if it can take a hop, as the flow's
 * hop (0: none).
 */
static __always_inline __u16 second_chance_hop(const struct pkt *p, __u32 prev_id,
					       const struct xlb_backend *be)
{
	const struct xlb_backend *prev;

	if (prev_id == XLB_BACKEND_NONE || p->flow.proto != IPPROTO_TCP || tcp_syn(p))
		return 0;
	prev = bpf_map_lookup_elem(&backends, &prev_id);
	if (!prev || !(prev->flags & XLB_BE_F_PRESENT) || prev->family != be->family) {
		sc_stat_inc(XLB_SC_STAT_HOP_SKIPPED);
		return 0;
	}
	sc_stat_inc(XLB_SC_STAT_HOP);
	return XLB_FLOW_HOP(prev_id, prev->gen);
}

/*
 * Choose the backend for flow `fk` (client orientation) of `vip` with its
 * Maglev table, into *fl.
 *
 * Flow state is written for a flow's first non-SYN packet, not for its
 * SYN: Maglev already gives every node the same answer for the handshake,
 * and a SYN flood then cannot churn the flow table. A SYN that finds an
 * entry (a reused tuple) overwrites it so the connection's next packets
 * follow the SYN. A flow written with a second-chance hop keeps it in its
 * entry, so all its packets carry it.
 */
static __noinline int choose_backend(const struct pkt *p, const struct xlb_vip *vip,
				     const struct xlb_flow_key *fk, __u32 how, struct xlb_flow *fl)
{
	bool by_src = vip->flags & XLB_VIP_F_HASH_SRC, icmp_error = how & HOW_ICMP_ERROR;
	struct xlb_backend *be;
	struct xlb_flow *known;
	__u32 hash, be_id, slot;

	/* ICMP errors and first fragments did not pass the established
	 * path: the flow they belong to may still be known */
	if ((icmp_error || p->frag) && !(by_src && p->frag)) {
		known = bpf_map_lookup_elem(&flows, fk);
		if (known) {
			be_id = known->backend_id;
			be = bpf_map_lookup_elem(&backends, &be_id);
			if (backend_usable(be, known->backend_gen)) {
				stat_inc(XLB_STAT_FLOW_HIT);
				*fl = *known;
				/* fragments and ICMP errors get no hop: no socket
				 * to look up */
				fl->hop = 0;
				goto chosen;
			}
			stat_inc(XLB_STAT_FLOW_STALE);
		}
	}

	hash = by_src ? hash_src(fk) : hash_flow(fk);
	stat_inc(XLB_STAT_FLOW_MISS);
	slot = maglev_pick(vip, hash);
	be_id = XLB_SLOT_BE(slot);
	be = bpf_map_lookup_elem(&backends, &be_id);
	if (!be_id || !be || !(be->flags & XLB_BE_F_PRESENT))
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_BACKEND);

	fl->backend_id = be_id;
	fl->backend_gen = be->gen;
	fl->hash = hash;
	fl->vip_id = vip->id;
	/* fragments and ICMP errors get no hop: no socket to look up */
	fl->hop = icmp_error || p->frag ? 0 : second_chance_hop(p, XLB_SLOT_PREV(slot), be);
	/* an ICMP error must not create state for a flow we never saw;
	 * source-hashed fragments need none */
	if (!icmp_error && !(by_src && p->frag)) {
		if (!tcp_syn(p))
			bpf_map_update_elem(&flows, fk, fl, BPF_ANY);
		else if (bpf_map_lookup_elem(&flows, fk))
			bpf_map_update_elem(&flows, fk, fl, BPF_EXIST);
	}
chosen:
	/* first fragments tell the later ones where to go */
	if (p->frag && !p->frag_later) {
		struct xlb_frag_key fkey = {
			.src = p->flow.src,
			.dst = p->flow.dst,
			.id = p->frag_id,
			.proto = p->flow.proto,
			.family = p->flow.family,
		};
		struct xlb_flow rec = *fl;

		rec.vip_port = (__be16)how;
		bpf_map_update_elem(&frags, &fkey, &rec, BPF_ANY);
	}
	return icmp_error ? SEND_NO_REPLY : SEND;
}

/* All-ports VIP of the marker's address for `proto`, if there is one. */
static __always_inline struct xlb_vip *vip_any_port(const struct xlb_vip *marker,
						   struct xlb_vip_key *vk, __u8 proto)
{
	__u16 flag = proto == IPPROTO_TCP ? XLB_VIP_F_ANY_TCP :
		     proto == IPPROTO_UDP ? XLB_VIP_F_ANY_UDP : 0;

	if (!(marker->flags & flag))
		return NULL;
	vk->port = 0;
	vk->proto = proto;
	return bpf_map_lookup_elem(&vips, vk);
}

/*
 * A later fragment carries no ports: follow its first fragment, or, for
 * an all-ports source-hashed VIP, hash the source. Otherwise drop: a
 * 5-tuple VIP cannot place it correctly (documented in README).
 */
static __always_inline int choose_fragment(const struct pkt *p, const struct xlb_vip *marker,
					   struct xlb_vip_key *vk, struct xlb_flow *fl)
{
	struct xlb_frag_key fkey = {
		.src = p->flow.src,
		.dst = p->flow.dst,
		.id = p->frag_id,
		.proto = p->flow.proto,
		.family = p->flow.family,
	};
	struct xlb_backend *be;
	struct xlb_flow *first;
	struct xlb_vip *vip;
	__u32 be_id;

	first = bpf_map_lookup_elem(&frags, &fkey);
	if (first) {
		vk->port = first->vip_port;
		vk->proto = p->flow.proto;
		be_id = first->backend_id;
		vip = bpf_map_lookup_elem(&vips, vk);
		be = bpf_map_lookup_elem(&backends, &be_id);
		if (vip && backend_usable(be, first->backend_gen)) {
			stat_inc(XLB_STAT_FRAG_FORWARDED);
			*fl = *first;
			fl->vip_id = vip->id;
			fl->hop = 0;	/* the record's vip_port */
			return SEND;
		}
	}
	vip = vip_any_port(marker, vk, p->flow.proto);
	if (vip && (vip->flags & XLB_VIP_F_HASH_SRC)) {
		stat_inc(XLB_STAT_FRAG_FORWARDED);
		return choose_backend(p, vip, &p->flow, 0, fl);
	}
	return verdict(XDP_DROP, XLB_STAT_DROP_FRAG);
}

/* An ICMP error about a flow a backend sent from the VIP: to the backend
 * that owns the flow. */
static __always_inline int choose_icmp_error(struct xdp_md *ctx, const struct pkt *p,
					     const struct xlb_vip *marker, struct xlb_flow *fl)
{
	struct xlb_flow_key fk = {};
	struct xlb_vip_key vk = {};
	struct xlb_vip *vip;

	if (icmp_embedded_flow(ctx, p, &fk))
		return verdict(XDP_PASS, XLB_STAT_PASS_VIP_OTHER);
	vk.addr = fk.dst;
	vk.family = fk.family;
	vk.port = fk.dport;
	vk.proto = fk.proto;
	vip = bpf_map_lookup_elem(&vips, &vk);
	if (!vip)
		vip = vip_any_port(marker, &vk, fk.proto);
	if (!vip)
		return verdict(XDP_PASS, XLB_STAT_PASS_VIP_OTHER);
	stat_inc(XLB_STAT_ICMP_STEERED);
	return choose_backend(p, vip, &fk, vk.port | HOW_ICMP_ERROR, fl);
}

/*
 * Packets to a VIP address without ports to balance by: truncated or
 * too long a header chain (dropped), later fragments, ICMP errors, other
 * protocols (passed). None of them is common: out of line.
 */
static __noinline int choose_no_ports(struct xdp_md *ctx, const struct pkt *p, int parsed,
				      const struct xlb_vip *marker, struct xlb_flow *fl)
{
	struct xlb_vip_key vk = {};

	switch (parsed) {
	case PARSE_L4_SHORT:
		return verdict(XDP_DROP, XLB_STAT_DROP_L4_TRUNCATED);
	case PARSE_EXT_LONG:
		return verdict(XDP_DROP, XLB_STAT_DROP_EXT_HDR);
	}
	vk.addr = p->flow.dst;
	vk.family = p->flow.family;
	if (p->frag_later)
		return choose_fragment(p, marker, &vk, fl);
	if (icmp_is_error(p))
		return choose_icmp_error(ctx, p, marker, fl);
	return verdict(XDP_PASS, XLB_STAT_PASS_VIP_OTHER);
}

/* false: certainly not a VIP address; true: maybe (the marker decides). */
static __always_inline bool vip_addr_maybe(const struct pkt *p)
{
	__u32 zero = 0, bit = xlb_vip_filter_bit(&p->flow.dst, p->flow.family);
	struct xlb_vip_filter *f = bpf_map_lookup_elem(&vip_filter, &zero);

	if (!f || !f->ready)
		return true;
	return f->bits[(bit >> 6) & (XLB_FILTER_WORDS - 1)] & (1ULL << (bit & 63));
}

/*
 * Top level. The subprograms decide (a verdict, or the backend in fl)
 * and return here, where the one copy of the sending code is: no path
 * makes a call to send, and each subprogram returns before the next is
 * called, so their stacks never add up beyond a few levels.
 */
SEC("xdp")
int xlb_balancer(struct xdp_md *ctx)
{
	struct xlb_vip_encap *enc;
	struct xlb_vip_key vk = {};
	struct xlb_vip *marker, *vip;
	struct xlb_flow fl = {};
	struct xlb_backend *be;
	struct pkt p = {};
	__u32 be_id, vip_id;
	int parsed, rc;

	parsed = parse_packet(ctx, &p);
	switch (parsed) {
	case PARSE_NOT_IP:
		return verdict(XDP_PASS, XLB_STAT_PASS_NOT_IP);
	case PARSE_VLAN:
		return verdict(XDP_PASS, XLB_STAT_PASS_VLAN);
	case PARSE_L3_BAD:
		return verdict(XDP_PASS, XLB_STAT_PASS_L3_MALFORMED);
	}

	/* the node's own traffic, and anything else not for a VIP address,
	 * leaves after one bit of vip_filter */
	if (!vip_addr_maybe(&p))
		return verdict(XDP_PASS, XLB_STAT_PASS_NOT_VIP);

	/* established flows: forwarded from their entry, no VIP lookup
	 * (only flows of VIPs have entries) */
	if (parsed == PARSE_OK && !p.frag && !tcp_syn(&p)) {
		struct xlb_flow *known = bpf_map_lookup_elem(&flows, &p.flow);

		if (known) {
			fl = *known;
			be_id = fl.backend_id;
			vip_id = fl.vip_id;
			be = bpf_map_lookup_elem(&backends, &be_id);
			enc = bpf_map_lookup_elem(&vip_encap, &vip_id);
			if (backend_usable(be, fl.backend_gen) && enc) {
				stat_inc(XLB_STAT_FLOW_HIT);
				rc = SEND;
				goto send;
			}
			stat_inc(XLB_STAT_FLOW_STALE);
		}
	}

	vk.addr = p.flow.dst;
	vk.family = p.flow.family;
	if (parsed == PARSE_OK) {
		vk.port = p.flow.dport;
		vk.proto = p.flow.proto;
		vip = bpf_map_lookup_elem(&vips, &vk);
		if (vip) {
			rc = choose_backend(&p, vip, &p.flow, vk.port, &fl);
			goto out;
		}
		vk.port = 0;
		vk.proto = 0;
	}

	/* no VIP for the port: the address's marker tells whether the
	 * address is a VIP's after all, and which all-ports VIPs it has */
	marker = bpf_map_lookup_elem(&vips, &vk);
	if (!marker)
		return verdict(XDP_PASS, XLB_STAT_PASS_NOT_VIP);
	if (parsed != PARSE_OK) {
		rc = choose_no_ports(ctx, &p, parsed, marker, &fl);
		goto out;
	}
	vip = vip_any_port(marker, &vk, p.flow.proto);
	if (!vip)
		return verdict(XDP_PASS, XLB_STAT_PASS_VIP_OTHER);
	rc = choose_backend(&p, vip, &p.flow, 0, &fl);
out:
	if (rc >= 0)
		return rc;
	be_id = fl.backend_id;
	vip_id = fl.vip_id;
	be = bpf_map_lookup_elem(&backends, &be_id);
	enc = bpf_map_lookup_elem(&vip_encap, &vip_id);
	if (!be || !enc)
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_BACKEND);
send:
	return send_to_backend(ctx, &p, &fl, be, enc, rc == SEND);
}
