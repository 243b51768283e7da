#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale: every backend of many VIPs fails at once, behind a BIRD leaf
# with BFD (selftests/lib/scale.sh). 64 forwarding VIPs with 8 backends
# each (512 tcp checks, interval 300 ms, fall 2, rise 2) and 32 host-mode
# VIPs; every second VIP loses all its backends in one nftables
# transaction (TCP RST), then they all come back. Asserted, each way:
# - the 32 VIPs' routes leave the leaf's kernel (come back) within
#   interval x fall (rise) + 200 ms of the change, and no other route
#   moves;
# - the BGP session and the BFD session with the leaf stay up throughout
#   (neither side counts a drop);
# - `xlbctl status` answers within 100 ms at every poll (every 20 ms,
#   during the whole change);
# - every table in the datapath is the one a fresh build computes from
#   the config with those backends out (dp_tables check), and xlbd
#   reports nothing left to write.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsm$$"
. selftests/lib/scale.sh
FAIL_PREFIX="scale_mass_failure: "
SIZE=(--fwd 64 --backends 512 --local 32 --interval 300ms --timeout 200ms --strict-every 0)
N_VIPS=96
INTERVAL_MS=300
FALL=2
RISE=2
MARGIN_MS=200
PROBE_PID=""

scale_setup
scale_up || fail "topology"
scale_conf xlb "${SIZE[@]}" --neighbor 192.0.2.1:bfd=100
# every second forwarding VIP's backends (8 a VIP, in order), and its route
scale_list backends "${SIZE[@]}" | awk 'int((NR - 1) / 8) % 2 == 0' >"$RUN/down"
scale_list prefixes "${SIZE[@]}" >"$RUN/prefixes"
awk 'NR <= 64 && NR % 2 == 1' "$RUN/prefixes" >"$RUN/gone"
awk 'NR > 64 || NR % 2 == 0' "$RUN/prefixes" >"$RUN/stay"
: >"$RUN/none"
scale_leaf bfd bfd_interval=100 || fail "BIRD leaf"
xlbd_up "$RUN/xlb.conf"
wait_for 60 scale_all_announced $N_VIPS || fail "not every VIP announced: $(scale_up_count $N_VIPS)"
wait_for 10 leaf_bfd_is bird 192.0.2.10 Up || fail "BFD with the leaf not up"

drops() { sjson bgp show -- "j[0]['dropped']"; }
# every check of a backend in $RUN/down is STATE
checks_are() {
	sjson health show -- "all(c['state'] == '$1' for c in j if c['address'] in set(open('$RUN/down').read().split()))" |
		grep -qx True
}
tables_idle() { [ "$(sjson status -- "j['tables_pending']" 2>/dev/null)" = 0 ]; }
bfd_downs() { sjson bfd show -- "j['sessions'][0]['downs']"; }
drops0=$(drops)
bfd0=$(bfd_downs)

# one way: DIR fail|heal, routes gone|back within LIMIT ms
step() {
	local dir=$1 routes=$2 limit=$3 t0 t line rc out
	"$SCALE_PY" selftests/lib/ctl_probe.py probe "$RUN/xlbd.sock" 20 >"$RUN/probe.out" 2>&1 &
	PROBE_PID=$!
	cleanup_pid "$PROBE_PID"
	ip netns exec "$(ns leaf)" "$SCALE_PY" selftests/lib/route_watch.py "$routes" 30 "$RUN/gone" \
		>"$RUN/routes.out" 2>&1 &
	local rpid=$!
	cleanup_pid "$rpid"
	wait_for 10 grep -q . "$RUN/routes.out"
	[ "$(head -1 "$RUN/routes.out")" = ready ] || fail "route_watch: $(cat "$RUN/routes.out")"
	t0=$(mono)
	if [ "$dir" = fail ]; then
		scale_fail down "$RUN/down" || fail "nft"
	else
		scale_heal down || fail "nft"
	fi
	wait "$rpid"
	rc=$?
	line=$(tail -1 "$RUN/routes.out")
	[ $rc -eq 0 ] && [[ $line =~ ^done\ ([0-9.]+)$ ]] || fail "$dir: routes: $(cat "$RUN/routes.out")"
	t=$(awk -v a="${BASH_REMATCH[1]}" -v b="$t0" 'BEGIN { printf "%d", a - b }')
	echo "$dir: 32 routes $routes at the leaf $t ms after the change (limit $limit ms)"
	[ "$t" -le "$limit" ] || fail "$dir: the routes took $t ms, more than $limit"
	# the tables, once every check has its verdict: all written, and right
	wait_for 10 checks_are "$([ "$dir" = fail ] && echo down || echo up)" ||
		fail "$dir: not every check has its verdict"
	wait_for 10 tables_idle ||
		fail "$dir: tables still waiting: $(sctl status)"
	if [ "$dir" = fail ]; then
		out=$("$BUILD/selftests/dp_tables" check "$SCALE_BPFFS/lb" "$RUN/xlb.conf" "$RUN/down")
	else
		out=$("$BUILD/selftests/dp_tables" check "$SCALE_BPFFS/lb" "$RUN/xlb.conf" "$RUN/none")
	fi || fail "$dir: tables: $(echo "$out" | head -5)"
	echo "$dir: $out equal to a fresh build"
	stop_pids TERM "$PROBE_PID"
	out=$(cat "$RUN/probe.out")
	echo "$dir: status polls: $out"
	[[ $out =~ ^max_ms\ ([0-9.]+)\ count\ ([0-9]+)\ over_100\ 0\ failed\ 0$ ]] ||
		fail "$dir: xlbctl status did not always answer within 100 ms: $out"
}

step fail gone $((INTERVAL_MS * FALL + MARGIN_MS))
# the other routes did not move
still=$( (nsx leaf ip -4 route show proto bird; nsx leaf ip -6 route show proto bird) |
	awk '{ print $1 }' | grep -cxFf <(sed 's|/32$||; s|/128$||' "$RUN/stay"))
[ "$still" = "$(wc -l <"$RUN/stay")" ] ||
	fail "$(($(wc -l <"$RUN/stay") - still)) routes of VIPs that kept their backends left the leaf"
step heal back $((INTERVAL_MS * RISE + MARGIN_MS))
wait_for 10 scale_all_announced $N_VIPS || fail "not every VIP back: $(scale_up_count $N_VIPS)"

[ "$(drops)" = "$drops0" ] || fail "the BGP session with the leaf dropped ($(drops) drops, were $drops0)"
[ "$(bfd_downs)" = "$bfd0" ] || fail "the BFD session with the leaf went down"
leaf_session_up bird 192.0.2.10 || fail "the leaf's BGP session is not up"
leaf_bfd_is bird 192.0.2.10 Up || fail "the leaf's BFD session is $(leaf_bfd_state bird 192.0.2.10)"
echo "BGP and BFD with the leaf up throughout; longest loop turn $(sjson status -- "j['loop']['longest_us']") us"
