#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover benchmark, part 1 (selftests/bench/failover.sh runs it):
# failover.service_withdraw, host-mode anycast DNS. A real unbound answers
# on a VIP on lo of a server; the speaker on that server checks it and
# announces the VIP to a BIRD leaf (doc/leaf/bird.conf, passive) while it
# answers. The unbound is killed (SIGKILL) -> the time until the VIP's
# route leaves the leaf's kernel table (BIRD exports its BGP routes there;
# route_gone.py takes the rtnetlink RTM_DELROUTE, clock from the kill).
#
#   lb  192.0.2.10  xlbd: `vip 203.0.113.10 local`, health dns (example.org
#                   A, NOERROR, non-empty) interval 100ms timeout 80ms
#                   rise 2 fall 2, hold-down 0s; default log level
#   lb2 192.0.2.11  ExaBGP (Debian) with two exabgp-healthcheck processes,
#                   each running `dig ... | grep` on its own unbound:
#                   203.0.113.11 at --interval 1 --fall 1 --rise 1
#                   --timeout 1 (the reference of issue 5 and INTEROP.md),
#                   203.0.113.12 at --interval 0.1 --fast-interval 0.1
#                   --fall 2 --rise 2 --timeout 1 (xlbd's own timers;
#                   --timeout takes whole seconds only)
#
# All three run throughout; runs rotate over them so they share the load.
# Before each kill a random wait of 200 ms plus 0..interval of that
# checker puts the kill at a random point of its probe cycle. Each run
# must be a withdrawal: the route gone from BIRD's table too while the
# BGP session stayed Established; then the unbound is started again and
# the next run waits until the route is back in the leaf's kernel table.
#
#   bench failover.service_withdraw XLBD_MS ms baseline EXABGP_1S_MS ratio R
#   bench failover.service_withdraw_same_timers XLBD_MS ms baseline EXABGP_100MS_MS ratio R
#
# Target (issue 5): xlbd median <= 250 ms. Exits 1 if a run fails, 77 if
# not root. Environment: BUILD, FAILOVER_BENCH_RUNS (default 20 per side).
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
TOPO="xfw$$"
XLBD_LOG_FLAGS=""
. selftests/lib/bgp.sh
. selftests/lib/unbound.sh
. selftests/bench/failover_lib.sh
NAME=failover.service_withdraw
EXABGP=/usr/sbin/exabgp
HEALTHCHECK=/usr/bin/exabgp-healthcheck
TARGET_MS=250

[ -x "$XLBD" ] || { echo "# FAIL $NAME: $XLBD not built (run make)" >&2; exit 1; }
for f in $EXABGP $HEALTHCHECK /usr/bin/dig /usr/sbin/unbound; do
	[ -x "$f" ] || { echo "# FAIL $NAME: $f missing (make deps)" >&2; exit 1; }
done

# the sides: node, VIP, probe interval (ms)
SIDES="xlbd exabgp exabgp_fast"
declare -A NODE=([xlbd]=lb [exabgp]=lb2 [exabgp_fast]=lb2)
declare -A VIP=([xlbd]=203.0.113.10 [exabgp]=203.0.113.11 [exabgp_fast]=203.0.113.12)
declare -A INTERVAL=([xlbd]=100 [exabgp]=1000 [exabgp_fast]=100)

# ExaBGP's health checkers first (their parent reaps them), then ExaBGP
exabgp_stop() {
	local f p=${NODE_PID[lb2]:-}
	for f in "$(node_dir lb2)"/hc-*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	[ -n "$p" ] || return 0
	sleep 0.2
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	NODE_PID[lb2]=""
}
bgp_setup lb lb2
at_exit exabgp_stop

for s in $SIDES; do
	nsx "${NODE[$s]}" ip addr add "${VIP[$s]}/32" dev lo
	unbound_start "$s" "${NODE[$s]}" "${VIP[$s]}"
done

node_conf lb <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000 }
vip ${VIP[xlbd]} local {
    hold-down 0s
    health dns query example.org type A rcode NOERROR nonempty interval 100ms timeout 80ms rise 2 fall 2
}
EOF

