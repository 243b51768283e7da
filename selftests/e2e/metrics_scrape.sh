#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The metrics endpoint of a real xlbd (XDP on a veth, a BIRD leaf with BFD,
# HTTP health checks, real backends) in network namespaces:
#  - off by default: without `metrics listen` xlbd listens on nothing but
#    BGP's port; a reload that adds it opens the endpoint;
#  - counters match the traffic: UDP queries to an IPv4 and an IPv6 VIP,
#    one datagram each, answered by the backend that got it: per-VIP
#    packets and bytes (frame length x datagrams) and per-backend packets
#    equal what the clients saw answered;
#  - the page passes `promtool check metrics` (Prometheus' parser and
#    linter) and a real Prometheus server scrapes it (up, every sample
#    stored, the values as on the page); it shows the BGP session established with the routes the
#    leaf really has, BFD Up, health checks up, VIPs announced, a disabled
#    VIP as disabled, the datapath counters as xlbctl reads them;
#  - idle clients do not stall xlbd: with every connection slot of one
#    address held open, xlbctl status and a scrape from elsewhere answer at
#    once, and the idle connections are closed after the idle timeout;
#  - reloads move the endpoint (wildcard -> the node's address on the same
#    port -> IPv6 on another port), refuse an address that cannot be bound
#    (old endpoint kept, the failure counted), and close it when removed.
# About 20 s, half of it the 10 s idle timeout.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbm$$"
. selftests/lib/xlbd_node.sh
. selftests/lib/leaf.sh
IDLE_PID=""
PROM_PID=""
PORT=9273
K=40	# queries per VIP
PAYLOAD=100

page_diag() {
	[ -f "$RUN/page" ] && { echo "--- last page (head)"; head -40 "$RUN/page"; }
	return 0
}
fail_hook page_diag
need_root
command -v promtool >/dev/null || skip "promtool missing (Debian package prometheus; make deps)"

# scrape NS URL: the page into $RUN/page; fails on anything but 200
scrape() {
	nsx "$1" curl -sS -m 5 -o "$RUN/page" -w '%{http_code}' "$2" >"$RUN/code" 2>"$RUN/curl.err" &&
		[ "$(cat "$RUN/code")" = 200 ]
}
# metric NAME{LABELS}: the value of one sample of the last page
metric() {
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { exit !found }' "$RUN/page"
}
# xlbd's TCP listeners in its namespace, as ADDR:PORT lines
listeners() { nsx lb ss -Hltnp | awk '/"xlbd"/ { print $4 }' | sort; }

