// SPDX-License-Identifier: GPL-2.0
/*
 * The socket watch's sock_diag messages (agent/health/sockdiag.c), pure:
 * - parsing: a destruction event as the kernel sends it (bytes taken from
 *   Linux 6.18: AF_INET UDP and AF_INET6 TCP, INET_DIAG_PROTOCOL), a dump
 *   answer with INET_DIAG_SKV6ONLY, and what must be refused (another
 *   message type, cut short, an attribute running past the message,
 *   another family);
 * - which sockets serve a watched address: a table over the address
 *   rules (own address, wildcard, dual-stack wildcard with and without
 *   IPV6_V6ONLY or not known, v4-mapped, `*`), the port, the protocol and
 *   connected sockets;
 * - the dump request (states, port bytecode) and the classic BPF filter's
 *   shape and jump targets.
 * The kernel's side of both (that it accepts the request and the filter,
 * and what the events carry) is test_health_sockwatch.c's.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "../lib/test.h"
#include "health/sockdiag.h"

/* A message: nlmsghdr, inet_diag_msg, then attributes appended by put_attr. */
struct msg {
	union {
		struct nlmsghdr nlh;
		__u8 bytes[512];
	};
};

static struct inet_diag_msg *msg_init(struct msg *m, int family, int state, __u16 sport,
				      __u16 dport, const char *src)
{
	struct inet_diag_msg *d;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m->nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*d));
	d = NLMSG_DATA(&m->nlh);
	d->idiag_family = family;
	d->idiag_state = state;
	d->id.idiag_sport = htons(sport);
	d->id.idiag_dport = htons(dport);
	if (src)
		inet_pton(family, src, d->id.idiag_src);
	return d;
}

static void put_attr(struct msg *m, int type, __u8 v)
{
	struct nlattr *a = (struct nlattr *)(m->bytes + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + 1;
	*((__u8 *)a + NLA_HDRLEN) = v;
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

void test_health_sockdiag_parse(void)
{
	struct sockdiag_sock s;
	struct msg m;

	/* a UDP socket on 127.0.0.1:5353 destroyed: what 6.18 sends */
	msg_init(&m, AF_INET, TCP_CLOSE, 5353, 0, "127.0.0.1");
	put_attr(&m, INET_DIAG_PROTOCOL, IPPROTO_UDP);
	ASSERT_EQ(m.nlh.nlmsg_len, 96, "event length as the kernel's");
	if (ASSERT_OK(sockdiag_parse(&m.nlh, 0, &s), "udp event")) {
		ASSERT_EQ(s.family, XLB_FAMILY_V4, "family");
		ASSERT_EQ(s.proto, IPPROTO_UDP, "protocol from INET_DIAG_PROTOCOL");
		ASSERT_EQ(s.state, TCP_CLOSE, "state");
		ASSERT_EQ(s.sport, 5353, "local port, host order");
		ASSERT_EQ(s.dport, 0, "not connected");
		ASSERT_EQ(s.src.v4, htonl(0x7f000001), "local address");
		ASSERT_EQ(s.v6only, -1, "v6only not said");
	}
	/* a TCP listener on [::]:5354: the event carries no v6only */
	msg_init(&m, AF_INET6, TCP_CLOSE, 5354, 0, "::");
	put_attr(&m, INET_DIAG_PROTOCOL, IPPROTO_TCP);
	if (ASSERT_OK(sockdiag_parse(&m.nlh, 0, &s), "tcp6 event")) {
		ASSERT_EQ(s.family, XLB_FAMILY_V6, "family");
		ASSERT_EQ(s.proto, IPPROTO_TCP, "protocol");
		ASSERT_EQ(s.v6only, -1, "v6only not said");
	}
	/* a dump answer: the protocol is the request's, v6only said */
	msg_init(&m, AF_INET6, TCP_LISTEN, 53, 0, "2001:db8::53");
	put_attr(&m, INET_DIAG_SHUTDOWN, 0);
	put_attr(&m, INET_DIAG_SKV6ONLY, 1);
	if (ASSERT_OK(sockdiag_parse(&m.nlh, IPPROTO_TCP, &s), "dump answer")) {
		ASSERT_EQ(s.proto, IPPROTO_TCP, "protocol from the request");
		ASSERT_EQ(s.v6only, 1, "v6only");
		ASSERT_EQ(s.state, TCP_LISTEN, "state");
		ASSERT_EQ(s.src.bytes[15], 0x53, "address");
	}
	msg_init(&m, AF_INET6, TCP_LISTEN, 53, 0, "::");
	put_attr(&m, INET_DIAG_SKV6ONLY, 0);
	if (ASSERT_OK(sockdiag_parse(&m.nlh, IPPROTO_TCP, &s), "dual stack"))
		ASSERT_EQ(s.v6only, 0, "v6only 0");

	/* refused */
	msg_init(&m, AF_INET, TCP_CLOSE, 53, 0, NULL);
	m.nlh.nlmsg_type = NLMSG_ERROR;
	ASSERT_EQ(sockdiag_parse(&m.nlh, 0, &s), -EINVAL, "another message type");
	msg_init(&m, AF_INET, TCP_CLOSE, 53, 0, NULL);
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg)) - 1;
	ASSERT_EQ(sockdiag_parse(&m.nlh, 0, &s), -EINVAL, "cut short");
	msg_init(&m, AF_INET, TCP_CLOSE, 53, 0, NULL);
	put_attr(&m, INET_DIAG_PROTOCOL, IPPROTO_UDP);
	((struct nlattr *)(m.bytes + NLMSG_LENGTH(sizeof(struct inet_diag_msg))))->nla_len = 64;
	ASSERT_EQ(sockdiag_parse(&m.nlh, 0, &s), -EINVAL, "attribute past the end");
	msg_init(&m, AF_INET, TCP_CLOSE, 53, 0, NULL);
	put_attr(&m, INET_DIAG_PROTOCOL, IPPROTO_UDP);
	((struct nlattr *)(m.bytes + NLMSG_LENGTH(sizeof(struct inet_diag_msg))))->nla_len = 2;
	ASSERT_EQ(sockdiag_parse(&m.nlh, 0, &s), -EINVAL, "attribute shorter than its header");
	msg_init(&m, AF_UNIX, TCP_CLOSE, 53, 0, NULL);
	ASSERT_EQ(sockdiag_parse(&m.nlh, 0, &s), -EAFNOSUPPORT, "AF_UNIX");
	/* a message without INET_DIAG_PROTOCOL: the protocol stays unknown,
	 * and an unknown protocol serves nothing */
	msg_init(&m, AF_INET, TCP_CLOSE, 53, 0, "0.0.0.0");
	if (ASSERT_OK(sockdiag_parse(&m.nlh, 0, &s), "no protocol attribute"))
		ASSERT_EQ(s.proto, 0, "protocol unknown");
}

