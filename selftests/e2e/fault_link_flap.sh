#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: the peering link goes down and comes back (`ip link set down/up`
# on the leaf's end of the veth, so xlbd's eth0 loses its carrier). A
# BIRD 2 leaf, hold time 9 s, holds 8 VIPs from xlbd, one disabled.
#  1. down 2 s, no BFD: BIRD ends the session when its interface loses
#     carrier (its Cease reaches xlbd once the link is back); whether it
#     survives is the leaf's business, but afterwards it must be up and
#     the leaf's table exact;
#  2. down 12 s, no BFD (longer than the hold time): xlbd's hold timer
#     expires (logged, HOLD TIMER EXPIRED in `bgp show`), the leaf drops
#     the routes; a VIP is enabled meanwhile; after the link is back the
#     session comes back by itself with exactly the new set;
#  3. with BFD 100 ms x 3 on both sides, down 2 s: xlbd's BFD takes the
#     session down within a second (logged), the leaf's routes go, and
#     all comes back after the link does.
# After each: the same xlbd process, Established, the leaf's table exact,
# `xlbctl -j bgp show` counters consistent (selftests/lib/fault.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbff$$"
. selftests/lib/bgp.sh
. selftests/lib/fault.sh

bgp_setup lb
fault_vips 6 2

# conf BFD_STATEMENT
conf() {
	fault_lb_conf "hold-time 9; $1"
}
link() { nsx leaf ip link set "l-lb" "$1" || fail "ip link set l-lb $1"; }

conf ""
fault_begin bird
fault_vip disable v4-5
fault_recovered bird 20 "start"

# 1. a short flap
e0=$(fault_count established) d0=$(fault_count dropped)
fault_mark
link down
sleep 2
link up
t1=$(now_ms)
# let a dropped session show before judging the table
sleep 1
wait_for 20 eval '[ "$(fault_count state)" = Established ] && fault_exact bird' ||
	fault_wait_exact bird 0 "2 s flap"
fault_settled bird "2 s flap"
d=$(($(fault_count dropped) - d0))
why=$(tail -c +$((FAULT_LOG_MARK + 1)) "$(node_dir lb)/xlbd.log" | grep -m1 -E "NOTIFICATION|closed|lost|BFD")
echo "link down 2 s: session dropped $d time(s) (${why:-nothing logged}); table exact $(ms_since "$t1") ms after the link came back"
[ $(($(fault_count established) - e0)) -eq "$d" ] ||
	fail "2 s flap: established $e0 -> $(fault_count established), dropped $d more"

# 2. down longer than the hold time: xlbd's hold timer
e0=$(fault_count established)
fault_mark
link down
t0=$(now_ms)
fault_vip enable v4-5
fault_wait_logged "sending NOTIFICATION Hold Timer Expired" 14 "link down 12 s"
ms=$(ms_since "$t0")
[ "$ms" -ge 5000 ] || fail "hold timer expired $ms ms after the link went down (hold 9 s, keepalive 3 s)"
echo "link down: $FAULT_LOG_LINE after $ms ms"
node_bgp lb $LEAF4 last_error | grep -q '"code": 4' || fail "last_error: $(fault_count last_error)"
wait_for 1 eval '[ -z "$(fault_held bird)" ]' || fail "the leaf still has routes with the link down"
sleep $(((12000 - $(ms_since "$t0")) / 1000))
fault_alive "link down"
link up
t1=$(now_ms)
fault_recovered bird 20 "link down 12 s"
echo "link down 12 s: table exact (with the VIP enabled meanwhile) $(ms_since "$t1") ms after the link came back"
[ "$(fault_count established)" -eq $((e0 + 1)) ] || fail "established $e0 -> $(fault_count established)"

# 3. with BFD
node_kill lb TERM
leaf_stop bird
conf "bfd { interval 100ms multiplier 3 }"
leaf_start bird "$(ns leaf)" "neighbor=$LB" bfd bfd_interval=100 bfd_mult=3 || fail "leaf start (bfd)"
fault_start
fault_wait_exact bird 20 "start with BFD"
leaf_wait_bfd bird "$LB" Up 10 || fail "BFD not Up at the leaf: $(leaf_bfd bird "$LB")"
fault_settled bird "start with BFD"
fault_mark
link down
t0=$(now_ms)
fault_wait_logged "BFD down" 3 "link down with BFD"
ms=$(ms_since "$t0")
echo "link down with BFD: $FAULT_LOG_LINE after $ms ms"
[ "$ms" -le 1500 ] || fail "BFD down after $ms ms (100 ms x 3)"
wait_for 2 eval '[ -z "$(fault_held bird)" ]' || fail "the leaf still has routes 2 s after the link went (BFD)"
sleep 1
link up
t1=$(now_ms)
fault_wait_exact bird 20 "link back with BFD"
leaf_wait_bfd bird "$LB" Up 10 || fail "BFD not Up again: $(leaf_bfd bird "$LB")"
fault_settled bird "link back with BFD"
echo "link down 2 s with BFD: table exact $(ms_since "$t1") ms after the link came back"
echo "fault link_flap: all checks passed in $(ms_since "$T0") ms"
exit 0
