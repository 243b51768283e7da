# SPDX-License-Identifier: GPL-2.0
# The whole system in network namespaces, shared by `make demo`
# (tools/demo.sh) and the e2e/system_* tests, so both show the same thing.
# Source it from the top of the tree after setting TOPO (a short prefix of
# the caller's own); call sys_up. Everything it made goes on every exit
# path (selftests/lib/netns.sh), and a failure (fail) shows the leaf's
# routes and each xlb node's VIPs, health checks and log. Documentation
# addresses only; no link to the root namespace, no default route anywhere.
#
#   client 192.0.2.130, 2001:db8:c::2
#     |
#   leaf (BIRD 2, AS 65000; ECMP with L4 hashing over every next hop)
#     | br0 192.0.2.1/25, 2001:db8:1::1/64
#     +-- lb1 .10 / ::10, lb2 .11 / ::11: xlbd (AS 65010), XDP balancer on
#     |     eth0, same config apart from their own addresses
#     +-- dns1 .20 / ::20, dns2 .21 / ::21: xlbd with a host-mode VIP,
#     |     which it puts on lo, and unbound on it (anycast DNS, no XDP)
#     | br1 198.51.100.1/24, 2001:db8:b::1/64
#     +-- b1 .11, b2 .12, b3 .13 (2001:db8:b::11..13), b4 .14 when
#           SYS_BACKENDS names it: decap XDP on eth0, the VIPs on lo, an
#           HTTP server (system.py serve) and unbound, both answering with
#           the backend's name
#
# VIPs (names as in xlbctl):
#   web   203.0.113.10 tcp 80       IPIP to the backends, health http
#   dns   203.0.113.10 udp 53       GUE, health dns
#   web6  [2001:db8:ffff::10] tcp 80 IPv6-in-IPv6, health http
#   resolver 203.0.113.53 local     on dns1 and dns2, health dns
#
# Which parts run: SYS_LBS (default "lb1 lb2"), SYS_DNS ("dns1 dns2"),
# SYS_BACKENDS ("b1 b2 b3"; b4 may be added). SYS_BACKEND_FORWARD=1: the
# backends forward on eth0, as second chance needs (README "Second
# chance": the decap program sends a packet no socket has on to its hop
# through the FIB). The lb nodes' config is written by
# sys_lb_conf from SYS_WEIGHTS (web's backend weights, default 100 each)
# and SYS_EXTRA_VIPS (more vip blocks); change them and sys_reload. With
# SYS_LB_EXTRA set to a function's name, what it prints for a node (given
# its name) goes into that node's config too (lib/fleet.sh: pool-state).
#
#   sys_up / sys_down       root check (else skip), build (and wait for the
#                           routes) / remove all,
#                           also what an earlier shell left up (KEEP=1 demo)
#   sys_leftovers           after sys_down: "namespaces=N mounts=N processes=N"
#   nsx NODE CMD...         run in NODE's namespace
#   node_ctl NODE ARGS...   xlbctl against NODE's xlbd (xlbd.sh), its
#                           files in node_dir NODE
#   sys_http ADDR PORT N, sys_dns ADDR N   a batch from the client (summary)
#   sys_loop_start NAME http ADDR PORT | dns ADDR;  sys_loop_stop NAME
#   sys_hold_start N [ADDR PORT];  sys_hold_stop     held connections
#                           (the stops leave the summary in SYS_SUMMARY);
#                           sys_hold_wait_rounds N: until each was asked N
#                           more times
#   sys_get SUMMARY KEY, sys_none SUMMARY KEY   read a summary
#   sys_backend_packets VIP per-backend packets summed over the lb nodes
#   sys_nexthops PREFIX     the leaf's kernel next hops, as node names
#   sys_wait_nexthops PREFIX NAMES [SECONDS]
#   sys_flow_node SPORT [DPORT]  the lb node the leaf sends a client TCP flow to
#   sys_backend_kill B / sys_backend_start B   its servers
#   sys_node_kill NODE / sys_node_start NODE   xlbd -9 and link down / back
#   sys_dns_stop NODE / sys_dns_start NODE     unbound of a DNS node
#   sys_lb_conf NODE, sys_reload NODE
#   sys_backend_field NODE VIP ADDR FIELD  a field of `xlbctl -j backend show`

