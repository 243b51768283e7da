#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: reloads with an invalid file while traffic flows (100 long-lived
# TCP connections, new connections and UDP queries, IPv4 and IPv6). Each
# bad file — a syntax error, a VIP outside allowed-prefixes, a duplicate
# backend, a weight out of range, valid weight changes followed by an
# error, a setting that needs a restart, no file at all, and a bad file by
# SIGHUP — is refused with its file:line (file only where there is no
# line), and nothing changes: xlbd makes no map write (`xlbctl status`
# counts them), the maps' contents and the attached program are the same,
# xlbctl shows the running config, and the traffic does not notice (no
# connection broken or moved, no query lost). The good file back: a reload
# that changes nothing writes nothing, a real change is applied.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbi$$"
. selftests/lib/fault_dp.sh

map_writes() { xlbctl_json lb status -- .map_writes; }
prog_id() { nsx lb ip -j link show lb0 | json_get '[0].xdp.prog.id'; }
# everything a reload could change, without the counters
snapshot() {
	local m
	for m in vips backends vip_encap config; do
		echo "== $m"
		bpftool map dump pinned "$TOPO_BPFFS/lb/$m"
	done
	# the tables: which ring map each slot holds
	bpftool map dump pinned "$TOPO_BPFFS/lb/rings"
	xlbctl_json lb vip show -- '[*]|omit=packets,bytes'
	xlbctl_json lb backend show echo -- '[*]|omit=packets,bytes,flows'
	prog_id
}

fault_setup
fault_conf <<EOF
vip $VIP4 tcp 82 {
    name echo
    health tcp interval 500ms timeout 300ms
    backend 198.51.100.11
    backend 198.51.100.12
}
vip $VIP6 tcp 82 { name echo6; backend 2001:db8:b::11; backend 2001:db8:b::12 }
vip $VIP4 udp 5353 { name dns; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP6 udp 5353 { name dns6; backend 2001:db8:b::11; backend 2001:db8:b::12 }
EOF
cp "$RUN/xlb.conf" "$RUN/good.conf"
good_lines=$(wc -l <"$RUN/good.conf")
xlbd_start -dd
backends_up() {
	local h
	h=$(xlbctl_json lb backend show echo -- '[*].health') && [ -n "$h" ] && ! grep -vqx up <<<"$h"
}
wait_for 5 backends_up ||
	fail "backends not up: $(ctl backend show echo)"
wait_for 10 nexthops_cached || fail "next hops never cached"
load_start --long 100 --long-addr "$VIP4,$VIP6" --long-interval 0.2 \
	--new-rate 25 --new-addr "$VIP4,$VIP6" --udp-rate 25 --udp-addr "$VIP4,$VIP6"
snapshot >"$RUN/snap.before"
writes=$(map_writes)

# bad CASE PATTERN: reload the current file; it must fail with PATTERN and
# change nothing
bad() {
	local out rc
	out=$(ctl reload 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "$1: reload exit $rc, want 1: $out"
	echo "$out" | grep -Eq "$2" || fail "$1: error '$out' does not match '$2'"
	echo "$1: $out"
	[ "$(map_writes)" = "$writes" ] || fail "$1: $(($(map_writes) - writes)) map writes"
	snapshot >"$RUN/snap.after"
	diff "$RUN/snap.before" "$RUN/snap.after" >"$RUN/snap.diff" ||
		fail "$1: the running state changed: $(head -20 "$RUN/snap.diff")"
	xlbctl_json lb status -- .last_reload | grep -Eq "^failed: .*$2" ||
		fail "$1: status last_reload: $(ctl status)"
	cp "$RUN/good.conf" "$RUN/xlb.conf"
}
# append LINE...: the good file plus these lines
append() { { cat "$RUN/good.conf"; printf '%s\n' "$@"; } >"$RUN/xlb.conf"; }
F="$RUN/xlb.conf"

load_mark
append "vip $VIP4 tcp 90 { backend 198.51.100.11"
bad "syntax error" "$F:$((good_lines + 1)): "
append "vip 198.51.100.99 tcp 80 { backend 198.51.100.11 }"
bad "outside allowed-prefixes" "$F:$((good_lines + 1)): .*outside allowed-prefixes"
append "vip $VIP4 tcp 91 {" "  backend 198.51.100.11" "  backend 198.51.100.11" "}"
bad "duplicate backend" "$F:$((good_lines + 3)): "
append "vip $VIP4 tcp 92 { backend 198.51.100.11 weight 2000000 }"
bad "weight out of range" "$F:$((good_lines + 1)): "
# valid changes first (weights, a new VIP), the error last: all or nothing
sed 's/backend 198.51.100.12$/backend 198.51.100.12 weight 500/' "$RUN/good.conf" >"$F"
printf '%s\n' "vip $VIP4 tcp 93 { backend 198.51.100.11 }" "vip $VIP4 tcp 94 { frobnicate }" >>"$F"
grep -q "weight 500" "$F" || fail "test: weight edit"
bad "changes before an error" "$F:$((good_lines + 2)): "
append "flow-table 4096"
bad "needs a restart" "$F:$((good_lines + 1)): flow-table changed: restart xlbd"
rm "$F"
bad "no file" "$F"

load_mark
# the same by SIGHUP: logged, and shown as the last reload's result
append "vip $VIP4 tcp 95 { backend 198.51.100.11"
kill -HUP "$XLBD_PID"
wait_for 5 grep -q "reload: $F:$((good_lines + 1)): .*the running config stays" "$RUN/xlbd.log" ||
	fail "SIGHUP with a bad file: not logged"
bad "bad file by SIGHUP" "$F:$((good_lines + 1)): "
sleep 1

# the good file back: nothing to write; a real change is written
load_mark
ctl reload >/dev/null || fail "reload of the good file"
[ "$(map_writes)" = "$writes" ] || fail "reloading the running config wrote maps"
sed 's/backend 198.51.100.12$/backend 198.51.100.12 weight 300/' "$RUN/good.conf" >"$F"
ctl reload >/dev/null || fail "reload with a new weight"
[ "$(map_writes)" -gt "$writes" ] || fail "a real change wrote no map"
sleep 1
load_stop
load_check || fail "traffic noticed a refused reload"
echo "fault reload invalid: all checks passed"
exit 0