static struct conf_addr addr(const char *s)
{
	struct conf_addr a = {};

	if (!s)
		return a;
	if (inet_pton(AF_INET, s, &a.addr.v4) == 1)
		a.family = XLB_FAMILY_V4;
	else if (inet_pton(AF_INET6, s, a.addr.bytes) == 1)
		a.family = XLB_FAMILY_V6;
	return a;
}

void test_health_sockdiag_serves(void)
{
	static const struct {
		const char *name;
		const char *want;	/* NULL: `*` */
		__u8 want_proto;
		const char *src;	/* the socket's local address */
		__u8 proto;
		__u16 sport, dport;
		__s8 v6only;
		enum sockdiag_match m;
	} cases[] = {
		{ "own address", "203.0.113.10", IPPROTO_UDP, "203.0.113.10", IPPROTO_UDP, 53, 0, -1,
		  SOCKDIAG_YES },
		{ "v4 wildcard", "203.0.113.10", IPPROTO_UDP, "0.0.0.0", IPPROTO_UDP, 53, 0, -1,
		  SOCKDIAG_YES },
		{ "another v4 address", "203.0.113.10", IPPROTO_UDP, "203.0.113.11", IPPROTO_UDP, 53,
		  0, -1, SOCKDIAG_NO },
		{ "another port", "203.0.113.10", IPPROTO_UDP, "203.0.113.10", IPPROTO_UDP, 54, 0, -1,
		  SOCKDIAG_NO },
		{ "another protocol", "203.0.113.10", IPPROTO_UDP, "203.0.113.10", IPPROTO_TCP, 53, 0,
		  -1, SOCKDIAG_NO },
		{ "another protocol on its port", "203.0.113.10", IPPROTO_TCP, "203.0.113.10",
		  IPPROTO_UDP, 80, 0, -1, SOCKDIAG_NO },
		{ "protocol not said", "203.0.113.10", IPPROTO_UDP, "203.0.113.10", 0, 53, 0, -1,
		  SOCKDIAG_NO },
		{ "connected (an accepted connection)", "203.0.113.10", IPPROTO_TCP, "203.0.113.10",
		  IPPROTO_TCP, 80, 40000, -1, SOCKDIAG_NO },
		{ "v6 wildcard, v6only unknown", "203.0.113.10", IPPROTO_TCP, "::", IPPROTO_TCP, 80,
		  0, -1, SOCKDIAG_MAYBE },
		{ "v6 wildcard, dual stack", "203.0.113.10", IPPROTO_TCP, "::", IPPROTO_TCP, 80, 0, 0,
		  SOCKDIAG_YES },
		{ "v6 wildcard, v6only", "203.0.113.10", IPPROTO_TCP, "::", IPPROTO_TCP, 80, 0, 1,
		  SOCKDIAG_NO },
		{ "v4-mapped own address", "203.0.113.10", IPPROTO_TCP, "::ffff:203.0.113.10",
		  IPPROTO_TCP, 80, 0, 0, SOCKDIAG_YES },
		{ "v4-mapped other address", "203.0.113.10", IPPROTO_TCP, "::ffff:203.0.113.11",
		  IPPROTO_TCP, 80, 0, 0, SOCKDIAG_NO },
		{ "a v6 address for a v4 watch", "203.0.113.10", IPPROTO_TCP, "2001:db8::10",
		  IPPROTO_TCP, 80, 0, 0, SOCKDIAG_NO },
		{ "v6 own address", "2001:db8:ffff::10", IPPROTO_UDP, "2001:db8:ffff::10",
		  IPPROTO_UDP, 53, 0, 1, SOCKDIAG_YES },
		{ "v6 wildcard for a v6 watch", "2001:db8:ffff::10", IPPROTO_UDP, "::", IPPROTO_UDP,
		  53, 0, -1, SOCKDIAG_YES },
		{ "v6 other address", "2001:db8:ffff::10", IPPROTO_UDP, "2001:db8:ffff::11",
		  IPPROTO_UDP, 53, 0, 1, SOCKDIAG_NO },
		{ "a v4 socket for a v6 watch", "2001:db8:ffff::10", IPPROTO_UDP, "0.0.0.0",
		  IPPROTO_UDP, 53, 0, -1, SOCKDIAG_NO },
		{ "any address: v4", NULL, IPPROTO_UDP, "192.0.2.1", IPPROTO_UDP, 53, 0, -1,
		  SOCKDIAG_YES },
		{ "any address: v6", NULL, IPPROTO_UDP, "2001:db8::1", IPPROTO_UDP, 53, 0, 1,
		  SOCKDIAG_YES },
		{ "any address, connected", NULL, IPPROTO_UDP, "192.0.2.1", IPPROTO_UDP, 53, 5353, -1,
		  SOCKDIAG_NO },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* every watch is on port 53 or 80 */
		struct sockdiag_want w = { .addr = addr(cases[i].want),
					   .port = cases[i].want_proto == IPPROTO_UDP ? 53 : 80,
					   .proto = cases[i].want_proto };
		struct conf_addr src = addr(cases[i].src);
		struct sockdiag_sock s = {
			.family = src.family, .proto = cases[i].proto, .sport = cases[i].sport,
			.dport = cases[i].dport, .src = src.addr, .v6only = cases[i].v6only,
		};

		test_ctx("%s", cases[i].name);
		ASSERT_EQ(sockdiag_serves(&s, &w), cases[i].m, "match");
	}
	test_ctx(NULL);
}

