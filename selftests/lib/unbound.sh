# SPDX-License-Identifier: GPL-2.0
# A real DNS server for the host-mode tests and benchmarks: unbound on an
# xlb node of selftests/lib/bgp.sh (source that first), answering on one
# address with a zone of its own (example.org. A 203.0.113.99), run in the
# foreground as a child of the calling shell with its own config, pid
# file and log under the node's directory; bgp_cleanup stops it.
#
#   unbound_start NAME NODE ADDR   start; its PID goes to UNBOUND_PID[NAME]
#   unbound_reap NAME              after it was killed: wait until it is gone,
#                                  forget it
# NAME tells several servers on one node apart (and a restart reuses its
# config).

declare -gA UNBOUND_PID

unbound_start() {
	local name=$1 node=$2 addr=$3 d
	d=$(node_dir "$node")/unbound-$name
	mkdir -p "$d"
	cat >"$d/unbound.conf" <<EOC
server:
    interface: $addr
    port: 53
    do-daemonize: no
    use-syslog: no
    logfile: ""
    username: ""
    chroot: ""
    directory: "$d"
    pidfile: "$d/unbound.pid"
    access-control: 0.0.0.0/0 allow
    access-control: ::/0 allow
    local-zone: "example.org." static
    local-data: "example.org. 60 IN A 203.0.113.99"
remote-control:
    control-enable: no
EOC
	ip netns exec "$(ns "$node")" unbound -d -c "$d/unbound.conf" >>"$d/unbound.log" 2>&1 &
	UNBOUND_PID[$name]=$!
	# killing it is what the callers are about, and bash would report
	# every kill ("Killed") when it exits; a disowned child is still
	# reaped by bash, and bgp_cleanup waits for it to be gone
	disown "${UNBOUND_PID[$name]}"
	BGP_BG_PIDS="$BGP_BG_PIDS ${UNBOUND_PID[$name]}"
}

unbound_reap() {
	local p=${UNBOUND_PID[$1]:-}
	[ -n "$p" ] || return 0
	for _ in $(seq 500); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.01
	done
	BGP_BG_PIDS=${BGP_BG_PIDS/ $p/}
	UNBOUND_PID[$1]=""
}
