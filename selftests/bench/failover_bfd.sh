#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover benchmark, part 2 (selftests/bench/failover.sh runs it):
# failover.bfd_detect and failover.bfd_detect_sigstop, failures that close
# no socket. Two host-mode xlbd nodes peer with one BIRD leaf
# (doc/leaf/bird.conf with its protocol bfd), hold time 3 s both ways (the
# smallest both accept; keepalives every second):
#
#   lb  192.0.2.10  announces 203.0.113.10, BFD 100 ms x 3 both ways
#   lb2 192.0.2.11  announces 203.0.113.11, no BFD (`bfd off` on the
#                   leaf's protocol for it): the hold timer alone
#
# A run breaks both nodes at the same moment and takes, for each VIP, the
# time until its route leaves the leaf's kernel table (route_gone.py:
# rtnetlink RTM_DELROUTE; clock from when the failure is in force):
#  - blackhole: nftables drop rules both ways on both nodes' veths at the
#    leaf (as e2e/bfd_bird_peer_down.sh); clock from nft's return;
#  - sigstop: both xlbd processes stopped; clock from the signals.
# A random wait of 0..1 s before each failure spreads it over the
# keepalive interval (which sets when the hold timer expires) and the BFD
# packets' phase. Each run must have taken the intended path: BIRD's last
# error for lb is "BFD session down", for lb2 "Hold timer expired". Then
# the failure is lifted and the next run waits for both routes back in
# the kernel table and the leaf's BFD session Up. Blackhole and sigstop
# runs alternate.
#
#   bench failover.bfd_detect BFD_MS ms baseline HOLD_MS ratio R
#   bench failover.bfd_detect_sigstop BFD_MS ms baseline HOLD_MS ratio R
#
# Target (issue 5): BFD median <= 400 ms. Exits 1 if a run fails, 77 if
# not root. Environment: BUILD, FAILOVER_BENCH_RUNS (default 20 of each
# case; each run takes about 5 s: the hold timer, then recovery).
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
TOPO="xfb$$"
XLBD_LOG_FLAGS=""
. selftests/lib/bgp.sh
. selftests/bench/failover_lib.sh
NAME=failover.bfd_detect
TARGET_MS=400
BFD_VIP=203.0.113.10
HOLD_VIP=203.0.113.11
BFD_NB=${NODE_ADDR4[lb]}
HOLD_NB=${NODE_ADDR4[lb2]}
NFT_TABLE=xfbblk

[ -x "$XLBD" ] || { echo "# FAIL $NAME: $XLBD not built (run make)" >&2; exit 1; }
command -v nft >/dev/null || { echo "# FAIL $NAME: no nft (make deps)" >&2; exit 1; }

bgp_setup lb lb2
node_conf lb <<EOF
router-id $BFD_NB
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000; hold-time 3; bfd { interval 100ms multiplier 3 } }
vip $BFD_VIP local { }
EOF
node_conf lb2 <<EOF
router-id $HOLD_NB
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000; hold-time 3 }
vip $HOLD_VIP local { }
EOF

leaf_start bird "$(ns leaf)" neighbor="$BFD_NB" neighbor="$HOLD_NB" hold=3 \
	bfd bfd_interval=100 bfd_mult=3 || fail "leaf start"
# lb2's session without BFD; and a restart 1 s after each failure, not
# up to 5 s (BIRD doubles the wait for failures in a row, which the
# runs are): recovery only, the figures do not depend on it
conf=$LEAF_RUN/bird/bird.conf
sed -i -e "/^\tneighbor $HOLD_NB as /a\\\tbfd off;" \
	-e "s/^\terror wait time 1, 5;/\terror wait time 1, 1;/" "$conf"
grep -q "^	bfd off;" "$conf" || fail "leaf config: no protocol for $HOLD_NB"
grep -q "^	error wait time 1, 1;" "$conf" || fail "leaf config: no error wait time to change"
# (both protocols restart: BIRD may answer before it is done)
r=$(leaf_birdc configure)
[[ $r == *Reconfigur* ]] || fail "leaf reconfigure: $r"
node_start lb
node_start lb2

cat >"$RUN/blackhole.nft" <<EOF
table netdev $NFT_TABLE {
	chain in_lb { type filter hook ingress device "l-lb" priority -500; policy drop; }
	chain out_lb { type filter hook egress device "l-lb" priority -500; policy drop; }
	chain in_lb2 { type filter hook ingress device "l-lb2" priority -500; policy drop; }
	chain out_lb2 { type filter hook egress device "l-lb2" priority -500; policy drop; }
}
EOF

