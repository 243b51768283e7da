# SPDX-License-Identifier: GPL-2.0
# The fleet: system.sh's topology (BIRD leaf with ECMP, the xlb nodes lb1
# and lb2, backends b1..b3 with HTTP and DNS servers) with the nodes' pool
# state in etcd: real etcd members (lib/etcd.sh), each in a namespace of
# its own on the leaf's br0 next to the xlb nodes, and `pool-state etcd`
# in the nodes' configs. Used by the e2e/fleet_* tests, the fleet
# benchmark and the demo.
#
#   192.0.2.0/25 (br0): leaf .1, lb1 .10, lb2 .11, e1 .40, e2 .41, e3 .42
#
# Set TOPO (and SYS_* as for system.sh) and FLEET_ETCD (default "e1 e2 e3";
# "e1" for a single member) before sourcing. Everything goes on every exit
# path (selftests/lib/netns.sh: the members are stopped, their namespaces
# removed with the rest); a failure also shows the members' log tails. FLEET_POOL_EXTRA: more lines
# for the pool-state block (tls, user). FLEET_SMALL_BUFFERS=1: the members'
# and the nodes' TCP buffers for etcd's connections cut to 16 kB, so a
# stopped xlbd holds up etcd's watch after a few messages (the compaction
# test) instead of after megabytes. FLEET_TLS=1: the members serve clients
# over TLS with client certificates (etcd_tls_make, in $ETCD_RUN/tls) and
# the nodes' configs say so (FLEET_POOL_EXTRA gets the tls line).
# FLEET_AUTH="USER PASSWORD": authentication on once the cluster runs, USER
# with read-write on the prefix (the nodes' configs need its user line).
#
#   fleet_up                    everything up (etcd followed by both nodes);
#                               skips (77) without root or etcd
#   fleet_down                  everything gone now (also what a kept demo
#                               left: tools/demo.sh down)
#   fleet_pool NODE ARGS...     xlbctl pool ARGS on NODE
#   fleet_status NODE           `xlbctl -j status` of NODE
#   fleet_connected NODE        NODE follows etcd
#   fleet_wait_connected SECONDS [NODES]
#   fleet_revision NODE         the revision of the pool state NODE applied
#   fleet_wait_revision SECONDS REV [NODES]   every NODE applied REV or later
#   fleet_fingerprint NODE VIP  NODE's fingerprint of VIP's table (from its
#                               registration in etcd)
#   fleet_table NODE VIP        the table NODE's datapath holds for VIP, as
#                               backend addresses per slot, hashed
#                               (selftests/lib/fleet.py table)
#   fleet_put KEY VALUE         etcdctl put under the prefix
#   fleet_cut NODE / fleet_uncut NODE   NODE cut off from etcd / back
#   fleet_metric NODE SAMPLE    a sample's value on NODE's metrics page
#   fleet_timed NODE VIP BACKEND in|out ARGS...   `xlbctl ARGS` on NODE, then
#                               until BACKEND is in / out of VIP's table on
#                               every lb node; FLEET_OUT gets xlbctl's
#                               answer, FLEET_MS "CALL RETURN" (the slowest
#                               node's table change, in ms from the call's
#                               start and from its return)
: "${TOPO:?set TOPO}"
FLEET_ETCD=${FLEET_ETCD:-e1 e2 e3}
FLEET_PREFIX=${FLEET_PREFIX:-/xlb/test}
FLEET_POOL_EXTRA=${FLEET_POOL_EXTRA:-}
ETCD_RUN=${ETCD_RUN:-/run/$TOPO-etcd}
FLEET_PY=$PWD/selftests/lib/fleet.py

. selftests/lib/system.sh
. selftests/lib/etcd.sh

declare -gA FLEET_ADDR=([e1]=192.0.2.40 [e2]=192.0.2.41 [e3]=192.0.2.42)
for _m in $FLEET_ETCD; do
	etcd_member "$_m" "$(ns "$_m")" "${FLEET_ADDR[$_m]}"
