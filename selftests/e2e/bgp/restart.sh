#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test: bgp_bird_restart bird
# test: bgp_frr_restart frr
# test: bgp_gobgp_restart gobgp
#
# Failures with a passive leaf (bird, frr or gobgp: $1), hold time 9 s, so
# every session is xlbd's own connection:
#  - the leaf restarts: xlbd reconnects and announces again;
#  - xlbd is killed: the kernel closes the TCP session and the leaf drops
#    the routes at once (< 1.5 s; measured ~0.1 s);
#  - xlbd is frozen (SIGSTOP): the leaf drops the routes when its hold
#    timer expires, 6-9 s after the last keepalive (asserted 4-11 s), then
#    xlbd is resumed and killed.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xlbr$$"
. selftests/lib/bgp.sh
bgp_kind "${1:-}"

bgp_setup lb
node_peer_conf lb $LEAF4 'hold-time 9' <<EOF
vip $VIP4 local { }
vip $VIP6 local { next-hop 2001:db8:1::10 }
EOF
leaf_start "$KIND" "$(ns leaf)" neighbor=192.0.2.10 passive || fail "leaf start"
node_start lb
leaf_wait_route "$KIND" $VIP4/32 15 || fail "no route"
leaf_wait_route "$KIND" $VIP6/128 5 || fail "no route for $VIP6"

t0=$(now_ms)
leaf_restart "$KIND" || fail "leaf restart"
leaf_wait_route "$KIND" $VIP4/32 30 || fail "no route 30 s after a leaf restart"
leaf_wait_route "$KIND" $VIP6/128 5 || fail "no route for $VIP6 after a leaf restart"
echo "leaf restarted: routes back after $(ms_since "$t0") ms"

t0=$(now_ms)
node_kill lb KILL
leaf_wait_gone "$KIND" $VIP4/32 5 || fail "routes still there 5 s after xlbd was killed"
ms=$(ms_since "$t0")
echo "xlbd killed: routes gone after $ms ms"
[ "$ms" -lt 1500 ] || fail "routes gone only after $ms ms"
leaf_wait_gone "$KIND" $VIP6/128 1 || fail "$VIP6 still there"

t0=$(now_ms)
node_start lb
leaf_wait_route "$KIND" $VIP4/32 40 || fail "no route 40 s after xlbd restarted"
echo "xlbd restarted: routes back after $(ms_since "$t0") ms"
# a keepalive or two on the fresh session before the freeze
sleep 3
t0=$(now_ms)
node_signal lb STOP
leaf_wait_gone "$KIND" $VIP4/32 14 || fail "routes still there 14 s after xlbd froze"
ms=$(ms_since "$t0")
node_signal lb CONT
echo "xlbd frozen: routes gone after $ms ms (hold time 9 s)"
[ "$ms" -ge 4000 ] && [ "$ms" -le 11000 ] || fail "frozen xlbd: routes gone after $ms ms, not at hold expiry"
node_kill lb KILL
echo "bgp $KIND restart: all checks passed"
exit 0
