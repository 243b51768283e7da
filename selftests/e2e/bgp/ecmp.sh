#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test: bgp_bird_ecmp bird
# test: bgp_frr_ecmp frr
# test: bgp_gobgp_ecmp gobgp
#
# Two xlb nodes announce the same VIPs to a leaf (bird, frr or gobgp: $1):
# the leaf uses both next hops (BIRD and FRR install one kernel route with
# both; GoBGP, which has no FIB, keeps both paths as multipath). When one
# node is killed its next hop goes at once and the other stays.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xlbe$$"
. selftests/lib/bgp.sh
bgp_kind "${1:-}"

bgp_setup lb lb2
for n in lb lb2; do
	node_peer_conf $n $LEAF4 'hold-time 9' <<EOF
vip $VIP4 local { med 100; community 65000:53 }
vip $VIP6 local { next-hop ${NODE_ADDR6[$n]}; med 100; community 65000:53 }
EOF
done
leaf_start "$KIND" "$(ns leaf)" neighbor=192.0.2.10 neighbor=192.0.2.11 || fail "leaf start"
t0=$(now_ms)
node_start lb
node_start lb2
leaf_wait_route "$KIND" $VIP4/32 15 "nexthops=192.0.2.10,192.0.2.11 " ||
	fail "no ECMP route for $VIP4: '$(leaf_route "$KIND" $VIP4/32)'"
leaf_wait_route "$KIND" $VIP6/128 5 "nexthops=2001:db8:1::10,2001:db8:1::11 " ||
	fail "no ECMP route for $VIP6: '$(leaf_route "$KIND" $VIP6/128)'"
echo "both next hops at the leaf after $(ms_since "$t0") ms"
expect="$VIP4/32 nexthops=192.0.2.10,192.0.2.11 aspath=65010 med=100 communities=65000:53 large=-
$VIP6/128 nexthops=2001:db8:1::10,2001:db8:1::11 aspath=65010 med=100 communities=65000:53 large=-"
leaf_routes_exact "$KIND" "$expect"
if [ "$KIND" != gobgp ]; then
	[ "$(leaf_fib "$KIND" $VIP4/32)" = 192.0.2.10,192.0.2.11 ] ||
		fail "kernel ECMP for $VIP4: '$(leaf_fib "$KIND" $VIP4/32)'"
	[ "$(leaf_fib "$KIND" $VIP6/128 | tr , '\n' | wc -l)" = 2 ] ||
		fail "kernel ECMP for $VIP6: '$(leaf_fib "$KIND" $VIP6/128)'"
fi

t0=$(now_ms)
node_kill lb2
leaf_wait_route "$KIND" $VIP4/32 3 "nexthops=192.0.2.10 " ||
	fail "lb2 still a next hop of $VIP4: '$(leaf_route "$KIND" $VIP4/32)'"
leaf_wait_route "$KIND" $VIP6/128 3 "nexthops=2001:db8:1::10 " ||
	fail "lb2 still a next hop of $VIP6: '$(leaf_route "$KIND" $VIP6/128)'"
echo "lb2 killed: its next hops gone after $(ms_since "$t0") ms"
if [ "$KIND" != gobgp ]; then
	wait_for 2 eval '[ "$(leaf_fib "$KIND" $VIP4/32)" = 192.0.2.10 ]' ||
		fail "kernel route for $VIP4 after the kill: '$(leaf_fib "$KIND" $VIP4/32)'"
fi
echo "bgp $KIND ecmp: all checks passed"
exit 0
