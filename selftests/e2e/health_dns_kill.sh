#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-mode anycast DNS (the BIRD + anycast-healthchecker job): xlbd on the
# DNS server itself checks a real unbound on the VIP and announces the
# VIP to a BIRD leaf while it answers. unbound killed -> the /32 leaves the
# leaf within interval x fall (+ margin); unbound back -> announced again
# only after the hold-down.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbn$$"
. selftests/lib/bgp.sh
. selftests/lib/unbound.sh
start_unbound() { unbound_start resolver lb $VIP4; }

bgp_setup lb
node_conf lb <<EOC
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000 }
vip $VIP4 local {
    name resolver
    add-address lo
    disable-file $(node_dir lb)/disabled
    hold-down 2s
    health dns query example.org type A rcode NOERROR nonempty interval 100ms timeout 80ms rise 2 fall 2
}
EOC
leaf_start bird "$(ns leaf)" neighbor=192.0.2.10 || fail "leaf start"
node_start lb
# xlbd puts the VIP on lo (add-address); unbound binds to it
nsx lb ip addr show dev lo | grep -q " $VIP4/32" || fail "xlbd did not put $VIP4 on lo"
start_unbound
leaf_wait_route bird $VIP4/32 10 || fail "resolver never announced: $(node_ctl lb health show)"

# unbound killed: withdrawn within interval x fall + margin
t0=$(now_ms)
kill "${UNBOUND_PID[resolver]}"
unbound_reap resolver
leaf_wait_gone bird $VIP4/32 3 || fail "route still at the leaf after the resolver died"
gone=$(ms_since "$t0")
echo "resolver killed: route gone from the leaf after $gone ms (interval 100 ms, fall 2)"
[ "$gone" -le 600 ] || fail "withdrawal took $gone ms"
node_ctl lb health show | grep -qi down || fail "health show: $(node_ctl lb health show)"

# unbound back: announced only after the 2 s hold-down
start_unbound
t0=$(now_ms)
leaf_wait_route bird $VIP4/32 8 || fail "resolver back, route never re-announced"
back=$(ms_since "$t0")
echo "resolver back: route at the leaf after $back ms (hold-down 2 s from the withdrawal)"
[ "$((back + gone))" -ge 1900 ] || fail "re-announced after only $((back + gone)) ms withdrawn"

# the VIP's disable file withdraws at once; removing it announces again
# without waiting for the hold-down (an operator's decision, not a failure)
t0=$(now_ms)
touch "$(node_dir lb)/disabled"
leaf_wait_gone bird $VIP4/32 3 || fail "disable file did not withdraw"
echo "disable file: route gone after $(ms_since "$t0") ms"
t0=$(now_ms)
rm "$(node_dir lb)/disabled"
leaf_wait_route bird $VIP4/32 3 || fail "disable file removed, route not back"
back=$(ms_since "$t0")
echo "disable file removed: route back after $back ms"
[ "$back" -lt 1500 ] || fail "re-announce after the disable file waited $back ms (hold-down applied?)"
echo "health dns kill: all checks passed"
exit 0
