#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Control-plane benchmark at the datapath's full size (`make bench`, part
# of selftests/bench/run; issue 13): 512 forwarding VIPs with 4095
# backends in all, plus 500 host-mode VIPs, one tcp check each (interval
# 1 s, timeout 500 ms, rise 2, fall 2: 4595 checks), against real
# acceptors (selftests/lib/scale.sh), a BIRD leaf with BFD (100 ms x 3)
# and a second, raw BGP neighbor. Every figure comes with a baseline
# measured in the same run:
#
#   control.cold_start     ms from exec to the control socket answering,
#                          no datapath there before. Baseline: parsing the
#                          file and building every Maglev table once,
#                          in-process (dp_tables build): the unavoidable work.
#   control.restart_adopt  the same over the datapath a `-k` xlbd left
#                          (pinned maps, running balancer), and the map
#                          writes xlbd reports at that first answer (must
#                          be 0: nothing changed). Baseline: as cold_start.
#   control.mass_change    every other backend (2047: every VIP loses half)
#                          refused at once (nftables TCP RST): ms from the
#                          last failing verdict (xlbctl health show) to
#                          every failed backend out of every table (read
#                          back from the pinned maps and compared with a
#                          fresh build, dp_tables wait) and the routes of
#                          the VIPs below min-healthy (every 8th: min-healthy
#                          5 of 8) gone from the leaf's kernel
#                          (route_watch.py); then the same for the
#                          recovery (last rise verdict to tables and routes
#                          back). VALUE is the larger of the two. Baseline:
#                          building the tables the failure needs (every
#                          VIP's), in-process.
#   control.loop_stall     the longest loop turn (busy time between two
#                          waits for events) during the mass change and
#                          its recovery, during an UPDATE flood at full
#                          speed from the raw neighbor (rawbgp.py updflood,
#                          8 s), and during 1000 checks timing out (their
#                          backends dropped by nftables): xlbd's own figure
#                          (`status`: the longest turn of each second of
#                          the scenario), or, from an xlbd that does not
#                          measure it, the longest `status` round trip of a
#                          client asking every 10 ms. Baseline: the same
#                          over 10 s with nothing failing.
#   control.sigterm        ms from SIGTERM to exit (no -k: detach, unpin)
#                          sent half-way through a mass change. Baseline:
#                          SIGTERM to exit of an idle xlbd with one VIP
#                          of each kind.
#   agent.rss              xlbd's peak RSS (VmHWM, kB) at full size, every
#                          check up. Baseline: the one-VIP xlbd.
#
# Each scenario also asserts what must hold for its figure to mean
# anything (tables right, routes right, the leaf's session and BFD up
# through it, the flood really flooding); a scenario that took another
# path fails the benchmark instead of giving a number. About 3 minutes.
#
# Environment: BUILD; CONTROL_BENCH_FWD, CONTROL_BENCH_BACKENDS,
# CONTROL_BENCH_LOCAL (sizes; default 512, 4095, 500); CONTROL_BENCH_GUE=1
# (forwarding VIPs over GUE: second chance on, so every table change also
# builds the previous table and merges its owners); SCALE_KEEP=DIR
# keeps the run directory (logs) there.
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
TOPO="xcb$$"
. selftests/lib/scale.sh
NAME=control
FWD=${CONTROL_BENCH_FWD:-512}
BES=${CONTROL_BENCH_BACKENDS:-4095}
LOCAL=${CONTROL_BENCH_LOCAL:-500}
N_VIPS=$((FWD + LOCAL))
SIZE=(--fwd "$FWD" --backends "$BES" --local "$LOCAL")
[ "${CONTROL_BENCH_GUE:-}" = 1 ] && SIZE+=(--gue)
NEIGH=(--neighbor 192.0.2.1:bfd=100 --neighbor 192.0.2.3:passive:as=65003)
INTERVAL_MS=1000
FALL=2
DP_TABLES=$BUILD/selftests/dp_tables
PROBE_PID=""

bfail() {
	echo "# FAIL $NAME: $*" >&2
	fail_report >&2
	exit 1
}

scale_setup
[ -x "$DP_TABLES" ] || bfail "$DP_TABLES not built (run make)"
scale_up || bfail "topology"
at_exit probe_stop_quiet

