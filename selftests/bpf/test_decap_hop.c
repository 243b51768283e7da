// SPDX-License-Identifier: GPL-2.0
/*
 * Second chance in the decap program (bpf/decap_hop.h) through
 * BPF_PROG_TEST_RUN with real sockets: each test runs in a private network
 * namespace (unshare(CLONE_NEWNET) in its own forked child), where the
 * VIPs and clients live on `lo` and a veth pair hp0/hp1 leads to the hops'
 * gateways, so bpf_skc_lookup_tcp sees only the sockets made here and
 * bpf_fib_lookup only these routes.
 *
 * - A segment whose 4-tuple has an established, time-wait or request
 *   socket here, or that completes a SYN-cookie handshake with a listener
 *   here, is decapsulated (sc_local); any other is sent on to its hop.
 * - Sent on: outer destination the hop, TTL one less, the GUE header and
 *   hop gone (plain GUE), lengths and checksums right (the frame equals
 *   one the packet builder makes from scratch; the IPv6 UDP checksum also
 *   verified on its own), the FIB's MACs, XDP_REDIRECT / XDP_TX by the
 *   egress; an unresolved neighbour passes it rewritten to the kernel; a
 *   blackhole route, forwarding off, TTL 1: dropped (sc_fwd_failed); no
 *   route at all: decapsulated here (sc_no_socket), like a local hop.
 * - Never back to itself: a hop that is a decap address or another local
 *   address is not sent to (decapsulated, sc_no_socket); a packet sent on
 *   carries no hop, so the next backend decapsulates it whatever it has.
 * - A hop on a SYN or on UDP is ignored; a malformed hop is dropped and
 *   counted (sc_malformed), never XDP_ABORTED.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>

#include "decap_fixture.h"
#include "../lib/test.h"

#define HOP4		"203.0.113.50"		/* routed via hp0, neighbour known */
#define HOP6		"2001:db8:be::5"
#define HOP4_NN		"203.0.113.51"		/* routed via hp0, no neighbour */
#define HOP6_NN		"2001:db8:bf::5"
#define HOP4_NR		"198.51.100.200"	/* no route */
#define HOP6_NR		"2001:db8:bd::5"
#define HOP4_BH		"203.0.113.52"		/* a blackhole route */
#define HOP6_BH		"2001:db8:bc::5"
#define LOCAL4_LO	"192.0.2.20"		/* on lo, not in decap_addrs */
#define LOCAL6_LO	"2001:db8::20"
#define CLIENT4_RQ	"203.0.113.8"		/* a client behind hp0 */
#define GW_MAC		{ 0x02, 0xaa, 0x00, 0x00, 0x00, 0x02 }
#define HP0_MAC		{ 0x02, 0x00, 0x00, 0x00, 0x98, 0x01 }
#define HP1_MAC		{ 0x02, 0x00, 0x00, 0x00, 0x98, 0x02 }

#define PORT_EST	40000	/* dcp_build_inner's client port: established */
#define PORT_NONE	40001	/* no socket */
#define PORT_TW		40002	/* time-wait */
#define PORT_RQ		40010	/* request socket */
#define PORT_COOKIE	40020	/* SYN-cookie handshake */

static const __u8 gw_mac[6] = GW_MAC, hp0_mac[6] = HP0_MAC;

static bool sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc)
		test_fail("`%s` failed (status %d)", cmd, rc);
	return !rc;
}

/*
 * A private namespace: VIPs and clients on lo; hp0 (192.0.2.129/25,
 * 2001:db8:98::1/64) paired with hp1; the hops routed via gateways on hp0
 * (.130 and ::2 with permanent neighbours, .131 and ::3 without);
 * forwarding on (bpf_fib_lookup refuses without).
 */
