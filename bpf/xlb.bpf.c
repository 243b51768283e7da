// SPDX-License-Identifier: GPL-2.0
/*
 * xlb balancer: the XDP program on a load-balancer node's uplink.
 *
 * For a packet to a VIP it picks a backend (flow table, else the VIP's
 * Maglev table), encapsulates the untouched packet towards it with the
 * node's own address as outer source, and sends it out. Everything that
 * is not for a VIP passes to the kernel byte-for-byte untouched. Every
 * packet is counted once as an action and, if passed or dropped, under a
 * reason (enum xlb_stat). This file holds only the top-level flow; see
 * parse.h, hash.h, encap.h, nexthop.h, icmp.h and maps.h.
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

static __always_inline __u32 maglev_pick(const struct xlb_vip *vip, __u32 hash)
{
	__u32 ring_id = vip->ring_id, slot;
	__u32 *be_id;
	void *ring;

	ring = bpf_map_lookup_elem(&rings, &ring_id);
	if (!ring || !vip->ring_size)
		return XLB_BACKEND_NONE;
	slot = hash % vip->ring_size;
	/* the table's second region: the inner map holds two tables */
	if (vip->flags & XLB_VIP_F_RING_HI)
		slot += vip->ring_size;
	be_id = bpf_map_lookup_elem(ring, &slot);
	return be_id ? *be_id : XLB_BACKEND_NONE;
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
 * Encapsulate towards backend `be_id` of VIP `vip_id` and send.
 * `reply_too_big` is false for packets that must not be answered with an
 * ICMP error (ICMP errors themselves).
 */
static __always_inline int send_to_backend(struct xdp_md *ctx, const struct pkt *p, __u32 vip_id,
					   const struct xlb_vip_encap *enc, __u32 be_id,
					   const struct xlb_backend *be, __u32 hash,
					   bool reply_too_big)
{
	__u64 bytes = ctx->data_end - ctx->data;
	const struct xlb_config *cfg;
	struct xlb_nexthop nh = {};
	__u32 zero = 0, olen;
	int rc;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg)
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_SOURCE);
	if (be->family == XLB_FAMILY_V4 ? !cfg->has_v4 : !cfg->has_v6)
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_SOURCE);

	olen = encap_len(be->family, enc->encap);
	rc = nh_resolve(ctx, p, be, cfg, olen, &nh);
	if (rc == NH_NO_ROUTE)
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_ROUTE);
	if (rc == NH_TOO_BIG) {
		__u32 mtu = nh.mtu > olen ? nh.mtu - olen : 0;

		if (!reply_too_big)
			return verdict(XDP_DROP, XLB_STAT_DROP_TOO_BIG);
		if (p->flow.family == XLB_FAMILY_V4) {
			/* without DF the sender expects us to fragment,
			 * which XDP cannot do */
			if (!p->df || icmp_too_big_v4(ctx, p, mtu))
				return verdict(XDP_DROP, XLB_STAT_DROP_TOO_BIG);
		} else if (icmp_too_big_v6(ctx, p, mtu)) {
			return verdict(XDP_DROP, XLB_STAT_DROP_TOO_BIG);
		}
		return verdict(XDP_TX, XLB_STAT_TOO_BIG_SENT);
	}

	if (encap_push(ctx, p, enc, be, cfg, hash))
		return verdict(XDP_DROP, XLB_STAT_DROP_ENCAP);
	traffic_add(&vip_stats, vip_id, bytes);
	traffic_add(&be_stats, be_id, bytes);
	if (rc == NH_NO_NEIGH)
		return verdict(XDP_PASS, XLB_STAT_PASS_NO_NEIGH);
	rc = nh_send(ctx, &nh);
	/* (nh_send drops only a frame too short for its MACs, which encap
	 * never leaves; counted all the same: every drop has its reason) */
	return verdict(rc, rc == XDP_DROP ? XLB_STAT_DROP_ENCAP : 0);
}

/*
 * Established flow: forwarded from its flow entry alone. Returns -1 when
 * the flow is unknown or its backend is gone (the caller then looks the
 * VIP up). A TCP SYN never gets here: it always follows the current
 * Maglev table.
 */