scale_conf full "${SIZE[@]}" "${NEIGH[@]}"
scale_conf small --fwd 1 --backends 8 --local 1 "${NEIGH[@]}"
scale_list down "${SIZE[@]}" >"$RUN/down"
scale_list withdrawn "${SIZE[@]}" >"$RUN/withdrawn"
# 1000 of the backends that stay up in the mass change: the timeouts
scale_list backends "${SIZE[@]}" | awk 'NR % 4 == 1' | head -1000 >"$RUN/dark"
: >"$RUN/none"

fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", a - b }'; }
fmax() { printf '%s\n' "$@" | sort -g | tail -1; }
bench_line() { # NAME VALUE UNIT BASELINE
	awk -v n="$1" -v v="$2" -v u="$3" -v b="$4" 'BEGIN {
		printf "bench %s %.1f %s baseline %.1f ratio %.2f\n", n, v, u, b, (b > 0 ? v / b : 0) }'
}
target() { # TEXT OK
	local ok="NOT met"
	[ "$2" = 1 ] && ok=met
	echo "# target: $1: $ok"
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { print ((a <= b) ? 1 : 0) }'; }

hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$XLBD_PID/status"; }

# bgp_drops NEIGHBOR: times xlbd's session with it left Established
bgp_drops() { sjson bgp show -- "[p['dropped'] for p in j if p['neighbor'] == '$1'][0]"; }

probe_stop_quiet() { [ -n "$PROBE_PID" ] && stop_pids TERM "$PROBE_PID"; PROBE_PID=""; }

# the status round trips of a client asking every 10 ms, in the background
probe_start() {
	"$SCALE_PY" selftests/lib/ctl_probe.py probe "$RUN/xlbd.sock" 10 >"$RUN/probe.out" 2>&1 &
	PROBE_PID=$!
	cleanup_pid "$PROBE_PID"
}
# probe_stop: PROBE_MAX (ms) and PROBE_LINE
probe_stop() {
	kill -TERM "$PROBE_PID"
	wait "$PROBE_PID"
	PROBE_PID=""
	PROBE_LINE=$(cat "$RUN/probe.out")
	PROBE_MAX=$(awk '{ print $2 }' <<<"$PROBE_LINE")
}

# loop_max SECONDS [cpu]: xlbd's longest loop turn (ms) over the last
# SECONDS seconds, from status (its CPU time with cpu); "" when this xlbd
# does not measure it
loop_max() {
	local k=longest_per_second_us
	[ "${2:-}" = cpu ] && k=longest_cpu_per_second_us
	sjson status -- "'%.1f' % (max(j['loop']['$k'][:$1 + 1]) / 1000) if 'loop' in j and '$k' in j['loop'] else ''" \
		2>/dev/null
}

# scenario_stall NAME T0_MONO: the scenario's stall figure into STALL,
# with a comment line (xlbd's own figure if it has one, else the probe's)
scenario_stall() {
	local secs own cpu
	secs=$(awk -v a="$(mono)" -v b="$2" 'BEGIN { printf "%d\n", (a - b) / 1000 + 1 }')
	own=$(loop_max "$secs")
	cpu=$(loop_max "$secs" cpu)
	probe_stop
	echo "# $NAME.loop_stall: $1 (${secs} s): xlbd's longest turn ${own:-not measured by this xlbd} ms${cpu:+ (the most CPU a turn took: $cpu ms)}; status every 10 ms: $PROBE_LINE"
	STALL=${own:-$PROBE_MAX}
}

# last_verdict STATE FILE: CLOCK_MONOTONIC ms of the latest change to
# STATE among the checks of the addresses in FILE (from health show)
last_verdict() {
	"$SCALE_PY" - "$RUN/xlbd.sock" "$1" "$2" <<'EOF'
import json, subprocess, sys, time
sock, state, path = sys.argv[1:4]
want = set(open(path).read().split())
t = time.monotonic() * 1000
body = subprocess.run(["/usr/bin/python3", "selftests/lib/ctl_probe.py", "json", sock,
                       "health", "show"], capture_output=True, text=True, check=True).stdout
checks = [c for c in json.loads(body) if c["address"] in want]
bad = [c for c in checks if c["state"] != state or not c["change"]]
if bad or len(checks) != len(want):
    sys.exit(f"{len(bad)} of {len(checks)} checks not {state} ({len(want)} wanted)")
print("%.1f" % max(t - c["change"]["ago_ms"] for c in checks))
EOF
}

# ready FILE: a helper wrote "ready" as its first line (60 s at most)
ready() {
	for _ in $(seq 1200); do
		case $(head -1 "$1" 2>/dev/null) in
		ready) return 0 ;;
		"") sleep 0.05 ;;
		*) return 1 ;;
		esac
	done
	return 1
}