: "${TOPO:?set TOPO}"
. selftests/lib/xlbd.sh
SYS_LBS=${SYS_LBS-lb1 lb2}
SYS_DNS=${SYS_DNS-dns1 dns2}
SYS_BACKENDS=${SYS_BACKENDS-b1 b2 b3}
SYS_WEIGHTS=${SYS_WEIGHTS:-100 100 100}
SYS_EXTRA_VIPS=${SYS_EXTRA_VIPS:-}
SYS_RUN=/run/$TOPO
SYS_BPFFS=$SYS_RUN/bpffs
SYS_PY=/usr/bin/python3
SYS_TOOL=$PWD/selftests/lib/system.py
XLB_SETUP=$BUILD/tools/xlb-setup
# SIGTERM: xlbd detaches the datapath and closes its sessions
XLBD_STOP_SIGNAL=TERM
LEAF_RUN=$SYS_RUN/leaf
VIP4=203.0.113.10
VIP6=2001:db8:ffff::10
ANYCAST4=203.0.113.53
CLIENT4=192.0.2.130
CLIENT6=2001:db8:c::2
declare -gA SYS_ADDR4 SYS_ADDR6 SYS_PID
SYS_ADDR4=([leaf]=192.0.2.1 [lb1]=192.0.2.10 [lb2]=192.0.2.11 [dns1]=192.0.2.20
	[dns2]=192.0.2.21 [b1]=198.51.100.11 [b2]=198.51.100.12 [b3]=198.51.100.13
	[b4]=198.51.100.14)
SYS_ADDR6=([leaf]=2001:db8:1::1 [lb1]=2001:db8:1::10 [lb2]=2001:db8:1::11
	[dns1]=2001:db8:1::20 [dns2]=2001:db8:1::21 [b1]=2001:db8:b::11
	[b2]=2001:db8:b::12 [b3]=2001:db8:b::13 [b4]=2001:db8:b::14)
SYS_BACKEND_FORWARD=${SYS_BACKEND_FORWARD:-0}

. selftests/lib/leaf.sh
. selftests/lib/unbound.sh

sys_nodes() { echo "client leaf $SYS_LBS $SYS_DNS $SYS_BACKENDS"; }
node_dir() { echo "$SYS_RUN/$1"; }

# the node an address belongs to (or the address itself)
sys_name() {
	local n
	for n in "${!SYS_ADDR4[@]}"; do
		[ "${SYS_ADDR4[$n]}" = "$1" ] || [ "${SYS_ADDR6[$n]}" = "$1" ] && { echo "$n"; return; }
	done
	echo "$1"
}

# sys_spawn KEY NODE CMD...: a daemon in NODE's namespace, output appended
# to the node's KEY.log; remembered under KEY (e.g. b1/http) for sys_stop.
# Never call it inside $(...): the PID must be a child of this shell.
sys_spawn() {
	local key=$1 n=$2
	shift 2
	spawn "$n" "$SYS_RUN/${key//\//.}.log" "$@"
	SYS_PID[$key]=$SPAWNED
}

# sys_stop KEY [SIGNAL]: signal (default TERM), KILL after 3 s, reap
sys_stop() {
	[ -n "${SYS_PID[$1]:-}" ] || return 0
	stop_pids "${2:-TERM}" "${SYS_PID[$1]}"
	SYS_PID[$1]=""
}

# a VIP on a backend's lo (the backends run no xlbd)
sys_lo_vip() { nsx "$1" ip addr replace "$2" dev lo; }

