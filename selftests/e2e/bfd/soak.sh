#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# BFD soak under load (e2e/bfd_soak runs it for 60 s and asserts; the
# benchmark selftests/bench/bfd_spurious.sh for longer and reports per
# hour). Three host-mode xlbd nodes, each with BFD to two leaves, a BIRD 2
# (protocol bfd, 192.0.2.1) and an FRR (bfdd, 192.0.2.2) on one bridge,
# both leaves asking for 20 ms x 3 so that each session runs at the
# node's own timers (BFD_SOAK_INTERVALS changes them):
#
#   lb  192.0.2.10  BFD 20 ms x 3   (Detection Time 60 ms)
#   lb2 192.0.2.11  BFD 50 ms x 3   (150 ms)
#   lb3 192.0.2.12  BFD 300 ms x 3  (900 ms, the default: the control)
#
# The leaves' BFD (FRR's bfdd, BIRD's BFD thread) runs at real-time
# priority (chrt -f 1), standing for routers whose CPUs the node's load
# does not touch; xlbd runs as it would in production (its BFD sender
# thread at SCHED_FIFO 1, see agent/bfd/tx.h).
#
# The load, for the whole soak, on a machine with 2 CPUs:
#  - BFD_SOAK_HOGS busy loops (default: one per CPU);
#  - each node runs BFD_SOAK_CHECKS host-mode VIPs (default 40) with a tcp
#    check every 100 ms against a listener of its own (400 probes/s on
#    each node's loop), all announced to both leaves;
#  - UDP traffic from lb3 through the bridge to the FRR leaf, about
#    20000 packets/s of 512 bytes.
# When every session is Up and settled, the counters are taken, the soak
# runs BFD_SOAK_SECONDS (default 60), and the counters are taken again.
# One line per session, then the load seen:
#
#   soak node=lb interval=20 peer=bird downs=N bgp_drops=N leaf_downs=N
#        downs_detected=N late_deliveries=N max_rx_gap_ms=X max_tx_gap_ms=X
#        detect_ms=N packets_in=N packets_out=N
#   soak load cpu_busy_pct=N seconds=N rt=1|0
#
# downs: xlbd's session left Up (its own detection, or the leaf's, which
# the leaf then signals); bgp_drops: xlbd's BGP session to that leaf
# dropped; leaf_downs: the leaf's own count (FRR: its session-down
# counter; BIRD keeps none: 1 if its session's "since" is inside the
# soak, else 0); downs_detected: those xlbd's own Detection Time decided
# (the others the leaf decided and signalled); late_deliveries: packets
# stamped by the kernel before a Detection Time that ran out but
# delivered to xlbd's socket after it (the host's packet processing, not
# the peer, was late); the gaps: the longest waits between packets while
# Up (bfd show), against the Detection Time. The gaps are over the whole
# life of the session, the rest over the soak.
# Exits 0 when it ran (whatever it counted), 1 if it could not, 77 if not
# root. Environment: BUILD, BFD_SOAK_SECONDS, BFD_SOAK_HOGS,
# BFD_SOAK_CHECKS, BFD_SOAK_NODES (default "lb lb2 lb3"),
# BFD_SOAK_INTERVALS (the three nodes' intervals in ms, default
# "20 50 300"; the leaves ask for the smallest), BFD_SOAK_TRAFFIC=0 (no
# UDP traffic).
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xbs$$"
XLBD_LOG_FLAGS=""
. selftests/lib/bgp.sh
SECS=${BFD_SOAK_SECONDS:-60}
HOGS=${BFD_SOAK_HOGS:-$(nproc)}
CHECKS=${BFD_SOAK_CHECKS:-40}
NODES=${BFD_SOAK_NODES:-lb lb2 lb3}
LEAF2=192.0.2.2
read -r iv1 iv2 iv3 <<<"${BFD_SOAK_INTERVALS:-20 50 300}"
declare -A IV=([lb]=$iv1 [lb2]=$iv2 [lb3]=$iv3)
LEAF_IV=$iv1
for i in $iv2 $iv3; do [ "$i" -lt "$LEAF_IV" ] && LEAF_IV=$i; done
declare -A BASE=([lb]=0 [lb2]=40 [lb3]=80)
NODE_ADDR4[lb3]=192.0.2.12
NODE_ADDR6[lb3]=2001:db8:1::12
NODE_ADDR4[leaf2]=$LEAF2
NODE_ADDR6[leaf2]=2001:db8:1::2
FAIL_PREFIX="bfd soak: "
[ "$CHECKS" -le 40 ] || { echo "BFD_SOAK_CHECKS: at most 40"; exit 1; }

