#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: the TCP-MD5 key (RFC 2385) changes. xlbd takes a new key by
# `xlbctl reload` (never a restart), the BIRD 2 leaf by `birdc configure`
# (it restarts the session itself). 4 VIPs from xlbd.
#  1. key K1 on both: up, the leaf's table exact;
#  2. xlbd reloaded with K2, the leaf keeps K1: xlbd ends the session
#     (Cease, the neighbor was reconfigured), the leaf drops the routes,
#     no session can form (the kernels drop the segments without a word)
#     and `xlbctl -j bgp show` names the MD5 key as the likely cause;
#  3. the leaf takes K2: the session comes back by itself, the hint goes,
#     the leaf's table is exact;
#  4. a roll to K3, the leaf first, xlbd a moment later: up again, exact.
# xlbd is the same process all along and each reload succeeds
# (selftests/lib/fault.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbfm$$"
. selftests/lib/bgp.sh
. selftests/lib/fault.sh
K1="xlb-key-one" K2="xlb-key-two" K3="xlb-key-three"

bgp_setup lb
fault_vips 3 1
# conf KEY
conf() {
	fault_lb_conf "hold-time 9; password \"$1\""
}
reload() {
	conf "$1"
	node_ctl lb reload >/dev/null || fail "xlbctl reload with key $1"
}
hint() { node_bgp lb $LEAF4 hint; }

# 1.
conf $K1
fault_begin bird "md5=$K1"
fault_recovered bird 20 "key $K1 on both"

# 2. xlbd alone changes its key
fault_mark
t0=$(now_ms)
reload $K2
fault_wait_logged "sending NOTIFICATION Cease" 5 "reload with a new key"
echo "xlbd reloaded with another key: $FAULT_LOG_LINE"
wait_for 5 eval '[ -z "$(fault_held bird)" ]' || fail "the leaf kept the routes after xlbd's Cease"
wait_for 20 eval 'hint | grep -qi md5' ||
	fail "no MD5 hint in bgp show 20 s after the key changed: $(node_ctl lb -j bgp show)"
st=$(fault_count state)
[ "$st" != Established ] || fail "Established with mismatched keys"
leaf_session_up bird "$LB" && fail "the leaf has a session with mismatched keys"
[ -z "$(fault_held bird)" ] || fail "routes at the leaf with mismatched keys: $(fault_held bird)"
fault_alive "key mismatch"
echo "mismatched keys: no session after $(ms_since "$t0") ms, xlbd $st, hint: $(hint)"

# 3. the leaf follows
t0=$(now_ms)
leaf_reconfigure bird "neighbor=$LB" "md5=$K2" || fail "birdc configure with key $K2"
fault_recovered bird 20 "the leaf took key $K2"
[ "$(hint)" = null ] || fail "hint still there: $(hint)"
echo "the leaf took the key: table exact after $(ms_since "$t0") ms"

# 4. a roll: the leaf first, xlbd right after
t0=$(now_ms)
leaf_reconfigure bird "neighbor=$LB" "md5=$K3" || fail "birdc configure with key $K3"
sleep 1
reload $K3
fault_recovered bird 20 "key roll to $K3"
echo "key roll, the leaf 1 s before xlbd: table exact after $(ms_since "$t0") ms"
fault_logged "$K1|$K2|$K3" && fail "a key in xlbd's log"
grep -qE "$K1|$K2|$K3" <(node_ctl lb -j bgp show; node_ctl lb status) && fail "a key in xlbctl output"
echo "fault md5_change: all checks passed in $(ms_since "$T0") ms"
exit 0