static bool netns_setup(void)
{
	if (unshare(CLONE_NEWNET)) {
		test_skip("unshare(CLONE_NEWNET): %s", strerror(errno));
		return false;
	}
	if (access("/usr/sbin/ip", X_OK) && access("/sbin/ip", X_OK) && access("/bin/ip", X_OK)) {
		test_skip("no ip(8)");
		return false;
	}
	return sh("ip link set lo up") &&
	       sh("ip addr add %s/32 dev lo && ip addr add %s/32 dev lo && "
		  "ip addr add %s/32 dev lo", DCP_VIP4, DCP_CLIENT4, LOCAL4_LO) &&
	       sh("ip -6 addr add %s/128 dev lo nodad && ip -6 addr add %s/128 dev lo nodad && "
		  "ip -6 addr add %s/128 dev lo nodad", DCP_VIP6, DCP_CLIENT6, LOCAL6_LO) &&
	       sh("ip link add hp0 address 02:00:00:00:98:01 type veth peer name hp1 "
		  "address 02:00:00:00:98:02") &&
	       sh("ip link set hp0 up && ip link set hp1 up") &&
	       sh("ip addr add 192.0.2.129/25 dev hp0") &&
	       sh("ip -6 addr add 2001:db8:98::1/64 dev hp0 nodad") &&
	       sh("ip route add %s/32 via 192.0.2.130 dev hp0", HOP4) &&
	       sh("ip route add %s/32 via 192.0.2.130 dev hp0", CLIENT4_RQ) &&
	       sh("ip route add %s/32 via 192.0.2.131 dev hp0", HOP4_NN) &&
	       sh("ip route add blackhole %s/32 && ip -6 route add blackhole %s/128", HOP4_BH,
		  HOP6_BH) &&
	       sh("ip neigh add 192.0.2.130 lladdr 02:aa:00:00:00:02 dev hp0 nud permanent") &&
	       sh("ip -6 route add %s/128 via 2001:db8:98::2 dev hp0", HOP6) &&
	       sh("ip -6 route add %s/128 via 2001:db8:98::3 dev hp0", HOP6_NN) &&
	       sh("ip -6 neigh add 2001:db8:98::2 lladdr 02:aa:00:00:00:02 dev hp0 "
		  "nud permanent") &&
	       sh("sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
}

/* --- sockets --- */

static int sa_make(const char *addr, __u16 port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return AF_INET6;
	}
	return -1;
}

/* A TCP socket bound to addr:port (listening when `listener`). */
static int tcp_bound(const char *addr, __u16 port, bool listener)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = sa_make(addr, port, &ss, &len), fd, one = 1;

	fd = socket(fam, SOCK_STREAM, 0);
	if (!ASSERT_GE(fd, 0, "socket"))
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!ASSERT_OK(bind(fd, (void *)&ss, len) ? -errno : 0, addr) ||
	    (listener && !ASSERT_OK(listen(fd, 16) ? -errno : 0, "listen"))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Connects client:cport to the listener at vip:80; the accepted socket
 * in *srv, the client's returned. */
static int tcp_connect(int lfd, const char *client, __u16 cport, const char *vip, int *srv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = tcp_bound(client, cport, false);

	if (fd < 0)
		return -1;
	sa_make(vip, 80, &ss, &len);
	if (!ASSERT_OK(connect(fd, (void *)&ss, len) ? -errno : 0, "connect")) {
		close(fd);
		return -1;
	}
	*srv = accept(lfd, NULL, NULL);
	if (!ASSERT_GE(*srv, 0, "accept")) {
		close(fd);
		return -1;
	}
	return fd;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* /proc/net/tcp{,6} has a socket local vip:80, remote client:cport in
 * state `st` (06 TIME_WAIT, 03 SYN_RECV), within 5 s. */
static bool tcp_state_wait(const char *vip, const char *client, __u16 cport, int st)
{
	union xlb_addr a = {}, b = {};
	char want[160], line[512];
	double deadline = now_s() + 5;
	__u8 fam;
	int n;

	pkt_addr_parse(vip, &a, &fam);
	pkt_addr_parse(client, &b, NULL);
	if (fam == XLB_FAMILY_V4)
		n = snprintf(want, sizeof(want), "%08X:0050 %08X:%04X %02X", a.v4, b.v4, cport, st);
	else
		n = snprintf(want, sizeof(want), "%08X%08X%08X%08X:0050 %08X%08X%08X%08X:%04X %02X",
			     a.v6[0], a.v6[1], a.v6[2], a.v6[3], b.v6[0], b.v6[1], b.v6[2],
			     b.v6[3], cport, st);
	if (n < 0)
		return false;
	while (now_s() < deadline) {
		FILE *f = fopen(fam == XLB_FAMILY_V4 ? "/proc/net/tcp" : "/proc/net/tcp6", "r");

		if (!f)
			break;
		while (fgets(line, sizeof(line), f))
			if (strstr(line, want)) {
				fclose(f);
				return true;
			}
		fclose(f);
		usleep(10000);
	}
	test_fail("no socket '%s' in /proc/net/tcp within 5 s", want);
	return false;
}

/* A packet socket on hp1: frames sent there arrive on hp0 as from the
 * network, and frames hp0 sends are read there. */
static int hp1_socket(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));

	if (!ASSERT_GE(fd, 0, "AF_PACKET socket"))
		return -1;
	sll.sll_ifindex = if_nametoindex("hp1");
	if (!ASSERT_OK(bind(fd, (void *)&sll, sizeof(sll)) ? -errno : 0, "bind hp1")) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A client's SYN for vip:80 from client:cport, into hp0 from the wire. */
