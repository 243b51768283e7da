#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover benchmark, part 3 (selftests/bench/failover.sh runs it):
# failover.backend_remove. xlbd with the XDP balancer on lb (the topology
# of selftests/lib/topo.sh) serves a forwarding VIP, 203.0.113.10 tcp 80,
# with two backends running real HTTP servers (python3 http.server on b1
# and b2); health http "/" interval 100ms timeout 80ms rise 2 fall 2,
# default fast-interval (100 ms), default log level.
#
# A run kills b1's server (SIGKILL) and takes the time until b1 is out of
# the Maglev table the datapath uses: maglev_gone.py reads xlbd's pinned
# maps (the VIP entry's active table, scanned when it changes) every
# millisecond. The baseline, in the same run: a bare probe loop in the same
# namespace (TCP connect to b1 every 100 ms, down at 2 failures in a row,
# running before the kill so the kill falls at a random point of its cycle
# as it does for xlbd's checker): when a checker with xlbd's settings
# would know at best, with no table to rebuild. Then the server is started
# again and the next run waits until b1 is back in the table.
#
#   bench failover.backend_remove XLBD_MS ms baseline PROBE_MS ratio R
#
# Target (issue 5): xlbd median <= interval x fall + 50 ms = 250 ms.
# Exits 1 if a run fails, 77 if not root. Environment: BUILD,
# FAILOVER_BENCH_RUNS (default 20).
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
TOPO="xfk$$"
. selftests/lib/xlbd_node.sh
. selftests/bench/failover_lib.sh
NAME=failover.backend_remove
TARGET_MS=250
B1=198.51.100.11
declare -A SERVER_PID

need_root
[ -x "$BUILD/agent/xlbd" ] || { echo "# FAIL $NAME: $BUILD/agent/xlbd not built (run make)" >&2; exit 1; }

# server_start NODE: python3 http.server on NODE port 80; disowned (its
# kills are the point: no "Killed" notices), stopped at exit
server_start() {
	spawn "$1" "$RUN/http-$1.log" /usr/bin/python3 -m http.server --bind :: --directory "$RUN/www" 80
	SERVER_PID[$1]=$SPAWNED
	disown "$SPAWNED"
}

mkdir -p "$RUN/www"
cleanup_dir "$RUN"
topo_up || fail "topology"
echo backend >"$RUN/www/index.html"
server_start b1
server_start b2
cat >"$RUN/xlb.conf" <<EOC
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
$(xlbd_node_conf)
vip $VIP4 tcp 80 {
    name web
    hold-down 0s
    health http path "/" interval 100ms timeout 80ms rise 2 fall 2
    backend $B1
    backend 198.51.100.12
}
EOC
xlbd_start

table=""
probe=""
for r in $(seq "$FO_RUNS"); do
	out=$(nsx lb /usr/bin/python3 selftests/bench/maglev_gone.py "$TOPO_BPFFS/lb" "$VIP4" 80 \
		"$B1" "${SERVER_PID[b1]}" 10 2>&1) || fail "run $r: $out"
	[[ $out =~ ^table=([0-9.]+)\ probe=([0-9.]+)$ ]] || fail "run $r: maglev_gone.py said '$out'"
	table+=" ${BASH_REMATCH[1]}"
	probe+=" ${BASH_REMATCH[2]}"
	# gone before it starts again
	fo_gone "${SERVER_PID[b1]}"
	server_start b1
done

echo "# method: $NAME: a backend's HTTP server killed (SIGKILL) -> the backend out of the Maglev table the XDP datapath uses (xlbd's pinned maps, read every 1 ms); $FO_RUNS runs"
echo "# $NAME: xlbd: health http interval 100ms timeout 80ms fall 2 rise 2; baseline: a bare TCP connect loop to the backend every 100 ms, down at 2 failures in a row, running across the kill (random phase, like xlbd's checker)"
fo_side "$NAME" "xlbd (backend out of the table)" "$table"
fo_side "$NAME" "probe loop (would declare it down)" "$probe"
fo_bench "$NAME" ms "$table" "$probe"
m=$(fo_stat "$table")
fo_target "$NAME" "xlbd median <= interval x fall + 50 = $TARGET_MS ms (${m% *} ms)" \
	"$(fo_le "${m% *}" $TARGET_MS)"
exit 0
