#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbd's etcd client (agent/pool/, through selftests/e2e/pool_follow.c)
# against a real 3-member etcd cluster in network namespaces, and what
# happens to it when etcd fails:
#  - it reads the prefix and follows it: a put, a delete, a bad value;
#  - a member it is not connected to killed: nothing happens (no down);
#  - the member it is connected to killed: it moves to another member
#    (down, up) and misses no change made meanwhile;
#  - the leader cut off from the other members while the client is
#    connected to it: the client leaves it and follows the majority;
#  - its watch left behind a compaction (the client stopped while a
#    thousand changes and a compaction go by): it reads again and
#    converges;
#  - the whole cluster down: down once, retries with back-off, back and
#    converged within 1 s of the cluster being healthy again;
#  - its registration under a lease is kept, updated, and gone after
#    the lease when the client dies.
# About 60 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbs$$"
. selftests/lib/netns.sh
RUN=/run/$TOPO
ETCD_RUN=$RUN/etcd
FOLLOW=$BUILD/selftests/pool_follow
PREFIX=/xlb/t
FPID=""
. selftests/lib/etcd.sh

need_root
command -v etcd >/dev/null && command -v etcdctl >/dev/null ||
	skip "etcd missing (Debian packages etcd-server etcd-client; make deps)"
mkdir -p "$RUN"
cleanup_dir "$RUN"
at_exit etcd_stop_all

diag() {
	echo "--- pool_follow"
	tail -30 "$RUN/follow.out"
	tail -30 "$RUN/follow.err"
	for n in e1 e2 e3; do echo "--- $n"; tail -5 "$ETCD_RUN/$n.log"; done
	[ -n "${KEEP_LOGS:-}" ] && cp -r "$RUN" "$KEEP_LOGS"
}
fail_hook diag

poll() { etcd_poll "$@"; }

# a switch and four hosts on it: three members, the client
netns_add sw e1 e2 e3 cl || fail "namespaces"
nsx sw ip link add br0 type bridge && nsx sw ip link set br0 up || fail "switch"
i=0
for n in e1 e2 e3 cl; do
	i=$((i + 1))
	netns_link "$n" eth0 sw "p-$n" || fail veth
	nsx sw ip link set "p-$n" master br0
	netns_addr "$n" eth0 "192.0.2.$((40 + i))/24"
	# small socket buffers (per namespace): a stopped client holds up
	# etcd's watch after a few messages instead of after megabytes
	nsx "$n" sysctl -qw net.ipv4.tcp_rmem="4096 16384 16384" \
		net.ipv4.tcp_wmem="4096 16384 16384"
done
for n in 1 2 3; do etcd_member "e$n" "$(ns e$n)" "192.0.2.4$n"; done
etcd_cluster_start 30 || fail "cluster start"
export ETCD_CTL_NS=$(ns cl)

# (retried: right after a member is killed a put may meet an election)
put() { poll 10 eval "etcd_ctl put '$PREFIX/$1' '$2' >/dev/null 2>&1" || fail "put $1"; }
VIP=203.0.113.10:80/tcp
put "pool/backends/$VIP/198.51.100.11" '{"pooled":"yes","weight":100}'
put "pool/backends/$VIP/198.51.100.12" '{"pooled":"no"}'
put "pool/vips/$VIP" '{"enabled":true}'

: >"$RUN/follow.out"
ip netns exec "$(ns cl)" "$FOLLOW" -d -e "$(etcd_endpoints | tr ' ' ,)" -p "$PREFIX" -n cl1 \
	>"$RUN/follow.out" 2>"$RUN/follow.err" &
FPID=$!
cleanup_pid "$FPID"

count() { grep -c " $1" "$RUN/follow.out"; }
last_be() { grep " be $VIP $1 " "$RUN/follow.out" | tail -1 | cut -d' ' -f5-; }
status() {
	local before
	before=$(grep -c ' status ' "$RUN/follow.out")
	kill -USR1 "$FPID"
	poll 5 eval "[ \$(grep -c ' status ' $RUN/follow.out) -gt $before ]" || return 1
	grep ' status ' "$RUN/follow.out" | tail -1
}
endpoint_member() { # the member the client follows now
	local ep
	ep=$(status | sed -n 's/.*endpoint=\([^ ]*\).*/\1/p')
	for n in e1 e2 e3; do [ "$ep" = "http://${ETCD_ADDR[$n]}:2379" ] && echo "$n"; done
}

