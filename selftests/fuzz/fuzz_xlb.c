// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the balancer (bpf/xlb.bpf.c): random and mutated
 * frames through BPF_PROG_TEST_RUN of the real object.
 *
 * LLVMFuzzerInitialize moves the process into a network namespace of its
 * own (the FIB lookups then see only the routes made here), loads the
 * balancer once through the agent's map code (selftests/bpf/
 * balancer_fixture.c) and programs ten VIPs: IPv4 and IPv6, TCP and UDP,
 * all-ports ones, source-hashed ones, IP-in-IP (4in4, 6in6, 4in6, 6in4)
 * and GUE over both families with three ports; their backends have cached
 * next hops (egress 0, fz0 or fz1; some with a small MTU), FIB-routed
 * next hops (neighbour known, unknown, a route MTU, no route) and one is
 * absent. It also loads the decap program (bpf/decap.bpf.c) with every
 * backend's address.
 *
 * An input is up to eight frames (xdp_input.h), run in order after the
 * flow and fragment tables were emptied, so an input is reproducible and
 * its first frames can make the flow state its later ones use. For every
 * frame:
 *   - never XDP_ABORTED, never an unknown action;
 *   - a frame not addressed to a VIP address is passed byte-for-byte
 *     untouched (never dropped, never forwarded);
 *   - XDP_TX, XDP_REDIRECT, and an XDP_PASS that changed the frame carry
 *     either the frame encapsulated towards a backend or (XDP_TX) an ICMP
 *     fragmentation-needed / packet-too-big reply, each checked field by
 *     field (xdp_check.c sums every checksum from scratch):
 *       encapsulated: L2 length and VLAN tag kept, ethertype of the outer
 *       family, outer IPv4 header checksum, total length / payload length
 *       equal to the real length, DF, TTL, DSCP/ECN copied, our source,
 *       a backend of a VIP that matches the inner packet (address,
 *       protocol, port; an ICMP error's quoted flow), the VIP's encap
 *       (protocol 4/41 or GUE to its port with the right UDP length and
 *       checksum: none over IPv4; over IPv6 zero only when the inner
 *       packet gives none, else one that verifies whenever the inner
 *       packet's own checksums do), the inner packet equal to the input's
 *       IP packet, the egress MTU respected, the next hop's MACs and
 *       XDP_TX exactly when the egress is the ingress; a second-chance hop
 *       (GUE variant 0, include/xlb_shared.h) exactly where the VIP's
 *       previous table had another owner for the flow's slot (its hash
 *       computed here by agent/maps/flows.c), present and of the outer
 *       family, on a TCP segment that is not a SYN, a fragment or an ICMP
 *       error (missing only where a SYN on the tuple rewrote its entry);
 *       and the decap
 *       program turns it back into the input's IP packet; and every
 *       packet of a flow (of a client, for a source-hashed VIP) reaches
 *       the same backend within an input;
 *       too big: MACs swapped, from the VIP to the client, IPv4 DF set on
 *       the original, lengths, header and ICMP checksums, the quote, an
 *       MTU that is an egress MTU less an encapsulation overhead and is
 *       smaller than the packet, never in answer to an ICMP error;
 *   - the counters moved by exactly the action returned, and a pass or
 *     drop under exactly one reason. Which counters moved is fed back to
 *     libFuzzer as extra coverage: it sees none inside the BPF program.
 * A failed check aborts with both frames in hex (libFuzzer keeps the
 * input). Needs root (BPF, a network namespace).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/decap.skel.h"
#include "maps/flows.h"
#include "maps/maglev.h"
#include "../bpf/balancer_fixture.h"
#include "xdp_check.h"
#include "xdp_input.h"

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP
#define IPIP	XLB_ENCAP_IPIP
#define GUE	XLB_ENCAP_GUE
#define SRC	XLB_VIP_F_HASH_SRC
#define FZ_DEV_MTU	1500
#define OUT_MAX		8192

enum nh_kind {
	NH_CACHED,		/* next hop in the backend entry */
	NH_FIB,			/* routed, neighbour known */
	NH_FIB_NO_NEIGH,	/* routed, neighbour unknown: passed encapsulated */
	NH_FIB_NO_ROUTE,	/* no route: dropped */
};

enum egress { EG_0, EG_FZ0, EG_FZ1 };

struct fz_backend {
	__u32 id;
	const char *addr;
	__u32 vip;		/* index in vips[] */
	enum nh_kind nh;
	enum egress eg;		/* cached next hop's ifindex */
	__u16 mtu;		/* cached: in the entry; FIB: the route's or fz0's */
	bool absent;		/* in the Maglev table but not present */
};

static const struct bal_vip vips[] = {
	{ FZ_VIP4_A, TCP, 80, 0, 0, IPIP, .be = { 1, 2, 3 } },
	{ FZ_VIP4_A, UDP, 53, 1, SRC, GUE, .be = { 4, 5 } },
	{ FZ_VIP4_B, TCP, 0, 2, 0, IPIP, .be = { 6, 7 } },
	{ FZ_VIP4_B, UDP, 0, 3, SRC, GUE, .be = { 8, 9 } },
	{ FZ_VIP6_A, TCP, 443, 4, 0, IPIP, .be = { 10, 11, 12 } },
	{ FZ_VIP6_A, UDP, 0, 5, SRC, GUE, 7777, .be = { 13, 14 } },
	{ FZ_VIP6_B, TCP, 80, 6, 0, IPIP, .be = { 15, 16, 17 } },
	{ FZ_VIP6_B, UDP, 4789, 7, 0, GUE, .be = { 18, 19 } },
	{ FZ_VIP4_C, TCP, 22, 8, 0, IPIP, .be = { 20, 21 } },
	{ FZ_VIP4_D, UDP, 0, 9, 0, GUE, 6081, .be = { 22, 23 } },
	{ FZ_VIP4_E, TCP, 8080, 10, 0, GUE, .be = { 24, 25, 26 } },
	{ FZ_VIP6_C, TCP, 8443, 11, 0, GUE, .be = { 30, 31 } },
};

/* Second chance: the previous table of a VIP (index as in vips[]; none
 * where be[0] is 0), written into the high half of its slots. */
static const struct bal_vip prev_vips[ARRAY_SIZE(vips)] = {
	[10] = { FZ_VIP4_E, TCP, 8080, 10, 0, GUE, .be = { 24, 27, 28, 29 } },
	[11] = { FZ_VIP6_C, TCP, 8443, 11, 0, GUE, .be = { 30 } },
};

static const struct fz_backend backends[] = {
	{ 1, "198.51.100.1", 0, NH_CACHED, EG_FZ0 },
	{ 2, "198.51.100.2", 0, NH_CACHED, EG_FZ1 },
	{ 3, "198.51.100.3", 0, NH_CACHED, EG_0, 576 },
	{ 4, "198.51.100.4", 1, NH_CACHED, EG_0 },
	{ 5, "198.51.100.65", 1, NH_FIB, .mtu = FZ_DEV_MTU },
	{ 6, "2001:db8:be1::6", 2, NH_CACHED, EG_0 },
	{ 7, "2001:db8:be1::7", 2, NH_CACHED, EG_0, 1280 },
	{ 8, "2001:db8:be1::8", 3, NH_CACHED, EG_0 },
	{ 9, "2001:db8:be::9", 3, NH_FIB, .mtu = FZ_DEV_MTU },
	{ 10, "2001:db8:be1::a", 4, NH_CACHED, EG_0 },
	{ 11, "2001:db8:bf::b", 4, NH_FIB_NO_NEIGH, .mtu = FZ_DEV_MTU },
	{ 12, "2001:db8:be1::c", 4, NH_CACHED, EG_0, 1300 },
	{ 13, "2001:db8:be1::d", 5, NH_CACHED, EG_FZ0 },
	{ 14, "2001:db8:bd::e", 5, NH_FIB, .mtu = 1400 },
	{ 15, "198.51.100.15", 6, NH_CACHED, EG_0 },
	{ 16, "198.51.100.97", 6, NH_FIB_NO_NEIGH, .mtu = FZ_DEV_MTU },
	{ 17, "198.51.100.17", 6, NH_CACHED, EG_0, 1300 },
	{ 18, "198.51.100.18", 7, NH_CACHED, EG_0 },
	{ 19, "198.51.100.129", 7, NH_FIB, .mtu = 1000 },
	{ 20, "198.51.100.20", 8, NH_CACHED, EG_0 },
	{ 21, "198.51.100.21", 8, NH_CACHED, EG_0, .absent = true },
	{ 22, "198.51.100.22", 9, NH_CACHED, EG_0 },
	{ 23, "198.51.100.200", 9, NH_FIB_NO_ROUTE },
	{ 24, "198.51.100.24", 10, NH_CACHED, EG_0 },
	{ 25, "198.51.100.25", 10, NH_CACHED, EG_FZ0 },
	{ 26, "198.51.100.26", 10, NH_CACHED, EG_0, 1400 },
	{ 27, "198.51.100.27", 10, NH_CACHED, EG_0 },		/* previous table only */
	{ 28, "198.51.100.28", 10, NH_CACHED, EG_0, .absent = true },	/* ... gone */
	{ 29, "2001:db8:be1::1d", 10, NH_CACHED, EG_0 },	/* ... the other family */
	{ 30, "2001:db8:be1::1e", 11, NH_CACHED, EG_0 },
	{ 31, "2001:db8:be1::1f", 11, NH_CACHED, EG_FZ1, 1300 },
};

/* The FIB next hops above: gateways on fz0, ...130 and ::2 with
 * permanent neighbour entries, ...131 and ::3 without. */
static const char *const topology[] = {
	"ip link set lo up",
	("ip link add fz0 address 02:00:00:00:99:01 type veth peer name fz1 "
	 "address 02:00:00:00:99:02"),
	"ip link set fz0 up",
	"ip link set fz1 up",
	"ip addr add 192.0.2.129/25 dev fz0",
	"ip -6 addr add 2001:db8:99::1/64 dev fz0 nodad",
	"ip route add 198.51.100.64/27 via 192.0.2.130 dev fz0",
	"ip route add 198.51.100.96/27 via 192.0.2.131 dev fz0",
	"ip route add 198.51.100.128/27 via 192.0.2.130 dev fz0 mtu lock 1000",
	"ip neigh add 192.0.2.130 lladdr 02:aa:00:00:00:02 dev fz0 nud permanent",
	"ip -6 route add 2001:db8:be::/64 via 2001:db8:99::2 dev fz0",
	"ip -6 route add 2001:db8:bf::/64 via 2001:db8:99::3 dev fz0",
	"ip -6 route add 2001:db8:bd::/64 via 2001:db8:99::2 dev fz0 mtu lock 1400",
	"ip -6 neigh add 2001:db8:99::2 lladdr 02:aa:00:00:00:02 dev fz0 nud permanent",
	"echo 1 > /proc/sys/net/ipv4/ip_forward",
	"echo 1 > /proc/sys/net/ipv6/conf/all/forwarding",
};
static const __u8 gw_mac[6] = { 0x02, 0xaa, 0x00, 0x00, 0x00, 0x02 };
static const __u8 fz0_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x99, 0x01 };

