# SPDX-License-Identifier: GPL-2.0
# The BGP fault tests (selftests/e2e/fault_*.sh): what every one of them
# asserts once the fault is over, on top of selftests/lib/bgp.sh (source
# that first, then this, then call bgp_setup lb). Sourcing it skips (77)
# with the BIRD stand-in: these tests check xlbd's own counters and log.
# It sets LB (lb's IPv4 address) and T0 (the test's start, now_ms).
#
#   fault_lb_conf NEIGHBOR_OPTIONS [STATEMENTS]
#       lb's xlb.conf: the leaf as neighbor with NEIGHBOR_OPTIONS (e.g.
#       "hold-time 9"), STATEMENTS, the VIPs of fault_vips
#   fault_begin KIND LEAF_ARGS...   start the KIND leaf, then xlbd
#   fault_recovered KIND SECONDS WHAT   fault_wait_exact, then fault_settled
#   fault_sessions_mark / fault_one_more WHAT
#       remember xlbd's established and dropped counts / fail unless each
#       grew by exactly one since
#   fault_as_many_more WHAT
#       fail unless each grew, by as many (every session dropped during a
#       fault was established again, and none is left down)
#
# xlbd on node lb announces a set of VIPs (fault_vips); the test keeps
# track of which of them must be announced (fault_vip toggles one through
# xlbctl and records it). After a fault:
#   fault_wait_exact KIND SECONDS WHAT
#       until the leaf holds exactly the announced VIPs, each with lb as
#       next hop (no withdrawn VIP, no missing one), else fail with both
#       lists; leaves the time it took in WAITED_MS
#   fault_settled KIND WHAT
#       xlbd is the process started at the beginning (no crash, no
#       restart), the session is Established on both sides, xlbd has
#       nothing left to send, and the leaf's table is exact
#   fault_count FIELD   a counter of `xlbctl -j bgp show` for the leaf
#   fault_mark / fault_logged ERE / fault_wait_logged ERE SECONDS WHAT
#       remember the end of xlbd's log / did xlbd log ERE since then? /
#       wait until it does (the line in FAULT_LOG_LINE)
#
# VIPs: v4-0 .. v4-(N-1) are 203.0.113.10 ..., v6-0 ... are
# 2001:db8:ffff::10 ..., all host-mode (always up unless disabled),
# hold-down 0s, no drain: a toggle is sent at once.

node_is_xlbd || skip "checks xlbd's counters and log, not the BIRD stand-in's"
T0=$(now_ms)
LB=${NODE_ADDR4[lb]}

declare -gA FAULT_VIP FAULT_ON
FAULT_PID=""
FAULT_LOG_MARK=0

# fault_vips N4 N6: N4 IPv4 and N6 IPv6 VIPs, all announced; their
# statements for xlb.conf in FAULT_VIP_CONF (call it directly, not in
# $(...): the arrays must be set in the test's own shell)
fault_vips() {
	local i
	FAULT_VIP_CONF=""
	for i in $(seq 0 $(($1 - 1))); do
		FAULT_VIP[v4-$i]=203.0.113.$((10 + i))/32
		FAULT_VIP_CONF+="vip 203.0.113.$((10 + i)) local { name v4-$i; hold-down 0s }"$'\n'
	done
	for i in $(seq 0 $(($2 - 1))); do
		FAULT_VIP[v6-$i]=2001:db8:ffff::$((10 + i))/128
		FAULT_VIP_CONF+="vip 2001:db8:ffff::$((10 + i)) local { name v6-$i; hold-down 0s; next-hop ${NODE_ADDR6[lb]} }"$'\n'
	done
	for i in "${!FAULT_VIP[@]}"; do
		FAULT_ON[$i]=1
	done
}

# fault_start: start xlbd on lb and remember its PID
fault_start() {
	node_start lb
	FAULT_PID=${NODE_PID[lb]}
}

fault_lb_conf() {
	node_peer_conf lb $LEAF4 "$1" <<EOF
${2:+$2
}$FAULT_VIP_CONF
EOF
}

fault_begin() {
	local kind=$1
	shift
	leaf_start "$kind" "$(ns leaf)" "neighbor=$LB" "$@" || fail "$kind leaf start"
	fault_start
}

