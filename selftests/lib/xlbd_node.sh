# SPDX-License-Identifier: GPL-2.0
# A real xlbd on the lb node of topo.sh, for the e2e tests that start it
# themselves (xlbd_live, upgrade_keep, security_caps, health_http_kill,
# metrics_scrape, and the datapath fault tests through fault_dp.sh): the
# set-up, the failure report and the cleanup they all need. Source it from
# the top of the tree after setting TOPO (a short unique prefix); it
# sources topo.sh and sets RUN (/run/$TOPO-run, the config, xlbd's log and
# control socket), XLBD, XLBCTL and XLBD_PID.
#
#   xlbd_node_setup     root check (else skip) and the cleanup on every
#                       exit path: xlbd_node_cleanup_hook if the test
#                       defines one (its own processes, after xlbd is
#                       killed), topo_down, $RUN removed
#   xlbd_node_up        topo_up, $RUN, the decap program on b1 and b2
#   xlbd_start ARGS...  xlbd ARGS -f $RUN/xlb.conf in lb, its output
#                       appended to $RUN/xlbd.log; waits up to 10 s for
#                       its control socket (and, with XLBD_READY_LOG=ERE,
#                       for a log line matching ERE), else fail
#   xlbd_kill9          kill -9 (the datapath stays), reap it
#   ctl ARGS...         xlbctl against this xlbd
#   fail MESSAGE        FAIL line, xlbd_node_fail_hook's diagnostics if
#                       the test defines one, xlbd's log tail; exit 1

: "${TOPO:?set TOPO}"
. selftests/lib/topo.sh

RUN=/run/$TOPO-run
XLBD="$BUILD/agent/xlbd"
XLBCTL="$BUILD/tools/xlbctl"
XLBD_PID=""

fail() {
	echo "FAIL: $*"
	declare -F xlbd_node_fail_hook >/dev/null && xlbd_node_fail_hook
	[ -f "$RUN/xlbd.log" ] && { echo "--- xlbd log"; tail -30 "$RUN/xlbd.log"; }
	exit 1
}

# kill -9: a cleanup must not wait on a daemon that hangs; the namespaces
# and the bpffs going take the datapath with them
xlbd_node_cleanup() {
	[ -n "$XLBD_PID" ] && kill -9 "$XLBD_PID" 2>/dev/null && wait "$XLBD_PID" 2>/dev/null
	declare -F xlbd_node_cleanup_hook >/dev/null && xlbd_node_cleanup_hook
	topo_down
	rm -rf "$RUN"
}

xlbd_node_setup() {
	[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, XDP)"; exit 77; }
	trap xlbd_node_cleanup EXIT
	trap 'exit 130' INT TERM
}

xlbd_node_up() {
	local n
	topo_up || fail "topology"
	mkdir -p "$RUN"
	for n in b1 b2; do
		nsx $n "$XLB_SETUP" -p "$TOPO_BPFFS/$n" decap eth0 >/dev/null || fail "decap on $n"
	done
}

ctl() { nsx lb "$XLBCTL" -s "$RUN/xlbd.sock" "$@"; }

xlbd_ready() {
	ctl status >/dev/null 2>&1 || return 1
	[ -z "${XLBD_READY_LOG:-}" ] || grep -qE "$XLBD_READY_LOG" "$RUN/xlbd.log" 2>/dev/null
}

xlbd_start() {
	rm -f "$RUN/xlbd.sock"
	ip netns exec "$(ns lb)" "$XLBD" "$@" -f "$RUN/xlb.conf" >>"$RUN/xlbd.log" 2>&1 &
	XLBD_PID=$!
	for _ in $(seq 100); do
		xlbd_ready && return 0
		kill -0 "$XLBD_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "xlbd did not come up"
}

xlbd_kill9() {
	kill -9 "$XLBD_PID"
	wait "$XLBD_PID" 2>/dev/null
	XLBD_PID=""
}