static bool syn_inject(int pfd, const char *client, __u16 cport, const char *vip)
{
	static struct pkt p;

	pkt_init(&p);
	pkt_eth(&p, &(struct pkt_eth){ .dst = HP0_MAC, .src = HP1_MAC });
	pkt_ip(&p, &(struct pkt_ip){ .src = client, .dst = vip });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = cport, .dport = 80, .seq = 1000,
				       .flags = TH_SYN });
	if (!ASSERT_OK(pkt_finish(&p), "build SYN"))
		return false;
	return ASSERT_EQ(send(pfd, p.buf, p.len, 0), (ssize_t)p.len, "send SYN");
}

/* The sequence number of the SYN-ACK to client:cport read on hp1. */
static bool synack_seq(int pfd, __u16 cport, __u32 *seq)
{
	double deadline = now_s() + 5;
	__u8 buf[2048];

	while (now_s() < deadline) {
		struct pollfd pf = { .fd = pfd, .events = POLLIN };
		struct pkt_info in;
		ssize_t n;

		if (poll(&pf, 1, 100) <= 0)
			continue;
		n = recv(pfd, buf, sizeof(buf), 0);
		if (n <= 0 || pkt_parse(buf, n, &in) || in.proto != IPPROTO_TCP)
			continue;
		if (buf[in.l4 + 13] != (TH_SYN | TH_ACK) || ntohs(*(__be16 *)(buf + in.l4 + 2)) != cport)
			continue;
		*seq = ntohl(*(__be32 *)(buf + in.l4 + 4));
		return true;
	}
	test_fail("no SYN-ACK to port %u within 5 s", cport);
	return false;
}

/* --- frames --- */

/* The GUE header with a hop (include/xlb_shared.h) into o. */
static void hop_gue(struct dcp_outer *o, const char *hop, bool inner_v6)
{
	union xlb_addr a = {};
	__u8 fam = 0;
	size_t alen;

	pkt_addr_parse(hop, &a, &fam);
	alen = fam == XLB_FAMILY_V4 ? 4 : 16;
	o->udp = true;
	o->gue[0] = XLB_GUE_HOP_HLEN(fam);
	o->gue[1] = inner_v6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	o->gue[2] = o->gue[3] = 0;
	o->gue[4] = XLB_GUE_HOP_TYPE >> 8;
	o->gue[5] = XLB_GUE_HOP_TYPE & 0xff;
	o->gue[6] = fam;
	o->gue[7] = 0;
	memcpy(o->gue + 8, a.bytes, alen);
	o->gue_len = 8 + alen;
}

/* The balancer's frame: to our address of the hop's family, with a hop;
 * outer TTL `ttl` (0: 64). */
static int build_hop_ttl(struct pkt *p, enum dcp_l2 l2, const char *hop, const struct pkt *inner,
			 bool inner_v6, __u8 ttl)
{
	struct dcp_outer o = { .df = !strchr(hop, ':'), .ttl = ttl };
	size_t ip_len;
	const __u8 *ip = dcp_ip_of(inner, l2, &ip_len);

	hop_gue(&o, hop, inner_v6);
	o.dst = strchr(hop, ':') ? DCP_LOCAL6 : DCP_LOCAL4;
	o.zero_csum = !strchr(hop, ':');
	return dcp_build_outer(p, l2, &o, ip, ip_len);
}

static int build_hop(struct pkt *p, enum dcp_l2 l2, const char *hop, const struct pkt *inner,
		     bool inner_v6)
{
	return build_hop_ttl(p, l2, hop, inner, inner_v6, 0);
}

/* What must come out when it is sent on: plain GUE to the hop, TTL 63,
 * MACs `dmac`/`smac` (NULL: those the input had). */
