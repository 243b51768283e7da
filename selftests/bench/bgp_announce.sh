#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# BGP benchmark (`make bench`, selftests/bench/run): bgp.announce10k, how
# long a BIRD leaf takes to install a full table of 10,000 host routes from
# xlbd, next to ExaBGP (the speaker xlb replaces) announcing the same set
# in the same run.
#
# The routes are IPv6 /128s, 2001:db8:ffff::1 to ::2710: the benchmark
# uses documentation addresses only, and IPv4 documentation space
# (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) holds only 768 /32s.
# Topology and leaf come from selftests/lib/bgp.sh: the BIRD leaf of
# doc/leaf/bird.conf, passive here (the speaker's connection starts every
# session), with its import limit (1000) raised above the table and its
# protocol and route times stamped in milliseconds. The speaker, on the
# node lb over one eBGP IPv6 session, is xlbd (one `vip ADDR local { }`
# per route: host mode, no datapath; default log level) or Debian's
# ExaBGP (the same routes as static routes, its defaults: updates
# grouped), next hop 2001:db8:1::10 for both.
#
# One run: a fresh leaf, the speaker started, bgp_watch.py polls the leaf
# every 10 ms until the session is Established and the routes are
# imported, checks the table holds exactly the expected prefixes, and
# reports the time from the protocol going up to the newest route as BIRD
# stamped them; the leaf's kernel table must hold them too. Then the
# speaker is killed and the leaf stopped. Runs alternate xlbd and ExaBGP
# (which goes first alternates too); each side's value is its median.
#
#   bench bgp.announce10k XLBD_MS ms baseline EXABGP_MS ratio EXABGP/XLBD
#
# Targets (issue 4): ratio >= 5, xlbd under 1 s; said on a `# target`
# line, met or not. Exits 1 if a run fails, 77 if not root.
#
# Environment: BUILD (default build), BGP_BENCH_RUNS (default 7),
# BGP_BENCH_ROUTES (default 10000; the line is named after it).
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
TOPO="xbb$$"
. selftests/lib/bgp.sh

