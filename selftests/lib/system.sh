# SPDX-License-Identifier: GPL-2.0
# The whole system in network namespaces, shared by `make demo`
# (tools/demo.sh) and the e2e/system_* tests, so both show the same thing.
# Source it from the top of the tree after setting SYS (a short prefix of
# the caller's own); call sys_up, and make sure sys_down runs on every exit
# path (trap). Documentation addresses only; no link to the root namespace,
# no default route anywhere.
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
#     +-- b1 .11, b2 .12, b3 .13 (2001:db8:b::11..13): decap XDP on eth0,
#           the VIPs on lo, an HTTP server (system.py serve) and unbound,
#           both answering with the backend's name
#
# VIPs (names as in xlbctl):
#   web   203.0.113.10 tcp 80       IPIP to the backends, health http
#   dns   203.0.113.10 udp 53       GUE, health dns
#   web6  [2001:db8:ffff::10] tcp 80 IPv6-in-IPv6, health http
#   resolver 203.0.113.53 local     on dns1 and dns2, health dns
#
# Which parts run: SYS_LBS (default "lb1 lb2"), SYS_DNS ("dns1 dns2"),
# SYS_BACKENDS ("b1 b2 b3"). The lb nodes' config is written by
# sys_lb_conf from SYS_WEIGHTS (web's backend weights, default 100 each)
# and SYS_EXTRA_VIPS (more vip blocks); change them and sys_reload. With
# SYS_LB_EXTRA set to a function's name, what it prints for a node (given
# its name) goes into that node's config too (lib/fleet.sh: pool-state).
#
#   sys_up / sys_down       build (and wait for the routes) / remove all
#   sys_leftovers           after sys_down: "namespaces=N mounts=N processes=N"
#   nsx NODE CMD...         run in NODE's namespace
#   sys_ctl NODE ARGS...    xlbctl against NODE's xlbd
#   sys_http ADDR PORT N, sys_dns ADDR N   a batch from the client (summary)
#   sys_loop_start NAME http ADDR PORT | dns ADDR;  sys_loop_stop NAME
#   sys_hold_start N [ADDR PORT];  sys_hold_stop     held connections
#                           (the stops leave the summary in SYS_SUMMARY)
#   sys_get SUMMARY KEY, sys_none SUMMARY KEY   read a summary
#   sys_backend_packets VIP per-backend packets summed over the lb nodes
#   sys_nexthops PREFIX     the leaf's kernel next hops, as node names
#   sys_wait_nexthops PREFIX NAMES [SECONDS]
#   sys_flow_node SPORT [DPORT]  the lb node the leaf sends a client TCP flow to
#   sys_backend_kill B / sys_backend_start B   its servers
#   sys_node_kill NODE / sys_node_start NODE   xlbd -9 and link down / back
#   sys_dns_stop NODE / sys_dns_start NODE     unbound of a DNS node
#   sys_lb_conf NODE, sys_reload NODE
#   sys_fail MESSAGE        diagnostics, exit 1
#   sys_test                what every e2e/system_* test does first: root
#                           check (else skip), sys_down on every exit path,
#                           fail() = sys_fail
#   sys_backend_field NODE VIP ADDR FIELD  a field of `xlbctl -j backend show`

: "${BUILD:=build}"
: "${SYS:?set SYS}"
SYS_LBS=${SYS_LBS-lb1 lb2}
SYS_DNS=${SYS_DNS-dns1 dns2}
SYS_BACKENDS=${SYS_BACKENDS-b1 b2 b3}
SYS_WEIGHTS=${SYS_WEIGHTS:-100 100 100}
SYS_EXTRA_VIPS=${SYS_EXTRA_VIPS:-}
SYS_RUN=/run/$SYS
SYS_BPFFS=$SYS_RUN/bpffs
SYS_PY=/usr/bin/python3
SYS_TOOL=$PWD/selftests/lib/system.py
XLBD=$BUILD/agent/xlbd
XLBCTL=$BUILD/tools/xlbctl
XLB_SETUP=$BUILD/tools/xlb-setup
LEAF_RUN=$SYS_RUN/leaf
VIP4=203.0.113.10
VIP6=2001:db8:ffff::10
ANYCAST4=203.0.113.53
CLIENT4=192.0.2.130
CLIENT6=2001:db8:c::2
declare -gA SYS_ADDR4 SYS_ADDR6 SYS_PID
SYS_ADDR4=([leaf]=192.0.2.1 [lb1]=192.0.2.10 [lb2]=192.0.2.11 [dns1]=192.0.2.20
	[dns2]=192.0.2.21 [b1]=198.51.100.11 [b2]=198.51.100.12 [b3]=198.51.100.13)
