# SPDX-License-Identifier: GPL-2.0
# The agent and datapath fault tests (selftests/e2e/fault_*.sh; the BGP
# ones use fault.sh): the topology of topo.sh (client, leaf, lb with the
# real balancer attached by the real xlbd, backends b1 and b2 with the
# decap program) plus, on request, a third backend b3, and real servers on
# every backend: HTTP on 80, the UDP responder on 5353 (topo.sh) and the
# line echo server on 82 (echo_server.py). Traffic comes from loadgen.py in
# the client namespace. Source it from the top of the tree after setting
# TOPO (a short unique prefix); cleanup runs on every exit path. xlbd
# itself, ctl and the failure report come from xlbd_node.sh and netns.sh.
#
#   fault_setup [b3]          root check, topology, decap, servers
#   fault_conf < BODY         xlb.conf: the node's global statements + BODY
#   xlbd_start -dd            start xlbd, wait for its control socket
#   xlbd_kill9, ctl ARGS...   as in xlbd_node.sh
#   load_start ARGS...        loadgen.py ARGS in the client, wait until ready
#   load_mark                 the load's next phase (SIGUSR1)
#   load_stop                 end the load, summary in $RUN/load.json
#   load_check                zero errors: no long connection broken or
#                             moved, every phase has new connections and
#                             UDP answers and none failed; prints figures
#                             (loadgen.py check)
#   dp_counters               "name value" lines: xlbd's datapath counters
#                             (xlbctl stats) and the kernel's XDP counters
#                             of lb0 (ethtool -S, prefixed k_)
#   nexthops_cached           every backend entry holds its next hop (xlbd
#                             caches it at start or at the next refresh,
#                             a map write a test counting them must await)
# FAULT_KEEP=DIR keeps the run directory (xlbd's log, the load's summary)
# in DIR after the test, for a look.

: "${TOPO:?set TOPO}"
. selftests/lib/xlbd_node.sh

LOAD_PID=""
PY=/usr/bin/python3

fault_diag() {
	if [ -f "$RUN/load.json" ]; then
		echo "--- load errors"
		$PY selftests/lib/loadgen.py errors "$RUN/load.json"
	fi
}
fail_hook fault_diag

fault_keep() { mkdir -p "$FAULT_KEEP" && cp -r "$RUN" "$FAULT_KEEP/"; }
[ -n "${FAULT_KEEP:-}" ] && at_exit fault_keep

fault_setup() {
	local n nodes="b1 b2"
	xlbd_node_up
	if [ "${1:-}" = b3 ]; then
		topo_backend b3 3 || fail "third backend"
		nodes="b1 b2 b3"
		nsx b3 "$XLB_SETUP" -p "$TOPO_BPFFS/b3" decap eth0 >/dev/null || fail "decap on b3"
	fi
	for n in $nodes; do
		topo_spawn $n $PY selftests/lib/echo_server.py $n 82
	done
	# shellcheck disable=SC2086 # a word list
	topo_servers $nodes || fail "servers"
	for n in $nodes; do
		wait_for 5 topo_listening $n 82 || fail "echo server on $n"
	done
	# the client's own connections use ports below 30000; the flood
	# (flood.py) uses the ports above, so it never hits a real connection
	nsx client sysctl -qw net.ipv4.ip_local_port_range="20000 29999"
}

fault_conf() {
	{
		cat <<EOC
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
$(xlbd_node_conf)
EOC
		cat
	} >"$RUN/xlb.conf"
	xlbd_check lb
}

load_start() {
	rm -f "$RUN/load.ready" "$RUN/load.json"
	spawn client "$RUN/load.log" $PY selftests/lib/loadgen.py --ready "$RUN/load.ready" \
		--out "$RUN/load.json" "$@"
	LOAD_PID=$SPAWNED
	wait_for 20 test -e "$RUN/load.ready" || fail "load did not start: $(tail -5 "$RUN/load.log")"
}

load_mark() { kill -USR1 "$LOAD_PID"; }

load_stop() {
	kill -TERM "$LOAD_PID"
	wait "$LOAD_PID"
	local rc=$?
	LOAD_PID=""
	[ $rc -eq 0 ] && [ -s "$RUN/load.json" ] || fail "loadgen exit $rc: $(tail -5 "$RUN/load.log")"
}

load_check() { $PY selftests/lib/loadgen.py check "$RUN/load.json"; }

nexthops_cached() {
	local family flags n=0
	while read -r family flags; do
		[ "$family" = 0 ] && continue
		n=$((n + 1))
		((flags & 2)) || return 1
	done < <(bpftool -j map dump pinned "$TOPO_BPFFS/lb/backends" |
		json_get '[*].formatted.value' family flags)
	[ $n -gt 0 ]
}

# the datapath's counters as "name value" lines: xlbd's (xlbctl -j stats,
# summed over CPUs) and the kernel's XDP counters of lb0 (k_*)
dp_counters() {
	xlbctl_json lb stats -- '|items' || return 1
	nsx lb ethtool -S lb0 | sed -n 's/^ *rx_queue_0_\(xdp_[a-z_]*\|drops\): \([0-9]*\)$/k_\1 \2/p'
}
