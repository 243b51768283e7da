#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A second xlbd never takes a running one's datapath down. With xlbd
# forwarding real traffic (HTTP requests from the client every 50 ms, and
# a slow download on an established connection), another xlbd is started
# on the same node:
#   same       the same config (a second unit, `-n` forgotten);
#   pins       the same pin path, another control socket and state file;
#   iface      the same interface, another pin path, socket and state file;
#   hostmode   another socket, no `xdp interface` (host mode): genuinely
#              independent, so it runs, and is stopped again.
# The first three must refuse at once: exit 1, an `error:` line naming the
# first xlbd's pid (on stderr: no -d, no syslog here), and nothing changed
# — no socket, pin directory or state file of their own, the first one's
# XDP program and maps the same (ids), its pins all there. The fourth
# runs beside it and its exit changes nothing of the first's either.
# Throughout, not one request fails, the download completes on its
# backend, and the first xlbd answers.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlb2i$$"
. selftests/lib/xlbd_node.sh

xlbd_node_up
cat >"$RUN/xlb.conf" <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
$(xlbd_node_conf)
vip $VIP4 tcp 80 { name web; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP4 tcp 81 { name slow; backend 198.51.100.11; backend 198.51.100.12 }
EOF
xlbd_check lb
xlbd_start -d
topo_servers || fail "servers"
PINS=$TOPO_BPFFS/lb

# what must not change: the program on lb0, the maps' ids, the pins
xdp_prog() { nsx lb ip -j link show dev lb0 | json_get '[0].xdp.prog.id' 2>/dev/null; }
map_id() { bpftool -j map show pinned "$PINS/$1" | json_get .id; }
pins() { (cd "$PINS" && ls | sort | tr '\n' ' '); }
PROG=$(xdp_prog)
[ -n "$PROG" ] && [ "$PROG" != null ] || fail "no XDP program on lb0"
VIPS_ID=$(map_id vips)
FLOWS_ID=$(map_id flows)
PINNED=$(pins)
XLBD1=$XLBD_PID
unchanged() {
	local now
	kill -0 "$XLBD1" 2>/dev/null || fail "$1: the first xlbd died"
	ctl status >/dev/null || fail "$1: the first xlbd does not answer"
	now=$(xdp_prog)
	[ "$now" = "$PROG" ] || fail "$1: the XDP program on lb0 is now '$now', was $PROG"
	[ "$(map_id vips)" = "$VIPS_ID" ] && [ "$(map_id flows)" = "$FLOWS_ID" ] ||
		fail "$1: the maps under $PINS changed (vips $(map_id vips), flows $(map_id flows))"
	[ "$(pins)" = "$PINNED" ] || fail "$1: pins now '$(pins)', were '$PINNED'"
}

# the traffic: a request every 50 ms, one line each, "FAIL" when it failed
: >"$RUN/requests"
spawn client "$RUN/requests" sh -c \
	"while :; do curl -s -m 2 http://$VIP4/ || echo FAIL; echo; sleep 0.05; done"
REQ_PID=$SPAWNED
served() { grep -c '^b[12]$' "$RUN/requests"; }
wait_for 10 eval '[ "$(served)" -ge 5 ]' || fail "no traffic through the first xlbd: $(tail -3 "$RUN/requests")"
slow_start
start_served=$(served)

# attempt NAME CONFIG_FILE WHAT: another xlbd with that config, refused
attempt() {
	local name=$1 conf=$2 what=$3 rc t0
	t0=$(now_ms)
	nsx lb timeout 10 "$XLBD" -f "$conf" >"$RUN/$name.out" 2>&1 </dev/null
	rc=$?
	echo "$name: exit $rc after $(ms_since "$t0") ms: $(grep error: "$RUN/$name.out")"
	[ $rc = 1 ] || fail "$name: the second xlbd exits $rc, not 1: $(cat "$RUN/$name.out")"
	grep -qE "error: another xlbd \(pid $XLBD1\) $what" "$RUN/$name.out" ||
		fail "$name: no error naming pid $XLBD1 and /$what/: $(cat "$RUN/$name.out")"
	grep -q "took over\|attached to" "$RUN/$name.out" && fail "$name: it touched the datapath"
	unchanged "$name"
}

# same: the very same config
attempt same "$RUN/xlb.conf" "runs with control socket $RUN/xlbd.sock"

# pins: the same pin path, its own socket and state
sed -e "s|control-socket .*|control-socket $RUN/pins.sock|" \
	-e "s|state-file .*|state-file $RUN/pins.state|" "$RUN/xlb.conf" >"$RUN/pins.conf"
attempt pins "$RUN/pins.conf" "runs with pin-path $PINS"
[ -e "$RUN/pins.sock" ] && fail "pins: it made a control socket"
[ -e "$RUN/pins.state" ] && fail "pins: it wrote a state file"

# iface: the same interface, everything else its own
sed -e "s|pin-path .*|pin-path $TOPO_BPFFS/lb-other|" "$RUN/pins.conf" >"$RUN/iface.conf"
attempt iface "$RUN/iface.conf" "runs the balancer on lb0"
[ -e "$TOPO_BPFFS/lb-other" ] && fail "iface: it made the pin directory $TOPO_BPFFS/lb-other"
[ -e "$RUN/pins.sock" ] && fail "iface: it made a control socket"

# hostmode: nothing shared, so it runs beside the first, and goes again
cat >"$RUN/hostmode.conf" <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
control-socket $RUN/hostmode.sock
state-file $RUN/hostmode.state
vip 203.0.113.99 local { name other }
EOF
spawn lb "$RUN/hostmode.log" "$XLBD" -d -f "$RUN/hostmode.conf"
HM_PID=$SPAWNED
wait_for 10 nsx lb "$XLBCTL" -s "$RUN/hostmode.sock" status >/dev/null 2>&1 ||
	fail "hostmode: an independent xlbd did not start: $(cat "$RUN/hostmode.log")"
unchanged "hostmode running"
stop_pids TERM "$HM_PID"
grep -q "error:" "$RUN/hostmode.log" && fail "hostmode: $(grep error: "$RUN/hostmode.log")"
unchanged "hostmode stopped"

# the traffic went on all along
slow_check "the download through the attempts"
during=$(($(served) - start_served))
stop_pids TERM "$REQ_PID"
failed=$(grep -c '^FAIL$' "$RUN/requests")
echo "requests: $(served) served ($during during the attempts), $failed failed"
[ "$failed" = 0 ] || fail "$failed requests failed"
[ "$during" -ge 10 ] || fail "only $during requests during the attempts"
ctl status >/dev/null || fail "the first xlbd does not answer at the end"
echo "ops_second_instance: three refused with the first's pid, one independent ran; nothing changed"
