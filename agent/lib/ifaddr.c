// SPDX-License-Identifier: GPL-2.0
/*
 * Interface addresses over rtnetlink: RTM_GETADDR dumps, RTM_NEWADDR and
 * RTM_DELADDR with an acknowledgement. One short-lived socket per call:
 * these run at start, on reload and every few seconds, never per packet.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "lib/ifaddr.h"

struct nl_req {
	struct mnl_socket *nl;
	unsigned int seq;
	char buf[32768];	/* a dump of many addresses comes in parts this size */
};

static int nl_open(struct nl_req *r)
{
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(r->nl);
		return err;
	}
	r->seq = (unsigned int)time(NULL);
	return 0;
}

/* Send nlh and run cb over the replies until the dump ends or the ack. */
static int nl_talk(struct nl_req *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(r->nl);
	ssize_t n;
	int rc;

	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, r->buf, sizeof(r->buf));
		if (n < 0)
			return -errno;
		errno = 0;
		rc = mnl_cb_run(r->buf, n, r->seq, portid, cb, data);
		if (rc == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
		if (rc == MNL_CB_STOP)
			return 0;
	}
}

static int family_to_af(__u8 family)
{
	return family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;
}

struct dump_ctx {
	int ifindex;
	ifaddr_cb cb;
	void *arg;
	int rc;		/* the callback's non-zero return */
};

static int addr_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct dump_ctx *c = data;
	const struct nlattr *attr;
	const void *local = NULL, *address = NULL;
	struct if_vaddr a = {};
	size_t len;

	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	if (c->ifindex && (int)ifa->ifa_index != c->ifindex)
		return MNL_CB_OK;
	len = ifa->ifa_family == AF_INET ? 4 : 16;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		switch (mnl_attr_get_type(attr)) {
		case IFA_LOCAL:
			if (mnl_attr_get_payload_len(attr) == len)
				local = mnl_attr_get_payload(attr);
			break;
		case IFA_ADDRESS:
			if (mnl_attr_get_payload_len(attr) == len)
				address = mnl_attr_get_payload(attr);
			break;
		case IFA_PROTO:
			if (mnl_attr_get_payload_len(attr) >= 1)
				a.proto = mnl_attr_get_u8(attr);
			break;
		}
	}
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's
	 * on point-to-point links and the only one given for IPv6 */
	if (!local)
		local = address;
	if (!local)
		return MNL_CB_OK;
	a.ifindex = (int)ifa->ifa_index;
	a.family = ifa->ifa_family == AF_INET ? XLB_FAMILY_V4 : XLB_FAMILY_V6;
	a.prefixlen = ifa->ifa_prefixlen;
	memcpy(a.addr.bytes, local, len);
	c->rc = c->cb(&a, c->arg);
	return c->rc ? MNL_CB_STOP : MNL_CB_OK;
}

/* Open r and start a message of type with an ifaddrmsg in r->buf. */
static int req_start(struct nl_req *r, int type, unsigned int flags, struct nlmsghdr **nlh,
		     struct ifaddrmsg **ifa)
{
	int rc = nl_open(r);

	if (rc)
		return rc;
	*nlh = mnl_nlmsg_put_header(r->buf);
	(*nlh)->nlmsg_type = type;
	(*nlh)->nlmsg_flags = NLM_F_REQUEST | flags;
	*ifa = mnl_nlmsg_put_extra_header(*nlh, sizeof(**ifa));
	return 0;
}

int ifaddr_dump(int ifindex, ifaddr_cb cb, void *arg)
{
	struct dump_ctx c = { .ifindex = ifindex, .cb = cb, .arg = arg };
	struct nl_req r;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int rc;

	rc = req_start(&r, RTM_GETADDR, NLM_F_DUMP, &nlh, &ifa);
	if (rc)
		return rc;
	ifa->ifa_family = AF_UNSPEC;
	rc = nl_talk(&r, nlh, addr_msg, &c);
	mnl_socket_close(r.nl);
	return rc ? rc : c.rc;
}

static int addr_change(const struct if_vaddr *a, int type, unsigned int flags)
{
	size_t len = a->family == XLB_FAMILY_V4 ? 4 : 16;
	struct nl_req r;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int rc;

	rc = req_start(&r, type, NLM_F_ACK | flags, &nlh, &ifa);
	if (rc)
		return rc;
	ifa->ifa_family = family_to_af(a->family);
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = a->ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, len, a->addr.bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, len, a->addr.bytes);
	if (type == RTM_NEWADDR && a->proto)
		mnl_attr_put_u8(nlh, IFA_PROTO, a->proto);
	if (type == RTM_NEWADDR && a->family == XLB_FAMILY_V6)
		/* a VIP is on many hosts at once by design: no DAD */
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	rc = nl_talk(&r, nlh, NULL, NULL);
	mnl_socket_close(r.nl);
	return rc;
}

int ifaddr_add(const struct if_vaddr *a)
{
	return addr_change(a, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
}

int ifaddr_del(const struct if_vaddr *a)
{
	return addr_change(a, RTM_DELADDR, 0);
}
