#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale: one BGP neighbor floods UPDATEs at full speed (rawbgp.py
# updflood: 4 KB UPDATEs of 800 routes each, back to back, 10 s) while
# the leaf (BIRD, with BFD 100 ms x 3) holds its session, at the size of
# selftests/e2e/scale_mass_failure.sh (544 checks at 300 ms). During the
# flood a host-mode VIP's service is killed. Asserted:
# - the leaf's BGP session never drops (neither side counts a drop) and
#   its BFD session stays up;
# - the killed service's VIP leaves the leaf within interval x fall +
#   200 ms;
# - `xlbctl status` answers within 100 ms at every poll (every 20 ms);
# - the flood really flooded (thousands of messages taken), and xlbd
#   kept its own KEEPALIVEs to the flooding neighbor going.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsf$$"
. selftests/lib/scale.sh
FAIL_PREFIX="scale_bgp_flood: "
SIZE=(--fwd 64 --backends 512 --local 32 --interval 300ms --timeout 200ms --strict-every 0)
N_VIPS=97
SVC=203.0.113.251
LIMIT_MS=800	# interval x fall + 200

scale_setup
scale_up || fail "topology"
scale_conf xlb "${SIZE[@]}" --neighbor 192.0.2.1:bfd=100 --neighbor 192.0.2.3:passive:as=65003
cat >>"$RUN/xlb.conf" <<EOF
vip $SVC local { name svc; hold-down 0s; health tcp port 81 interval 300ms timeout 200ms rise 2 fall 2 }
EOF
echo "$SVC/32" >"$RUN/svc"
# the service: an acceptor of its own on port 81
spawn lb "$RUN/svc.log" "$SCALE_PY" selftests/lib/acceptor.py 81
SVC_PID=$SPAWNED
wait_for 10 grep -q listening "$RUN/svc.log" || fail "service did not start"
scale_leaf bfd bfd_interval=100 || fail "BIRD leaf"
xlbd_up "$RUN/xlb.conf"
wait_for 60 scale_all_announced $N_VIPS || fail "not every VIP announced: $(scale_up_count $N_VIPS)"
wait_for 10 leaf_bfd_is bird 192.0.2.10 Up || fail "BFD with the leaf not up"

drops() { sjson bgp show -- "[p['dropped'] for p in j if p['neighbor'] == '192.0.2.1'][0]"; }
bfd_downs() { sjson bfd show -- "j['sessions'][0]['downs']"; }
drops0=$(drops)
bfd0=$(bfd_downs)

"$SCALE_PY" selftests/lib/ctl_probe.py probe "$RUN/xlbd.sock" 20 >"$RUN/probe.out" 2>&1 &
PROBE_PID=$!
cleanup_pid "$PROBE_PID"
ip netns exec "$(ns leaf)" "$SCALE_PY" selftests/lib/rawbgp.py session --peer 192.0.2.10 \
	--local 192.0.2.3 --as 65003 --id 192.0.2.3 --reach established --send updflood:10 \
	--wait 12 >"$RUN/flood.out" 2>&1 &
FLOOD_PID=$!
cleanup_pid "$FLOOD_PID"
# the flood under way: xlbd counts its messages
flood_taken() {
	sjson bgp show -- "[p['messages_in'] for p in j if p['neighbor'] == '192.0.2.3'][0] > 1000" 2>/dev/null |
		grep -qx True
}
wait_for 10 flood_taken || fail "the flood did not start: $(cat "$RUN/flood.out")"
sleep 2

# the service dies in the middle of it
ip netns exec "$(ns leaf)" "$SCALE_PY" selftests/lib/route_watch.py gone 10 "$RUN/svc" \
	>"$RUN/routes.out" 2>&1 &
RPID=$!
cleanup_pid "$RPID"
wait_for 10 grep -q . "$RUN/routes.out"
[ "$(head -1 "$RUN/routes.out")" = ready ] || fail "route_watch: $(cat "$RUN/routes.out")"
t0=$(mono)
kill -9 "$SVC_PID"
wait "$SVC_PID" 2>/dev/null
wait "$RPID" || fail "the killed service's route stayed: $(cat "$RUN/routes.out")"
line=$(tail -1 "$RUN/routes.out")
[[ $line =~ ^done\ ([0-9.]+)$ ]] || fail "route_watch: $line"
t=$(awk -v a="${BASH_REMATCH[1]}" -v b="$t0" 'BEGIN { printf "%d", a - b }')
echo "service killed during the flood: its route left the leaf after $t ms (limit $LIMIT_MS ms)"
[ "$t" -le $LIMIT_MS ] || fail "the killed service's route took $t ms"

wait "$FLOOD_PID" || fail "rawbgp: $(cat "$RUN/flood.out")"
read -r _ _ end _ ka sent _ <"$RUN/flood.out"
echo "flood: $sent messages sent by the neighbor, $ka KEEPALIVEs from xlbd meanwhile, session $end at the end"
[ "${sent:-0}" -gt 1000 ] || fail "the neighbor sent only ${sent:-0} messages: $(cat "$RUN/flood.out")"
[ "${ka:-0}" -ge 2 ] || fail "xlbd sent the flooding neighbor ${ka:-0} KEEPALIVEs in 12 s (hold time 9 s)"
stop_pids TERM "$PROBE_PID"
out=$(cat "$RUN/probe.out")
echo "status polls during the flood: $out"
[[ $out =~ ^max_ms\ ([0-9.]+)\ count\ ([0-9]+)\ over_100\ 0\ failed\ 0$ ]] ||
	fail "xlbctl status did not always answer within 100 ms: $out"

[ "$(drops)" = "$drops0" ] || fail "the leaf's BGP session dropped during the flood"
[ "$(bfd_downs)" = "$bfd0" ] || fail "the leaf's BFD session went down during the flood"
leaf_session_up bird 192.0.2.10 || fail "the leaf's BGP session is not up"
leaf_bfd_is bird 192.0.2.10 Up || fail "the leaf's BFD session is $(leaf_bfd_state bird 192.0.2.10)"
echo "the leaf's BGP and BFD sessions up throughout; longest loop turn $(sjson status -- "j['loop']['longest_us']") us"
