#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test: bgp_bird_ipv6 bird
# test: bgp_frr_ipv6 frr
# test: bgp_gobgp_ipv6 gobgp
#
# xlbd and a leaf (bird, frr or gobgp: $1) over an IPv6 session: the
# IPv6 /128 with xlbd's own address as next hop and the IPv4 /32 (next-hop
# given, as an IPv6 session has no IPv4 address of ours) reach the leaf
# with AS path, MED, communities and large communities as configured, and
# go into its kernel table; `xlbctl bgp routes` lists exactly what the leaf
# received. xlbd is passive here: the leaf connects.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xlb6$$"
. selftests/lib/bgp.sh
bgp_kind "${1:-}"

bgp_setup lb
node_peer_conf lb $LEAF6 'hold-time 9; passive' <<EOF
vip $VIP6 local { name web6; med 200; community 65000:66; large-community 65000:6:6 }
vip $VIP4 local { name web4; next-hop 192.0.2.10; prepend 1; med 0; community 65000:44 }
EOF
leaf_start "$KIND" "$(ns leaf)" neighbor=2001:db8:1::10 || fail "leaf start"
t0=$(now_ms)
node_start lb
leaf_wait_session "$KIND" 2001:db8:1::10 25 ||
	fail "no session: $(leaf_session_state "$KIND" 2001:db8:1::10)"
leaf_wait_route "$KIND" $VIP6/128 5 || fail "no route for $VIP6"
leaf_wait_route "$KIND" $VIP4/32 5 || fail "no route for $VIP4"
echo "routes at the leaf after $(ms_since "$t0") ms"
expect="$VIP4/32 nexthops=192.0.2.10 aspath=65010,65010 med=0 communities=65000:44 large=-
$VIP6/128 nexthops=2001:db8:1::10 aspath=65010 med=200 communities=65000:66 large=65000:6:6"
leaf_routes_exact "$KIND" "$expect"
bgp_kernel_routes
if node_is_xlbd; then
	[ "$(node_bgp lb $LEAF6 state)" = Established ] || fail "bgp show state: $(node_bgp lb $LEAF6 state)"
	[ "$(node_bgp lb $LEAF6 prefixes_announced)" = 2 ] ||
		fail "prefixes_announced $(node_bgp lb $LEAF6 prefixes_announced)"
	got=$(node_routes lb $LEAF6)
	[ "$got" = "$(leaf_routes "$KIND")" ] ||
		fail "xlbctl bgp routes: $got; the leaf received: $(leaf_routes "$KIND")"
	echo "xlbctl bgp routes = what the leaf received ($(echo "$got" | wc -l) prefixes)"
fi
echo "bgp $KIND ipv6: all checks passed"
exit 0
