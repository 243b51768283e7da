# SPDX-License-Identifier: GPL-2.0
# xlbd and xlbctl on a node of any topology (topo.sh's lb, bgp.sh's lb and
# lb2, system.sh's lb1, dns1, ...): start it, check its config, talk to
# it, read its JSON. The topology says where a node's files are with
# node_dir NODE: xlb.conf, xlbd.log and the control socket xlbd.sock.
# Built on selftests/lib/netns.sh (the cleanup stops xlbd, fail reports).
#
#   xlbd_check NODE               xlbd -n on its xlb.conf, else fail
#   xlbd_spawn NODE [ARGS...]     xlbd ARGS -f $(node_dir NODE)/xlb.conf in
#                                 NODE, log appended to xlbd.log there; waits
#                                 up to 10 s for its control socket (and,
#                                 with XLBD_READY_LOG=ERE, a log line
#                                 matching ERE), else fail; PID in
#                                 NODE_PID[NODE]; stopped at exit with
#                                 XLBD_STOP_SIGNAL (default KILL: a cleanup
#                                 must not wait on a daemon that hangs)
#   xlbd_ready NODE               it answers (and logged XLBD_READY_LOG)
#   node_ctl NODE ARGS...         xlbctl against NODE's xlbd
#   xlbctl_json NODE ARGS... -- PATH [KEY...]
#                                 a field of `xlbctl -j ARGS` on NODE, read
#                                 by json_get (json_get.py: PATH as in jq)

. selftests/lib/netns.sh
[ -n "${XLBD_SH:-}" ] && return 0
XLBD_SH=1
XLBD="$BUILD/agent/xlbd"
XLBCTL="$BUILD/tools/xlbctl"
declare -gA NODE_PID

xlbctl_json() {
	local n=$1 args=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	node_ctl "$n" -j "${args[@]}" | json_get "$@"
}

node_ctl() {
	local n=$1
	shift
	nsx "$n" "$XLBCTL" -s "$(node_dir "$n")/xlbd.sock" "$@"
}

xlbd_check() {
	local d
	d=$(node_dir "$1")
	"$XLBD" -n -f "$d/xlb.conf" >"$d/check.log" 2>&1 ||
		fail "xlbd -n refuses the config of $1: $(cat "$d/check.log")"
}

xlbd_ready() {
	node_ctl "$1" status >/dev/null 2>&1 || return 1
	[ -z "${XLBD_READY_LOG:-}" ] || grep -qE "$XLBD_READY_LOG" "$(node_dir "$1")/xlbd.log" 2>/dev/null
}
xlbd_up_or_gone() { xlbd_ready "$1" || ! kill -0 "${NODE_PID[$1]}" 2>/dev/null; }

xlbd_spawn() {
	local n=$1 d
	shift
	d=$(node_dir "$n")
	rm -f "$d/xlbd.sock"
	spawn "$n" "$d/xlbd.log" "$XLBD" "$@" -f "$d/xlb.conf"
	NODE_PID[$n]=$SPAWNED
	cleanup_pid "$SPAWNED" "${XLBD_STOP_SIGNAL:-KILL}"
	wait_for 10 xlbd_up_or_gone "$n"
	xlbd_ready "$n" || fail "xlbd on $n did not come up"
}