# shellcheck disable=SC2086 # a word list
bgp_setup $NODES leaf2
for n in $NODES; do
	{
		echo "router-id ${NODE_ADDR4[$n]}"
		echo "local-as 65010"
		echo "allowed-prefixes { 203.0.113.0/24 max 32 }"
		for l in $LEAF4 $LEAF2; do
			echo "neighbor $l { remote-as 65000; bfd { interval ${IV[$n]}ms multiplier 3 } }"
		done
		for i in $(seq "$CHECKS"); do
			echo "vip 203.0.113.$((BASE[$n] + i)) local { health tcp address 127.0.0.1 port 8080 interval 100ms }"
		done
	} | node_conf "$n"
done
nb=""
for n in $NODES; do nb="$nb neighbor=${NODE_ADDR4[$n]}"; done
# shellcheck disable=SC2086 # a word list
leaf_start bird "$(ns leaf)" $nb passive bfd bfd_interval=$LEAF_IV bfd_mult=3 || fail "BIRD leaf"
# shellcheck disable=SC2086
leaf_start frr "$(ns leaf2)" router-id=$LEAF2 $nb passive bfd bfd_interval=$LEAF_IV bfd_mult=3 ||
	fail "FRR leaf"

# The leaves stand for routers of their own, whose CPUs this host's load
# does not touch: their BFD gets real-time priority (SCHED_FIFO 1), as
# on a switch nothing would delay it: FRR's bfdd, and BIRD's BFD thread
# (its second thread; the first runs BGP and stays as it is). Only xlbd
# competes with the load (its sender thread at SCHED_FIFO 1 as in
# production, the rest of it at normal priority, like the load).
rt_threads() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "${t##*/}" = "$1" ] && [ "${2:-}" = not_main ] && continue
		chrt -f -p 1 "${t##*/}" >/dev/null || return 1
	done
}
bird_bfd=$(ls /proc/"${LEAF_PIDS[bird]}"/task | grep -vx "${LEAF_PIDS[bird]}")
[ -n "$bird_bfd" ] || fail "no BFD thread in BIRD"
# A host may refuse real-time priority even to root (a cgroup without
# real-time time: cpu.rt_runtime_us 0 under CONFIG_RT_GROUP_SCHED; xlbd
# then warns and sends at normal priority). Then the same order is kept
# by weight instead of by class: the leaves and xlbd at normal priority,
# the load at nice 19. The `soak load` line says which it was (rt=1|0).
if chrt -f 1 true 2>/dev/null; then
	RT=1 LOAD_NICE=""
	rt_threads "${LEAF_PIDS[bird]}" not_main || fail "chrt on BIRD's BFD thread"
	for p in ${LEAF_PIDS[frr]}; do
		[ "$(cat /proc/"$p"/comm)" = bfdd ] && { rt_threads "$p" || fail "chrt on bfdd"; }
	done
else
	RT=0 LOAD_NICE="nice -n 19"
	echo "note: real-time priority refused on this host: the load runs at nice 19 instead"
fi

# bg NODE CMD...: a load process in NODE's namespace, stopped at exit
bg() {
	local n=$1
	shift
	spawn "$n" /dev/null "$@"
}
for n in $NODES; do
	bg "$n" /usr/bin/python3 -c '
import socket
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 8080))
l.listen(1024)
while True:
    l.accept()[0].close()
'
	node_start "$n"
done

# sess NODE PEER_ADDR FIELD: a field of xlbctl -j bfd show
sess() {
	node_ctl "$1" -j bfd show 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for s in json.load(sys.stdin)["sessions"]:
    if s["peer"] == sys.argv[1]:
        print(s[sys.argv[2]])
        break
else:
    print("none")
' "$2" "$3"
}
bgp_dropped() {
	node_ctl "$1" -j bgp show 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p["neighbor"] == sys.argv[1]:
        print(p["dropped"])
' "$2"
}
frr_downs() {
	leaf_vtysh -c "show bfd peer $1 counters json" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d.get("session-down", d.get("session-downs", 0)))
