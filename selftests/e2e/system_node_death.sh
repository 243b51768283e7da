#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole system (selftests/lib/system.sh): one of two xlb nodes dies
# and no connection breaks, because both nodes pick the same backend for
# a flow (the same Maglev tables from the same config; the surviving node
# has never seen half of the flows). 40 keep-alive connections, spread by
# the leaf's ECMP over both nodes, are asked every 0.5 s; an IPv6
# download of 60 KiB runs at 10 KiB/s (its ACKs cross the balancer all
# along); DNS queries (GUE) run back to back. lb1's xlbd is killed (-9)
# and its link taken down: the leaf drops it as a next hop, every flow
# goes to lb2. Then lb1 comes back (xlbd takes over its datapath) and the
# leaf spreads over both again: nothing breaks either.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsysnd$$"
SYS_DNS=""
. selftests/lib/system.sh
HELD=40

sys_up
sys_hold_start $HELD
by_node=$(sys_hold_spread node)
echo "$HELD held connections per xlb node: $by_node; per backend: $(sys_hold_spread)"
for n in $SYS_LBS; do
	[ "$(sys_get "$by_node" $n)" -gt 0 ] || fail "no held connection through $n: $by_node"
done
nsx client curl -sg -o "$SYS_RUN/download" -w '%{http_code} %{size_download}\n' \
	"http://[$VIP6]/stream/6" >"$SYS_RUN/download.status" 2>&1 &
SYS_PID[client/curl]=$!
cleanup_pid $!
sys_loop_start dns dns $VIP4
sleep 1.5

t0=$(now_ms)
sys_node_kill lb1
sys_wait_nexthops $VIP4/32 lb2 5 || fail "lb1 still a next hop of $VIP4: $(sys_nexthops $VIP4/32)"
sys_wait_nexthops $VIP6/128 lb2 5 || fail "lb1 still a next hop of $VIP6: $(sys_nexthops $VIP6/128)"
echo "lb1 killed: the leaf routes both VIPs via lb2 only after $(($(now_ms) - t0)) ms"
sleep 2
# every held connection has been asked at least three times through lb2
for sport in $(cut -d' ' -f1 "$SYS_RUN/hold/ready"); do
	[ "$(sys_flow_node "$sport")" = lb2 ] || fail "the leaf sends port $sport to $(sys_flow_node "$sport")"
done

t0=$(now_ms)
sys_node_start lb1
grep -q "took over on eth0" "$(node_dir lb1)/xlbd.log" || fail "lb1's new xlbd did not take over the datapath"
sys_wait_nexthops $VIP4/32 "lb1 lb2" 15 || fail "lb1 not back as a next hop of $VIP4"
echo "lb1 back: both next hops at the leaf after $(($(now_ms) - t0)) ms"
sleep 1.5

wait "${SYS_PID[client/curl]}"
rc=$?
SYS_PID[client/curl]=""
from=$(cut -d' ' -f1 "$SYS_RUN/download" | sort -u | paste -sd,)
echo "IPv6 download: curl exit $rc, $(cat "$SYS_RUN/download.status"), from $from"
[ $rc = 0 ] && [ "$(cat "$SYS_RUN/download.status")" = "200 61440" ] && [[ $from != *,* ]] ||
	fail "the download broke: curl exit $rc, $(cat "$SYS_RUN/download.status"), from $from"
sys_hold_stop
held=$SYS_SUMMARY
sys_loop_stop dns
ld=$SYS_SUMMARY
echo "held connections: $held"
echo "back-to-back DNS: $ld"
sys_none "$held" broken || fail "connections broke: $(grep broken "$SYS_RUN/hold/result")"
sys_none "$ld" failed || fail "DNS queries lost: $ld"
echo "system node death: all checks passed"
exit 0
