#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole system (selftests/lib/system.sh): one of three backends dies
# (its HTTP server and unbound killed) while 30 keep-alive connections,
# spread over all three, are asked every 0.5 s and HTTP and DNS requests
# run back to back. The health checks on both xlb nodes take it out within
# interval x fall (+ margin); only its own connections break (its Maglev
# share is at most 1/N of the table), every other one keeps working; new
# HTTP requests are all answered by the others; no DNS query is lost (a
# client asks again after 1 s, as stub resolvers do). The backend back:
# in the tables again after `rise`, and answering.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsysbd$$"
SYS_DNS=""
. selftests/lib/system.sh
N=3
HELD=30

# FIELD of backend ADDR of VIP web on NODE
be_field() { sys_backend_field "$1" web "$2" "$3"; }
be_is_everywhere() {
	local n
	for n in $SYS_LBS; do [ "$(be_field "$n" "$1" health)" = "$2" ] || return 1; done
}

sys_up
dead=b3
dead_addr=${SYS_ADDR4[$dead]}
sys_hold_start $HELD
spread=$(sys_hold_spread)
echo "$HELD held connections per backend: $spread"
for b in $SYS_BACKENDS; do
	[ "$(sys_get "$spread" $b)" -gt 0 ] || fail "no held connection on $b: $spread"
done
on_dead=$(sys_get "$spread" $dead)
# the dead backend's share of the Maglev table, the same on both nodes
ring=$(xlbctl_json lb1 vip show web -- .ring_size)
for n in $SYS_LBS; do
	slots=$(be_field "$n" "$dead_addr" slots)
	[ "$slots" -le $(((ring + N - 1) / N)) ] ||
		fail "$dead has $slots of $ring slots on $n: more than 1/$N"
done
sys_loop_start web http $VIP4 80
sys_loop_start dns dns $VIP4
sleep 1

t0=$(now_ms)
sys_backend_kill $dead
wait_for 3 be_is_everywhere "$dead_addr" down ||
	fail "$dead not down on both nodes after 3 s: $(node_ctl lb1 backend show web; node_ctl lb2 backend show web)"
took=$(($(now_ms) - t0))
t_out=$(date +%s.%N)
echo "$dead killed: down on both xlb nodes after $took ms (interval 300 ms, fall 2)"
for n in $SYS_LBS; do
	[ "$(be_field "$n" "$dead_addr" slots)" = 0 ] || fail "$dead still has slots on $n"
done
after=$(sys_http $VIP4 80 30)
echo "30 HTTP requests after: $after"
sys_none "$after" failed || fail "requests failed after $dead was taken out: $after"
[ "$(sys_get "$after" $dead)" = 0 ] || fail "requests went to $dead: $after"
sleep 1.5
sys_hold_stop
held=$SYS_SUMMARY
echo "held connections: $held"
while read -r sport b status reason; do
	if [ "$b" = $dead ]; then
		[ "$status" = broken ] || fail "connection $sport to the dead $dead still answers?"
	else
		[ "$status" = ok ] || fail "connection $sport to $b broke: $reason"
	fi
done <"$SYS_RUN/hold/result"
broken=$(sys_get "$held" broken missing)
[ "$broken" = "$on_dead" ] || fail "$broken broken, but $on_dead were on $dead"
echo "broken: $broken of $HELD (those on $dead, whose share of the table was <= 1/$N); the other $((HELD - broken)) kept working"

sys_loop_stop web
lw=$SYS_SUMMARY
sys_loop_stop dns
ld=$SYS_SUMMARY
echo "back-to-back HTTP: $lw"
echo "back-to-back DNS: $ld"
sys_none "$ld" failed || fail "DNS queries lost: $ld"
# HTTP requests may fail only until the health checks acted (a request
# started just before may end just after: 1 s margin)
late=$(awk -v t="$t_out" '$1 == "failed" && $3 > t + 1' "$SYS_RUN/loop-web.log" | wc -l)
[ "$late" = 0 ] || fail "$late HTTP requests failed more than 1 s after $dead was taken out"

# back: in the tables after rise, answering again
sys_backend_start $dead
wait_for 5 be_is_everywhere "$dead_addr" up || fail "$dead not back after 5 s"
echo "$dead restarted: up on both nodes after $WAITED_MS ms"
again=$(sys_http $VIP4 80 30)
echo "30 HTTP requests: $again"
sys_none "$again" failed || fail "requests failed: $again"
[ "$(sys_get "$again" $dead)" -gt 0 ] || fail "$dead back but gets nothing: $again"
echo "system backend death: all checks passed"
exit 0