SYS_ADDR6=([leaf]=2001:db8:1::1 [lb1]=2001:db8:1::10 [lb2]=2001:db8:1::11
	[dns1]=2001:db8:1::20 [dns2]=2001:db8:1::21 [b1]=2001:db8:b::11
	[b2]=2001:db8:b::12 [b3]=2001:db8:b::13)
SYS_ALL_PIDS=""

. selftests/lib/leaf.sh

ns() { echo "$SYS-$1"; }
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }
sys_nodes() { echo "client leaf $SYS_LBS $SYS_DNS $SYS_BACKENDS"; }
sys_dir() { echo "$SYS_RUN/$1"; }

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
	ip netns exec "$(ns "$n")" "$@" >>"$SYS_RUN/${key//\//.}.log" 2>&1 &
	SYS_PID[$key]=$!
	SYS_ALL_PIDS="$SYS_ALL_PIDS $!"
}

# sys_stop KEY [SIGNAL]: signal (default TERM), KILL after 3 s, reap
sys_stop() {
	local p=${SYS_PID[$1]:-} i
	[ -n "$p" ] || return 0
	# (bash reports a child killed by a signal on stderr whenever it
	# notices: not news here)
	{
		kill -"${2:-TERM}" "$p"
		for i in $(seq 30); do
			kill -0 "$p" || break
			[ "$(ps -o stat= -p "$p")" = Z ] && break
			sleep 0.1
		done
		kill -9 "$p"
		wait "$p"
	} 2>/dev/null
	SYS_PID[$1]=""
}

sys_link() { # NODE IF PEER PEER_IF
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")" || return 1
	nsx "$1" ip link set "$2" up && nsx "$3" ip link set "$4" up
}

sys_addr() {
	if [[ $3 == *:* ]]; then
		nsx "$1" ip addr add "$3" dev "$2" nodad
	else
		nsx "$1" ip addr add "$3" dev "$2"
	fi
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
		ip netns add "$(ns "$n")" || return 1
		nsx "$n" ip link set lo up
		nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done
	# the leaf: forwards, spreads over equal next hops by the L4 hash
	# (addresses and ports), as a real leaf switch does
	nsx leaf sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1 || return 1
	sys_link client eth0 leaf l-client || return 1
	# veth hands partially checksummed packets along (checksum offload);
	# a real client NIC puts complete ones on the wire
	nsx client ethtool -K eth0 tx off >/dev/null
	sys_addr client eth0 $CLIENT4/25
	sys_addr client eth0 $CLIENT6/64
	nsx client ip route add 203.0.113.0/24 via 192.0.2.129
	nsx client ip -6 route add 2001:db8:ffff::/48 via 2001:db8:c::1
	sys_addr leaf l-client 192.0.2.129/25
	sys_addr leaf l-client 2001:db8:c::1/64
	for n in br0 br1; do
		nsx leaf ip link add $n type bridge || return 1
		nsx leaf ip link set $n up
	done
	sys_addr leaf br0 192.0.2.1/25
	sys_addr leaf br0 2001:db8:1::1/64
	sys_addr leaf br1 198.51.100.1/24
	sys_addr leaf br1 2001:db8:b::1/64
	for n in $SYS_LBS $SYS_DNS $SYS_BACKENDS; do
		sys_link "$n" eth0 leaf "l-$n" || return 1
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
	done
	# one bpffs for every node, outside /sys (ip netns exec remounts
	# /sys); each node has its own directory in it, for its pins and
	# for libxdp (LIBXDP_BPFFS)
	mkdir -p "$SYS_BPFFS" && mount -t bpf bpf "$SYS_BPFFS" || return 1
	for n in $SYS_LBS $SYS_BACKENDS; do
		mkdir -p "$SYS_BPFFS/$n"
	done
}