# change SET FILE DIR LABEL: make FILE's backends fail (DIR=fail) or heal
# (DIR=heal) through nft set SET, wait until the tables and the leaf show
# it, set CHANGE_MS (last verdict to both done) and print the figures
change() {
	local set=$1 file=$2 dir=$3 label=$4 tables_want routes_cmd t_flip t_tab t_route t_verdict
	local want_state=down routes=$RUN/withdrawn
	tables_want=$file
	routes_cmd=gone
	if [ "$dir" = heal ]; then
		tables_want=$RUN/none
		routes_cmd=back
		want_state=up
	fi
	[ "$set" = dark ] && routes=""
	"$DP_TABLES" wait "$SCALE_BPFFS/lb" "$RUN/full.conf" "$tables_want" 300000 \
		>"$RUN/tables.out" 2>&1 &
	local tables_pid=$!
	cleanup_pid "$tables_pid"
	ready "$RUN/tables.out" || bfail "$label: dp_tables: $(cat "$RUN/tables.out")"
	if [ -n "$routes" ]; then
		ip netns exec "$(ns leaf)" "$SCALE_PY" selftests/lib/route_watch.py "$routes_cmd" 300 \
			"$routes" >"$RUN/routes.out" 2>&1 &
		local routes_pid=$!
		cleanup_pid "$routes_pid"
		ready "$RUN/routes.out" || bfail "$label: route_watch: $(cat "$RUN/routes.out")"
	fi
	t_flip=$(mono)
	if [ "$dir" = fail ]; then
		scale_fail "$set" "$file" || bfail "$label: nft"
	else
		scale_heal "$set" || bfail "$label: nft"
	fi
	wait "$tables_pid" || bfail "$label: tables: $(cat "$RUN/tables.out")"
	line=$(tail -1 "$RUN/tables.out")
	[[ $line =~ ^done\ ([0-9.]+)$ ]] || bfail "$label: tables: $line"
	t_tab=${BASH_REMATCH[1]}
	t_route=$t_tab
	if [ -n "$routes" ]; then
		wait "$routes_pid" || bfail "$label: leaf routes: $(cat "$RUN/routes.out")"
		line=$(tail -1 "$RUN/routes.out")
		[[ $line =~ ^done\ ([0-9.]+)$ ]] || bfail "$label: route_watch: $line"
		t_route=${BASH_REMATCH[1]}
	fi
	t_verdict=$(last_verdict "$want_state" "$file") || bfail "$label: verdicts: $t_verdict"
	CHANGE_MS=$(fsub "$(fmax "$t_tab" "$t_route")" "$t_verdict")
	echo "# $NAME.mass_change: $label: $(wc -l <"$file") backends: last verdict $(fsub "$t_verdict" "$t_flip") ms after the nft change; tables right $(fsub "$t_tab" "$t_verdict") ms after it${routes:+, leaf routes $(fsub "$t_route" "$t_verdict") ms after it}"
}

# every VIP up at xlbd and at the leaf
all_up() { wait_for "${1:-180}" scale_all_announced "$N_VIPS"; }
up_count() { scale_up_count "$N_VIPS"; }

# A scenario that cannot run or took another path leaves its figure out
# (NOT measured, with the reason) and makes the benchmark fail; the
# others still run. An xlbd that never settles at this size (checks
# failing from the loop's own stalls) still gets its start, restart,
# SIGTERM and RSS measured.
failed=0
declare -A FIG WHY
# step NAME: where the run is, and since when (the run's seconds)
step() { echo "# $NAME: +${SECONDS}s: $1"; }
missing() { # FIGURE REASON
	WHY[$1]=$2
	failed=1
	echo "# $NAME: $1 not measured: $2"
}

scale_leaf bfd bfd_interval=100 || bfail "BIRD leaf: $(leaf_log bird)"

