#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The runbook's upgrade, as the systemd unit does it (xlbd -k, SIGTERM,
# start again): a long connection runs to a backend that was depooled
# (so only the flow table keeps it there, Maglev would send it
# elsewhere); xlbd -k exits on SIGTERM leaving the balancer attached and
# its maps pinned; a new xlbd takes the balancer over, the connection
# gets every byte from the same backend, the depool is still in force,
# new connections work. Then a plain SIGTERM detaches.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbu$$"
. selftests/lib/xlbd_node.sh

stop_xlbd() {
	kill -TERM "$XLBD_PID"
	wait "$XLBD_PID"
	rc=$?
	XLBD_PID=""
	[ $rc -eq 0 ] || fail "xlbd exited with $rc on SIGTERM"
}
xdp_prog() { nsx lb ip -d link show lb0 | grep -o 'prog/xdp id [0-9]*'; }
xlbd_node_up
cat >"$RUN/xlb.conf" <<EOF
allowed-prefixes { 203.0.113.0/24 max 32 }
$(xlbd_node_conf)
vip $VIP4 tcp 80 { name web; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP4 tcp 81 { name slow; backend 198.51.100.11; backend 198.51.100.12 }
EOF
xlbd_start -d -k
topo_servers || fail "servers"

# a 6-second connection (60 lines), then its backend depooled: from now
# on only the flow table keeps it there
slow_start
ctl backend depool slow "$SLOW_ADDR" >/dev/null || fail "depool"

# the upgrade: SIGTERM with -k leaves the balancer and its maps
prog=$(xdp_prog)
stop_xlbd
grep -q "datapath left running (-k)" "$RUN/xlbd.log" || fail "-k exit not logged"
[ "$(xdp_prog)" = "$prog" ] || fail "balancer changed or gone after exit with -k: $(xdp_prog)"
[ -e "$TOPO_BPFFS/lb/flows" ] || fail "maps unpinned after exit with -k"
kill -0 "$SLOW_PID" 2>/dev/null || fail "the connection ended while xlbd was down"
xlbd_start -d
grep -q "took over on lb0" "$RUN/xlbd.log" || fail "the new xlbd did not take over"
ctl backend show slow | grep "$SLOW_ADDR" | grep -q depooled || fail "depool lost over the upgrade"

slow_check "the upgrade"
for i in $(seq 6); do
	got=$(nsx client socat -u -T 3 "TCP:$VIP4:81" - 2>/dev/null | head -1)
	[ -n "$got" ] || fail "new connection $i failed after the upgrade"
	[ "${got% *}" != "$SLOW_BACKEND" ] || fail "new connection $i went to the depooled backend"
done

# without -k, SIGTERM takes the balancer off and unpins
stop_xlbd
[ -z "$(xdp_prog)" ] || fail "still attached after SIGTERM without -k"
[ -e "$TOPO_BPFFS/lb/flows" ] && fail "maps still pinned after SIGTERM without -k"
echo "upgrade with -k: connection kept (60/60 lines from $SLOW_BACKEND), depool kept, new connections fine"
exit 0
