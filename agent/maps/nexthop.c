// SPDX-License-Identifier: GPL-2.0
/*
 * Next-hop resolution for backends, so the datapath can use a cached
 * next hop (egress interface, MACs, MTU) instead of a FIB lookup per
 * packet. Asks the kernel over rtnetlink (libmnl): the route to the
 * backend (RTM_GETROUTE), the egress link's MAC and MTU (RTM_GETLINK) and
 * the neighbour entry of the gateway or the backend itself (RTM_GETNEIGH).
 * An unresolved neighbour is prodded with a UDP datagram to the discard
 * port so the kernel resolves it, then asked again. A resolver answers
 * many lookups on one netlink socket and asks about each link and
 * neighbour once (a round of xlbd's refresh: thousands of backends
 * behind a few gateways).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "maps/nexthop.h"

struct nh_query {
	struct mnl_socket *nl;
	unsigned int seq;
	char buf[32768];
};

struct route_reply {
	int family;
	__u32 oif;
	union xlb_addr gw;
	bool has_gw;
	__u32 mtu;	/* route MTU metric, 0 = none */
};

struct link_reply {
	__u8 mac[6];
	bool has_mac;
	__u32 mtu;
};

struct neigh_reply {
	int family;
	__u32 ifindex;
	const union xlb_addr *want;
	__u8 mac[6];
	bool found;
};

static int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Send the request in q->buf and feed every reply to cb. */
static int nh_talk(struct nh_query *q, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(q->nl);
	ssize_t n;
	int rc;

	nlh->nlmsg_seq = ++q->seq;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(q->nl, q->buf, sizeof(q->buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(q->buf, n, q->seq, portid, cb, data);
		/* a dump ends with NLMSG_DONE; a plain request has one reply */
		if (rc <= MNL_CB_STOP || !(nlh->nlmsg_flags & NLM_F_DUMP))
			return rc < 0 ? -errno : 0;
	}
}

static int route_attr(const struct nlattr *attr, void *data)
{
	struct route_reply *r = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_OIF:
		r->oif = mnl_attr_get_u32(attr);
		break;
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(attr) == (unsigned int)addr_len(r->family)) {
			memcpy(&r->gw, mnl_attr_get_payload(attr), addr_len(r->family));
			r->has_gw = true;
		}
		break;
	case RTA_METRICS: {
		const struct nlattr *m;

		mnl_attr_for_each_nested(m, attr)
			if (mnl_attr_get_type(m) == RTAX_MTU)
				r->mtu = mnl_attr_get_u32(m);
		break;
	}
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(*rtm), route_attr, data);
}

static int link_attr(const struct nlattr *attr, void *data)
{
	struct link_reply *l = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) == 6) {
			memcpy(l->mac, mnl_attr_get_payload(attr), 6);
			l->has_mac = true;
		}
		break;
	case IFLA_MTU:
		l->mtu = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), link_attr, data);
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct neigh_reply *n = data;
	const void *dst = NULL, *lladdr = NULL;
	struct nlattr *attr;

	if (ndm->ndm_family != n->family || (__u32)ndm->ndm_ifindex != n->ifindex)
		return MNL_CB_OK;
	if (!(ndm->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
				NUD_PERMANENT | NUD_NOARP)))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ndm)) {
		if (mnl_attr_get_type(attr) == NDA_DST &&
		    mnl_attr_get_payload_len(attr) == (unsigned int)addr_len(n->family))
			dst = mnl_attr_get_payload(attr);
		if (mnl_attr_get_type(attr) == NDA_LLADDR && mnl_attr_get_payload_len(attr) == 6)
			lladdr = mnl_attr_get_payload(attr);
	}
	if (dst && lladdr && !memcmp(dst, n->want, addr_len(n->family))) {
		memcpy(n->mac, lladdr, 6);
		n->found = true;
	}
	return MNL_CB_OK;
}

static int nh_route(struct nh_query *q, int family, const union xlb_addr *dst,
		    struct route_reply *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(q->buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = addr_len(family) * 8;
	mnl_attr_put(nlh, RTA_DST, addr_len(family), dst);
	r->family = family;
	return nh_talk(q, nlh, route_cb, r);
}

static int nh_link(struct nh_query *q, __u32 ifindex, struct link_reply *l)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(q->buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	return nh_talk(q, nlh, link_cb, l);
}

static int nh_neigh(struct nh_query *q, struct neigh_reply *n)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(q->buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = n->family;
	ndm->ndm_ifindex = n->ifindex;
	return nh_talk(q, nlh, neigh_cb, n);
}

/* Make the kernel resolve `addr`: a datagram to the discard port. */
static void nh_prod(int family, const union xlb_addr *addr)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd;

	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(9);
		sin->sin_addr.s_addr = addr->v4;
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(9);
		memcpy(&sin6->sin6_addr, addr->bytes, 16);
		len = sizeof(*sin6);
	}
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "", 0, MSG_DONTWAIT, (struct sockaddr *)&ss, len);
	close(fd);
}

/* What one round of lookups learnt about links and neighbours: many
 * backends share a link and a gateway. */
#define NH_CACHE_MAX 32

struct nh_link_seen {
	__u32 ifindex;
	int err;
	struct link_reply l;
};

