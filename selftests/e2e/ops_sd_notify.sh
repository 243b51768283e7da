#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbd under a Type=notify unit, with systemd's side played by a listener
# on NOTIFY_SOCKET (selftests/lib/notify_listen.py: one line per message,
# the sender's pid from SCM_CREDENTIALS as systemd reads it):
#   - READY=1 once, with a STATUS= summary, and only when xlbd can be used:
#     the listener freezes xlbd the moment READY=1 arrives and checks that
#     the control socket takes a connection and the VIPs are in the pinned
#     maps (so neither came after READY=1); then xlbctl answers;
#   - a reload (SIGHUP): RELOADING=1 with a MONOTONIC_USEC close to the
#     listener's own CLOCK_MONOTONIC, then READY=1; a refused reload the
#     same, with the refusal in STATUS=;
#   - a VIP disabled: a new STATUS= with one VIP less announced;
#   - SIGTERM: STOPPING=1 before xlbd exits;
#   - every message from xlbd's own pid (NotifyAccess=main).
# The unit itself (Type=notify, systemd-analyze verify) is agent/install's.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbsn$$"
. selftests/lib/xlbd_node.sh

xlbd_node_up
cat >"$RUN/xlb.conf" <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
$(xlbd_node_conf)
vip $VIP4 tcp 80 { name web; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP6 tcp 80 { name web6; backend 2001:db8:b::11; backend 2001:db8:b::12 }
EOF
cp "$RUN/xlb.conf" "$RUN/good.conf"
xlbd_check lb
PINS=$TOPO_BPFFS/lb
N=$RUN/notify.out
: >"$N"

# at READY=1, with xlbd frozen: the socket listens, both VIPs are in the
# maps with their tables (a VIP entry points at a table once it is written)
at_ready="$NETNS_PY -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect(\"$RUN/xlbd.sock\")' &&
	[ \"\$(bpftool -j map dump pinned $PINS/vips | $NETNS_PY $NETNS_LIB/json_get.py \
		'[*].formatted.value.ring_size' | grep -c '^[1-9]')\" -ge 2 ]"
spawn lb "$RUN/listener.log" "$NETNS_PY" "$NETNS_LIB/notify_listen.py" "$RUN/notify.sock" "$N" \
	--at-ready "$at_ready"
wait_for 5 grep -q '^listening' "$N" || fail "the notify listener did not start: $(cat "$RUN/listener.log")"

t0=$(now_ms)
export NOTIFY_SOCKET=$RUN/notify.sock
xlbd_start -d
unset NOTIFY_SOCKET
msgs() { grep -E '^[0-9]+ [0-9]+ ' "$N"; }
count() { msgs | grep -c -- "$1"; }
wait_for 5 eval '[ "$(count READY=1)" -ge 1 ]' || fail "no READY=1: $(cat "$N")"
echo "READY=1 after $(ms_since "$t0") ms: $(msgs | grep READY=1)"
grep -q '^at-ready rc=0$' "$N" ||
	fail "at READY=1 the control socket did not listen or the maps were not written: $(cat "$N")"
ctl status >/dev/null || fail "xlbctl status after READY=1"
msgs | grep READY=1 | grep -q 'STATUS=2 VIPs, 2 announced; XDP on lb0' ||
	fail "READY=1 without the summary: $(msgs | grep READY=1)"
[ "$(msgs | awk '{ print $2 }' | sort -u)" = "$XLBD_PID" ] ||
	fail "messages from a pid that is not xlbd's ($XLBD_PID): $(msgs | awk '{ print $2 }' | sort -u)"

# reload: RELOADING=1 (MONOTONIC_USEC: the sender's clock at sending), READY=1
kill -HUP "$XLBD_PID"
wait_for 5 eval '[ "$(count READY=1)" -ge 2 ]' || fail "no READY=1 after a reload: $(cat "$N")"
line=$(msgs | grep RELOADING=1 | tail -1)
[ -n "$line" ] || fail "no RELOADING=1 before the second READY=1: $(cat "$N")"
[ "$(msgs | grep -n RELOADING=1 | cut -d: -f1)" -lt "$(msgs | grep -n READY=1 | tail -1 | cut -d: -f1)" ] ||
	fail "RELOADING=1 not before READY=1: $(msgs)"
recv_us=${line%% *}
sent_us=$(echo "$line" | grep -o 'MONOTONIC_USEC=[0-9]*' | cut -d= -f2)
[ -n "$sent_us" ] || fail "RELOADING=1 without MONOTONIC_USEC: $line"
skew=$((recv_us - sent_us))
echo "reload: RELOADING=1 received ${skew} us after its MONOTONIC_USEC"
[ "$skew" -ge 0 ] && [ "$skew" -lt 5000000 ] || fail "MONOTONIC_USEC $sent_us, received at $recv_us"

# a refused reload says so, and is over all the same (READY=1)
echo "vip 203.0.113.77 tcp 80 { frobnicate }" >>"$RUN/xlb.conf"
kill -HUP "$XLBD_PID"
wait_for 5 eval '[ "$(count READY=1)" -ge 3 ]' || fail "no READY=1 after a refused reload: $(cat "$N")"
msgs | grep READY=1 | tail -1 | grep -q 'STATUS=reload refused (.*xlb.conf:' ||
	fail "the refused reload is not in STATUS=: $(msgs | tail -1)"
[ "$(count RELOADING=1)" = 2 ] || fail "not one RELOADING=1 per reload: $(msgs)"
cp "$RUN/good.conf" "$RUN/xlb.conf"

# the announced set changes: a new STATUS=
before=$(msgs | wc -l)
ctl vip disable web6 >/dev/null || fail "vip disable"
wait_for 5 eval 'msgs | tail -n +$((before + 1)) | grep -q "STATUS=2 VIPs, 1 announced"' ||
	fail "no STATUS= with one VIP announced after vip disable: $(msgs | tail -3)"

# stop: STOPPING=1, then the exit
kill -TERM "$XLBD_PID"
wait "$XLBD_PID"
XLBD_PID=""
[ "$(count STOPPING=1)" = 1 ] || fail "no STOPPING=1 at SIGTERM: $(msgs | tail -3)"
[ "$(count READY=1)" = 3 ] || fail "READY=1 not once per start and reload: $(msgs)"
echo "sd_notify: READY=1 once usable, RELOADING=1/READY=1 around both reloads, STATUS= on changes, STOPPING=1"