# unbound answering whoami.example.org TXT with NAME on ADDRS
sys_unbound() {
	local key=$1 n=$2 name=$3 a d
	shift 3
	d=$(sys_dir "$n")
	{
		echo "server:"
		for a in "$@"; do echo "    interface: $a"; done
		cat <<EOC
    port: 53
    do-daemonize: no
    use-syslog: no
    logfile: ""
    username: ""
    chroot: ""
    directory: "$d"
    pidfile: "$d/unbound.pid"
    num-threads: 1
    access-control: 0.0.0.0/0 allow
    access-control: ::/0 allow
    local-zone: "example.org." static
    local-data: 'whoami.example.org. 0 IN TXT "$name"'
remote-control:
    control-enable: no
EOC
	} >"$d/unbound.conf"
	sys_spawn "$key" "$n" unbound -d -c "$d/unbound.conf"
}

sys_backend_start() {
	local b=$1
	sys_spawn "$b/http" "$b" "$SYS_PY" "$SYS_TOOL" serve "$b" 80
	sys_unbound "$b/unbound" "$b" "$b" $VIP4 $VIP6 "${SYS_ADDR4[$b]}"
}

# sys_wait_listen NODE PORT: until something listens on TCP/UDP PORT
sys_wait_listen() {
	leaf_poll 10 eval "nsx $1 ss -lntuH 'sport = :$2' | grep -q ."
}

sys_backend_kill() {
	# both at once, then reap
	kill -9 "${SYS_PID[$1/http]}" "${SYS_PID[$1/unbound]}" 2>/dev/null
	sys_stop "$1/http" KILL
	sys_stop "$1/unbound" KILL
}

sys_lb_conf() {
	local n=$1 d b i=0 w weights
	read -ra weights <<<"$SYS_WEIGHTS"
	d=$(sys_dir "$n")
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
	"$XLBD" -n -f "$d/xlb.conf" >"$d/check.log" 2>&1 ||
		sys_fail "xlbd -n refuses the config of $n: $(cat "$d/check.log")"
}

sys_dns_conf() {
	local n=$1 d
	d=$(sys_dir "$n")
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
	"$XLBD" -n -f "$d/xlb.conf" >"$d/check.log" 2>&1 ||
		sys_fail "xlbd -n refuses the config of $n: $(cat "$d/check.log")"
}

sys_ctl() {
	local n=$1
	shift
	nsx "$n" "$XLBCTL" -s "$(sys_dir "$n")/xlbd.sock" "$@"
}

sys_xlbd_start() {
	local n=$1 d
	d=$(sys_dir "$n")
	rm -f "$d/xlbd.sock"
	sys_spawn "$n/xlbd" "$n" env LIBXDP_BPFFS="$SYS_BPFFS/$n" "$XLBD" -d -f "$d/xlb.conf"
	leaf_poll 10 eval "sys_ctl $n status >/dev/null 2>&1" ||
		sys_fail "xlbd on $n did not come up"
}

sys_reload() { sys_ctl "$1" reload >/dev/null || sys_fail "reload on $1: $(sys_ctl "$1" reload 2>&1)"; }

sys_dns_start() {
	sys_unbound "$1/unbound" "$1" "$1" $ANYCAST4
	sys_wait_listen "$1" 53 || sys_fail "unbound on $1 does not listen"
}
sys_dns_stop() { sys_stop "$1/unbound"; }

# an xlb node dies: xlbd killed (the kernel closes its BGP session, the
# leaf drops its routes) and its link goes down, as a machine that is gone.
# The link goes down once the leaf saw the session close (at most 2 s):
# taken down at once it could swallow the FIN, and the leaf would wait for
# the hold time (BFD's job, tested in e2e/bfd_*)
sys_node_kill() {
	sys_stop "$1/xlbd" KILL
	leaf_poll 2 eval "! leaf_session_up bird ${SYS_ADDR4[$1]}"
	nsx "$1" ip link set eth0 down
}

