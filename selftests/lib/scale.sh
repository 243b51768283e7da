# SPDX-License-Identifier: GPL-2.0
# A node at scale, for the scale tests (selftests/e2e/scale_*.sh) and the
# control benchmark (selftests/bench/control.sh): xlbd with the real
# balancer and thousands of real health checks, a real BIRD leaf, and
# failures made the way they happen (a backend network dropping or
# refusing connections). Source it from the top of the tree after setting
# TOPO (a short prefix, unique per run) and BUILD; it builds on
# selftests/lib/netns.sh, whose trap takes everything away on every exit
# path (SCALE_KEEP=DIR copies the run directory, logs included, there
# first).
#
#   leaf (BIRD, 192.0.2.1; a raw peer may use 192.0.2.3)
#    |  l-lb -- lb0
#   lb (192.0.2.10, 2001:db8:1::10): xlbd, XDP on lb0; host-mode VIPs
#    |  lbb0 -- eth0      (203.0.113.0/24 and 2001:db8:ffff::2:0/112 are
#   be (2001:db8:2::1)      local on lb's lo, answered by an acceptor)
#      every backend 2001:db8:be::/96 is local on be's lo (AnyIP) and
#      answered by one acceptor (selftests/lib/acceptor.py); nftables
#      sets make backends fail: `down` refuses (TCP RST), `dark` drops
#
#   scale_setup              root and nft (else skip)
#   scale_up                 namespaces, links, acceptors, nftables
#   scale_conf NAME ARGS...  $RUN/NAME.conf from scale_conf.py ARGS (the
#                            node's pin path, socket and state file added)
#   scale_list WHAT ARGS...  scale_conf.py WHAT ARGS (down, withdrawn, ...)
#   scale_leaf [OPTION...]   BIRD on the leaf peering with lb (leaf.sh)
#   xlbd_up CONF [ARGS...]   start xlbd (its log $RUN/xlbd.log) and wait
#                            until its control socket answers: XLBD_PID,
#                            SCALE_START_MS (exec to that answer) and
#                            SCALE_START_WRITES (the map writes it reported)
#   xlbd_term                SIGTERM, wait for the exit: SCALE_EXIT_MS
#   scale_fail SET FILE      the addresses of FILE into nft set SET
#                            (down or dark), in one transaction
#   scale_heal SET           the set emptied
#   sctl ARGS...             xlbctl against the node
#   sjson ARGS... -- EXPR    python EXPR over `xlbctl -j ARGS` (as j)
#   scale_all_announced N    xlbd announces N VIPs and the leaf has them
#   scale_up_count N         "X of N VIPs announced" (for messages)
#   mono                     CLOCK_MONOTONIC in ms (the helpers' clock)

: "${TOPO:?set TOPO}"
: "${BUILD:=build}"
RUN=/run/$TOPO-run
LEAF_RUN=$RUN/leaf
SCALE_PY=/usr/bin/python3
XLBD_PID=""
SCALE_EXIT_MS=0
. selftests/lib/netns.sh
. selftests/lib/leaf.sh

mono() { "$SCALE_PY" -c 'import time; print("%.1f" % (time.monotonic() * 1000))'; }
now_ns() { date +%s%N; }

scale_diag() {
	[ -f "$RUN/xlbd.log" ] && { echo "--- xlbd log"; tail -30 "$RUN/xlbd.log"; }
	return 0
}

scale_keep() {
	[ -n "${SCALE_KEEP:-}" ] && mkdir -p "$SCALE_KEEP" && cp -r "$RUN" "$SCALE_KEEP/"
	return 0
}

scale_setup() {
	need_root
	command -v nft >/dev/null || skip "needs nft (nftables)"
	fail_hook scale_diag
}

# an acceptor on port 80 of NODE, up when it says so
sacceptor() {
	local log="$RUN/acceptor.$1.log"
	spawn "$1" "$log" "$SCALE_PY" selftests/lib/acceptor.py 80
	wait_for 10 grep -q listening "$log"
}

