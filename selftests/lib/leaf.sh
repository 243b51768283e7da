# SPDX-License-Identifier: GPL-2.0
# Leaf routers for the BGP interop tests: BIRD 2, FRR (zebra + bgpd) and
# GoBGP, each run in a namespace of the test's own with a config made from
# the router-side examples in doc/leaf/ (see the top of each file).
#
# Source it after a topology (bgp.sh, system.sh, xlbd_node.sh: it needs
# selftests/lib/netns.sh); LEAF_RUN is its directory (default $RUN/leaf).
# One leaf per KIND (bird, frr, gobgp) at a time. The daemons run in the
# foreground as children of the calling shell (never call leaf_start inside
# $(...)), each with its own config, control socket, pid file and run
# directory; nothing system-wide is used or touched, and netns.sh's cleanup
# stops them and removes their files on every exit path. A failure report
# (fail) shows each running leaf's routes and the end of its logs.
#
#   leaf_start KIND NS [OPTION...]   start, load the config, wait until it answers
#       neighbor=ADDR   an xlb node to peer with (repeat for several)
#       router-id=ADDR  default 192.0.2.1;  hold=SECONDS  default 9
#       passive         wait for the xlb nodes to connect
#       md5=KEY         TCP-MD5 key for every neighbor
#       gr              graceful-restart helper (off by default)
#       bfd             BFD with the nodes (BIRD, FRR: bfdd runs too)
#       bfd_interval=MS default 300;  bfd_mult=N  default 3
#   leaf_stop KIND / leaf_restart KIND / leaf_stop_all
#   leaf_reconfigure KIND OPTION...  the running leaf takes the config of
#                                    these leaf_start options (BIRD only)
#   leaf_routes KIND [4|6]           one normalized line per route (leaf.py)
#   leaf_fib KIND PREFIX             kernel next hops of PREFIX in the leaf's
#                                    namespace, sorted, comma-joined (BIRD, FRR)
#   leaf_route KIND PREFIX           the leaf_routes line of PREFIX, if any
#   leaf_routes_exact KIND EXPECTED  fail unless leaf_routes is EXPECTED
#   leaf_wait_route KIND PREFIX [SECONDS] [ERE]
#                                    until PREFIX is there (and its line matches ERE)
#   leaf_wait_gone KIND PREFIX [SECONDS]
#   leaf_session_state KIND NEIGHBOR RFC 4271 state name
#   leaf_session_up KIND NEIGHBOR    is it Established?
#   leaf_wait_session KIND NEIGHBOR [SECONDS]
#   leaf_shutdown_text KIND NEIGHBOR the shutdown communication (RFC 8203) of
#                                    the last Cease from NEIGHBOR, as the leaf
#                                    reports it (BIRD: the protocol's Message,
#                                    FRR: lastShutdownDescription, GoBGP: the
#                                    Communicated-Reason it logs)
#   leaf_bfd KIND NEIGHBOR           its BFD session: STATE tx=MS detect=MS (leaf.py)
#   leaf_bfd_state KIND NEIGHBOR     Up, Down, Init, AdminDown or none
#   leaf_wait_bfd KIND NEIGHBOR STATE [SECONDS]
#   leaf_signal KIND SIGNAL          to every daemon of the leaf (STOP/CONT)
#   leaf_log KIND                    the end of the leaf's logs (for failures)
# The waits are netns.sh's wait_for (default 10 s), the time they took in
# WAITED_MS.

: "${LEAF_RUN:=${RUN:?set LEAF_RUN or RUN}/leaf}"
. selftests/lib/netns.sh
LEAF_AS=${LEAF_AS:-65000}
LEAF_XLB_AS=${LEAF_XLB_AS:-65010}
LEAF_GOBGP_PORT=${LEAF_GOBGP_PORT:-50151}
LEAF_PY=/usr/bin/python3
LEAF_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LEAF_DOC=$LEAF_LIB/../../doc/leaf
declare -gA LEAF_PIDS LEAF_NSS LEAF_ARGS LEAF_FRR_NAME

leaf_diag() {
	local k
	for k in "${!LEAF_PIDS[@]}"; do
		[ -n "${LEAF_PIDS[$k]}" ] || continue
		echo "--- $k leaf routes"
		leaf_routes "$k"
		leaf_log "$k"
	done
}
fail_hook leaf_diag

# leaf_spawn KIND NS LOG CMD...: one daemon of the leaf
leaf_spawn() {
	local kind=$1 ns=$2 log=$3
	shift 3
	ip netns exec "$ns" "$@" >>"$log" 2>&1 &
	cleanup_pid $!
	LEAF_PIDS[$kind]="$!${LEAF_PIDS[$kind]:+ ${LEAF_PIDS[$kind]}}"
}