struct nh_neigh_seen {
	int family;
	__u32 ifindex;
	union xlb_addr addr;
	bool found;
	__u8 mac[6];
};

struct nexthop_resolver {
	struct nh_query q;
	struct nh_link_seen links[NH_CACHE_MAX];
	size_t n_links;
	struct nh_neigh_seen neighs[NH_CACHE_MAX];
	size_t n_neighs;
};

static int nh_link_cached(struct nexthop_resolver *r, __u32 ifindex, struct link_reply *l)
{
	size_t i;
	int err;

	for (i = 0; i < r->n_links; i++) {
		if (r->links[i].ifindex == ifindex) {
			*l = r->links[i].l;
			return r->links[i].err;
		}
	}
	err = nh_link(&r->q, ifindex, l);
	if (r->n_links < NH_CACHE_MAX)
		r->links[r->n_links++] = (struct nh_link_seen){ .ifindex = ifindex, .err = err, .l = *l };
	return err;
}

/* The neighbour n->want on n->ifindex; waits up to wait_ms (and asks
 * the kernel again) when it is not resolved. */
static int nh_neigh_cached(struct nexthop_resolver *r, struct neigh_reply *n, int wait_ms)
{
	struct nh_neigh_seen *seen = NULL;
	int err, waited = 0;
	size_t i;

	for (i = 0; i < r->n_neighs; i++) {
		seen = &r->neighs[i];
		if (seen->family == n->family && seen->ifindex == n->ifindex &&
		    !memcmp(&seen->addr, n->want, addr_len(n->family))) {
			n->found = seen->found;
			memcpy(n->mac, seen->mac, 6);
			return 0;
		}
	}
	for (;;) {
		err = nh_neigh(&r->q, n);
		if (err || n->found)
			break;
		/* prodded even when the caller does not wait (xlbd's start
		 * and refreshes): the next refresh finds it resolved. Without
		 * kernel traffic towards it (an IPv6 gateway, say) it was
		 * never resolved, and the datapath asked the FIB per packet */
		if (!waited)
			nh_prod(n->family, n->want);
		if (waited >= wait_ms)
			break;
		usleep(20 * 1000);
		waited += 20;
	}
	if (!err && r->n_neighs < NH_CACHE_MAX) {
		seen = &r->neighs[r->n_neighs++];
		*seen = (struct nh_neigh_seen){ .family = n->family, .ifindex = n->ifindex,
						.found = n->found };
		memcpy(&seen->addr, n->want, addr_len(n->family));
		memcpy(seen->mac, n->mac, 6);
	}
	return err;
}

int nexthop_resolver_open(struct nexthop_resolver **out)
{
	struct nexthop_resolver *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	r->q.nl = mnl_socket_open(NETLINK_ROUTE);
	if (!r->q.nl) {
		err = -errno;
		free(r);
		return err;
	}
	if (mnl_socket_bind(r->q.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		nexthop_resolver_close(r);
		return err;
	}
	r->q.seq = time(NULL);
	*out = r;
	return 0;
}

void nexthop_resolver_close(struct nexthop_resolver *r)
{
	if (!r)
		return;
	if (r->q.nl)
		mnl_socket_close(r->q.nl);
	free(r);
}

static int resolve(struct nexthop_resolver *r, __u8 family, const union xlb_addr *dst,
		   int wait_ms, struct nexthop_info *nh)
{
	int af = family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;
	struct route_reply route = {};
	struct link_reply link = {};
	struct neigh_reply neigh = {};
	int err;

	err = nh_route(&r->q, af, dst, &route);
	if (err)
		return err;
	if (!route.oif)
		return -ENETUNREACH;
	err = nh_link_cached(r, route.oif, &link);
	if (err)
		return err;
	if (!link.has_mac)
		return -EOPNOTSUPP; /* not an Ethernet-like link */
	neigh.family = af;
	neigh.ifindex = route.oif;
	neigh.want = route.has_gw ? &route.gw : dst;
	err = nh_neigh_cached(r, &neigh, wait_ms);
	if (err)
		return err;
	if (!neigh.found)
		return -EHOSTUNREACH;
	nh->ifindex = route.oif;
	nh->mtu = route.mtu ? route.mtu : link.mtu;
	memcpy(nh->smac, link.mac, 6);
	memcpy(nh->dmac, neigh.mac, 6);
	return 0;
}

int nexthop_resolver_get(struct nexthop_resolver *r, __u8 family, const union xlb_addr *dst,
			 struct nexthop_info *nh)
{
	return resolve(r, family, dst, 0, nh);
}

int nexthop_resolve(__u8 family, const union xlb_addr *dst, int wait_ms, struct nexthop_info *nh)
{
	struct nexthop_resolver *r;
	int err;

	err = nexthop_resolver_open(&r);
	if (err)
		return err;
	err = resolve(r, family, dst, wait_ms, nh);
	nexthop_resolver_close(r);
	return err;
}

void nexthop_to_backend(const struct nexthop_info *nh, struct xlb_backend *be)
{
	be->ifindex = nh->ifindex;
	be->mtu = nh->mtu > 0xFFFF ? 0xFFFF : nh->mtu;
	memcpy(be->smac, nh->smac, 6);
	memcpy(be->dmac, nh->dmac, 6);
	be->flags |= XLB_BE_F_NEXTHOP;
}
