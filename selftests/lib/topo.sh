# SPDX-License-Identifier: GPL-2.0
# The one-node datapath topology: the live datapath test, the e2e tests
# that start xlbd themselves (xlbd_node.sh, fault_dp.sh) and the backend
# failover benchmark. Source it from the top of the tree after setting
# TOPO (a short unique prefix), call topo_up; everything it made goes on
# every exit path (selftests/lib/netns.sh). Documentation addresses only;
# the namespaces have no link to the root namespace and no default route.
#
#   client (192.0.2.130, 2001:db8:c::2)
#      |
#   leaf router --- lb (192.0.2.10, 2001:db8:1::10): XDP balancer
#      |  (bridge)
#   b1 198.51.100.11 / 2001:db8:b::11, b2 198.51.100.12 / 2001:db8:b::12:
#      decap XDP, VIPs on lo, real servers
#
# VIPs: 203.0.113.10 and 2001:db8:ffff::10, routed by the leaf to the lb.
#
#   topo_up                 the namespaces, links, addresses, routes, one
#                           bpffs ($TOPO_BPFFS, a directory per node)
#   topo_backend NODE N     one more backend on the leaf's bridge, like b1,
#                           b2 (198.51.100.1N, 2001:db8:b::1N)
#   topo_xdp                the balancer (xlb-setup) on lb, decap on b1, b2
#   topo_spawn NODE CMD...  a daemon in NODE, output to $TOPO_LOG (default
#                           none), stopped at exit
#   topo_servers [NODE...]  on each backend (default b1 b2): HTTP on 80, the
#                           UDP responder on 5353 (system.py udp), a slow
#                           TCP server on 81; waits until they listen
#   topo_conn_backend       the backend of the client's connection to 81
#   udp_query NS ADDR PORT  one UDP request from NS (system.py ask)
#   topo_down               what teardown does (for scripts with a trap of
#                           their own)

. selftests/lib/netns.sh
XLB_SETUP="$BUILD/tools/xlb-setup"
VIP4=203.0.113.10
VIP6=2001:db8:ffff::10
LB4=192.0.2.10
LB6=2001:db8:1::10
BACKENDS4="198.51.100.11 198.51.100.12"
BACKENDS6="2001:db8:b::11 2001:db8:b::12"
CLIENT4=192.0.2.130
TOPO_BPFFS="/run/${TOPO}-bpffs"
TOPO_PY=/usr/bin/python3

topo_down() { teardown; }

# a backend on the leaf's bridge: its addresses, the VIPs on lo, routes back
topo_backend() {
	local n=$1 i=$2
	netns_add "$n" || return 1
	netns_link "$n" eth0 leaf "l-$n" || return 1
	nsx leaf ip link set "l-$n" master br0
	netns_addr "$n" eth0 198.51.100.1"$i"/24
	netns_addr "$n" eth0 2001:db8:b::1"$i"/64
	netns_addr "$n" lo $VIP4/32
	netns_addr "$n" lo $VIP6/128
	nsx "$n" ip route add 192.0.2.0/24 via 198.51.100.1
	nsx "$n" ip -6 route add 2001:db8:c::/64 via 2001:db8:b::1
	nsx "$n" ip -6 route add 2001:db8:1::/64 via 2001:db8:b::1
	nsx "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
}

