# SPDX-License-Identifier: GPL-2.0
# Topology and xlb nodes for the BGP interop tests (selftests/e2e/bgp/).
# Source it from the top of the tree after setting TOPO (a short unique
# prefix); call bgp_setup NODE... first. Cleanup runs on every exit path.
#
#   leaf router: br0 192.0.2.1/25, 2001:db8:1::1/64 (BIRD, FRR or GoBGP,
#     |          AS 65000, see selftests/lib/leaf.sh and doc/leaf/)
#     | bridge
#   lb  192.0.2.10, 2001:db8:1::10  (xlbd, AS 65010)
#   lb2 192.0.2.11, 2001:db8:1::11  (a second xlb node, for ECMP)
#
# VIPs come from 203.0.113.0/24 and 2001:db8:ffff::/48; documentation
# addresses only, no link to the root namespace.
#
# An xlb node runs xlbd with the config the test gives node_conf, plus its
# own control socket and state file. With XLB_STANDIN=bird it runs BIRD
# instead, with the same announcements translated by standin.py: a
# known-good speaker to tell a test's mistake from xlbd's. Checks that need
# xlbctl are skipped then (node_is_xlbd).
#
#   bgp_setup NODE...         root check, topology, traps
#   node_conf NODE < BODY     xlb.conf body (global statements, neighbors, VIPs)
#   node_start NODE           start and wait for the control socket
#                             (XLBD_ARGS: extra xlbd options; xlbd logs at
#                             debug level unless XLBD_LOG_FLAGS says
#                             otherwise, e.g. empty for the default level)
#   node_kill NODE [SIGNAL]   default KILL; waits for the process
#   node_signal NODE SIGNAL   STOP/CONT without waiting
#   node_vip NODE disable|enable VIP
#   node_ctl NODE ARGS...     xlbctl against the node (xlbd only)
#   node_bgp NODE NEIGHBOR FIELD   a field of `xlbctl -j bgp show` (xlbd only)
#   bgp_fail MESSAGE          diagnostics (leaf routes and logs, xlbd log,
#                             bgp show), exit 1
#   bgp_ms START_MS           milliseconds since START_MS ($(leaf_now_ms))

: "${BUILD:=build}"
: "${TOPO:?set TOPO}"
XLBD="$BUILD/agent/xlbd"
XLBCTL="$BUILD/tools/xlbctl"
RUN=/run/$TOPO-run
LEAF_RUN=$RUN/leaf
XLB_STANDIN=${XLB_STANDIN:-}
# xlbd's log options (benchmarks run it at the default level)
XLBD_LOG_FLAGS=${XLBD_LOG_FLAGS--dd}
LEAF4=192.0.2.1
LEAF6=2001:db8:1::1
VIP4=203.0.113.10
VIP6=2001:db8:ffff::10
declare -gA NODE_PID NODE_ADDR4 NODE_ADDR6
NODE_ADDR4=([lb]=192.0.2.10 [lb2]=192.0.2.11)
NODE_ADDR6=([lb]=2001:db8:1::10 [lb2]=2001:db8:1::11)
BGP_NODES=""
BGP_BG_PIDS=""

ns() { echo "${TOPO}-$1"; }
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

. selftests/lib/leaf.sh

bgp_ms() { echo $(($(leaf_now_ms) - $1)); }

node_is_xlbd() { [ -z "$XLB_STANDIN" ]; }