static int build_sent_on(struct pkt *p, enum dcp_l2 l2, const char *hop, const struct pkt *inner,
			 const __u8 *dmac, const __u8 *smac)
{
	struct dcp_outer o = { .dst = hop, .udp = true, .ttl = 63, .df = !strchr(hop, ':'),
			       .zero_csum = !strchr(hop, ':') };
	size_t ip_len;
	const __u8 *ip = dcp_ip_of(inner, l2, &ip_len);
	int err = dcp_build_outer(p, l2, &o, ip, ip_len);

	if (dmac)
		memcpy(p->buf, dmac, 6);
	if (smac)
		memcpy(p->buf + 6, smac, 6);
	return err;
}

/* The client's segment: ACK|PSH from client:cport (dcp_build_inner's
 * with another port, or flags). */
static int build_seg(struct pkt *p, enum dcp_l2 l2, bool v6, const char *client, __u16 cport,
		     __u8 flags, __u32 ack)
{
	dcp_build_l2(p, l2);
	pkt_ip(p, &(struct pkt_ip){ .src = client ? client : v6 ? DCP_CLIENT6 : DCP_CLIENT4,
				    .dst = v6 ? DCP_VIP6 : DCP_VIP4 });
	pkt_tcp(p, &(struct pkt_tcp){ .sport = cport, .dport = 80, .seq = 1001, .ack = ack,
				      .flags = flags, .len = flags & TH_SYN ? 0 : 20 });
	return pkt_finish(p);
}

/* Checks a frame that must be decapsulated (out: the inner frame). */
static void check_local(struct dcp_env *env, const struct pkt *in, const struct pkt *inner,
			int sc)
{
	if (sc < 0)
		dcp_check_ifindex(env, in->buf, in->len, 0, XDP_PASS, inner->buf, inner->len,
				  DCP_STATS(XLB_DECAP_STAT_DECAP));
	else
		dcp_check_ifindex(env, in->buf, in->len, 0, XDP_PASS, inner->buf, inner->len,
				  DCP_STATS(XLB_DECAP_STAT_DECAP, sc));
}

/* Checks a frame that must be sent on to `hop` by redirect to hp0. */
static void check_sent_on(struct dcp_env *env, const struct pkt *in, enum dcp_l2 l2,
			  const char *hop, const struct pkt *inner)
{
	static struct pkt want;

	if (!ASSERT_OK(build_sent_on(&want, l2, hop, inner, gw_mac, hp0_mac), "build sent on"))
		return;
	dcp_check_ifindex(env, in->buf, in->len, 0, XDP_REDIRECT, want.buf, want.len,
			  DCP_STATS(DCP_SC(XLB_DECAP_SC_FORWARD)));
}

/*
 * Whose socket: established and time-wait sockets of both families, a
 * request socket, a SYN-cookie ACK (and a wrong cookie), none; a SYN and
 * UDP with a hop.
 */
