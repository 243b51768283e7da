#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole system's anycast DNS (selftests/lib/system.sh): two DNS
# servers, each xlbd with a host-mode VIP checking its own unbound, both
# announce 203.0.113.53 to the BIRD leaf, which spreads queries over both
# by the L4 hash. unbound on dns1 stops: dns1's route leaves the leaf
# within interval x fall (+ margin) and dns2 answers everything; unbound
# back: announced again after the 2 s hold-down, both answer again. A
# client asking back to back (again after 1 s without an answer, as stub
# resolvers do) loses no query throughout.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsysdns$$"
SYS_LBS=""
SYS_BACKENDS=""
. selftests/lib/system.sh

sys_up
leaf_route bird $ANYCAST4/32 | grep -q "nexthops=192.0.2.20,192.0.2.21 aspath=65010 " ||
	fail "BGP route: $(leaf_route bird $ANYCAST4/32)"
q=$(sys_dns $ANYCAST4 40)
echo "40 queries: $q"
sys_none "$q" failed || fail "queries failed: $q"
for n in dns1 dns2; do
	[ "$(sys_get "$q" $n)" -gt 0 ] || fail "$n answered nothing: $q"
done
sys_loop_start dns dns $ANYCAST4
sleep 1

t0=$(now_ms)
sys_dns_stop dns1
sys_wait_nexthops $ANYCAST4/32 dns2 3 || fail "dns1 still a next hop 3 s after unbound stopped"
t_gone=$(now_ms)
gone=$((t_gone - t0))
echo "unbound on dns1 stopped: its route gone from the leaf after $gone ms (interval 300 ms, fall 2)"
# (a margin for a loaded machine; the hold timer would take 9 s)
[ "$gone" -le 2500 ] || fail "withdrawal took $gone ms"
[ "$(xlbctl_json dns1 vip show resolver -- .route)" = withdrawn ] || fail "dns1: $(node_ctl dns1 vip show resolver)"
q=$(sys_dns $ANYCAST4 30)
echo "30 queries: $q"
sys_none "$q" failed || fail "queries failed: $q"
[ "$(sys_get "$q" dns2)" = 30 ] || fail "not all answered by dns2: $q"

sys_dns_start dns1
sys_wait_nexthops $ANYCAST4/32 "dns1 dns2" 8 || fail "dns1 not announced again"
away=$(($(now_ms) - t_gone))
echo "unbound on dns1 back: announced again, $away ms after the withdrawal (hold-down 2 s)"
# both ends seen by 50 ms polls
[ $away -ge 1850 ] || fail "announced again after only $away ms withdrawn"
q=$(sys_dns $ANYCAST4 40)
echo "40 queries: $q"
sys_none "$q" failed || fail "queries failed: $q"
[ "$(sys_get "$q" dns1)" -gt 0 ] || fail "dns1 back but answers nothing: $q"

sys_loop_stop dns
ld=$SYS_SUMMARY
echo "back-to-back queries: $ld"
sys_none "$ld" failed || fail "queries lost: $ld"
echo "system dns anycast: all checks passed"
exit 0
