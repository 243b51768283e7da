#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test: bgp_bird_ipv4 bird
# test: bgp_frr_ipv4 frr
# test: bgp_gobgp_ipv4 gobgp
#
# xlbd and a leaf (bird, frr or gobgp: $1) over an IPv4 session: the leaf
# installs the IPv4 /32 and the IPv6 /128 VIPs (the latter with the VIP's
# next-hop) with AS path 65010 plus prepends, next hop, MED, communities
# and large communities exactly as configured, and a third-party next hop;
# its import filter takes them. xlbd negotiates the leaf's shorter hold
# time and reports the session in `xlbctl bgp show`; `xlbctl bgp routes`
# lists exactly what the leaf says it received, and an IPv6 VIP without a
# next hop of its family (no `next-hop`, no IPv6 encap-source) is counted as
# not sent, in both commands, instead of missing silently.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xlb4$$"
. selftests/lib/bgp.sh
bgp_kind "${1:-}"

bgp_setup lb
node_peer_conf lb $LEAF4 'description "leaf over IPv4"' <<EOF
vip $VIP4 local { name web4; med 100; community 65000:53 65000:80; large-community 65000:1:2 }
vip $VIP6 local {
    name web6
    prepend 2
    next-hop 2001:db8:1::10
    community 65000:54
    large-community 65000:4294967295:7
}
vip 203.0.113.12 local { name third; next-hop 192.0.2.20 }
vip 2001:db8:ffff::13 local { name lost6 }
EOF
leaf_start "$KIND" "$(ns leaf)" neighbor=192.0.2.10 || fail "leaf start"
t0=$(now_ms)
node_start lb
leaf_wait_session "$KIND" 192.0.2.10 15 || fail "no session: $(leaf_session_state "$KIND" 192.0.2.10)"
echo "session up after $(ms_since "$t0") ms"
leaf_wait_route "$KIND" $VIP4/32 5 || fail "no route for $VIP4"
leaf_wait_route "$KIND" $VIP6/128 5 || fail "no route for $VIP6"
leaf_wait_route "$KIND" 203.0.113.12/32 5 || fail "no route for 203.0.113.12"
echo "routes at the leaf after $(ms_since "$t0") ms"
expect="$VIP4/32 nexthops=192.0.2.10 aspath=65010 med=100 communities=65000:53,65000:80 large=65000:1:2
203.0.113.12/32 nexthops=192.0.2.20 aspath=65010 med=- communities=- large=-
$VIP6/128 nexthops=2001:db8:1::10 aspath=65010,65010,65010 med=- communities=65000:54 large=65000:4294967295:7"
leaf_routes_exact "$KIND" "$expect"
bgp_kernel_routes

if node_is_xlbd; then
	[ "$(node_bgp lb $LEAF4 state)" = Established ] || fail "bgp show state: $(node_bgp lb $LEAF4 state)"
	[ "$(node_bgp lb $LEAF4 remote_as)" = 65000 ] || fail "bgp show remote_as"
	[ "$(node_bgp lb $LEAF4 hold_time)" = 9 ] ||
		fail "negotiated hold time $(node_bgp lb $LEAF4 hold_time), the leaf offers 9"
	[ "$(node_bgp lb $LEAF4 prefixes_announced)" = 3 ] ||
		fail "prefixes_announced $(node_bgp lb $LEAF4 prefixes_announced)"
	[ "$(node_bgp lb $LEAF4 last_error)" = null ] || fail "last_error $(node_bgp lb $LEAF4 last_error)"
	[ "$(node_bgp lb $LEAF4 messages_in)" -gt 0 ] && [ "$(node_bgp lb $LEAF4 messages_out)" -gt 0 ] ||
		fail "message counters"
	node_ctl lb bgp show | grep -q Established || fail "bgp show text: $(node_ctl lb bgp show)"
	# the Adj-RIB-Out as xlbd tells it, against the leaf's Adj-RIB-In
	got=$(node_routes lb $LEAF4)
	[ "$got" = "$(leaf_routes "$KIND")" ] ||
		fail "xlbctl bgp routes: $got; the leaf received: $(leaf_routes "$KIND")"
	echo "xlbctl bgp routes = what the leaf received ($(echo "$got" | wc -l) prefixes)"
	node_ctl lb bgp routes | grep -q "^  $VIP4/32 .*next hop 192.0.2.10, origin IGP, AS path 65010, med 100.*(vip web4)" ||
		fail "bgp routes text: $(node_ctl lb bgp routes)"
	[ "$(xlbctl_json lb bgp routes -- '[0].not_sent.no_next_hop')" = 1 ] ||
		fail "bgp routes: lost6 not counted as not sent: $(node_ctl lb -j bgp routes)"
	node_ctl lb bgp show | grep -q "not sent: 1 VIP without a next hop of its family" ||
		fail "bgp show does not say lost6 is not sent: $(node_ctl lb bgp show)"
	# xlbd's BGP segments are marked CS6 (network control), as routers
	# mark theirs; a KEEPALIVE comes within hold time / 3
	seg=$(nsx leaf timeout 8 tcpdump -c1 -nv -i any \
		'src host 192.0.2.10 and tcp port 179 and (tcp[tcpflags] & tcp-push != 0)' 2>/dev/null)
	case $seg in *"tos 0xc0"*) ;; *) fail "BGP segment from xlbd not CS6: $seg" ;; esac
fi
echo "bgp $KIND ipv4: all checks passed"
exit 0
