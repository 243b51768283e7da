#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `add-address lo`: xlbd puts host-mode VIPs on lo itself (rtnetlink,
# marked with address protocol 0x78) and only ever removes what it added.
#  - both families added at start; an address the operator put there
#    first is used and left alone (also when its VIP leaves the config);
#  - the address stays while the VIP is withdrawn by its health check (the
#    service answers on it), comes back when deleted by hand;
#  - host-mode output: status says there is no datapath, vip show gives
#    the VIP's check and state (not backends), backend show exits 1;
#  - reload dropping a VIP removes its address; kill -9 + restart keeps
#    and re-adopts them; SIGTERM removes xlbd's and only xlbd's;
#    -k leaves them, and a later xlbd whose config no longer wants them
#    removes them.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlba$$"
. selftests/lib/bgp.sh
V4=203.0.113.53
V6=2001:db8:ffff::53
OP4=203.0.113.54	# the operator's own address on lo

# on_lo ADDR: is it on lo
on_lo() { nsx lb ip -d addr show dev lo | grep -q " $1/"; }
# what xlbd says of VIP's address: "added" (by xlbd: it found its mark in
# the kernel's address dump) or "present" (someone else's)
addr_state() { xlbctl_json lb vip show "$1" -- .address_state; }

write_conf() { # with the IPv6 VIP (1/0), with the operator's (1/0)
	node_peer_conf lb $LEAF4 "" <<EOC
vip $V4 local {
    add-address lo
    hold-down 1s
    health tcp port 8053 interval 100ms timeout 80ms rise 1 fall 1
}
$([ "$2" = 1 ] && echo "vip $OP4 local { add-address lo }")
$([ "$1" = 1 ] && echo "vip $V6 local { add-address lo }")
EOC
}

bgp_setup lb
nsx lb ip addr add $OP4/32 dev lo
write_conf 1 1
# a real TCP service on the VIP's port (bound to any address)
svc_start() {
	spawn lb /dev/null python3 -m http.server -b 0.0.0.0 8053
	SVC=$SPAWNED
}
svc_start
leaf_start bird "$(ns leaf)" neighbor=192.0.2.10 || fail "leaf start"
node_start lb

wait_for 8 on_lo $V4 || fail "$V4 not put on lo"
wait_for 8 on_lo $V6 || fail "$V6 not put on lo"
[ "$(addr_state $V4/local)" = added ] || fail "$V4: $(node_ctl lb vip show)"
[ "$(addr_state $OP4/local)" = present ] || fail "$OP4: $(node_ctl lb vip show)"
leaf_wait_route bird $V4/32 10 || fail "$V4 never announced"
echo "start: $V4 and $V6 added to lo, $OP4 (the operator's) used as it is"

# host-mode output: no datapath, a VIP's check and state, no backends
node_ctl lb status | grep -q "^datapath     host mode: no datapath" ||
	fail "status of a host-mode xlbd: $(node_ctl lb status)"
[ "$(xlbctl_json lb status -- .xdp_mode)" = null ] || fail "xdp_mode: $(node_ctl lb -j status)"
node_ctl lb vip show | grep -q "^$V4/local  .* up  *announced  *check up " ||
	fail "vip show of a host-mode VIP: $(node_ctl lb vip show)"
node_ctl lb vip show $V4/local | grep -q "^    state    up, check up$" ||
	fail "vip show VIP of a host-mode VIP: $(node_ctl lb vip show $V4/local)"
node_ctl lb vip show | grep -q "usable\|0/0" && fail "backends shown for host mode: $(node_ctl lb vip show)"
out=$(node_ctl lb backend show $V4/local 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "is a host-mode VIP: it has no backends" ||
	fail "backend show of a host-mode VIP: $out"

# service down: withdrawn, the address stays
kill "$SVC"
leaf_wait_gone bird $V4/32 5 || fail "$V4 not withdrawn after its service died"
on_lo $V4 || fail "$V4 removed from lo on withdraw"
svc_start
echo "service down: route withdrawn, $V4 stays on lo"

# deleted by hand: put back (next-hop refresh runs every 5 s)
nsx lb ip addr del $V4/32 dev lo
wait_for 8 on_lo $V4 || fail "$V4 not put back after a manual delete"
leaf_wait_route bird $V4/32 10 || fail "$V4 not announced again"
echo "deleted by hand: back on lo"

# reload without the IPv6 VIP and without the operator's VIP
write_conf 0 0
node_ctl lb reload >/dev/null || fail "reload"
wait_for 8 eval '! on_lo $V6' || fail "$V6 still on lo after its VIP left the config"
on_lo $OP4 || fail "the operator's $OP4 was removed"
on_lo $V4 || fail "$V4 removed by an unrelated reload"
echo "reload: $V6 removed, $OP4 (the operator's) kept"

# kill -9 and restart: the address stays, the new xlbd knows it is its own
write_conf 1 1
node_kill lb KILL
on_lo $V4 || fail "$V4 gone after kill -9"
node_start lb
wait_for 8 on_lo $V6 || fail "$V6 not added by the restarted xlbd"
# the new process knows only what the kernel's mark tells it
[ "$(addr_state $V4/local)" = added ] || fail "not adopted: $(node_ctl lb vip show)"
echo "kill -9 + restart: addresses kept and adopted"

# SIGTERM: xlbd's addresses go, the operator's stays
node_kill lb TERM
on_lo $V4 && fail "$V4 left on lo after SIGTERM"
on_lo $V6 && fail "$V6 left on lo after SIGTERM"
on_lo $OP4 || fail "the operator's $OP4 was removed at exit"
echo "SIGTERM: $V4 and $V6 removed, $OP4 kept"

# -k keeps them; a later xlbd that does not want them removes them
XLBD_ARGS=-k node_start lb
wait_for 8 on_lo $V6 || fail "$V6 not added"
node_kill lb TERM
on_lo $V4 || fail "$V4 removed at exit with -k"
on_lo $V6 || fail "$V6 removed at exit with -k"
node_conf lb <<EOC
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000 }
vip $V4 local { add-address lo; health tcp port 8053 interval 100ms timeout 80ms }
EOC
node_start lb
wait_for 8 eval '! on_lo $V6' || fail "$V6 (left by xlbd -k) not removed by the next xlbd that does not want it"
on_lo $V4 || fail "$V4 removed though wanted"
on_lo $OP4 || fail "the operator's $OP4 was removed"
echo "-k: addresses kept at exit; the next xlbd removed the one its config dropped"
