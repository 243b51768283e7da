#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Second chance (README "Second chance") through a burst of weight
# changes while the leaf reshuffles: the system topology
# (selftests/lib/system.sh: a BIRD leaf with ECMP over two xlb nodes,
# backends running the decap program and forwarding), a TCP VIP over GUE
# with four backends and 100 held keep-alive connections asked every
# 0.5 s. Four steps, each one a weight change on both nodes (a reload) and
# then one node withdrawing the VIP's address (`vip disable --address`)
# and announcing it again, so the leaf moves that node's flows to the
# other node and back, each time to a node without their entries.
#
# The guarantee this is within: every connection began before the burst,
# and each change comes less than the settle time (60 s) after the one
# before, so the previous table stays the one from before the burst
# (xlbd logs that) while the current one keeps changing — checked, or
# the run says it left the guarantee. Must hold: 0 broken; both nodes
# counted hops and some backend sent packets on to their owners (the
# reshuffles did need second chance).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsc2$$"
SYS_DNS=""
SYS_BACKENDS="b1 b2 b3 b4"
SYS_BACKEND_FORWARD=1
. selftests/lib/system.sh
. selftests/lib/second_chance.sh
HELD=100
SETTLE_MS=60000

other() { [ "$1" = lb1 ] && echo lb2 || echo lb1; }

sc_up
sc_conf "$SYS_LBS" on "b1 b2 b3 b4"
for n in $SYS_LBS; do sc_wait_usable "$n" 4; done
sys_wait_nexthops $SC_VIP/32 "$SYS_LBS" 15 || fail "the leaf has no route for $SC_VIP over $SYS_LBS"
sys_hold_start $HELD $SC_VIP 80
by_node=$(sys_hold_spread node)
echo "$HELD connections per xlb node: $by_node; per backend: $(sys_hold_spread)"
for n in $SYS_LBS; do
	[ "$(sys_get "$by_node" "$n")" -gt 0 ] || fail "no connection through $n: $by_node"
done

last=$(now_ms)
step=0
for weights in "100 100 100 300" "200 100 100 300" "200 100 50 100" "100 300 100 200"; do
	step=$((step + 1))
	[ "$(ms_since "$last")" -lt $SETTLE_MS ] ||
		fail "step $step comes $(ms_since "$last") ms after the last change: outside the guarantee"
	last=$(now_ms)
	sc_conf "$SYS_LBS" on "b1 b2 b3 b4" "$weights"
	n=$([ $((step % 2)) = 1 ] && echo lb1 || echo lb2)
	node_ctl "$n" vip disable --address $SC_VIP >/dev/null || fail "vip disable --address on $n"
	sys_wait_nexthops $SC_VIP/32 "$(other "$n")" 10 || fail "$n still a next hop of $SC_VIP"
	sys_hold_wait_rounds 1 || fail "held connections not asked"
	node_ctl "$n" vip enable --address $SC_VIP >/dev/null || fail "vip enable --address on $n"
	sys_wait_nexthops $SC_VIP/32 "$SYS_LBS" 15 || fail "$n not back as a next hop of $SC_VIP"
	sys_hold_wait_rounds 1 || fail "held connections not asked"
	echo "step $step: weights $weights, $n withdrew and came back: $(sc_counters)"
	for n in $SYS_LBS; do
		[ "$(xlbctl_json "$n" vip show sc -- .second_chance.previous_table)" = true ] ||
			fail "$n: no previous table in step $step"
	done
done
for n in $SYS_LBS; do
	grep -q "previous table stays the one before both" "$(node_dir "$n")/xlbd.log" ||
		fail "$n did not keep the table from before the burst"
done
sys_hold_stop
echo "after the burst: $SYS_SUMMARY"
sys_none "$SYS_SUMMARY" broken ||
	fail "connections broke: $SYS_SUMMARY: $(grep broken "$SYS_RUN/hold/result")"
counters=$(sc_counters)
for n in $SYS_LBS; do
	[ "$(xlbctl_json "$n" stats -- .sc_hop)" -gt 0 ] || fail "$n counted no hop: $counters"
done
[[ $counters == *": forward="* ]] || fail "no backend sent a packet on to a hop: $counters"
echo "second chance through four weight changes and four reshuffles: 0 of $HELD broken; $counters"
exit 0
