#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# BFD soak under load, short form (selftests/e2e/bfd/soak.sh says how):
# three xlbd nodes at 3 x 20 ms, 3 x 50 ms and 3 x 300 ms, each with a
# BIRD and an FRR leaf, for BFD_SOAK_SECONDS (default 60) while both CPUs
# are busy with busy loops, 400 health probes a second on each node and
# UDP traffic. Every session's spurious Downs are printed, with who
# decided them and the longest gaps between packets against the Detection
# Time. Asserted: at 3 x 50 ms and 3 x 300 ms, no Down and no BGP session
# dropped, on either side of any session. At 3 x 20 ms the Downs are
# reported, not asserted: on this machine (2 vCPUs, a kernel without
# preemption, shared with other builds) both CPUs are now and then held
# for 60-140 ms as a whole — the leaves' real-time BFD packets came as
# late as xlbd's — and a 60 ms Detection Time cannot survive that on
# either side (the full hour: 15 Downs at 3 x 20 ms, 0 at 3 x 50 ms with
# the worst gap at 142 ms of its 150; README, Spurious BFD Downs). The
# hour is selftests/bench/bfd_spurious.sh's (make bench,
# BFD_SOAK_SECONDS=3600).
set -u
cd "$(dirname "$0")/../.." || exit 1
out=$(selftests/e2e/bfd/soak.sh 2>&1)
rc=$?
echo "$out" | grep "^soak " || echo "$out" | tail -40
[ "$rc" -eq 0 ] || exit "$rc"
lines=$(echo "$out" | grep "^soak node=")
n=$(echo "$lines" | grep -c .)
[ "$n" -eq 6 ] || { echo "FAIL: $n sessions reported, want 6"; exit 1; }

# field LINE KEY
field() {
	local w
	for w in $1; do
		[ "${w%%=*}" = "$2" ] && { echo "${w#*=}"; return; }
	done
}
failed=0 short=0
while read -r l; do
	iv=$(field "$l" interval)
	if [ "$iv" = 20 ]; then
		short=$((short + $(field "$l" downs)))
	elif [ "$(field "$l" downs)" != 0 ] || [ "$(field "$l" bgp_drops)" != 0 ] ||
		[ "$(field "$l" leaf_downs)" != 0 ]; then
		echo "FAIL: spurious Down at 3 x $iv ms: $l"
		failed=1
	fi
done <<<"$lines"
[ "$failed" = 0 ] || exit 1
echo "bfd soak: 0 spurious Downs at 3 x 50 and 3 x 300 ms (BIRD and FRR) under load; 3 x 20 ms: $short Down(s) (reported, not asserted)"
exit 0
