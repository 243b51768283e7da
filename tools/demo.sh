#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: the whole system in network namespaces (selftests/lib/system.sh,
# the topology the e2e/system_* tests run). A BIRD leaf spreads a client's
# traffic over two xlb nodes (ECMP); each node's XDP balancer picks one of
# three backends with Maglev and tunnels the packet there; two anycast DNS
# servers announce their own address while unbound answers. Then backends,
# an xlb node and a DNS server go away and the traffic keeps working; on
# the way the xlb nodes move their pool state into a single-member etcd
# (selftests/lib/fleet.sh), after which one depool reaches both.
# Everything is removed at the end; KEEP=1 leaves it up (`tools/demo.sh
# down` removes it later). Exits non-zero if a scenario failed.
set -u
cd "$(dirname "$0")/.." || exit 1
# DEMO_TOPO: the prefix of another system.sh topology, for `hints`
# (e2e/system_demo_hints runs the hints against its own)
TOPO=${DEMO_TOPO:-xlbdemo}
FLEET_ETCD=e1
. selftests/lib/fleet.sh
# the nodes start with their pool state in their state files; the fleet
# scenario moves it to etcd
SYS_LB_EXTRA=""

# The fleet's commands, once the fleet scenario ran (its etcd member is
# part of the kept topology)
demo_fleet_hints() {
	cat <<EOF
ip netns exec $(ns lb1) $XLBCTL -s $(node_dir lb1)/xlbd.sock fleet status
ip netns exec $(ns lb1) $XLBCTL -s $(node_dir lb1)/xlbd.sock pool show web
ETCDCTL_API=3 ip netns exec $(ns lb1) etcdctl --endpoints $(etcd_endpoints) get --prefix $FLEET_PREFIX/
EOF
}

# The commands KEEP=1 suggests, one a line, each printing something
# (e2e/system_demo_hints runs every one against a live topology)
demo_hints() {
	cat <<EOF
ip netns exec $(ns client) curl http://$VIP4/
ip netns exec $(ns client) curl -g 'http://[$VIP6]/'
ip netns exec $(ns client) $SYS_PY $SYS_TOOL dns $ANYCAST4 10
ip netns exec $(ns lb1) $XLBCTL -s $(node_dir lb1)/xlbd.sock vip show
ip netns exec $(ns lb1) $XLBCTL -s $(node_dir lb1)/xlbd.sock backend show web
ip netns exec $(ns lb1) $XLBCTL -s $(node_dir lb1)/xlbd.sock flow show web
ip netns exec $(ns lb1) $XLBCTL -s $(node_dir lb1)/xlbd.sock stats
ip netns exec $(ns dns1) $XLBCTL -s $(node_dir dns1)/xlbd.sock health show
bpftool map dump pinned $SYS_BPFFS/lb1/xlb/flows
bpftool map dump pinned $SYS_BPFFS/lb1/xlb/vips
birdc -s $LEAF_RUN/bird/bird.ctl show route all
ip -n $(ns leaf) route show root 203.0.113.0/24
EOF
}

