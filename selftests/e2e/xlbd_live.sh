#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbd end to end in network namespaces: attach from a config, xlbctl
# show/-j, traffic over both backends, depool drains (a running download
# finishes, new connections avoid the backend), a broken reload changes
# nothing, kill -9 and restart keeps an established connection, the state
# file brings the depool back, non-root is refused, SIGTERM detaches.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbe$$"
. selftests/lib/xlbd_node.sh

xlbd_node_up
cat >"$RUN/xlb.conf" <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
$(xlbd_node_conf)
vip $VIP4 tcp 80 {
    name web
    backend 198.51.100.11
    backend 198.51.100.12
}
vip $VIP6 tcp 80 { name web6; backend 2001:db8:b::11; backend 2001:db8:b::12 }
vip $VIP4 tcp 81 { name slow; backend 198.51.100.11; backend 198.51.100.12 }
EOF
"$XLBD" -n -f "$RUN/xlb.conf" 2>/dev/null || fail "config check"
xlbd_start -d
topo_servers || fail "servers"

# show, in text and JSON
ctl status | grep -q "lb0 (native mode)" || fail "status: $(ctl status)"
ctl v sh web | grep -q "203.0.113.10:80/tcp" || fail "vip show by name and prefixes"
[ "$(xlbctl_json lb vip show -- '|len')" = 3 ] && [ "$(xlbctl_json lb vip show -- '[0].backends_total')" = 2 ] ||
	fail "vip show -j"
ctl backend show web >/dev/null || fail "backend show"
ctl vip show nosuch >/dev/null 2>&1
[ $? -eq 1 ] || fail "unknown VIP must exit 1"
ctl vip frobnicate >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown command must exit 2"

# traffic over both backends, IPv4 and IPv6
seen=""
for i in $(seq 16); do
	seen="$seen $(nsx client curl -s -m 3 "http://$VIP4/")"
	seen="$seen $(nsx client curl -s -m 3 "http://[$VIP6]/")"
done
case "$seen" in *b1*b2* | *b2*b1*) ;; *) fail "traffic did not reach both backends: $seen" ;; esac

# depool drains: the open connection finishes, new connections avoid it
slow_start
ctl backend depool slow "$SLOW_ADDR" >/dev/null || fail "depool"
ctl backend show slow | grep "$SLOW_ADDR" | grep -q depooled || fail "depool not shown"
for i in $(seq 12); do
	got=$(nsx client socat -u -T 3 "TCP:$VIP4:81" - 2>/dev/null | head -1)
	[ "${got% *}" != "$SLOW_BACKEND" ] || fail "new connection $i went to the depooled backend"
done
slow_check "drain"

# a broken config: reload refuses with file:line, nothing changes
cp "$RUN/xlb.conf" "$RUN/good.conf"
bad_line=$(($(wc -l <"$RUN/xlb.conf") + 1))
echo "vip 198.51.100.99 tcp 80 { backend 198.51.100.11 }" >>"$RUN/xlb.conf"
out=$(ctl reload 2>&1)
[ $? -eq 1 ] || fail "broken reload must fail"
echo "$out" | grep -q "xlb.conf:$bad_line: .*outside allowed-prefixes" || fail "reload error without file:line: $out"
ctl vip show | grep -q "198.51.100.99" && fail "broken config was applied"
cp "$RUN/good.conf" "$RUN/xlb.conf"

# kill -9 during a connection to the depooled backend, restart: the
# connection keeps its backend (Maglev alone would now send it elsewhere)
ctl backend pool slow "$SLOW_ADDR" >/dev/null || fail "pool"
slow_start
ctl backend depool slow "$SLOW_ADDR" >/dev/null || fail "depool"
sleep 0.5
xlbd_kill9
nsx lb ip link show lb0 | grep -q "prog/xdp" || fail "datapath gone after kill -9"
xlbd_start -d
grep -q "took over on lb0" "$RUN/xlbd.log" || fail "restart did not take over the datapath"
ctl backend show slow | grep "$SLOW_ADDR" | grep -q depooled || fail "depool lost over restart"
kill -0 "$SLOW_PID" 2>/dev/null || fail "the slow connection ended before the agent was back"
slow_check "agent kill -9 and restart"
ctl backend pool slow "$SLOW_ADDR" >/dev/null || fail "pool"
[ -n "$(nsx client curl -s -m 3 "http://$VIP4/")" ] || fail "traffic after restart"

# only root (or the socket group) may talk to xlbd
out=$(nsx lb setpriv --reuid=65534 --regid=65534 --clear-groups "$XLBCTL" -s "$RUN/xlbd.sock" status 2>&1)
[ $? -eq 1 ] || fail "non-root xlbctl must fail: $out"

# SIGTERM: clean detach, maps unpinned
kill "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null
XLBD_PID=""
nsx lb ip link show lb0 | grep -q "prog/xdp" && fail "still attached after SIGTERM"
[ -e "$TOPO_BPFFS/lb/vips" ] && fail "maps still pinned after SIGTERM"
echo "xlbd live: all checks passed"
exit 0