done

fleet_diag() {
	local m
	for m in $FLEET_ETCD; do
		echo "--- etcd $m"
		tail -3 "$ETCD_RUN/$m.log" 2>/dev/null
	done
}
fail_hook fleet_diag

fleet_lb_extra() {
	cat <<EOC
pool-state etcd {
    endpoints $(etcd_endpoints)
    prefix $FLEET_PREFIX
    name $1
${FLEET_POOL_EXTRA}
}
EOC
}
SYS_LB_EXTRA=fleet_lb_extra

# the members' namespaces on the leaf's br0
fleet_etcd_net() {
	local m mac
	# a bridge takes the lowest MAC of its ports unless it was given one:
	# a member's port could change the leaf's MAC under the xlb nodes'
	# neighbour caches (their own traffic, health checks included, then
	# goes nowhere until the entries expire). Pin the one it has.
	mac=$(nsx leaf cat /sys/class/net/br0/address) && nsx leaf ip link set br0 address "$mac" ||
		return 1
	for m in $FLEET_ETCD; do
		netns_add "$m" || return 1
		netns_link "$m" eth0 leaf "l-$m" || return 1
		nsx leaf ip link set "l-$m" master br0
		nsx "$m" ip addr add "${FLEET_ADDR[$m]}/25" dev eth0 || return 1
		[ -z "${FLEET_SMALL_BUFFERS:-}" ] ||
			nsx "$m" sysctl -qw net.ipv4.tcp_rmem="4096 16384 16384" \
				net.ipv4.tcp_wmem="4096 16384 16384"
	done
	# the nodes' sockets to etcd are made after this (the members start
	# next); their BGP and health sockets keep the buffers they have
	for m in $SYS_LBS; do
		[ -z "${FLEET_SMALL_BUFFERS:-}" ] ||
			nsx "$m" sysctl -qw net.ipv4.tcp_rmem="4096 16384 16384" \
				net.ipv4.tcp_wmem="4096 16384 16384"
	done
}

fleet_status() { node_ctl "$1" -j status; }
fleet_field() { # NODE FIELD of status' pool_state
	fleet_status "$1" 2>/dev/null | $SYS_PY -c '
import json, sys
print(json.load(sys.stdin)["pool_state"].get(sys.argv[1]))' "$2"
}
fleet_connected() { [ "$(fleet_field "$1" connected)" = True ]; }
fleet_all_connected() {
	local n
	for n in ${*:-$SYS_LBS}; do fleet_connected "$n" || return 1; done
}
fleet_wait_connected() {
	local s=$1
	shift
	wait_for "$s" fleet_all_connected "$@"
}
fleet_revision() { fleet_field "$1" applied_revision; }
fleet_applied() { # REV NODES...
	local rev=$1 n r
	shift
	for n in ${*:-$SYS_LBS}; do
		r=$(fleet_revision "$n")
		[ -n "$r" ] && [ "$r" != None ] && [ "$r" -ge "$rev" ] || return 1
	done
}
fleet_wait_revision() {
	local s=$1
	shift
	wait_for "$s" fleet_applied "$@"
}
# fleet_cut NODE / fleet_uncut NODE: NODE cannot reach etcd (its
# connections to the client port refused, nftables in its namespace, as
# when the members are down; a black hole would add up to the connect
# timeout, 1 s, to the time it takes to notice the way is open) / can again
fleet_cut() {
	nsx "$1" nft -f - <<EOC
table inet xlb_fleet_cut {
	chain out { type filter hook output priority 0; tcp dport 2379 reject with tcp reset; }
}
EOC
}
fleet_uncut() { nsx "$1" nft delete table inet xlb_fleet_cut; }
fleet_metric() { # NODE SAMPLE: its value on NODE's page (metrics listen 0.0.0.0 port 9273)
	nsx "$1" curl -s -m 5 "http://${SYS_ADDR4[$1]}:9273/metrics" |
		awk -v m="$2" 'index($0, m " ") == 1 { print $2 }'
}

