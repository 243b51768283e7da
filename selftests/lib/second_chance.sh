# SPDX-License-Identifier: GPL-2.0
# Second chance's e2e tests (e2e/second_chance_*) on the system topology
# (selftests/lib/system.sh with SYS_BACKENDS="b1 b2 b3 b4" and
# SYS_BACKEND_FORWARD=1; source this after it): a TCP VIP over GUE named
# `sc`, at SC_VIP on every backend's lo, whose backends, weights and
# second-chance setting a test changes on the lb nodes.
#
#   sc_up                   sys_up and SC_VIP on every backend's lo
#   sc_conf NODES on|off "b1 b2 b3" ["W1 W2 W3"]
#                           the sc VIP with those backends (weights, default
#                           100) into NODES' configs, reloading those whose
#                           xlbd runs
#   sc_wait_usable NODE N   until NODE's sc VIP has N usable backends
#   sc_node_fresh NODE      NODE dies (sys_node_kill) and its datapath is
#                           detached and unpinned: its next xlbd starts with
#                           an empty flow table, as after a reboot (its
#                           state file stays)
#   sc_counters             the lb nodes' sc_hop and the backends' decap
#                           second-chance counters, one line

SC_VIP=203.0.113.12

sc_up() {
	local b
	sys_up
	for b in $SYS_BACKENDS; do
		sys_lo_vip "$b" $SC_VIP/32 || fail "$SC_VIP on $b"
	done
}

sc_conf() {
	local nodes=$1 onoff=$2 bes weights b n i=0
	read -ra bes <<<"$3"
	read -ra weights <<<"${4:-}"
	SYS_EXTRA_VIPS=$(
		echo "vip $SC_VIP tcp 80 {"
		echo "    name sc"
		echo "    encap gue"
		echo "    second-chance $onoff"
		echo "    hold-down 1s"
		echo "    health http path \"/\" interval 300ms timeout 250ms rise 2 fall 2"
		for b in "${bes[@]}"; do
			echo "    backend ${SYS_ADDR4[$b]} weight ${weights[$i]:-100}"
			i=$((i + 1))
		done
		echo "}"
	)
	for n in $nodes; do
		sys_lb_conf "$n"
		[ -n "${SYS_PID[$n/xlbd]:-}" ] && sys_reload "$n"
	done
	return 0
}

sc_usable() { [ "$(xlbctl_json "$1" vip show sc -- .backends_usable 2>/dev/null)" = "$2" ]; }
sc_wait_usable() {
	wait_for 10 sc_usable "$1" "$2" ||
		fail "vip sc on $1: $(xlbctl_json "$1" vip show sc -- .backends_usable) usable, want $2"
}

sc_node_fresh() {
	sys_node_kill "$1"
	nsx "$1" env LIBXDP_BPFFS="$SYS_BPFFS/$1" "$XLB_SETUP" -p "$SYS_BPFFS/$1/xlb" detach eth0 \
		>/dev/null 2>&1 || fail "detach the balancer of $1"
	[ -z "$(ls -A "$SYS_BPFFS/$1/xlb" 2>/dev/null)" ] || fail "pins of $1 left"
}

sc_counters() {
	local n b
	for n in $SYS_LBS; do
		[ -n "${SYS_PID[$n/xlbd]:-}" ] || continue
		printf '%s sc_hop=%s ' "$n" "$(xlbctl_json "$n" stats -- .sc_hop)"
	done
	for b in $SYS_BACKENDS; do
		nsx "$b" "$XLB_SETUP" -p "$SYS_BPFFS/$b" decap-stats |
			awk -v b="$b" '/^sc_/ && $2 > 0 { s = s sep substr($1, 4) "=" $2; sep = "," }
				END { if (s != "") printf "%s: %s ", b, s }'
	done
	echo
}
