#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Concurrent changes and divergence in a fleet whose pool state is in etcd
# (3 members, 2 xlb nodes, BIRD leaf, backends; lib/fleet.sh):
#  - races: two operators change the same backend at once, one on each
#    node, both based on the revision they saw (--revision): exactly one
#    is written, the other is told what changed and writes nothing; the
#    winner's value is in etcd and in both nodes' tables (nothing lost,
#    nothing half-applied); again on two different backends of one VIP
#    (the transaction covers the VIP's whole pool, so a threshold decision
#    cannot be taken on a stale view);
#  - divergence: lb2 is given another weight for a backend by hand (its
#    own config, reloaded: the drift etcd cannot see): `xlbctl fleet
#    status` flags lb2's table of that VIP as differing, the metric
#    xlb_fleet_table_differs says 1 on lb1 and the two nodes'
#    xlb_vip_table_fingerprint differ (the page passes `promtool check
#    metrics`); put back, they agree again;
#  - a lagging node: lb2's xlbd stopped (SIGSTOP) while a change is made:
#    fleet status shows it LAGGING, the metric counts it; continued, it
#    catches up and the flag goes.
# About 40 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbv$$"
SYS_DNS=""
SYS_EXTRA_VIPS="metrics listen 0.0.0.0 port 9273"
. selftests/lib/fleet.sh
fleet_up

VIP=$VIP4:80/tcp
B1=${SYS_ADDR4[b1]}
B2=${SYS_ADDR4[b2]}
B3=${SYS_ADDR4[b3]}

applied() { fleet_revision "$1"; }
metric() { fleet_metric "$@"; }
fleet_json() { node_ctl lb1 -j fleet status; }
fleet_py() { fleet_json | $SYS_PY -c "import json, sys; d = json.load(sys.stdin); $1"; }
same_tables() {
	[ "$(fleet_table lb1 "$VIP")" = "$(fleet_table lb2 "$VIP")" ]
}

# race RESULTS... : two writers at once, both --revision R; RESULTS
# gets "rc1 rc2"
race() { # ARGS1 -- ARGS2
	local a=() b=() r
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	r=$(applied lb1)
	fleet_pool lb1 "${a[@]}" --revision "$r" >"$SYS_RUN/race1" 2>&1 &
	local p1=$!
	fleet_pool lb2 "${b[@]}" --revision "$r" >"$SYS_RUN/race2" 2>&1 &
	local p2=$!
	wait $p1
	RC1=$?
	wait $p2
	RC2=$?
}

for round in 1 2 3; do
	race depool web "$B1" -- weight web "$B1" $((round * 10))
	[ $((RC1 + RC2)) = 1 ] || fail "round $round: rc $RC1 $RC2: $(cat "$SYS_RUN/race1" "$SYS_RUN/race2")"
	if [ $RC1 = 0 ]; then
		want='{"pooled":"no"'
		loser=$(cat "$SYS_RUN/race2")
	else
		want="\"weight\":$((round * 10))}"
		loser=$(cat "$SYS_RUN/race1")
	fi
	case $loser in *"not written"*"changed in etcd after revision"*) ;;
	*) fail "round $round: the loser was told: $loser" ;; esac
	got=$(fleet_get "pool/backends/$VIP/$B1")
	case $got in *"$want"*) ;; *) fail "round $round: etcd has $got, the winner wrote $want" ;; esac
	wait_for 5 same_tables || fail "round $round: tables differ"
	echo "# race $round: $([ $RC1 = 0 ] && echo "lb1 (depool)" || echo "lb2 (weight)") won;" \
		"the other: ${loser#xlbctl: }"
	fleet_pool lb1 pool web "$B1" >/dev/null || fail "pool back"
	fleet_pool lb1 weight web "$B1" 100 >/dev/null || fail "weight back"
done

# two backends of one VIP at once, from the same view: one goes in
race depool web "$B2" -- depool web "$B3"
[ $((RC1 + RC2)) = 1 ] || fail "two backends: rc $RC1 $RC2: $(cat "$SYS_RUN/race1" "$SYS_RUN/race2")"
echo "# two backends of web at once: one written, the other told"
wait_for 5 same_tables || fail "tables differ after the two-backend race"
for b in "$B2" "$B3"; do fleet_pool lb1 pool web "$b" >/dev/null || fail "pool $b back"; done

