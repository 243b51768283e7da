#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VIPs on one address (web tcp/80, dns udp/5353 and slow tcp/81 on
# 203.0.113.10) share one host route: what `vip disable` does and says, with a BIRD leaf
# and real traffic (the leaf also keeps a static route to the address, as
# packets keep arriving from routers still converging or from other
# leaves). Asserted:
#  - vip disable web, then slow: each answer says the /32 stays
#    announced and which VIPs hold it up, and that the packets are still
#    forwarded; BIRD keeps the route past the drain time, without
#    GRACEFUL_SHUTDOWN; vip show says web is disabled and down while its
#    address's route is announced, held up by dns alone; new web
#    connections are forwarded (the decision: a node that dropped them
#    would cut off the clients ECMP hashes to it) and counted, slow's
#    open connection goes on;
#  - vip disable --address 203.0.113.10: GRACEFUL_SHUTDOWN (65535:0) at
#    the leaf, then the route withdrawn after the drain; dns shows
#    address-disabled; packets that still arrive are forwarded;
#  - it survives kill -9 and a restart (state file: disable-address), and
#    a reload that adds another VIP on the address does not bring the
#    route back;
#  - vip enable web says the address stays disabled; vip enable --address
#    announces it again, held up by the VIPs that are up; disabling them
#    one by one withdraws it when the last goes.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbs$$"
. selftests/lib/xlbd_node.sh
. selftests/lib/leaf.sh
PY=/usr/bin/python3