# ... and comes back: xlbd takes over the datapath the dead one left
sys_node_start() {
	nsx "$1" ip link set eth0 up
	sys_node_net "$1" || sys_fail "network of $1"
	sys_xlbd_start "$1"
}

sys_up() {
	local n b neighbors=""
	[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, XDP)"; return 77; }
	rm -rf "$SYS_RUN"
	mkdir -p "$SYS_RUN" "$LEAF_RUN"
	for n in $(sys_nodes); do mkdir -p "$(sys_dir "$n")"; done
	sys_topo_up || sys_fail "topology"
	for b in $SYS_BACKENDS; do
		nsx "$b" env LIBXDP_BPFFS="$SYS_BPFFS/$b" "$XLB_SETUP" -p "$SYS_BPFFS/$b" decap eth0 \
			>/dev/null || sys_fail "decap on $b"
		sys_backend_start "$b"
	done
	for n in $SYS_LBS $SYS_DNS; do neighbors="$neighbors neighbor=${SYS_ADDR4[$n]}"; done
	# shellcheck disable=SC2086
	leaf_start bird "$(ns leaf)" $neighbors || sys_fail "leaf start"
	for n in $SYS_DNS; do
		sys_dns_conf "$n"
		sys_xlbd_start "$n"
		# xlbd puts the resolver's address on lo (add-address); unbound
		# binds to it
		leaf_poll 5 eval "nsx $n ip addr show dev lo | grep -q ' $ANYCAST4/32'" ||
			sys_fail "xlbd did not put $ANYCAST4 on lo of $n"
		sys_dns_start "$n"
	done
	for b in $SYS_BACKENDS; do
		sys_wait_listen "$b" 80 && sys_wait_listen "$b" 53 || sys_fail "servers on $b"
	done
	for n in $SYS_LBS; do
		sys_lb_conf "$n"
		sys_xlbd_start "$n"
	done
	# every VIP at the leaf with all its next hops
	if [ -n "$SYS_LBS" ]; then
		sys_wait_nexthops $VIP4/32 "$SYS_LBS" 20 || sys_fail "the leaf has no route for $VIP4 over $SYS_LBS"
		sys_wait_nexthops $VIP6/128 "$SYS_LBS" 10 || sys_fail "the leaf has no route for $VIP6 over $SYS_LBS"
	fi
	if [ -n "$SYS_DNS" ]; then
		sys_wait_nexthops $ANYCAST4/32 "$SYS_DNS" 20 ||
			sys_fail "the leaf has no route for $ANYCAST4 over $SYS_DNS"
	fi
	# first packets towards the backends resolve the lb nodes' neighbours
	if [ -n "$SYS_LBS" ] && [ -n "$SYS_BACKENDS" ]; then
		sys_http $VIP4 80 6 >/dev/null
		sys_http $VIP6 80 6 >/dev/null
	fi
}

# the leaf's kernel next hops of PREFIX as node names, sorted, comma-joined
sys_nexthops() {
	local fam=-4 a
	[[ $1 == *:* ]] && fam=-6
	for a in $(ip -n "$(ns leaf)" $fam route show "${1%/*}" 2>/dev/null |
		grep -oE 'via (inet6? )?[0-9a-f.:]+' | awk '{ print $NF }'); do
		sys_name "$a"
	done | sort -u | paste -sd,
}

sys_has_nexthops() { [ "$(sys_nexthops "$1")" = "$(echo "$2" | tr ' ' '\n' | sort | paste -sd,)" ]; }
sys_wait_nexthops() { leaf_poll "${3:-10}" sys_has_nexthops "$1" "$2"; }

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
	SYS_ALL_PIDS="$SYS_ALL_PIDS $!"
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
	SYS_ALL_PIDS="$SYS_ALL_PIDS $!"
	leaf_poll 30 test -f "$d/ready" || sys_fail "held connections did not open: $(cat "$d/log")"
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
		[ -n "${SYS_PID[$n/xlbd]:-}" ] && sys_ctl "$n" -j backend show "$1"
	done | "$SYS_PY" -c '
