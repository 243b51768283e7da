#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Accounting under load with backend churn: every packet the balancer
# received is forwarded or counted under a reason. Load through the real
# balancer for ~12 s (long-lived and new TCP connections, UDP queries,
# IPv4 and IPv6) plus packets the balancer must pass or drop (pings and
# UDP to the VIP address on ports no VIP serves, UDP to the node itself,
# TCP to the VIP cut short after 10 bytes), while backends churn: a
# backend drained and pooled, another failing its health check and coming
# back, a weight set, a backend depooled --now, every backend of a VIP
# depooled, a reload with new weights. Read in quiet moments before and
# after (no packet came in while xlbd's counters were read), exactly:
#   the packets the leaf sent to lb0 (its veth's count) = in
#   in (the kernel's count of packets lb0's XDP program saw, ethtool -S)
#     = tx + redirect + pass + drop                      (xlbd's counters)
#   pass = the sum of the pass reasons, drop = the sum of the drop reasons
#   tx, redirect, drop = the kernel's own XDP_TX, XDP_REDIRECT, XDP_DROP counts
#   forwarded (tx + redirect + pass_no_neigh - too_big_sent)
#     = the sum of the per-VIP packets = the sum of the per-backend packets
#     = what the backends' decap programs took in + what the kernel
#       counted as lost on the way (XDP_TX errors, interface drops)
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlba$$"
. selftests/lib/fault_dp.sh

http_server_pid() { nsx "$1" ss -ltnpH "sport = :80" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
# the decap programs' "decap" counter (index 1), over backends and CPUs
decapped() {
	local n t=0
	for n in b1 b2 b3; do
		t=$((t + $(bpftool -j map dump pinned "$TOPO_BPFFS/$n/decap_stats" |
			json_get '[formatted.key=1].formatted.values[*].value|sum')))
	done
	echo $t
}
# the counters a packet moves as it arrives, in a quiet moment: the
# packets the leaf sent to lb0 (sent), the kernel's XDP counters of lb0
# (k_*) read before and after xlbd's, twice, all unchanged: no packet came
# in meanwhile, so they count the same ones
quiet_counters() {
	local i k1 k2 s1 s2
	for i in $(seq 300); do
		k1=$(nsx lb ethtool -S lb0; nsx leaf ip -s -j link show l-lb)
		s1=$(ctl -j stats)
		s2=$(ctl -j stats)
		k2=$(nsx lb ethtool -S lb0; nsx leaf ip -s -j link show l-lb)
		if [ "$k1" = "$k2" ] && [ "$s1" = "$s2" ]; then
			echo "$s1" | json_get '|items'
			echo "$k1" | sed -n 's/^ *rx_queue_0_\(xdp_[a-z_]*\|drops\): \([0-9]*\)$/k_\1 \2/p'
			echo "sent $(echo "$k1" | grep '^\[' | json_get '[0].stats64.tx.packets')"
			return 0
		fi
	done
	return 1
}
# packets the kernel dropped between the balancer and the backends: every
# drop counter of the leaf's interfaces and the backends' uplinks
lost_on_the_way() {
	{
		nsx leaf ip -s -j link show
		for n in b1 b2 b3; do nsx $n ip -s -j link show eth0; done
	} | json_get '[*]' ifname stats64.rx.dropped stats64.tx.dropped |
		awk '$1 != "lo" { s += $2 + $3 } END { print s + 0 }'
}
# FILE: quiet_counters, then the per-VIP and per-backend packets summed
# (vip_packets, be_packets) and the backends' decap count: these move
# only with forwarded traffic, which has stopped when this is called
snap() {
	local v t=0
	quiet_counters >"$1" || return 1
	echo "vip_packets $(xlbctl_json lb vip show -- '[*].packets|sum')" >>"$1"
	for v in echo echo6 dns dns6; do
		t=$((t + $(xlbctl_json lb backend show $v -- '[*].packets|sum')))
	done
	echo "be_packets $t" >>"$1"
	echo "decapped $(decapped)" >>"$1"
	echo "lost $(lost_on_the_way)" >>"$1"
}
v() { sed -n "s/^$2 //p" "$RUN/$1"; }
d() { echo $(($(v after "$1") - $(v before "$1"))); }

# packets the balancer must pass or drop: N each of ICMP echo and UDP to
# the VIP address on ports no VIP serves (pass_vip_other), UDP to the
# node's own address (pass_not_vip), TCP to the VIP cut after 10 bytes of
# its header (drop_l4_truncated)
odd_packets() {
	nsx client $PY - "$1" $CLIENT4 $VIP4 $LB4 <<'EOP'
import socket, struct, sys, time
n, src, vip, node = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xFFFF) + (s >> 16)
    return ~((s & 0xFFFF) + (s >> 16)) & 0xFFFF
for i in range(n):
    echo = struct.pack("!BBHHH", 8, 0, 0, 0x4242, i) + b"ping"
    icmp.sendto(echo[:2] + struct.pack("!H", csum(echo)) + echo[4:], (vip, 0))
    udp.sendto(b"x", (vip, 7))
    udp.sendto(b"x", (node, 9))
    tcp10 = struct.pack("!HHIH", 40000 + i, 82, i, 0)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 30, i, 0, 64, socket.IPPROTO_TCP, 0,
                      socket.inet_aton(src), socket.inet_aton(vip))
    raw.sendto(hdr + tcp10, (vip, 0))
    time.sleep(0.01)
