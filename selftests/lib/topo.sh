# SPDX-License-Identifier: GPL-2.0
# Network-namespace topology shared by the demo and the live tests.
# Source it, set TOPO (a short unique prefix), call topo_up, and make sure
# topo_down runs on every exit path (trap). Documentation addresses only;
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

: "${BUILD:=build}"
XLB_SETUP="$BUILD/tools/xlb-setup"
VIP4=203.0.113.10
VIP6=2001:db8:ffff::10
LB4=192.0.2.10
LB6=2001:db8:1::10
BACKENDS4="198.51.100.11 198.51.100.12"
BACKENDS6="2001:db8:b::11 2001:db8:b::12"
CLIENT4=192.0.2.130
TOPO_PIDS=""

ns() { echo "${TOPO}-$1"; }
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

# veth between two namespaces: link NS1 IF1 NS2 IF2
topo_link() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
	nsx "$1" ip link set "$2" up
	nsx "$3" ip link set "$4" up
}

topo_addr() { nsx "$1" ip addr add "$3" dev "$2" nodad 2>/dev/null || nsx "$1" ip addr add "$3" dev "$2"; }

topo_up() {
	local n i=1
	TOPO_BPFFS="/run/${TOPO}-bpffs"
	for n in client leaf lb b1 b2; do
		ip netns add "$(ns $n)"
		nsx $n ip link set lo up
		nsx $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	# one bpffs for all nodes, outside /sys (ip netns exec remounts /sys);
	# each node pins under its own directory
	mkdir -p "$TOPO_BPFFS"
	mount -t bpf bpf "$TOPO_BPFFS"
	export LIBXDP_BPFFS="$TOPO_BPFFS"

	topo_link client c0 leaf l-client
	topo_link lb lb0 leaf l-lb
	nsx leaf ip link add br0 type bridge
	nsx leaf ip link set br0 up
	for n in b1 b2; do
		topo_link $n eth0 leaf "l-$n"
		nsx leaf ip link set "l-$n" master br0
	done

	# veth hands partially checksummed packets along (checksum offload);
	# a real client NIC puts complete ones on the wire, so do the same
	nsx client ethtool -K c0 tx off >/dev/null
	topo_addr client c0 $CLIENT4/25
	topo_addr client c0 2001:db8:c::2/64
	nsx client ip route add 203.0.113.0/24 via 192.0.2.129
	nsx client ip -6 route add 2001:db8:ffff::/48 via 2001:db8:c::1

	topo_addr leaf l-client 192.0.2.129/25
	topo_addr leaf l-client 2001:db8:c::1/64
	topo_addr leaf l-lb 192.0.2.1/25
	topo_addr leaf l-lb 2001:db8:1::1/64
	topo_addr leaf br0 198.51.100.1/24
	topo_addr leaf br0 2001:db8:b::1/64
	nsx leaf sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	nsx leaf ip route add $VIP4/32 via $LB4
	nsx leaf ip -6 route add $VIP6/128 via $LB6
	# a veth takes XDP_TX frames from its peer only if it runs XDP itself
	nsx leaf ip link set dev l-lb xdp obj "$BUILD/selftests/lib/xdp_pass.bpf.o" sec xdp

	topo_addr lb lb0 $LB4/25
	topo_addr lb lb0 $LB6/64
	nsx lb ip route add 198.51.100.0/24 via 192.0.2.1
	nsx lb ip route add 192.0.2.128/25 via 192.0.2.1
	nsx lb ip -6 route add 2001:db8:b::/64 via 2001:db8:1::1
	nsx lb ip -6 route add 2001:db8:c::/64 via 2001:db8:1::1
	# a packet whose next hop is not resolved yet is passed to the kernel
	# already encapsulated: the kernel must forward it from its own address
	nsx lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.accept_local=1 net.ipv4.conf.lb0.accept_local=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lb0.rp_filter=0

	for n in b1 b2; do
		i=$((i + 1))
		topo_addr $n eth0 198.51.100.1$((i - 1))/24
		topo_addr $n eth0 2001:db8:b::1$((i - 1))/64
		topo_addr $n lo $VIP4/32
		topo_addr $n lo $VIP6/128
		nsx $n ip route add 192.0.2.0/24 via 198.51.100.1
		nsx $n ip -6 route add 2001:db8:c::/64 via 2001:db8:b::1
		nsx $n ip -6 route add 2001:db8:1::/64 via 2001:db8:b::1
		nsx $n sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
	done
}