void test_decap_hop_socket(void)
{
	static struct pkt inner, in;
	int lfd[2] = { -1, -1 }, cfd[2] = { -1, -1 }, sfd[2] = { -1, -1 }, pfd = -1;
	struct dcp_env env = {};
	__u32 cookie;
	int v6;

	if (!netns_setup() || !dcp_open(&env))
		goto out;
	for (v6 = 0; v6 < 2; v6++) {
		const char *vip = v6 ? DCP_VIP6 : DCP_VIP4, *client = v6 ? DCP_CLIENT6 : DCP_CLIENT4;
		const char *hop = v6 ? HOP6 : HOP4;
		int tw_c, tw_s;

		test_ctx("IPv%d: sockets", v6 ? 6 : 4);
		lfd[v6] = tcp_bound(vip, 80, true);
		if (lfd[v6] < 0)
			goto out;
		cfd[v6] = tcp_connect(lfd[v6], client, PORT_EST, vip, &sfd[v6]);
		tw_c = tcp_connect(lfd[v6], client, PORT_TW, vip, &tw_s);
		if (cfd[v6] < 0 || tw_c < 0)
			goto out;
		/* the server closes first: its side ends in TIME_WAIT */
		close(tw_s);
		close(tw_c);
		if (!tcp_state_wait(vip, client, PORT_TW, 0x06))
			goto out;

		/* hops of the other family too: the hop is the outer's */
		for (int hv6 = 0; hv6 < 2; hv6++) {
			const char *h = hv6 ? HOP6 : HOP4;

			test_ctx("IPv%d inner, IPv%d outer: established", v6 ? 6 : 4, hv6 ? 6 : 4);
			if (ASSERT_OK(build_seg(&inner, L2_PLAIN, v6, NULL, PORT_EST, TH_ACK, 1), "b") &&
			    ASSERT_OK(build_hop(&in, L2_PLAIN, h, &inner, v6), "build"))
				check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_LOCAL));
			test_ctx("IPv%d inner, IPv%d outer: no socket", v6 ? 6 : 4, hv6 ? 6 : 4);
			if (ASSERT_OK(build_seg(&inner, L2_PLAIN, v6, NULL, PORT_NONE, TH_ACK, 1), "b") &&
			    ASSERT_OK(build_hop(&in, L2_PLAIN, h, &inner, v6), "build"))
				check_sent_on(&env, &in, L2_PLAIN, h, &inner);
		}
		test_ctx("IPv%d: time-wait", v6 ? 6 : 4);
		if (ASSERT_OK(build_seg(&inner, L2_VLAN, v6, NULL, PORT_TW, TH_ACK, 1), "b") &&
		    ASSERT_OK(build_hop(&in, L2_VLAN, hop, &inner, v6), "build"))
			check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_LOCAL));
		test_ctx("IPv%d: RST, FIN of a connection here", v6 ? 6 : 4);
		if (ASSERT_OK(build_seg(&inner, L2_PLAIN, v6, NULL, PORT_EST, TH_RST, 0), "b") &&
		    ASSERT_OK(build_hop(&in, L2_PLAIN, hop, &inner, v6), "build"))
			check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_LOCAL));
		if (ASSERT_OK(build_seg(&inner, L2_PLAIN, v6, NULL, PORT_EST, TH_FIN | TH_ACK, 1),
			      "b") &&
		    ASSERT_OK(build_hop(&in, L2_PLAIN, hop, &inner, v6), "build"))
			check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_LOCAL));
		test_ctx("IPv%d: RST of a connection not here", v6 ? 6 : 4);
		if (ASSERT_OK(build_seg(&inner, L2_PLAIN, v6, NULL, PORT_NONE, TH_RST, 0), "b") &&
		    ASSERT_OK(build_hop(&in, L2_PLAIN, hop, &inner, v6), "build"))
			check_sent_on(&env, &in, L2_PLAIN, hop, &inner);
		test_ctx("IPv%d: a listener alone, an ACK that is no cookie", v6 ? 6 : 4);
		if (ASSERT_OK(build_seg(&inner, L2_PLAIN, v6, NULL, PORT_NONE, TH_ACK, 12345), "b") &&
		    ASSERT_OK(build_hop(&in, L2_PLAIN, hop, &inner, v6), "build"))
			check_sent_on(&env, &in, L2_PLAIN, hop, &inner);
		test_ctx("IPv%d: a SYN with a hop", v6 ? 6 : 4);
		if (ASSERT_OK(build_seg(&inner, L2_PLAIN, v6, NULL, PORT_NONE, TH_SYN, 0), "b") &&
		    ASSERT_OK(build_hop(&in, L2_PLAIN, hop, &inner, v6), "build"))
			check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_IGNORED));
		test_ctx("IPv%d: UDP with a hop", v6 ? 6 : 4);
		if (ASSERT_OK(dcp_build_inner(&inner, L2_PLAIN, v6, false, 0), "b") &&
		    ASSERT_OK(build_hop(&in, L2_PLAIN, hop, &inner, v6), "build"))
			check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_IGNORED));
	}

	/* a request socket: a SYN from a client behind hp0, whose SYN-ACK
	 * goes out there and is never answered */
	test_ctx("request socket");
	pfd = hp1_socket();
	if (pfd < 0 || !sh("sysctl -qw net.ipv4.tcp_syncookies=0") ||
	    !syn_inject(pfd, CLIENT4_RQ, PORT_RQ, DCP_VIP4) ||
	    !tcp_state_wait(DCP_VIP4, CLIENT4_RQ, PORT_RQ, 0x03))
		goto out;
	if (ASSERT_OK(build_seg(&inner, L2_PLAIN, false, CLIENT4_RQ, PORT_RQ, TH_ACK, 1), "b") &&
	    ASSERT_OK(build_hop(&in, L2_PLAIN, HOP4, &inner, false), "build"))
		check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_LOCAL));

	/* SYN cookies always: the listener keeps no state; the handshake's
	 * ACK is ours only with the right cookie */
	test_ctx("SYN cookie");
	if (!sh("sysctl -qw net.ipv4.tcp_syncookies=2") ||
	    !syn_inject(pfd, CLIENT4_RQ, PORT_COOKIE, DCP_VIP4) ||
	    !synack_seq(pfd, PORT_COOKIE, &cookie))
		goto out;
	if (ASSERT_OK(build_seg(&inner, L2_PLAIN, false, CLIENT4_RQ, PORT_COOKIE, TH_ACK,
				cookie + 1), "b") &&
	    ASSERT_OK(build_hop(&in, L2_PLAIN, HOP4, &inner, false), "build"))
		check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_LOCAL));
	test_ctx("SYN cookie, wrong");
	/* (the cookie's low bits carry the MSS index: a cookie one off may
	 * still be valid; one with bit 23 flipped never is) */
	if (ASSERT_OK(build_seg(&inner, L2_PLAIN, false, CLIENT4_RQ, PORT_COOKIE, TH_ACK,
				(cookie ^ 0x800000) + 1), "b") &&
	    ASSERT_OK(build_hop(&in, L2_PLAIN, HOP4, &inner, false), "build"))
		check_sent_on(&env, &in, L2_PLAIN, HOP4, &inner);
