#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live test of the datapath: the balancer attached (native XDP) to the lb
# node's veth, the decap program on two backends, real TCP (HTTP) and UDP
# exchanges from a client namespace over IPv4 and IPv6, IPIP and GUE.
# Replies go straight from the backends to the client (DSR).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbt$$"
. selftests/lib/topo.sh

fail() { echo "FAIL: $*"; exit 1; }
trap topo_down EXIT

[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, XDP)"; exit 77; }
topo_up || fail "topology"
topo_xdp 2>"/tmp/$TOPO.log" || { cat "/tmp/$TOPO.log"; rm -f "/tmp/$TOPO.log"; fail "attach"; }
rm -f "/tmp/$TOPO.log"
setup() { nsx lb "$XLB_SETUP" -p "$TOPO_BPFFS/lb" "$@" || fail "xlb-setup $*"; }
setup vip 0 $VIP4 tcp 80 backend 198.51.100.11 backend 198.51.100.12
setup vip 1 $VIP4 udp 5353 gue 6080 backend 198.51.100.11 backend 198.51.100.12
setup vip 2 $VIP6 tcp 80 backend 2001:db8:b::11 backend 2001:db8:b::12
setup vip 3 $VIP6 udp 5353 gue 6080 backend 2001:db8:b::11 backend 2001:db8:b::12
topo_servers

# count answers per backend: run CMD N times, expect "b1"/"b2" answers
spread() {
	local n=$1 what=$2 i out b1=0 b2=0
	shift 2
	for i in $(seq "$n"); do
		out=$("$@" 2>/dev/null)
		case "$out" in
		b1) b1=$((b1 + 1)) ;;
		b2) b2=$((b2 + 1)) ;;
		*) fail "$what: request $i got '${out}'" ;;
		esac
	done
	echo "$what: b1=$b1 b2=$b2"
	[ $b1 -gt 0 ] && [ $b2 -gt 0 ] || fail "$what: one backend got nothing"
}

spread 16 "tcp4 ipip" nsx client curl -s -m 3 "http://$VIP4/"
spread 16 "udp4 gue" udp_query client $VIP4 5353
spread 16 "tcp6 ipip" nsx client curl -s -m 3 "http://[$VIP6]/"
spread 16 "udp6 gue" udp_query client $VIP6 5353

# a bigger transfer over one connection stays on one backend
head -c 2000000 /dev/zero > "$TOPO_BPFFS.www/b1/big"
cp "$TOPO_BPFFS.www/b1/big" "$TOPO_BPFFS.www/b2/big"
size=$(nsx client curl -s -m 10 -o /dev/null -w '%{size_download}' "http://$VIP4/big")
[ "$size" = 2000000 ] || fail "2 MB download got $size bytes"

stats=$(nsx lb "$XLB_SETUP" -p "$TOPO_BPFFS/lb" stats)
echo "$stats"
tx=$(echo "$stats" | awk '$1 == "tx" { print $2 }')
hits=$(echo "$stats" | awk '$1 == "flow_hit" { print $2 }')
[ "${tx:-0}" -ge 64 ] || fail "tx counter ${tx:-0} < 64"
[ "${hits:-0}" -gt 0 ] || fail "no flow table hits"
echo "$stats" | grep -q '^drop' && fail "unexpected drops"
exit 0
