# SPDX-License-Identifier: GPL-2.0
# A real xlbd on the lb node of topo.sh, for the e2e tests that start it
# themselves (xlbd_live, upgrade_keep, security_caps, health_http_kill,
# metrics_scrape, and the datapath fault tests through fault_dp.sh). Source
# it from the top of the tree after setting TOPO (a short unique prefix);
# it sources topo.sh and sets RUN (/run/$TOPO-run: the config, xlbd's log
# and control socket; the lb node's node_dir), XLBD, XLBCTL and XLBD_PID.
# Cleanup and the failure report are selftests/lib/netns.sh's; a failure
# shows the end of xlbd's log. xlbctl_json and the rest of xlbd.sh work
# with NODE lb.
#
#   xlbd_node_up        root check (else skip), topo_up, $RUN, the decap
#                       program on b1 and b2
#   xlbd_node_conf [STATE_FILE]   the node's own lines of xlb.conf (encap
#                       source, XDP interface, pin path, control socket,
#                       state file: default $RUN/state), for a test's config
#   xlbd_start ARGS...  xlbd ARGS -f $RUN/xlb.conf in lb (xlbd_spawn: waits
#                       for its control socket, XLBD_READY_LOG), else fail
#   xlbd_kill9          kill -9 (the datapath stays), reap it
#   ctl ARGS...         xlbctl against this xlbd (node_ctl lb)
#   slow_start          a slow connection from the client to topo_servers'
#                       port 81 (60 lines over 6 s) in the background: its
#                       PID in SLOW_PID, the backend that serves it in
#                       SLOW_BACKEND (b1, b2), that one's address in SLOW_ADDR
#   slow_check WHAT     wait for it: every line came, from that backend

: "${TOPO:?set TOPO}"
. selftests/lib/topo.sh
. selftests/lib/xlbd.sh

RUN=/run/$TOPO-run
XLBD_PID=""

node_dir() { echo "$RUN"; }
ctl() { node_ctl lb "$@"; }

xlbd_node_diag() {
	[ -f "$RUN/xlbd.log" ] && { echo "--- xlbd log"; tail -30 "$RUN/xlbd.log"; }
	return 0
}
fail_hook xlbd_node_diag

xlbd_node_up() {
	local n
	need_root
	mkdir -p "$RUN"
	cleanup_dir "$RUN"
	topo_up || fail "topology"
	for n in b1 b2; do
		nsx $n "$XLB_SETUP" -p "$TOPO_BPFFS/$n" decap eth0 >/dev/null || fail "decap on $n"
	done
}

xlbd_node_conf() {
	cat <<EOF
encap-source $LB4 $LB6
xdp interface lb0
pin-path $TOPO_BPFFS/lb
control-socket $RUN/xlbd.sock
state-file ${1:-$RUN/state}
EOF
}

xlbd_start() {
	xlbd_spawn lb "$@"
	XLBD_PID=${NODE_PID[lb]}
}

slow_start() {
	: >"$RUN/slow.out"
	spawn client "$RUN/slow.out" socat -u -T 15 "TCP:$VIP4:81" -
	SLOW_PID=$SPAWNED
	wait_for 10 eval 'SLOW_BACKEND=$(topo_conn_backend); [ -n "$SLOW_BACKEND" ]' ||
		fail "slow connection did not start"
	SLOW_ADDR=198.51.100.1${SLOW_BACKEND#b}
}

slow_check() {
	local rc
	wait "$SLOW_PID"
	rc=$?
	SLOW_PID=""
	[ $rc -eq 0 ] || fail "$1: slow connection broke (socat exit $rc): $(tail -2 "$RUN/slow.out")"
	[ "$(wc -l <"$RUN/slow.out")" = 60 ] && [ "$(tail -1 "$RUN/slow.out")" = "$SLOW_BACKEND 60" ] ||
		fail "$1: slow connection incomplete: $(wc -l <"$RUN/slow.out") lines, last '$(tail -1 "$RUN/slow.out")'"
}

xlbd_kill9() {
	kill -9 "$XLBD_PID"
	wait "$XLBD_PID" 2>/dev/null
	XLBD_PID=""
}