RUNS=${BGP_BENCH_RUNS:-7}
ROUTES=${BGP_BENCH_ROUTES:-10000}
NAME=bgp.announce$((ROUTES / 1000))k
[ $((ROUTES % 1000)) -eq 0 ] || NAME=bgp.announce$ROUTES
PREFIX=2001:db8:ffff::
LB6=${NODE_ADDR6[lb]}
PROTO=xlb_${LB6//[.:]/_}
EXABGP=/usr/sbin/exabgp
TARGET_RATIO=5
TARGET_MS=1000

[ -x "$XLBD" ] || { echo "# FAIL $NAME: $XLBD not built (run make)" >&2; exit 1; }
[ -x "$EXABGP" ] || { echo "# FAIL $NAME: $EXABGP missing (make deps)" >&2; exit 1; }

# the failure report without the leaf's table (10,000 lines)
fail() {
	local f
	echo "# FAIL $NAME: $*" >&2
	for f in "$LEAF_RUN/bird/bird.log" "$RUN/lb/xlbd.log" "$RUN/lb/exabgp.log"; do
		[ -s "$f" ] && { echo "--- $f"; tail -15 "$f"; } >&2
	done
	exit 1
}

bgp_setup lb
D=$(node_dir lb)
mkdir -p "$D"

# the same routes for both speakers
node_conf lb <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 2001:db8:ffff::/48 max 128 }
neighbor $LEAF6 { remote-as 65000 }
$(for i in $(seq "$ROUTES"); do printf 'vip %s%x local { }\n' $PREFIX "$i"; done)
EOF
{
	cat <<EOF
neighbor $LEAF6 {
	router-id 192.0.2.10;
	local-address $LB6;
	local-as 65010;
	peer-as 65000;
	family {
		ipv4 unicast;
		ipv6 unicast;
	}
	static {
EOF
	for i in $(seq "$ROUTES"); do
		printf '\t\troute %s%x/128 next-hop %s;\n' $PREFIX "$i" "$LB6"
	done
	printf '\t}\n}\n'
} >"$D/exabgp.conf"

# CPU seconds (user + system) of `xlbd -n` on the config: its start-up share
TIMEFORMAT=%3U+%3S
parse=$({ time "$XLBD" -n -f "$D/xlb.conf" >/dev/null 2>&1; } 2>&1)
PARSE_MS=$(awk -v t="$parse" 'BEGIN { split(t, a, "+"); printf "%d", (a[1] + a[2]) * 1000 }')
unset TIMEFORMAT

# a fresh leaf: doc/leaf/bird.conf, passive, with room for the table and
# times in ms (at its import limit of 1000 it would restart the session)
leaf_up() {
	local conf=$LEAF_RUN/bird/bird.conf

	leaf_start bird "$(ns leaf)" neighbor="$LB6" passive || fail "leaf start"
	sed -i "s/import limit 1000 /import limit $((ROUTES * 2)) /" "$conf"
	[ "$(grep -c "import limit $((ROUTES * 2)) " "$conf")" = 2 ] ||
		fail "leaf config: no import limit to raise"
	printf 'timeformat protocol iso long ms;\ntimeformat route iso long ms;\n' >>"$conf"
	leaf_birdc configure | grep -q Reconfigured || fail "leaf reconfigure: $(leaf_birdc configure)"
}

leaf_kernel_routes() {
	ip -n "$(ns leaf)" -6 route show proto bird | grep -c "^${PREFIX}[0-9a-f]* via"
}

# run_one xlbd|exabgp: one measurement; sets MS, POLL_MS, CPU_MS
run_one() {
	local who=$1 out rc w i k

	leaf_up
	if [ "$who" = xlbd ]; then
		rm -f "$D/xlbd.sock"
		ip netns exec "$(ns lb)" "$XLBD" -f "$D/xlb.conf" >>"$D/xlbd.log" 2>&1 &
	else
		ip netns exec "$(ns lb)" env exabgp_daemon_user=root exabgp_daemon_drop=false \
			exabgp_api_cli=false exabgp_log_destination=stdout \
			"$EXABGP" "$D/exabgp.conf" >>"$D/exabgp.log" 2>&1 &
	fi
	NODE_PID[lb]=$!
	cleanup_pid $! KILL
	# in the background so that a signal ends the benchmark at once;
	# the cleanup stops it then
	"$LEAF_PY" selftests/bench/bgp_watch.py "$LEAF_RUN/bird/bird.ctl" "$PROTO" \
		"$PREFIX" "$ROUTES" "${NODE_PID[lb]}" 60 >"$D/watch.out" 2>&1 &
	w=$!
	cleanup_pid $w
	wait "$w"
	rc=$?
	out=$(cat "$D/watch.out")
	[ "$rc" -eq 0 ] || fail "$who: $out"
	# and in the leaf's kernel table
	for i in $(seq 100); do
		k=$(leaf_kernel_routes)
		[ "$k" = "$ROUTES" ] && break
		sleep 0.02
	done
	[ "$k" = "$ROUTES" ] || fail "$who: $k routes in the leaf's kernel table, want $ROUTES"
	node_kill lb
	leaf_stop bird
	[[ $out =~ ^ms=([0-9]+)\ poll_ms=([0-9]+)\ cpu_ms=([0-9]+)$ ]] ||
		fail "$who: bgp_watch said '$out'"
	MS=${BASH_REMATCH[1]}
	POLL_MS=${BASH_REMATCH[2]}
	CPU_MS=${BASH_REMATCH[3]}
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A ms poll cpu
for who in xlbd exabgp; do
	ms[$who]=""
	poll[$who]=""
	cpu[$who]=""
done
for r in $(seq "$RUNS"); do
	order="xlbd exabgp"
	[ $((r % 2)) -eq 0 ] && order="exabgp xlbd"
	for who in $order; do
		run_one "$who"
		ms[$who]+=" $MS"
		poll[$who]+=" $POLL_MS"
		cpu[$who]+=" $CPU_MS"
	done
done

# shellcheck disable=SC2086 # word lists
{
	x=$(median ${ms[xlbd]})
	e=$(median ${ms[exabgp]})
}
bird_v=$(bird --version 2>&1 | awk '{ print $NF }')
exa_v=$("$EXABGP" --version 2>&1 | awk '/^ExaBGP/ { print $3 }')
echo "# method: $NAME: a BIRD $bird_v leaf (doc/leaf/bird.conf, passive, import limit raised) takes $ROUTES routes over one eBGP IPv6 session; value = ms from the leaf's protocol up (Established) to its newest route of the set, by BIRD's own ms stamps; a fresh leaf per run; median of $RUNS runs, xlbd and ExaBGP alternating"
echo "# $NAME: the routes are IPv6 /128s ${PREFIX}1-$(printf %x "$ROUTES"): IPv4 documentation space (3 /24s) holds only 768 /32s"
echo "# $NAME: xlbd: one \`vip ADDR local { }\` per route (host mode, no datapath), default log level; baseline: ExaBGP $exa_v (Debian), the same routes as static routes, its defaults (updates grouped)"
echo "# $NAME: every run checks the leaf's table holds exactly these prefixes, from the speaker, and its kernel table has them"
echo "# $NAME: xlbd runs ms:${ms[xlbd]} (polled every 10 ms:${poll[xlbd]}); CPU ms from exec to the last route:${cpu[xlbd]}, of which reading the config ~$PARSE_MS (xlbd -n)"
echo "# $NAME: exabgp runs ms:${ms[exabgp]} (polled every 10 ms:${poll[exabgp]}); CPU ms from exec to the last route:${cpu[exabgp]}"
awk -v n="$NAME" -v x="$x" -v e="$e" 'BEGIN {
	r = x > 0 ? e / x : 0
	printf "bench %s %.3f ms baseline %.4f ratio %.2f\n", n, x, e, r
}'
awk -v x="$x" -v e="$e" -v tr="$TARGET_RATIO" -v tm="$TARGET_MS" 'BEGIN {
	r = x > 0 ? e / x : 0
	ok_r = (r >= tr) ? "met" : "NOT met"
	ok_m = (x < tm) ? "met" : "NOT met"
	printf "# target: ratio >= %d: %s (%.2f); xlbd under %d ms: %s (%d ms)\n", tr, ok_r, r, tm, ok_m, x
}'
exit 0
