#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbd does not advertise graceful restart unless configured: with a BIRD
# and then an FRR leaf set up as graceful-restart helpers, killing xlbd
# removes the routes at once (< 2 s) instead of leaving them stale for the
# restart time (a black hole for anycast). e2e/leaf_harness shows the
# control: the same leaves keep a GR speaker's routes after a kill.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbg$$"
. selftests/lib/bgp.sh

bgp_setup lb
node_peer_conf lb $LEAF4 "hold-time 9" <<EOF
vip $VIP4 local { }
EOF
for KIND in bird frr; do
	FAIL_PREFIX="$KIND leaf: "
	leaf_start $KIND "$(ns leaf)" neighbor=192.0.2.10 gr || fail "start"
	node_start lb
	leaf_wait_route $KIND $VIP4/32 15 || fail "no route"
	t0=$(now_ms)
	node_kill lb KILL
	leaf_wait_gone $KIND $VIP4/32 10 || fail "route kept 10 s after xlbd was killed"
	ms=$(ms_since "$t0")
	echo "$KIND leaf (GR helper): routes gone $ms ms after xlbd was killed"
	[ "$ms" -lt 2000 ] || fail "route kept $ms ms: graceful restart in effect?"
	leaf_stop $KIND
done
echo "bgp gr_default: all checks passed"
exit 0
