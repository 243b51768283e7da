# SPDX-License-Identifier: GPL-2.0
# The hallway every shell test and topology goes through: network
# namespaces under one prefix, one cleanup registry behind one trap, waits
# with a deadline, one failure reporter, and reading JSON (bpftool -j,
# ip -j; xlbctl -j through xlbd.sh) with json_get.py. xlbd.sh, the
# topologies (topo.sh and xlbd_node.sh, bgp.sh, system.sh) and leaf.sh
# build on it, so a test can use any of them together. Source it from the
# top of the tree after setting TOPO (a short prefix, unique per run: add
# $$); the others source it themselves.
#
# Sourcing it installs the trap: on every exit path (the end, exit, a
# failure, INT, or the TERM the runner sends on a timeout) the registered
# things go, in this order: the at_exit commands (last registered first),
# the processes (by PID, and only while they are this shell's children),
# anything still running in the namespaces, the namespaces, the mounts,
# the directories.
#
#   ns NAME / nsx NAME CMD...     the namespace's full name / run CMD in it
#   netns_add NAME...             new namespaces: lo up, no DAD; registered
#   netns_link NS1 IF1 NS2 IF2    a veth pair between two namespaces, both up
#   netns_addr NS DEV ADDR/LEN    an address (IPv6 without DAD)
#   need_root                     skip (77) unless root
#   skip REASON                   the test cannot run here: exit 77
#   spawn NS LOG CMD...           CMD in namespace NS in the background,
#                                 output appended to LOG; PID in SPAWNED
#                                 (never call it inside $(...)); registered
#   cleanup_pid PID [SIGNAL]      stop PID at exit (SIGNAL, default TERM,
#                                 then KILL after 3 s; again: another SIGNAL)
#   cleanup_mount DIR / cleanup_dir PATH
#   at_exit CMD...                run CMD first at exit (the exit status in
#                                 NETNS_STATUS; NETNS_RC=N makes it N)
#   stop_pids SIGNAL PID...       stop them now: SIGNAL (and CONT), KILL
#                                 after 3 s, reaped
#   pid_alive PID                 a child of this shell, not exited
#   netns_adopt NAME...           namespaces an earlier shell made (a kept
#                                 demo), to remove with the rest
#   teardown                      everything registered goes now (the
#                                 trap calls it; NETNS_KEEP=1 keeps it all)
#   teardown_leftovers            after teardown: "namespaces=N mounts=N
#                                 processes=N" still there (all 0 if clean)
#   now_ms / ms_since START_MS    the wall clock in ms / ms since START_MS
#   wait_for SECONDS CMD...       run CMD every 50 ms until it succeeds, at
#                                 most SECONDS (fractions allowed, at least
#                                 once); the time it took in WAITED_MS
#   fail MESSAGE                  "FAIL: $FAIL_PREFIX MESSAGE", then every
#                                 fail_hook's diagnostics; exit 1
#   fail_hook FUNC                add FUNC to what fail prints
#   fail_report                   what fail prints after its FAIL line (for
#                                 a script's own fail, e.g. a benchmark's)
#   json_get PATH [KEY...]        a field of the JSON on stdin (json_get.py)

[ -n "${NETNS_SH:-}" ] && return 0
NETNS_SH=1
: "${BUILD:=build}"
: "${TOPO:?set TOPO}"
NETNS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NETNS_PY=/usr/bin/python3
WAITED_MS=0
NETNS_NAMES=()
NETNS_PIDS=()
NETNS_MOUNTS=()
NETNS_DIRS=()
NETNS_AT_EXIT=()
NETNS_FAIL_HOOKS=()
NETNS_GONE_PIDS=()
NETNS_GONE_MOUNTS=()
declare -gA NETNS_PID_SIGNAL

ns() { echo "${TOPO}-$1"; }
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

skip() { echo "$*"; exit 77; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, XDP)"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
ms_since() { echo $(($(now_ms) - $1)); }