topo_up() {
	netns_add client leaf lb || return 1
	# one bpffs for all nodes, outside /sys (ip netns exec remounts /sys);
	# each node pins under its own directory
	mkdir -p "$TOPO_BPFFS" "$TOPO_BPFFS.www"
	cleanup_dir "$TOPO_BPFFS"
	cleanup_dir "$TOPO_BPFFS.www"
	mount -t bpf bpf "$TOPO_BPFFS" || return 1
	cleanup_mount "$TOPO_BPFFS"
	export LIBXDP_BPFFS="$TOPO_BPFFS"

	netns_link client c0 leaf l-client || return 1
	netns_link lb lb0 leaf l-lb || return 1
	nsx leaf ip link add br0 type bridge
	nsx leaf ip link set br0 up

	# veth hands partially checksummed packets along (checksum offload);
	# a real client NIC puts complete ones on the wire, so do the same
	nsx client ethtool -K c0 tx off >/dev/null
	netns_addr client c0 $CLIENT4/25
	netns_addr client c0 2001:db8:c::2/64
	nsx client ip route add 203.0.113.0/24 via 192.0.2.129
	nsx client ip -6 route add 2001:db8:ffff::/48 via 2001:db8:c::1

	netns_addr leaf l-client 192.0.2.129/25
	netns_addr leaf l-client 2001:db8:c::1/64
	netns_addr leaf l-lb 192.0.2.1/25
	netns_addr leaf l-lb 2001:db8:1::1/64
	netns_addr leaf br0 198.51.100.1/24
	netns_addr leaf br0 2001:db8:b::1/64
	nsx leaf sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	nsx leaf ip route add $VIP4/32 via $LB4
	nsx leaf ip -6 route add $VIP6/128 via $LB6
	# a veth takes XDP_TX frames from its peer only if it runs XDP itself
	nsx leaf ip link set dev l-lb xdp obj "$BUILD/selftests/lib/xdp_pass.bpf.o" sec xdp

	netns_addr lb lb0 $LB4/25
	netns_addr lb lb0 $LB6/64
	nsx lb ip route add 198.51.100.0/24 via 192.0.2.1
	nsx lb ip route add 192.0.2.128/25 via 192.0.2.1
	nsx lb ip -6 route add 2001:db8:b::/64 via 2001:db8:1::1
	nsx lb ip -6 route add 2001:db8:c::/64 via 2001:db8:1::1
	# a packet whose next hop is not resolved yet is passed to the kernel
	# already encapsulated: the kernel must forward it from its own address
	nsx lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.accept_local=1 net.ipv4.conf.lb0.accept_local=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lb0.rp_filter=0

	topo_backend b1 1 && topo_backend b2 2
}

# Load the balancer on the lb node and the decap program on the backends.
topo_xdp() {
	local n
	nsx lb "$XLB_SETUP" -p "$TOPO_BPFFS/lb" attach lb0 src4 $LB4 src6 $LB6 || return 1
	for n in b1 b2; do
		nsx $n "$XLB_SETUP" -p "$TOPO_BPFFS/$n" decap eth0 >/dev/null || return 1
	done
}

topo_spawn() {
	local n=$1
	shift
	spawn "$n" "${TOPO_LOG:-/dev/null}" "$@"
}

topo_listening() { nsx "$1" ss -ltn 2>/dev/null | grep -q ":$2 "; }

topo_servers() {
	local n nodes=${*:-b1 b2}
	for n in $nodes; do
		mkdir -p "$TOPO_BPFFS.www/$n"
		echo "$n" >"$TOPO_BPFFS.www/$n/index.html"
		topo_spawn "$n" $TOPO_PY -m http.server --bind :: --directory "$TOPO_BPFFS.www/$n" 80
		topo_spawn "$n" $TOPO_PY "$NETNS_LIB/system.py" udp "$n" 5353 $VIP4 $VIP6
	done
	# a slow one on 81: 60 lines, one every 100 ms, so a connection stays
	# open (and the client keeps sending ACKs through the balancer) for 6 s
	printf 'for i in $(seq 60); do echo "$1 $i"; sleep 0.1; done\n' >"$TOPO_BPFFS.www/trickle.sh"
	for n in $nodes; do
		topo_spawn "$n" socat TCP6-LISTEN:81,fork,reuseaddr,ipv6only=0 \
			SYSTEM:"sh $TOPO_BPFFS.www/trickle.sh $n"
	done
	for n in $nodes; do
		wait_for 10 topo_listening "$n" 80 && wait_for 10 topo_listening "$n" 81 || return 1
	done
}

# Which backend (b1, b2) serves the client's connection to port 81
# (topo_servers' slow one); nothing while there is none.
topo_conn_backend() {
	local n
	for n in b1 b2; do
		nsx $n ss -tnH state established "( sport = :81 )" | grep -q "$CLIENT4" && echo $n
	done
}

udp_query() { nsx "$1" $TOPO_PY "$NETNS_LIB/system.py" ask "$2" "$3"; }