# leaf_conf KIND TEMPLATE_ARGS...: the instantiated config on stdout
leaf_conf() {
	local kind=$1 file
	shift
	case $kind in
	bird) file=bird.conf ;;
	frr) file=frr.conf ;;
	gobgp) file=gobgp.toml ;;
	*) echo "leaf: unknown kind $kind" >&2; return 1 ;;
	esac
	"$LEAF_PY" "$LEAF_LIB/leaf.py" conf "$LEAF_DOC/$file" "$@"
}

# leaf_targs OPTION...: the template arguments of leaf_start's options in
# the array targs (the caller's local), bfd=1 if BFD is wanted
leaf_targs() {
	local a hold=9 rid=192.0.2.1 bfd_interval=300 bfd_mult=3
	targs=()
	bfd=""
	for a in "$@"; do
		case $a in
		hold=*) hold=${a#hold=} ;;
		router-id=*) rid=${a#router-id=} ;;
		md5=*) targs+=(md5 "password=${a#md5=}") ;;
		bfd) bfd=1; targs+=(bfd) ;;
		bfd_interval=*) bfd_interval=${a#*=} ;;
		bfd_mult=*) bfd_mult=${a#*=} ;;
		*) targs+=("$a") ;;
		esac
	done
	targs+=("router_id=$rid" "local_as=$LEAF_AS" "xlb_as=$LEAF_XLB_AS"
		"hold=$hold" "keepalive=$((hold / 3))" "bfd_interval=$bfd_interval"
		"bfd_mult=$bfd_mult")
}

leaf_start() {
	local kind=$1 ns=$2 dir targs bfd
	shift 2
	LEAF_NSS[$kind]=$ns
	LEAF_ARGS[$kind]="$*"
	LEAF_PIDS[$kind]=""
	leaf_targs "$@"
	dir=$LEAF_RUN/$kind
	rm -rf "$dir"
	mkdir -p "$dir"
	case $kind in
	bird)
		leaf_conf bird "${targs[@]}" >"$dir/bird.conf" || return 1
		bird -p -c "$dir/bird.conf" >>"$dir/bird.log" 2>&1 || {
			echo "leaf: bad BIRD config:"; cat "$dir/bird.log"; return 1; }
		leaf_spawn bird "$ns" "$dir/bird.log" bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" \
			-P "$dir/bird.pid"
		wait_for 10 leaf_bird_up_or_gone && leaf_bird_up && return 0
		echo "leaf: BIRD did not come up"
		return 1
		;;
	frr)
		# a pathspace of our own: /etc/frr/NAME (config, vtysh.conf)
		# and /var/run/frr/NAME (pid files, vty and zserv sockets)
		local fs=${LEAF_FRR_NAME[frr]:-xlbleaf$$}
		if [ -z "${LEAF_FRR_NAME[frr]:-}" ]; then
			cleanup_dir "/var/run/frr/$fs"
			cleanup_dir "/etc/frr/$fs"
		fi
		LEAF_FRR_NAME[frr]=$fs
		rm -rf "/var/run/frr/$fs" "/etc/frr/$fs"
		mkdir -p "/var/run/frr/$fs" "/etc/frr/$fs"
		leaf_conf frr "${targs[@]}" >"/etc/frr/$fs/frr.conf" || return 1
		echo "service integrated-vtysh-config" >"/etc/frr/$fs/vtysh.conf"
		cp "/etc/frr/$fs/frr.conf" "$dir/frr.conf"
		chown -R frr:frr "/var/run/frr/$fs" "/etc/frr/$fs"
		leaf_spawn frr "$ns" "$dir/zebra.log" /usr/lib/frr/zebra -N "$fs" -A 127.0.0.1 -P 0 \
			-i "/var/run/frr/$fs/zebra.pid" --log stdout
		wait_for 10 test -S "/var/run/frr/$fs/zserv.api"
		if [ -n "$bfd" ]; then
			# bfdd reads only its own block: the rest of frr.conf (an
			# `exit` of another daemon's node) would leave config mode
			# before the block and bfdd would refuse it
			sed -n '/^bfd$/,/^exit$/p' "/etc/frr/$fs/frr.conf" >"/etc/frr/$fs/bfdd.conf"
			chown frr:frr "/etc/frr/$fs/bfdd.conf"
			leaf_spawn frr "$ns" "$dir/bfdd.log" /usr/lib/frr/bfdd -N "$fs" -A 127.0.0.1 -P 0 \
				-f "/etc/frr/$fs/bfdd.conf" --bfdctl "/var/run/frr/$fs/bfdd.sock" \
				-i "/var/run/frr/$fs/bfdd.pid" --log stdout
			wait_for 10 test -S "/var/run/frr/$fs/bfdd.vty"
			ip netns exec "$ns" vtysh -N "$fs" -c "show running-config" 2>&1 |
				grep -q "profile XLB" || {
				echo "leaf: bfdd did not take its config:"
				cat "$dir/bfdd.log"
				return 1
			}
		fi
		leaf_spawn frr "$ns" "$dir/bgpd.log" /usr/lib/frr/bgpd -N "$fs" -A 127.0.0.1 -P 0 \
			-f "/etc/frr/$fs/frr.conf" -i "/var/run/frr/$fs/bgpd.pid" --log stdout
		wait_for 10 test -S "/var/run/frr/$fs/bgpd.vty"
		# bgpd reads the whole config itself (-f): loaded with vtysh -b
		# instead, bgpd would hold the sessions for 3-4 s after the
		# end of the configuration. A line it refuses shows only in its
		# log: check that the end of the config applied.
		ip netns exec "$ns" vtysh -N "$fs" -c "show running-config" 2>&1 |
			grep -q "neighbor XLB maximum-prefix" && return 0
		echo "leaf: FRR did not take its config:"
		cat "$dir/bgpd.log"
		return 1
		;;
	gobgp)
		leaf_conf gobgp "${targs[@]}" >"$dir/gobgp.toml" || return 1
		gobgpd -d -f "$dir/gobgp.toml" >>"$dir/gobgpd.log" 2>&1 || {
			echo "leaf: bad GoBGP config:"; cat "$dir/gobgpd.log"; return 1; }
		leaf_spawn gobgp "$ns" "$dir/gobgpd.log" gobgpd -f "$dir/gobgp.toml" \
			--api-hosts "127.0.0.1:$LEAF_GOBGP_PORT" --pprof-disable
		# a policy GoBGP cannot build is only logged, and the import
		# default then stays "accept": wait until the filter is in place
		# (the API answers before the config is applied)
		wait_for 10 leaf_gobgp_done "$dir" && leaf_gobgp_up "$dir" && return 0
		cat "$dir/policy" 2>/dev/null
		echo "leaf: GoBGP did not come up:"
		tail -5 "$dir/gobgpd.log"
		return 1
		;;
	*)
		echo "leaf: unknown kind $kind"
		return 1
		;;
	esac
}

