#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: the leaf's BGP daemon dies (SIGKILL: no NOTIFICATION, the kernel
# closes its sockets) and is started again. The BIRD 2 leaf is passive, so
# every new session is xlbd's own reconnect after its back-off. It holds
# 8 VIPs from xlbd, one disabled from the start.
#  1. killed and started again at once;
#  2. killed and kept down for 6 s while VIPs are disabled and enabled
#     (xlbd's reconnects are refused meanwhile and its back-off grows).
# After each: xlbd (the same process) logs the lost connection, is
# Established again, the leaf holds exactly the announced VIPs with xlbd
# as next hop, and `xlbctl -j bgp show` counts one more session and one
# more drop (selftests/lib/fault.sh). e2e/bgp_*_restart restart the leaf
# with SIGTERM (a Cease) for BIRD, FRR and GoBGP.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbfl$$"
. selftests/lib/bgp.sh
. selftests/lib/fault.sh

bgp_setup lb
fault_vips 6 2
fault_lb_conf "hold-time 9"
fault_begin bird passive
fault_vip disable v4-5
fault_recovered bird 20 "start"

leaf_kill() {
	local p=${LEAF_PIDS[bird]}
	kill -9 "$p"
	wait "$p" 2>/dev/null
	leaf_stop bird
}

# 1. killed, started again at once
fault_sessions_mark
fault_mark
t0=$(now_ms)
leaf_kill
fault_wait_logged "connection closed by the peer" 5 "leaf killed"
echo "leaf killed: xlbd logged after $(ms_since "$t0") ms: $FAULT_LOG_LINE"
leaf_start bird "$(ns leaf)" "neighbor=$LB" passive || fail "leaf restart"
t1=$(now_ms)
fault_recovered bird 15 "leaf killed and restarted"
echo "leaf killed and restarted at once: table exact $(ms_since "$t1") ms after the leaf was back"
fault_one_more "leaf killed and restarted"

# 2. killed, down for 6 s while the VIP set changes
fault_sessions_mark
fault_mark
leaf_kill
fault_wait_logged "connection closed by the peer" 5 "leaf killed"
sleep 1
fault_vip disable v4-0
fault_vip disable v6-0
fault_vip enable v4-5
sleep 5
st=$(fault_count state)
[ "$st" != Established ] || fail "xlbd Established without a leaf"
fault_alive "leaf down"
leaf_start bird "$(ns leaf)" "neighbor=$LB" passive || fail "leaf restart"
t1=$(now_ms)
# xlbd's back-off after 6 s of refused connections: ~1 + 2 + 4 s, the
# next attempt at most ~8 s after the leaf came back
fault_wait_exact bird 20 "leaf down 6 s"
ms=$(ms_since "$t1")
fault_settled bird "leaf down 6 s"
echo "leaf down 6 s (xlbd $st meanwhile): table exact with the new VIP set $ms ms after the leaf was back"
fault_one_more "leaf down 6 s"
fault_logged "sending NOTIFICATION" && fail "xlbd sent a NOTIFICATION to a dead leaf"
echo "fault leaf_restart: all checks passed in $(ms_since "$T0") ms"
exit 0