fleet_pool() {
	local n=$1
	shift
	node_ctl "$n" pool "$@"
}
fleet_put() { ETCD_CTL_NS=$(ns lb1) etcd_ctl put "$FLEET_PREFIX/$1" "$2" >/dev/null; }
fleet_get() { ETCD_CTL_NS=$(ns lb1) etcd_ctl get "$FLEET_PREFIX/$1" --print-value-only; }
fleet_fingerprint() {
	ETCD_CTL_NS=$(ns lb1) etcd_ctl get "$FLEET_PREFIX/nodes/$1" --print-value-only |
		$SYS_PY -c '
import json, sys
t = json.load(sys.stdin)["tables"].get(sys.argv[1])
print(t["fingerprint"] if t else "")' "$2"
}
fleet_table() {
	"$SYS_PY" "$FLEET_PY" table "$SYS_BPFFS/$1/xlb" "$2"
}

fleet_timed() {
	local n=$1 vip=$2 be=$3 want=$4 pins="" m t0 t1 last=0 k ns w
	shift 4
	for m in $SYS_LBS; do pins="$pins $SYS_BPFFS/$m/xlb"; done
	rm -f "$SYS_RUN/wait.ready"
	# shellcheck disable=SC2086
	"$SYS_PY" "$FLEET_PY" wait $pins -- "$vip" "$be" "$want" 10 "$SYS_RUN/wait.ready" \
		>"$SYS_RUN/wait.out" 2>"$SYS_RUN/wait.err" &
	w=$!
	wait_for 10 test -e "$SYS_RUN/wait.ready" || { wait $w; return 1; }
	t0=$(date +%s%N)
	FLEET_OUT=$(node_ctl "$n" "$@" 2>&1)
	t1=$(date +%s%N)
	wait $w || { FLEET_OUT="$FLEET_OUT; $(cat "$SYS_RUN/wait.err")"; return 1; }
	for k in $(cat "$SYS_RUN/wait.out"); do
		ns=${k#*=}
		[ "$ns" -gt "$last" ] && last=$ns
	done
	FLEET_MS="$(((last - t0) / 1000000)) $(((last - t1) / 1000000))"
}

fleet_up() {
	need_root
	command -v etcd >/dev/null && command -v etcdctl >/dev/null ||
		skip "etcd missing (Debian packages etcd-server etcd-client; make deps)"
	mkdir -p "$ETCD_RUN"
	cleanup_dir "$ETCD_RUN"
	at_exit etcd_stop_all
	if [ -n "${FLEET_TLS:-}" ]; then
		etcd_tls_make || fail "TLS material"
		FLEET_POOL_EXTRA="    tls ca $ETCD_TLS/ca.pem cert $ETCD_TLS/client.pem key $ETCD_TLS/client-key.pem
$FLEET_POOL_EXTRA"
	fi
	sys_up
	fleet_etcd_net || fail "etcd namespaces"
	etcd_cluster_start 30 || fail "etcd cluster"
	[ -z "${FLEET_AUTH:-}" ] || etcd_auth_enable $FLEET_AUTH "$FLEET_PREFIX" || fail "etcd auth"
	fleet_wait_connected 20 || fail "the xlb nodes do not follow etcd: $(fleet_status lb1)"
}

# fleet_down: everything now (what a kept demo left too: its members'
# namespaces are found by name)
fleet_down() {
	local m
	etcd_stop_all
	rm -rf "$ETCD_RUN"
	if [ ${#NETNS_NAMES[@]} -eq 0 ]; then
		# not this shell's: the whole topology, members included, by name
		for m in $(sys_nodes) $FLEET_ETCD; do
			ip netns list | grep -q "^$(ns "$m")\b" && netns_adopt "$m"
		done
		cleanup_mount "$SYS_BPFFS"
		cleanup_dir "$SYS_RUN"
	fi
	teardown
}