leaf_bird_up() { birdc -s "$LEAF_RUN/bird/bird.ctl" show status >/dev/null 2>&1; }
leaf_bird_up_or_gone() { leaf_bird_up || ! kill -0 ${LEAF_PIDS[bird]} 2>/dev/null; }
# leaf_gobgp_up DIR: its import policy is in place
leaf_gobgp_up() {
	leaf_gobgp global policy import >"$1/policy" 2>&1 &&
		grep -q "Default: REJECT" "$1/policy" && grep -q "Name xlb-import" "$1/policy"
}
leaf_gobgp_done() {
	leaf_gobgp_up "$1" || grep -q '"level":"error"' "$1/gobgpd.log" ||
		! kill -0 ${LEAF_PIDS[gobgp]} 2>/dev/null
}

leaf_gobgp() { ip netns exec "${LEAF_NSS[gobgp]}" gobgp -p "$LEAF_GOBGP_PORT" "$@"; }
leaf_vtysh() { ip netns exec "${LEAF_NSS[frr]}" vtysh -N "${LEAF_FRR_NAME[frr]}" "$@"; }
leaf_birdc() { birdc -s "$LEAF_RUN/bird/bird.ctl" "$@"; }

leaf_stop() {
	local kind=$1
	[ -n "${LEAF_PIDS[$kind]:-}" ] || return 0
	# shellcheck disable=SC2086
	stop_pids TERM ${LEAF_PIDS[$kind]}
	LEAF_PIDS[$kind]=""
	case $kind in
	bird) rm -f "$LEAF_RUN/bird/bird.ctl" ;;
	frr) rm -rf "/var/run/frr/${LEAF_FRR_NAME[frr]}" "/etc/frr/${LEAF_FRR_NAME[frr]}" ;;
	esac
	return 0
}

# leaf_restart KIND: stop, then start with the same arguments
leaf_restart() {
	local kind=$1
	leaf_stop "$kind"
	# shellcheck disable=SC2086
	leaf_start "$kind" "${LEAF_NSS[$kind]}" ${LEAF_ARGS[$kind]}
}

# leaf_reconfigure KIND OPTION...: the running leaf takes the config of
# these leaf_start options (BIRD: birdc configure; a changed neighbor,
# e.g. its md5 key, is restarted by BIRD itself)
leaf_reconfigure() {
	local kind=$1 dir=$LEAF_RUN/$1 targs bfd out
	shift
	[ "$kind" = bird ] || { echo "leaf_reconfigure: only for bird"; return 1; }
	leaf_targs "$@"
	LEAF_ARGS[$kind]="$*"
	leaf_conf bird "${targs[@]}" >"$dir/bird.conf.new" || return 1
	mv "$dir/bird.conf.new" "$dir/bird.conf"
	# a protocol to restart makes it "Reconfiguration in progress"
	out=$(leaf_birdc configure)
	grep -qE "Reconfigured|Reconfiguration in progress" <<<"$out" || {
		echo "leaf: BIRD refused the new config: $out"; return 1; }
}