# --- baselines: the unavoidable work, in-process
out=$("$DP_TABLES" build "$RUN/full.conf") || bfail "dp_tables build: $out"
[[ $out =~ ^parse\ ([0-9.]+)\ build\ ([0-9.]+)\ tables\ ([0-9]+)$ ]] || bfail "dp_tables build: $out"
base_start=$(awk -v a="${BASH_REMATCH[1]}" -v b="${BASH_REMATCH[2]}" 'BEGIN { print a + b }')
echo "# $NAME: $FWD forwarding VIPs, $BES backends, $LOCAL host-mode VIPs ($(wc -l <"$RUN/full.conf") config lines), $((BES + LOCAL)) tcp checks at interval ${INTERVAL_MS} ms, fall $FALL; BIRD leaf with BFD 100 ms x 3"
echo "# $NAME: in-process baseline: parse ${BASH_REMATCH[1]} ms + ${BASH_REMATCH[3]} Maglev tables ${BASH_REMATCH[2]} ms"
out=$("$DP_TABLES" build "$RUN/full.conf" "$RUN/down") || bfail "dp_tables build: $out"
[[ $out =~ build\ ([0-9.]+) ]] || bfail "dp_tables build: $out"
base_change=${BASH_REMATCH[1]}

# --- the one-VIP xlbd: RSS and SIGTERM baselines
step "one-VIP xlbd"
xlbd_up "$RUN/small.conf"
wait_for 30 scale_all_announced 2 || bfail "small config: VIPs not announced"
small_kb=$(hwm_kb)
xlbd_term
small_exit=$SCALE_EXIT_MS

# --- cold start at full size (-k: the restart below adopts what it leaves)
step "cold start"
xlbd_up "$RUN/full.conf" -k
FIG[cold_start]=$SCALE_START_MS
t0=$(mono)
settled=1
if all_up; then
	echo "# $NAME.cold_start: every VIP announced at the leaf $(fsub "$(mono)" "$t0") ms after the first answer"
	"$DP_TABLES" check "$SCALE_BPFFS/lb" "$RUN/full.conf" >"$RUN/check.out" ||
		bfail "tables after the start: $(head -3 "$RUN/check.out")"
else
	settled=0
	echo "# $NAME: NOT settled 180 s after the start: $(up_count); $(grep -c ': down (' "$RUN/xlbd.log") down verdicts, $(grep -c 'BFD down' "$RUN/xlbd.log") BFD Downs in xlbd's log"
fi
sleep 2
FIG[rss]=$(hwm_kb)
drops0=$(bgp_drops 192.0.2.1)

# --- idle loop: the stall baseline
step "idle"
probe_start
t0=$(mono)
sleep 10
scenario_stall "idle" "$t0"
stall_idle=$STALL

if [ "$settled" = 1 ]; then
	# --- mass change and recovery
	step "mass change"
	probe_start
	t0=$(mono)
	change down "$RUN/down" fail "failure"
	mass_fail=$CHANGE_MS
	change down "$RUN/down" heal "recovery"
	mass_heal=$CHANGE_MS
	scenario_stall "mass change and recovery" "$t0"
	stall_mass=$STALL
	[ "$(bgp_drops 192.0.2.1)" = "$drops0" ] || echo "# $NAME: the leaf's BGP session dropped during the mass change"
	leaf_bfd_is bird 192.0.2.10 Up || echo "# $NAME: the leaf's BFD session is $(leaf_bfd_state bird 192.0.2.10) after the mass change"
	all_up 60 || bfail "not every VIP back after the recovery: $(up_count)"
	FIG[mass_change]=$(fmax "$mass_fail" "$mass_heal")

	# --- a BGP neighbor flooding UPDATEs
	step "flood"
	drops0=$(bgp_drops 192.0.2.1)
	probe_start
	t0=$(mono)
	flood=$(ip netns exec "$(ns leaf)" "$SCALE_PY" selftests/lib/rawbgp.py session \
		--peer 192.0.2.10 --local 192.0.2.3 --as 65003 --id 192.0.2.3 --reach established \
		--send updflood:8 --wait 10 2>&1) || bfail "flood: $flood"
	scenario_stall "UPDATE flood (8 s)" "$t0"
	stall_flood=$STALL
	read -r _ _ _ _ fl_ka fl_sent _ <<<"$flood"
	echo "# $NAME.loop_stall: flood: $fl_sent messages of 4 KB sent in 8 s ($((fl_sent * 4096 / 8 / 1000000)) MB/s), $fl_ka KEEPALIVEs from xlbd meanwhile; rawbgp: $flood"
	[ "${fl_sent:-0}" -gt 1000 ] || bfail "the flood sent only ${fl_sent:-0} messages"
	[ "$(bgp_drops 192.0.2.1)" = "$drops0" ] || echo "# $NAME: the leaf's BGP session dropped during the flood"

	# --- 1000 checks timing out
	step "timeouts"
	probe_start
	t0=$(mono)
	change dark "$RUN/dark" fail "1000 timeouts"
	change dark "$RUN/dark" heal "1000 back"
	scenario_stall "1000 checks timing out" "$t0"
	stall_dark=$STALL
	all_up 60 || bfail "not every VIP back after the timeouts: $(up_count)"
	FIG[loop_stall]=$(fmax "$stall_mass" "$stall_flood" "$stall_dark")
