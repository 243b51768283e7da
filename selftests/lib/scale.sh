# SPDX-License-Identifier: GPL-2.0
# A node at scale, for the scale tests (selftests/e2e/scale_*.sh) and the
# control benchmark (selftests/bench/control.sh): xlbd with the real
# balancer and thousands of real health checks, a real BIRD leaf, and
# failures made the way they happen (a backend network dropping or
# refusing connections). Source it from the top of the tree after setting
# TOPO (a short unique prefix) and BUILD; cleanup runs on every exit path.
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
#   scale_setup              root check (else skip), traps (the cleanup
#                            calls scale_down_hook first if defined)
#   scale_up                 namespaces, links, acceptors, nftables
#   scale_conf NAME ARGS...  $RUN/NAME.conf from scale_conf.py ARGS (the
#                            node's pin path, socket, state file added);
#                            SCALE_ARGS holds the node's own ARGS
#   scale_list WHAT ARGS...  scale_conf.py WHAT ARGS (down, withdrawn, ...)
#   scale_leaf [OPTION...]   BIRD on the leaf peering with lb (leaf.sh)
#   xlbd_up CONF [ARGS...]   start xlbd (its log $RUN/xlbd.log), wait until
#                            its control socket answers; XLBD_PID
#   xlbd_term                SIGTERM, wait for the exit; SCALE_EXIT_MS
#   scale_fail SET FILE      the addresses of FILE into nft set SET
#                            (down or dark), in one transaction
#   scale_heal SET           the set emptied
#   sctl ARGS...             xlbctl against the node
#   sjson ARGS... -- EXPR    python EXPR over `xlbctl -j ARGS` (as j)
#   scale_all_announced N    xlbd announces N VIPs and the leaf has them
#   scale_fail_msg MESSAGE   diagnostics (xlbd's log, the leaf's), exit 1

: "${TOPO:?set TOPO}"
: "${BUILD:=build}"
RUN=/run/$TOPO-run
LEAF_RUN=$RUN/leaf
SCALE_PY=/usr/bin/python3
SCALE_PIDS=""
XLBD_PID=""
SCALE_EXIT_MS=0
. selftests/lib/leaf.sh

sns() { echo "${TOPO}-$1"; }
snx() { local n=$1; shift; ip netns exec "$(sns "$n")" "$@"; }
smono_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
now_ns() { date +%s%N; }

scale_fail_msg() {
	echo "FAIL: $*"
	[ -f "$RUN/xlbd.log" ] && { echo "--- xlbd log"; tail -30 "$RUN/xlbd.log"; }
	leaf_log bird 10 2>/dev/null
	exit 1
}

scale_down() {
	local p n
	declare -F scale_down_hook >/dev/null && scale_down_hook
	[ -n "$XLBD_PID" ] && kill -9 "$XLBD_PID" 2>/dev/null && wait "$XLBD_PID" 2>/dev/null
	XLBD_PID=""
	leaf_stop_all
	for p in $SCALE_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $SCALE_PIDS; do
		wait "$p" 2>/dev/null
	done
	SCALE_PIDS=""
	for n in lb leaf be; do
		ip netns del "$(sns $n)" 2>/dev/null
	done
	if [ -n "${SCALE_BPFFS:-}" ] && mountpoint -q "$SCALE_BPFFS"; then
		umount "$SCALE_BPFFS"
	fi
	[ -n "${SCALE_BPFFS:-}" ] && rmdir "$SCALE_BPFFS" 2>/dev/null
	[ -n "${SCALE_KEEP:-}" ] && mkdir -p "$SCALE_KEEP" && cp -r "$RUN" "$SCALE_KEEP/"
	rm -rf "$RUN"
	return 0
}

scale_setup() {
	[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, XDP)"; exit 77; }
	command -v nft >/dev/null || { echo "needs nft (nftables)"; exit 77; }
	trap scale_down EXIT
	trap 'exit 130' INT TERM
}

slink() {
	ip link add "$2" netns "$(sns "$1")" type veth peer name "$4" netns "$(sns "$3")"
	snx "$1" ip link set "$2" up
	snx "$3" ip link set "$4" up
}

# sspawn NODE LOG CMD...: a helper daemon in NODE, waited for at
# cleanup; its output to LOG
sspawn() {
	local n=$1 log=$2
	shift 2
	ip netns exec "$(sns "$n")" "$@" >>"$log" 2>&1 &
	SCALE_PIDS="$SCALE_PIDS $!"
}

