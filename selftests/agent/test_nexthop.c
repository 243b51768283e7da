// SPDX-License-Identifier: GPL-2.0
/*
 * agent/maps/nexthop.c against the kernel's own tables, in a private
 * network namespace (unshare(CLONE_NEWNET) in the test's forked child): a
 * veth whose far end answers nothing, routes to the backends through a
 * gateway on it.
 * - a gateway with a known neighbour gives the egress interface, its MAC
 *   and MTU, and the gateway's MAC;
 * - an unresolved gateway is prodded even when the caller does not wait,
 *   so the kernel starts resolving it and xlbd's next refresh finds it
 *   (xlbd never prodded: an IPv6 gateway nobody else talked to stayed
 *   unresolved, found by e2e/fault_reload_invalid);
 * - no route gives -ENETUNREACH.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <arpa/inet.h>

#include "../lib/test.h"
#include "maps/nexthop.h"

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

/* veth0 (02:00:00:00:99:01, MTU 1400) with 192.0.2.10/24 and
 * 2001:db8:1::10/64; routes to 198.51.100.0/24 and 2001:db8:b::/64 via
 * the gateways .1 and ::1, which nobody answers for. */
static bool netns_setup(void)
{
	if (unshare(CLONE_NEWNET)) {
		test_skip("unshare(CLONE_NEWNET): %s", strerror(errno));
		return false;
	}
	return sh("ip link add veth0 address 02:00:00:00:99:01 mtu 1400 type veth peer name veth1") &&
	       sh("ip link set veth0 up && ip link set veth1 up") &&
	       sh("ip addr add 192.0.2.10/24 dev veth0") &&
	       sh("ip addr add 2001:db8:1::10/64 dev veth0 nodad") &&
	       sh("ip route add 198.51.100.0/24 via 192.0.2.1") &&
	       sh("ip -6 route add 2001:db8:b::/64 via 2001:db8:1::1");
}

static union xlb_addr addr(const char *s)
{
	union xlb_addr a = {};

	if (inet_pton(AF_INET, s, &a.v4) != 1)
		inet_pton(AF_INET6, s, a.bytes);
	return a;
}

/* Has the kernel a neighbour entry (in any state) for gw on veth0? */
static bool neigh_exists(const char *gw)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "ip neigh show to %s dev veth0 | grep -q .", gw);
	return !system(cmd);
}

void test_nexthop_resolved(void)
{
	const __u8 gw_mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x01 }, own[6] = { 2, 0, 0, 0, 0x99, 1 };
	struct nexthop_info nh;
	union xlb_addr a;

	if (!netns_setup() ||
	    !sh("ip neigh add 192.0.2.1 lladdr 02:aa:00:00:00:01 dev veth0 nud permanent") ||
	    !sh("ip neigh add 2001:db8:1::1 lladdr 02:aa:00:00:00:01 dev veth0 nud permanent"))
		return;
	a = addr("198.51.100.11");
	if (ASSERT_OK(nexthop_resolve(XLB_FAMILY_V4, &a, 0, &nh), "IPv4 backend")) {
		ASSERT_EQ(nh.ifindex, if_nametoindex("veth0"), "egress");
		ASSERT_EQ(nh.mtu, 1400U, "the link's MTU");
		ASSERT_MEMEQ(nh.smac, own, 6, "egress MAC");
		ASSERT_MEMEQ(nh.dmac, gw_mac, 6, "gateway MAC");
	}
	a = addr("2001:db8:b::12");
	if (ASSERT_OK(nexthop_resolve(XLB_FAMILY_V6, &a, 0, &nh), "IPv6 backend"))
		ASSERT_MEMEQ(nh.dmac, gw_mac, 6, "gateway MAC");
}

void test_nexthop_unresolved_prodded(void)
{
	struct nexthop_info nh;
	union xlb_addr a;

	if (!netns_setup())
		return;
	ASSERT_FALSE(neigh_exists("192.0.2.1"), "no neighbour to start with");
	a = addr("198.51.100.11");
	ASSERT_EQ(nexthop_resolve(XLB_FAMILY_V4, &a, 0, &nh), -EHOSTUNREACH, "IPv4 unresolved");
	ASSERT_TRUE(neigh_exists("192.0.2.1"), "IPv4 gateway prodded without waiting");
	a = addr("2001:db8:b::12");
	ASSERT_EQ(nexthop_resolve(XLB_FAMILY_V6, &a, 0, &nh), -EHOSTUNREACH, "IPv6 unresolved");
	ASSERT_TRUE(neigh_exists("2001:db8:1::1"), "IPv6 gateway prodded without waiting");
	/* waiting does not help when nobody answers */
	a = addr("198.51.100.11");
	ASSERT_EQ(nexthop_resolve(XLB_FAMILY_V4, &a, 60, &nh), -EHOSTUNREACH, "waited in vain");
	a = addr("203.0.113.1");
	ASSERT_EQ(nexthop_resolve(XLB_FAMILY_V4, &a, 0, &nh), -ENETUNREACH, "no route");
}