# Load the balancer on the lb node and the decap program on the backends.
topo_xdp() {
	local n
	nsx lb "$XLB_SETUP" -p "$TOPO_BPFFS/lb" attach lb0 src4 $LB4 src6 $LB6 || return 1
	for n in b1 b2; do
		nsx $n "$XLB_SETUP" -p "$TOPO_BPFFS/$n" decap eth0 >/dev/null || return 1
	done
}

# Start a daemon in a namespace and remember its PID for topo_down. Its
# output goes to $TOPO_LOG (default: none).
topo_spawn() {
	local n=$1; shift
	ip netns exec "$(ns "$n")" "$@" >>"${TOPO_LOG:-/dev/null}" 2>&1 &
	TOPO_PIDS="$TOPO_PIDS $!"
}

# Tiny real servers on each backend: HTTP on 80 and a UDP responder on 5353,
# both answering with the backend's name.
topo_servers() {
	local n
	for n in b1 b2; do
		mkdir -p "$TOPO_BPFFS.www/$n"
		echo "$n" > "$TOPO_BPFFS.www/$n/index.html"
		topo_spawn $n /usr/bin/python3 -m http.server --bind :: --directory \
			"$TOPO_BPFFS.www/$n" 80
		# one process answering every datagram from the VIP it came to
		# (bound to the VIPs: a wildcard socket would answer from the
		# backend's own address)
		topo_spawn $n /usr/bin/python3 -c '
import select, socket, sys
socks = []
for fam, addr in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, 5353))
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        data, peer = s.recvfrom(512)
        s.sendto(sys.argv[3].encode() + b"\n", peer)
' $VIP4 $VIP6 $n
	done
	# a slow one on 81: 60 lines, one every 100 ms, so a connection stays
	# open (and the client keeps sending ACKs through the balancer) for 6 s
	printf 'for i in $(seq 60); do echo "$1 $i"; sleep 0.1; done\n' >"$TOPO_BPFFS.www/trickle.sh"
	for n in b1 b2; do
		topo_spawn $n socat TCP6-LISTEN:81,fork,reuseaddr,ipv6only=0 \
			SYSTEM:"sh $TOPO_BPFFS.www/trickle.sh $n"
	done
	# wait until both listen
	for n in b1 b2; do
		for _ in $(seq 50); do
			nsx $n ss -ltn 2>/dev/null | grep -q ':81 ' &&
				nsx $n ss -ltn 2>/dev/null | grep -q ':80 ' && break
			sleep 0.1
		done
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

topo_down() {
	local p n
	for p in $TOPO_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $TOPO_PIDS; do
		wait "$p" 2>/dev/null
	done
	TOPO_PIDS=""
	for n in client leaf lb b1 b2; do
		ip netns del "$(ns $n)" 2>/dev/null
	done
	if [ -n "${TOPO_BPFFS:-}" ] && mountpoint -q "$TOPO_BPFFS"; then
		umount "$TOPO_BPFFS"
	fi
	[ -n "${TOPO_BPFFS:-}" ] && rm -rf "$TOPO_BPFFS.www" && rmdir "$TOPO_BPFFS" 2>/dev/null
	return 0
}

# One UDP request from namespace $1 to [$2]:$3; prints the answer. Like a
# DNS client it asks again (same socket) if no answer came within 1 s,
# three times at most: a veth under load may drop a datagram.
udp_query() {
	nsx "$1" /usr/bin/python3 -c '
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for attempt in range(3):
    s.sendto(b"q", (addr, port))
    try:
        print(s.recv(512).decode().strip())
        break
    except socket.timeout:
        continue
' "$2" "$3"
}