bgp_topo_up() {
	local n
	ip netns add "$(ns leaf)" || return 1
	nsx leaf ip link set lo up
	# no DAD: addresses (link-local ones too: FRR waits for those) usable at once
	nsx leaf sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	nsx leaf ip link add br0 type bridge
	nsx leaf ip link set br0 up
	nsx leaf ip addr add $LEAF4/25 dev br0
	nsx leaf ip addr add $LEAF6/64 dev br0 nodad
	for n in $BGP_NODES; do
		ip netns add "$(ns "$n")" || return 1
		nsx "$n" ip link set lo up
		nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
		ip link add "l-$n" netns "$(ns leaf)" type veth peer name eth0 netns "$(ns "$n")" ||
			return 1
		nsx leaf ip link set "l-$n" master br0
		nsx leaf ip link set "l-$n" up
		nsx "$n" ip link set eth0 up
		nsx "$n" ip addr add "${NODE_ADDR4[$n]}/25" dev eth0
		nsx "$n" ip addr add "${NODE_ADDR6[$n]}/64" dev eth0 nodad
	done
}

bgp_cleanup() {
	local n p
	# shellcheck disable=SC2086 # a word list; also waits for disowned ones
	leaf_kill_wait $BGP_BG_PIDS
	for n in "${!NODE_PID[@]}"; do
		p=${NODE_PID[$n]}
		[ -n "$p" ] || continue
		kill -CONT "$p" 2>/dev/null
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	leaf_stop_all
	for n in leaf $BGP_NODES; do
		ip netns del "$(ns "$n")" 2>/dev/null
	done
	rm -rf "$RUN"
}