else
	missing mass_change "the node never settled"
	missing loop_stall "the node never settled (idle, longest turn: $stall_idle ms)"
fi

# --- restart over the pinned datapath
step "restart"
xlbd_term
echo "# $NAME: SIGTERM with -k at full size: exit after $SCALE_EXIT_MS ms"
xlbd_up "$RUN/full.conf"
FIG[restart_adopt]=$SCALE_START_MS
restart_writes=$SCALE_START_WRITES
if [ "$settled" = 1 ]; then
	"$DP_TABLES" check "$SCALE_BPFFS/lb" "$RUN/full.conf" >"$RUN/check.out" ||
		bfail "tables after the restart: $(head -3 "$RUN/check.out")"
	all_up || bfail "after the restart: not every VIP announced within 180 s: $(up_count)"
fi

# --- SIGTERM half-way through a mass change (no -k: detach and unpin)
step "sigterm"
scale_fail down "$RUN/down" || bfail "nft"
sleep "$(awk -v i=$INTERVAL_MS -v f=$FALL 'BEGIN { printf "%.3f\n", (f - 0.5) * i / 1000 }')"
done_now=$(sjson health show -- "sum(1 for c in j if c['state'] == 'down')" 2>/dev/null)
xlbd_term
FIG[sigterm]=$SCALE_EXIT_MS
echo "# $NAME.sigterm: sent with ${done_now:-?} checks down (of $(wc -l <"$RUN/down") failing); exit after ${FIG[sigterm]} ms"
ip -n "$(ns lb)" link show lb0 | grep -q xdp && bfail "balancer still attached after SIGTERM"
[ -e "$SCALE_BPFFS/lb/vips" ] && bfail "maps still pinned after SIGTERM"
scale_heal down

# --- the figures
step "figures"
echo "# method: $NAME: exec to the first answer of \`status\` on the control socket (a client asking every 1 ms); baselines in-process (dp_tables build)"
bench_line control.cold_start "${FIG[cold_start]}" ms "$base_start"
target "control.cold_start <= 1000 ms" "$(le "${FIG[cold_start]}" 1000)"
echo "# control.restart_adopt: map writes reported at the first answer: $restart_writes (must be 0)"
bench_line control.restart_adopt "${FIG[restart_adopt]}" ms "$base_start"
target "control.restart_adopt <= 500 ms and 0 map writes" \
	"$([ "$(le "${FIG[restart_adopt]}" 500)" = 1 ] && [ "$restart_writes" = 0 ] && echo 1)"
if [ -n "${FIG[mass_change]:-}" ]; then
	echo "# control.mass_change: failure $mass_fail ms, recovery $mass_heal ms (VALUE: the larger); baseline: the $FWD tables the failure needs, built in-process"
	bench_line control.mass_change "${FIG[mass_change]}" ms "$base_change"
	target "control.mass_change <= 1000 ms each" "$(le "${FIG[mass_change]}" 1000)"
else
	echo "# control.mass_change: NOT measured: ${WHY[mass_change]}"
fi
if [ -n "${FIG[loop_stall]:-}" ]; then
	echo "# control.loop_stall: mass change $stall_mass ms, flood $stall_flood ms, timeouts $stall_dark ms (VALUE: the largest); baseline: idle"
	bench_line control.loop_stall "${FIG[loop_stall]}" ms "$stall_idle"
	target "control.loop_stall <= 50 ms" "$(le "${FIG[loop_stall]}" 50)"
else
	echo "# control.loop_stall: NOT measured: ${WHY[loop_stall]}"
fi
bench_line control.sigterm "${FIG[sigterm]}" ms "$small_exit"
target "control.sigterm <= 1000 ms" "$(le "${FIG[sigterm]}" 1000)"
bench_line agent.rss "${FIG[rss]}" kB "$small_kb"
target "agent.rss <= 20 MB" "$(le "${FIG[rss]}" 20480)"
exit "$failed"
