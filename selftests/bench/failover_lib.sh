# SPDX-License-Identifier: GPL-2.0
# What the failover benchmarks (selftests/bench/failover*.sh) share: the
# number of runs, random waits that decorrelate a failure from the
# checkers' and timers' phases, and the figures they print. Source it from
# the top of the tree.
#
#   FO_RUNS                 runs per side ($FAILOVER_BENCH_RUNS, default 20)
#   fo_jitter MS            sleep a random 0..MS ms (1 ms steps)
#   fo_route_gone ARGS      route_gone.py ARGS in the leaf's namespace, with
#                           the BIRD leaf woken every 10 ms (see there;
#                           selftests/lib/bgp.sh and a BIRD leaf)
#   fo_ms TEXT PREFIX       the value PREFIX=VALUE in a route_gone.py line
#   fo_stat LIST            "MEDIAN MAX" of the numbers in LIST (median of
#                           an even count: the mean of the middle two)
#   fo_side NAME WHO LIST   a comment line: WHO's runs, median and max
#   fo_bench NAME UNIT LIST BASELINE_LIST
#                           the bench line, VALUE and baseline being the
#                           medians, ratio = baseline / value
#   fo_target NAME TEXT OK  a `# target` line: TEXT, met when OK is 1
#   fo_le A B               1 if A <= B (decimals), else 0
#   fo_gone PID             wait (5 s at most) until PID is gone and
#                           reaped: for children killed by another process
#                           or disowned ones (bash reaps those by itself)
#   fail MESSAGE            "# FAIL $NAME: MESSAGE" and what the topology
#                           tells of it (selftests/lib/netns.sh), on
#                           stderr; exit 1

FO_RUNS=${FAILOVER_BENCH_RUNS:-20}
case $FO_RUNS in
'' | *[!0-9]* | 0) echo "FAILOVER_BENCH_RUNS must be a positive number" >&2; exit 1 ;;
esac

fo_jitter() {
	local ms=$((RANDOM % ($1 + 1)))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
}

fo_route_gone() {
	nsx leaf /usr/bin/python3 selftests/bench/route_gone.py --wake "$LEAF_RUN/bird/bird.ctl" "$@"
}

fo_ms() {
	local w
	for w in $1; do
		[ "${w%%=*}" = "$2" ] && { echo "${w#*=}"; return 0; }
	done
	return 1
}

fo_stat() {
	# shellcheck disable=SC2086 # a word list
	printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f\n", m, v[NR]
	}'
}

fo_side() {
	local s
	s=$(fo_stat "$3")
	echo "# $1: $2: median ${s% *} ms, max ${s#* } ms; runs:$3"
}

fo_bench() {
	local v b
	v=$(fo_stat "$3")
	b=$(fo_stat "$4")
	awk -v n="$1" -v u="$2" -v v="${v% *}" -v b="${b% *}" 'BEGIN {
		printf "bench %s %.1f %s baseline %.1f ratio %.2f\n", n, v, u, b, (v > 0 ? b / v : 0)
	}'
}

fo_target() {
	local ok="NOT met"
	[ "$3" = 1 ] && ok=met
	echo "# target: $1: $2: $ok"
}

fo_le() { awk -v a="$1" -v b="$2" 'BEGIN { print ((a <= b) ? 1 : 0) }'; }

fail() {
	{
		echo "# FAIL $NAME: $*"
		fail_report
	} >&2
	exit 1
}

fo_gone() {
	for _ in $(seq 500); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.01
	done
	wait "$1" 2>/dev/null
}