bgp_setup() {
	BGP_NODES="$*"
	[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
	trap bgp_cleanup EXIT
	trap 'exit 130' INT TERM
	rm -rf "$RUN"
	mkdir -p "$RUN" "$LEAF_RUN"
	bgp_topo_up || bgp_fail "topology"
}

node_dir() { echo "$RUN/$1"; }

node_conf() {
	local n=$1 d
	d=$(node_dir "$n")
	mkdir -p "$d"
	{
		cat
		echo "control-socket $d/xlbd.sock"
		echo "state-file $d/state"
	} >"$d/xlb.conf"
	printf '%s\n%s\n' "${NODE_ADDR4[$n]}" "${NODE_ADDR6[$n]}" >"$d/addrs"
	if node_is_xlbd; then
		"$XLBD" -n -f "$d/xlb.conf" >"$d/check.log" 2>&1 ||
			bgp_fail "xlbd -n refuses the config of $n: $(cat "$d/check.log")"
	fi
}

node_ctl() {
	local n=$1
	shift
	nsx "$n" "$XLBCTL" -s "$(node_dir "$n")/xlbd.sock" "$@"
}

# the BIRD stand-in's config from xlb.conf and the drain/disable lists
standin_write() {
	local d t
	d=$(node_dir "$1")
	# a temporary file of its own: a drain running in the background may
	# write the config at the same time
	t=$(mktemp "$d/bird.conf.XXXXXX") || return 1
	/usr/bin/python3 selftests/lib/standin.py bird "$d/xlb.conf" "$d" >"$t" &&
		mv "$t" "$d/bird.conf"
}

standin_apply() {
	local d i
	d=$(node_dir "$1")
	standin_write "$1" || return 1
	# a background drain may be reconfiguring at this very moment: BIRD
	# then queues or refuses the request; ask again
	for i in 1 2 3 4 5; do
		birdc -s "$d/bird.ctl" configure | grep -q Reconfigured && return 0
		sleep 0.1
	done
	return 1
}

node_start() {
	local n=$1 d i
	d=$(node_dir "$n")
	if node_is_xlbd; then
		rm -f "$d/xlbd.sock"
		# shellcheck disable=SC2086 # XLBD_LOG_FLAGS, XLBD_ARGS: word lists
		ip netns exec "$(ns "$n")" "$XLBD" $XLBD_LOG_FLAGS ${XLBD_ARGS:-} -f "$d/xlb.conf" \
			>>"$d/xlbd.log" 2>&1 &
		NODE_PID[$n]=$!
		for i in $(seq 100); do
			node_ctl "$n" status >/dev/null 2>&1 && return 0
			kill -0 "${NODE_PID[$n]}" 2>/dev/null || break
			sleep 0.05
		done
		bgp_fail "xlbd on $n did not come up"
	fi
	standin_write "$n" || bgp_fail "stand-in config for $n"
	rm -f "$d/bird.ctl"
	ip netns exec "$(ns "$n")" bird -f -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" \
		>>"$d/bird.log" 2>&1 &
	NODE_PID[$n]=$!
	for i in $(seq 100); do
		birdc -s "$d/bird.ctl" show status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	bgp_fail "BIRD stand-in on $n did not come up"
}

node_kill() {
	local n=$1 sig=${2:-KILL} p=${NODE_PID[$1]:-}
	[ -n "$p" ] || return 0
	kill -CONT "$p" 2>/dev/null
	kill -"$sig" "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	NODE_PID[$n]=""
}

node_signal() { kill -"$2" "${NODE_PID[$1]}"; }

# list_remove FILE LINE: drop LINE from FILE (a temporary file of its own)
list_remove() {
	local t
	t=$(mktemp "$1.XXXXXX") || return 1
	grep -vxF "$2" "$1" >"$t"
	mv "$t" "$1"
}

# node_vip NODE disable|enable VIP (a name or ADDR/local)
node_vip() {
	local n=$1 op=$2 vip=$3 d drain
	if node_is_xlbd; then
		node_ctl "$n" vip "$op" "$vip" >/dev/null || bgp_fail "xlbctl vip $op $vip"
		return 0
	fi
	# the stand-in drains like xlbd: GRACEFUL_SHUTDOWN for the longest
	# neighbor drain, then the withdrawal
	d=$(node_dir "$n")
	touch "$d/draining" "$d/disabled"
	if [ "$op" = enable ]; then
		list_remove "$d/draining" "$vip"
		list_remove "$d/disabled" "$vip"
		standin_apply "$n" || bgp_fail "stand-in reconfigure"
		return 0
	fi
	drain=$(/usr/bin/python3 selftests/lib/standin.py drain "$d/xlb.conf")
	echo "$vip" >>"$d/draining"
	standin_apply "$n" || bgp_fail "stand-in reconfigure"
	(
		# killed by bgp_cleanup: take the sleep along
		trap 'kill $sp 2>/dev/null; exit 0' TERM
		sleep "$drain" &
		sp=$!
		wait $sp
		list_remove "$d/draining" "$vip"
		echo "$vip" >>"$d/disabled"
		standin_apply "$n"
	) &
	BGP_BG_PIDS="$BGP_BG_PIDS $!"
}

# node_bgp NODE NEIGHBOR FIELD: one field of xlbctl -j bgp show for NEIGHBOR
# (objects and lists as JSON, null as null)
node_bgp() {
	node_ctl "$1" -j bgp show 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
if isinstance(d, dict):
    d = d.get("neighbors", d.get("peers", [d]))
for n in d:
    if n.get("neighbor") == sys.argv[1]:
        v = n.get(sys.argv[2])
        print(v if isinstance(v, (str, int)) and not isinstance(v, bool) else json.dumps(v))
        break
else:
    sys.exit(1)
' "$2" "$3"
}

bgp_fail() {
	local n k d
	echo "FAIL: $*"
	for k in "${!LEAF_PIDS[@]}"; do
		[ -n "${LEAF_PIDS[$k]}" ] || continue
		echo "--- $k leaf routes"
		leaf_routes "$k"
		leaf_log "$k"
	done
	for n in $BGP_NODES; do
		d=$(node_dir "$n")
		if [ -f "$d/xlbd.log" ]; then
			echo "--- xlbctl bgp show on $n"
			node_ctl "$n" bgp show 2>&1 | head -30
			echo "--- xlbd log on $n"
			tail -40 "$d/xlbd.log"
		fi
		[ -f "$d/bird.log" ] && { echo "--- stand-in log on $n"; tail -20 "$d/bird.log"; }
	done
	exit 1
}