# healthcheck_process SIDE OPTIONS: an ExaBGP process block
healthcheck_process() {
	local d vip=${VIP[$1]}
	d=$(node_dir lb2)
	cat <<EOF
process hc-$1 {
	run $HEALTHCHECK --no-syslog --name $1 --pid $d/hc-$1.pid $2 --withdraw-on-down --no-ip-setup --ip $vip/32 --next-hop ${NODE_ADDR4[lb2]} --cmd "dig +tries=1 +time=1 +short @$vip example.org A | grep -qx 203.0.113.99";
	encoder text;
}
EOF
}
D2=$(node_dir lb2)
mkdir -p "$D2"
{
	healthcheck_process exabgp "--interval 1 --fast-interval 1 --timeout 1 --rise 1 --fall 1"
	healthcheck_process exabgp_fast "--interval 0.1 --fast-interval 0.1 --timeout 1 --rise 2 --fall 2"
	cat <<EOF
neighbor $LEAF4 {
	router-id ${NODE_ADDR4[lb2]};
	local-address ${NODE_ADDR4[lb2]};
	local-as 65010;
	peer-as 65000;
	family { ipv4 unicast; }
	api services { processes [ hc-exabgp hc-exabgp_fast ]; }
}
EOF
} >"$D2/exabgp.conf"

leaf_start bird "$(ns leaf)" neighbor="${NODE_ADDR4[lb]}" neighbor="${NODE_ADDR4[lb2]}" passive ||
	fail "leaf start"
node_start lb
ip netns exec "$(ns lb2)" env exabgp_daemon_user=root exabgp_daemon_drop=false \
	exabgp_api_cli=false exabgp_log_destination=stdout \
	"$EXABGP" "$D2/exabgp.conf" >>"$D2/exabgp.log" 2>&1 &
NODE_PID[lb2]=$!
cleanup_pid $!

# in_fib SIDE: the leaf's kernel routes the side's VIP to its node
in_fib() { [ "$(leaf_fib bird "${VIP[$1]}/32")" = "${NODE_ADDR4[${NODE[$1]}]}" ]; }

for s in $SIDES; do
	wait_for 20 in_fib "$s" || fail "$s: ${VIP[$s]} never reached the leaf's kernel table"
done

# run_one SIDE: one kill; sets MS
run_one() {
	local s=$1 node=${NODE[$1]} vip=${VIP[$1]} out
	sleep 0.2
	fo_jitter "${INTERVAL[$s]}"
	out=$(fo_route_gone 5 "$vip/32" \
		kill KILL "${UNBOUND_PID[$s]}" 2>&1) || fail "$s: $out"
	MS=$(fo_ms "$out" "$vip/32") || fail "$s: route_gone.py said '$out'"
	unbound_reap "$s"
	leaf_route bird "$vip/32" >/dev/null && fail "$s: $vip left the kernel table, not BIRD's"
	leaf_session_up bird "${NODE_ADDR4[$node]}" ||
		fail "$s: the BGP session went down: not a withdrawal"
	unbound_start "$s" "$node" "$vip"
	wait_for 10 in_fib "$s" || fail "$s: $vip not back 10 s after unbound restarted"
}

declare -A ms
for r in $(seq "$FO_RUNS"); do
	case $((r % 3)) in
	1) order="xlbd exabgp exabgp_fast" ;;
	2) order="exabgp exabgp_fast xlbd" ;;
	0) order="exabgp_fast xlbd exabgp" ;;
	esac
	for s in $order; do
		run_one "$s"
		ms[$s]="${ms[$s]:-} $MS"
	done
done

bird_v=$(bird --version 2>&1 | awk '{ print $NF }')
exa_v=$("$EXABGP" --version 2>&1 | awk '/^ExaBGP/ { print $3 }')
echo "# method: $NAME: unbound on a host-mode VIP killed (SIGKILL) -> the VIP's route gone from a BIRD $bird_v leaf's kernel table (rtnetlink, clock from the kill); $FO_RUNS runs per side, rotating; each run checked to be a withdrawal (route gone from BIRD, BGP session up)"
echo "# $NAME: xlbd: health dns interval 100ms timeout 80ms fall 2 rise 2, hold-down 0s; ExaBGP $exa_v + exabgp-healthcheck running dig on the same kind of unbound"
fo_side "$NAME" "xlbd (interval 100 ms, fall 2)" "${ms[xlbd]}"
fo_side "$NAME" "ExaBGP healthcheck --interval 1 --fall 1" "${ms[exabgp]}"
fo_side "$NAME" "ExaBGP healthcheck --interval 0.1 --fall 2" "${ms[exabgp_fast]}"
fo_bench "$NAME" ms "${ms[xlbd]}" "${ms[exabgp]}"
fo_bench "${NAME}_same_timers" ms "${ms[xlbd]}" "${ms[exabgp_fast]}"
x=$(fo_stat "${ms[xlbd]}")
fo_target "$NAME" "xlbd median <= $TARGET_MS ms (${x% *} ms)" "$(fo_le "${x% *}" $TARGET_MS)"
exit 0