write_conf() {
	cat >"$RUN/xlb.conf" <<EOF
router-id $LB4
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
$(xlbd_node_conf)
neighbor 192.0.2.1 { remote-as 65000; hold-time 9; bfd { interval 100ms multiplier 3 } }
vip $VIP4 tcp 80 {
    name web
    health http path "/" interval 200ms timeout 150ms rise 2 fall 2
    backend 198.51.100.11
    backend 198.51.100.12
}
vip $VIP4 udp 5353 { name dns4; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP6 udp 5353 { name dns6; backend 2001:db8:b::11; backend 2001:db8:b::12 }
$1
EOF
}

reload() { ctl reload >"$RUN/reload.out" 2>&1; }

# K queries to [$1]:5353, one new socket (source port) each, every one
# answered by the backend that got it: "sent N answered M b1 X b2 Y"
queries() {
	nsx client /usr/bin/python3 -c '
import socket, sys
addr, k, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
sent = answered = 0
by = {"b1": 0, "b2": 0}
for i in range(k):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(1)
    for attempt in range(3):
        s.sendto(b"q" * size, (addr, 5353))
        sent += 1
        try:
            name = s.recv(512).decode().strip()
        except socket.timeout:
            continue
        by[name] = by.get(name, 0) + 1
        answered += 1
        break
    s.close()
print("sent %d answered %d b1 %d b2 %d" % (sent, answered, by["b1"], by["b2"]))
' "$1" "$K" "$PAYLOAD"
}

# check_traffic VIP QUERIES_RESULT HEADER_BYTES BACKEND1 BACKEND2: the page
# against what the queries saw (HEADER_BYTES: Ethernet + IP + UDP)
check_traffic() {
	local vip=$1 line=$2 hdr=$3 sent answered b1 b2 be1 be2 p
	shift 3
	read -r _ sent _ answered _ b1 _ b2 <<<"$line"
	[ "$answered" = "$K" ] || fail "$vip: $line"
	p=$(metric "xlb_vip_packets_total{vip=\"$vip\"}") || fail "no packet counter for $vip"
	# a datagram the client sent again was lost somewhere: the counter is
	# exact without retries and within [answered, sent] with them
	[ "$p" -ge "$answered" ] && [ "$p" -le "$sent" ] || fail "$vip: $p packets counted, $line"
	[ "$sent" = "$K" ] && [ "$p" != "$K" ] && fail "$vip: $p packets counted, $K sent"
	[ "$(metric "xlb_vip_bytes_total{vip=\"$vip\"}")" = $((p * (hdr + PAYLOAD))) ] ||
		fail "$vip: bytes $(metric "xlb_vip_bytes_total{vip=\"$vip\"}"), want $p x $((hdr + PAYLOAD))"
	be1=$(metric "xlb_backend_packets_total{vip=\"$vip\",backend=\"$1\"}") || fail "backend $1"
	be2=$(metric "xlb_backend_packets_total{vip=\"$vip\",backend=\"$2\"}") || fail "backend $2"
	[ $((be1 + be2)) = "$p" ] || fail "$vip: backends $be1 + $be2 != $p"
	if [ "$sent" = "$K" ]; then
		[ "$be1" = "$b1" ] && [ "$be2" = "$b2" ] ||
			fail "$vip: backends counted $be1/$be2, answers came $b1/$b2"
	fi
	echo "$vip: $line; counted $p packets ($be1 + $be2), $(metric "xlb_vip_bytes_total{vip=\"$vip\"}") bytes"
}

xlbd_node_up
topo_servers || fail "servers"
leaf_start bird "$(ns leaf)" neighbor=$LB4 bfd bfd_interval=100 bfd_mult=3 || fail "BIRD leaf"

# --- off by default ---
write_conf ""
"$XLBD" -n -f "$RUN/xlb.conf" 2>/dev/null || fail "config check"
xlbd_start -d
l=$(listeners)
[ -n "$l" ] && ! grep -qv ':179$' <<<"$l" || fail "without metrics xlbd listens on: $l"
scrape lb "http://127.0.0.1:$PORT/metrics" && fail "something answers on $PORT without metrics"
ctl status | grep -q "^metrics *off$" || fail "status: $(ctl status)"
echo "off by default: xlbd listens on $(echo $l)"

# --- a reload opens it ---
write_conf "metrics listen 0.0.0.0 port $PORT"
reload || fail "reload with metrics: $(cat "$RUN/reload.out")"
scrape leaf "http://$LB4:$PORT/metrics" || fail "scrape after reload: $(cat "$RUN/code" "$RUN/curl.err")"
promtool check metrics <"$RUN/page" || fail "promtool refuses the page"
[ "$(metric 'xlb_config_reloads_total{result="ok"}')" = 1 ] || fail "reload not counted"
[ "$(metric xlb_config_generation)" = 2 ] || fail "config generation"
ctl status | grep -q "^metrics *http://0.0.0.0:$PORT/metrics$" || fail "status: $(ctl status)"

# --- counters match the traffic ---
queries $VIP4 >"$RUN/q4" || fail "queries v4"
queries $VIP6 >"$RUN/q6" || fail "queries v6"
scrape leaf "http://$LB4:$PORT/metrics" || fail "scrape"
promtool check metrics <"$RUN/page" || fail "promtool refuses the page"
check_traffic "$VIP4:5353/udp" "$(cat "$RUN/q4")" $((14 + 20 + 8)) 198.51.100.11 198.51.100.12
check_traffic "[$VIP6]:5353/udp" "$(cat "$RUN/q6")" $((14 + 40 + 8)) 2001:db8:b::11 \
	2001:db8:b::12
# the datapath counters as xlbctl reads them (no VIP traffic meanwhile;
# BGP and BFD packets to the node itself only add to pass_not_vip)
ctl -j stats >"$RUN/stats.json" || fail "xlbctl stats"
while read -r key name; do
	want=$(json_get ".$key" <"$RUN/stats.json")
	[ "$(metric "$name")" = "$want" ] || fail "$name $(metric "$name"), xlbctl stats $key $want"
done <<'EOF'
tx xlb_xdp_packets_total{action="tx"}
redirect xlb_xdp_packets_total{action="redirect"}
flow_hit xlb_flow_table_hits_total
flow_miss xlb_flow_table_misses_total
drop_no_backend xlb_xdp_dropped_packets_total{reason="no_backend"}
pass_vip_other xlb_xdp_passed_packets_total{reason="vip_other"}
EOF
tx=$(metric 'xlb_xdp_packets_total{action="tx"}')
rd=$(metric 'xlb_xdp_packets_total{action="redirect"}')
# a backend's first packets may go out through the kernel, encapsulated,
# until its neighbour is resolved
nn=$(metric 'xlb_xdp_passed_packets_total{reason="no_neigh"}')
[ $((tx + rd + nn)) -ge $((2 * K)) ] || fail "forwarded $tx + $rd + $nn < $((2 * K))"

# --- a real Prometheus scrapes it ---
# (promtool's parser is client_golang's; the server's scraper has its
# own, stricter about what it stores)
cat >"$RUN/prometheus.yml" <<EOF
global: { scrape_interval: 1s, scrape_timeout: 1s }
scrape_configs:
  - job_name: xlb
    static_configs: [{ targets: ["$LB4:$PORT"] }]
EOF
spawn leaf "$RUN/prometheus.log" prometheus --config.file="$RUN/prometheus.yml" \
	--storage.tsdb.path="$RUN/tsdb" --web.listen-address=127.0.0.1:9090
PROM_PID=$SPAWNED
# promql QUERY: the value of its first result
promql() {
	nsx leaf curl -s -m 2 -G --data-urlencode "query=$1" http://127.0.0.1:9090/api/v1/query |
		json_get '.data.result[0].value[1]'
}
prom_up() { kill -0 "$PROM_PID" 2>/dev/null && [ "$(promql 'up{job="xlb"}')" = 1 ]; }
# Prometheus starts in a second or two; a loaded machine gets 30
wait_for 30 prom_up || fail "Prometheus never scraped xlbd: $(tail -5 "$RUN/prometheus.log")"
p=$(metric "xlb_vip_packets_total{vip=\"$VIP4:5353/udp\"}")
got=$(promql "xlb_vip_packets_total{vip=\"$VIP4:5353/udp\"}")
[ "$got" = "$p" ] || fail "Prometheus stored $got for the IPv4 VIP's packets, the page says $p"
scrape leaf "http://$LB4:$PORT/metrics" || fail "scrape"
samples=$(grep -vc '^#' "$RUN/page")
got=$(promql 'scrape_samples_scraped{job="xlb"}')
[ "$got" = "$samples" ] || fail "Prometheus scraped $got samples, the page has $samples"
echo "Prometheus $(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }') scrapes xlbd: up 1, $got samples, VIP packets $p"
kill "$PROM_PID"
wait "$PROM_PID" 2>/dev/null
PROM_PID=""

# --- BGP, BFD, health, announce state ---
leaf_wait_session bird $LB4 15 || fail "BGP session to the leaf: $(leaf_log bird)"
leaf_wait_bfd bird $LB4 Up 10 || fail "BFD with the leaf"
leaf_wait_route bird $VIP4/32 10 || fail "VIP route at the leaf"
leaf_wait_route bird $VIP6/128 10 || fail "IPv6 VIP route at the leaf"
all_up() {
	scrape leaf "http://$LB4:$PORT/metrics" || fail "scrape"
	[ "$(metric 'xlb_bfd_session_state{neighbor="192.0.2.1"}')" = 3 ] &&
		[ "$(metric 'xlb_health_check_up{vip="203.0.113.10:80/tcp",backend="198.51.100.12"}')" = 1 ] &&
		[ "$(metric 'xlb_health_check_up{vip="203.0.113.10:80/tcp",backend="198.51.100.11"}')" = 1 ]
}
wait_for 10 all_up || fail "BFD Up and both checks up never showed together"
promtool check metrics <"$RUN/page" || fail "promtool refuses the page"
[ "$(metric 'xlb_bgp_session_state{neighbor="192.0.2.1"}')" = 6 ] || fail "BGP state"
[ "$(metric 'xlb_bgp_session_established{neighbor="192.0.2.1"}')" = 1 ] || fail "BGP established"
[ "$(metric 'xlb_bgp_session_downs_total{neighbor="192.0.2.1"}')" = 0 ] || fail "BGP session downs"
[ "$(metric 'xlb_bfd_session_up{neighbor="192.0.2.1"}')" = 1 ] || fail "BFD up"
routes=$(leaf_routes bird | wc -l)
[ "$(metric 'xlb_bgp_routes_announced{neighbor="192.0.2.1"}')" = "$routes" ] ||
	fail "routes announced $(metric 'xlb_bgp_routes_announced{neighbor="192.0.2.1"}'), the leaf has $routes"
[ "$(metric 'xlb_vip_announced{vip="203.0.113.10:80/tcp"}')" = 1 ] || fail "web not announced"
[ "$(metric 'xlb_vip_state{vip="203.0.113.10:80/tcp",state="announced"}')" = 1 ] || fail "web state"
[ "$(metric 'xlb_vip_backends_usable{vip="203.0.113.10:80/tcp"}')" = 2 ] || fail "usable backends"
probes=$(metric 'xlb_health_check_probes_total{vip="203.0.113.10:80/tcp",backend="198.51.100.11",result="ok"}')
[ "$probes" -ge 2 ] || fail "health probes counted: $probes"
echo "BGP established ($routes routes at the leaf and in the metrics), BFD Up, checks up ($probes probes ok)"

ctl vip disable web >/dev/null || fail "vip disable"
scrape leaf "http://$LB4:$PORT/metrics" || fail "scrape"
[ "$(metric 'xlb_vip_announced{vip="203.0.113.10:80/tcp"}')" = 0 ] || fail "disabled VIP still announced"
[ "$(metric 'xlb_vip_state{vip="203.0.113.10:80/tcp",state="disabled"}')" = 1 ] || fail "state disabled"
ctl vip enable web >/dev/null || fail "vip enable"

# --- idle clients do not stall xlbd ---
# every slot of 127.0.0.1 held by silent connections; each reports when
# the server closed it
nsx lb /usr/bin/python3 -c '
import socket, sys, time, select
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
t0 = time.monotonic()
print("open", flush=True)
left = list(socks)
while left:
    r, _, _ = select.select(left, [], [], 30)
    if not r:
        break
    for s in r:
        if not s.recv(1):
            left.remove(s)
print("closed %d after %.1f s" % (n - len(left), time.monotonic() - t0), flush=True)
' $PORT 8 >"$RUN/idle.out" 2>&1 &
IDLE_PID=$!
cleanup_pid $IDLE_PID
wait_for 5 grep -q open "$RUN/idle.out" || fail "idle clients: $(cat "$RUN/idle.out")"
t0=$(now_ms)
ctl status >/dev/null || fail "xlbctl status while idle clients hold the endpoint"
dt=$(($(now_ms) - t0))
t0=$(now_ms)
scrape leaf "http://$LB4:$PORT/metrics" || fail "scrape while idle clients hold 8 connections"
ds=$(($(now_ms) - t0))
echo "8 idle connections held: xlbctl status in $dt ms, a scrape from the leaf in $ds ms"
# a blocked loop would not answer before the idle clients go (10 s)
[ "$dt" -lt 3000 ] && [ "$ds" -lt 3000 ] || fail "xlbd stalled: status $dt ms, scrape $ds ms"
wait "$IDLE_PID"
IDLE_PID=""
read -r _ closed _ secs _ < <(tail -1 "$RUN/idle.out")
[ "$closed" = 8 ] || fail "idle connections: $(cat "$RUN/idle.out")"
# idle timeout 10 s, checked on the loop's timer
awk -v s="$secs" 'BEGIN { exit !(s >= 9 && s <= 15) }' || fail "idle connections closed after $secs s"
echo "idle connections closed by xlbd after $secs s"

# --- reloads move the endpoint ---
write_conf "metrics listen $LB4 port $PORT"
reload || fail "reload to $LB4: $(cat "$RUN/reload.out")"
scrape leaf "http://$LB4:$PORT/metrics" || fail "scrape at $LB4"
scrape lb "http://127.0.0.1:$PORT/metrics" && fail "the wildcard listener is still there"
write_conf "metrics listen $LB6 port $((PORT + 1))"
reload || fail "reload to IPv6: $(cat "$RUN/reload.out")"
scrape leaf "http://[$LB6]:$((PORT + 1))/metrics" || fail "scrape over IPv6: $(cat "$RUN/curl.err")"
scrape leaf "http://$LB4:$PORT/metrics" && fail "the old listener is still there"
write_conf "metrics listen 192.0.2.99 port $PORT"
reload && fail "reload to an address the node does not have was accepted"
grep -q "xlb.conf: metrics listen 192.0.2.99:$PORT: Cannot assign requested address" \
	"$RUN/reload.out" || fail "reload error: $(cat "$RUN/reload.out")"
scrape leaf "http://[$LB6]:$((PORT + 1))/metrics" || fail "refused reload closed the endpoint"
[ "$(metric 'xlb_config_reloads_total{result="failed"}')" = 1 ] || fail "failed reload not counted"
[ "$(metric xlb_config_last_reload_successful)" = 0 ] || fail "last reload successful"
promtool check metrics <"$RUN/page" || fail "promtool refuses the page"
write_conf ""
reload || fail "reload without metrics: $(cat "$RUN/reload.out")"
l=$(listeners)
case "$l" in *$PORT* | *$((PORT + 1))*) fail "still listening after metrics was removed: $l" ;; esac
echo "reloads: wildcard -> $LB4 -> [$LB6]:$((PORT + 1)), 192.0.2.99 refused, removed: $(echo $l)"
echo "metrics scrape: all checks passed"
exit 0