# a node's addresses and routes on eth0 (again after its link was down:
# the kernel dropped the routes through it, and the IPv6 addresses)
sys_node_net() {
	local n=$1
	if [[ $n == b* ]]; then
		nsx "$n" ip addr replace "${SYS_ADDR4[$n]}/24" dev eth0 &&
			nsx "$n" ip addr replace "${SYS_ADDR6[$n]}/64" dev eth0 nodad &&
			nsx "$n" ip route replace 192.0.2.0/24 via 198.51.100.1 &&
			nsx "$n" ip -6 route replace 2001:db8:c::/64 via 2001:db8:b::1 &&
			nsx "$n" ip -6 route replace 2001:db8:1::/64 via 2001:db8:b::1
		return
	fi
	nsx "$n" ip addr replace "${SYS_ADDR4[$n]}/25" dev eth0 &&
		nsx "$n" ip addr replace "${SYS_ADDR6[$n]}/64" dev eth0 nodad &&
		nsx "$n" ip route replace 192.0.2.128/25 via 192.0.2.1 &&
		nsx "$n" ip -6 route replace 2001:db8:c::/64 via 2001:db8:1::1 || return 1
	[[ $n == lb* ]] || return 0
	nsx "$n" ip route replace 198.51.100.0/24 via 192.0.2.1 &&
		nsx "$n" ip -6 route replace 2001:db8:b::/64 via 2001:db8:1::1
}

sys_topo_up() {
	local n
	for n in $(sys_nodes); do
		netns_add "$n" || return 1
		nsx "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done
	# the leaf: forwards, spreads over equal next hops by the L4 hash
	# (addresses and ports), as a real leaf switch does
	nsx leaf sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1 || return 1
	netns_link client eth0 leaf l-client || return 1
	# veth hands partially checksummed packets along (checksum offload);
	# a real client NIC puts complete ones on the wire
	nsx client ethtool -K eth0 tx off >/dev/null
	netns_addr client eth0 $CLIENT4/25
	netns_addr client eth0 $CLIENT6/64
	nsx client ip route add 203.0.113.0/24 via 192.0.2.129
	nsx client ip -6 route add 2001:db8:ffff::/48 via 2001:db8:c::1
	netns_addr leaf l-client 192.0.2.129/25
	netns_addr leaf l-client 2001:db8:c::1/64
	for n in br0 br1; do
		nsx leaf ip link add $n type bridge || return 1
		nsx leaf ip link set $n up
	done
	netns_addr leaf br0 192.0.2.1/25
	netns_addr leaf br0 2001:db8:1::1/64
	netns_addr leaf br1 198.51.100.1/24
	netns_addr leaf br1 2001:db8:b::1/64
	for n in $SYS_LBS $SYS_DNS $SYS_BACKENDS; do
		netns_link "$n" eth0 leaf "l-$n" || return 1
		sys_node_net "$n" || return 1
	done
	for n in $SYS_LBS $SYS_DNS; do
		nsx leaf ip link set "l-$n" master br0
	done
	for n in $SYS_LBS; do
		# a veth takes XDP_TX frames from its peer only if it runs XDP
		nsx leaf ip link set dev "l-$n" xdp obj "$BUILD/selftests/lib/xdp_pass.bpf.o" sec xdp ||
			return 1
		# a packet whose next hop is not resolved yet goes to the
		# kernel already encapsulated: forwarded from our own address
		nsx "$n" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
			net.ipv4.conf.all.accept_local=1 net.ipv4.conf.eth0.accept_local=1
	done
	for n in $SYS_BACKENDS; do
		nsx leaf ip link set "l-$n" master br1
		sys_lo_vip "$n" $VIP4/32
		sys_lo_vip "$n" $VIP6/128
		[ "$SYS_BACKEND_FORWARD" = 1 ] || continue
		# second chance: the decap program routes what it sends on
		# (bpf_fib_lookup wants forwarding on the interface), with
		# XDP_TX back out of eth0, which the leaf's veth takes only
		# while it runs XDP; no redirects to the balancers
		nsx "$n" sysctl -qw net.ipv4.conf.eth0.forwarding=1 \
			net.ipv6.conf.eth0.forwarding=1 net.ipv4.conf.all.send_redirects=0 \
			net.ipv4.conf.eth0.send_redirects=0 || return 1
		nsx leaf ip link set dev "l-$n" xdp obj "$BUILD/selftests/lib/xdp_pass.bpf.o" sec xdp ||
			return 1
	done
	# one bpffs for every node, outside /sys (ip netns exec remounts
	# /sys); each node has its own directory in it, for its pins and
	# for libxdp (LIBXDP_BPFFS)
	mkdir -p "$SYS_BPFFS" && mount -t bpf bpf "$SYS_BPFFS" || return 1
	cleanup_mount "$SYS_BPFFS"
	for n in $SYS_LBS $SYS_BACKENDS; do
		mkdir -p "$SYS_BPFFS/$n"
	done
}

