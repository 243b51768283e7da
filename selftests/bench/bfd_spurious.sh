#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bfd.spurious_per_hour (make bench, selftests/bench/run): spurious BFD
# Downs under load, per hour, at 3 x 50 ms and 3 x 20 ms, each against the
# default 3 x 300 ms measured in the same run. It runs the soak of
# selftests/e2e/bfd/soak.sh (three xlbd nodes at 20, 50 and 300 ms, each
# with a BIRD and an FRR leaf; both CPUs busy with busy loops, 400 health
# probes a second per node and UDP traffic) for BFD_SOAK_SECONDS, by
# default 120 s, and scales the count to one hour; BFD_SOAK_SECONDS=3600
# runs the full hour (the output says which it was). A Down is counted
# where xlbd's session left Up (its own detection, or the leaf's, which
# the leaf then signals), summed over the BIRD and the FRR session.
#
#   bench bfd.spurious_per_hour.3x50 DOWNS_PER_HOUR downs/h baseline DOWNS_PER_HOUR_3x300 ratio R
#   bench bfd.spurious_per_hour.3x20 DOWNS_PER_HOUR downs/h baseline DOWNS_PER_HOUR_3x300 ratio R
#
# ratio = baseline / value; 1.00 when both are 0, "inf" for 0 against a
# baseline that is not. `# ...` lines give each session's count and its
# margin: the longest gaps between packets (received, sent) against the
# Detection Time. Target (issue 17): 0 at both. Exits 1 if the soak could
# not run, 77 if not root.
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
export BUILD
SECS=${BFD_SOAK_SECONDS:-120}
export BFD_SOAK_SECONDS=$SECS
unset BFD_SOAK_INTERVALS
NAME=bfd.spurious_per_hour

out=$(selftests/e2e/bfd/soak.sh 2>&1)
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "$out" | tail -30 | sed 's/^/# /' >&2
	echo "# FAIL $NAME: the soak did not run (status $rc)" >&2
	exit "$rc"
fi
lines=$(echo "$out" | grep "^soak ")
[ "$(echo "$lines" | grep -c "^soak node=")" -eq 6 ] ||
	{ echo "$out" | tail -30 | sed 's/^/# /' >&2; echo "# FAIL $NAME: not 6 sessions" >&2; exit 1; }

# field LINE KEY
field() {
	local w
	for w in $1; do
		[ "${w%%=*}" = "$2" ] && { echo "${w#*=}"; return; }
	done
}

declare -A downs
while read -r l; do
	[[ $l == "soak node="* ]] || continue
	iv=$(field "$l" interval)
	d=$(field "$l" downs)
	downs[$iv]=$(( ${downs[$iv]:-0} + d ))
	echo "# $NAME: 3 x $iv ms, $(field "$l" peer): $d Down(s) ($(field "$l" downs_detected) decided by xlbd, $(field "$l" late_deliveries) with a packet stamped in time but delivered late), $(field "$l" bgp_drops) BGP drop(s), leaf's count $(field "$l" leaf_downs); longest gaps received $(field "$l" max_rx_gap_ms) ms, sent $(field "$l" max_tx_gap_ms) ms (Detection Time $(field "$l" detect_ms) ms)"
done <<<"$lines"
load=$(echo "$lines" | grep "^soak load")
if [ "$SECS" -ge 3600 ]; then
	span="the full hour ($SECS s)"
else
	span="$SECS s, scaled to one hour (the full hour: BFD_SOAK_SECONDS=3600)"
fi
if [ "$(field "$load" rt)" = 0 ]; then
	prio="real-time priority refused on this host: xlbd and the leaves at normal priority, the load at nice 19"
else
	prio="xlbd's BFD sender at SCHED_FIFO 1, the leaves' BFD at SCHED_FIFO 1 (routers of their own)"
fi
echo "# method: $NAME: soak under load (2 CPUs, $(field "$load" cpu_busy_pct) % busy: busy loops, 400 probes/s per node, UDP traffic) for $span; $prio; Downs of BIRD and FRR sessions summed"

per_hour() { awk -v d="$1" -v s="$SECS" 'BEGIN { printf "%.1f", d * 3600 / s }'; }
base=$(per_hour "${downs[300]}")
for iv in 50 20; do
	v=$(per_hour "${downs[$iv]}")
	awk -v n="$NAME.3x$iv" -v v="$v" -v b="$base" 'BEGIN {
		r = v > 0 ? sprintf("%.2f", b / v) : (b > 0 ? "inf" : "1.00")
		printf "bench %s %.1f downs/h baseline %.1f ratio %s\n", n, v, b, r
	}'
	ok="NOT met"
	[ "${downs[$iv]}" = 0 ] && ok=met
	echo "# target: $NAME.3x$iv: 0 per hour (${downs[$iv]} in $SECS s): $ok"
done
exit 0
