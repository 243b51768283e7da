# SPDX-License-Identifier: GPL-2.0
# Topology and xlb nodes for the BGP interop tests (selftests/e2e/bgp/).
# Source it from the top of the tree after setting TOPO (a short unique
# prefix); call bgp_setup NODE... first. Cleanup and the failure report
# are selftests/lib/netns.sh's; a failure shows the leaves' routes and
# logs (leaf.sh) and each node's `xlbctl bgp show` and log.
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
#   bgp_setup NODE...         root check, topology
#   bgp_kind KIND             the leaf kind of a parametrised test (bird,
#                             frr or gobgp; its usage otherwise): KIND, and
#                             "KIND leaf: " before every failure
#   node_conf NODE < BODY     xlb.conf body (global statements, neighbors, VIPs)
#   node_peer_conf NODE NEIGHBOR OPTIONS < BODY
#                             node_conf with what most tests' nodes say
#                             first: router-id (the node's IPv4 address),
#                             local-as 65010, the VIP ranges as
#                             allowed-prefixes, NEIGHBOR { remote-as 65000;
#                             OPTIONS }; then BODY
#   node_start NODE           start and wait for the control socket
#                             (XLBD_ARGS: extra xlbd options; xlbd logs at
#                             debug level unless XLBD_LOG_FLAGS says
#                             otherwise, e.g. empty for the default level)
#   node_kill NODE [SIGNAL]   default KILL; waits for the process
#   node_signal NODE SIGNAL   STOP/CONT without waiting
#   node_vip NODE disable|enable VIP
#   node_ctl NODE ARGS...     xlbctl against the node (xlbd only)
#   node_bgp NODE NEIGHBOR FIELD   a field of `xlbctl -j bgp show` (xlbd only)
#   node_routes NODE NEIGHBOR what xlbd says NEIGHBOR has from it (`xlbctl -j
#                             bgp routes NEIGHBOR`) in leaf_routes' form, to
#                             hold against what the leaf says it received
#   bgp_kernel_routes         the KIND leaf's kernel routes VIP4 via lb and
#                             has one for VIP6 (GoBGP installs none: nothing
#                             to check), else fail

: "${TOPO:?set TOPO}"
. selftests/lib/xlbd.sh
RUN=/run/$TOPO-run
. selftests/lib/leaf.sh
XLB_STANDIN=${XLB_STANDIN:-}
# xlbd's log options (benchmarks run it at the default level)
XLBD_LOG_FLAGS=${XLBD_LOG_FLAGS--dd}
LEAF4=192.0.2.1
LEAF6=2001:db8:1::1
VIP4=203.0.113.10
VIP6=2001:db8:ffff::10
declare -gA NODE_ADDR4 NODE_ADDR6
NODE_ADDR4=([lb]=192.0.2.10 [lb2]=192.0.2.11)
NODE_ADDR6=([lb]=2001:db8:1::10 [lb2]=2001:db8:1::11)
BGP_NODES=""

node_is_xlbd() { [ -z "$XLB_STANDIN" ]; }
node_dir() { echo "$RUN/$1"; }

bgp_kind() {
	case ${1:-} in
	bird | frr | gobgp) ;;
	*) echo "usage: $0 bird|frr|gobgp"; exit 2 ;;
	esac
	KIND=$1
	FAIL_PREFIX="$KIND leaf: "
}

bgp_diag() {
	local n d
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
	return 0
}
fail_hook bgp_diag

bgp_topo_up() {
	local n
	netns_add leaf || return 1
	nsx leaf ip link add br0 type bridge
	nsx leaf ip link set br0 up
	netns_addr leaf br0 $LEAF4/25
	netns_addr leaf br0 $LEAF6/64
	for n in $BGP_NODES; do
		netns_add "$n" || return 1
		netns_link "$n" eth0 leaf "l-$n" || return 1
		nsx leaf ip link set "l-$n" master br0
		netns_addr "$n" eth0 "${NODE_ADDR4[$n]}/25"
		netns_addr "$n" eth0 "${NODE_ADDR6[$n]}/64"
	done
}

bgp_setup() {
	BGP_NODES="$*"
	need_root
	rm -rf "$RUN"
	mkdir -p "$RUN" "$LEAF_RUN"
	cleanup_dir "$RUN"
	bgp_topo_up || fail "topology"
}

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
	node_is_xlbd && xlbd_check "$n"
	return 0
}