static struct bal lb;		/* the balancer as programmed */
static struct xlb_vip_key vip_keys[ARRAY_SIZE(vips)];
static __u32 ifindex_lo, ifindex_fz0, ifindex_fz1;
static int flows_fd, frags_fd, stats_fd, ncpus;
static struct decap *dcp;
static __u32 *rings[ARRAY_SIZE(vips)];	/* second chance's VIPs: the table as written */
/* second chance: tuples that saw a SYN in this input (a SYN on a known
 * tuple rewrites its entry without a hop) */
static struct xlb_flow_key syn_seen[XDP_IN_MAX_RECORDS];
static int nsyn;
static unsigned long hops_checked;
static __u16 decap_port;	/* host order, as set in decap_cfg */
static __u64 stats_prev[XLB_STAT_MAX];

/*
 * Flow affinity within an input: Maglev tables do not change while the
 * fuzzer runs, so every packet of one flow (5-tuple; for a source-hashed
 * VIP, every packet from one client) must reach the same backend, whether
 * it took the flow table, a stale entry, Maglev, a first fragment's path
 * or (for the flow it quotes) an ICMP error's.
 */
struct affinity {
	__u32 vip;		/* index in vips[] */
	__u8 src[16];		/* client */
	__be16 sport, dport;	/* 0 for source-hashed VIPs */
	__u32 be;		/* backend id it went to */
};
static struct affinity aff[XDP_IN_MAX_RECORDS];
static int naff;
static unsigned long aff_checked;	/* packets compared with an earlier one */

