#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test: fault_peer_reset bird
# test: fault_peer_reset_frr frr
# test: fault_peer_reset_gobgp gobgp
#
# Fault: the BGP peer resets the session mid-session, with a leaf ($1:
# bird, frr or gobgp; not passive: either side may reconnect) that holds
# 8 VIPs from xlbd, one of them disabled from the start. Four resets,
# each followed by the same checks (selftests/lib/fault.sh): xlbd (the
# same process) is Established again, the leaf holds exactly the
# announced VIPs with xlbd as next hop, `xlbctl -j bgp show` counts one
# more session and one more drop, and xlbd's log says why it went:
#  1. the leaf resets the session (`birdc restart`, FRR `clear bgp`,
#     `gobgp neighbor reset`): a Cease/Administrative Reset NOTIFICATION;
#  2. the leaf shuts the neighbor down (`birdc disable`, FRR `neighbor
#     shutdown`, `gobgp neighbor disable`): Cease/Administrative Shutdown;
#     while the session is down two VIPs are disabled and the disabled
#     one enabled: enabling the neighbor again must bring exactly the new
#     set (nothing stale, nothing lost);
#  3. the leaf's TCP socket destroyed (`ss -K` in its namespace): xlbd
#     gets a TCP RST without a NOTIFICATION;
#  4. xlbd's TCP socket destroyed (`ss -K` in its namespace): the leaf
#     gets the RST, xlbd's own read fails.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xlbfr$$"
. selftests/lib/bgp.sh
bgp_kind "${1:-}"
. selftests/lib/fault.sh

# leaf_neighbor reset|disable|enable: the leaf's own commands
leaf_neighbor() {
	case $KIND:$1 in
	bird:reset) leaf_birdc restart "xlb_${LB//./_}" ;;
	bird:*) leaf_birdc "$1" "xlb_${LB//./_}" ;;
	frr:reset) leaf_vtysh -c "clear bgp $LB" ;;
	frr:disable) leaf_vtysh -c "configure terminal" -c "router bgp $LEAF_AS" -c "neighbor $LB shutdown" ;;
	frr:enable) leaf_vtysh -c "configure terminal" -c "router bgp $LEAF_AS" -c "no neighbor $LB shutdown" ;;
	gobgp:*) leaf_gobgp neighbor "$LB" "$1" ;;
	esac
}

bgp_setup lb
fault_vips 6 2
fault_lb_conf "hold-time 9"
fault_begin "$KIND"
fault_vip disable v4-5
fault_recovered "$KIND" 20 "start"

reset() {
	local what=$1 ere=$2 t0
	shift 2
	fault_sessions_mark
	fault_mark
	t0=$(now_ms)
	"$@" >/dev/null || fail "$what: $*"
	fault_wait_logged "$ere" 10 "$what"
	down_ms=$(ms_since "$t0")
	wait_for "${RESET_WAIT:-20}" eval '[ "$(fault_count established)" -gt "$FAULT_E0" ]' ||
		fail "$what: no new session within ${RESET_WAIT:-20} s"
	fault_recovered "$KIND" 10 "$what"
	echo "$what: xlbd logged the drop after $down_ms ms ($FAULT_LOG_LINE); session up, leaf table exact after $(ms_since "$t0") ms"
	fault_one_more "$what"
}

# GoBGP 3.10 stays idle 30 s after `gobgp neighbor reset` whatever
# idle-hold-time-after-reset says (doc/leaf/gobgp.toml)
RESET_WAIT=20
[ "$KIND" = gobgp ] && RESET_WAIT=45
reset "$KIND: reset" "received NOTIFICATION Cease/Administrative Reset" leaf_neighbor reset
RESET_WAIT=20
node_bgp lb $LEAF4 last_notification_received | grep -q '"subcode": 4' ||
	fail "last_notification_received: $(fault_count last_notification_received)"

# 2. disable, change the VIP set while the session is down, enable
fault_sessions_mark
fault_mark
t0=$(now_ms)
leaf_neighbor disable >/dev/null || fail "disable the neighbor"
fault_wait_logged "received NOTIFICATION Cease/Administrative Shutdown" 10 "disable"
wait_for 5 eval '[ -z "$(fault_held "$KIND")" ]' || fail "routes still at the leaf after disable"
fault_vip disable v4-1
fault_vip disable v6-1
fault_vip enable v4-5
sleep 1.5
st=$(fault_count state)
[ "$st" != Established ] || fail "xlbd Established with a disabled peer"
fault_alive "peer disabled"
leaf_neighbor enable >/dev/null || fail "enable the neighbor"
wait_for 20 eval '[ "$(fault_count established)" -gt "$FAULT_E0" ]' || fail "no new session after enable"
fault_wait_exact "$KIND" 10 "enable"
fault_settled "$KIND" "disable/enable"
echo "$KIND: disable/enable: xlbd $st while disabled; table exact with the new VIP set $(ms_since "$t0") ms after the disable"

# 3, 4: TCP RST, without a NOTIFICATION (ss -K: sock_destroy, the kernel
# sends the RST to the other end)
kill_sock() { nsx "$1" ss -K -t state established '( sport = :179 or dport = :179 )'; }
reset "$KIND: RST to xlbd" "connection closed by the peer: Connection reset by peer" kill_sock leaf
reset "$KIND: xlbd's socket destroyed" "connection closed by the peer: Software caused connection abort" kill_sock lb
fault_logged "sending NOTIFICATION" && fail "xlbd sent a NOTIFICATION on a dead connection"
echo "fault peer_reset ($KIND leaf): all checks passed in $(ms_since "$T0") ms"
exit 0