[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (network namespaces, XDP)"; exit 1; }
if [ "${1:-}" = hints ]; then
	demo_hints
	exit 0
fi
if [ "${1:-}" = down ]; then
	fleet_down
	echo "demo removed: $(sys_leftovers)"
	exit 0
fi
ip netns list | grep -q "^$TOPO-" && { echo "a demo is already up (tools/demo.sh down removes it)"; exit 1; }

say() { printf '\n== %s\n' "$*"; }
show() { sed 's/^/  /'; }
T_START=$(now_ms)
SUMMARY=()
FAILED=0
# result ok|failed TEXT: one summary line per scenario
result() {
	SUMMARY+=("$(printf '%-7s %s' "$1" "$2")")
	[ "$1" = ok ] || FAILED=1
	echo "  -> $1: $2"
}
summary() {
	say "summary ($(( ($(now_ms) - T_START) / 1000 )) s)"
	printf '  %s\n' "${SUMMARY[@]}"
}

# at exit (selftests/lib/netns.sh runs it): the topology stays (KEEP=1) or
# goes, then the summary; the exit status says whether all went well
finish() {
	if [ "${KEEP:-0}" = 1 ]; then
		say "KEEP=1: the topology stays up. Try:"
		{
			demo_hints
			demo_fleet_hints
			echo "logs and configs: $SYS_RUN/"
			echo "remove it all: tools/demo.sh down"
		} | show
	else
		say "tearing down"
		fleet_down
		echo "  left behind: $(sys_leftovers)"
		[ "$(sys_leftovers)" = "namespaces=0 mounts=0 processes=0" ] ||
			{ SUMMARY+=("failed  teardown: $(sys_leftovers)"); FAILED=1; }
	fi
	summary
	NETNS_RC=0
	[ "$NETNS_STATUS" -eq 0 ] && [ $FAILED = 0 ] || NETNS_RC=1
}
at_exit finish
[ "${KEEP:-0}" = 1 ] && NETNS_KEEP=1

# a backend is down on every lb node
be_down_everywhere() {
	local n
	for n in $SYS_LBS; do
		node_ctl "$n" backend show web | grep -q "^$1 .* down " || return 1
	done
}
be_up_everywhere() {
	local n
	for n in $SYS_LBS; do
		node_ctl "$n" backend show web | grep -q "^$1 .* up " || return 1
	done
}

say "topology (network namespaces $TOPO-*, documentation addresses)"
cat <<EOF | show
client $CLIENT4
  |
leaf: BIRD 2, ECMP over equal next hops, hashed on addresses and ports
  |-- lb1 ${SYS_ADDR4[lb1]}, lb2 ${SYS_ADDR4[lb2]}      xlbd + XDP balancer on eth0 (one config)
  |-- dns1 ${SYS_ADDR4[dns1]}, dns2 ${SYS_ADDR4[dns2]}    xlbd (host-mode VIP on lo) + unbound
  |-- b1 b2 b3 198.51.100.11-13           decap XDP, VIPs on lo, HTTP server + unbound
VIPs: $VIP4 tcp 80 (web, IPIP), $VIP4 udp 53 (dns, GUE),
      [$VIP6] tcp 80 (web6, IPv6 in IPv6), $ANYCAST4 (resolver, anycast)
EOF
t0=$(now_ms)
sys_up || exit 1
echo "  up, routes at the leaf, after $(($(now_ms) - t0)) ms"

say "the leaf's kernel routes (BIRD merged the equal BGP routes into ECMP)"
{
	ip -n "$(ns leaf)" route show root 203.0.113.0/24
	ip -n "$(ns leaf)" -6 route show root 2001:db8:ffff::/48
} | sed 's/ proto bird//; s/ metric [0-9]*//; s/ weight 1//; s/ dev br0//; s/ *$//; s/\t/  /' | show
nh4=$(sys_nexthops $VIP4/32) nh6=$(sys_nexthops $VIP6/128) nha=$(sys_nexthops $ANYCAST4/32)
if [ "$nh4" = lb1,lb2 ] && [ "$nh6" = lb1,lb2 ] && [ "$nha" = dns1,dns2 ]; then
	result ok "routes: $VIP4 and $VIP6 via lb1+lb2, $ANYCAST4 via dns1+dns2"
else
	result failed "routes: $VIP4 via $nh4, $VIP6 via $nh6, $ANYCAST4 via $nha"
fi

say "traffic from the client: each request a new connection (or DNS socket)"
for n in $SYS_LBS; do node_ctl "$n" -j stats >"$SYS_RUN/$n.stats0"; done
spread_ok=1
w4=$(sys_http $VIP4 80 30)
w6=$(sys_http $VIP6 80 30)
d4=$(sys_dns $VIP4 30)
da=$(sys_dns $ANYCAST4 30)
printf '%-40s %s\n' "30 HTTP to $VIP4 (IPIP):" "$w4" "30 HTTP to [$VIP6] (6in6):" "$w6" \
	"30 DNS to $VIP4 (GUE):" "$d4" "30 DNS to $ANYCAST4 (anycast):" "$da" | show
for s in "$w4" "$w6" "$d4"; do
	for b in b1 b2 b3; do [ "$(sys_get "$s" $b)" -gt 0 ] || spread_ok=0; done
	sys_none "$s" failed || spread_ok=0
done
[ "$(sys_get "$da" dns1)" -gt 0 ] && [ "$(sys_get "$da" dns2)" -gt 0 ] && sys_none "$da" failed ||
	spread_ok=0
echo "  what the balancers counted (xlbctl backend show, packets summed over lb1 and lb2):"
for v in web web6 dns; do
	printf '    %-5s %s\n' $v "$(sys_backend_packets $v)"
done
tx=""
for n in $SYS_LBS; do
	read -r tx0 rd0 < <(json_get . tx redirect <"$SYS_RUN/$n.stats0")
	read -r tx1 rd1 < <(xlbctl_json "$n" stats -- . tx redirect)
	p=$((tx1 + rd1 - tx0 - rd0))
	tx="$tx $n=$p"
	[ "$p" -gt 0 ] || spread_ok=0
done
echo "  packets each xlb node forwarded (the leaf's ECMP share):$tx"
if [ $spread_ok = 1 ]; then
	result ok "spread: 120/120 answered; every backend and both xlb nodes used ($(echo $tx))"
else
	result failed "spread: web $w4 / web6 $w6 / dns $d4 / anycast $da / nodes$tx"
fi

say "a backend dies: b3's HTTP server and unbound are killed"
sys_loop_start web http $VIP4 80
sys_loop_start dns dns $VIP4
sleep 1
t0=$(now_ms)
sys_backend_kill b3
wait_for 5 be_down_everywhere ${SYS_ADDR4[b3]}
took=$(($(now_ms) - t0))
node_ctl lb1 backend show web | show
after=$(sys_http $VIP4 80 30)
sys_loop_stop web
lw=$SYS_SUMMARY
sys_loop_stop dns
ld=$SYS_SUMMARY
echo "  30 HTTP after the health checks took b3 out: $after"
echo "  requests sent meanwhile: HTTP $lw; DNS $ld"
if be_down_everywhere ${SYS_ADDR4[b3]} && [ "$(sys_get "$after" b3)" = 0 ] && sys_none "$after" failed &&
	sys_none "$ld" failed; then
	result ok "backend death: b3 out of lb1's and lb2's tables ${took} ms after it died; 30/30 later HTTP requests answered by b1/b2 ($(sys_get "$lw" failed) failed before that); 0 of $(sys_get "$ld" requests) DNS queries lost ($(sys_get "$ld" retried) asked again)"
else
	result failed "backend death: after $took ms, then $after"
fi
sys_backend_start b3
wait_for 10 be_up_everywhere ${SYS_ADDR4[b3]} && echo "  b3 restarted: back in the tables after $WAITED_MS ms"

say "drain: the backend holding the most open connections is depooled"
sys_hold_start 15
echo "  15 open keep-alive connections, per backend: $(sys_hold_spread)"
# the busiest backend, and how many of the open connections it holds
read -r on_dr dr < <(cut -d' ' -f2 "$SYS_RUN/hold/ready" | sort | uniq -c | sort -rn | head -1)
sys_loop_start web http $VIP4 80
sleep 0.5
echo "  xlbctl backend depool web ${SYS_ADDR4[$dr]} ($dr) on lb1 and lb2:"
for n in $SYS_LBS; do node_ctl "$n" backend depool web "${SYS_ADDR4[$dr]}"; done | show
after=$(sys_http $VIP4 80 30)
sleep 1
sys_loop_stop web
lw=$SYS_SUMMARY
sys_hold_stop
held=$SYS_SUMMARY
echo "  30 new connections after the depool: $after"
echo "  requests sent throughout: $lw"
echo "  the open connections, asked every 0.5 s throughout: $held"
if [ "$(sys_get "$after" "$dr")" = 0 ] && sys_none "$after" failed && sys_none "$lw" failed &&
	sys_none "$held" broken; then
	result ok "drain: $dr depooled; 0 of $(sys_get "$lw" requests) requests failed, its $on_dr open connections kept working, 30/30 new ones avoided it"
else
	result failed "drain: $dr depooled; new $after; during $lw; held $held"
fi
for n in $SYS_LBS; do node_ctl "$n" backend pool web "${SYS_ADDR4[$dr]}" >/dev/null; done

say "the fleet: pool state in etcd, one depool for both nodes"
mkdir -p "$ETCD_RUN"
fleet_etcd_net && etcd_cluster_start 30 >/dev/null
echo "  one etcd member, e1 ${FLEET_ADDR[e1]}, on the leaf's bridge; the nodes move to it one"
echo "  after the other (pool-state etcd in the config; xlbd restarted, the datapath kept):"
SYS_LB_EXTRA=fleet_lb_extra
moved_ok=1
for n in $SYS_LBS; do
	sys_lb_conf "$n"
	sys_stop "$n/xlbd" KILL
	sys_xlbd_start "$n"
	fleet_wait_connected 10 "$n" && sys_wait_nexthops $VIP4/32 "$SYS_LBS" 15 || moved_ok=0
	echo "    $n: $(node_ctl "$n" status | sed -n 's/^pool state *//p')"
done
sys_hold_start 15
dr=b2
echo "  15 open connections, per backend: $(sys_hold_spread)"
echo "  xlbctl pool depool web ${SYS_ADDR4[$dr]} ($dr), typed on lb1 only:"
fleet_timed lb1 "$VIP4:80/tcp" "${SYS_ADDR4[$dr]}" out pool depool web "${SYS_ADDR4[$dr]}" ||
	moved_ok=0
echo "$FLEET_OUT" | show
took=$(echo $FLEET_MS | cut -d' ' -f1)
echo "  out of lb1's and lb2's tables $took ms after the command; lb2 says:"
node_ctl lb2 backend show web | show
after=$(sys_http $VIP4 80 30)
echo "  30 new connections: $after"
echo "  xlbctl fleet status (on lb2):"
node_ctl lb2 fleet status | show
agree=$(node_ctl lb2 -j fleet status | $SYS_PY -c 'import json, sys; print(json.load(sys.stdin)["agree"])')
fleet_pool lb2 pool web "${SYS_ADDR4[$dr]}" >/dev/null || moved_ok=0
sys_hold_stop
held=$SYS_SUMMARY
echo "  the open connections throughout: $held"
if [ $moved_ok = 1 ] && [ "$agree" = True ] && [ "$(sys_get "$after" "$dr")" = 0 ] &&
	sys_none "$after" failed && sys_none "$held" broken; then
	result ok "fleet: a depool typed once on lb1 was in both nodes' tables ${took} ms later; fleet status: both at the same revision, tables agree; 0 of 15 open connections broke"
else
	result failed "fleet: moved $moved_ok; $FLEET_OUT; agree $agree; new $after; held $held"
fi

say "an xlb node dies while a download and open connections go through both"
sys_hold_start 20
nsx client curl -s -o "$SYS_RUN/download" -w '%{http_code} %{size_download}\n' \
	"http://$VIP4/stream/8" >"$SYS_RUN/download.status" 2>&1 &
SYS_PID[client/curl]=$!
cleanup_pid $!
sys_loop_start dns dns $VIP4
# the download's source port: the client's connection to port 80 that
# is not one of the held ones
curl_sport() {
	local p
	for p in $(nsx client ss -tnH state established '( dport = :80 )' | awk '{ print $3 }' | sed 's/.*://'); do
		grep -q "^$p " "$SYS_RUN/hold/ready" || { echo "$p"; return 0; }
	done
	return 1
}
sport=""
wait_for 5 eval 'sport=$(curl_sport)'
victim=$(sys_flow_node "$sport")
[ -n "$victim" ] && [ "$victim" != "$sport" ] || victim=lb1
other=lb2
[ "$victim" = lb2 ] && other=lb1
echo "  20 open connections, per xlb node: $(sys_hold_spread node); per backend: $(sys_hold_spread)"
echo "  an 80 KiB download (10 KiB/s) from port $sport goes through $victim"
sleep 2
t0=$(now_ms)
sys_node_kill "$victim"
echo "  $victim: xlbd killed (kill -9), eth0 down"
sys_wait_nexthops $VIP4/32 "$other" 10
moved=$(($(now_ms) - t0))
echo "  the leaf's route for $VIP4 after $moved ms:"
ip -n "$(ns leaf)" route show $VIP4 | sed 's/ proto bird//; s/ metric [0-9]*//' | show
wait "${SYS_PID[client/curl]}"
curl_rc=$?
SYS_PID[client/curl]=""
sys_hold_stop
held=$SYS_SUMMARY
sys_loop_stop dns
ld=$SYS_SUMMARY
from=$(cut -d' ' -f1 "$SYS_RUN/download" | sort -u | paste -sd,)
echo "  download: curl exit $curl_rc, $(cat "$SYS_RUN/download.status"), every line from $from"
echo "  open connections: $held; DNS queries meanwhile: $ld"
if [ $curl_rc = 0 ] && [ "$(cat "$SYS_RUN/download.status")" = "200 81920" ] && [[ $from != *,* ]] &&
	sys_none "$held" broken && sys_none "$ld" failed && [ "$(sys_nexthops $VIP4/32)" = "$other" ]; then
	result ok "xlb node death: $victim killed, the leaf moved its flows to $other in $moved ms; the download finished (80 KiB from $from), 20/20 open connections kept, 0 DNS queries lost"
else
	result failed "xlb node death: curl $curl_rc $(cat "$SYS_RUN/download.status") from $from; held $held; dns $ld; route via $(sys_nexthops $VIP4/32)"
fi

say "anycast DNS: unbound on dns1 stops"
before=$(sys_dns $ANYCAST4 20)
echo "  20 queries to $ANYCAST4 before: $before"
sys_loop_start anycast dns $ANYCAST4
sleep 0.5
t0=$(now_ms)
sys_dns_stop dns1
sys_wait_nexthops $ANYCAST4/32 dns2 5
gone=$(($(now_ms) - t0))
echo "  dns1's health check failed; its route withdrawn at the leaf after $gone ms:"
ip -n "$(ns leaf)" route show $ANYCAST4 | sed 's/ proto bird//; s/ metric [0-9]*//' | show
after=$(sys_dns $ANYCAST4 20)
sys_loop_stop anycast
la=$SYS_SUMMARY
echo "  20 queries after: $after"
echo "  queries sent throughout: $la"
if [ "$(sys_nexthops $ANYCAST4/32)" = dns2 ] && [ "$(sys_get "$after" dns2)" = 20 ] && sys_none "$la" failed; then
	result ok "anycast DNS: dns1's /32 withdrawn $gone ms after unbound stopped; 20/20 answered by dns2, 0 of $(sys_get "$la" requests) queries lost ($(sys_get "$la" retried) asked again)"
else
	result failed "anycast DNS: route via $(sys_nexthops $ANYCAST4/32); after $after; during $la"
fi

if [ "${KEEP:-0}" = 1 ]; then
	say "KEEP=1: bringing $victim and dns1's unbound back"
	sys_node_start "$victim"
	sys_dns_start dns1
	sys_wait_nexthops $VIP4/32 "lb1 lb2" 10 && sys_wait_nexthops $ANYCAST4/32 "dns1 dns2" 10 &&
		echo "  routes: $VIP4 via $(sys_nexthops $VIP4/32), $ANYCAST4 via $(sys_nexthops $ANYCAST4/32)"
fi
exit 0
