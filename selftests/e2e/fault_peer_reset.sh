#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: the BGP peer resets the session mid-session. A BIRD 2 leaf
# (not passive: either side may reconnect) holds 8 VIPs from xlbd, one of
# them disabled from the start. Four resets, each followed by the same
# checks (selftests/lib/fault.sh): xlbd (the same process) is Established
# again, the leaf holds exactly the announced VIPs with xlbd as next hop,
# `xlbctl -j bgp show` counts one more session and one more drop, and
# xlbd's log says why the session went:
#  1. `birdc restart`: a Cease/Administrative Reset NOTIFICATION;
#  2. `birdc disable`: Cease/Administrative Shutdown; while the session is
#     down two VIPs are disabled and the disabled one enabled: `birdc
#     enable` must bring exactly the new set (nothing stale, nothing lost);
#  3. the leaf's TCP socket destroyed (`ss -K` in its namespace): xlbd
#     gets a TCP RST without a NOTIFICATION;
#  4. xlbd's TCP socket destroyed (`ss -K` in its namespace): the leaf
#     gets the RST, xlbd's own read fails.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbfr$$"
. selftests/lib/bgp.sh
. selftests/lib/fault.sh
node_is_xlbd || { echo "checks xlbd's counters and log, not the BIRD stand-in's"; exit 77; }
fail() { bgp_fail "$@"; }
T0=$(leaf_now_ms)
LB=${NODE_ADDR4[lb]}
PROTO=xlb_${LB//./_}

bgp_setup lb
fault_vips 6 2
node_conf lb <<EOF
router-id $LB
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
neighbor $LEAF4 { remote-as 65000; hold-time 9 }
$FAULT_VIP_CONF
EOF
leaf_start bird "$(ns leaf)" "neighbor=$LB" || fail "leaf start"
fault_start
fault_vip disable v4-5
fault_wait_exact bird 20 "start"
fault_settled bird "start"

# reset WHAT ERE CMD...: run CMD, wait until xlbd logs ERE (the session
# went), then until it is up again with the leaf's table exact
reset() {
	local what=$1 ere=$2 e0 d0 t0
	shift 2
	e0=$(fault_count established) d0=$(fault_count dropped)
	fault_mark
	t0=$(leaf_now_ms)
	"$@" >/dev/null || fail "$what: $*"
	fault_wait_logged "$ere" 10 "$what"
	down_ms=$(bgp_ms "$t0")
	leaf_poll 20 eval '[ "$(fault_count established)" -gt "$e0" ]' ||
		fail "$what: no new session within 20 s"
	fault_wait_exact bird 10 "$what"
	fault_settled bird "$what"
	echo "$what: xlbd logged the drop after $down_ms ms ($FAULT_LOG_LINE); session up, leaf table exact after $(bgp_ms "$t0") ms"
	[ "$(fault_count established)" -eq $((e0 + 1)) ] && [ "$(fault_count dropped)" -eq $((d0 + 1)) ] ||
		fail "$what: established $e0 -> $(fault_count established), dropped $d0 -> $(fault_count dropped); expected one more each"
}

reset "birdc restart" "received NOTIFICATION Cease/Administrative Reset" leaf_birdc restart "$PROTO"
[ "$(fault_count last_notification_received)" != null ] &&
	node_bgp lb $LEAF4 last_notification_received | grep -q '"subcode": 4' ||
	fail "last_notification_received: $(fault_count last_notification_received)"

# 2. disable, change the VIP set while the session is down, enable
e0=$(fault_count established)
fault_mark
t0=$(leaf_now_ms)
leaf_birdc disable "$PROTO" >/dev/null || fail "birdc disable"
fault_wait_logged "received NOTIFICATION Cease/Administrative Shutdown" 10 "birdc disable"
leaf_poll 5 eval '[ -z "$(fault_held bird)" ]' || fail "routes still at the disabled leaf"
fault_vip disable v4-1
fault_vip disable v6-1
fault_vip enable v4-5
sleep 1.5
st=$(fault_count state)
[ "$st" != Established ] || fail "xlbd Established with a disabled peer"
fault_alive "peer disabled"
leaf_birdc enable "$PROTO" >/dev/null || fail "birdc enable"
leaf_poll 20 eval '[ "$(fault_count established)" -gt "$e0" ]' || fail "no new session after birdc enable"
fault_wait_exact bird 10 "birdc enable"
fault_settled bird "birdc disable/enable"
echo "birdc disable/enable: xlbd $st while disabled; table exact with the new VIP set $(bgp_ms "$t0") ms after the disable"

# 3, 4: TCP RST, without a NOTIFICATION (ss -K: sock_destroy, the kernel
# sends the RST to the other end)
kill_sock() { nsx "$1" ss -K -t state established '( sport = :179 or dport = :179 )'; }
reset "RST to xlbd" "connection closed by the peer: Connection reset by peer" kill_sock leaf
reset "xlbd's socket destroyed" "connection closed by the peer: Software caused connection abort" kill_sock lb
fault_logged "sending NOTIFICATION" && fail "xlbd sent a NOTIFICATION on a dead connection"
echo "fault peer_reset: all checks passed in $(bgp_ms "$T0") ms"
exit 0