# ms SECONDS: 1.5 -> 1500
netns_ms() {
	local i=${1%.*} f=000
	[[ $1 == *.* ]] && f=${1#*.}000
	echo $((${i:-0} * 1000 + 10#${f:0:3}))
}

wait_for() {
	local start deadline
	start=$(now_ms)
	deadline=$((start + $(netns_ms "$1")))
	shift
	while :; do
		if "$@"; then
			WAITED_MS=$(ms_since "$start")
			return 0
		fi
		[ "$(now_ms)" -ge "$deadline" ] && break
		sleep 0.05
	done
	WAITED_MS=$(ms_since "$start")
	return 1
}

# --- the cleanup registry ---

cleanup_pid() {
	[ -n "${NETNS_PID_SIGNAL[$1]:-}" ] || NETNS_PIDS+=("$1")
	NETNS_PID_SIGNAL[$1]=${2:-TERM}
}
cleanup_mount() { NETNS_MOUNTS+=("$1"); }
cleanup_dir() { NETNS_DIRS+=("$1"); }
at_exit() { NETNS_AT_EXIT+=("$*"); }

spawn() {
	local n=$1 log=$2
	shift 2
	ip netns exec "$(ns "$n")" "$@" >>"$log" 2>&1 &
	SPAWNED=$!
	cleanup_pid "$SPAWNED"
}

# pid_alive PID: a child of this shell that has not exited (a zombie has:
# wait reaps it; PID 1 here reaps nothing). Anything else under that PID
# is not ours.
pid_alive() {
	local f
	f=$(pid_state "$1") || return 1
	read -ra f <<<"$f"
	[ "${f[1]}" = $$ ] && [ "${f[0]}" != Z ]
}

# pid_state PID: "STATE PPID" of a process (/proc/PID/stat)
pid_state() {
	local s f
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
	read -ra f <<<"${s##*) }"
	echo "${f[0]} ${f[1]}"
}

# netns_stop PID:SIGNAL...: each its signal (and CONT: a stopped process
# gets none), KILL for what is left after 3 s, then reaped
netns_stop() {
	local a p i left=()
	# (bash reports a child killed by a signal whenever it notices: not
	# news here)
	{
		for a in "$@"; do
			p=${a%%:*}
			pid_alive "$p" || continue
			kill -"${a#*:}" "$p"
			kill -CONT "$p"
			left+=("$p")
		done
		for i in $(seq 60); do
			for p in "${!left[@]}"; do
				pid_alive "${left[p]}" || unset 'left[p]'
			done
			[ ${#left[@]} -eq 0 ] && break
			sleep 0.05
		done
		for p in "${left[@]}"; do kill -9 "$p"; done
		for a in "$@"; do wait "${a%%:*}"; done
	} 2>/dev/null
	return 0
}

stop_pids() {
	local sig=$1 p a=()
	shift
	for p in "$@"; do a+=("$p:$sig"); done
	netns_stop "${a[@]}"
}

# netns_leftovers: PIDs still running in our namespaces (started by what
# we started: exec checks, FRR's helpers; or by an earlier shell's demo)
netns_leftovers() {
	local n
	for n in "${NETNS_NAMES[@]}"; do
		ip netns pids "$(ns "$n")" 2>/dev/null
	done
}

# the at_exit commands, last registered first (each taken off before it
# runs: one may call teardown itself)
netns_at_exit_run() {
	local c
	while [ ${#NETNS_AT_EXIT[@]} -gt 0 ]; do
		c=${NETNS_AT_EXIT[-1]}
		unset 'NETNS_AT_EXIT[-1]'
		eval "$c"
	done
}

teardown() {
	local i p a=() left
	netns_at_exit_run
	for p in "${NETNS_PIDS[@]}"; do a+=("$p:${NETNS_PID_SIGNAL[$p]}"); done
	[ ${#a[@]} -gt 0 ] && netns_stop "${a[@]}"
	NETNS_GONE_PIDS+=("${NETNS_PIDS[@]}")
	NETNS_PIDS=()
	left=$(netns_leftovers)
	if [ -n "$left" ]; then
		# shellcheck disable=SC2206 # a word list
		NETNS_GONE_PIDS+=($left)
		# shellcheck disable=SC2086 # a word list
		kill $left 2>/dev/null
		for i in $(seq 40); do
			[ -z "$(netns_leftovers)" ] && break
			sleep 0.05
		done
		# shellcheck disable=SC2046
		kill -9 $(netns_leftovers) 2>/dev/null
	fi
	for p in "${NETNS_NAMES[@]}"; do
		ip netns del "$(ns "$p")" 2>/dev/null
	done
	NETNS_NAMES=()
	for p in "${NETNS_MOUNTS[@]}"; do
		mountpoint -q "$p" 2>/dev/null && umount "$p"
	done
	NETNS_GONE_MOUNTS+=("${NETNS_MOUNTS[@]}")
	NETNS_MOUNTS=()
	for p in "${NETNS_DIRS[@]}"; do
		rm -rf "$p"
	done
	NETNS_DIRS=()
	return 0
}

teardown_leftovers() {
	local p procs=0 mounts=0 st
	for p in "${NETNS_GONE_PIDS[@]}"; do
		st=$(pid_state "$p") || continue
		# (nobody reaps the children of a shell that is gone: a zombie
		# is not running)
		[ "${st% *}" != Z ] && procs=$((procs + 1))
	done
	for p in "${NETNS_GONE_MOUNTS[@]}"; do
		mountpoint -q "$p" 2>/dev/null && mounts=$((mounts + 1))
	done
	echo "namespaces=$(ip netns list | grep -c "^$TOPO-") mounts=$mounts processes=$procs"
}

netns_exit() {
	local rc=$?
	NETNS_STATUS=$rc
	trap - EXIT
	# a second INT or TERM must not cut the cleanup short
	trap '' INT TERM
	if [ "${NETNS_KEEP:-0}" = 1 ]; then
		netns_at_exit_run
	else
		teardown
	fi
	exit "${NETNS_RC:-$rc}"
}
trap netns_exit EXIT
trap 'exit 130' INT TERM

# --- namespaces ---

netns_add() {
	local n
	for n in "$@"; do
		ip netns add "$(ns "$n")" || return 1
		NETNS_NAMES+=("$n")
		nsx "$n" ip link set lo up
		# no DAD: addresses (link-local ones too: FRR waits for those)
		# usable at once
		nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
}

netns_adopt() { NETNS_NAMES+=("$@"); }

netns_link() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")" || return 1
	nsx "$1" ip link set "$2" up && nsx "$3" ip link set "$4" up
}

netns_addr() {
	if [[ $3 == *:* ]]; then
		nsx "$1" ip addr add "$3" dev "$2" nodad
	else
		nsx "$1" ip addr add "$3" dev "$2"
	fi
}

# --- failures ---

fail_hook() { NETNS_FAIL_HOOKS+=("$1"); }

fail_report() {
	local f
	# a hook that fails itself must not loop
	[ -z "${NETNS_FAILING:-}" ] || return 0
	NETNS_FAILING=1
	for f in "${NETNS_FAIL_HOOKS[@]}"; do "$f"; done
}

fail() {
	echo "FAIL: ${FAIL_PREFIX:-}$*"
	fail_report
	exit 1
}

# --- JSON ---

json_get() { "$NETNS_PY" "$NETNS_LIB/json_get.py" "$@"; }