/* One frame's run. */
struct run {
	const __u8 *in;
	size_t len;
	size_t l2;		/* 0 if no complete L2 header */
	__u16 type;		/* ethertype after the tag */
	__u32 ingress;		/* ifindex the program saw */
	__u32 act;
	const __u8 *out;
	size_t out_len;
};

static void stats_read(__u64 out[XLB_STAT_MAX]);

static void die(const char *what)
{
	fprintf(stderr, "fuzz_xlb: set-up failed: %s\n", what);
	exit(1);
}

static void setup_netns(void)
{
	size_t i;

	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET) (needs root)");
	for (i = 0; i < ARRAY_SIZE(topology); i++)
		if (system(topology[i]))
			die(topology[i]);
	ifindex_lo = if_nametoindex("lo");
	ifindex_fz0 = if_nametoindex("fz0");
	ifindex_fz1 = if_nametoindex("fz1");
	if (!ifindex_lo || !ifindex_fz0 || !ifindex_fz1)
		die("if_nametoindex");
}

static void setup_backend(const struct fz_backend *fb)
{
	struct xlb_backend *be = &lb.be[fb->id];
	struct xlb_decap_key key = {};
	__u8 one = 1;

	if (!bal_backend(&lb, fb->id, fb->addr))
		die(fb->addr);
	switch (fb->nh) {
	case NH_CACHED:
		be->ifindex = fb->eg == EG_FZ0 ? ifindex_fz0 : fb->eg == EG_FZ1 ? ifindex_fz1 : 0;
		be->mtu = fb->mtu;
		if (fb->absent)
			be->flags = 0;
		break;
	default:
		be->flags = XLB_BE_F_PRESENT;
		memset(be->dmac, 0, 6);
		memset(be->smac, 0, 6);
		break;
	}
	if (!bal_backend_write(&lb, fb->id))
		die("backend write");
	key.addr = be->addr;
	key.family = be->family;
	if (bpf_map_update_elem(bpf_map__fd(dcp->maps.decap_addrs), &key, &one, BPF_ANY))
		die("decap_addrs");
}

static void decap_port_set(__u16 port)
{
	struct xlb_decap_config cfg = { .gue_port = htons(port) };
	__u32 zero = 0;

	if (port == decap_port)
		return;
	CHECK(!bpf_map_update_elem(bpf_map__fd(dcp->maps.decap_cfg), &zero, &cfg, BPF_ANY));
	decap_port = port;
}

/* FUZZ_XLB_STATS=1: print the counters at exit, to see which paths an
 * input set reaches. */
static void stats_print(void)
{
	__u64 now[XLB_STAT_MAX];
	int i;

	stats_read(now);
	for (i = XLB_STAT_TX; i < XLB_STAT_MAX; i++)
		fprintf(stderr, "%-20s %llu\n", xlb_stat_names[i], (unsigned long long)now[i]);
	fprintf(stderr, "%-20s %lu\n", "(affinity checked)", aff_checked);
	fprintf(stderr, "%-20s %lu\n", "(hops checked)", hops_checked);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	setup_netns();
	libbpf_set_print(NULL);
	dcp = decap__open_and_load();
	if (!dcp)
		die("decap__open_and_load");
	if (!bal_open(&lb))
		die("bal_open");
	for (i = 0; i < ARRAY_SIZE(backends); i++) {
		if (backends[i].id >= BAL_MAX_BE)
			die("backend id");
		setup_backend(&backends[i]);
	}
	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		if (prev_vips[i].be[0]) {
			/* the table as written: maglev_prev_merge's */
			__u32 *prev = calloc(XLB_RING_DEFAULT, sizeof(*prev));

			rings[i] = calloc(XLB_RING_DEFAULT, sizeof(*rings[i]));
			if (!rings[i] || !prev || !bal_ring(&lb, &vips[i], rings[i]) ||
			    !bal_ring(&lb, &prev_vips[i], prev) ||
			    bal_vip_prev(&lb, &vips[i], &prev_vips[i]))
				die(vips[i].addr);
			maglev_prev_merge(rings[i], prev, XLB_RING_DEFAULT);
			free(prev);
		} else if (!bal_vip(&lb, &vips[i])) {
			die(vips[i].addr);
		}
		vip_keys[i] = bal_vip_key(vips[i].addr, vips[i].proto, vips[i].port);
	}
	flows_fd = xlb_dp_map_fd(lb.dp, "flows");
	frags_fd = xlb_dp_map_fd(lb.dp, "frags");
	if (flows_fd < 0 || frags_fd < 0)
		die("flows/frags map");
	stats_fd = xlb_dp_map_fd(lb.dp, "stats");
	ncpus = libbpf_num_possible_cpus();
	if (stats_fd < 0 || ncpus <= 0 || ncpus > 256)
		die("stats map");
	stats_read(stats_prev);
	if (getenv("FUZZ_XLB_STATS"))
		atexit(stats_print);
	return 0;
}

