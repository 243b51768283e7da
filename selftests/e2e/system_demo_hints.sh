#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What `KEEP=1 make demo` tells an operator to try works: the demo's
# topology (selftests/lib/system.sh) up under this test's own prefix, then
# every command of `tools/demo.sh hints` (the list the demo prints) run as
# printed; each must exit 0 and print something (the leaf's route hint
# printed nothing: `route show PREFIX` matches that prefix exactly, not
# the /32 routes inside it).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsysh$$"
. selftests/lib/system.sh

sys_up
DEMO_TOPO=$TOPO tools/demo.sh hints >"$SYS_RUN/hints" || fail "tools/demo.sh hints"
[ "$(wc -l <"$SYS_RUN/hints")" -ge 10 ] || fail "too few hints: $(cat "$SYS_RUN/hints")"
n=0
while read -r cmd; do
	out=$(bash -c "$cmd" 2>&1 </dev/null) || fail "hint '$cmd': exit $?: $out"
	[ -n "$out" ] || fail "hint '$cmd' printed nothing"
	n=$((n + 1))
done <"$SYS_RUN/hints"
grep -q "route show root 203.0.113.0/24" "$SYS_RUN/hints" || fail "the leaf's route hint is not the working one"
echo "system_demo_hints: $n hints run, each printed something"