in_fib() { [ "$(leaf_fib bird "$1/32")" = "$2" ]; }
# all_up: both routes in the leaf's kernel, BFD Up with lb, none with lb2
all_up() {
	in_fib "$BFD_VIP" "$BFD_NB" && in_fib "$HOLD_VIP" "$HOLD_NB" &&
		leaf_bfd_is bird "$BFD_NB" Up
}
wait_for 20 all_up || fail "routes and BFD not up at the start"
[ "$(leaf_bfd_state bird "$HOLD_NB")" = none ] || fail "a BFD session with $HOLD_NB"

# last_error NEIGHBOR: BIRD's "Last error" of the protocol for NEIGHBOR
last_error() {
	leaf_birdc show protocols all "xlb_${1//./_}" | sed -n 's/^ *Last error: *//p'
}

# run_one blackhole|sigstop: sets BFD_MS and HOLD_MS
run_one() {
	local how=$1 out e t0
	fo_jitter 1000
	case $how in
	blackhole)
		out=$(fo_route_gone 6 "$BFD_VIP/32,$HOLD_VIP/32" run nft -f "$RUN/blackhole.nft" 2>&1)
		;;
	sigstop)
		out=$(fo_route_gone 6 "$BFD_VIP/32,$HOLD_VIP/32" \
			kill STOP "${NODE_PID[lb]},${NODE_PID[lb2]}" 2>&1)
		;;
	esac || { lift "$how"; fail "$how: $out"; }
	if ! BFD_MS=$(fo_ms "$out" "$BFD_VIP/32") || ! HOLD_MS=$(fo_ms "$out" "$HOLD_VIP/32"); then
		lift "$how"
		fail "$how: route_gone.py said '$out'"
	fi
	e=$(last_error "$BFD_NB")
	[[ $e == *"BFD session down" ]] || { lift "$how"; fail "$how: lb's route went by '$e', not BFD"; }
	e=$(last_error "$HOLD_NB")
	[[ $e == *"Hold timer expired" ]] ||
		{ lift "$how"; fail "$how: lb2's route went by '$e', not the hold timer"; }
	lift "$how"
	t0=$(now_ms)
	wait_for 30 all_up || fail "$how: not back 30 s after it was lifted"
	RECOVER_MS=$(ms_since "$t0")
}

lift() {
	case $1 in
	blackhole) nsx leaf nft delete table netdev $NFT_TABLE 2>/dev/null ;;
	sigstop) kill -CONT "${NODE_PID[lb]}" "${NODE_PID[lb2]}" ;;
	esac
}

declare -A bfd hold recover
for r in $(seq "$FO_RUNS"); do
	order="blackhole sigstop"
	[ $((r % 2)) -eq 0 ] && order="sigstop blackhole"
	for how in $order; do
		run_one "$how"
		bfd[$how]="${bfd[$how]:-} $BFD_MS"
		hold[$how]="${hold[$how]:-} $HOLD_MS"
		recover[$how]="${recover[$how]:-} $RECOVER_MS"
	done
done

bird_v=$(bird --version 2>&1 | awk '{ print $NF }')
echo "# method: $NAME: two xlbd nodes and a BIRD $bird_v leaf, hold time 3 s; one node with BFD 100 ms x 3, the other without; both broken at once -> each VIP's route gone from the leaf's kernel table (rtnetlink); $FO_RUNS runs of each case, each checked by BIRD's last error (BFD session down / Hold timer expired)"
fo_side "$NAME" "link blackholed, BFD 3 x 100 ms" "${bfd[blackhole]}"
fo_side "$NAME" "link blackholed, hold timer 3 s only" "${hold[blackhole]}"
fo_side "${NAME}_sigstop" "xlbd stopped, BFD 3 x 100 ms" "${bfd[sigstop]}"
fo_side "${NAME}_sigstop" "xlbd stopped, hold timer 3 s only" "${hold[sigstop]}"
echo "# $NAME: recovery after lifting (ms, not part of the figures): blackhole${recover[blackhole]}; sigstop${recover[sigstop]}"
fo_bench "$NAME" ms "${bfd[blackhole]}" "${hold[blackhole]}"
fo_bench "${NAME}_sigstop" ms "${bfd[sigstop]}" "${hold[sigstop]}"
for how in blackhole sigstop; do
	n=$NAME
	[ $how = sigstop ] && n=${NAME}_sigstop
	m=$(fo_stat "${bfd[$how]}")
	fo_target "$n" "BFD median <= $TARGET_MS ms (${m% *} ms)" "$(fo_le "${m% *}" $TARGET_MS)"
done
exit 0
