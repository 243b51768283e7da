#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Health checks against real HTTP servers behind the XDP balancer: a
# backend whose server dies leaves the Maglev table within interval × fall
# (+ margin) and new connections go elsewhere; with min-healthy 2 the VIP's
# route is withdrawn at once; the server back → the backend returns after
# `rise`, and the route only after the hold-down.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbh$$"
. selftests/lib/xlbd_node.sh
# backend health and VIP route from xlbctl -j
be_health() { xlbctl_json lb backend show web -- "[backend=$1].health"; }
be_slots() { xlbctl_json lb backend show web -- "[backend=$1].slots"; }
route() { xlbctl_json lb vip show web -- .route; }
is_health() { [ "$(be_health "$1")" = "$2" ]; }
is_route() { [ "$(route)" = "$1" ]; }

xlbd_node_up
topo_servers || fail "servers"
cat >"$RUN/xlb.conf" <<EOC
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
$(xlbd_node_conf)
vip $VIP4 tcp 80 {
    name web
    min-healthy 2
    hold-down 2s
    health http path "/" interval 200ms timeout 150ms rise 2 fall 2
    backend 198.51.100.11
    backend 198.51.100.12
}
EOC
xlbd_start -d

for b in 198.51.100.11 198.51.100.12; do
	wait_for 5 is_health $b up || fail "$b never came up: $(ctl backend show web)"
done
[ "$(route)" = announced ] || fail "route with both backends up: $(route)"

# kill b1's HTTP server
pid=$(nsx b1 ss -ltnpH "sport = :80" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
[ -n "$pid" ] || fail "no HTTP server on b1"
t0=$(now_ms)
kill "$pid"
wait_for 3 is_health 198.51.100.11 down || fail "b1 not marked down"
t_withdrawn=$(now_ms)
t_down=$((t_withdrawn - t0))
echo "backend down after $t_down ms (interval 200 ms × fall 2 + timeout)"
[ $t_down -le 900 ] || fail "took $t_down ms, more than interval × fall + margin"
[ "$(be_slots 198.51.100.11)" = 0 ] || fail "b1 still has table slots"
[ "$(route)" = withdrawn ] || fail "min-healthy 2 with one backend: route $(route)"
for i in $(seq 8); do
	got=$(nsx client curl -s -m 2 "http://$VIP4/")
	[ "$got" = b2 ] || fail "request $i answered by '$got' with b1 down"
done

# bring it back: in the table after rise, announced only after hold-down
topo_spawn b1 $TOPO_PY -m http.server --bind :: --directory "$TOPO_BPFFS.www/b1" 80
t0=$(now_ms)
wait_for 5 is_health 198.51.100.11 up || fail "b1 did not come back"
t_up=$(($(now_ms) - t0))
[ "$(be_slots 198.51.100.11)" -gt 0 ] || fail "b1 back but not in the table"
[ "$(route)" = withdrawn ] || fail "re-announced before the hold-down ($(route) after $t_up ms)"
wait_for 4 is_route announced || fail "never re-announced after the hold-down"
t_ann=$(($(now_ms) - t0))
held=$(($(now_ms) - t_withdrawn))
echo "backend up after $t_up ms, route back after $t_ann ms; withdrawn for $held ms (hold-down 2 s)"
[ $held -ge 1900 ] || fail "hold-down not honoured: withdrawn for only $held ms"
ctl health show | grep -q "198.51.100.11" || fail "health show"
echo "health http kill: all checks passed"
exit 0
