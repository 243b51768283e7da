#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerates the BGP message vectors of this directory from a real
# session between BIRD 2 and FRR (see README). Run as root from anywhere:
#
#   selftests/agent/bgp-vectors/capture.sh [OUTDIR]
#
# Two namespaces joined by a veth pair, BIRD (AS 4200000001) in one and
# FRR (AS 65002) in the other, two sessions (over IPv4 and over IPv6),
# tcpdump on BIRD's side; FRR is passive, so each session is one TCP
# connection. A script of events then makes every message
# type appear: OPENs, KEEPALIVEs, UPDATEs announcing and withdrawing,
# End-of-RIB, ROUTE-REFRESH both ways, NOTIFICATIONs with shutdown
# communications. extract.py cuts the capture into one file per message.
# The daemons run in the foreground with their own config, control socket
# and pid files, are killed by PID, and the namespaces and files go away
# on every exit path. Only documentation addresses are used.
set -u

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
run=$(mktemp -d /tmp/xlb-bgpcap.XXXXXX) || exit 1
nsb=xlbcapb$$
nsf=xlbcapf$$
fs=xlbcap$$
pids=()

cleanup() {
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	ip netns del "$nsb" 2>/dev/null
	ip netns del "$nsf" 2>/dev/null
	rm -rf "/var/run/frr/$fs" "/etc/frr/$fs"
	if [ "${KEEP:-0}" = 1 ]; then
		echo "capture: kept $run"
	else
		rm -rf "$run"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

die() {
	echo "capture: $*" >&2
	for f in "$run"/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; } >&2
	done
	exit 1
}

# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
	local t=$(($1 * 20)) i
	shift
	for i in $(seq "$t"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

[ "$(id -u)" -eq 0 ] || die "run as root"
for t in bird birdc /usr/lib/frr/zebra /usr/lib/frr/bgpd vtysh tcpdump /usr/bin/python3; do
	command -v "$t" >/dev/null || die "$t missing (make deps)"
done

ip netns add "$nsb" || die "netns"
ip netns add "$nsf" || die "netns"
ip -n "$nsb" link add vbird type veth peer name vfrr netns "$nsf" || die "veth"
# fixed MACs: the link-local next hops in the vectors stay the same
ip -n "$nsb" link set dev vbird address 02:00:00:00:00:01
ip -n "$nsf" link set dev vfrr address 02:00:00:00:00:02
ip -n "$nsb" addr add 192.0.2.1/24 dev vbird
ip -n "$nsf" addr add 192.0.2.2/24 dev vfrr
ip -n "$nsb" addr add 2001:db8::1/64 dev vbird nodad
ip -n "$nsf" addr add 2001:db8::2/64 dev vfrr nodad
for ns in "$nsb" "$nsf"; do
	ip -n "$ns" link set lo up
done
ip -n "$nsb" link set dev vbird up
ip -n "$nsf" link set dev vfrr up
wait_for 5 sh -c "ip -n $nsb link show dev vbird | grep -q LOWER_UP" || die "no link"
# link-local addresses are not tentative for long, but wait for them
wait_for 5 sh -c "ip -n $nsb -6 addr show dev vbird scope link | grep -qv tentative" ||
	die "no link-local address"

cat >"$run/bird.conf" <<BIRD
router id 192.0.2.1;
log "$run/bird.log" all;
protocol device { scan time 10; }
protocol static static6 {
	ipv6;
	route 2001:db8:ffff::1/128 blackhole;
}
filter to_frr6 {
	bgp_large_community.add((4200000001, 6, 1));
	accept;
}
template bgp leaf {
	hold time 9;
	keepalive time 3;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 2;
}
protocol bgp v4sess from leaf {
	local 192.0.2.1 as 4200000001;
	neighbor 192.0.2.2 as 65002;
	ipv4 { import all; export none; };
	ipv6 { import all; export filter to_frr6; next hop address 2001:db8::1; };
}
protocol bgp v6sess from leaf {
	local 2001:db8::1 as 4200000001;
	neighbor 2001:db8::2 as 65002;
	interface "vbird";
	ipv6 { import all; export filter to_frr6; };
}
BIRD
bird -p -c "$run/bird.conf" >"$run/birdcheck.log" 2>&1 || die "bad BIRD config"

mkdir -p "/var/run/frr/$fs" "/etc/frr/$fs"
cat >"/etc/frr/$fs/frr.conf" <<FRR
frr defaults datacenter
hostname capfrr
route-map SETC permit 10
 set community 65002:100 65002:200
 set large-community 65002:1:2 65002:3:4
exit
router bgp 65002
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor 192.0.2.1 remote-as 4200000001
 neighbor 192.0.2.1 passive
 neighbor 2001:db8::1 remote-as 4200000001
 neighbor 2001:db8::1 passive
 address-family ipv4 unicast
  network 198.51.100.1/32 route-map SETC
  neighbor 192.0.2.1 activate
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:eeee::2/128
  neighbor 2001:db8::1 activate
 exit-address-family
exit
FRR
echo "service integrated-vtysh-config" >"/etc/frr/$fs/vtysh.conf"
chown -R frr:frr "/var/run/frr/$fs" "/etc/frr/$fs"

ip netns exec "$nsb" tcpdump -i vbird -U -s 0 -w "$run/cap.pcap" tcp port 179 \
	>"$run/tcpdump.log" 2>&1 &
pids+=($!)
wait_for 5 grep -q "listening on" "$run/tcpdump.log" || die "tcpdump did not start"

ip netns exec "$nsf" /usr/lib/frr/zebra -N "$fs" -A 127.0.0.1 -P 0 \
	-i "/var/run/frr/$fs/zebra.pid" --log stdout >"$run/zebra.log" 2>&1 &
pids+=($!)
wait_for 5 test -S "/var/run/frr/$fs/zserv.api" || die "zebra did not start"
ip netns exec "$nsf" /usr/lib/frr/bgpd -N "$fs" -A 127.0.0.1 -P 0 -f "/etc/frr/$fs/frr.conf" \
	-i "/var/run/frr/$fs/bgpd.pid" --log stdout >"$run/bgpd.log" 2>&1 &
pids+=($!)
wait_for 5 test -S "/var/run/frr/$fs/bgpd.vty" || die "bgpd did not start"
# bgpd refuses a connection (FSM error) until zebra told it the addresses
wait_for 10 sh -c "ip netns exec $nsf vtysh -N $fs -c 'show interface vfrr' | grep -q fe80::" ||
	die "FRR does not see its addresses"
ip netns exec "$nsb" bird -f -c "$run/bird.conf" -s "$run/bird.ctl" -P "$run/bird.pid" \
	>"$run/bird.out" 2>&1 &
pids+=($!)
wait_for 5 birdc -s "$run/bird.ctl" show status || die "BIRD did not start"

bc() { birdc -s "$run/bird.ctl" "$@"; }
vt() { ip netns exec "$nsf" vtysh -N "$fs" "$@"; }
established() { bc show protocols "$1" | grep -q Established; }
bird_has() { bc show route "$1" | grep -q "$1"; }
frr_has() { vt -c "show bgp $1 $2 json" | grep -q '"prefix"'; }

wait_for 20 established v4sess || die "IPv4 session did not come up"
wait_for 20 established v6sess || die "IPv6 session did not come up"
wait_for 10 bird_has 198.51.100.1/32 || die "BIRD did not learn 198.51.100.1/32"
wait_for 10 bird_has 2001:db8:eeee::2/128 || die "BIRD did not learn 2001:db8:eeee::2/128"
wait_for 10 frr_has ipv6 2001:db8:ffff::1/128 || die "FRR did not learn 2001:db8:ffff::1/128"
sleep 3.5	# keepalives both ways

bc reload in v4sess >/dev/null || die "birdc reload"
vt -c "clear bgp ipv4 unicast 192.0.2.1 soft in" || die "vtysh clear"
sleep 0.5
bc disable static6 >/dev/null || die "birdc disable static6"
vt -c "configure terminal" -c "router bgp 65002" -c "address-family ipv4 unicast" \
	-c "no network 198.51.100.1/32 route-map SETC" || die "vtysh no network"
wait_for 10 sh -c "! birdc -s $run/bird.ctl show route 198.51.100.1/32 | grep -q 198.51" ||
	die "FRR did not withdraw"
sleep 0.5
bc disable v4sess '"maintenance: draining for an upgrade"' >/dev/null || die "birdc disable"
vt -c "configure terminal" -c "router bgp 65002" \
	-c "neighbor 2001:db8::1 shutdown message leaf going down — back in 5 minutes" ||
	die "vtysh shutdown"
sleep 1

kill -INT "${pids[0]}" 2>/dev/null
wait "${pids[0]}" 2>/dev/null
mkdir -p "$out"
rm -f "$out"/*.bin
/usr/bin/python3 "$here/extract.py" "$run/cap.pcap" "$out" || die "extract"
[ "${KEEP:-0}" = 1 ] && cp "$run/cap.pcap" "$out/"
exit 0
