#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole system (selftests/lib/system.sh): operators change things
# under live traffic and no connection breaks. 30 keep-alive connections
# spread over three backends are asked every 0.5 s, HTTP and DNS requests
# run back to back, through:
#   - `xlbctl backend depool` of b1 on both xlb nodes: b1's connections
#     keep working (drain), new connections avoid it;
#   - `xlbctl reload` of a changed config on both nodes (b2's weight
#     doubled, a VIP added): the new weight shows in the tables, the new
#     VIP is announced by both nodes and answered;
#   - `xlbctl backend pool`, then a reload back to the first config (the
#     VIP removed: withdrawn at the leaf).
# Zero broken connections, zero failed requests, zero lost DNS queries.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsysdr$$"
SYS_DNS=""
. selftests/lib/system.sh
VIP_NEW=203.0.113.11

reload_all() {
	local n
	for n in $SYS_LBS; do
		sys_lb_conf "$n"
		sys_reload "$n"
	done
}

sys_up
# the VIP the reload adds lives on the backends' lo already
for b in $SYS_BACKENDS; do sys_lo_vip "$b" $VIP_NEW/32; done
b1=${SYS_ADDR4[b1]}
sys_hold_start 30
spread=$(sys_hold_spread)
echo "30 held connections per backend: $spread"
[ "$(sys_get "$spread" b1)" -gt 0 ] || fail "no held connection on b1: $spread"
sys_loop_start web http $VIP4 80
sys_loop_start dns dns $VIP4
sleep 1

# drain b1
for n in $SYS_LBS; do
	node_ctl "$n" backend depool web "$b1" >/dev/null || fail "depool on $n"
	[ "$(sys_backend_field "$n" web "$b1" pool)" = depooled ] || fail "b1 not depooled on $n"
	[ "$(sys_backend_field "$n" web "$b1" slots)" = 0 ] || fail "b1 still in $n's table"
done
new=$(sys_http $VIP4 80 30)
echo "after the depool, 30 new connections: $new"
sys_none "$new" failed || fail "requests failed: $new"
[ "$(sys_get "$new" b1)" = 0 ] || fail "new connections went to the depooled b1: $new"
sleep 1

# reload: b2's weight doubled, a VIP added
SYS_WEIGHTS="100 200 100"
SYS_EXTRA_VIPS="vip $VIP_NEW tcp 80 {
    name web2
    health http path \"/\" interval 300ms timeout 250ms rise 2 fall 2
    backend ${SYS_ADDR4[b1]}; backend ${SYS_ADDR4[b2]}; backend ${SYS_ADDR4[b3]}
}"
t0=$(now_ms)
reload_all
for n in $SYS_LBS; do
	[ "$(sys_backend_field "$n" web "${SYS_ADDR4[b2]}" weight)" = 200 ] || fail "b2's weight on $n"
	[ "$(sys_backend_field "$n" web "$b1" pool)" = depooled ] || fail "the reload pooled b1 on $n"
done
s2=$(sys_backend_field lb1 web "${SYS_ADDR4[b2]}" slots)
s3=$(sys_backend_field lb1 web "${SYS_ADDR4[b3]}" slots)
[ "$s2" -gt $((s3 * 3 / 2)) ] || fail "b2 (weight 200) has $s2 slots, b3 (100) $s3"
[ "$(sys_backend_field lb2 web "${SYS_ADDR4[b2]}" slots)" = "$s2" ] || fail "lb1 and lb2 tables differ"
sys_wait_nexthops $VIP_NEW/32 "$SYS_LBS" 10 || fail "$VIP_NEW not announced by both nodes"
echo "reloaded: b2 weight 200 ($s2 slots, b3 $s3); $VIP_NEW at the leaf via $(sys_nexthops $VIP_NEW/32) $(($(now_ms) - t0)) ms after the first reload"
w2=$(sys_http $VIP_NEW 80 30)
echo "30 requests to $VIP_NEW: $w2"
sys_none "$w2" failed || fail "requests to the new VIP failed: $w2"
[ "$(sys_get "$w2" b1)" -gt 0 ] || fail "b1 is pooled in the new VIP but got nothing: $w2"
sleep 1

# pool b1 again, reload the first config: the VIP goes
for n in $SYS_LBS; do node_ctl "$n" backend pool web "$b1" >/dev/null || fail "pool on $n"; done
SYS_WEIGHTS="100 100 100"
SYS_EXTRA_VIPS=""
t0=$(now_ms)
reload_all
wait_for 10 eval "! ip -n $(ns leaf) route show $VIP_NEW | grep -q ." || fail "$VIP_NEW still routed"
echo "pooled b1, reloaded the first config: $VIP_NEW withdrawn $(($(now_ms) - t0)) ms after the first reload"
back=$(sys_http $VIP4 80 30)
echo "30 new connections: $back"
sys_none "$back" failed || fail "requests failed: $back"
[ "$(sys_get "$back" b1)" -gt 0 ] || fail "b1 pooled again but got nothing: $back"
sleep 1

sys_hold_stop
held=$SYS_SUMMARY
sys_loop_stop web
lw=$SYS_SUMMARY
sys_loop_stop dns
ld=$SYS_SUMMARY
echo "held connections: $held"
echo "back-to-back HTTP: $lw"
echo "back-to-back DNS: $ld"
sys_none "$held" broken || fail "connections broke: $(grep broken "$SYS_RUN/hold/result")"
sys_none "$lw" failed || fail "HTTP requests failed: $lw"
sys_none "$ld" failed || fail "DNS queries lost: $ld"
echo "system drain reload: all checks passed"
exit 0