route() { leaf_route bird $VIP4/32; }
announced() { route | grep -q .; }
gshut() { route | grep -q "65535:0"; }
withdrawn() { ! announced; }
web_ok() { [ "$(nsx client curl -s -m 3 "http://$VIP4/")" != "" ]; }
dns_ok() { case $(udp_query client $VIP4 5353) in b1 | b2) return 0 ;; esac; return 1; }
packets() { xlbctl_json lb vip show web -- .packets; }

write_conf() {
	cat >"$RUN/xlb.conf" <<EOF
router-id $LB4
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
$(xlbd_node_conf)
neighbor 192.0.2.1 { remote-as 65000; hold-time 9; drain 1s }
vip $VIP4 tcp 80 { name web; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP4 udp 5353 { name dns; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP4 tcp 81 { name slow; backend 198.51.100.11; backend 198.51.100.12 }
$1
EOF
	xlbd_check lb
}

xlbd_node_up
topo_servers || fail "servers"
leaf_start bird "$(ns leaf)" neighbor=$LB4 || fail "BIRD leaf"
write_conf ""
xlbd_start -d
leaf_wait_route bird $VIP4/32 15 || fail "$VIP4 never announced"
web_ok && dns_ok || fail "traffic before"

# --- VIPs of three: the route stays, their packets still forwarded
slow_start
out=$(ctl vip disable web) || fail "vip disable web: $out"
echo "$out"
echo "$out" | grep -q "route $VIP4/32 stays announced: held up by $VIP4:5353/udp (dns), $VIP4:81/tcp (slow)" ||
	fail "vip disable web does not say the route stays: $out"
out=$(ctl vip disable slow) || fail "vip disable slow: $out"
echo "$out"
echo "$out" | grep -q "route $VIP4/32 stays announced: held up by $VIP4:5353/udp (dns)$" ||
	fail "vip disable slow does not say the route stays: $out"
echo "$out" | grep -q "packets for slow that still arrive are forwarded; to withdraw the address: xlbctl vip disable --address $VIP4" ||
	fail "vip disable slow does not say what it does with packets: $out"
[ "$(xlbctl_json lb vip show web -- .admin)" = disabled ] || fail "web admin: $(ctl vip show web)"
[ "$(xlbctl_json lb vip show web -- .up)" = false ] || fail "web up: $(ctl vip show web)"
[ "$(xlbctl_json lb vip show web -- .route)" = announced ] || fail "web route: $(ctl vip show web)"
[ "$(xlbctl_json lb vip show web -- .route_held_by)" = '["203.0.113.10:5353/udp"]' ] ||
	fail "held by: $(xlbctl_json lb vip show web -- .route_held_by)"
ctl vip show web | grep -q "^    route    $VIP4/32 announced by $VIP4:5353/udp (dns)$" ||
	fail "vip show web text: $(ctl vip show web)"
ctl vip show | grep -q "^$VIP4:80/tcp  *web  *disabled  *down  *announced " ||
	fail "vip show list: $(ctl vip show)"
# watched for twice the drain time: neither withdrawn nor in graceful
# shutdown
wait_for 2 eval '! announced || gshut' && fail "the shared route went with web: $(route)"
before=$(packets)
for i in $(seq 5); do
	web_ok || fail "new connection $i to the disabled web was not forwarded"
done
dns_ok || fail "dns while web is disabled"
[ "$(packets)" -gt "$before" ] || fail "web's packets not counted: $before -> $(packets)"
slow_check "slow disabled"
echo "vip disable web, slow: route stays (held by dns), new web connections forwarded ($before -> $(packets) packets), slow's open connection went on"

# --- the whole address
out=$(ctl vip disable --address $VIP4) || fail "vip disable --address: $out"
echo "$out"
echo "$out" | grep -q "address $VIP4 disabled; route $VIP4/32 in graceful shutdown" ||
	fail "vip disable --address: $out"
wait_for 2 gshut || fail "no GRACEFUL_SHUTDOWN at the leaf: $(route)"
leaf_wait_gone bird $VIP4/32 5 || fail "the address's route stayed: $(route)"
echo "address withdrawn $WAITED_MS ms after its graceful shutdown was seen"
[ "$(xlbctl_json lb vip show dns -- .admin)" = address-disabled ] || fail "dns: $(ctl vip show dns)"
[ "$(xlbctl_json lb vip show dns -- .route)" = withdrawn ] || fail "dns route: $(ctl vip show dns)"
web_ok && dns_ok || fail "packets that still arrive are not forwarded"
grep -qx "disable-address $VIP4" "$RUN/state" || fail "state file: $(cat "$RUN/state")"
grep -qx "disable $VIP4:80/tcp" "$RUN/state" || fail "state file: $(cat "$RUN/state")"
grep -qx "disable $VIP4:81/tcp" "$RUN/state" || fail "state file: $(cat "$RUN/state")"

# --- kept across a restart and a reload adding a VIP on the address
xlbd_kill9
xlbd_start -d
wait_for 10 leaf_session_up bird $LB4 || fail "session after restart"
wait_for 2 announced && fail "announced again after a restart: $(route)"
write_conf "vip $VIP4 tcp 82 { name echo; backend 198.51.100.11; backend 198.51.100.12 }"
ctl reload >/dev/null || fail "reload"
wait_for 2 announced && fail "a VIP added to the disabled address brought the route back"
[ "$(xlbctl_json lb vip show echo -- .admin)" = address-disabled ] || fail "echo: $(ctl vip show echo)"
echo "restart and reload: the address stays withdrawn"

# --- back
out=$(ctl vip enable web)
echo "$out" | grep -q "its address stays disabled: xlbctl vip enable --address $VIP4" ||
	fail "vip enable web: $out"
wait_for 2 announced && fail "vip enable web brought the disabled address back"
out=$(ctl vip enable --address $VIP4) || fail "vip enable --address: $out"
echo "$out"
echo "$out" | grep -q "route $VIP4/32 announced by $VIP4:80/tcp (web), $VIP4:5353/udp (dns), $VIP4:82/tcp (echo)" ||
	fail "vip enable --address: $out"
leaf_wait_route bird $VIP4/32 10 || fail "address not announced again"
gshut && fail "announced again with GRACEFUL_SHUTDOWN: $(route)"
# one by one: the route goes with the last VIP up
ctl vip disable web >/dev/null && ctl vip disable dns >/dev/null || fail "disable web, dns"
wait_for 2 withdrawn && fail "withdrawn while echo holds it up"
out=$(ctl vip disable echo)
echo "$out" | grep -q "route $VIP4/32 in graceful shutdown" || fail "vip disable echo (the last): $out"
leaf_wait_gone bird $VIP4/32 5 || fail "not withdrawn with the last VIP"
echo "vip_shared_address: all checks passed"
