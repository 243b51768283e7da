#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The BGP interop harness checked against a known-good speaker: two BIRD
# stand-ins for xlb nodes (selftests/lib/standin.py) announce VIP routes
# with MED, prepends, communities, large communities, third-party next
# hops, plus routes the leaf must refuse; against a BIRD, an FRR and a
# GoBGP leaf made from doc/leaf/ every helper of selftests/lib/leaf.sh must
# see the same: sessions, the normalized routes, the import filter, ECMP in
# the RIB and in the kernel, GRACEFUL_SHUTDOWN during a drain and the
# leaf's preference for the node that is not draining, withdrawal, a
# killed node, a leaf restart; and, as the control for e2e/bgp_gr_default,
# that a graceful-restart helper leaf keeps a GR speaker's routes after a
# kill while it drops them at once without GR.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbh$$"
XLB_STANDIN=bird
. selftests/lib/bgp.sh
KIND=""

bgp_setup lb lb2
# lb over IPv4, lb2 over IPv6; both announce the two ECMP VIPs with the same
# attributes
node_conf lb <<EOF
router-id 192.0.2.10
local-as 65010
neighbor $LEAF4 { remote-as 65000; hold-time 9; drain 2s }
vip $VIP4 local { name web4; med 100; community 65000:53; large-community 65000:1:2 }
vip $VIP6 local { name web6; prepend 2; next-hop 2001:db8:1::10; community 65000:54 }
vip 203.0.113.12 local { name third; next-hop 192.0.2.20 }
vip 198.51.100.5 local { }
vip 203.0.113.64/26 local { }
vip 2001:db8:fffe::5 local { }
EOF
lb2_conf() {
	node_conf lb2 <<EOF
router-id 192.0.2.11
local-as 65010
neighbor $LEAF6 { remote-as 65000; hold-time 9; drain 2s${1:+; $1} }
vip $VIP4 local { med 100; next-hop 192.0.2.11; community 65000:53; large-community 65000:1:2 }
vip $VIP6 local { prepend 2; community 65000:54 }
EOF
}
lb2_conf
node_start lb
node_start lb2

expect="$VIP4/32 nexthops=192.0.2.10,192.0.2.11 aspath=65010 med=100 communities=65000:53 large=65000:1:2
203.0.113.12/32 nexthops=192.0.2.20 aspath=65010 med=- communities=- large=-
$VIP6/128 nexthops=2001:db8:1::10,2001:db8:1::11 aspath=65010,65010,65010 med=- communities=65000:54 large=-"

for KIND in bird frr gobgp; do
	FAIL_PREFIX="$KIND leaf: "
	t0=$(now_ms)
	leaf_start $KIND "$(ns leaf)" neighbor=192.0.2.10 neighbor=2001:db8:1::11 ||
		fail "start"
	leaf_wait_session $KIND 192.0.2.10 15 || fail "session with lb: $(leaf_session_state $KIND 192.0.2.10)"
	leaf_wait_session $KIND 2001:db8:1::11 15 ||
		fail "session with lb2: $(leaf_session_state $KIND 2001:db8:1::11)"
	[ "$(leaf_session_state $KIND 192.0.2.99)" = Idle ] || fail "unknown neighbor not Idle"
	leaf_wait_route $KIND $VIP4/32 10 "nexthops=[^ ]*,[^ ]* " || fail "no ECMP route for $VIP4"
	leaf_wait_route $KIND $VIP6/128 10 "nexthops=[^ ]*,[^ ]* " || fail "no ECMP route for $VIP6"
	leaf_wait_route $KIND 203.0.113.12/32 10 || fail "no route for 203.0.113.12"
	sleep 0.5 # the refused routes came in the same updates; be sure anyway
	leaf_routes_exact $KIND "$expect"
	echo "$KIND: sessions and routes in $(ms_since "$t0") ms"
	if [ $KIND != gobgp ]; then
		[ "$(leaf_fib $KIND $VIP4/32)" = 192.0.2.10,192.0.2.11 ] ||
			fail "kernel ECMP for $VIP4: '$(leaf_fib $KIND $VIP4/32)'"
		# FRR installs IPv6 routes via the link-local next hops
		[ "$(leaf_fib $KIND $VIP6/128 | tr , '\n' | wc -l)" = 2 ] ||
			fail "kernel ECMP for $VIP6: '$(leaf_fib $KIND $VIP6/128)'"
	fi

	# drain on lb: its own VIP shows GRACEFUL_SHUTDOWN, then goes; the
	# shared VIP moves to lb2 at once (the leaf lowers a draining path)
	t0=$(now_ms)
	node_vip lb disable third
	node_vip lb disable web4
	leaf_wait_route $KIND 203.0.113.12/32 3 "communities=65535:0 " ||
		fail "no GRACEFUL_SHUTDOWN during the drain: $(leaf_route $KIND 203.0.113.12/32)"
	leaf_wait_route $KIND $VIP4/32 3 "nexthops=192.0.2.11 .*communities=65000:53 " ||
		fail "draining lb still used for $VIP4: $(leaf_route $KIND $VIP4/32)"
	leaf_wait_gone $KIND 203.0.113.12/32 5 || fail "drained route not withdrawn"
	ms=$(ms_since "$t0")
	[ "$ms" -ge 1500 ] || fail "withdrawn after $ms ms, before the 2 s drain"
	echo "$KIND: drained and withdrawn after $ms ms"
	node_vip lb enable third
	node_vip lb enable web4
	leaf_wait_route $KIND 203.0.113.12/32 5 "communities=- " || fail "not back after enable"
	leaf_wait_route $KIND $VIP4/32 5 "nexthops=192.0.2.10,192.0.2.11 " || fail "ECMP not back"

	# a node killed: its next hop goes at once
	t0=$(now_ms)
	node_kill lb2
	leaf_wait_route $KIND $VIP4/32 3 "nexthops=192.0.2.10 " || fail "lb2 still a next hop"
	echo "$KIND: killed node gone after $(ms_since "$t0") ms"
	node_start lb2

	# leaf restart: sessions and routes come back
	t0=$(now_ms)
	leaf_restart $KIND || fail "restart"
	leaf_wait_route $KIND $VIP4/32 15 "nexthops=192.0.2.10,192.0.2.11 " ||
		fail "routes not back after a leaf restart"
	echo "$KIND: routes back $(ms_since "$t0") ms after a leaf restart"
	leaf_stop $KIND
	leaf_session_up $KIND 192.0.2.10 && fail "session up after stop"
done

# graceful restart control for e2e/bgp_gr_default: a helper leaf keeps the
# routes of a speaker that advertised GR (stand-in: restart time 20 s)
node_kill lb2
lb2_conf graceful-restart
for KIND in bird frr; do
	FAIL_PREFIX="$KIND leaf: "
	leaf_start $KIND "$(ns leaf)" neighbor=2001:db8:1::11 gr || fail "start"
	node_start lb2
	leaf_wait_route $KIND $VIP4/32 15 || fail "no route"
	node_kill lb2
	sleep 2
	leaf_route $KIND $VIP4/32 >/dev/null ||
		fail "GR helper dropped a GR speaker's route at once: the control of bgp_gr_default does not hold"
	leaf_stop $KIND
	echo "$KIND: GR helper keeps a GR speaker's routes after a kill (control)"
done
FAIL_PREFIX=""
echo "leaf harness: all checks passed"
exit 0
