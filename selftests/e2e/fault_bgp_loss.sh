#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: 10 % packet loss on the BGP session (nftables in xlbd's
# namespace, `numgen random mod 10 == 0 drop` on TCP port 179 both ways:
# this kernel has no netem) for ~15 s while routes change all the time:
# a VIP disabled or enabled through xlbctl every 0.4 s, and a reload that
# removes one VIP and adds another. A BIRD 2 leaf, hold time 9 s, 8 VIPs.
# TCP retransmits what is lost, so:
#  - the session stays up all along (`xlbctl -j bgp show`: no drop, no
#    new session; the leaf's session too), xlbd is the same process;
#  - the leaf ends with exactly the announced VIPs while the loss is
#    still on, and again after it is lifted;
#  - messages_out grew by at least one UPDATE per change.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbfo$$"
. selftests/lib/bgp.sh
. selftests/lib/fault.sh
command -v nft >/dev/null || { echo "no nft (nftables): run make deps"; exit 77; }

bgp_setup lb
fault_vips 6 2
conf() {
	fault_lb_conf "hold-time 9"
}
conf
fault_begin bird
fault_recovered bird 20 "start"
e0=$(fault_count established) d0=$(fault_count dropped) out0=$(fault_count messages_out)
leaf_session_up bird "$LB" || fail "leaf session"

nsx lb nft -f - <<EOF || fail "nft"
table inet xlbloss {
	chain in {
		type filter hook input priority 0;
		tcp sport 179 numgen random mod 10 == 0 counter drop
		tcp dport 179 numgen random mod 10 == 0 counter drop
		tcp sport 179 counter
		tcp dport 179 counter
	}
	chain out {
		type filter hook output priority 0;
		tcp sport 179 numgen random mod 10 == 0 counter drop
		tcp dport 179 numgen random mod 10 == 0 counter drop
		tcp sport 179 counter
		tcp dport 179 counter
	}
}
EOF
t0=$(now_ms)

# 36 changes over ~15 s: each VIP in turn flipped; a reload half-way
names=(v4-0 v4-1 v4-2 v4-3 v6-0 v4-4 v6-1 v4-5)
changes=0
for i in $(seq 0 35); do
	n=${names[i % ${#names[@]}]}
	if [ $i -eq 18 ]; then
		# v4-4 leaves the config, v4-6 arrives
		FAULT_VIP_CONF=$(grep -v "name v4-4;" <<<"$FAULT_VIP_CONF")$'\n'"vip 203.0.113.16 local { name v4-6; hold-down 0s }"
		unset 'FAULT_VIP[v4-4]' 'FAULT_ON[v4-4]'
		FAULT_VIP[v4-6]=203.0.113.16/32 FAULT_ON[v4-6]=1
		names=(v4-0 v4-1 v4-2 v4-3 v6-0 v4-6 v6-1 v4-5)
		conf
		node_ctl lb reload >/dev/null || fail "xlbctl reload under loss"
	elif [ "${FAULT_ON[$n]}" = 1 ]; then
		fault_vip disable "$n"
	else
		fault_vip enable "$n"
	fi
	changes=$((changes + 1))
	sleep 0.4
done
fault_wait_exact bird 15 "under 10 % loss"
echo "under loss: $changes changes in $(ms_since "$t0") ms, leaf table exact ${WAITED_MS} ms after the last"
fault_settled bird "under 10 % loss"
drops=$(nsx lb nft list table inet xlbloss | grep -oE 'packets [0-9]+ bytes [0-9]+ drop' |
	awk '{ s += $2 } END { print s + 0 }')
passed=$(nsx lb nft list table inet xlbloss | grep -E 'counter packets [0-9]+ bytes [0-9]+$' |
	grep -oE 'packets [0-9]+' | awk '{ s += $2 } END { print s + 0 }')
nsx lb nft delete table inet xlbloss
echo "nftables dropped $drops of $((drops + passed)) BGP segments"
[ "$drops" -ge 3 ] || fail "only $drops segments dropped: the loss did not work"

sleep 1
fault_recovered bird 10 "after the loss"
[ "$(fault_count established)" -eq "$e0" ] && [ "$(fault_count dropped)" -eq "$d0" ] ||
	fail "the session went down under loss: established $e0 -> $(fault_count established), dropped $d0 -> $(fault_count dropped)"
grep -qE "xlb_192_0_2_10: (Error|Received)" "$LEAF_RUN/bird/bird.log" &&
	fail "the leaf saw an error: $(grep -E "xlb_192_0_2_10: (Error|Received)" "$LEAF_RUN/bird/bird.log")"
out=$(($(fault_count messages_out) - out0))
[ "$out" -ge "$changes" ] || fail "messages_out grew by $out for $changes changes"
echo "session up all along (established $e0, dropped $d0, unchanged); $out messages sent for $changes changes"
echo "fault bgp_loss: all checks passed in $(ms_since "$T0") ms"
exit 0