void test_health_sockdiag_dump_req(void)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
		struct nlattr bc_hdr;
		struct inet_diag_bc_op bc[2];
	} m;
	__u8 small[16];

	ASSERT_EQ(sockdiag_dump_req(small, sizeof(small), AF_INET, IPPROTO_TCP, 80, 1), 0,
		  "too small");
	if (!ASSERT_EQ(sockdiag_dump_req(&m, sizeof(m), AF_INET6, IPPROTO_TCP, 8080, 7), sizeof(m),
		       "length"))
		return;
	ASSERT_EQ(m.nlh.nlmsg_len, sizeof(m), "nlmsg_len");
	ASSERT_EQ(m.nlh.nlmsg_type, SOCK_DIAG_BY_FAMILY, "type");
	ASSERT_EQ(m.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP, "flags");
	ASSERT_EQ(m.nlh.nlmsg_seq, 7, "seq");
	ASSERT_EQ(m.req.sdiag_family, AF_INET6, "family");
	ASSERT_EQ(m.req.sdiag_protocol, IPPROTO_TCP, "protocol");
	ASSERT_EQ(m.req.idiag_states, 1U << TCP_LISTEN, "tcp: listeners only");
	ASSERT_EQ(m.bc_hdr.nla_type, INET_DIAG_REQ_BYTECODE, "bytecode attribute");
	ASSERT_EQ(m.bc_hdr.nla_len, NLA_HDRLEN + 8, "bytecode length");
	ASSERT_EQ(m.bc[0].code, INET_DIAG_BC_S_EQ, "local port equal");
	ASSERT_EQ(m.bc[0].yes, 8, "match: to the end (accept)");
	ASSERT_EQ(m.bc[0].no, 12, "no match: past the end (reject)");
	ASSERT_EQ(m.bc[1].no, 8080, "the port, host order");

	sockdiag_dump_req(&m, sizeof(m), AF_INET, IPPROTO_UDP, 53, 8);
	ASSERT_EQ(m.req.idiag_states, 1U << TCP_CLOSE, "udp: unconnected sockets only");
}

