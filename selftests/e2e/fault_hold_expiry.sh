#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: the peer goes silent without closing anything. A BIRD 2 leaf,
# hold time 3 s on both sides (keepalive 1 s), 4 VIPs from xlbd.
#  1. nftables in the leaf's namespace drops the leaf's BGP messages to
#     xlbd (its TCP segments with data: each BGP write ends in one with
#     PSH), while its ACKs pass and xlbd's messages reach the leaf (a drop
#     of the ACKs too would hold xlbd's messages back in its own TCP
#     send queue, and the leaf's hold timer would expire as well): a
#     peer that stops talking without closing. xlbd's hold timer expires
#     2-3 s after the last message (asserted 1.5-5 s after the drop
#     began), it logs and sends the HOLD TIMER EXPIRED NOTIFICATION
#     (RFC 4271 sec 6.5: code 4), which the leaf receives and logs (or,
#     now and then, its own hold timer ran out at the same moment), and
#     closes; `xlbctl -j bgp show` has last_error 4/0. Once the drop is
#     lifted the session comes back by itself with exactly the VIPs.
#  2. the leaf frozen (SIGSTOP): the same on xlbd's side; xlbd's new
#     connection waits in the frozen leaf's backlog; after SIGCONT the
#     session comes back by itself with exactly the VIPs.
# xlbd is the same process at the end, Established, its counters
# consistent (selftests/lib/fault.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbfh$$"
. selftests/lib/bgp.sh
. selftests/lib/fault.sh
command -v nft >/dev/null || { echo "no nft (nftables): run make deps"; exit 77; }

bgp_setup lb
fault_vips 3 1
fault_lb_conf "hold-time 3"
fault_begin bird hold=3
fault_recovered bird 20 "start"
[ "$(fault_count hold_time)" -eq 3 ] || fail "hold time $(fault_count hold_time), not 3"

# expired WHAT T0: xlbd logs the expiry in time and says so in bgp show
expired() {
	local ms
	fault_wait_logged "sending NOTIFICATION Hold Timer Expired" 8 "$1"
	ms=$(ms_since "$2")
	echo "$1: xlbd after $ms ms: $FAULT_LOG_LINE"
	[ "$ms" -ge 1500 ] && [ "$ms" -le 5000 ] ||
		fail "$1: hold timer expired $ms ms after the peer went silent (hold 3 s)"
	node_bgp lb $LEAF4 last_error | grep -qE '"code": 4, "subcode": 0' ||
		fail "$1: last_error $(fault_count last_error)"
	wait_for 2 eval '[ "$(fault_count state)" != Established ]' ||
		fail "$1: xlbd still Established"
	fault_alive "$1"
}

# 1. one-way silence
fault_sessions_mark
fault_mark
nsx leaf nft -f - <<EOF || fail "nft"
table inet xlbsilent {
	chain out {
		type filter hook output priority 0;
		ip daddr $LB tcp sport 179 tcp flags & psh == psh drop
		ip daddr $LB tcp dport 179 tcp flags & psh == psh drop
	}
}
EOF
t0=$(now_ms)
expired "leaf silent (nftables)" "$t0"
# The leaf reads xlbd's NOTIFICATION — unless its own hold timer ran out
# at the same moment: the leaf's ACKs ride on its (dropped) data segments,
# so xlbd's TCP falls back to retransmitting its oldest segment and its
# later KEEPALIVEs stop reaching BIRD too. Seen about once in ten runs.
wait_for 3 grep -qE "Received: Hold timer expired|Error: Hold timer expired" \
	"$LEAF_RUN/bird/bird.log" || fail "the leaf logged neither xlbd's NOTIFICATION nor its own expiry"
grep -q "Received: Hold timer expired" "$LEAF_RUN/bird/bird.log" ||
	echo "note: the leaf's hold timer ran out too (xlbd's KEEPALIVEs were stuck behind TCP retransmission)"
echo "the leaf: $(grep -m1 "Received: Hold timer expired" "$LEAF_RUN/bird/bird.log")"
wait_for 2 eval '[ -z "$(fault_held bird)" ]' || fail "the leaf kept the routes after the NOTIFICATION"
sleep 2
nsx leaf nft delete table inet xlbsilent
t1=$(now_ms)
fault_recovered bird 20 "after the silence"
echo "silence lifted: table exact after $(ms_since "$t1") ms"
# xlbd tries again during the silence (1 s after the expiry): its OPEN
# reaches the leaf, the leaf's does not, so the leaf may wait in
# OpenConfirm and expire that attempt's hold timer (3 s) before TCP
# retransmits its OPEN after the silence — one more session, rightly.
fault_as_many_more "after the silence"

# 2. the leaf frozen
fault_sessions_mark
fault_mark
leaf_signal bird STOP
t0=$(now_ms)
expired "leaf frozen" "$t0"
sleep 2
st=$(fault_count state)
fault_alive "leaf frozen"
leaf_signal bird CONT
t1=$(now_ms)
fault_wait_exact bird 20 "after SIGCONT"
wait_for 10 eval '[ "$(fault_count established)" -gt "$FAULT_E0" ]' || fail "no new session after SIGCONT"
fault_settled bird "after SIGCONT"
echo "leaf resumed (xlbd was $st): table exact after $(ms_since "$t1") ms"
fault_one_more "after SIGCONT"
echo "fault hold_expiry: all checks passed in $(ms_since "$T0") ms"
exit 0