'
}
bird_since() {
	leaf_birdc show bfd sessions 2>/dev/null | awk -v n="$1" '$1 == n { print $4 " " $5 }'
}
settled() {
	local n l
	for n in $NODES; do
		for l in $LEAF4 $LEAF2; do
			[ "$(sess "$n" $l state)" = Up ] || return 1
			[ "$(sess "$n" $l poll)" = False ] || return 1
			[ "$(sess "$n" $l detect_time_us)" = $((3000 * IV[$n])) ] || return 1
		done
		leaf_bfd_is bird "${NODE_ADDR4[$n]}" Up || return 1
		leaf_bfd_is frr "${NODE_ADDR4[$n]}" Up || return 1
	done
}
wait_for 60 settled || fail "sessions not Up at their timers within 60 s"

# the load
for i in $(seq "$HOGS"); do
	bg lb3 $LOAD_NICE /usr/bin/python3 -c 'while True: pass'
done
[ "${BFD_SOAK_TRAFFIC:-1}" = 0 ] || bg lb3 $LOAD_NICE /usr/bin/python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
d = b"x" * 512
while True:
    t = time.monotonic()
    for _ in range(200):
        try:
            s.sendto(d, ("'$LEAF2'", 9))
        except OSError:
            pass
    time.sleep(max(0.0, 0.01 - (time.monotonic() - t)))
'
# settle under load, then the counters before
sleep 2
declare -A d0 dd0 ld0 b0 f0
for n in $NODES; do
	for l in $LEAF4 $LEAF2; do
		d0[$n,$l]=$(sess "$n" $l downs)
		dd0[$n,$l]=$(sess "$n" $l downs_detected)
		ld0[$n,$l]=$(sess "$n" $l late_deliveries)
		b0[$n,$l]=$(bgp_dropped "$n" $l)
	done
	f0[$n]=$(frr_downs "${NODE_ADDR4[$n]}")
done
t_start=$(date +%s)
read -r _ u0 n0 s0 i0 w0 q0 sq0 _ </proc/stat
sleep "$SECS"
read -r _ u1 n1 s1 i1 w1 q1 sq1 _ </proc/stat
busy=$(( (u1 - u0) + (n1 - n0) + (s1 - s0) + (q1 - q0) + (sq1 - sq0) ))
total=$(( busy + (i1 - i0) + (w1 - w0) ))

for n in $NODES; do
	for l in $LEAF4 $LEAF2; do
		peer=bird
		[ $l = $LEAF2 ] && peer=frr
		downs=$(( $(sess "$n" $l downs) - d0[$n,$l] ))
		ddet=$(( $(sess "$n" $l downs_detected) - dd0[$n,$l] ))
		late=$(( $(sess "$n" $l late_deliveries) - ld0[$n,$l] ))
		drops=$(( $(bgp_dropped "$n" $l) - b0[$n,$l] ))
		if [ $peer = frr ]; then
			ldowns=$(( $(frr_downs "${NODE_ADDR4[$n]}") - f0[$n] ))
		else
			since=$(date -d "$(bird_since "${NODE_ADDR4[$n]}")" +%s 2>/dev/null || echo 0)
			ldowns=0
			[ "$since" -ge "$t_start" ] && ldowns=1
		fi
		printf 'soak node=%s interval=%s peer=%s downs=%s bgp_drops=%s leaf_downs=%s downs_detected=%s late_deliveries=%s max_rx_gap_ms=%s max_tx_gap_ms=%s detect_ms=%s packets_in=%s packets_out=%s\n' \
			"$n" "${IV[$n]}" $peer "$downs" "$drops" "$ldowns" "$ddet" "$late" \
			"$(awk -v u="$(sess "$n" $l max_rx_gap_us)" 'BEGIN { printf "%.1f", u / 1000 }')" \
			"$(awk -v u="$(sess "$n" $l max_tx_gap_us)" 'BEGIN { printf "%.1f", u / 1000 }')" \
			$(( $(sess "$n" $l detect_time_us) / 1000 )) \
			"$(sess "$n" $l packets_in)" "$(sess "$n" $l packets_out)"
	done
done
echo "soak load cpu_busy_pct=$((100 * busy / total)) seconds=$SECS rt=$RT"
exit 0