# agreement, then divergence by hand on lb2
wait_for 10 eval "fleet_py 'sys.exit(0 if d[\"agree\"] else 1)'" || fail "no agreement: $(node_ctl lb1 fleet status)"
echo "# agree: $(node_ctl lb1 fleet status | tail -1)"
SYS_WEIGHTS="100 100 300" sys_lb_conf lb2
sys_reload lb2
wait_for 10 eval "fleet_py 'sys.exit(0 if not d[\"agree\"] else 1)'" ||
	fail "lb2's own weight not flagged: $(node_ctl lb1 fleet status)"
st=$(node_ctl lb1 fleet status)
echo "$st" | grep -q "^$VIP .*DIFFERS" || fail "no DIFFERS for $VIP: $st"
flag=$(fleet_py 'print([n["tables"]["'"$VIP"'"]["differs"] for n in d["nodes"] if n["name"] == "lb2"][0])')
[ "$flag" = True ] || fail "lb2's table not flagged in JSON: $(fleet_json)"
echo "# divergence flagged:"
echo "$st" | sed 's/^/#   /'
wait_for 5 eval "[ \"\$(metric lb1 'xlb_fleet_table_differs{vip=\"$VIP\"}')\" = 1 ]" ||
	fail "xlb_fleet_table_differs on lb1: $(metric lb1 "xlb_fleet_table_differs{vip=\"$VIP\"}")"
f1=$(metric lb1 "xlb_vip_table_fingerprint{vip=\"$VIP\"}")
f2=$(metric lb2 "xlb_vip_table_fingerprint{vip=\"$VIP\"}")
[ -n "$f1" ] && [ -n "$f2" ] && [ "$f1" != "$f2" ] || fail "fingerprint metrics: lb1 $f1 lb2 $f2"
echo "# metrics: xlb_fleet_table_differs 1 on lb1, fingerprints $f1 / $f2"
# the page with the fleet's families passes Prometheus' own check
if command -v promtool >/dev/null; then
	nsx lb1 curl -s -m 5 "http://${SYS_ADDR4[lb1]}:9273/metrics" >"$SYS_RUN/page"
	promtool check metrics <"$SYS_RUN/page" >"$SYS_RUN/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(cat "$SYS_RUN/promtool.out")"
	grep -q '^xlb_pool_state_connected 1$' "$SYS_RUN/page" || fail "no xlb_pool_state_connected 1"
fi
SYS_WEIGHTS="100 100 100" sys_lb_conf lb2
sys_reload lb2
wait_for 10 eval "fleet_py 'sys.exit(0 if d[\"agree\"] else 1)'" || fail "no agreement after the fix"
wait_for 5 eval "[ \"\$(metric lb1 'xlb_fleet_table_differs{vip=\"$VIP\"}')\" = 0 ]" ||
	fail "xlb_fleet_table_differs still 1"
echo "# lb2's config fixed: all agree"

# a node that stops following: lagging, then caught up
kill -STOP "${SYS_PID[lb2/xlbd]}"
fleet_pool lb1 depool web "$B1" >/dev/null || { kill -CONT "${SYS_PID[lb2/xlbd]}"; fail "depool"; }
st=$(node_ctl lb1 fleet status)
lag=$(metric lb1 xlb_fleet_nodes_lagging)
kill -CONT "${SYS_PID[lb2/xlbd]}"
echo "$st" | grep -q "^lb2 .*LAGGING" || fail "lb2 not LAGGING: $st"
[ "$lag" = 1 ] || fail "xlb_fleet_nodes_lagging $lag"
echo "# lb2 stopped: $(echo "$st" | grep '^lb2'); xlb_fleet_nodes_lagging $lag"
wait_for 10 eval "fleet_py 'sys.exit(0 if d[\"agree\"] else 1)'" || fail "lb2 did not catch up"
echo "# lb2 continued: all agree"
exit 0