import json, sys
names = dict(a.split("=") for a in sys.argv[1:])
dec, text, tot, i = json.JSONDecoder(), sys.stdin.read(), {}, 0
while i < len(text):
    if text[i].isspace():
        i += 1
        continue
    rows, i = dec.raw_decode(text, i)
    for r in rows:
        b = names.get(r["backend"], r["backend"])
        tot[b] = tot.get(b, 0) + r["packets"]
print(" ".join("%s=%d" % kv for kv in sorted(tot.items())))
' $(for n in $SYS_BACKENDS; do echo "${SYS_ADDR4[$n]}=$n ${SYS_ADDR6[$n]}=$n"; done)
}

sys_down() {
	local k n left=""
	for k in "${!SYS_PID[@]}"; do
		[[ $k == client/* ]] && sys_stop "$k" KILL
	done
	# xlbd first: SIGTERM detaches the datapath and closes the sessions
	for k in "${!SYS_PID[@]}"; do
		[[ $k == */xlbd ]] && sys_stop "$k"
	done
	for k in "${!SYS_PID[@]}"; do
		sys_stop "$k"
	done
	SYS_ALL_PIDS="$SYS_ALL_PIDS ${LEAF_PIDS[*]}"
	leaf_stop_all
	# anything still running in our namespaces was started by us (by an
	# earlier shell when a KEEP=1 demo is taken down): TERM, then KILL
	for n in $(sys_nodes); do
		left="$left $(ip netns pids "$(ns "$n")" 2>/dev/null | tr "\n" " ")"
	done
	if [ -n "${left// /}" ]; then
		# shellcheck disable=SC2086
		kill $left 2>/dev/null
		leaf_poll 3 eval "[ \$(sys_alive $left) = 0 ]"
		# shellcheck disable=SC2086
		kill -9 $left 2>/dev/null
	fi
	for n in $(sys_nodes); do
		ip netns del "$(ns "$n")" 2>/dev/null
	done
	mountpoint -q "$SYS_BPFFS" 2>/dev/null && umount "$SYS_BPFFS"
	rm -rf "$SYS_RUN"
	return 0
}

# sys_alive PID...: how many still run (zombies do not: nobody may reap
# the children of a shell that is gone)
sys_alive() {
	local p n=0
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && [ "$(ps -o stat= -p "$p" 2>/dev/null)" != Z ] && n=$((n + 1))
	done
	echo $n
}

# after sys_down: what is left of the topology
sys_leftovers() {
	# shellcheck disable=SC2086
	echo "namespaces=$(ip netns list | grep -c "^$SYS-") mounts=$(grep -c " $SYS_RUN" /proc/mounts)" \
		"processes=$(sys_alive $SYS_ALL_PIDS)"
}

sys_test() {
	[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, XDP)"; exit 77; }
	trap sys_down EXIT
	trap 'exit 130' INT TERM
	fail() { sys_fail "$*"; }
}

sys_backend_field() {
	sys_ctl "$1" -j backend show "$2" | $SYS_PY -c '
import json, sys
print([b[sys.argv[2]] for b in json.load(sys.stdin) if b["backend"] == sys.argv[1]][0])' "$3" "$4"
}

sys_fail() {
	local n
	echo "FAIL: $*"
	echo "--- leaf routes"
	leaf_routes bird 2>/dev/null
	ip -n "$(ns leaf)" route show 203.0.113.0/24 root 2>/dev/null
	leaf_log bird 10 2>/dev/null
	for n in $SYS_LBS $SYS_DNS; do
		[ -f "$SYS_RUN/$n.xlbd.log" ] || continue
		echo "--- $n: xlbctl vip show, health show"
		sys_ctl "$n" vip show 2>&1 | head -20
		sys_ctl "$n" health show 2>&1 | head -20
		echo "--- $n: xlbd log"
		tail -25 "$SYS_RUN/$n.xlbd.log"
	done
	exit 1
}