/* Flows are made and checked within one input, so the generations
 * need not go back. */
static void backends_new_gen(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(backends); i++) {
		lb.be[backends[i].id].gen++;
		CHECK(bal_backend_write(&lb, backends[i].id));
	}
}

static void map_clear(int fd, size_t key_size)
{
	__u8 key[64];

	CHECK(key_size <= sizeof(key));
	while (!bpf_map_get_next_key(fd, NULL, key))
		CHECK(!bpf_map_delete_elem(fd, key));
}

static bool addr_is_vip(int family, const __u8 *a)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vips); i++)
		if (vip_keys[i].family == family &&
		    !memcmp(vip_keys[i].addr.bytes, a, family == 4 ? 4 : 16))
			return true;
	return false;
}

/* Could the balancer take this frame for a VIP's? Only then may it do
 * anything but pass it untouched. */
static bool may_be_vip(const struct run *r)
{
	if (!r->l2)
		return false;
	if (r->type == 0x0800 && r->len >= r->l2 + 20)
		return addr_is_vip(4, r->in + r->l2 + 16);
	if (r->type == 0x86dd && r->len >= r->l2 + 40)
		return addr_is_vip(6, r->in + r->l2 + 24);
	return false;
}

static const struct fz_backend *backend_at(int family, const union xlb_addr *a)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(backends); i++) {
		const struct xlb_backend *be = &lb.be[backends[i].id];

		if (be->family == family && !memcmp(&be->addr, a, 16))
			return &backends[i];
	}
	return NULL;
}

static size_t encap_overhead(const struct fz_backend *fb)
{
	return (lb.be[fb->id].family == XLB_FAMILY_V4 ? 20 : 40) +
	       (vips[fb->vip].encap == GUE ? 8 : 0);
}

/* The GUE header and second-chance hop a frame to fb may carry. */
static size_t hop_overhead(const struct fz_backend *fb)
{
	return 4 + (lb.be[fb->id].family == XLB_FAMILY_V4 ? 8 : 20);
}

/*
 * Second chance: the hop a packet to fb must carry, from the VIP's
 * tables and the flow's hash computed here (agent/maps/flows.c, the
 * datapath's bpf/hash.h): a TCP segment, not a SYN, not a fragment nor an
 * ICMP error, whose slot's previous owner is another backend, present and
 * of the same family. 0: none. Also checks that fb owns the slot.
 */
static __u32 hop_expected(const struct fz_backend *fb, const __u8 *ip, size_t ip_len)
{
	const struct bal_vip *v = &vips[fb->vip];
	struct xlb_dp_flow f = { .proto = IPPROTO_TCP };
	const struct xlb_backend *prev;
	__u32 slot, prev_id;
	struct xc_ip h;

	if (!rings[fb->vip] || xc_ip_parse(ip, ip_len, &h) || h.proto != IPPROTO_TCP || h.frag)
		return 0;
	if (h.len < h.l4 + 14 || (ip[h.l4 + 13] & 0x12) == 0x02)
		return 0;
	f.family = h.family;
	memcpy(&f.client, h.src, h.family == 4 ? 4 : 16);
	memcpy(&f.vip, h.dst, h.family == 4 ? 4 : 16);
	f.client_port = xc_get16(ip + h.l4);
	f.vip_port = xc_get16(ip + h.l4 + 2);
	slot = rings[fb->vip][xlb_dp_flow_hash(&f, v->flags & XLB_VIP_F_HASH_SRC) %
			      (v->ring_size ? v->ring_size : XLB_RING_DEFAULT)];
	CHECK(XLB_SLOT_BE(slot) == fb->id);
	prev_id = XLB_SLOT_PREV(slot);
	if (!prev_id)
		return 0;
	prev = &lb.be[prev_id];
	if (!(prev->flags & XLB_BE_F_PRESENT) || prev->family != lb.be[fb->id].family)
		return 0;
	return prev_id;
}

/* A TCP SYN (no ACK), not a fragment. */
static bool tcp_syn_at(const __u8 *ip, size_t avail)
{
	struct xc_ip h;

	return !xc_ip_parse(ip, avail, &h) && h.proto == IPPROTO_TCP && !h.frag &&
	       h.len >= h.l4 + 14 && (ip[h.l4 + 13] & 0x12) == 0x02;
}

/* Did a SYN on this packet's tuple come earlier in the input? */
static bool syn_before(const __u8 *ip, size_t ip_len, bool add)
{
	struct xlb_flow_key k = {};
	struct xc_ip h;
	int i;

	if (xc_ip_parse(ip, ip_len, &h) || h.proto != IPPROTO_TCP || h.frag ||
	    h.len < h.l4 + 4)
		return false;
	k.family = h.family;
	memcpy(&k.src, h.src, h.family == 4 ? 4 : 16);
	memcpy(&k.dst, h.dst, h.family == 4 ? 4 : 16);
	k.sport = xc_get16(ip + h.l4);
	k.dport = xc_get16(ip + h.l4 + 2);
	for (i = 0; i < nsyn; i++)
		if (!memcmp(&syn_seen[i], &k, sizeof(k)))
			return true;
	if (add && nsyn < XDP_IN_MAX_RECORDS)
		syn_seen[nsyn++] = k;
	return false;
}

static __u16 gue_port_of(const struct bal_vip *v)
{
	return v->gue_port ? v->gue_port : XLB_GUE_PORT_DEFAULT;
}

/* The inner packet matches the VIP: its address, and the protocol and
 * port of the packet, of the flow an ICMP error quotes, or (a later
 * fragment) the protocol. Its headers must lie within its IP length. */
