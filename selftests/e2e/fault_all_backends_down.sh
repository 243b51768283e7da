#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: every backend of a VIP down, then back; then every backend
# depooled, then pooled again. xlbd peers with a real BIRD on the leaf
# (min-healthy 1, hold-down 1 s); the leaf also keeps a static route to
# the VIP, so packets still reach the balancer after the withdrawal (as
# they do from other nodes' leaves, or in flight). The backends' health
# check is HTTP on port 80; the traffic goes to the echo server on 82.
# Asserted:
# - health checks failed on both (HTTP servers killed): the route leaves
#   BIRD within interval x fall (+ margin); packets for the VIP are
#   dropped and counted under drop_no_backend, one for one (a flood of
#   300 from distinct ports), never forwarded nor passed to the node's
#   kernel; a new connection times out (no RST: the SYN is dropped);
# - the servers back: the backends return after rise, the route after
#   the hold-down, new connections work and spread over both;
# - both depooled (drain): the route is withdrawn, new connections are
#   dropped (drop_no_backend), while established connections carry on on
#   their backend (the drain keeps their flows); pooled again: announced,
#   new connections work.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbd$$"
. selftests/lib/fault_dp.sh
. selftests/lib/leaf.sh

route() { xlbctl_json lb vip show echo -- .route; }
healthy() { xlbctl_json lb vip show echo -- .backends_usable; }
announced() { leaf_has_route bird $VIP4/32; }
withdrawn() { ! leaf_has_route bird $VIP4/32; }
# one new connection to the echo VIP: its backend's name, or nothing
echo_once() {
	nsx client $PY -c '
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], 82), timeout=float(sys.argv[2]))
    s.sendall(b"x\n")
    print(s.makefile().readline().split()[0])
except OSError as e:
    print("error:", type(e).__name__, file=sys.stderr)
' $VIP4 "$1"
}
http_server_pid() { nsx "$1" ss -ltnpH "sport = :80" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }

fault_setup
fault_conf <<EOF
neighbor 192.0.2.1 { remote-as 65000; hold-time 9 }
vip $VIP4 tcp 82 {
    name echo
    min-healthy 1
    hold-down 1s
    health tcp port 80 interval 200ms timeout 150ms rise 2 fall 2
    backend 198.51.100.11
    backend 198.51.100.12
}
EOF
leaf_start bird "$(ns leaf)" neighbor=$LB4 || fail "BIRD leaf"
xlbd_start -dd
wait_for 10 announced || fail "VIP never announced: $(ctl vip show echo)"
for i in 1 2 3 4 5 6; do
	case $(echo_once 2) in b1 | b2) ;; *) fail "connection $i before the fault" ;; esac
done

# --- every backend fails its health check
for n in b1 b2; do
	pid=$(http_server_pid $n)
	[ -n "$pid" ] || fail "no HTTP server on $n"
	kill "$pid"
done
t0=$(now_ms)
wait_for 5 withdrawn || fail "route still at the leaf with every backend down"
t_withdrawn=$(now_ms)
echo "all backends down: route gone from BIRD after $(($(now_ms) - t0)) ms (interval 200 ms x fall 2)"
[ $(($(now_ms) - t0)) -le 3000 ] || fail "withdrawal took too long"
[ "$(healthy)" = 0 ] && [ "$(route)" = withdrawn ] || fail "vip show: $(ctl vip show echo)"
[ "$(xlbctl_json lb backend show echo -- '[*].slots|sum')" = 0 ] || fail "slots left in the table"

# what the datapath does now: drop, counted, nothing forwarded or passed
get() { dp_counters >"$RUN/c.$1"; }
delta() { echo $(($(sed -n "s/^$2 //p" "$RUN/c.$1") - $(sed -n "s/^$2 //p" "$RUN/c.$3"))); }
get a
nsx client $PY selftests/lib/flood.py tcp $CLIENT4 $VIP4 82 30000 39999 300 2000 >/dev/null
[ -z "$(echo_once 1 2>/dev/null)" ] || fail "a new connection got through with no backend"
sleep 0.2
get b
nb=$(delta b drop_no_backend a)
echo "with no backend: $nb packets dropped (drop_no_backend), forwarded $(($(delta b tx a) + $(delta b redirect a))), passed to the kernel as VIP traffic $(delta b pass_vip_other a)"
[ "$nb" -ge 301 ] || fail "only $nb drops counted for 300 packets and a SYN"
[ "$(delta b tx a)" = 0 ] && [ "$(delta b redirect a)" = 0 ] || fail "packets forwarded with no backend"
[ "$(delta b pass_vip_other a)" = 0 ] || fail "VIP packets passed to the kernel"
[ "$(delta b drop a)" = "$nb" ] || fail "drops under another reason: $(delta b drop a) drops, $nb no_backend"

# --- the servers back: backends after rise, the route after the hold-down
for n in b1 b2; do
	topo_spawn $n $PY -m http.server --bind :: --directory "$TOPO_BPFFS.www/$n" 80
done
t0=$(now_ms)
wait_for 10 announced || fail "route never came back: $(ctl vip show echo)"
echo "backends back: route at BIRD again after $(($(now_ms) - t0)) ms (rise 2; hold-down 1 s from the withdrawal)"
held=$(($(now_ms) - t_withdrawn))
echo "withdrawn for $held ms"
[ $held -ge 900 ] || fail "re-announced before the hold-down"
both_up() { [ "$(healthy)" = 2 ]; }
wait_for 5 both_up || fail "not both backends healthy: $(ctl backend show echo)"
seen=""
for i in $(seq 12); do
	got=$(echo_once 2)
	case $got in b1 | b2) seen="$seen $got" ;; *) fail "connection $i after recovery: '$got'" ;; esac
done
case $seen in *b1*b2* | *b2*b1*) ;; *) fail "after recovery only:$seen" ;; esac

# --- every backend depooled (drain): withdrawn, established flows go on
load_start --long 20 --long-addr "$VIP4" --long-interval 0.1 --timeout 5
load_mark
ctl backend depool echo 198.51.100.11 >/dev/null || fail "depool b1"
ctl backend depool echo 198.51.100.12 >/dev/null || fail "depool b2"
wait_for 5 withdrawn || fail "route still at the leaf with every backend depooled"
get c
[ -z "$(echo_once 1 2>/dev/null)" ] || fail "a new connection got through, every backend depooled"
get d
[ "$(delta d drop_no_backend c)" -ge 1 ] || fail "the SYN was not counted as drop_no_backend"
sleep 1
load_mark
ctl backend pool echo 198.51.100.11 >/dev/null || fail "pool b1"
ctl backend pool echo 198.51.100.12 >/dev/null || fail "pool b2"
wait_for 5 announced || fail "not announced again after pooling"
case $(echo_once 2) in b1 | b2) ;; *) fail "new connection after pooling" ;; esac
sleep 0.5
load_stop
$PY - "$RUN/load.json" <<'EOP' || fail "established connections did not survive the drain"
import json, sys
s = json.load(open(sys.argv[1]))
longs = [c for c in s["conns"] if c["kind"] == "long"]
bad = [c for c in longs if c["error"] or not c["per_phase"].get("1") or not c["per_phase"].get("2")]
print("%d established connections through the drain of every backend, %d broke" % (len(longs), len(bad)))
assert not bad, bad[0]
EOP
echo "fault all backends down: all checks passed"
exit 0
