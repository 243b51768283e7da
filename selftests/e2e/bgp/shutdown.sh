#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test: bgp_bird_shutdown bird
# test: bgp_frr_shutdown frr
# test: bgp_gobgp_shutdown gobgp
#
# Graceful shutdown of a VIP with a leaf (bird, frr or gobgp: $1):
# `xlbctl vip disable` re-announces the VIP with GRACEFUL_SHUTDOWN
# (65535:0, RFC 8326) next to its own communities for the neighbor's drain
# (2 s), then withdraws it; the other VIP is untouched; `xlbctl vip enable`
# brings it back without 65535:0. Then `xlbctl bgp neighbor shutdown`
# takes all routes away and closes the session with a Cease whose RFC 8203
# shutdown communication the leaf reports ("shutdown by xlbctl"),
# `enable` restores both.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xlbs$$"
. selftests/lib/bgp.sh
bgp_kind "${1:-}"

bgp_setup lb
node_peer_conf lb $LEAF4 'hold-time 9; drain 2s' <<EOF
vip $VIP4 local { name web4; hold-down 0s; community 65000:53 }
vip $VIP6 local { name web6; hold-down 0s; next-hop 2001:db8:1::10 }
EOF
leaf_start "$KIND" "$(ns leaf)" neighbor=192.0.2.10 || fail "leaf start"
node_start lb
leaf_wait_route "$KIND" $VIP4/32 15 "communities=65000:53 " || fail "no route for $VIP4"
leaf_wait_route "$KIND" $VIP6/128 5 || fail "no route for $VIP6"

t0=$(now_ms)
node_vip lb disable web4
leaf_wait_route "$KIND" $VIP4/32 1.5 "communities=65000:53,65535:0 " ||
	fail "no GRACEFUL_SHUTDOWN at the leaf within 1.5 s: $(leaf_route "$KIND" $VIP4/32)"
gs_ms=$(ms_since "$t0")
leaf_route "$KIND" $VIP6/128 | grep -q "communities=- " ||
	fail "the other VIP changed: $(leaf_route "$KIND" $VIP6/128)"
leaf_wait_gone "$KIND" $VIP4/32 6 || fail "not withdrawn after the drain"
gone_ms=$(ms_since "$t0")
echo "disable: 65535:0 at the leaf after $gs_ms ms, withdrawn after $gone_ms ms (drain 2 s)"
[ "$gone_ms" -ge 1700 ] || fail "withdrawn after $gone_ms ms, before the 2 s drain"
[ "$gone_ms" -le 4000 ] || fail "withdrawn after $gone_ms ms, long after the 2 s drain"
leaf_route "$KIND" $VIP6/128 >/dev/null || fail "the other VIP went too"

t0=$(now_ms)
node_vip lb enable web4
leaf_wait_route "$KIND" $VIP4/32 5 "communities=65000:53 " ||
	fail "not back (without 65535:0) after enable: '$(leaf_route "$KIND" $VIP4/32)'"
echo "enable: back after $(ms_since "$t0") ms"

# the whole session: `xlbctl bgp neighbor shutdown` takes every route away
# (after the drain) and closes it; `enable` brings it back
if node_is_xlbd; then
	t0=$(now_ms)
	node_ctl lb bgp neighbor shutdown $LEAF4 >/dev/null || fail "bgp neighbor shutdown"
	leaf_wait_route "$KIND" $VIP4/32 1.5 "65535:0" &&
		echo "neighbor shutdown: 65535:0 at the leaf after $(ms_since "$t0") ms"
	leaf_wait_gone "$KIND" $VIP4/32 6 || fail "routes still there after neighbor shutdown"
	leaf_wait_gone "$KIND" $VIP6/128 1 || fail "$VIP6 still there after neighbor shutdown"
	echo "neighbor shutdown: routes gone after $(ms_since "$t0") ms"
	# RFC 8203: the leaf got the operator's reason with the Cease
	wait_for 3 eval '[ "$(leaf_shutdown_text "$KIND" 192.0.2.10)" = "shutdown by xlbctl" ]' ||
		fail "the leaf reports the shutdown communication as '$(leaf_shutdown_text "$KIND" 192.0.2.10)', not 'shutdown by xlbctl'"
	echo "neighbor shutdown: the leaf reports '$(leaf_shutdown_text "$KIND" 192.0.2.10)'"
	wait_for 3 eval '! leaf_session_up "$KIND" 192.0.2.10' || fail "session still up after shutdown"
	sleep 1
	[ "$(node_bgp lb $LEAF4 state)" != Established ] || fail "xlbd says Established after shutdown"
	t0=$(now_ms)
	node_ctl lb bgp neighbor enable $LEAF4 >/dev/null || fail "bgp neighbor enable"
	leaf_wait_route "$KIND" $VIP4/32 15 "communities=65000:53 " || fail "not back after neighbor enable"
	leaf_wait_route "$KIND" $VIP6/128 2 || fail "$VIP6 not back after neighbor enable"
	echo "neighbor enable: routes back after $(ms_since "$t0") ms"
fi
echo "bgp $KIND shutdown: all checks passed"
exit 0
