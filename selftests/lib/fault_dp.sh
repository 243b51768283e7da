# SPDX-License-Identifier: GPL-2.0
# The agent and datapath fault tests (selftests/e2e/fault_*.sh; the BGP
# ones use fault.sh): the
# topology of topo.sh (client, leaf, lb with the real balancer attached by
# the real xlbd, backends b1 and b2 with the decap program) plus, on
# request, a third backend b3, and real servers on every backend: HTTP on
# 80, the UDP responder on 5353 (topo.sh) and the line echo server on 82
# (echo_server.py). Traffic comes from loadgen.py in the client namespace.
# Source it from the top of the tree after setting TOPO (a short unique
# prefix); cleanup runs on every exit path. xlbd itself, ctl and the
# failure report come from xlbd_node.sh.
#
#   fault_setup [b3]          root check, topology, decap, servers, traps
#   fault_conf < BODY         xlb.conf: the node's global statements + BODY
#   xlbd_start -dd            start xlbd, wait for its control socket
#   xlbd_kill9, ctl ARGS...   as in xlbd_node.sh
#   ctl_json ARGS... -- EXPR  python EXPR over `xlbctl -j ARGS` (as j)
#   load_start ARGS...        loadgen.py ARGS in the client, wait until ready
#   load_mark                 the load's next phase (SIGUSR1)
#   load_stop                 end the load, summary in $RUN/load.json
#   load_check                zero errors: no long connection broken or
#                             moved, every phase has new connections and
#                             UDP answers and none failed; prints figures
#   dp_counters               "name value" lines: xlbd's datapath counters
#                             (xlbctl stats) and the kernel's XDP counters
#                             of lb0 (ethtool -S, prefixed k_)
#   nexthops_cached           every backend entry holds its next hop (xlbd
#                             caches it at start or at the next refresh,
#                             a map write a test counting them must await)
#   fault_fail MESSAGE        diagnostics, exit 1
#   now_ms, wait_for SECONDS CMD...
# FAULT_KEEP=DIR keeps the run directory (xlbd's log, the load's summary)
# in DIR after the test, for a look.

: "${TOPO:?set TOPO}"
. selftests/lib/xlbd_node.sh

LOAD_PID=""
FAULT_B3=""
PY=/usr/bin/python3

now_ms() { echo $(($(date +%s%N) / 1000000)); }
wait_for() { # SECONDS CMD... : until CMD succeeds
	local end=$(($(now_ms) + $1 * 1000))
	shift
	while [ "$(now_ms)" -lt $end ]; do "$@" && return 0; sleep 0.05; done
	return 1
}

fault_fail() { fail "$@"; }

xlbd_node_fail_hook() {
	if [ -f "$RUN/load.json" ]; then
		echo "--- load errors"
		$PY -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["errors"][:20]))' \
			"$RUN/load.json"
	fi
}

xlbd_node_cleanup_hook() {
	[ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
	[ -n "$FAULT_B3" ] && ip netns del "$(ns b3)" 2>/dev/null
	# FAULT_KEEP=DIR keeps the logs and summaries for a look afterwards
	[ -n "${FAULT_KEEP:-}" ] && mkdir -p "$FAULT_KEEP" && cp -r "$RUN" "$FAULT_KEEP/"
}

# a third backend on the leaf's bridge, as topo_up makes b1 and b2
fault_b3() {
	FAULT_B3=1
	ip netns add "$(ns b3)" || return 1
	nsx b3 ip link set lo up
	nsx b3 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	topo_link b3 eth0 leaf l-b3
	nsx leaf ip link set l-b3 master br0
	topo_addr b3 eth0 198.51.100.13/24
	topo_addr b3 eth0 2001:db8:b::13/64
	topo_addr b3 lo $VIP4/32
	topo_addr b3 lo $VIP6/128
	nsx b3 ip route add 192.0.2.0/24 via 198.51.100.1
	nsx b3 ip -6 route add 2001:db8:c::/64 via 2001:db8:b::1
	nsx b3 ip -6 route add 2001:db8:1::/64 via 2001:db8:b::1
	nsx b3 sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
	mkdir -p "$TOPO_BPFFS.www/b3"
	echo b3 >"$TOPO_BPFFS.www/b3/index.html"
	topo_spawn b3 $PY -m http.server --bind :: --directory "$TOPO_BPFFS.www/b3" 80
	topo_spawn b3 $PY -c '
import select, socket, sys
socks = []
for fam, addr in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, 5353))
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        data, peer = s.recvfrom(512)
        s.sendto(b"b3\n", peer)
' $VIP4 $VIP6
}

fault_listening() { nsx "$1" ss -ltn | grep -q ":$2 "; }

