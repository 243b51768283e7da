#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale: SIGTERM in the middle of a mass change (selftests/lib/scale.sh):
# 256 forwarding VIPs with 8 backends each (2048 tcp checks, interval
# 500 ms, fall 2) behind a BIRD leaf; every second backend is refused at
# once, and half an interval into the verdicts xlbd gets SIGTERM.
# Asserted, without -k and with it:
# - xlbd exits within 1 s of the signal;
# - without -k: the balancer is off lb0, its maps unpinned, and the
#   leaf has none of its routes left (the session closed with a Cease);
# - with -k: the balancer is still on lb0 with its maps pinned, and a new
#   xlbd takes them over: once its checks have their verdicts every
#   table is the one a fresh build computes with the failed backends out.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xst$$"
. selftests/lib/scale.sh
FAIL_PREFIX="scale_sigterm_busy: "
SIZE=(--fwd 256 --backends 2048 --local 0 --interval 500ms --timeout 300ms --strict-every 0)
N_VIPS=256
LIMIT_MS=1000

scale_setup
scale_up || fail "topology"
scale_conf xlb "${SIZE[@]}" --neighbor 192.0.2.1
scale_list down "${SIZE[@]}" >"$RUN/down"
scale_leaf || fail "BIRD leaf"

leaf_routes_n() { echo $(($(nsx leaf ip -6 route show proto bird | wc -l))); }
no_leaf_routes() { [ "$(leaf_routes_n)" = 0 ]; }
down_checks() { sjson health show -- "sum(1 for c in j if c['state'] == 'down')" 2>/dev/null; }
all_failed_down() { [ "$(down_checks)" = "$(wc -l <"$RUN/down")" ]; }
tables_idle() { [ "$(sjson status -- "j['tables_pending']" 2>/dev/null)" = 0 ]; }

# busy KEEP_FLAG: start, settle, start the mass change, SIGTERM half-way
busy() {
	xlbd_up "$RUN/xlb.conf" "$@"
	wait_for 60 scale_all_announced $N_VIPS || fail "not every VIP announced: $(scale_up_count $N_VIPS)"
	scale_fail down "$RUN/down" || fail "nft"
	# the checks probe at random phases of the interval; after a first
	# failure the next probe comes a fast-interval (125 ms) later: the
	# verdicts come 125-625 ms after the change, and the tables after
	# them
	sleep 0.35
	local n w
	n=$(down_checks)
	w=$(sjson status -- "j['tables_pending']")
	xlbd_term
	echo "SIGTERM ${*:-without -k} with $n of $(wc -l <"$RUN/down") failing checks down and $w tables waiting: exit after $SCALE_EXIT_MS ms"
	[ "$SCALE_EXIT_MS" -le $LIMIT_MS ] || fail "exit took $SCALE_EXIT_MS ms"
}

# --- without -k: everything goes
busy
nsx lb ip link show lb0 | grep -q xdp && fail "the balancer is still on lb0"
[ -e "$SCALE_BPFFS/lb/vips" ] && fail "the maps are still pinned"
wait_for 10 no_leaf_routes || fail "$(leaf_routes_n) routes left at the leaf"
echo "without -k: balancer detached, maps unpinned, the leaf has no route left"
scale_heal down

# --- with -k: the datapath stays, and a new xlbd takes it over
busy -k
nsx lb ip link show lb0 | grep -q xdp || fail "the balancer left lb0 with -k"
[ -e "$SCALE_BPFFS/lb/vips" ] || fail "the maps were unpinned with -k"
xlbd_up "$RUN/xlb.conf"
echo "with -k: the new xlbd answers after $SCALE_START_MS ms ($SCALE_START_WRITES map writes)"
wait_for 30 all_failed_down || fail "the failed backends' checks: $(down_checks) down"
wait_for 10 tables_idle || fail "tables still waiting: $(sctl status)"
out=$("$BUILD/selftests/dp_tables" check "$SCALE_BPFFS/lb" "$RUN/xlb.conf" "$RUN/down") ||
	fail "tables after the take-over: $(echo "$out" | head -5)"
echo "with -k: after the take-over, $out equal to a fresh build without the failed backends"
scale_heal down