static __always_inline int forward_established(struct xdp_md *ctx, const struct pkt *p)
{
	struct xlb_vip_encap *enc;
	struct xlb_backend *be;
	struct xlb_flow *fl;
	__u32 be_id, vip_id;

	fl = bpf_map_lookup_elem(&flows, &p->flow);
	if (!fl)
		return -1;
	be_id = fl->backend_id;
	vip_id = fl->vip_id;
	be = bpf_map_lookup_elem(&backends, &be_id);
	enc = bpf_map_lookup_elem(&vip_encap, &vip_id);
	if (!backend_usable(be, fl->backend_gen) || !enc) {
		stat_inc(XLB_STAT_FLOW_STALE);
		return -1;
	}
	stat_inc(XLB_STAT_FLOW_HIT);
	return send_to_backend(ctx, p, vip_id, enc, be_id, be, fl->hash, true);
}

/*
 * Choose the backend for flow `fk` (client orientation) of `vip` with its
 * Maglev table and send the packet there. `key_port` is the port of the
 * VIP key that matched.
 *
 * Flow state is written for a flow's first non-SYN packet, not for its
 * SYN: Maglev already gives every node the same answer for the handshake,
 * and a SYN flood then cannot churn the flow table. A SYN that finds an
 * entry (a reused tuple) overwrites it so the connection's next packets
 * follow the SYN.
 */
static __always_inline int forward(struct xdp_md *ctx, const struct pkt *p,
				   const struct xlb_vip *vip, const struct xlb_flow_key *fk,
				   __be16 key_port, bool icmp_error)
{
	bool by_src = vip->flags & XLB_VIP_F_HASH_SRC;
	struct xlb_flow *fl, nfl = {};
	struct xlb_vip_encap *enc;
	struct xlb_backend *be;
	__u32 hash, be_id, vip_id = vip->id;

	/* ICMP errors and first fragments did not pass the established
	 * path: the flow they belong to may still be known */
	if ((icmp_error || p->frag) && !(by_src && p->frag)) {
		fl = bpf_map_lookup_elem(&flows, fk);
		if (fl) {
			be_id = fl->backend_id;
			be = bpf_map_lookup_elem(&backends, &be_id);
			if (backend_usable(be, fl->backend_gen)) {
				stat_inc(XLB_STAT_FLOW_HIT);
				nfl = *fl;
				goto chosen;
			}
			stat_inc(XLB_STAT_FLOW_STALE);
		}
	}

	hash = by_src ? hash_src(fk) : hash_flow(fk);
	stat_inc(XLB_STAT_FLOW_MISS);
	be_id = maglev_pick(vip, hash);
	be = bpf_map_lookup_elem(&backends, &be_id);
	if (!be_id || !be || !(be->flags & XLB_BE_F_PRESENT))
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_BACKEND);

	nfl.backend_id = be_id;
	nfl.backend_gen = be->gen;
	nfl.hash = hash;
	nfl.vip_id = vip_id;
	/* an ICMP error must not create state for a flow we never saw;
	 * source-hashed fragments need none */
	if (!icmp_error && !(by_src && p->frag)) {
		if (!tcp_syn(p))
			bpf_map_update_elem(&flows, fk, &nfl, BPF_ANY);
		else if (bpf_map_lookup_elem(&flows, fk))
			bpf_map_update_elem(&flows, fk, &nfl, BPF_EXIST);
	}