static void check_vip_match(size_t vi, const __u8 *ip, size_t ip_len)
{
	const struct xlb_vip_key *k = &vip_keys[vi];
	const struct bal_vip *v = &vips[vi];
	size_t alen = k->family == 4 ? 4 : 16;
	struct xc_ip h;

	CHECK(xc_ip_parse(ip, ip_len, &h) == 0);
	CHECK(h.family == k->family && !memcmp(h.dst, k->addr.bytes, alen));
	if (h.frag_later) {
		CHECK(h.proto == v->proto);
		return;
	}
	if (h.proto == IPPROTO_ICMP || h.proto == IPPROTO_ICMPV6) {
		const __u8 *q = ip + h.l4 + 8;	/* the quoted packet */
		size_t qhl, qproto;

		CHECK(ip_len >= h.l4 + 8 + 1);
		if (h.family == 4) {
			qhl = (size_t)(q[0] & 0xf) * 4;
			CHECK(ip_len >= h.l4 + 8 + 20);
			qproto = q[9];
			CHECK(!memcmp(q + 12, k->addr.bytes, 4));
		} else {
			qhl = 40;
			CHECK(ip_len >= h.l4 + 8 + 40);
			qproto = q[6];
			CHECK(!memcmp(q + 8, k->addr.bytes, 16));
		}
		CHECK(qproto == v->proto);
		CHECK(ip_len >= h.l4 + 8 + qhl + 4);
		CHECK(!v->port || xc_get16(q + qhl) == v->port);
		return;
	}
	CHECK(h.proto == v->proto);
	CHECK(h.len - h.l4 >= (h.proto == IPPROTO_TCP ? 20 : 8));
	CHECK(!v->port || xc_get16(ip + h.l4 + 2) == v->port);
}

/* The GUE UDP checksum: none over IPv4 (RFC 768); over IPv6 zero only
 * when the inner packet carries no checksum it could be derived from
 * (RFC 6935/6936), else one that verifies whenever the inner packet's
 * own checksums do. */
static void check_gue_csum(const __u8 *oh, const __u8 *uh, size_t udp_len, const __u8 *ip,
			   size_t ip_len)
{
	__u16 c = xc_get16(uh + 6);
	bool derivable = false;
	struct xc_ip h;

	if (oh[0] >> 4 == 4) {
		CHECK(c == 0);
		return;
	}
	if (!xc_ip_parse(ip, ip_len, &h) && !h.frag && !h.ext) {
		size_t l4len = h.len - h.l4;

		derivable = h.proto == IPPROTO_TCP ||
			    (h.proto == IPPROTO_UDP && l4len >= 8 && xc_get16(ip + h.l4 + 6)) ||
			    (h.proto == IPPROTO_ICMP && h.family == 4) ||
			    (h.proto == IPPROTO_ICMPV6 && h.family == 6);
	}
	if (!derivable) {
		CHECK(c == 0);
		return;
	}
	CHECK(c != 0);
	if (xc_ip_csum(ip, &h) == XC_CSUM_VALID)
		CHECK(xc_fold(xc_pseudo(6, oh + 8, oh + 24, IPPROTO_UDP, (__u32)udp_len) +
			      xc_sum(0, uh, udp_len)) == 0xffff);
}

/* The decap program gives back the input's IP packet behind the output's
 * L2 header. */
static void check_roundtrip(const struct run *r, const struct fz_backend *fb, size_t ip_len)
{
	static __u8 dout[OUT_MAX];
	const struct bal_vip *v = &vips[fb->vip];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = r->out,
		.data_size_in = r->out_len,
		.data_out = dout,
		.data_size_out = sizeof(dout),
		.repeat = 1,
	);

	if (v->encap == GUE)
		decap_port_set(gue_port_of(v));
	CHECK(!bpf_prog_test_run_opts(bpf_program__fd(dcp->progs.xlb_decap), &opts));
	xc_context(r->out, r->out_len, dout, opts.data_size_out);
	CHECK(opts.retval == XDP_PASS);
	CHECK(opts.data_size_out == r->l2 + ip_len);
	CHECK(!memcmp(dout, r->out, r->l2 - 2));
	CHECK(xc_get16(dout + r->l2 - 2) == (r->in[r->l2] >> 4 == 4 ? 0x0800 : 0x86dd));
	CHECK(!memcmp(dout + r->l2, r->in + r->l2, ip_len));
	xc_context(r->in, r->len, r->out, r->out_len);
}

