#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# BFD soak under load, short form (selftests/e2e/bfd/soak.sh says how):
# three xlbd nodes at 3 x 20 ms, 3 x 50 ms and 3 x 300 ms, each with a
# BIRD and an FRR leaf, for BFD_SOAK_SECONDS (default 60) while both CPUs
# are busy with busy loops, 400 health probes a second on each node and
# UDP traffic. Every session's spurious Downs are printed, with the
# longest gaps between packets against the Detection Time; asserted: no
# Down, no BGP session dropped, on either side of any session. The hour
# is selftests/bench/bfd_spurious.sh's (make bench, BFD_SOAK_SECONDS=3600).
set -u
cd "$(dirname "$0")/../.." || exit 1
out=$(selftests/e2e/bfd/soak.sh 2>&1)
rc=$?
echo "$out" | grep "^soak " || echo "$out" | tail -40
[ "$rc" -eq 0 ] || exit "$rc"
bad=$(echo "$out" | grep "^soak node=" | grep -Ev "downs=0 bgp_drops=0 leaf_downs=0 ")
if [ -n "$bad" ]; then
	echo "FAIL: spurious Downs under load:"
	echo "$bad"
	exit 1
fi
n=$(echo "$out" | grep -c "^soak node=")
[ "$n" -eq 6 ] || { echo "FAIL: $n sessions reported, want 6"; exit 1; }
echo "bfd soak: 0 spurious Downs in $n sessions (3 x 20, 3 x 50, 3 x 300 ms; BIRD and FRR) under load"
exit 0
