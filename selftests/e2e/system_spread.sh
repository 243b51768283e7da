#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole system (selftests/lib/system.sh, as `make demo` shows it): a
# BIRD leaf installs one ECMP route per VIP over both xlb nodes; the
# client's HTTP over IPv4 (IPIP to the backends) and IPv6 (IPv6 in IPv6)
# and its DNS queries (GUE) are answered, spread over all three backends
# and both xlb nodes; both nodes built the same Maglev tables; xlbctl on
# the nodes counts what the client saw; the backends see the client's own
# address (DSR, no NAT).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsysspr$$"
SYS_DNS=""
. selftests/lib/system.sh

t0=$(now_ms)
sys_up
echo "topology up, both next hops at the leaf after $(($(now_ms) - t0)) ms"
for p in $VIP4/32 $VIP6/128; do
	leaf_route bird $p | grep -q " aspath=65010 " || fail "BGP route of $p: $(leaf_route bird $p)"
done
[ "$(sys_nexthops $VIP4/32)" = lb1,lb2 ] || fail "kernel next hops of $VIP4: $(sys_nexthops $VIP4/32)"
[ "$(sys_nexthops $VIP6/128)" = lb1,lb2 ] || fail "kernel next hops of $VIP6: $(sys_nexthops $VIP6/128)"
[ "$(nsx leaf sysctl -n net.ipv4.fib_multipath_hash_policy)" = 1 ] || fail "leaf hashes L3 only"

for n in $SYS_LBS; do node_ctl "$n" -j stats >"$SYS_RUN/$n.stats0"; done
w4=$(sys_http $VIP4 80 60)
w6=$(sys_http $VIP6 80 60)
d4=$(sys_dns $VIP4 60)
echo "HTTP $VIP4: $w4"
echo "HTTP [$VIP6]: $w6"
echo "DNS $VIP4 (GUE): $d4"
for s in "$w4" "$w6" "$d4"; do
	sys_none "$s" failed || fail "requests failed: $s"
	for b in b1 b2 b3; do
		[ "$(sys_get "$s" $b)" -gt 0 ] || fail "$b answered none of: $s"
	done
done
sys_none "$d4" retried || echo "note: some DNS queries were asked again: $d4"

# what xlbctl counted per backend, summed over both nodes
for v in web web6 dns; do
	p=$(sys_backend_packets $v)
	echo "xlbctl packets $v: $p"
	for b in b1 b2 b3; do
		[ "$(sys_get "$p" $b)" -gt 0 ] || fail "xlbctl shows no packets of $v to $b: $p"
	done
done
[ "$(sys_get "$(sys_backend_packets dns)" b1)" -ge "$(sys_get "$d4" b1)" ] ||
	fail "fewer DNS packets counted for b1 than queries it answered"
# the leaf spread the flows over both nodes
for n in $SYS_LBS; do
	read -r tx0 rd0 < <(json_get . tx redirect <"$SYS_RUN/$n.stats0")
	read -r tx1 rd1 < <(xlbctl_json "$n" stats -- . tx redirect)
	fwd=$((tx1 + rd1 - tx0 - rd0))
	echo "$n forwarded $fwd packets"
	[ "$fwd" -gt 0 ] || fail "$n forwarded nothing: the leaf did not spread"
done

# encapsulations as configured, and the same Maglev tables on both nodes
[ "$(xlbctl_json lb1 vip show dns -- .encap)" = gue ] || fail "dns VIP is not GUE: $(node_ctl lb1 vip show dns)"
[ "$(xlbctl_json lb1 vip show web -- .encap)" = ipip ] || fail "web VIP is not IPIP: $(node_ctl lb1 vip show web)"
for v in web web6 dns; do
	s1=$(xlbctl_json lb1 backend show $v -- '[*]' backend slots)
	s2=$(xlbctl_json lb2 backend show $v -- '[*]' backend slots)
	[ "$s1" = "$s2" ] || fail "lb1 and lb2 differ on $v: $s1 / $s2"
done

# DSR: a backend sees the client's own address
sys_hold_start 6
for b in $(cut -d' ' -f2 "$SYS_RUN/hold/ready" | sort -u); do
	nsx "$b" ss -tnH state established '( sport = :80 )' | grep -qF "$CLIENT4" ||
		fail "$b does not see the client's address: $(nsx "$b" ss -tnH state established)"
done
sys_hold_stop
sys_none "$SYS_SUMMARY" broken || fail "held connections: $SYS_SUMMARY"
echo "system spread: all checks passed"
exit 0
