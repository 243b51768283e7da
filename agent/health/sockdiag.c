// SPDX-License-Identifier: GPL-2.0
/*
 * sock_diag messages of the socket watch: parsing a socket's description,
 * matching it against a watched address, the dump request and the
 * destruction socket's BPF filter (see sockdiag.h).
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "health/sockdiag.h"

/* Where the ports are in a message, for the BPF filter: the netlink
 * header, then inet_diag_msg's family, state, timer, retrans, then its
 * inet_diag_sockid (ports in network order, which BPF_H loads as numbers). */
#define OFF_SPORT (NLMSG_HDRLEN + offsetof(struct inet_diag_msg, id.idiag_sport))
#define OFF_DPORT (NLMSG_HDRLEN + offsetof(struct inet_diag_msg, id.idiag_dport))

int sockdiag_parse(const struct nlmsghdr *nlh, __u8 proto, struct sockdiag_sock *out)
{
	const struct inet_diag_msg *m;
	const struct nlattr *a;
	size_t len, off;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EINVAL;
	m = NLMSG_DATA(nlh);
	memset(out, 0, sizeof(*out));
	if (m->idiag_family == AF_INET)
		out->family = XLB_FAMILY_V4;
	else if (m->idiag_family == AF_INET6)
		out->family = XLB_FAMILY_V6;
	else
		return -EAFNOSUPPORT;
	out->proto = proto;
	out->state = m->idiag_state;
	out->v6only = -1;
	out->sport = ntohs(m->id.idiag_sport);
	out->dport = ntohs(m->id.idiag_dport);
	memcpy(out->src.bytes, m->id.idiag_src, out->family == XLB_FAMILY_V4 ? 4 : 16);

	/* attributes: bounded by the message, each at least a header */
	len = nlh->nlmsg_len;
	for (off = NLMSG_LENGTH(sizeof(*m)); off + NLA_HDRLEN <= len;
	     off += NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)((const char *)nlh + off);
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			return -EINVAL;
		if (a->nla_len < NLA_HDRLEN + 1)
			continue;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case INET_DIAG_PROTOCOL:
			out->proto = *((const __u8 *)a + NLA_HDRLEN);
			break;
		case INET_DIAG_SKV6ONLY:
			out->v6only = !!*((const __u8 *)a + NLA_HDRLEN);
			break;
		}
	}
	return 0;
}

static bool v4_mapped(const union xlb_addr *a, __be32 v4)
{
	static const __u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a->bytes, prefix, sizeof(prefix)) && a->v6[3] == v4;
}

static bool is_zero(const union xlb_addr *a, __u8 family)
{
	static const union xlb_addr zero;

	return !memcmp(a->bytes, zero.bytes, family == XLB_FAMILY_V4 ? 4 : 16);
}

enum sockdiag_match sockdiag_serves(const struct sockdiag_sock *s, const struct sockdiag_want *w)
{
	const struct conf_addr *a = &w->addr;

	if (s->proto != w->proto || s->sport != w->port || s->dport)
		return SOCKDIAG_NO;
	if (!a->family)
		return SOCKDIAG_YES;
	if (s->family == XLB_FAMILY_V4) {
		if (a->family != XLB_FAMILY_V4)
			return SOCKDIAG_NO;
		return s->src.v4 == a->addr.v4 || !s->src.v4 ? SOCKDIAG_YES : SOCKDIAG_NO;
	}
	if (a->family == XLB_FAMILY_V6)
		return is_zero(&s->src, XLB_FAMILY_V6) ||
				       !memcmp(s->src.bytes, a->addr.bytes, 16) ?
			       SOCKDIAG_YES :
			       SOCKDIAG_NO;
	/* an IPv4 address on an IPv6 socket: mapped, or the dual-stack
	 * wildcard */
	if (v4_mapped(&s->src, a->addr.v4))
		return SOCKDIAG_YES;
	if (!is_zero(&s->src, XLB_FAMILY_V6))
		return SOCKDIAG_NO;
	if (s->v6only < 0)
		return SOCKDIAG_MAYBE;
	return s->v6only ? SOCKDIAG_NO : SOCKDIAG_YES;
}

size_t sockdiag_dump_req(void *buf, size_t len, int af, __u8 proto, __u16 port, __u32 seq)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
		struct nlattr bc_hdr;
		struct inet_diag_bc_op bc[2];
	} *m = buf;
	_Static_assert(sizeof(*m) == NLMSG_LENGTH(sizeof(m->req)) + NLA_HDRLEN + 2 * sizeof(m->bc[0]),
		       "dump request packed");

	if (len < sizeof(*m))
		return 0;
	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = sizeof(*m);
	m->nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	m->nlh.nlmsg_seq = seq;
	m->req.sdiag_family = af;
	m->req.sdiag_protocol = proto;
	/* a TCP service takes peers while it listens; an unconnected UDP
	 * socket is in TCP_CLOSE by inet_diag's numbering */
	m->req.idiag_states = proto == IPPROTO_TCP ? 1U << TCP_LISTEN : 1U << TCP_CLOSE;
	m->bc_hdr.nla_type = INET_DIAG_REQ_BYTECODE;
	m->bc_hdr.nla_len = NLA_HDRLEN + sizeof(m->bc);
	/* "local port == port": on a match go to the end (accept); else
	 * jump one op past it (the kernel rejects what does not end exactly
	 * at the end) */
	m->bc[0].code = INET_DIAG_BC_S_EQ;
	m->bc[0].yes = sizeof(m->bc);
	m->bc[0].no = sizeof(m->bc) + sizeof(m->bc[0]);
	m->bc[1].no = port;
	return sizeof(*m);
}

int sockdiag_filter(const __u16 *ports, size_t n, struct sock_filter *prog, size_t max)
{
	size_t i, k = 0, np = n > SOCKDIAG_FILTER_PORTS ? 0 : n;
	bool any_port = n > SOCKDIAG_FILTER_PORTS;

	if (!n) {
		if (max < 1)
			return -E2BIG;
		prog[0] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
		return 1;
	}
	if (max < np + 5)
		return -E2BIG;
	/* a connected socket (remote port set) never served anyone new */
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, OFF_DPORT);
	prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, any_port ? 2 : 0,
						 np + 1);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, OFF_SPORT);
	for (i = 0; i < np; i++)
		prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ports[i],
							 np - i, 0);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
	return k;
}
