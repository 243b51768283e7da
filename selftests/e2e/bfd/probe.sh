#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test: bfd_bird_probe bird
# test: bfd_frr_probe frr
#
# xlb's BFD (agent/bfd/, run by build/selftests/bfd_probe) against a real
# router's BFD ($1: bird for BIRD's `protocol bfd`, frr for bfdd), the leaf
# of selftests/lib/bgp.sh with BFD at 100 ms x 3 (Detection Time 300 ms):
#  - the session comes Up (time to Up reported), and one over IPv6 too;
#  - a timer change on our side (100 -> 200 ms and back) travels by
#    Poll/Final: the leaf's transmit interval and Detection Time follow,
#    and the session stays Up;
#  - the leaf frozen (SIGSTOP on its daemons): we detect it within the
#    Detection Time (over IPv6 too), and the session comes back after
#    SIGCONT;
#  - we are frozen: the leaf detects it;
#  - the link blackholed (nftables drop both ways on the leaf's veth):
#    both sides detect it, and the session comes back when it is lifted;
#  - we stop (SIGTERM): AdminDown takes the leaf's session down.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xbfp$$"
. selftests/lib/bgp.sh
bgp_kind "${1:-}"
FAIL_PREFIX="$KIND leaf, bfd probe: "
PROBE=$BUILD/selftests/bfd_probe
NB=192.0.2.10
NB6=2001:db8:1::10
DETECT=300

command -v nft >/dev/null || skip "no nft (nftables): run make deps"
[ -x "$PROBE" ] || skip "no $PROBE: run make"

bgp_setup lb
OUT=$RUN/probe.out
OUT6=$RUN/probe6.out
PROBE_PID=""

probe_diag() {
	echo "--- probe output"
	tail -30 "$OUT" 2>/dev/null
	echo "--- probe log"
	tail -20 "$RUN/probe.err" 2>/dev/null
	echo "--- IPv6 probe output"
	tail -10 "$OUT6" 2>/dev/null
	echo "--- leaf bfd: $(leaf_bfd "$KIND" $NB)"
}
fail_hook probe_diag

# probe_wait FROM_LINE ERE SECONDS [FILE]: the Unix ms of the first line
# after line FROM_LINE of the probe's output that matches ERE
probe_line() { PROBE_LINE=$(tail -n +$(($1 + 1)) "$3" 2>/dev/null | grep -E -m1 "$2"); }
probe_wait() {
	wait_for "$3" probe_line "$1" "$2" "${4:-$OUT}" || return 1
	echo "${PROBE_LINE%% *}"
}
probe_lines() { wc -l <"$OUT"; }

leaf_start "$KIND" "$(ns leaf)" neighbor=$NB neighbor=$NB6 passive bfd bfd_interval=100 \
	bfd_mult=3 || fail "leaf start"
ip netns exec "$(ns lb)" "$PROBE" -d -i 100 -m 3 -I 200 $LEAF4 >"$OUT" 2>"$RUN/probe.err" &
PROBE_PID=$!
cleanup_pid $PROBE_PID
ip netns exec "$(ns lb)" "$PROBE" -i 100 -m 3 $LEAF6 >"$OUT6" 2>"$RUN/probe6.err" &
cleanup_pid $!

# Up
t_up=$(probe_wait 0 " state Up " 10) || fail "no Up within 10 s"
t_start=$(head -1 "$OUT" | cut -d' ' -f1)
leaf_wait_bfd "$KIND" $NB Up 5 || fail "leaf not Up"
echo "Up after $((t_up - t_start)) ms (from the probe's start)"
t_up=$(probe_wait 0 " state Up " 10 "$OUT6") || fail "IPv6: no Up within 10 s"
t_start=$(head -1 "$OUT6" | cut -d' ' -f1)
leaf_wait_bfd "$KIND" $NB6 Up 5 || fail "IPv6: leaf not Up"
echo "IPv6: Up after $((t_up - t_start)) ms"
wait_for 5 eval '[ "$(leaf_bfd "$KIND" $NB)" = "Up tx=100 detect=$DETECT" ]' ||
	fail "leaf timers: $(leaf_bfd "$KIND" $NB), want Up tx=100 detect=$DETECT"

# timer change by Poll/Final: we send every 200 ms and want 200 ms
n=$(probe_lines)
kill -USR2 $PROBE_PID
probe_wait "$n" " poll-done " 5 >/dev/null || fail "no Final for our Poll"
wait_for 5 eval '[ "$(leaf_bfd "$KIND" $NB)" = "Up tx=200 detect=600" ]' ||
	fail "leaf after the change: $(leaf_bfd "$KIND" $NB), want Up tx=200 detect=600"
