#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A bounded fuzzing pass for `make check`: fuzz_pass.sh NAME SECONDS runs
# build/fuzz/fuzz_NAME (libFuzzer, ASan and UBSan) over the committed
# corpus selftests/fuzz/corpus/NAME for FUZZ_CHECK_TIME seconds (default
# SECONDS). Every corpus entry is run first, so a regression on a known
# input fails at once; what the mutations find is kept in a scratch
# directory and thrown away (`make fuzz` is the long run that keeps it).
# A crash fails the test with the input in hex and the reproducer line.
# The tests selftests/agent/fuzz_*.sh and selftests/bpf/fuzz_*.sh call it.
set -u

BUILD=${BUILD:-build}
name=${1:?usage: fuzz_pass.sh NAME SECONDS}
bin=$BUILD/fuzz/fuzz_$name
corpus=selftests/fuzz/corpus/$name
secs=${FUZZ_CHECK_TIME:-${2:-20}}

if [ ! -x "$bin" ]; then
	echo "no $bin: clang with libFuzzer (libclang-rt-dev) is needed; run make deps"
	exit 77
fi
[ -d "$corpus" ] || { echo "no corpus $corpus"; exit 1; }

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/crash"

# libFuzzer's own exit codes (77 on a crash, 70 on a timeout) would read
# as a skip to selftests/run: any failure is 1 here
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/crash/" "$work/corpus" "$corpus" >"$work/log" 2>&1
rc=$?
grep -E '^(INFO: seed corpus|#[0-9]+ +(INITED|DONE))|^stat::(number_of_executed_units|new_units_added)' \
	"$work/log"
if [ "$rc" -ne 0 ] || ls "$work/crash"/* >/dev/null 2>&1; then
	echo "fuzz_$name failed (exit $rc):"
	tail -n 60 "$work/log"
	for f in "$work/crash"/*; do
		[ -f "$f" ] || continue
		mkdir -p "$BUILD/fuzz/crashes/$name"
		cp "$f" "$BUILD/fuzz/crashes/$name/"
		echo "input $(basename "$f") ($(stat -c %s "$f") bytes), kept in $BUILD/fuzz/crashes/$name/:"
		od -An -tx1 -v "$f" | head -n 20
		echo "reproduce: $bin $BUILD/fuzz/crashes/$name/$(basename "$f")"
	done
	exit 1
fi
exit 0
