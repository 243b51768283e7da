#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Announcements never leave allowed-prefixes, also across reloads, checked
# at a real BIRD leaf (doc/leaf/bird.conf accepts all of 203.0.113.0/24:
# xlbd's own range here is narrower, 203.0.113.0/28, so whatever xlbd
# announced outside it would show at the leaf).
#   - a reload that adds a VIP outside the range is refused with
#     file:line; nothing changes, the leaf never sees the prefix (a VIP
#     inside the range added the same way does show: the control);
#   - a reload that narrows allowed-prefixes under an announced VIP is
#     refused too (the whole new file is checked: every VIP in it must be
#     inside its own allowed-prefixes), by prefix and by max length; the
#     route stays announced;
#   - narrowing together with removing the VIP is applied: withdrawn.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsap$$"
. selftests/lib/bgp.sh
KIND=bird
LB=192.0.2.10

# the config (node_conf's, written directly: it checks with xlbd -n,
# and some of these are meant to be refused)
conf() {
	local d
	d=$(node_dir lb)
	mkdir -p "$d"
	cat >"$d/xlb.conf" <<EOF
router-id $LB
local-as 65010
allowed-prefixes { $1 }
neighbor $LEAF4 { remote-as 65000; hold-time 9 }
$2
control-socket $d/xlbd.sock
state-file $d/state
EOF
}

# reload that must be refused at LINE of xlb.conf, with MESSAGE
refused() {
	local line=$1 msg=$2 out
	out=$(node_ctl lb reload 2>&1) && fail "reload accepted: $msg"
	echo "$out" | grep -q "xlb.conf:$line: $msg" || fail "reload error is not 'xlb.conf:$line: $msg': $out"
	node_ctl lb status | grep -q "failed: .*xlb.conf:$line:" || fail "status: $(node_ctl lb status)"
}

bgp_setup lb
VIPS="vip 203.0.113.10 local { }"
conf "203.0.113.0/28 max 32" "$VIPS"
leaf_start $KIND "$(ns leaf)" neighbor=$LB || fail "leaf start"
node_start lb
leaf_wait_route $KIND 203.0.113.10/32 20 || fail "no route for the VIP"

# a VIP outside: refused at its line, never announced; the file on disk
# stays wrong while the running config is the old one
conf "203.0.113.0/28 max 32" "$VIPS
vip 203.0.113.100 local { }"
refused 6 "vip 203.0.113.100/32 is outside allowed-prefixes"
node_ctl lb vip show | grep -q 203.0.113.100 && fail "the refused VIP is shown"
# the control: one inside, added the same way, reaches the leaf
VIPS="$VIPS
vip 203.0.113.11 local { }"
conf "203.0.113.0/28 max 32" "$VIPS"
node_ctl lb reload >/dev/null || fail "a reload inside the range"
leaf_wait_route $KIND 203.0.113.11/32 10 || fail "no route for the VIP added by reload"
leaf_route $KIND 203.0.113.100/32 && fail "the leaf got a prefix outside allowed-prefixes"

# narrowing under announced VIPs: refused, by prefix and by max length
conf "203.0.113.10/32" "$VIPS"
refused 6 "vip 203.0.113.11/32 is outside allowed-prefixes"
conf "203.0.113.0/28 max 31" "$VIPS"
refused 5 "vip 203.0.113.10/32 is outside allowed-prefixes"
sleep 1
leaf_route $KIND 203.0.113.10/32 >/dev/null && leaf_route $KIND 203.0.113.11/32 >/dev/null ||
	fail "a refused reload changed the announcements: $(leaf_routes $KIND 4)"

# narrowing and removing the VIP: applied, the VIP withdrawn
conf "203.0.113.10/32" "vip 203.0.113.10 local { }"
node_ctl lb reload >/dev/null || fail "narrowing with the VIP removed"
leaf_wait_gone $KIND 203.0.113.11/32 10 || fail "the removed VIP was not withdrawn"
leaf_route $KIND 203.0.113.10/32 >/dev/null || fail "the VIP inside lost its route"
leaf_routes $KIND 4 | grep -v "^203.0.113.10/32 " | grep -q . &&
	fail "other routes at the leaf: $(leaf_routes $KIND 4)"
echo "security allowed-prefixes: all checks passed"
exit 0