void test_health_sockdiag_filter(void)
{
	struct sock_filter prog[SOCKDIAG_FILTER_MAX];
	__u16 ports[SOCKDIAG_FILTER_PORTS + 1];
	int n, i;

	n = sockdiag_filter(NULL, 0, prog, SOCKDIAG_FILTER_MAX);
	if (ASSERT_EQ(n, 1, "no port: one instruction")) {
		ASSERT_EQ(prog[0].code, BPF_RET | BPF_K, "ret");
		ASSERT_EQ(prog[0].k, 0, "keeps nothing");
	}

	ports[0] = 53;
	ports[1] = 8080;
	n = sockdiag_filter(ports, 2, prog, SOCKDIAG_FILTER_MAX);
	if (ASSERT_EQ(n, 7, "two ports")) {
		ASSERT_EQ(prog[0].code, BPF_LD | BPF_H | BPF_ABS, "load dport");
		ASSERT_EQ(prog[0].k, 22, "dport offset: nlmsghdr + 6");
		ASSERT_EQ(prog[1].code, BPF_JMP | BPF_JEQ | BPF_K, "dport == 0");
		ASSERT_EQ(prog[1].k, 0, "0");
		ASSERT_EQ(2 + prog[1].jt, 2, "unconnected: on to the sport");
		ASSERT_EQ(2 + prog[1].jf, 5, "connected: drop");
		ASSERT_EQ(prog[2].k, 20, "sport offset: nlmsghdr + 4");
		ASSERT_EQ(prog[3].k, 53, "first port");
		ASSERT_EQ(4 + prog[3].jt, 6, "first port: accept");
		ASSERT_EQ(prog[4].k, 8080, "second port");
		ASSERT_EQ(5 + prog[4].jt, 6, "second port: accept");
		ASSERT_EQ(5 + prog[4].jf, 5, "neither: drop");
		ASSERT_EQ(prog[5].k, 0, "drop");
		ASSERT_EQ(prog[6].k, 0xffffffff, "accept");
	}
	ASSERT_EQ(sockdiag_filter(ports, 2, prog, 6), -E2BIG, "no room");

	/* more ports than a jump reaches: only the dport test */
	for (i = 0; i <= SOCKDIAG_FILTER_PORTS; i++)
		ports[i] = 1000 + i;
	n = sockdiag_filter(ports, SOCKDIAG_FILTER_PORTS + 1, prog, SOCKDIAG_FILTER_MAX);
	if (ASSERT_EQ(n, 5, "many ports")) {
		ASSERT_EQ(2 + prog[1].jt, 4, "unconnected: accept");
		ASSERT_EQ(2 + prog[1].jf, 3, "connected: drop");
		ASSERT_EQ(prog[4].k, 0xffffffff, "accept");
	}
	n = sockdiag_filter(ports, SOCKDIAG_FILTER_PORTS, prog, SOCKDIAG_FILTER_MAX);
	ASSERT_EQ(n, SOCKDIAG_FILTER_MAX, "the most ports a filter names");
	ASSERT_EQ(4 + prog[3].jt, SOCKDIAG_FILTER_MAX - 1, "first port's jump reaches accept");
}