fault_setup() {
	local n nodes="b1 b2"
	xlbd_node_setup
	mkdir -p "$RUN"
	topo_up || fault_fail "topology"
	if [ "${1:-}" = b3 ]; then
		fault_b3 || fault_fail "third backend"
		nodes="b1 b2 b3"
	fi
	for n in $nodes; do
		nsx $n "$XLB_SETUP" -p "$TOPO_BPFFS/$n" decap eth0 >/dev/null || fault_fail "decap on $n"
		topo_spawn $n $PY selftests/lib/echo_server.py $n 82
	done
	topo_servers
	for n in $nodes; do
		wait_for 5 fault_listening $n 82 || fault_fail "echo server on $n"
		wait_for 5 fault_listening $n 80 || fault_fail "HTTP server on $n"
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
encap-source $LB4 $LB6
xdp interface lb0
pin-path $TOPO_BPFFS/lb
control-socket $RUN/xlbd.sock
state-file $RUN/state
EOC
		cat
	} >"$RUN/xlb.conf"
	"$XLBD" -n -f "$RUN/xlb.conf" >"$RUN/check.log" 2>&1 ||
		fault_fail "xlbd -n refuses the config: $(cat "$RUN/check.log")"
}

# ctl_json ARGS... -- EXPR: EXPR evaluated with j = the JSON answer
ctl_json() {
	local args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	ctl -j "${args[@]}" | $PY -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

load_start() {
	rm -f "$RUN/load.ready" "$RUN/load.json"
	ip netns exec "$(ns client)" $PY selftests/lib/loadgen.py --ready "$RUN/load.ready" \
		--out "$RUN/load.json" "$@" >>"$RUN/load.log" 2>&1 &
	LOAD_PID=$!
	wait_for 20 test -e "$RUN/load.ready" || fault_fail "load did not start: $(tail -5 "$RUN/load.log")"
}

load_mark() { kill -USR1 "$LOAD_PID"; }

load_stop() {
	kill -TERM "$LOAD_PID"
	wait "$LOAD_PID"
	local rc=$?
	LOAD_PID=""
	[ $rc -eq 0 ] && [ -s "$RUN/load.json" ] || fault_fail "loadgen exit $rc: $(tail -5 "$RUN/load.log")"
}

load_check() {
	$PY - "$RUN/load.json" "$@" <<'EOP'
import json, sys
s = json.load(open(sys.argv[1]))
bad = []
for i, p in enumerate(s["phases"]):
    print("phase %d: new %d ok %d failed %s, udp %d answered (%d retried) %d lost %s, "
          "long exchanges %d" % (i, p["new_ok"], p["new_fail"], p["new_backends"], p["udp_ok"],
                                 p["udp_retried"], p["udp_lost"], p["udp_backends"],
                                 p["long_exchanges"]))
    if p["new_fail"] or p["udp_lost"]:
        bad.append("phase %d: %d new connections failed, %d UDP queries lost" %
                   (i, p["new_fail"], p["udp_lost"]))
    if not p["new_ok"] or not p["udp_ok"]:
        bad.append("phase %d: no new connection or no UDP answer at all" % i)
longs = [c for c in s["conns"] if c["kind"] == "long"]
broken = [c for c in longs if c["error"]]
silent = [c for c in longs if not c["error"] and
          any(str(i) not in c["per_phase"] for i in range(len(s["phases"])))]
rtt = max([c["max_rtt_ms"] for c in longs] or [0])
print("long connections: %d, %d broken, %d silent in a phase, %d exchanges, max rtt %.0f ms" %
      (len(longs), len(broken), len(silent), sum(c["exchanges"] for c in longs), rtt))
if broken:
    bad.append("%d long connections broke, first: %s" % (len(broken), broken[0]))
if silent:
    bad.append("%d long connections made no exchange in a phase, first: %s" %
               (len(silent), silent[0]))
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
EOP
}

nexthops_cached() {
	bpftool -j map dump pinned "$TOPO_BPFFS/lb/backends" | $PY -c '
import json, sys
used = [e["formatted"]["value"] for e in json.load(sys.stdin) if e["formatted"]["value"]["family"]]
sys.exit(not used or any(not v["flags"] & 2 for v in used))'
}

# the datapath's counters as "name value" lines: xlbd's (xlbctl -j stats,
# summed over CPUs) and the kernel's XDP counters of lb0 (k_*)
dp_counters() {
	ctl -j stats | $PY -c 'import json,sys; [print(k, v) for k, v in json.load(sys.stdin).items()]' ||
		return 1
	nsx lb ethtool -S lb0 | sed -n 's/^ *rx_queue_0_\(xdp_[a-z_]*\|drops\): \([0-9]*\)$/k_\1 \2/p'
}
