#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: xlbd killed with SIGKILL while traffic flows, then restarted —
# twice, the second time right after the first restart came up.
#
# Load through the real balancer, IPv4 and IPv6: 120 long-lived TCP
# connections exchanging a line every 200 ms, 25 new connections and 25
# UDP queries a second. Before the kill, backend b1 is drained (depooled:
# its connections stay only through their flow entries) and b3's server
# is dead (its health check failed). Asserted: while xlbd is dead the
# balancer stays attached with its maps pinned and keeps forwarding (new
# connections and UDP answers in that phase, the counters move); the
# restarted xlbd takes over the running balancer and adopts the pinned
# maps (the same map ids, the same VIP and backend ids) and the drain;
# every long connection keeps exchanging on its first backend through
# both kills and restarts (none reset, none moved); no new connection or
# UDP query fails in any phase; no new connection reaches the drained b1
# or the dead b3 after a restart (both were wrong once: see
# agent/xlbd_restart_runtime_state); b1 pooled and b3's server back,
# both take new connections again.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbk$$"
. selftests/lib/fault_dp.sh

# `bpftool map show pinned` id of one map under the pin root
map_id() { bpftool -j map show pinned "$TOPO_BPFFS/lb/$1" | json_get .id; }
prog_id() { nsx lb ip -j link show lb0 | json_get '[0].xdp.prog.id'; }
# VIP and backend ids as xlbd reports them: one line per backend
ids() { xlbctl_json lb backend show echo -- '[*]' backend id; xlbctl_json lb vip show echo -- .id; }
counter() { dp_counters | sed -n "s/^$1 //p"; }

fault_setup b3
fault_conf <<EOF
vip $VIP4 tcp 82 {
    name echo
    health tcp interval 500ms timeout 300ms rise 2 fall 2
    backend 198.51.100.11
    backend 198.51.100.12
    backend 198.51.100.13
}
vip $VIP6 tcp 82 { name echo6; backend 2001:db8:b::11; backend 2001:db8:b::12 }
vip $VIP4 udp 5353 { name dns; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP6 udp 5353 { name dns6; backend 2001:db8:b::11; backend 2001:db8:b::12 }
EOF
# b3's echo server dies before the load starts
pid=$(nsx b3 ss -ltnpH "sport = :82" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
[ -n "$pid" ] || fail "no echo server on b3"
kill "$pid"
xlbd_start -dd
b3_down() { [ "$(xlbctl_json lb backend show echo -- '[backend=198.51.100.13].health')" = down ]; }
wait_for 5 b3_down || fail "b3 not found down: $(ctl backend show echo)"
maps_before="$(map_id flows) $(map_id stats) $(map_id vips) $(map_id backends)"
ids_before=$(ids)

load_start --long 120 --long-addr "$VIP4,$VIP6" --long-interval 0.2 \
	--new-rate 25 --new-addr "$VIP4,$VIP6" --udp-rate 25 --udp-addr "$VIP4,$VIP6"
sleep 2

# b1 drained (depooled) first: new connections avoid it, its connections
# now keep it only through their flow entries — a restart that lost or
# flushed the flow table, or forgot the depool, would move them to b2
ctl backend depool echo 198.51.100.11 >/dev/null || fail "depool"
ctl backend depool echo6 2001:db8:b::11 >/dev/null || fail "depool"

# phase 1: xlbd dead for 4 s
load_mark
prog=$(prog_id)
rx0=$(counter rx)
xlbd_kill9
t_kill=$(now_ms)
nsx lb ip link show lb0 | grep -q "prog/xdp" || fail "balancer detached by kill -9"
[ -e "$TOPO_BPFFS/lb/flows" ] || fail "maps unpinned by kill -9"
sleep 4
rx1=$(nsx lb "$XLB_SETUP" -p "$TOPO_BPFFS/lb" stats | sed -n 's/^rx *//p')
[ "${rx1:-0}" -gt "$((rx0 + 500))" ] ||
	fail "the datapath did not forward while xlbd was dead: rx $rx0 -> $rx1"
echo "xlbd dead for $(($(now_ms) - t_kill)) ms: the balancer took $((rx1 - rx0)) packets meanwhile"

# phase 2: restarted; it takes over and adopts
load_mark
xlbd_start -dd
grep -q "took over on lb0" "$RUN/xlbd.log" || fail "the restarted xlbd did not take over"
grep -q "adopting 4 VIPs and 9 backends" "$RUN/xlbd.log" || fail "no adoption logged"
[ "$(prog_id)" != "$prog" ] || fail "the balancer was not replaced"
maps_after="$(map_id flows) $(map_id stats) $(map_id vips) $(map_id backends)"
[ "$maps_after" = "$maps_before" ] || fail "maps not adopted: ids $maps_before -> $maps_after"
[ "$(ids)" = "$ids_before" ] || fail "ids changed: $ids_before -> $(ids)"
ctl backend show echo | grep 198.51.100.11 | grep -q depooled || fail "depool lost over the restart"
[ "$(counter rx)" -ge "$rx1" ] || fail "counters restarted from zero"
sleep 2

# phase 3: killed again right after it came up, restarted at once
load_mark
xlbd_kill9
xlbd_start -dd
[ "$(grep -c "took over on lb0" "$RUN/xlbd.log")" = 2 ] || fail "the second restart did not take over"
sleep 2

# phase 4: b1 pooled again, b3's server back
load_mark
ctl backend pool echo 198.51.100.11 >/dev/null || fail "pool"
ctl backend pool echo6 2001:db8:b::11 >/dev/null || fail "pool"
topo_spawn b3 $PY selftests/lib/echo_server.py b3 82
sleep 3
load_stop
load_check || fail "traffic broke across kill -9 and restart"
$PY - "$RUN/load.json" <<'EOP' || fail "new connections did not follow the depool"
import json, sys
s = json.load(open(sys.argv[1]))
ph = s["phases"]
on_b1 = [c for c in s["conns"] if c["backend"] == "b1"]
print("%d long connections held on the depooled b1 by their flow entries" % len(on_b1))
assert len(on_b1) >= 20, "too few connections on b1 to tell"
for i in (0, 1, 2, 3):
    assert "b3" not in ph[i]["new_backends"], "phase %d: %s" % (i, ph[i]["new_backends"])
for i in (1, 2, 3):
    assert set(ph[i]["new_backends"]) == {"b2"}, "phase %d: %s" % (i, ph[i]["new_backends"])
for b in ("b1", "b3"):
    assert ph[4]["new_backends"].get(b, 0) > 0, "%s back gets no new connection" % b
EOP
[ "$(ids)" = "$ids_before" ] || fail "ids changed over the second restart"
echo "fault agent kill: all checks passed"
exit 0