out:
	test_ctx(NULL);
	for (v6 = 0; v6 < 2; v6++) {
		if (lfd[v6] >= 0)
			close(lfd[v6]);
		if (cfd[v6] >= 0)
			close(cfd[v6]);
		if (sfd[v6] >= 0)
			close(sfd[v6]);
	}
	if (pfd >= 0)
		close(pfd);
	dcp_close(&env);
}

/*
 * Sending on, no socket anywhere: the frame by every egress case, both
 * outer families, with and without a VLAN tag; the IPv6 UDP checksum
 * verified on its own as well.
 */
void test_decap_hop_forward(void)
{
	static struct pkt inner, in, want;
	static struct dcp_run r;
	struct dcp_env env = {};
	__u32 hp0;
	int v6, iv6;
	enum dcp_l2 l2;

	if (!netns_setup() || !dcp_open(&env))
		goto out;
	hp0 = if_nametoindex("hp0");
	if (!ASSERT_GT(hp0, 0, "hp0"))
		goto out;
	for (v6 = 0; v6 < 2; v6++) {
		for (iv6 = 0; iv6 < 2; iv6++) {
			for (l2 = L2_PLAIN; l2 <= L2_VLAN; l2++) {
				const char *hop = v6 ? HOP6 : HOP4;
				struct pkt_info pi;

				test_ctx("outer IPv%d, inner IPv%d, %s: redirect", v6 ? 6 : 4,
					 iv6 ? 6 : 4, dcp_l2_names[l2]);
				if (!ASSERT_OK(build_seg(&inner, l2, iv6, NULL, PORT_NONE, TH_ACK, 1),
					       "b") ||
				    !ASSERT_OK(build_hop(&in, l2, hop, &inner, iv6), "build"))
					continue;
				check_sent_on(&env, &in, l2, hop, &inner);
				if (dcp_run(&env, in.buf, in.len, 0, &r) &&
				    ASSERT_OK(pkt_parse(r.out, r.out_len, &pi), "parse output"))
					ASSERT_OK(pkt_check_l4_csum(r.out + pi.l3, r.out_len - pi.l3),
						  "outer UDP checksum verifies");

				test_ctx("outer IPv%d, inner IPv%d, %s: XDP_TX", v6 ? 6 : 4,
					 iv6 ? 6 : 4, dcp_l2_names[l2]);
				if (ASSERT_OK(build_sent_on(&want, l2, hop, &inner, gw_mac, hp0_mac),
					      "build"))
					dcp_check_ifindex(&env, in.buf, in.len, hp0, XDP_TX, want.buf,
							  want.len,
							  DCP_STATS(DCP_SC(XLB_DECAP_SC_FORWARD)));

				test_ctx("outer IPv%d, inner IPv%d, %s: neighbour unknown",
					 v6 ? 6 : 4, iv6 ? 6 : 4, dcp_l2_names[l2]);
				hop = v6 ? HOP6_NN : HOP4_NN;
				if (ASSERT_OK(build_hop(&in, l2, hop, &inner, iv6), "build") &&
				    ASSERT_OK(build_sent_on(&want, l2, hop, &inner, NULL, NULL), "b"))
					dcp_check_ifindex(&env, in.buf, in.len, 0, XDP_PASS, want.buf,
							  want.len,
							  DCP_STATS(DCP_SC(XLB_DECAP_SC_FORWARD_KERNEL)));

				/* bpf_fib_lookup says the same for no route as for
				 * a local address: not sent on */
				test_ctx("outer IPv%d, inner IPv%d, %s: no route", v6 ? 6 : 4,
					 iv6 ? 6 : 4, dcp_l2_names[l2]);
				if (ASSERT_OK(build_hop(&in, l2, v6 ? HOP6_NR : HOP4_NR, &inner, iv6),
					      "build"))
					check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_NO_SOCKET));

				test_ctx("outer IPv%d, inner IPv%d, %s: blackhole route", v6 ? 6 : 4,
					 iv6 ? 6 : 4, dcp_l2_names[l2]);
				if (ASSERT_OK(build_hop(&in, l2, v6 ? HOP6_BH : HOP4_BH, &inner, iv6),
					      "build"))
					dcp_check_ifindex(&env, in.buf, in.len, 0, XDP_DROP, NULL, 0,
							  DCP_STATS(XLB_DECAP_STAT_DROP,
								    DCP_SC(XLB_DECAP_SC_FWD_FAILED)));
			}
		}
		test_ctx("outer IPv%d: TTL 1", v6 ? 6 : 4);
		if (ASSERT_OK(build_seg(&inner, L2_PLAIN, false, NULL, PORT_NONE, TH_ACK, 1), "b") &&
		    ASSERT_OK(build_hop_ttl(&in, L2_PLAIN, v6 ? HOP6 : HOP4, &inner, false, 1), "b"))
			dcp_check_ifindex(&env, in.buf, in.len, 0, XDP_DROP, NULL, 0,
					  DCP_STATS(XLB_DECAP_STAT_DROP,
						    DCP_SC(XLB_DECAP_SC_FWD_FAILED)));
	}
	test_ctx("forwarding off");
	if (sh("sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0")) {
		for (v6 = 0; v6 < 2; v6++) {
			if (ASSERT_OK(build_seg(&inner, L2_PLAIN, true, NULL, PORT_NONE, TH_ACK, 1),
				      "b") &&
			    ASSERT_OK(build_hop(&in, L2_PLAIN, v6 ? HOP6 : HOP4, &inner, true), "b"))
				dcp_check_ifindex(&env, in.buf, in.len, 0, XDP_DROP, NULL, 0,
						  DCP_STATS(XLB_DECAP_STAT_DROP,
							    DCP_SC(XLB_DECAP_SC_FWD_FAILED)));
		}
	}