# fault_vip disable|enable NAME
fault_vip() {
	node_ctl lb vip "$1" "$2" >/dev/null || fail "xlbctl vip $1 $2"
	if [ "$1" = enable ]; then FAULT_ON[$2]=1; else FAULT_ON[$2]=0; fi
}

# what the leaf must hold: PREFIX nexthops=ADDR, sorted
fault_expected() {
	local n nh
	for n in "${!FAULT_VIP[@]}"; do
		[ "${FAULT_ON[$n]}" = 1 ] || continue
		nh=${NODE_ADDR4[lb]}
		[[ ${FAULT_VIP[$n]} == *:* ]] && nh=${NODE_ADDR6[lb]}
		echo "${FAULT_VIP[$n]} nexthops=$nh"
	done | sort
}

fault_held() { leaf_routes "$1" | awk '{ print $1, $2 }' | sort; }

fault_exact() { [ "$(fault_held "$1")" = "$(fault_expected)" ]; }

fault_wait_exact() {
	wait_for "$2" fault_exact "$1" && return 0
	fail "$3: the leaf's routes are not the announced VIPs after $2 s
--- expected
$(fault_expected)
--- held by the $1 leaf
$(fault_held "$1")"
}

fault_alive() {
	pid_alive "$FAULT_PID" || fail "xlbd (pid $FAULT_PID) is gone: $1"
	[ "${NODE_PID[lb]}" = "$FAULT_PID" ] || fail "xlbd was restarted: $1"
}

fault_count() { node_bgp lb $LEAF4 "$1"; }

fault_settled() {
	local st
	fault_alive "$2"
	st=$(fault_count state)
	[ "$st" = Established ] || fail "$2: xlbd's session is $st"
	leaf_session_up "$1" "${NODE_ADDR4[lb]}" ||
		fail "$2: the leaf's session is $(leaf_session_state "$1" "${NODE_ADDR4[lb]}")"
	[ "$(fault_count prefixes_announced)" -eq "$(fault_expected | wc -l)" ] ||
		fail "$2: xlbd counts $(fault_count prefixes_announced) prefixes announced, $(fault_expected | wc -l) expected"
	fault_exact "$1" || fault_wait_exact "$1" 0 "$2"
	node_ctl lb status >/dev/null || fail "$2: xlbctl status"
}

fault_recovered() {
	fault_wait_exact "$1" "$2" "$3"
	fault_settled "$1" "$3"
}

fault_sessions_mark() {
	FAULT_E0=$(fault_count established)
	FAULT_D0=$(fault_count dropped)
}

fault_one_more() {
	[ "$(fault_count established)" -eq $((FAULT_E0 + 1)) ] &&
		[ "$(fault_count dropped)" -eq $((FAULT_D0 + 1)) ] ||
		fail "$1: established $FAULT_E0 -> $(fault_count established), dropped $FAULT_D0 -> $(fault_count dropped); expected one more each"
}

fault_as_many_more() {
	local de=$(($(fault_count established) - FAULT_E0))
	local dd=$(($(fault_count dropped) - FAULT_D0))

	[ "$de" -ge 1 ] && [ "$de" -eq "$dd" ] ||
		fail "$1: established $FAULT_E0 -> $((FAULT_E0 + de)), dropped $FAULT_D0 -> $((FAULT_D0 + dd)); expected as many more of each, at least one"
	[ "$de" -eq 1 ] || echo "note: $1: $de sessions (a retry during the fault)"
}

fault_mark() { FAULT_LOG_MARK=$(stat -c %s "$(node_dir lb)/xlbd.log"); }

fault_logged() { tail -c +$((FAULT_LOG_MARK + 1)) "$(node_dir lb)/xlbd.log" | grep -qE "$1"; }

# fault_wait_logged ERE SECONDS WHAT: the first line found in FAULT_LOG_LINE
fault_wait_logged() {
	wait_for "$2" fault_logged "$1" ||
		fail "$3: xlbd did not log /$1/ within $2 s"
	FAULT_LOG_LINE=$(tail -c +$((FAULT_LOG_MARK + 1)) "$(node_dir lb)/xlbd.log" | grep -m1 -E "$1")
}