/* An encapsulated frame; returns the backend it goes to. */
static const struct fz_backend *check_encap(const struct run *r)
{
	const __u8 *in = r->in, *ip = in + r->l2, *out = r->out, *oh = out + r->l2;
	size_t l2 = r->l2, ohl, olen, ip_len, enc_len;
	const struct fz_backend *fb;
	const struct bal_vip *v;
	union xlb_addr dst = {};
	__u8 oproto, tos;
	int ifam;

	/* the datapath encapsulates only IP it has parsed */
	ifam = ip[0] >> 4;
	CHECK(r->type == (ifam == 4 ? 0x0800 : 0x86dd) && (ifam == 4 || ifam == 6));
	ip_len = ifam == 4 ? xc_get16(ip + 2) : 40 + (size_t)xc_get16(ip + 4);
	CHECK(l2 + ip_len <= r->len);
	tos = ifam == 4 ? ip[1] : (__u8)(xc_get16(ip) >> 4);

	CHECK(r->out_len >= l2 + 20);
	if (l2 == 18)
		CHECK(!memcmp(out + 12, in + 12, 4));
	enc_len = r->out_len - l2;
	if (oh[0] >> 4 == 4) {
		ohl = 20;
		CHECK(xc_get16(out + l2 - 2) == 0x0800);
		CHECK(oh[0] == 0x45);
		CHECK(oh[1] == tos);
		CHECK(xc_get16(oh + 2) == enc_len);
		CHECK(xc_get16(oh + 6) == 0x4000);
		CHECK(oh[8] == XLB_OUTER_TTL);
		CHECK(xc_fold(xc_sum(0, oh, 20)) == 0xffff);
		CHECK(!memcmp(oh + 12, &lb.cfg.src_v4, 4));
		oproto = oh[9];
		memcpy(&dst.v4, oh + 16, 4);
	} else {
		ohl = 40;
		CHECK(oh[0] >> 4 == 6);
		CHECK(enc_len >= 40);
		CHECK(xc_get16(out + l2 - 2) == 0x86dd);
		CHECK(((xc_get32(oh) >> 20) & 0xff) == tos);
		CHECK(xc_get16(oh + 4) == enc_len - 40);
		CHECK(oh[7] == XLB_OUTER_TTL);
		CHECK(!memcmp(oh + 8, &lb.cfg.src_v6, 16));
		oproto = oh[6];
		memcpy(&dst, oh + 24, 16);
	}
	fb = backend_at(oh[0] >> 4, &dst);
	CHECK(fb != NULL);
	CHECK(!fb->absent && fb->nh != NH_FIB_NO_ROUTE);
	v = &vips[fb->vip];
	olen = ohl;
	if (v->encap == GUE) {
		const __u8 *uh = oh + ohl, *g = uh + 8;
		__u32 hop = hop_expected(fb, ip, ip_len);

		CHECK(oproto == IPPROTO_UDP);
		CHECK(enc_len >= ohl + 8);
		olen += 8;
		CHECK(xc_get16(uh) >= 0xc000);
		CHECK(xc_get16(uh + 2) == gue_port_of(v));
		CHECK(xc_get16(uh + 4) == enc_len - ohl);
		if (enc_len > olen && g[0] >> 6 == 0) {
			/* GUE variant 0: only ever a second-chance hop
			 * (include/xlb_shared.h), the one expected */
			size_t alen = oh[0] >> 4 == 4 ? 4 : 16;

			CHECK(hop != 0);
			CHECK(enc_len >= olen + hop_overhead(fb));
			CHECK(g[0] == XLB_GUE_HOP_HLEN(oh[0] >> 4));
			CHECK(g[1] == (ifam == 4 ? IPPROTO_IPIP : IPPROTO_IPV6));
			CHECK(g[2] == 0 && g[3] == 0);
			CHECK(xc_get16(g + 4) == XLB_GUE_HOP_TYPE);
			CHECK(g[6] == oh[0] >> 4 && g[7] == 0);
			CHECK(!memcmp(g + 8, &lb.be[hop].addr, alen));
			olen += hop_overhead(fb);
			hops_checked++;
		} else {
			/* a hop is missing only where a SYN rewrote the entry */
			CHECK(!hop || syn_before(ip, ip_len, false));
		}
		check_gue_csum(oh, uh, enc_len - ohl, ip, ip_len);
	} else {
		CHECK(oproto == (ifam == 4 ? IPPROTO_IPIP : IPPROTO_IPV6));
	}
	CHECK(enc_len - olen == ip_len);
	CHECK(!memcmp(oh + olen, ip, ip_len));
	if (fb->mtu)
		CHECK(enc_len <= fb->mtu);
	check_vip_match(fb->vip, ip, ip_len);
	return fb;
}

static void check_affinity(const struct fz_backend *fb, const __u8 *ip, size_t ip_len)
{
	struct affinity a = { .vip = fb->vip, .be = fb->id };
	bool by_src = vips[fb->vip].flags & XLB_VIP_F_HASH_SRC;
	size_t alen;
	struct xc_ip h;
	int i;

	if (xc_ip_parse(ip, ip_len, &h))
		return;
	alen = h.family == 4 ? 4 : 16;
	if (h.proto == IPPROTO_ICMP || h.proto == IPPROTO_ICMPV6) {
		/* an error about the flow vip -> client it quotes */
		const __u8 *q = ip + h.l4 + 8;
		size_t qhl = h.family == 4 ? (size_t)(q[0] & 0xf) * 4 : 40;

		memcpy(a.src, q + (h.family == 4 ? 16 : 24), alen);
		a.sport = (__be16)xc_get16(q + qhl + 2);
		a.dport = (__be16)xc_get16(q + qhl);
	} else {
		if (h.frag_later && !by_src)
			return;	/* follows its first fragment: no ports to key on */
		memcpy(a.src, h.src, alen);
		if (!h.frag_later) {
			a.sport = (__be16)xc_get16(ip + h.l4);
			a.dport = (__be16)xc_get16(ip + h.l4 + 2);
		}
	}
	if (by_src)
		a.sport = a.dport = 0;
	for (i = 0; i < naff; i++) {
		if (aff[i].vip == a.vip && !memcmp(aff[i].src, a.src, 16) &&
		    aff[i].sport == a.sport && aff[i].dport == a.dport) {
			CHECK(aff[i].be == a.be);
			aff_checked++;
			return;
		}
	}
	if (naff < XDP_IN_MAX_RECORDS)
		aff[naff++] = a;
}

static void check_forwarded(const struct run *r)
{
	const struct fz_backend *fb = check_encap(r);
	const struct xlb_backend *be = &lb.be[fb->id];
	size_t ip_len;
	__u32 egress;

	switch (r->act) {
	case XDP_PASS:
		/* the kernel resolves the neighbour and forwards */
		CHECK(fb->nh == NH_FIB_NO_NEIGH);
		CHECK(!memcmp(r->out, r->in, 12));
		break;
	case XDP_TX:
	case XDP_REDIRECT:
		if (fb->nh == NH_CACHED) {
			CHECK(!memcmp(r->out, be->dmac, 6) && !memcmp(r->out + 6, be->smac, 6));
			egress = be->ifindex;
		} else {
			CHECK(fb->nh == NH_FIB);
			CHECK(!memcmp(r->out, gw_mac, 6) && !memcmp(r->out + 6, fz0_mac, 6));
			egress = ifindex_fz0;
		}
		CHECK((r->act == XDP_TX) == (!egress || egress == r->ingress));
		break;
	default:
		CHECK(!"action");
	}
	ip_len = r->out_len - r->l2 - encap_overhead(fb);
	if (vips[fb->vip].encap == GUE && r->out_len > r->l2 + encap_overhead(fb) &&
	    r->out[r->l2 + encap_overhead(fb)] >> 6 == 0)
		ip_len -= hop_overhead(fb);
	check_roundtrip(r, fb, ip_len);
	check_affinity(fb, r->in + r->l2, ip_len);
}