out:
	test_ctx(NULL);
	dcp_close(&env);
}

/*
 * Never back to itself, never a second extra hop: a hop that is one of
 * our decap addresses or another local address is not sent to; what was
 * sent on is decapsulated by the next backend, socket or not.
 */
void test_decap_hop_loop(void)
{
	static const char *const selves[] = { DCP_LOCAL4, DCP_LOCAL6, LOCAL4_LO, LOCAL6_LO };
	static struct pkt inner, in, inner2;
	static struct dcp_run r;
	struct dcp_env env = {};
	size_t i;

	if (!netns_setup() || !dcp_open(&env))
		goto out;
	for (i = 0; i < ARRAY_SIZE(selves); i++) {
		test_ctx("hop %s: this host", selves[i]);
		if (ASSERT_OK(build_seg(&inner, L2_PLAIN, false, NULL, PORT_NONE, TH_ACK, 1), "b") &&
		    ASSERT_OK(build_hop(&in, L2_PLAIN, selves[i], &inner, false), "build"))
			check_local(&env, &in, &inner, DCP_SC(XLB_DECAP_SC_NO_SOCKET));
	}

	/* the next backend: HOP4 is its address; it has no socket either */
	test_ctx("sent on, then at the hop");
	if (!ASSERT_OK(build_seg(&inner, L2_PLAIN, false, NULL, PORT_NONE, TH_ACK, 1), "b") ||
	    !ASSERT_OK(build_hop(&in, L2_PLAIN, HOP4, &inner, false), "build") ||
	    !dcp_run(&env, in.buf, in.len, 0, &r) ||
	    !ASSERT_EQ(r.retval, XDP_REDIRECT, "sent on") ||
	    !ASSERT_OK(dcp_add_addr(&env, HOP4), "add " HOP4))
		goto out;
	memcpy(inner2.buf, inner.buf, inner.len);
	inner2.len = inner.len;
	/* the MACs are the hop's view of the frame: kept by decapsulation */
	memcpy(inner2.buf, r.out, 12);
	dcp_check_ifindex(&env, r.out, r.out_len, 0, XDP_PASS, inner2.buf, inner2.len,
			  DCP_STATS(XLB_DECAP_STAT_DECAP));
out:
	test_ctx(NULL);
	dcp_close(&env);
}