scale_up() {
	mkdir -p "$RUN" "$LEAF_RUN"
	cleanup_dir "$RUN"
	at_exit scale_keep
	netns_add lb leaf be || return 1
	SCALE_BPFFS=/run/${TOPO}-bpffs
	mkdir -p "$SCALE_BPFFS"
	cleanup_dir "$SCALE_BPFFS"
	mount -t bpf bpf "$SCALE_BPFFS" || return 1
	cleanup_mount "$SCALE_BPFFS"
	export LIBXDP_BPFFS="$SCALE_BPFFS"
	netns_link lb lb0 leaf l-lb || return 1
	netns_link lb lbb0 be eth0 || return 1
	netns_addr lb lb0 192.0.2.10/25
	netns_addr lb lb0 2001:db8:1::10/64
	netns_addr leaf l-lb 192.0.2.1/25
	netns_addr leaf l-lb 192.0.2.3/25
	netns_addr leaf l-lb 2001:db8:1::1/64
	netns_addr lb lbb0 2001:db8:2::10/64
	netns_addr be eth0 2001:db8:2::1/64
	nsx lb ip -6 route add 2001:db8:be::/96 via 2001:db8:2::1
	# the balancer forwards (its FIB lookups need forwarding on), and a
	# packet whose next hop is not resolved yet goes through the kernel
	nsx lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.accept_local=1 net.ipv4.conf.all.rp_filter=0
	nsx be ip -6 route add default via 2001:db8:2::10
	# AnyIP: every backend address is this namespace's own
	nsx be ip -6 route add local 2001:db8:be::/96 dev lo
	# the host-mode VIPs are lb's own addresses
	nsx lb ip route add local 203.0.113.0/24 dev lo
	nsx lb ip -6 route add local 2001:db8:ffff::2:0/112 dev lo
	# a veth takes XDP_TX (XDP_REDIRECT) frames from its peer only if it
	# runs XDP itself
	nsx leaf ip link set dev l-lb xdp obj "$BUILD/selftests/lib/xdp_pass.bpf.o" sec xdp
	nsx be ip link set dev eth0 xdp obj "$BUILD/selftests/lib/xdp_pass.bpf.o" sec xdp
	nsx be nft -f - <<'EOF' || return 1
table inet scale {
	set down { type ipv6_addr; }
	set dark { type ipv6_addr; }
	chain input {
		type filter hook input priority 0; policy accept;
		ip6 daddr @down tcp dport 80 reject with tcp reset
		ip6 daddr @dark drop
	}
}
EOF
	sacceptor be || return 1
	sacceptor lb || return 1
	# the backends' gateway resolved before xlbd starts: its next hops
	# (looked up every 5 s, never resolved by xlbd itself) are complete
	# from the first round, so a take-over finds nothing to write
	nsx lb "$SCALE_PY" -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"x", ("2001:db8:be::1", 9))'
	wait_for 10 scale_gw_resolved || return 1
}

scale_gw_resolved() { nsx lb ip -6 neigh show 2001:db8:2::1 dev lbb0 | grep -q lladdr; }

scale_conf() {
	local name=$1
	shift
	"$SCALE_PY" selftests/lib/scale_conf.py conf --pin "$SCALE_BPFFS/lb" \
		--socket "$RUN/xlbd.sock" --state "$RUN/state" "$@" >"$RUN/$name.conf"
}

scale_list() { "$SCALE_PY" selftests/lib/scale_conf.py "$@"; }

scale_leaf() { leaf_start bird "$(ns leaf)" neighbor=192.0.2.10 "$@"; }

sctl() { "$BUILD/tools/xlbctl" -s "$RUN/xlbd.sock" "$@"; }
sjson() {
	local args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	sctl -j "${args[@]}" | "$SCALE_PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

xlbd_up() {
	local conf=$1 out t0 waiter
	shift
	rm -f "$RUN/xlbd.sock"
	"$SCALE_PY" selftests/lib/ctl_probe.py wait "$RUN/xlbd.sock" 120 >"$RUN/up.out" 2>&1 &
	waiter=$!
	cleanup_pid "$waiter"
	t0=$(now_ns)
	ip netns exec "$(ns lb)" "$BUILD/agent/xlbd" -d "$@" -f "$conf" >>"$RUN/xlbd.log" 2>&1 &
	XLBD_PID=$!
	# a cleanup must not wait on a daemon that hangs
	cleanup_pid "$XLBD_PID" KILL
	wait "$waiter"
	out=$(cat "$RUN/up.out")
	[[ $out =~ ^up\ ([0-9]+)\ (-?[0-9]+) ]] || fail "xlbd did not answer: $out"
	SCALE_START_MS=$(((BASH_REMATCH[1] - t0) / 1000000))
	SCALE_START_WRITES=${BASH_REMATCH[2]}
}

# (an xlbd that takes more than 300 s is killed: SCALE_EXIT_MS says so)
xlbd_term() {
	local t0 killer
	# (its sleep goes with it: an orphan sleep would hold our output open)
	(
		trap 'kill "$s" 2>/dev/null; exit 0' TERM
		sleep 300 >/dev/null 2>&1 &
		s=$!
		wait "$s" && kill -9 "$XLBD_PID" 2>/dev/null
	) &
	killer=$!
	t0=$(now_ns)
	kill -TERM "$XLBD_PID"
	wait "$XLBD_PID"
	SCALE_EXIT_MS=$((($(now_ns) - t0) / 1000000))
	kill "$killer" 2>/dev/null
	wait "$killer" 2>/dev/null
	XLBD_PID=""
}

scale_fail() {
	local set=$1 file=$2
	{ echo -n "add element inet scale $set { "; paste -sd, "$file"; echo " }"; } |
		nsx be nft -f -
}

scale_heal() { nsx be nft flush set inet scale "$1"; }

# every VIP announced by xlbd and N routes at the leaf's kernel
scale_all_announced() {
	local n=$1 got
	got=$(sjson vip show -- 'sum(1 for v in j if v["route"] == "announced")' 2>/dev/null) || return 1
	[ "$got" = "$n" ] || return 1
	got=$(($(nsx leaf ip -4 route show proto bird | wc -l) + $(nsx leaf ip -6 route show proto bird | wc -l)))
	[ "$got" -ge "$n" ]
}

scale_up_count() {
	echo "$(sjson vip show -- 'sum(1 for v in j if v["route"] == "announced")' 2>/dev/null || echo ?) of $1 VIPs announced"
}