/* An MTU a too-big reply may carry: an egress MTU less the overhead of
 * an encapsulation that goes there. */
static bool mtu_possible(__u32 m)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(backends); i++) {
		if (!backends[i].mtu)
			continue;
		if (m + encap_overhead(&backends[i]) == backends[i].mtu)
			return true;
		/* with a second-chance hop */
		if (rings[backends[i].vip] &&
		    m + encap_overhead(&backends[i]) + hop_overhead(&backends[i]) ==
			    backends[i].mtu)
			return true;
	}
	return false;
}

static bool is_icmp_error(const __u8 *ip, size_t avail)
{
	if (ip[0] >> 4 == 4) {
		size_t hl = (size_t)(ip[0] & 0xf) * 4;
		__u8 t;

		if (ip[9] != IPPROTO_ICMP || avail < hl + 1)
			return false;
		t = ip[hl];
		return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
	}
	return ip[6] == IPPROTO_ICMPV6 && avail > 40 && ip[40] < 128;
}

/* An ICMP fragmentation-needed / packet-too-big reply to the client. */
static void check_too_big(const struct run *r)
{
	const __u8 *in = r->in, *ip = in + r->l2, *out = r->out, *oh = out + r->l2;
	size_t l2 = r->l2, ip_len, quote;
	const __u8 *icmp;
	__u32 m;

	CHECK(r->act == XDP_TX);
	CHECK(!memcmp(out, in + 6, 6) && !memcmp(out + 6, in, 6));
	if (l2 == 18)
		CHECK(!memcmp(out + 12, in + 12, 4));
	CHECK(!is_icmp_error(ip, r->len - l2));
	if (r->type == 0x0800) {
		ip_len = xc_get16(ip + 2);
		quote = (size_t)(ip[0] & 0xf) * 4 + 8;
		icmp = oh + 20;
		CHECK(xc_get16(ip + 6) & 0x4000);	/* the sender allowed no fragmenting */
		CHECK(r->out_len == l2 + 20 + 8 + quote);
		CHECK(xc_get16(out + l2 - 2) == 0x0800);
		CHECK(oh[0] == 0x45);
		CHECK(xc_get16(oh + 2) == r->out_len - l2);
		CHECK((xc_get16(oh + 6) & 0x3fff) == 0);
		CHECK(oh[8] > 0 && oh[9] == IPPROTO_ICMP);
		CHECK(xc_fold(xc_sum(0, oh, 20)) == 0xffff);
		CHECK(!memcmp(oh + 12, ip + 16, 4) && !memcmp(oh + 16, ip + 12, 4));
		CHECK(icmp[0] == 3 && icmp[1] == 4 && xc_get16(icmp + 4) == 0);
		m = xc_get16(icmp + 6);
		CHECK(xc_fold(xc_sum(0, icmp, 8 + quote)) == 0xffff);
	} else {
		CHECK(r->type == 0x86dd);
		ip_len = 40 + (size_t)xc_get16(ip + 4);
		quote = 1232;	/* as much as fits in 1280 bytes (RFC 4443 sec 2.4) */
		icmp = oh + 40;
		CHECK(r->out_len == l2 + 40 + 8 + quote);
		CHECK(xc_get16(out + l2 - 2) == 0x86dd);
		CHECK(oh[0] >> 4 == 6);
		CHECK(xc_get16(oh + 4) == 8 + quote);
		CHECK(oh[6] == IPPROTO_ICMPV6 && oh[7] > 0);
		CHECK(!memcmp(oh + 8, ip + 24, 16) && !memcmp(oh + 24, ip + 8, 16));
		CHECK(icmp[0] == 2 && icmp[1] == 0);
		m = xc_get32(icmp + 4);
		CHECK(xc_fold(xc_pseudo(6, oh + 8, oh + 24, IPPROTO_ICMPV6, 8 + (__u32)quote) +
			      xc_sum(0, icmp, 8 + quote)) == 0xffff);
	}
	CHECK(quote <= ip_len && l2 + ip_len <= r->len);
	CHECK(!memcmp(icmp + 8, ip, quote));
	CHECK(ip_len > m);
	CHECK(mtu_possible(m));
}

/* Was this output made by encapsulating (our outer source)? */
static bool is_encapsulated(const struct run *r)
{
	const __u8 *oh = r->out + r->l2;

	if (r->out_len < r->l2 + 40)
		return r->out_len >= r->l2 + 20 && oh[0] >> 4 == 4 &&
		       !memcmp(oh + 12, &lb.cfg.src_v4, 4);
	if (oh[0] >> 4 == 4)
		return !memcmp(oh + 12, &lb.cfg.src_v4, 4);
	return oh[0] >> 4 == 6 && !memcmp(oh + 8, &lb.cfg.src_v6, 16);
}

static void check_run(const struct run *r)
{
	bool untouched = r->out_len == r->len && !memcmp(r->out, r->in, r->len);

	CHECK(r->act != XDP_ABORTED);
	CHECK(r->act <= XDP_REDIRECT);
	if (!may_be_vip(r)) {
		CHECK(r->act == XDP_PASS && untouched);
		return;
	}
	switch (r->act) {
	case XDP_DROP:
		break;
	case XDP_PASS:
		if (!untouched)
			check_forwarded(r);
		break;
	default:
		if (is_encapsulated(r))
			check_forwarded(r);
		else
			check_too_big(r);
	}
}