/* Malformed hops: dropped and counted (sc_malformed), including a hop
 * the packet ends in; someone else's private data is skipped as before. */
void test_decap_hop_malformed(void)
{
	static const struct {
		const char *name;
		const char *hop;	/* a well-formed hop first */
		int at;			/* GUE byte to overwrite, -1: none */
		__u8 val;
		size_t cut;		/* GUE bytes kept, the packet ending there; 0: all */
		bool opts;		/* outer IPv4 options */
	} cases[] = {
		{ "family 5", HOP4, 6, 5 },
		{ "family 0", HOP4, 6, 0 },
		{ "IPv6 hop in IPv4", HOP4, 6, XLB_FAMILY_V6 },
		{ "IPv4 hop in IPv6", HOP6, 6, XLB_FAMILY_V4 },
		{ "Hlen 3 for IPv4", HOP4, 0, 3 },
		{ "Hlen 4 for IPv6", HOP6, 0, 4 },
		{ "reserved set", HOP6, 7, 1 },
		{ "hop 0.0.0.0", "0.0.0.0", -1 },
		{ "hop 255.255.255.255", "255.255.255.255", -1 },
		{ "hop 127.0.0.1", "127.0.0.1", -1 },
		{ "hop 224.0.0.5", "224.0.0.5", -1 },
		{ "hop ::", "::", -1 },
		{ "hop ::1", "::1", -1 },
		{ "hop ff02::1", "ff02::1", -1 },
		{ "hop 169.254.1.1", "169.254.1.1", -1 },
		{ "hop fe80::1", "fe80::1", -1 },
		{ "outer IPv4 options", HOP4, -1, 0, 0, true },
		{ "IPv4 hop cut", HOP4, -1, 0, 10 },
		{ "IPv6 hop cut", HOP6, -1, 0, 23 },
	};
	static struct pkt inner, in;
	struct dcp_env env = {};
	size_t i, ip_len;
	const __u8 *ip;

	if (!netns_setup() || !dcp_open(&env))
		goto out;
	if (!ASSERT_OK(build_seg(&inner, L2_VLAN, false, NULL, PORT_NONE, TH_ACK, 1), "b"))
		goto out;
	ip = dcp_ip_of(&inner, L2_VLAN, &ip_len);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool v6 = strchr(cases[i].hop, ':');
		struct dcp_outer o = { .dst = v6 ? DCP_LOCAL6 : DCP_LOCAL4, .df = !v6,
				       .opts = cases[i].opts, .zero_csum = !v6 };

		test_ctx("%s", cases[i].name);
		hop_gue(&o, cases[i].hop, false);
		if (cases[i].at >= 0)
			o.gue[cases[i].at] = cases[i].val;
		if (cases[i].cut)
			o.gue_len = cases[i].cut;
		if (!ASSERT_OK(dcp_build_outer(&in, L2_VLAN, &o, ip, cases[i].cut ? 0 : ip_len),
			       "build"))
			continue;
		dcp_check_ifindex(&env, in.buf, in.len, 0, XDP_DROP, NULL, 0,
				  DCP_STATS(XLB_DECAP_STAT_DROP, DCP_SC(XLB_DECAP_SC_MALFORMED)));
	}

	test_ctx("outer source multicast");
	{
		struct dcp_outer o = { .dst = DCP_LOCAL6 };

		hop_gue(&o, HOP6, false);
		if (ASSERT_OK(dcp_build_outer(&in, L2_VLAN, &o, ip, ip_len), "build")) {
			in.buf[18 + 8] = 0xff;	/* outer source ff.. */
			dcp_check_ifindex(&env, in.buf, in.len, 0, XDP_DROP, NULL, 0,
					  DCP_STATS(XLB_DECAP_STAT_DROP,
						    DCP_SC(XLB_DECAP_SC_MALFORMED)));
		}
	}

	test_ctx("private data of another type");
	{
		struct dcp_outer o = { .dst = DCP_LOCAL4, .df = true, .zero_csum = true };

		hop_gue(&o, HOP4, false);
		o.gue[4] = 0x12;
		if (ASSERT_OK(dcp_build_outer(&in, L2_VLAN, &o, ip, ip_len), "build"))
			check_local(&env, &in, &inner, -1);
	}
	test_ctx(NULL);
out:
	dcp_close(&env);
}
