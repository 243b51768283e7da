#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Second chance (README "Second chance") in the whole system
# (selftests/lib/system.sh: a BIRD leaf with ECMP over two xlb nodes, the
# backends running the decap program and forwarding): a TCP VIP over GUE
# goes from 3 backends to 4 while the leaf reshuffles its flows over the
# nodes — the table change and the ECMP change at once, which Maglev alone
# does not survive.
#
# One round: 100 keep-alive connections to the VIP, spread by the leaf
# over lb1 and lb2, asked every 0.5 s. Then lb1 reloads with the fourth
# backend and at that moment lb2 dies (xlbd -9, link down; its datapath
# detached and unpinned): the leaf sends every flow to lb1, which has no
# entry for lb2's; lb2 comes back with the new config and an empty flow
# table (its
# state file kept, as after a reboot) and the leaf sends half the flows to
# it, which has no entry for any of them. The round ends after every
# connection was asked twice more.
#
# The negative control runs first, with second-chance off: flows in moved
# slots reach the fourth backend, which resets them — it must break some,
# or this test would prove nothing (the count is printed). Then the same
# round with second-chance on: 0 broken; the lb nodes counted hops and the
# fourth backend sent packets on to their owners.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsc1$$"
SYS_DNS=""
SYS_BACKENDS="b1 b2 b3 b4"
SYS_BACKEND_FORWARD=1
. selftests/lib/system.sh
. selftests/lib/second_chance.sh
HELD=100

# sc_round on|off: one round; its summary in SYS_SUMMARY
sc_round() {
	local by_node n
	sc_conf "$SYS_LBS" "$1" "b1 b2 b3"
	for n in $SYS_LBS; do sc_wait_usable "$n" 3; done
	sys_wait_nexthops $SC_VIP/32 "$SYS_LBS" 15 ||
		fail "the leaf has no route for $SC_VIP over $SYS_LBS: $(sys_nexthops $SC_VIP/32)"
	sys_hold_start $HELD $SC_VIP 80
	by_node=$(sys_hold_spread node)
	echo "second-chance $1: $HELD connections per xlb node: $by_node; per backend: $(sys_hold_spread)"
	for n in $SYS_LBS; do
		[ "$(sys_get "$by_node" "$n")" -gt 0 ] || fail "no connection through $n: $by_node"
	done

	# the change and the reshuffle at once: lb1 takes the fourth backend,
	# lb2 dies at that moment and the leaf moves its flows to lb1
	sc_conf lb1 "$1" "b1 b2 b3 b4"
	sc_node_fresh lb2
	sc_conf lb2 "$1" "b1 b2 b3 b4"
	sys_wait_nexthops $SC_VIP/32 lb1 5 || fail "lb2 still a next hop of $SC_VIP"
	sys_hold_wait_rounds 2 || fail "held connections not asked"
	echo "second-chance $1: lb2 gone, lb1 with 4 backends: $(sc_counters)"
	sys_node_start lb2
	sys_wait_nexthops $SC_VIP/32 "$SYS_LBS" 15 || fail "lb2 not back as a next hop of $SC_VIP"
	grep -q "took over" "$(node_dir lb2)/xlbd.log" && fail "lb2 took a datapath over: not fresh"
	sys_hold_wait_rounds 2 || fail "held connections not asked"
	echo "second-chance $1: lb2 back, fresh: $(sc_counters)"
	sys_hold_stop
	echo "second-chance $1: $SYS_SUMMARY"
	mv "$(node_dir lb2)/xlbd.log" "$(node_dir lb2)/xlbd.log.$1"
}

sc_up

sc_round off
control=$SYS_SUMMARY
broken=$(sys_get "$control" broken missing)
[ "$broken" != missing ] && [ "$broken" -gt 0 ] ||
	fail "negative control: second-chance off broke no connection ($control): the test proves nothing"
echo "negative control (second-chance off): $broken of $HELD connections broken"

sc_round on
sys_none "$SYS_SUMMARY" broken ||
	fail "second-chance on: connections broke: $SYS_SUMMARY: $(grep broken "$SYS_RUN/hold/result")"
counters=$(sc_counters)
for n in $SYS_LBS; do
	[ "$(xlbctl_json "$n" stats -- .sc_hop)" -gt 0 ] || fail "$n counted no hop: $counters"
done
[[ $counters == *"b4: forward="* ]] || fail "b4 sent nothing on to a hop: $counters"
[ "$(xlbctl_json lb1 vip show sc -- .second_chance.previous_table)" = true ] ||
	fail "lb1 shows no previous table"
[ "$(xlbctl_json lb2 vip show sc -- .second_chance.previous_table)" = true ] ||
	fail "lb2, fresh, shows no previous table (from its state file)"
echo "second-chance on: 0 of $HELD connections broken (negative control: $broken); $counters"
echo "second chance, ECMP and a backend added: all checks passed"
exit 0
