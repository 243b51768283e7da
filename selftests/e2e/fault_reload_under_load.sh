#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: config reloads while traffic flows. Load through the real
# balancer, IPv4 and IPv6: 100 long-lived TCP connections exchanging a
# line every 200 ms, 25 new connections and 25 UDP queries a second.
# Reloads, each in a phase of its own: weights changed (xlbctl reload), a
# backend added to every VIP (SIGHUP), a VIP added (it answers) and removed
# (it no longer does), then ten reloads 150 ms apart flipping a weight.
# Asserted: every reload is applied (slot shares, the new backend takes new
# connections), no long connection breaks or moves, no UDP query is lost,
# every new connection completes, and a reload that changes nothing writes
# no map.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbr$$"
. selftests/lib/fault_dp.sh

# conf W1 B3 WEB: b1's weight, "b3" to add the third backend, "web" to add
# a VIP on port 80
conf() {
	local w=$1 b3="" b3v6="" web=""
	[ "$2" = b3 ] && b3="backend 198.51.100.13" && b3v6="backend 2001:db8:b::13"
	[ "$3" = web ] && web="vip $VIP4 tcp 80 { name web; backend 198.51.100.11; backend 198.51.100.12; $b3 }"
	fault_conf <<EOF
vip $VIP4 tcp 82 {
    name echo
    health tcp interval 500ms timeout 300ms
    backend 198.51.100.11 weight $w
    backend 198.51.100.12
    $b3
}
vip $VIP6 tcp 82 { name echo6; backend 2001:db8:b::11 weight $w; backend 2001:db8:b::12; $b3v6 }
vip $VIP4 udp 5353 { name dns; backend 198.51.100.11 weight $w; backend 198.51.100.12; $b3 }
$web
EOF
}
slots() { xlbctl_json lb backend show "$1" -- "[backend=$2].slots"; }
map_writes() { xlbctl_json lb status -- .map_writes; }
reloaded() { [ "$(xlbctl_json lb status -- .last_reload)" = ok ] && [ "$(map_writes)" != "$1" ]; }
web() { nsx client curl -s -m 2 "http://$VIP4/"; }

fault_setup b3
conf 100 "" ""
xlbd_start -dd
wait_for 10 nexthops_cached || fail "next hops never cached"
load_start --long 100 --long-addr "$VIP4,$VIP6" --long-interval 0.2 \
	--new-rate 25 --new-addr "$VIP4,$VIP6" --udp-rate 25 --udp-addr "$VIP4"
sleep 2

# phase 1: weights
load_mark
conf 300 "" ""
ctl reload >/dev/null || fail "reload with new weights"
s1=$(slots echo 198.51.100.11)
[ "$s1" -gt 45000 ] && [ "$s1" -lt 53000 ] || fail "weight 300 of 400: b1 has $s1 of 65537 slots"
sleep 2

# phase 2: a backend added to every VIP, by SIGHUP
load_mark
conf 300 b3 ""
w=$(map_writes)
kill -HUP "$XLBD_PID"
wait_for 5 reloaded "$w" || fail "SIGHUP reload not applied: $(ctl status)"
[ "$(slots dns 198.51.100.13)" -gt 10000 ] || fail "b3 not in the dns table"
sleep 2.5

# phase 3: a VIP added; it answers
load_mark
conf 300 b3 web
ctl reload >/dev/null || fail "reload adding a VIP"
for i in 1 2 3 4 5 6; do
	got=$(web)
	case $got in b1 | b2 | b3) ;; *) fail "new VIP request $i: '$got'" ;; esac
done
# the same file again: nothing to write
w=$(map_writes)
ctl reload >/dev/null || fail "reload without a change"
[ "$(map_writes)" = "$w" ] || fail "a reload without a change wrote $(($(map_writes) - w)) maps"
sleep 1

# phase 4: the VIP removed; it no longer answers, nothing else notices
load_mark
conf 300 b3 ""
ctl reload >/dev/null || fail "reload removing a VIP"
[ -z "$(web)" ] || fail "removed VIP still answers"
ctl vip show web >/dev/null 2>&1 && fail "removed VIP still shown"
sleep 1.5

# phase 5: ten reloads 150 ms apart
load_mark
for i in 1 2 3 4 5 6 7 8 9 10; do
	conf $((i % 2 ? 100 : 300)) b3 ""
	ctl reload >/dev/null || fail "rapid reload $i"
	sleep 0.15
done
sleep 1

load_stop
load_check || fail "traffic broke across reloads"
$PY - "$RUN/load.json" <<'EOP' || fail "the reloads did not take effect for new connections"
import json, sys
ph = json.load(open(sys.argv[1]))["phases"]
assert "b3" not in ph[0]["new_backends"] and "b3" not in ph[1]["new_backends"], "b3 before it was added"
assert ph[2]["new_backends"].get("b3", 0) > 0 or ph[3]["new_backends"].get("b3", 0) > 0, \
    "b3 added, no new connection reached it"
assert ph[5]["udp_backends"].get("b3", 0) > 0, "b3 added, no UDP query reached it"
EOP
echo "fault reload under load: all checks passed"
exit 0
