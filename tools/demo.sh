#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: the datapath at work in network namespaces. A client sends
# HTTP and UDP requests to a VIP; the leaf router hands them to the xlb
# node, whose XDP program picks a backend with Maglev, encapsulates the
# untouched packet (IPIP for HTTP, GUE for UDP) and sends it back out; the
# backends' decap program strips the tunnel and the services answer the
# client directly. Everything is removed at the end (KEEP=1 leaves it up).
set -u
cd "$(dirname "$0")/.." || exit 1
TOPO=xlbdemo
. selftests/lib/topo.sh

[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (network namespaces, XDP)"; exit 1; }
ip netns list | grep -q "^$TOPO-" && { echo "a demo is already up: ip netns list | grep $TOPO"; exit 1; }
say() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		say "KEEP=1: the topology stays up. Try:"
		echo "  ip netns exec $(ns client) curl http://$VIP4/"
		echo "  ip netns exec $(ns lb) $XLB_SETUP -p $TOPO_BPFFS/lb stats"
		echo "  bpftool map dump pinned $TOPO_BPFFS/lb/vips"
		echo "Servers run as PIDs:$TOPO_PIDS"
		echo "Tear down: kill$TOPO_PIDS; for n in client leaf lb b1 b2; do ip netns del $TOPO-\$n; done; umount $TOPO_BPFFS"
		return
	fi
	say "tearing down"
	topo_down
	echo "namespaces left: $(ip netns list | grep -c "^$TOPO-")"
}
trap cleanup EXIT

say "topology: client -- leaf router -- xlb node (lb), leaf bridge -- backends b1, b2"
topo_up || die "cannot build the topology"
echo "VIP $VIP4 and $VIP6 are routed by the leaf to the xlb node $LB4"

say "loading the balancer on lb:lb0 (native XDP) and the decap program on the backends"
topo_xdp || die "cannot attach XDP programs"
nsx lb ip -br link show lb0 | sed 's/^/  /'
nsx lb "$XLB_SETUP" -p "$TOPO_BPFFS/lb" vip 0 $VIP4 tcp 80 backend 198.51.100.11 backend 198.51.100.12 ||
	die "vip"
nsx lb "$XLB_SETUP" -p "$TOPO_BPFFS/lb" vip 1 $VIP4 udp 5353 gue 6080 \
	backend 198.51.100.11 backend 198.51.100.12 || die "vip"
nsx lb "$XLB_SETUP" -p "$TOPO_BPFFS/lb" vip 2 $VIP6 tcp 80 \
	backend 2001:db8:b::11 backend 2001:db8:b::12 || die "vip"
echo "  VIP $VIP4 tcp/80 (IPIP), $VIP4 udp/5353 (GUE), [$VIP6] tcp/80 (IPv6-in-IPv6), 2 backends each"
topo_servers 2>/dev/null

count() {
	local what=$1 n=$2 i out b1=0 b2=0 bad=0
	shift 2
	for i in $(seq "$n"); do
		out=$("$@" 2>/dev/null)
		case "$out" in
		b1) b1=$((b1 + 1)) ;;
		b2) b2=$((b2 + 1)) ;;
		*) bad=$((bad + 1)) ;;
		esac
	done
	printf '  %-28s answered by b1: %2d  b2: %2d  failed: %d\n' "$what" $b1 $b2 $bad
	[ $bad -eq 0 ]
}

say "client requests (each a new connection or source port, so Maglev spreads them)"
ok=1
count "HTTP to $VIP4" 20 nsx client curl -s -m 3 "http://$VIP4/" || ok=0
count "UDP to $VIP4:5353" 10 udp_query client $VIP4 5353 || ok=0
count "HTTP to [$VIP6]" 20 nsx client curl -s -m 3 "http://[$VIP6]/" || ok=0

say "what the backends see: the client's own address (no NAT), replies sent directly"
nsx b1 ss -tn state time-wait 2>/dev/null | awk 'NR > 1 { print "  b1 " $3 " <- client " $4 }' | head -3

say "balancer counters (per-CPU maps summed, read from the pinned maps)"
nsx lb "$XLB_SETUP" -p "$TOPO_BPFFS/lb" stats | sed 's/^/  /'

say "summary"
if [ $ok = 1 ]; then
	echo "  every request answered, spread over both backends through the XDP balancer"
else
	echo "  some requests failed"
fi
[ $ok = 1 ]