EOP
}

fault_setup b3
fault_conf <<EOF
vip $VIP4 tcp 82 {
    name echo
    health tcp port 80 interval 500ms timeout 300ms rise 2 fall 2
    backend 198.51.100.11
    backend 198.51.100.12
    backend 198.51.100.13
}
vip $VIP6 tcp 82 { name echo6; backend 2001:db8:b::11; backend 2001:db8:b::12; backend 2001:db8:b::13 }
vip $VIP4 udp 5353 { name dns; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP6 udp 5353 { name dns6; backend 2001:db8:b::11; backend 2001:db8:b::13 }
EOF
# the node's own address, for packets that are not for a VIP
nsx client ip route add 192.0.2.0/25 via 192.0.2.129
xlbd_start -dd
wait_for 10 nexthops_cached || fail "next hops never cached"
snap "$RUN/before" || fail "no quiet moment to read the counters in"

load_start --long 60 --long-addr "$VIP4,$VIP6" --long-interval 0.1 \
	--new-rate 30 --new-addr "$VIP4,$VIP6" --udp-rate 30 --udp-addr "$VIP4,$VIP6"
odd_packets 100 &
odd=$!
sleep 1
ctl backend depool echo 198.51.100.11 >/dev/null || fail "depool"
sleep 1
kill "$(http_server_pid b2)" || fail "no HTTP server on b2"
sleep 1.5
ctl backend pool echo 198.51.100.11 >/dev/null || fail "pool"
ctl backend set echo6 2001:db8:b::13 weight 300 >/dev/null || fail "weight"
sleep 1
topo_spawn b2 $PY -m http.server --bind :: --directory "$TOPO_BPFFS.www/b2" 80
ctl backend depool echo6 2001:db8:b::11 --now >/dev/null || fail "depool --now"
sleep 1
sed -i 's/backend 198.51.100.12 }/backend 198.51.100.12 weight 250 }/' "$RUN/xlb.conf"
ctl reload >/dev/null || fail "reload"
ctl backend depool dns 198.51.100.11 >/dev/null && ctl backend depool dns 198.51.100.12 >/dev/null ||
	fail "depool every dns backend"
sleep 1.5
ctl backend pool dns 198.51.100.11 >/dev/null && ctl backend pool dns 198.51.100.12 >/dev/null ||
	fail "pool dns"
ctl backend pool echo6 2001:db8:b::11 >/dev/null || fail "pool"
sleep 1.5
wait "$odd"
load_stop
# the last segments of the closed connections, and what is in flight
sleep 1
snap "$RUN/after" || fail "no quiet moment to read the counters in"
ctl stats >"$RUN/stats.after"

in=$(d k_xdp_packets)
tx=$(d tx) redirect=$(d redirect) pass=$(d pass) drop=$(d drop)
pass_reasons=0
for r in pass_not_ip pass_vlan pass_l3_malformed pass_not_vip pass_vip_other pass_no_neigh; do
	pass_reasons=$((pass_reasons + $(d $r)))
done
drop_reasons=0
for r in drop_l4_truncated drop_ext_hdr drop_no_backend drop_no_route drop_no_source drop_frag \
	drop_too_big drop_encap; do
	drop_reasons=$((drop_reasons + $(d $r)))
done
fwd=$((tx + redirect + $(d pass_no_neigh) - $(d too_big_sent)))
echo "the leaf sent $(d sent) packets to lb0, its XDP program saw $in"
echo "in $in = tx $tx + redirect $redirect + pass $pass + drop $drop"
echo "pass $pass = reasons $pass_reasons: not_ip $(d pass_not_ip), not_vip $(d pass_not_vip)," \
	"vip_other $(d pass_vip_other), no_neigh $(d pass_no_neigh)"
echo "drop $drop = reasons $drop_reasons: l4_truncated $(d drop_l4_truncated), no_backend $(d drop_no_backend)"
echo "kernel: xdp_tx $(d k_xdp_tx) (errors $(d k_xdp_tx_errors)), xdp_redirect $(d k_xdp_redirect), xdp_drops $(d k_xdp_drops)"
echo "forwarded $fwd = per VIP $(d vip_packets) = per backend $(d be_packets);" \
	"decapsulated by the backends $(d decapped), lost on the way $(d lost), XDP_TX errors $(d k_xdp_tx_errors)"
load_check >/dev/null
$PY selftests/lib/loadgen.py totals "$RUN/load.json"

[ "$in" -gt 5000 ] || fail "too little traffic to tell: $in packets"
[ "$(d sent)" = "$in" ] || fail "the leaf sent $(d sent), XDP on lb0 saw $in"
[ "$in" = $((tx + redirect + pass + drop)) ] || fail "in $in != actions $((tx + redirect + pass + drop))"
[ "$pass" = "$pass_reasons" ] || fail "pass $pass != its reasons $pass_reasons"
[ "$drop" = "$drop_reasons" ] || fail "drop $drop != its reasons $drop_reasons"
[ "$(d k_xdp_tx)" = "$tx" ] || fail "kernel XDP_TX $(d k_xdp_tx) != tx $tx"
[ "$(d k_xdp_redirect)" = "$redirect" ] || fail "kernel XDP_REDIRECT $(d k_xdp_redirect) != redirect $redirect"
[ "$(d k_xdp_drops)" = "$drop" ] || fail "kernel XDP_DROP $(d k_xdp_drops) != drop $drop"
[ "$(d vip_packets)" = "$fwd" ] || fail "per-VIP packets $(d vip_packets) != forwarded $fwd"
[ "$(d be_packets)" = "$fwd" ] || fail "per-backend packets $(d be_packets) != forwarded $fwd"
[ "$(d decapped)" = $((fwd - $(d k_xdp_tx_errors) - $(d lost))) ] ||
	fail "backends took in $(d decapped), forwarded $fwd (XDP_TX errors $(d k_xdp_tx_errors), lost $(d lost))"
# the churn and the odd packets reached every kind of verdict
[ "$(d pass_vip_other)" -ge 200 ] || fail "pass_vip_other $(d pass_vip_other) < 200"
[ "$(d pass_not_vip)" -ge 100 ] || fail "pass_not_vip $(d pass_not_vip) < 100"
[ "$(d drop_l4_truncated)" -ge 100 ] || fail "drop_l4_truncated $(d drop_l4_truncated) < 100"
[ "$(d drop_no_backend)" -ge 1 ] || fail "no drop_no_backend with every dns backend depooled"
echo "fault accounting: all checks passed"
exit 0
