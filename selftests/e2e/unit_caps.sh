#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The systemd unit's capability set, for real: xlbd runs with exactly the
# CapabilityBoundingSet of tools/systemd/xlbd.service.in (and
# no_new_privs when the unit sets NoNewPrivileges), as root like the
# unit, and must do everything the unit's comments promise with it:
# attach XDP, listen for BGP on port 179, hand its control socket to a
# group, put a VIP on lo (add-address), run an exec check as nobody and
# kill the timed-out ones; after
# kill -9 a new xlbd with the same set takes over the running balancer,
# and SIGTERM detaches it and unpins the maps. (systemd itself is not PID
# 1 on the test machines; the unit file is checked by agent/install.)
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="unitcaps$$"
. selftests/lib/xlbd.sh
NS=$(ns lb)
RUN="/run/$TOPO-run"
BPFFS="/run/$TOPO-bpffs"
UNIT=${UNIT:-tools/systemd/xlbd.service.in}
XLBD_PID=""
node_dir() { echo "$RUN"; }

# (the exec checks a killed xlbd left, as nobody, go with everything else
# in the namespace)
log_diag() {
	[ -f "$RUN/xlbd.log" ] && { echo "--- xlbd log"; grep -v ' debug: ' "$RUN/xlbd.log" | tail -30; }
	return 0
}
fail_hook log_diag
need_root
command -v setpriv >/dev/null || skip "setpriv (util-linux) not found"

# CapabilityBoundingSet=CAP_A CAP_B -> setpriv's -all,+a,+b
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
[ -n "$caps" ] || fail "no CapabilityBoundingSet in $UNIT"
bset="-all"
for c in $caps; do
	c=${c#CAP_}
	bset="$bset,+${c,,}"
done
nnp=()
grep -q '^NoNewPrivileges=yes' "$UNIT" && nnp=(--no-new-privs)
echo "bounding set $bset ${nnp[*]}"

mkdir -p "$RUN/check" "$BPFFS"
cleanup_dir "$RUN"
cleanup_dir "$BPFFS"
netns_add lb || fail "netns"
ip -n "$NS" link add lb0 type veth peer name peer0
ip -n "$NS" link set lb0 up
ip -n "$NS" link set peer0 up
ip -n "$NS" addr add 192.0.2.10/24 dev lb0
mount -t bpf bpf "$BPFFS" || fail "bpffs"
cleanup_mount "$BPFFS"
export LIBXDP_BPFFS="$BPFFS"
# the check writes its uid where nobody may write, then outlives its timeout
chmod 0777 "$RUN/check"
printf '#!/bin/sh\nid -u > %s/check/uid\nsleep 20\n' "$RUN" >"$RUN/check.sh"
chmod 0755 "$RUN" "$RUN/check.sh"
cat >"$RUN/xlb.conf" <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
encap-source 192.0.2.10
xdp interface lb0
pin-path $BPFFS/xlb
control-socket $RUN/xlbd.sock group nogroup
state-file $RUN/state/state
neighbor 192.0.2.1 { remote-as 65000; hold-time 9; passive }
vip 203.0.113.10 tcp 80 { backend 192.0.2.11 }
vip 203.0.113.20 local { add-address lo; health exec "$RUN/check.sh" user nobody interval 1s timeout 300ms }
EOF

# start_xlbd [-k]: xlbd under the unit's capability set
start_xlbd() {
	spawn lb "$RUN/xlbd.log" setpriv "${nnp[@]}" --inh-caps=-all --ambient-caps=-all \
		--bounding-set="$bset" "$XLBD" -d "$@" -f "$RUN/xlb.conf"
	XLBD_PID=$SPAWNED
	cleanup_pid "$XLBD_PID" KILL
	NODE_PID[lb]=$XLBD_PID
	wait_for 10 xlbd_up_or_gone lb
	xlbd_ready lb || fail "xlbd did not come up with the unit's capabilities"
}
xdp_prog() { ip -n "$NS" -d link show lb0 | grep -o 'prog/xdp id [0-9]*'; }

start_xlbd -k
want=$(setpriv --bounding-set="$bset" grep CapBnd /proc/self/status)
grep -q "^$want" "/proc/$XLBD_PID/status" || fail "xlbd runs with another set: $(grep Cap /proc/$XLBD_PID/status)"
[ ${#nnp[@]} -eq 0 ] || grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$XLBD_PID/status" || fail "no_new_privs not set"
ip netns exec "$NS" "$XLBCTL" -s "$RUN/xlbd.sock" status | grep -q "lb0 (native mode)" ||
	fail "balancer not attached"
prog=$(xdp_prog)
[ -n "$prog" ] || fail "no XDP program on lb0"
ip netns exec "$NS" ss -ltnH 'sport = :179' | grep -q LISTEN || fail "BGP does not listen on 179"
[ "$(stat -c %G "$RUN/xlbd.sock")" = nogroup ] || fail "control socket group: $(stat -c %G "$RUN/xlbd.sock")"
ip -n "$NS" addr show dev lo | grep -q 'inet 203.0.113.20/32' || fail "add-address: VIP not on lo"

# exec checks: run as nobody, and each timed-out one is killed (at most
# the probe under way is running at any time)
sleep 2.5
[ "$(cat "$RUN/check/uid" 2>/dev/null)" = 65534 ] || fail "exec check did not run as nobody"
left=$(pgrep -c -u nobody -f "^/bin/sh $RUN/check.sh")
[ "$left" -le 1 ] || fail "$left timed-out exec checks left running"

# kill -9, then a new xlbd (without -k) takes over the running balancer
kill -9 "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null
XLBD_PID=""
[ "$(xdp_prog)" = "$prog" ] || fail "balancer gone after kill -9"
start_xlbd
grep -q "took over on lb0" "$RUN/xlbd.log" || fail "no takeover after restart"
[ -n "$(xdp_prog)" ] || fail "no XDP program after takeover"

# SIGTERM: graceful exit, balancer detached, maps unpinned
kill "$XLBD_PID"
wait "$XLBD_PID"
rc=$?
XLBD_PID=""
[ $rc -eq 0 ] || fail "xlbd exited with $rc on SIGTERM"
grep -q "datapath detached" "$RUN/xlbd.log" || fail "detach not logged"
[ -z "$(xdp_prog)" ] || fail "balancer still attached after SIGTERM"
[ -z "$(ls "$BPFFS/xlb" 2>/dev/null)" ] || fail "maps still pinned: $(ls "$BPFFS/xlb")"
ip -n "$NS" addr show dev lo | grep -q 'inet 203.0.113.20/32' && fail "add-address: VIP left on lo"
echo "ok: attach, BGP listen, socket group, VIP on lo, exec as nobody, takeover, detach with: $caps"
