#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover benchmark, part 5 (selftests/bench/failover.sh runs it):
# failover.bfd_detect_20, BFD at 3 x 20 ms next to 3 x 100 ms. Two
# host-mode xlbd nodes peer with one BIRD leaf (doc/leaf/bird.conf with
# its protocol bfd asking for 20 ms, so each session runs at the node's
# timers), hold time 3 s both ways:
#
#   lb  192.0.2.10  announces 203.0.113.10, BFD 20 ms x 3 (detect 60 ms)
#   lb2 192.0.2.11  announces 203.0.113.11, BFD 100 ms x 3 (detect 300 ms)
#
# A run blackholes both nodes' links at the leaf at the same moment
# (nftables drop both ways on their veths, as failover_bfd.sh; clock from
# nft's return) after a random wait of 0..1 s, and takes, for each VIP,
# the time until its route leaves the leaf's kernel table (route_gone.py:
# rtnetlink RTM_DELROUTE). Each run must have taken the intended path:
# BIRD's last error for both is "BFD session down". Then the blackhole is
# lifted and the next run waits for both routes and both BFD sessions.
#
#   bench failover.bfd_detect_20 BFD20_MS ms baseline BFD100_MS ratio R
#
# Target (issue 17): 3 x 20 ms median <= 100 ms. Exits 1 if a run fails, 77
# if not root. Environment: BUILD, FAILOVER_BENCH_RUNS (default 20; each
# run takes about 3 s: BFD, then recovery).
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
TOPO="xfc$$"
XLBD_LOG_FLAGS=""
. selftests/lib/bgp.sh
. selftests/bench/failover_lib.sh
NAME=failover.bfd_detect_20
TARGET_MS=100
FAST_VIP=203.0.113.10
SLOW_VIP=203.0.113.11
FAST_NB=${NODE_ADDR4[lb]}
SLOW_NB=${NODE_ADDR4[lb2]}
NFT_TABLE=xfcblk

[ -x "$XLBD" ] || { echo "# FAIL $NAME: $XLBD not built (run make)" >&2; exit 1; }
command -v nft >/dev/null || { echo "# FAIL $NAME: no nft (make deps)" >&2; exit 1; }

bgp_setup lb lb2
node_conf lb <<EOF
router-id $FAST_NB
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000; hold-time 3; bfd { interval 20ms multiplier 3 } }
vip $FAST_VIP local { }
EOF
node_conf lb2 <<EOF
router-id $SLOW_NB
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000; hold-time 3; bfd { interval 100ms multiplier 3 } }
vip $SLOW_VIP local { }
EOF

leaf_start bird "$(ns leaf)" neighbor="$FAST_NB" neighbor="$SLOW_NB" hold=3 \
	bfd bfd_interval=20 bfd_mult=3 || fail "leaf start"
# a restart 1 s after each failure, not up to 5 s (BIRD doubles the wait
# for failures in a row, which the runs are): recovery only
conf=$LEAF_RUN/bird/bird.conf
sed -i -e "s/^\terror wait time 1, 5;/\terror wait time 1, 1;/" "$conf"
grep -q "^	error wait time 1, 1;" "$conf" || fail "leaf config: no error wait time to change"
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
# all_up: both routes in the leaf's kernel, both BFD sessions Up at their timers
all_up() {
	in_fib "$FAST_VIP" "$FAST_NB" && in_fib "$SLOW_VIP" "$SLOW_NB" &&
		[ "$(leaf_bfd bird "$FAST_NB")" = "Up tx=20 detect=60" ] &&
		[ "$(leaf_bfd bird "$SLOW_NB")" = "Up tx=100 detect=300" ]
}
wait_for 20 all_up ||
	fail "routes and BFD not up at the start: $(leaf_bfd bird "$FAST_NB"); $(leaf_bfd bird "$SLOW_NB")"

last_error() {
	leaf_birdc show protocols all "xlb_${1//./_}" | sed -n 's/^ *Last error: *//p'
}
lift() { nsx leaf nft delete table netdev $NFT_TABLE 2>/dev/null; }

# run_one: sets FAST_MS, SLOW_MS, RECOVER_MS
run_one() {
	local out e nb t0
	fo_jitter 1000
	out=$(fo_route_gone 6 "$FAST_VIP/32,$SLOW_VIP/32" run nft -f "$RUN/blackhole.nft" 2>&1) ||
		{ lift; fail "$out"; }
	if ! FAST_MS=$(fo_ms "$out" "$FAST_VIP/32") || ! SLOW_MS=$(fo_ms "$out" "$SLOW_VIP/32"); then
		lift
		fail "route_gone.py said '$out'"
	fi
	for nb in $FAST_NB $SLOW_NB; do
		e=$(last_error "$nb")
		[[ $e == *"BFD session down" ]] || { lift; fail "$nb's route went by '$e', not BFD"; }
	done
	lift
	t0=$(now_ms)
	wait_for 30 all_up || fail "not back 30 s after the blackhole was lifted"
	RECOVER_MS=$(ms_since "$t0")
}

fast="" slow="" recover=""
for r in $(seq "$FO_RUNS"); do
	run_one
	fast="$fast $FAST_MS"
	slow="$slow $SLOW_MS"
	recover="$recover $RECOVER_MS"
done

bird_v=$(bird --version 2>&1 | awk '{ print $NF }')
echo "# method: $NAME: two xlbd nodes and a BIRD $bird_v leaf, hold time 3 s, BFD 3 x 20 ms with one, 3 x 100 ms with the other (the leaf asks for 20 ms: each session runs at its node's timers); both links blackholed at once (nftables) -> each VIP's route gone from the leaf's kernel table (rtnetlink); $FO_RUNS runs, each checked by BIRD's last error (BFD session down)"
fo_side "$NAME" "link blackholed, BFD 3 x 20 ms" "$fast"
fo_side "$NAME" "link blackholed, BFD 3 x 100 ms" "$slow"
echo "# $NAME: recovery after lifting (ms, not part of the figures):$recover"
fo_bench "$NAME" ms "$fast" "$slow"
m=$(fo_stat "$fast")
fo_target "$NAME" "3 x 20 ms median <= $TARGET_MS ms (${m% *} ms)" "$(fo_le "${m% *}" $TARGET_MS)"
exit 0
