#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale: the datapath at its full size — 512 forwarding VIPs, 4095
# backends, and 500 host-mode VIPs — through a start, a reload that
# changes every forwarding VIP (a MED, and the first backend's weight:
# every table changes), and a restart that takes over the running
# datapath (selftests/lib/scale.sh; no health checks, so every table is
# known). Asserted at each step:
# - every VIP's table in the datapath is the one a fresh build computes
#   from the config (dp_tables check: each VIP entry, its active table,
#   slot for slot);
# - the counters keep counting: a VIP's packets (sent from the leaf
#   through the balancer) never go back;
# - the start answers within 10 s (the figures are the benchmark's:
#   control.cold_start), the reload answers with nothing left waiting
#   (it answers once every table is written), and the
#   restart writes no map at all.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsz$$"
. selftests/lib/scale.sh
FAIL_PREFIX="scale_full_size: "
SIZE=(--fwd 512 --backends 4095 --local 500 --no-health)
VIP=2001:db8:ffff::1:1
DP_TABLES=$BUILD/selftests/dp_tables

scale_setup
scale_up || fail "topology"
scale_conf xlb "${SIZE[@]}"
scale_conf changed "${SIZE[@]}" --change
# packets for one VIP from the leaf
nsx leaf ip -6 route add $VIP/128 via 2001:db8:1::10

tables() { # CONF: every table as a fresh build of CONF makes it
	local out
	out=$("$DP_TABLES" check "$SCALE_BPFFS/lb" "$1") || fail "$2: $(echo "$out" | head -5)"
	echo "$2: $out equal to a fresh build"
}
# new connections to the VIP from the leaf: each SYN goes through the
# balancer (no answer comes back: the backend is not served here)
traffic() {
	nsx leaf "$SCALE_PY" -c '
import socket, sys
for i in range(20):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect((sys.argv[1], 80))
    except BlockingIOError:
        pass
    s.close()
' $VIP
}
packets() { sjson vip show "[$VIP]:80/tcp" -- "(j[0] if isinstance(j, list) else j)['packets']"; }
# more traffic until the VIP's packets are over N (the first SYNs may
# find a next hop being resolved: passed to the kernel, not counted)
packets_over() { traffic; [ "$(packets)" -gt "$1" ]; }
tables_idle() { [ "$(sjson status -- "j['tables_pending']" 2>/dev/null)" = 0 ]; }

xlbd_up "$RUN/xlb.conf" -k
echo "start: answering after $SCALE_START_MS ms"
[ "$SCALE_START_MS" -le 10000 ] || fail "the start took $SCALE_START_MS ms"
[ "$(sjson vip show -- "len(j)")" = 1012 ] || fail "vip show: not 1012 VIPs"
tables "$RUN/xlb.conf" start
wait_for 10 packets_over 0
p1=$(packets)
[ "$p1" -gt 0 ] || fail "no packet counted for $VIP: $(sctl stats | grep -v " 0$")"

# a reload with every forwarding VIP changed
cp "$RUN/changed.conf" "$RUN/xlb.conf"
t0=$(now_ns)
sctl reload >/dev/null || fail "reload: $(sctl reload 2>&1)"
echo "reload: answered after $((($(now_ns) - t0) / 1000000)) ms"
# it answers once the datapath has the new config
tables_idle || fail "tables still waiting when the reload answered: $(sctl status)"
tables "$RUN/xlb.conf" reload
[ "$(sjson status -- "j['tables_written']")" -ge 1024 ] ||
	fail "the reload did not write every table: $(sctl status)"
wait_for 10 packets_over "$p1"
p2=$(packets)
echo "reload: $p1 packets counted before, $p2 after"
[ "$p2" -ge "$p1" ] || fail "the counters went back across the reload ($p1, then $p2)"

# a restart over the running datapath
xlbd_term
echo "exit (-k): $SCALE_EXIT_MS ms"
nsx lb ip link show lb0 | grep -q xdp || fail "the balancer left lb0 with -k"
xlbd_up "$RUN/xlb.conf" -k
echo "restart: answering after $SCALE_START_MS ms, $SCALE_START_WRITES map writes"
[ "$SCALE_START_WRITES" = 0 ] || fail "the restart wrote $SCALE_START_WRITES maps"
[ "$(sjson status -- "j['tables_written']")" = 0 ] || fail "the restart wrote tables"
tables "$RUN/xlb.conf" restart
p3=$(packets)
[ "$p3" -ge "$p2" ] || fail "the counters went back across the restart ($p2, then $p3)"
wait_for 10 packets_over "$p3"
echo "restart: $p3 packets counted at the restart, $(packets) after more traffic"
[ "$(packets)" -gt "$p3" ] || fail "the restarted datapath does not count $VIP's packets"