node_peer_conf() {
	local n=$1 nb=$2 opts=$3
	{
		cat <<EOF
router-id ${NODE_ADDR4[$n]}
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
neighbor $nb { remote-as 65000${opts:+; $opts} }
EOF
		cat
	} | node_conf "$n"
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

standin_configure() { birdc -s "$(node_dir "$1")/bird.ctl" configure | grep -q Reconfigured; }

standin_apply() {
	standin_write "$1" || return 1
	# a background drain may be reconfiguring at this very moment: BIRD
	# then queues or refuses the request; ask again
	wait_for 0.5 standin_configure "$1"
}

standin_up() { birdc -s "$(node_dir "$1")/bird.ctl" show status >/dev/null 2>&1; }

node_start() {
	local n=$1 d
	d=$(node_dir "$n")
	if node_is_xlbd; then
		# shellcheck disable=SC2086 # XLBD_LOG_FLAGS, XLBD_ARGS: word lists
		xlbd_spawn "$n" $XLBD_LOG_FLAGS ${XLBD_ARGS:-}
		return 0
	fi
	standin_write "$n" || fail "stand-in config for $n"
	rm -f "$d/bird.ctl"
	spawn "$n" "$d/bird.log" bird -f -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid"
	NODE_PID[$n]=$SPAWNED
	cleanup_pid "$SPAWNED" KILL
	wait_for 10 standin_up "$n" || fail "BIRD stand-in on $n did not come up"
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
		node_ctl "$n" vip "$op" "$vip" >/dev/null || fail "xlbctl vip $op $vip"
		return 0
	fi
	# the stand-in drains like xlbd: GRACEFUL_SHUTDOWN for the longest
	# neighbor drain, then the withdrawal
	d=$(node_dir "$n")
	touch "$d/draining" "$d/disabled"
	if [ "$op" = enable ]; then
		list_remove "$d/draining" "$vip"
		list_remove "$d/disabled" "$vip"
		standin_apply "$n" || fail "stand-in reconfigure"
		return 0
	fi
	drain=$(/usr/bin/python3 selftests/lib/standin.py drain "$d/xlb.conf")
	echo "$vip" >>"$d/draining"
	standin_apply "$n" || fail "stand-in reconfigure"
	(
		# stopped at exit: take the sleep along
		trap 'kill $sp 2>/dev/null; exit 0' TERM
		sleep "$drain" &
		sp=$!
		wait $sp
		list_remove "$d/draining" "$vip"
		echo "$vip" >>"$d/disabled"
		standin_apply "$n"
	) &
	cleanup_pid $!
}

bgp_kernel_routes() {
	[ "$KIND" != gobgp ] || return 0
	[ "$(leaf_fib "$KIND" $VIP4/32)" = "${NODE_ADDR4[lb]}" ] ||
		fail "kernel route for $VIP4: '$(leaf_fib "$KIND" $VIP4/32)'"
	[ -n "$(leaf_fib "$KIND" $VIP6/128)" ] || fail "no kernel route for $VIP6"
}

# node_bgp NODE NEIGHBOR FIELD: one field of xlbctl -j bgp show for NEIGHBOR
# (objects and lists as JSON, null as null)
node_bgp() { xlbctl_json "$1" bgp show -- "[neighbor=$2].$3" 2>/dev/null; }

node_routes() {
	node_ctl "$1" -j bgp routes "$2" | "$NETNS_PY" -c '
import ipaddress, json, re, sys
def key(s): return [int(x) for x in re.findall(r"\d+", s)]
def j(items): return ",".join(sorted(items, key=key)) or "-"
out = []
for p in json.load(sys.stdin)[0]["prefixes"]:
    n = ipaddress.ip_network(p["prefix"])
    out.append(((n.version, n), "%s nexthops=%s aspath=%s med=%s communities=%s large=%s" % (
        p["prefix"], p["next_hop"], ",".join(str(a) for a in p["as_path"]) or "-",
        "-" if p["med"] is None else p["med"], j(p["communities"]), j(p["large_communities"]))))
for _, line in sorted(out):
    print(line)'
}