chosen:
	enc = bpf_map_lookup_elem(&vip_encap, &vip_id);
	if (!enc)
		return verdict(XDP_DROP, XLB_STAT_DROP_NO_BACKEND);
	/* first fragments tell the later ones where to go */
	if (p->frag && !p->frag_later) {
		struct xlb_frag_key fkey = {
			.src = p->flow.src,
			.dst = p->flow.dst,
			.id = p->frag_id,
			.proto = p->flow.proto,
			.family = p->flow.family,
		};

		nfl.vip_port = key_port;
		bpf_map_update_elem(&frags, &fkey, &nfl, BPF_ANY);
	}
	return send_to_backend(ctx, p, vip_id, enc, nfl.backend_id, be, nfl.hash, !icmp_error);
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
static __always_inline int forward_fragment(struct xdp_md *ctx, const struct pkt *p,
					    const struct xlb_vip *marker, struct xlb_vip_key *vk)
{
	struct xlb_frag_key fkey = {
		.src = p->flow.src,
		.dst = p->flow.dst,
		.id = p->frag_id,
		.proto = p->flow.proto,
		.family = p->flow.family,
	};
	struct xlb_backend *be;
	struct xlb_flow *fl;
	struct xlb_vip *vip;
	__u32 be_id;

	fl = bpf_map_lookup_elem(&frags, &fkey);
	if (fl) {
		vk->port = fl->vip_port;
		vk->proto = p->flow.proto;
		be_id = fl->backend_id;
		vip = bpf_map_lookup_elem(&vips, vk);
		be = bpf_map_lookup_elem(&backends, &be_id);
		if (vip && backend_usable(be, fl->backend_gen)) {
			__u32 vip_id = vip->id;
			struct xlb_vip_encap *enc = bpf_map_lookup_elem(&vip_encap, &vip_id);

			if (enc) {
				stat_inc(XLB_STAT_FRAG_FORWARDED);
				return send_to_backend(ctx, p, vip_id, enc, be_id, be, fl->hash,
						       true);
			}
		}
	}
	vip = vip_any_port(marker, vk, p->flow.proto);
	if (vip && (vip->flags & XLB_VIP_F_HASH_SRC)) {
		stat_inc(XLB_STAT_FRAG_FORWARDED);
		return forward(ctx, p, vip, &p->flow, 0, false);
	}
	return verdict(XDP_DROP, XLB_STAT_DROP_FRAG);
}

/* An ICMP error about a flow a backend sent from the VIP: send it to the
 * backend that owns the flow. */
static __always_inline int forward_icmp_error(struct xdp_md *ctx, const struct pkt *p,
					      const struct xlb_vip *marker)
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
	return forward(ctx, p, vip, &fk, vk.port, true);
}

/* Packets that did not match a VIP key directly. */
static __always_inline int slow_path(struct xdp_md *ctx, const struct pkt *p, int parsed,
				     struct xlb_vip_key *vk)
{
	struct xlb_vip *marker, *vip;

	vk->port = 0;
	vk->proto = 0;
	marker = bpf_map_lookup_elem(&vips, vk);
	if (!marker)
		return verdict(XDP_PASS, XLB_STAT_PASS_NOT_VIP);

	switch (parsed) {
	case PARSE_L4_SHORT:
		return verdict(XDP_DROP, XLB_STAT_DROP_L4_TRUNCATED);
	case PARSE_EXT_LONG:
		return verdict(XDP_DROP, XLB_STAT_DROP_EXT_HDR);
	case PARSE_OK:
		vip = vip_any_port(marker, vk, p->flow.proto);
		if (vip)
			return forward(ctx, p, vip, &p->flow, 0, false);
		break;
	case PARSE_NO_PORTS:
		if (p->frag_later)
			return forward_fragment(ctx, p, marker, vk);
		if (icmp_is_error(p))
			return forward_icmp_error(ctx, p, marker);
		break;
	}
	return verdict(XDP_PASS, XLB_STAT_PASS_VIP_OTHER);
}

SEC("xdp")
int xlb_balancer(struct xdp_md *ctx)
{
	struct xlb_vip_key vk = {};
	struct pkt p = {};
	struct xlb_vip *vip;
	int parsed;

	parsed = parse_packet(ctx, &p);
	switch (parsed) {
	case PARSE_NOT_IP:
		return verdict(XDP_PASS, XLB_STAT_PASS_NOT_IP);
	case PARSE_VLAN:
		return verdict(XDP_PASS, XLB_STAT_PASS_VLAN);
	case PARSE_L3_BAD:
		return verdict(XDP_PASS, XLB_STAT_PASS_L3_MALFORMED);
	}

	/* established flows first: the common case needs no VIP lookup */
	if (parsed == PARSE_OK && !p.frag && !tcp_syn(&p)) {
		int action = forward_established(ctx, &p);

		if (action >= 0)
			return action;
	}

	vk.addr = p.flow.dst;
	vk.family = p.flow.family;
	if (parsed == PARSE_OK) {
		vk.port = p.flow.dport;
		vk.proto = p.flow.proto;
		vip = bpf_map_lookup_elem(&vips, &vk);
		if (vip)
			return forward(ctx, &p, vip, &p.flow, vk.port, false);
	}
	return slow_path(ctx, &p, parsed, &vk);
}