leaf_stop_all() {
	local k
	for k in "${!LEAF_PIDS[@]}"; do
		leaf_stop "$k"
	done
}

# leaf_routes KIND [4|6]
leaf_routes() {
	local kind=$1 fam=${2:-} f
	case $kind in
	bird)
		for f in ${fam:-4 6}; do
			leaf_birdc show route all table "master$f"
		done
		;;
	frr)
		for f in ${fam:-4 6}; do
			[ "$f" = 4 ] && f=ipv4 || f=ipv6
			leaf_vtysh -c "show bgp $f unicast json detail"
		done
		;;
	gobgp)
		for f in ${fam:-4 6}; do
			leaf_gobgp global rib -a "ipv$f" -j
		done
		;;
	esac 2>/dev/null | "$LEAF_PY" "$LEAF_LIB/leaf.py" routes "$kind"
}

leaf_routes_exact() {
	local got
	got=$(leaf_routes "$1")
	[ "$got" = "$2" ] || fail "routes:
$got
expected:
$2"
}

leaf_route() {
	local fam=4
	[[ $2 == *:* ]] && fam=6
	leaf_routes "$1" $fam | grep "^$2 "
}

leaf_fib() {
	local fam=-4
	[[ $2 == *:* ]] && fam=-6
	ip -n "${LEAF_NSS[$1]}" $fam route show "${2%/*}" |
		grep -oE 'via (inet6? )?[0-9a-f.:]+' | awk '{ print $NF }' | sort -u | paste -sd,
}

leaf_has_route() {
	local line
	line=$(leaf_route "$1" "$2") || return 1
	[ -z "${3:-}" ] || [[ $line =~ $3 ]]
}
leaf_no_route() { ! leaf_route "$1" "$2" >/dev/null; }

leaf_wait_route() { wait_for "${3:-10}" leaf_has_route "$1" "$2" "${4:-}"; }
leaf_wait_gone() { wait_for "${3:-10}" leaf_no_route "$1" "$2"; }

leaf_session_state() {
	local kind=$1 nb=$2
	case $kind in
	bird) leaf_birdc show protocols all "xlb_${nb//[.:]/_}" ;;
	frr) leaf_vtysh -c "show bgp neighbors $nb json" ;;
	gobgp) leaf_gobgp neighbor "$nb" -j ;;
	esac 2>/dev/null | "$LEAF_PY" "$LEAF_LIB/leaf.py" state "$kind" "$nb"
}

leaf_session_up() { [ "$(leaf_session_state "$1" "$2")" = Established ]; }

leaf_shutdown_text() {
	local kind=$1 nb=$2
	case $kind in
	bird) leaf_birdc show protocols all "xlb_${nb//[.:]/_}" | sed -n 's/^ *Message: *//p' ;;
	frr) leaf_vtysh -c "show bgp neighbors $nb json" | json_get '[*].lastShutdownDescription' ;;
	gobgp)
		grep '"Communicated-Reason"' "$LEAF_RUN/gobgp/gobgpd.log" | grep "\"Key\":\"$nb\"" |
			tail -1 | json_get '.Communicated-Reason'
		;;
	esac 2>/dev/null
}
leaf_wait_session() { wait_for "${3:-10}" leaf_session_up "$1" "$2"; }

leaf_bfd() {
	local kind=$1 nb=$2
	case $kind in
	bird) leaf_birdc show bfd sessions ;;
	frr) leaf_vtysh -c "show bfd peers json" ;;
	esac 2>/dev/null | "$LEAF_PY" "$LEAF_LIB/leaf.py" bfd "$kind" "$nb"
}

leaf_bfd_state() { local s; s=$(leaf_bfd "$1" "$2"); echo "${s%% *}"; }
leaf_bfd_is() { [ "$(leaf_bfd_state "$1" "$2")" = "$3" ]; }
leaf_wait_bfd() { wait_for "${4:-10}" leaf_bfd_is "$1" "$2" "$3"; }

leaf_signal() {
	# shellcheck disable=SC2086
	[ -n "${LEAF_PIDS[$1]:-}" ] && kill -"$2" ${LEAF_PIDS[$1]}
}

leaf_log() {
	local f
	for f in "$LEAF_RUN/$1"/*.log; do
		[ -f "$f" ] || continue
		echo "--- $(basename "$f")"
		tail -n "${2:-20}" "$f"
	done
}
