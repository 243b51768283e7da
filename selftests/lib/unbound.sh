# SPDX-License-Identifier: GPL-2.0
# A real DNS server for the host-mode tests, benchmarks and the system
# topology: unbound on a node of a topology (bgp.sh, system.sh: it needs
# node_dir), answering on the given addresses with a zone of its own, run
# in the foreground as a child of the calling shell with its own config,
# pid file and log under the node's directory; stopped at exit.
#
#   unbound_conf DIR DATA ADDR...   the config on stdout: example.org.
#                                   static with the local-data DATA
#   unbound_start NAME NODE ADDR    start one answering example.org. A
#                                   203.0.113.99 on ADDR; its PID goes to
#                                   UNBOUND_PID[NAME]
#   unbound_reap NAME               after it was killed: wait until it is
#                                   gone, forget it
# NAME tells several servers on one node apart (and a restart reuses its
# config).

. selftests/lib/netns.sh
declare -gA UNBOUND_PID

unbound_conf() {
	local d=$1 data=$2 a
	shift 2
	echo "server:"
	for a in "$@"; do echo "    interface: $a"; done
	cat <<EOC
    port: 53
    do-daemonize: no
    use-syslog: no
    logfile: ""
    username: ""
    chroot: ""
    directory: "$d"
    pidfile: "$d/unbound.pid"
    num-threads: 1
    access-control: 0.0.0.0/0 allow
    access-control: ::/0 allow
    local-zone: "example.org." static
    local-data: $data
remote-control:
    control-enable: no
EOC
}

unbound_start() {
	local name=$1 node=$2 addr=$3 d
	d=$(node_dir "$node")/unbound-$name
	mkdir -p "$d"
	unbound_conf "$d" '"example.org. 60 IN A 203.0.113.99"' "$addr" >"$d/unbound.conf"
	spawn "$node" "$d/unbound.log" unbound -d -c "$d/unbound.conf"
	UNBOUND_PID[$name]=$SPAWNED
	# killing it is what the callers are about, and bash would report
	# every kill ("Killed") when it exits; a disowned child is still
	# reaped by bash, and the cleanup waits for it to be gone
	disown "$SPAWNED"
}

unbound_gone() { ! kill -0 "$1" 2>/dev/null; }

unbound_reap() {
	local p=${UNBOUND_PID[$1]:-}
	[ -n "$p" ] || return 0
	wait_for 5 unbound_gone "$p"
	UNBOUND_PID[$1]=""
}