poll 10 eval "[ \$(count up) -ge 1 ]" || fail "never up"
poll 5 eval "[ \"\$(last_be 198.51.100.12)\" = 'no -' ]" || fail "initial read: 198.51.100.12 $(last_be 198.51.100.12)"
[ "$(last_be 198.51.100.11)" = "yes 100" ] || fail "initial read: 198.51.100.11 $(last_be 198.51.100.11)"
echo "# read and watching: $(grep ' up ' "$RUN/follow.out" | head -1)"

# a change through etcd reaches the client: time it
t0=$(now_ms)
put "pool/backends/$VIP/198.51.100.11" '{"pooled":"inactive"}'
poll 5 eval "[ \"\$(last_be 198.51.100.11)\" = 'inactive -' ]" || fail "put not seen"
echo "# a put seen after $(($(now_ms) - t0)) ms"
etcd_ctl del "$PREFIX/pool/backends/$VIP/198.51.100.12" >/dev/null
poll 5 eval "! grep ' be $VIP 198.51.100.12 ' <(tail -3 $RUN/follow.out) && [ \$(tail -1 $RUN/follow.out | cut -d' ' -f4) = 1 ]" ||
	fail "delete not seen"
put "pool/backends/$VIP/198.51.100.13" '{"pooled":"sometimes"}'
poll 5 eval "[ \"\$(last_be 198.51.100.13)\" = 'bad -' ]" || fail "bad value not kept as bad"

# registration: under the client's name, with the intent revision it saw
poll 5 eval "etcd_ctl get $PREFIX/nodes/cl1 --print-value-only | grep -q '\"name\":\"cl1\"'" ||
	fail "not registered"
lease=$(etcd_ctl get "$PREFIX/nodes/cl1" -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["kvs"][0]["lease"])')
[ "$lease" -gt 0 ] || fail "registration without a lease"
echo "# registered under lease $(printf %x "$lease")"

# a member the client does not use killed: nothing at all
cur=$(endpoint_member)
[ -n "$cur" ] || fail "which member? $(status)"
other=""
for n in e1 e2 e3; do [ "$n" != "$cur" ] && other=$n && break; done
downs=$(count down)
etcd_stop "$other" KILL
put "pool/backends/$VIP/198.51.100.11" '{"pooled":"yes","weight":7}'
poll 5 eval "[ \"\$(last_be 198.51.100.11)\" = 'yes 7' ]" || fail "change with $other dead"
sleep 2.5 # (two heartbeats: a down would show by now)
[ "$(count down)" = "$downs" ] || fail "killing $other (not followed) made the client drop"
echo "# $other killed (not followed): no reconnection"
etcd_start "$other"
etcd_wait_healthy 20 || fail "$other back"

# the member the client uses killed: it moves, and misses nothing
cur=$(endpoint_member)
ups=$(count up)
t0=$(now_ms)
etcd_stop "$cur" KILL
put "pool/backends/$VIP/198.51.100.11" '{"pooled":"no","weight":8}'
poll 10 eval "[ \$(count up) -gt $ups ]" || fail "no reconnection after $cur died"
poll 5 eval "[ \"\$(last_be 198.51.100.11)\" = 'no 8' ]" || fail "change made while moving lost"
echo "# $cur killed (followed): following $(endpoint_member) after $(($(now_ms) - t0)) ms, no change lost"
etcd_start "$cur"
etcd_wait_healthy 20 || fail "$cur back"

