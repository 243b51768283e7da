#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test: bgp_bird_md5 bird
# test: bgp_frr_md5 frr
# test: bgp_gobgp_md5 gobgp
#
# TCP-MD5 (RFC 2385) with a leaf (bird, frr or gobgp: $1) that keys both
# xlb nodes: lb has the same key and comes up; lb2 has a wrong key and does
# not (the kernel drops its segments without a word), and `xlbctl bgp show`
# on lb2 names MD5 as the likely cause.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xlbm$$"
. selftests/lib/bgp.sh
bgp_kind "${1:-}"

KEY="Xlb-interop-s3cret"
bgp_setup lb lb2
for n in lb lb2; do
	key=$KEY
	[ $n = lb2 ] && key="not-the-key"
	node_peer_conf $n $LEAF4 "hold-time 9; password \"$key\"" <<EOF
vip $VIP4 local { }
EOF
done
leaf_start "$KIND" "$(ns leaf)" neighbor=192.0.2.10 neighbor=192.0.2.11 "md5=$KEY" ||
	fail "leaf start"
t0=$(now_ms)
node_start lb
node_start lb2
leaf_wait_session "$KIND" 192.0.2.10 15 ||
	fail "matching keys: no session ($(leaf_session_state "$KIND" 192.0.2.10))"
leaf_wait_route "$KIND" $VIP4/32 5 "nexthops=192.0.2.10 " || fail "no route from lb"
echo "matching keys: session and route after $(ms_since "$t0") ms"
# lb2 has had as long as lb and then some: several connection attempts
sleep 4
leaf_session_up "$KIND" 192.0.2.11 && fail "a wrong key established a session"
leaf_route "$KIND" $VIP4/32 | grep -q "192.0.2.11" && fail "a route from the wrongly keyed node"
echo "wrong key: leaf sees lb2 $(leaf_session_state "$KIND" 192.0.2.11) after $(ms_since "$t0") ms"
if node_is_xlbd; then
	st=$(node_bgp lb2 $LEAF4 state)
	[ "$st" != Established ] || fail "xlbd says Established with a wrong key"
	wait_for 20 eval 'node_bgp lb2 $LEAF4 hint | grep -qi md5' ||
		fail "no MD5 hint in bgp show: $(node_ctl lb2 -j bgp show)"
	echo "xlbctl bgp show on lb2: state $st, hint: $(node_bgp lb2 $LEAF4 hint)"
	[ "$(node_bgp lb $LEAF4 state)" = Established ] || fail "lb: $(node_bgp lb $LEAF4 state)"
	node_bgp lb $LEAF4 hint | grep -qi md5 && fail "MD5 hint on the session that is up"
fi
echo "bgp $KIND md5: all checks passed"
exit 0
