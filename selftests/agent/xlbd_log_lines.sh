#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What xlbd's log tells an operator about routes, read as one would: xlbd
# -d with host-mode VIPs in a network namespace of its own (just lo; its
# BGP neighbor is never reached), a local check flipped through a file.
#   - at load, a warning for the IPv6 VIP an IPv4 session cannot carry;
#   - every line starts with an ISO 8601 time with milliseconds;
#   - a VIP without a name is named by its address (never "(unnamed)");
#   - every announce and withdraw is an info line with its reason: the
#     host-mode VIP's own check (not "usable backends" / "min-healthy",
#     which are the forwarding rule), the re-announcement after hold-down
#     (and it says so), a disabled VIP.
set -u
cd "$(dirname "$0")/../.." || exit 1
XLBD="$BUILD/agent/xlbd"
XLBCTL="$BUILD/tools/xlbctl"
command -v unshare >/dev/null || { echo "unshare not installed"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespace)"; exit 77; }
T=$(mktemp -d /tmp/xlb-loglines.XXXXXX) || exit 1
chmod 0755 "$T"	# the exec check runs as nobody
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
errors=0
err() {
	echo "FAIL: $*"
	errors=$((errors + 1))
}
LOG=$T/xlbd.log

# wait_log SECONDS ERE: until the log has a line matching ERE
wait_log() {
	local end=$(($(date +%s%N) / 1000000 + ${1%.*} * 1000))
	while [ $(($(date +%s%N) / 1000000)) -lt $end ]; do
		grep -qE -- "$2" "$LOG" && return 0
		sleep 0.05
	done
	return 1
}
need_log() { wait_log 10 "$1" || err "no log line /$1/"; }

cat >"$T/xlb.conf" <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
control-socket $T/xlbd.sock
state-file $T/state
neighbor 192.0.2.1 { remote-as 65000; hold-time 9 }
vip 203.0.113.10 local {
    hold-down 1s
    health exec "test -e $T/up" interval 100ms timeout 90ms rise 1 fall 1
}
vip 203.0.113.11 local { name always }
vip 2001:db8:ffff::10 local { name web6 }
EOF
V='203\.0\.113\.10/local'
: >"$LOG"
unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$XLBD" -d -f "$T/xlb.conf" >>"$LOG" 2>&1 &
PID=$!

need_log "warning: $T/xlb.conf:12: vip web6 \(2001:db8:ffff::10/local\) is not announced to neighbor 192\.0\.2\.1: an IPv6 route needs an IPv6 next hop"
need_log "info: vip always \(203\.0\.113\.11/local\) announced: no health check"
need_log "info: vip $V: down"
touch "$T/up"
need_log "info: vip $V announced: its exec check is up"
rm "$T/up"
need_log "info: vip $V withdrawn: its exec check is down"
touch "$T/up"
need_log "info: vip $V announced \(after its hold-down of 1s\): its exec check is up"
"$XLBCTL" -s "$T/xlbd.sock" vip disable always >/dev/null ||
	err "xlbctl vip disable"
need_log "info: vip always \(203\.0\.113\.11/local\) withdrawn: disabled"

kill "$PID" && wait "$PID"
PID=""
grep -q "unnamed" "$LOG" && err "a VIP named '(unnamed)': $(grep unnamed "$LOG")"
grep -E "vip $V" "$LOG" | grep -qE "min-healthy|usable backends" &&
	err "the host-mode VIP's lines speak of backends: $(grep -E "vip $V" "$LOG" | grep -E "min-healthy|usable")"
ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{2}:[0-9]{2}'
bad=$(grep -vE "^$ts (error|warning|info|debug): " "$LOG")
[ -z "$bad" ] || err "lines without a time and a level: $bad"
[ $errors -eq 0 ] || { echo "--- xlbd log"; cat "$LOG"; exit 1; }
echo "log: warning at load, every route change with its reason, times, no (unnamed)"