/* The counters summed over CPUs, in one syscall. */
static void stats_read(__u64 out[XLB_STAT_MAX])
{
	static __u64 vals[XLB_STAT_MAX * 256];
	__u32 keys[XLB_STAT_MAX], batch, count = XLB_STAT_MAX, i;
	int c, err;

	err = bpf_map_lookup_batch(stats_fd, NULL, &batch, keys, vals, &count, NULL);
	CHECK((!err || errno == ENOENT) && count == XLB_STAT_MAX);
	for (i = 0; i < XLB_STAT_MAX; i++) {
		out[keys[i]] = 0;
		for (c = 0; c < ncpus; c++)
			out[keys[i]] += vals[i * ncpus + c];
	}
}

/*
 * Counters of one run: exactly one action, the one returned, and a pass
 * or drop under exactly one reason. Which counters moved is also what
 * libFuzzer is told (extra counters): it sees no coverage inside the BPF
 * program, and the counters name its paths; with the frame's IP protocol
 * and the previous frame's path, so that new protocols on a known path
 * and new sequences count too.
 */
static __u8 features[4096] __attribute__((section("__libfuzzer_extra_counters")));

/* The IP protocol (next header) field of a frame, 256 if none. */
static __u32 ip_proto(const struct run *r)
{
	if (r->l2 && r->type == 0x0800 && r->len >= r->l2 + 20)
		return r->in[r->l2 + 9];
	if (r->l2 && r->type == 0x86dd && r->len >= r->l2 + 40)
		return r->in[r->l2 + 6];
	return 256;
}

static void check_counters(const struct run *r, __u32 *prev_path)
{
	static const __u32 act_stat[] = {
		[XDP_DROP] = XLB_STAT_DROP, [XDP_PASS] = XLB_STAT_PASS,
		[XDP_TX] = XLB_STAT_TX, [XDP_REDIRECT] = XLB_STAT_REDIRECT,
	};
	__u64 now[XLB_STAT_MAX], d, pass = 0, drop = 0;
	__u32 path = 0, h;
	int i;

	stats_read(now);
	for (i = XLB_STAT_TX; i < XLB_STAT_MAX; i++) {
		d = now[i] - stats_prev[i];
		if (!d)
			continue;
		CHECK(d == 1);
		path |= 1u << i;
		if (features[i] < 255)
			features[i]++;
		if (i >= XLB_STAT_PASS_NOT_IP && i <= XLB_STAT_PASS_NO_NEIGH)
			pass += d;
		if (i >= XLB_STAT_DROP_L4_TRUNCATED)
			drop += d;
	}
	memcpy(stats_prev, now, sizeof(now));
	CHECK((path & ((1u << XLB_STAT_TX) | (1u << XLB_STAT_REDIRECT) | (1u << XLB_STAT_PASS) |
		       (1u << XLB_STAT_DROP))) == 1u << act_stat[r->act]);
	CHECK(pass == (r->act == XDP_PASS));
	CHECK(drop == (r->act == XDP_DROP));
	/* the path with the frame's IP protocol, and the path after the
	 * previous frame's */
	h = path * 0x9e3779b1u;
	features[64 + ((h ^ (ip_proto(r) * 0x85ebca77u)) >> 21)] = 1;
	features[64 + 2048 + ((h ^ (*prev_path * 0xc2b2ae35u)) >> 22)] = 1;
	*prev_path = path;
}

int LLVMFuzzerTestOneInput(const __u8 *data, size_t size)
{
	static __u8 frame[XDP_IN_MAX_FRAME], out[OUT_MAX];
	struct xdp_in_record rec;
	__u32 prev_path = 0;
	size_t off = 0;
	int n = 0;

	xc_context(NULL, 0, NULL, 0);
	naff = 0;
	nsyn = 0;
	map_clear(flows_fd, sizeof(struct xlb_flow_key));
	map_clear(frags_fd, sizeof(struct xlb_frag_key));
	while (n++ < XDP_IN_MAX_RECORDS && xdp_in_next(data, size, &off, &rec)) {
		struct xdp_md ctx = {};
		struct run r = { .in = frame, .out = out };
		__u32 sel = rec.flags & XDP_IN_INGRESS_MASK;
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = frame,
			.data_out = out,
			.data_size_out = sizeof(out),
			.repeat = 1,
		);

		if (rec.flags & XDP_IN_NEW_GEN)
			backends_new_gen();
		r.len = xdp_in_frame(&rec, frame);
		if (r.len < 14)
			continue;	/* BPF_PROG_TEST_RUN wants an Ethernet header */
		r.ingress = sel == 1 ? ifindex_fz0 : sel == 2 ? ifindex_fz1 : ifindex_lo;
		if (sel == 1 || sel == 2) {
			ctx.data_end = r.len;
			ctx.ingress_ifindex = r.ingress;
			opts.ctx_in = &ctx;
			opts.ctx_size_in = sizeof(ctx);
		}
		opts.data_size_in = r.len;
		r.l2 = xc_l2_len(frame, r.len, &r.type);
		xc_context(frame, r.len, NULL, 0);
		CHECK(!bpf_prog_test_run_opts(lb.prog_fd, &opts));
		r.act = opts.retval;
		r.out_len = opts.data_size_out;
		xc_context(frame, r.len, out, r.out_len);
		check_run(&r);
		check_counters(&r, &prev_path);
		if (r.l2 && r.len > r.l2 && tcp_syn_at(frame + r.l2, r.len - r.l2))
			syn_before(frame + r.l2, r.len - r.l2, true);
	}
	return 0;
}