# an acceptor on port 80 of NODE, up when it says so
sacceptor() {
	local log="$RUN/acceptor.$1.log"
	sspawn "$1" "$log" "$SCALE_PY" selftests/lib/acceptor.py 80
	for _ in $(seq 100); do
		grep -q listening "$log" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

scale_up() {
	local n
	mkdir -p "$RUN" "$LEAF_RUN"
	for n in lb leaf be; do
		ip netns add "$(sns $n)" || return 1
		snx $n ip link set lo up
		snx $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	SCALE_BPFFS=/run/${TOPO}-bpffs
	mkdir -p "$SCALE_BPFFS"
	mount -t bpf bpf "$SCALE_BPFFS" || return 1
	export LIBXDP_BPFFS="$SCALE_BPFFS"
	slink lb lb0 leaf l-lb
	slink lb lbb0 be eth0
	snx lb ip addr add 192.0.2.10/25 dev lb0
	snx lb ip addr add 2001:db8:1::10/64 dev lb0 nodad
	snx leaf ip addr add 192.0.2.1/25 dev l-lb
	snx leaf ip addr add 192.0.2.3/25 dev l-lb
	snx leaf ip addr add 2001:db8:1::1/64 dev l-lb nodad
	snx lb ip addr add 2001:db8:2::10/64 dev lbb0 nodad
	snx be ip addr add 2001:db8:2::1/64 dev eth0 nodad
	snx lb ip -6 route add 2001:db8:be::/96 via 2001:db8:2::1
	snx be ip -6 route add 2001:db8:2::/64 dev eth0 2>/dev/null
	snx be ip -6 route add default via 2001:db8:2::10
	# AnyIP: every backend address is this namespace's own
	snx be ip -6 route add local 2001:db8:be::/96 dev lo
	# the host-mode VIPs are lb's own addresses
	snx lb ip route add local 203.0.113.0/24 dev lo
	snx lb ip -6 route add local 2001:db8:ffff::2:0/112 dev lo
	# a veth takes XDP_TX frames from its peer only if it runs XDP itself
	snx leaf ip link set dev l-lb xdp obj "$BUILD/selftests/lib/xdp_pass.bpf.o" sec xdp
	snx be nft -f - <<'EOF' || return 1
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
}

scale_conf() {
	local name=$1
	shift
	"$SCALE_PY" selftests/lib/scale_conf.py conf --pin "$SCALE_BPFFS/lb" \
		--socket "$RUN/xlbd.sock" --state "$RUN/state" "$@" >"$RUN/$name.conf"
}

scale_list() { "$SCALE_PY" selftests/lib/scale_conf.py "$@"; }

scale_leaf() { leaf_start bird "$(sns leaf)" neighbor=192.0.2.10 "$@"; }

sctl() { "$BUILD/tools/xlbctl" -s "$RUN/xlbd.sock" "$@"; }
sjson() {
	local args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	sctl -j "${args[@]}" | "$SCALE_PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# xlbd_up CONF [ARGS...]: SCALE_START_MS gets exec to first answer, and
# SCALE_START_WRITES the map writes status reported then
xlbd_up() {
	local conf=$1 out t0
	shift
	rm -f "$RUN/xlbd.sock"
	"$SCALE_PY" selftests/lib/ctl_probe.py wait "$RUN/xlbd.sock" 120 >"$RUN/up.out" 2>&1 &
	local waiter=$!
	t0=$(now_ns)
	ip netns exec "$(sns lb)" "$BUILD/agent/xlbd" -d "$@" -f "$conf" >>"$RUN/xlbd.log" 2>&1 &
	XLBD_PID=$!
	wait "$waiter"
	out=$(cat "$RUN/up.out")
	[[ $out =~ ^up\ ([0-9]+)\ (-?[0-9]+) ]] || scale_fail_msg "xlbd did not answer: $out"
	SCALE_START_MS=$(((BASH_REMATCH[1] - t0) / 1000000))
	SCALE_START_WRITES=${BASH_REMATCH[2]}
}

# (an xlbd that takes more than 300 s is killed: SCALE_EXIT_MS says so)
xlbd_term() {
	local t0 killer
	( sleep 300; kill -9 "$XLBD_PID" 2>/dev/null ) &
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
		snx be nft -f -
}

scale_heal() { snx be nft flush set inet scale "$1"; }

# every VIP announced by xlbd and N routes at the leaf's kernel
scale_all_announced() {
	local n=$1 got
	got=$(sjson vip show -- 'sum(1 for v in j if v["route"] == "announced")' 2>/dev/null) || return 1
	[ "$got" = "$n" ] || return 1
	got=$(($(snx leaf ip -4 route show proto bird | wc -l) + $(snx leaf ip -6 route show proto bird | wc -l)))
	[ "$got" -ge "$n" ]
}