n=$(probe_lines)
kill -USR2 $PROBE_PID
probe_wait "$n" " poll-done " 5 >/dev/null || fail "no Final for our second Poll"
wait_for 5 eval '[ "$(leaf_bfd "$KIND" $NB)" = "Up tx=100 detect=$DETECT" ]' ||
	fail "leaf after the change back: $(leaf_bfd "$KIND" $NB)"
grep -q " down " "$OUT" && fail "session went down during the timer changes"
echo "timer change 100 -> 200 -> 100 ms by Poll/Final: leaf followed, session stayed Up"

# the leaf frozen
n=$(probe_lines)
n6=$(wc -l <"$OUT6")
t0=$(now_ms)
leaf_signal "$KIND" STOP
t_down=$(probe_wait "$n" " down 1 " 3) || { leaf_signal "$KIND" CONT; fail "frozen leaf not detected"; }
t_down6=$(probe_wait "$n6" " down 1 " 3 "$OUT6") ||
	{ leaf_signal "$KIND" CONT; fail "IPv6: frozen leaf not detected"; }
leaf_signal "$KIND" CONT
ms=$((t_down - t0))
echo "leaf frozen: detected after $ms ms, over IPv6 after $((t_down6 - t0)) ms (Detection Time $DETECT ms)"
[ "$ms" -le $((DETECT + 100)) ] || fail "frozen leaf detected after $ms ms"
[ $((t_down6 - t0)) -le $((DETECT + 100)) ] || fail "IPv6: frozen leaf detected after $((t_down6 - t0)) ms"
probe_wait "$n" " state Up " 10 >/dev/null || fail "not Up again after SIGCONT"
leaf_wait_bfd "$KIND" $NB Up 5 || fail "leaf not Up again"

# we are frozen
sleep 0.5
n=$(probe_lines)
t0=$(now_ms)
kill -STOP $PROBE_PID
leaf_wait_bfd "$KIND" $NB Down 3 || { kill -CONT $PROBE_PID; fail "leaf did not detect us frozen"; }
ms=$(ms_since "$t0")
kill -CONT $PROBE_PID
echo "probe frozen: leaf Down after $ms ms (polled every 50 ms)"
[ "$ms" -le $((DETECT + 400)) ] || fail "leaf detected us only after $ms ms"
probe_wait "$n" " state Up " 10 >/dev/null || fail "not Up after our SIGCONT"
leaf_wait_bfd "$KIND" $NB Up 5 || fail "leaf not Up after our SIGCONT"

# the link blackholed
sleep 0.5
n=$(probe_lines)
t0=$(now_ms)
nsx leaf nft -f - <<EOF || fail "nft"
table netdev xlbblk {
	chain in { type filter hook ingress device "l-lb" priority -500; policy drop; }
	chain out { type filter hook egress device "l-lb" priority -500; policy drop; }
}
EOF
# the drop is in force somewhere between t0 and t1 (nft takes a while)
t1=$(now_ms)
t_down=$(probe_wait "$n" " down 1 " 3) || fail "blackhole not detected"
leaf_wait_bfd "$KIND" $NB Down 3 || fail "leaf did not detect the blackhole"
ms_leaf=$(ms_since "$t1")
ms=$((t_down - t1))
echo "link blackholed: detected $ms ms after nft returned ($((t1 - t0)) ms after it started), leaf Down after $ms_leaf ms"
[ "$ms" -le $((DETECT + 100)) ] || fail "blackhole detected $ms ms after the drop"
nsx leaf nft delete table netdev xlbblk
probe_wait "$n" " state Up " 10 >/dev/null || fail "not Up after the blackhole"
leaf_wait_bfd "$KIND" $NB Up 5 || fail "leaf not Up after the blackhole"

# AdminDown on our stop
sleep 0.5
n=$(probe_lines)
t0=$(now_ms)
kill -TERM $PROBE_PID
leaf_wait_bfd "$KIND" $NB Down 2 || fail "leaf still $(leaf_bfd_state "$KIND" $NB) after our AdminDown"
echo "probe stopped: AdminDown, leaf Down after $(ms_since "$t0") ms (polled every 50 ms)"
wait $PROBE_PID
rc=$?
[ "$rc" -eq 0 ] || fail "probe exited with $rc"
tail -n +$((n + 1)) "$OUT" | grep -q " down " && fail "our own stop called the client"
echo "bfd $KIND probe: all checks passed"
exit 0