# the leader cut off from the others while the client follows it
cur=$(endpoint_member)
leader=$(etcd_leader)
if [ "$leader" != "$cur" ]; then
	id=$(etcd_ctl_one "$cur" endpoint status -w json | python3 -c 'import json,sys; print("%x" % json.load(sys.stdin)[0]["Status"]["header"]["member_id"])')
	etcd_ctl_one "$leader" move-leader "$id" >/dev/null || fail "move-leader to $cur"
	poll 10 eval "[ \"\$(etcd_leader)\" = $cur ]" || fail "$cur did not become leader"
fi
ups=$(count up)
t0=$(now_ms)
etcd_partition "$cur"
maj=""
for n in e1 e2 e3; do [ "$n" != "$cur" ] && maj="$maj $n"; done
# written through the majority (it elects a new leader first)
put_majority() {
	local n
	for n in $maj; do
		etcd_ctl_one "$n" put "$PREFIX/pool/vips/$VIP" '{"enabled":false}' >/dev/null 2>&1 && return 0
	done
	return 1
}
poll 15 put_majority || fail "the majority takes no write"
poll 15 eval "[ \$(count up) -gt $ups ]" || fail "client stayed on the cut-off leader $cur"
t1=$(now_ms)
poll 5 eval "grep ' vip $VIP ' $RUN/follow.out | tail -1 | grep -q disabled" ||
	fail "the write made through the majority did not arrive"
echo "# leader $cur cut off: the client followed $(endpoint_member) after $((t1 - t0)) ms"
etcd_heal "$cur"
etcd_wait_healthy 20 || fail "$cur back after the partition"

# compaction past the watch: the client stopped, a thousand changes of
# 10 kB (more than the sockets on the way hold, so etcd's watch falls
# behind), compacted, the client continued
comp=$(status | sed -n 's/.*compactions=\([0-9]*\).*/\1/p')
kill -STOP "$FPID"
nsx cl python3 - "$(etcd_endpoints e1 | cut -d' ' -f1)" "$PREFIX" <<'EOF' || fail "flood"
import base64, json, sys, urllib.request
ep, prefix = sys.argv[1], sys.argv[2]
big = "x" * 10000
for i in range(1000):
    body = json.dumps({"key": base64.b64encode(("%s/junk/%d" % (prefix, i % 10)).encode()).decode(),
                       "value": base64.b64encode((big + str(i)).encode()).decode()}).encode()
    urllib.request.urlopen(urllib.request.Request(ep + "/v3/kv/put", body), timeout=5).read()
EOF
put "pool/backends/$VIP/198.51.100.11" '{"pooled":"yes","weight":10}'
etcd_compact || fail "compact"
kill -CONT "$FPID"
poll 20 eval "[ \"\$(last_be 198.51.100.11)\" = 'yes 10' ]" || fail "not converged after the compaction"
comp2=$(status | sed -n 's/.*compactions=\([0-9]*\).*/\1/p')
echo "# compaction past the watch: compactions $comp -> $comp2, converged"
[ "$comp2" -gt "$comp" ] || echo "# (etcd kept the watch synced: no compacted revision was seen)"

# the whole cluster down for a while, then back
downs=$(count down)
etcd_stop_all  # all at once: one by one, the client would hop to the last
poll 5 eval "[ \$(count down) -gt $downs ]" || fail "loss of the cluster not noticed"
sleep 5
[ "$(count down)" = $((downs + 1)) ] || fail "down said more than once"
kill -0 "$FPID" || fail "pool_follow died"
ups=$(count up)
for n in e1 e2 e3; do etcd_start "$n"; done
etcd_wait_healthy 30 || fail "cluster back"
t0=$(now_ms)
poll 10 eval "[ \$(count up) -gt $ups ]" || fail "not back after the cluster"
echo "# whole cluster down 5 s: back $(($(now_ms) - t0)) ms after it was healthy"
[ $(($(now_ms) - t0)) -le 1000 ] || fail "took more than 1 s"

# the registration goes with the client's lease
kill "$FPID"
wait "$FPID"
FPID=""
poll 20 eval "[ -z \"\$(etcd_ctl get $PREFIX/nodes/cl1 --print-value-only)\" ]" ||
	fail "registration outlived the lease"
echo "# registration gone with its lease"
exit 0