# unbound answering whoami.example.org TXT with NAME on ADDRS
sys_unbound() {
	local key=$1 n=$2 name=$3 d
	shift 3
	d=$(node_dir "$n")
	unbound_conf "$d" "'whoami.example.org. 0 IN TXT \"$name\"'" "$@" >"$d/unbound.conf"
	sys_spawn "$key" "$n" unbound -d -c "$d/unbound.conf"
}

sys_backend_start() {
	local b=$1
	sys_spawn "$b/http" "$b" "$SYS_PY" "$SYS_TOOL" serve "$b" 80
	sys_unbound "$b/unbound" "$b" "$b" $VIP4 $VIP6 "${SYS_ADDR4[$b]}"
}

sys_listening() { nsx "$1" ss -lntuH "sport = :$2" | grep -q .; }
# sys_wait_listen NODE PORT: until something listens on TCP/UDP PORT
sys_wait_listen() { wait_for 10 sys_listening "$1" "$2"; }

sys_backend_kill() {
	# both at once, then reap
	kill -9 "${SYS_PID[$1/http]}" "${SYS_PID[$1/unbound]}" 2>/dev/null
	sys_stop "$1/http" KILL
	sys_stop "$1/unbound" KILL
}

sys_lb_conf() {
	local n=$1 d b i=0 w weights
	read -ra weights <<<"$SYS_WEIGHTS"
	d=$(node_dir "$n")
	{
		cat <<EOC
# xlb node $n (written by selftests/lib/system.sh; every lb node has this
# config apart from its own addresses, so all build the same Maglev tables)
router-id ${SYS_ADDR4[$n]}
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
encap-source ${SYS_ADDR4[$n]} ${SYS_ADDR6[$n]}
xdp interface eth0
pin-path $SYS_BPFFS/$n/xlb
control-socket $d/xlbd.sock
state-file $d/state
neighbor ${SYS_ADDR4[leaf]} { remote-as 65000; hold-time 9; description leaf }
vip $VIP4 tcp 80 {
    name web
    hold-down 2s
    health http path "/" interval 300ms timeout 250ms rise 2 fall 2
EOC
		for b in $SYS_BACKENDS; do
			w=${weights[$i]:-100}
			i=$((i + 1))
			echo "    backend ${SYS_ADDR4[$b]} weight $w"
		done
		cat <<EOC
}
vip $VIP4 udp 53 {
    name dns
    encap gue
    hold-down 2s
    health dns query whoami.example.org type TXT nonempty interval 300ms timeout 250ms rise 2 fall 2
EOC
		for b in $SYS_BACKENDS; do echo "    backend ${SYS_ADDR4[$b]}"; done
		cat <<EOC
}
vip $VIP6 tcp 80 {
    name web6
    hold-down 2s
    health http path "/" interval 300ms timeout 250ms rise 2 fall 2
EOC
		for b in $SYS_BACKENDS; do echo "    backend ${SYS_ADDR6[$b]}"; done
		echo "}"
		printf '%s\n' "$SYS_EXTRA_VIPS"
		[ -z "${SYS_LB_EXTRA:-}" ] || "$SYS_LB_EXTRA" "$n"
	} >"$d/xlb.conf"
	xlbd_check "$n"
}

sys_dns_conf() {
	local n=$1 d
	d=$(node_dir "$n")
	cat >"$d/xlb.conf" <<EOC
# anycast DNS server $n: xlbd announces the resolver's address while
# unbound on it answers
router-id ${SYS_ADDR4[$n]}
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
control-socket $d/xlbd.sock
state-file $d/state
neighbor ${SYS_ADDR4[leaf]} { remote-as 65000; hold-time 9; description leaf }
vip $ANYCAST4 local {
    name resolver
    add-address lo
    hold-down 2s
    health dns query whoami.example.org type TXT nonempty interval 300ms timeout 250ms rise 2 fall 2
}
EOC
	xlbd_check "$n"
}

sys_xlbd_start() {
	LIBXDP_BPFFS="$SYS_BPFFS/$1" xlbd_spawn "$1" -d
	SYS_PID[$1/xlbd]=${NODE_PID[$1]}
}

sys_reload() { node_ctl "$1" reload >/dev/null || fail "reload on $1: $(node_ctl "$1" reload 2>&1)"; }

sys_dns_start() {
	sys_unbound "$1/unbound" "$1" "$1" $ANYCAST4
	sys_wait_listen "$1" 53 || fail "unbound on $1 does not listen"
}
sys_dns_stop() { sys_stop "$1/unbound"; }

# an xlb node dies: xlbd killed (the kernel closes its BGP session, the
# leaf drops its routes) and its link goes down, as a machine that is gone.
# The link goes down once the leaf saw the session close (at most 2 s):
# taken down at once it could swallow the FIN, and the leaf would wait for
# the hold time (BFD's job, tested in e2e/bfd_*)
sys_session_down() { ! leaf_session_up bird "${SYS_ADDR4[$1]}"; }
sys_node_kill() {
	sys_stop "$1/xlbd" KILL
	wait_for 2 sys_session_down "$1"
	nsx "$1" ip link set eth0 down
}

# ... and comes back: xlbd takes over the datapath the dead one left
sys_node_start() {
	nsx "$1" ip link set eth0 up
	sys_node_net "$1" || fail "network of $1"
	sys_xlbd_start "$1"
}

sys_has_lo() { nsx "$1" ip addr show dev lo | grep -q " $2/32"; }

sys_up() {
	local n b neighbors=""
	need_root
	rm -rf "$SYS_RUN"
	mkdir -p "$SYS_RUN" "$LEAF_RUN"
	cleanup_dir "$SYS_RUN"
	for n in $(sys_nodes); do mkdir -p "$(node_dir "$n")"; done
	sys_topo_up || fail "topology"
	for b in $SYS_BACKENDS; do
		nsx "$b" env LIBXDP_BPFFS="$SYS_BPFFS/$b" "$XLB_SETUP" -p "$SYS_BPFFS/$b" decap eth0 \
			>/dev/null || fail "decap on $b"
		sys_backend_start "$b"
	done
	for n in $SYS_LBS $SYS_DNS; do neighbors="$neighbors neighbor=${SYS_ADDR4[$n]}"; done
	# shellcheck disable=SC2086
	leaf_start bird "$(ns leaf)" $neighbors || fail "leaf start"
	for n in $SYS_DNS; do
		sys_dns_conf "$n"
		sys_xlbd_start "$n"
		# xlbd puts the resolver's address on lo (add-address); unbound
		# binds to it
		wait_for 5 sys_has_lo "$n" $ANYCAST4 || fail "xlbd did not put $ANYCAST4 on lo of $n"
		sys_dns_start "$n"
	done
	for b in $SYS_BACKENDS; do
		sys_wait_listen "$b" 80 && sys_wait_listen "$b" 53 || fail "servers on $b"
	done
	for n in $SYS_LBS; do
		sys_lb_conf "$n"
		sys_xlbd_start "$n"
	done
	# every VIP at the leaf with all its next hops
	if [ -n "$SYS_LBS" ]; then
		sys_wait_nexthops $VIP4/32 "$SYS_LBS" 20 || fail "the leaf has no route for $VIP4 over $SYS_LBS"
		sys_wait_nexthops $VIP6/128 "$SYS_LBS" 10 || fail "the leaf has no route for $VIP6 over $SYS_LBS"
	fi
	if [ -n "$SYS_DNS" ]; then
		sys_wait_nexthops $ANYCAST4/32 "$SYS_DNS" 20 ||
			fail "the leaf has no route for $ANYCAST4 over $SYS_DNS"
	fi
	# first packets towards the backends resolve the lb nodes' neighbours
	if [ -n "$SYS_LBS" ] && [ -n "$SYS_BACKENDS" ]; then
		sys_http $VIP4 80 6 >/dev/null
		sys_http $VIP6 80 6 >/dev/null
	fi
}

# the leaf's kernel next hops of PREFIX as node names, sorted, comma-joined
sys_nexthops() {
	local a
	for a in $(leaf_fib bird "$1" 2>/dev/null | tr , ' '); do
		sys_name "$a"
	done | sort -u | paste -sd,
}

sys_has_nexthops() { [ "$(sys_nexthops "$1")" = "$(echo "$2" | tr ' ' '\n' | sort | paste -sd,)" ]; }
sys_wait_nexthops() { wait_for "${3:-10}" sys_has_nexthops "$1" "$2"; }

# sys_flow_node SPORT [DPORT [ADDR]]: the lb node the leaf hashes the
# client's TCP flow from SPORT to (by its own multipath hash)
sys_flow_node() {
	local a
	a=$(ip -n "$(ns leaf)" route get "${3:-$VIP4}" from $CLIENT4 iif l-client ipproto tcp \
		sport "$1" dport "${2:-80}" 2>/dev/null | grep -oE 'via [0-9.]+' | awk '{ print $2 }')
	sys_name "$a"
}

# traffic from the client; each prints the summary line of system.py
sys_http() { nsx client "$SYS_PY" "$SYS_TOOL" http "$1" "$2" "$3"; }
sys_dns() { nsx client "$SYS_PY" "$SYS_TOOL" dns "$1" "$2"; }

# sys_get SUMMARY KEY [DEFAULT]: N of KEY=N (DEFAULT, 0, when absent; ask
# for failed/broken with DEFAULT "missing" so a summary that never came
# does not read as zero failures)
sys_get() {
	local w
	for w in $1; do
		[ "${w%%=*}" = "$2" ] && { echo "${w#*=}"; return; }
	done
	echo "${3:-0}"
}
# sys_none SUMMARY KEY: the summary is there and says KEY=0
sys_none() { [ "$(sys_get "$1" "$2" missing)" = 0 ]; }

# sys_loop_start NAME http ADDR PORT | NAME dns ADDR: requests back to back
# until sys_loop_stop NAME, which leaves the summary in SYS_SUMMARY (not
# in $(...): it waits for a child of this shell)
sys_loop_start() {
	local name=$1
	shift
	rm -f "$SYS_RUN/loop-$name".{stop,out}
	ip netns exec "$(ns client)" "$SYS_PY" "$SYS_TOOL" loop "$@" "$SYS_RUN/loop-$name.stop" \
		>"$SYS_RUN/loop-$name.out" 2>>"$SYS_RUN/loop-$name.log" &
	SYS_PID[client/loop-$name]=$!
	cleanup_pid $!
}
sys_loop_stop() {
	touch "$SYS_RUN/loop-$1.stop"
	wait "${SYS_PID[client/loop-$1]}"
	SYS_PID[client/loop-$1]=""
	SYS_SUMMARY=$(cat "$SYS_RUN/loop-$1.out")
}

# sys_hold_start N [ADDR PORT]: N open keep-alive connections, asked every
# 0.5 s; $SYS_RUN/hold/ready lists `SPORT BACKEND` once all are open
sys_hold_start() {
	local d=$SYS_RUN/hold
	rm -rf "$d"
	mkdir -p "$d"
	ip netns exec "$(ns client)" "$SYS_PY" "$SYS_TOOL" hold "${2:-$VIP4}" "${3:-80}" "$1" "$d" \
		>"$d/out" 2>"$d/log" &
	SYS_PID[client/hold]=$!
	cleanup_pid $!
	wait_for 30 test -f "$d/ready" || fail "held connections did not open: $(cat "$d/log")"
}
# sys_hold_rounds: how many times every held connection was asked so far
sys_hold_rounds() { cat "$SYS_RUN/hold/rounds" 2>/dev/null || echo 0; }
sys_hold_past() { [ "$(sys_hold_rounds)" -ge "$1" ]; }
# sys_hold_wait_rounds N [SECONDS]: until every held connection was asked
# N more times (each time through wherever the leaf sends it now)
sys_hold_wait_rounds() {
	local want=$(($(sys_hold_rounds) + $1))
	wait_for "${2:-30}" sys_hold_past "$want"
}
# sys_hold_stop: the summary in SYS_SUMMARY (as sys_loop_stop); each
# connection in $SYS_RUN/hold/result
sys_hold_stop() {
	touch "$SYS_RUN/hold/stop"
	wait "${SYS_PID[client/hold]}"
	SYS_PID[client/hold]=""
	SYS_SUMMARY=$(cat "$SYS_RUN/hold/out")
}
# held connections per backend (or per node with `node`): "b1=N b2=N ..."
sys_hold_spread() {
	local sport b
	while read -r sport b; do
		[ "${1:-}" = node ] && b=$(sys_flow_node "$sport")
		echo "$b"
	done <"$SYS_RUN/hold/ready" | sort | uniq -c | awk '{ printf "%s%s=%d", s, $2, $1; s = " " } END { print "" }'
}

# per-backend packets of VIP summed over the lb nodes: "b1=N b2=N ..."
sys_backend_packets() {
	local n
	for n in $SYS_LBS; do
		[ -n "${SYS_PID[$n/xlbd]:-}" ] && node_ctl "$n" -j backend show "$1"
	done | "$SYS_PY" "$SYS_TOOL" packets $(for n in $SYS_BACKENDS; do
		echo "${SYS_ADDR4[$n]}=$n ${SYS_ADDR6[$n]}=$n"
	done)
}

# everything goes: what this shell made, or what an earlier one left up
# (a KEEP=1 demo: its processes are found in its namespaces)
sys_down() {
	local n
	if [ ${#NETNS_NAMES[@]} -eq 0 ]; then
		for n in $(sys_nodes); do
			ip netns list | grep -q "^$(ns "$n")\b" && netns_adopt "$n"
		done
		cleanup_mount "$SYS_BPFFS"
		cleanup_dir "$SYS_RUN"
	fi
	teardown
}

# after sys_down: what is left of the topology
sys_leftovers() { teardown_leftovers; }

sys_diag() {
	local n
	echo "--- the leaf's kernel routes"
	ip -n "$(ns leaf)" route show 203.0.113.0/24 root 2>/dev/null
	for n in $SYS_LBS $SYS_DNS; do
		[ -f "$(node_dir "$n")/xlbd.log" ] || continue
		echo "--- $n: xlbctl vip show, health show"
		node_ctl "$n" vip show 2>&1 | head -20
		node_ctl "$n" health show 2>&1 | head -20
		echo "--- $n: xlbd log"
		tail -25 "$(node_dir "$n")/xlbd.log"
	done
	return 0
}
fail_hook sys_diag

sys_backend_field() { xlbctl_json "$1" backend show "$2" -- "[backend=$3].$4"; }
