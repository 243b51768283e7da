#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover benchmark, part 4 (selftests/bench/failover.sh runs it):
# failover.service_event, a dead local service seen by its socket's
# destruction instead of by a failed probe. One xlbd (192.0.2.10) with two
# host-mode VIPs, each with its own real unbound, announced to a BIRD leaf
# (doc/leaf/bird.conf, passive); both checks are health dns interval
# 100ms timeout 80ms rise 2 fall 2, hold-down 0s:
#
#   203.0.113.10  + watch-socket (VIP:53/udp) watch-socket 53/tcp
#   203.0.113.11  polling only (the baseline: the same check as
#                 failover.service_withdraw's xlbd side)
#
# A run kills one unbound (SIGKILL) after a random wait of 200 ms plus
# 0..100 ms (a random point of the probe cycle) and takes the time until
# the VIP's route leaves the leaf's kernel table (route_gone.py:
# rtnetlink RTM_DELROUTE, clock from the kill). Each run must be a
# withdrawal (BGP session up), and the event side's must have been made
# by the event (its check's event count went up); then unbound is
# started again and the next run waits for the route. The sides
# alternate.
#
#   bench failover.service_event EVENT_MS ms baseline POLLING_MS ratio R
#
# Target (issue 17): event median <= 50 ms. Exits 1 if a run fails, 77 if
# not root. Environment: BUILD, FAILOVER_BENCH_RUNS (default 20 per side).
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
TOPO="xfe$$"
XLBD_LOG_FLAGS=""
. selftests/lib/bgp.sh
. selftests/lib/unbound.sh
. selftests/bench/failover_lib.sh
NAME=failover.service_event
TARGET_MS=50
SIDES="event polling"
declare -A VIP=([event]=203.0.113.10 [polling]=203.0.113.11)

[ -x "$XLBD" ] || { echo "# FAIL $NAME: $XLBD not built (run make)" >&2; exit 1; }
[ -x /usr/sbin/unbound ] || { echo "# FAIL $NAME: no unbound (make deps)" >&2; exit 1; }

bgp_setup lb
CHECK="health dns query example.org type A rcode NOERROR nonempty interval 100ms timeout 80ms rise 2 fall 2"
node_conf lb <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000 }
vip ${VIP[event]} local {
    hold-down 0s
    $CHECK watch-socket watch-socket 53/tcp
}
vip ${VIP[polling]} local {
    hold-down 0s
    $CHECK
}
EOF
for s in $SIDES; do
	nsx lb ip addr add "${VIP[$s]}/32" dev lo
	unbound_start "$s" lb "${VIP[$s]}"
done
leaf_start bird "$(ns leaf)" neighbor="${NODE_ADDR4[lb]}" passive || fail "leaf start"
node_start lb

in_fib() { [ "$(leaf_fib bird "${VIP[$1]}/32")" = "${NODE_ADDR4[lb]}" ]; }
# events VIP: the event count of VIP's check
events() {
	node_ctl lb -j health show "$1/local" | /usr/bin/python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["events"])'
}
for s in $SIDES; do
	wait_for 20 in_fib "$s" || fail "$s: ${VIP[$s]} never reached the leaf's kernel table"
done

run_one() {
	local s=$1 vip=${VIP[$1]} out ev0
	ev0=$(events "$vip")
	sleep 0.2
	fo_jitter 100
	out=$(fo_route_gone 5 "$vip/32" kill KILL "${UNBOUND_PID[$s]}" 2>&1) || fail "$s: $out"
	MS=$(fo_ms "$out" "$vip/32") || fail "$s: route_gone.py said '$out'"
	unbound_reap "$s"
	leaf_session_up bird "${NODE_ADDR4[lb]}" || fail "$s: the BGP session went down: not a withdrawal"
	if [ "$s" = event ]; then
		[ "$(events "$vip")" -gt "$ev0" ] || fail "event: withdrawn without a socket event"
	else
		[ "$(events "$vip")" = 0 ] || fail "polling: an event on the VIP without a watch"
	fi
	unbound_start "$s" lb "$vip"
	wait_for 10 in_fib "$s" || fail "$s: $vip not back 10 s after unbound restarted"
}

declare -A ms
for r in $(seq "$FO_RUNS"); do
	order="event polling"
	[ $((r % 2)) -eq 0 ] && order="polling event"
	for s in $order; do
		run_one "$s"
		ms[$s]="${ms[$s]:-} $MS"
	done
done

bird_v=$(bird --version 2>&1 | awk '{ print $NF }')
echo "# method: $NAME: unbound on a host-mode VIP killed (SIGKILL) -> the VIP's route gone from a BIRD $bird_v leaf's kernel table (rtnetlink, clock from the kill); $FO_RUNS runs per side, alternating, in one xlbd; each run checked to be a withdrawal (BGP session up) and, on the event side, made by the socket event"
echo "# $NAME: both: health dns interval 100ms timeout 80ms fall 2 rise 2, hold-down 0s; event side: + watch-socket VIP:53/udp and VIP:53/tcp (sock_diag destruction events)"
fo_side "$NAME" "watch-socket (event)" "${ms[event]}"
fo_side "$NAME" "polling only (interval 100 ms, fall 2)" "${ms[polling]}"
fo_bench "$NAME" ms "${ms[event]}" "${ms[polling]}"
x=$(fo_stat "${ms[event]}")
fo_target "$NAME" "event median <= $TARGET_MS ms (${x% *} ms)" "$(fo_le "${x% *}" $TARGET_MS)"
exit 0
