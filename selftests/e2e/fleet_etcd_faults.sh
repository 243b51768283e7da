#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# etcd fails under a fleet serving traffic (3 members, 2 xlb nodes, BIRD
# leaf, backends with held connections and requests back to back;
# lib/fleet.sh). Losing etcd must change nothing in the datapath:
#  - one member killed (each node followed one of them): nothing happens
#    to the traffic or the tables; a change made after it reaches both;
#  - the leader cut off from the other members, both nodes made to follow
#    it first: they leave it for the majority (the watch resumes there)
#    and a change made through the majority reaches both;
#  - compaction past a node's watch (lb2's xlbd stopped while a thousand
#    changes and a compaction go by, small TCP buffers so etcd's watch
#    falls behind; no traffic then): it reads again and converges;
#  - the whole cluster down for 30 s: both nodes keep serving the state
#    they had (tables unchanged, no request fails, no held connection
#    breaks), say so (status, log, metric), and refuse changes (xlbctl
#    pool and the local backend depool); lb2's xlbd restarted meanwhile
#    comes up with the persisted state (a backend depooled before the
#    outage stays out);
#  - etcd back: both nodes follow again within 1 s of it being healthy;
#    a change made in etcd while the nodes were cut off from it (etcd up)
#    is applied by both within 1 s of the cut being lifted.
# About 90 s (30 of them the outage).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbe$$"
SYS_DNS=""
SYS_EXTRA_VIPS="metrics listen 0.0.0.0 port 9273"
FLEET_SMALL_BUFFERS=1
. selftests/lib/fleet.sh
fleet_up

VIP=$VIP4:80/tcp
B1=${SYS_ADDR4[b1]}
B2=${SYS_ADDR4[b2]}
B3=${SYS_ADDR4[b3]}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
same_tables() { [ "$(fleet_table lb1 "$VIP")" = "$(fleet_table lb2 "$VIP")" ]; }
member_of() { # the member NODE follows
	local ep n
	ep=$(fleet_field "$1" endpoint)
	for n in $FLEET_ETCD; do [ "$ep" = "http://${FLEET_ADDR[$n]}:2379" ] && echo "$n"; done
}
put_via() { # MEMBER KEY VALUE (retried: the cluster may be electing)
	wait_for 10 eval "ETCD_CTL_NS=\$(ns lb1) etcd_ctl_one $1 put '$FLEET_PREFIX/$2' '$3' >/dev/null 2>&1"
}
changed_on_both() { # BACKEND in|out
	local w
	w=$("$SYS_PY" "$FLEET_PY" wait "$SYS_BPFFS/lb1/xlb" "$SYS_BPFFS/lb2/xlb" -- "$VIP" "$1" "$2" 10)
}

sys_hold_start 30
sys_loop_start web http $VIP4 80

# one member killed: the one lb1 follows
m=$(member_of lb1)
[ -n "$m" ] || fail "lb1 follows no member: $(fleet_status lb1)"
before=$(fleet_table lb1 "$VIP")
etcd_stop "$m" KILL
t0=$(now_ms)
put_via "$([ "$m" = e1 ] && echo e2 || echo e1)" "pool/backends/$VIP/$B3" '{"pooled":"no"}' ||
	fail "no write with $m dead"
changed_on_both "$B3" out || fail "a change after $m died did not reach both"
echo "# member $m (lb1's) killed: a change made then reached both nodes in $(($(now_ms) - t0)) ms;" \
	"lb1 now follows $(member_of lb1)"
put_via "$([ "$m" = e1 ] && echo e2 || echo e1)" "pool/backends/$VIP/$B3" '{"pooled":"yes"}'
changed_on_both "$B3" in || fail "b3 not back"
[ "$(fleet_table lb1 "$VIP")" = "$before" ] || fail "the table changed"
etcd_start "$m"
etcd_wait_healthy 30 || fail "$m back"

# the leader cut off while both nodes follow it
leader=$(etcd_leader)
[ -n "$leader" ] || fail "no leader"
for n in lb1 lb2; do
	# make the node follow the leader: cut it from the others for a moment
	for o in $FLEET_ETCD; do
		[ "$o" = "$leader" ] && continue
		nsx "$n" nft add table inet xlb_pin 2>/dev/null
		nsx "$n" nft add chain inet xlb_pin out '{ type filter hook output priority 0; }'
		nsx "$n" nft add rule inet xlb_pin out ip daddr "${FLEET_ADDR[$o]}" tcp dport 2379 drop
	done
	wait_for 15 eval "[ \"\$(member_of $n)\" = $leader ] && fleet_connected $n" ||
		fail "$n does not follow the leader $leader: $(fleet_status $n)"
	nsx "$n" nft delete table inet xlb_pin
done
ups1=$(fleet_metric lb1 xlb_pool_state_connects_total)
t0=$(now_ms)
etcd_partition "$leader"
maj=""
for o in $FLEET_ETCD; do [ "$o" != "$leader" ] && maj=$o; done
put_via "$maj" "pool/backends/$VIP/$B2" '{"pooled":"no"}' || fail "the majority takes no write"
changed_on_both "$B2" out || fail "the change made through the majority did not reach both"
echo "# leader $leader cut off from the others: both nodes moved on (lb1 to $(member_of lb1)," \
	"lb2 to $(member_of lb2)), a change reached both $(($(now_ms) - t0)) ms after the cut"
[ "$(fleet_metric lb1 xlb_pool_state_connects_total)" -gt "$ups1" ] || fail "lb1 never reconnected"
etcd_heal "$leader"
etcd_wait_healthy 30 || fail "$leader back"
put_via "$maj" "pool/backends/$VIP/$B2" '{"pooled":"yes"}'
changed_on_both "$B2" in || fail "b2 not back"

sys_loop_stop web
loop=$SYS_SUMMARY
sys_hold_stop
sys_none "$loop" failed || fail "requests failed with a member dead or cut off: $loop"
sys_none "$SYS_SUMMARY" broken || fail "held connections broke: $SYS_SUMMARY"
echo "# traffic meanwhile: requests $loop; held $SYS_SUMMARY"

# compaction past lb2's watch (no traffic: a stopped xlbd sends no BGP
# keepalives, and past the hold time the leaf moves its flows)
comp=$(fleet_metric lb2 xlb_pool_state_compactions_total)
kill -STOP "${SYS_PID[lb2/xlbd]}"
nsx lb1 "$SYS_PY" - "http://${FLEET_ADDR[$maj]}:2379" "$FLEET_PREFIX" <<'EOF' || fail "flood"
import base64, json, sys, urllib.request
ep, prefix = sys.argv[1], sys.argv[2]
big = "x" * 10000
for i in range(1000):
    body = json.dumps({"key": base64.b64encode(("%s/junk/%d" % (prefix, i % 10)).encode()).decode(),
                       "value": base64.b64encode((big + str(i)).encode()).decode()}).encode()
    urllib.request.urlopen(urllib.request.Request(ep + "/v3/kv/put", body), timeout=5).read()
EOF
put_via "$maj" "pool/backends/$VIP/$B1" '{"pooled":"no"}'
ETCD_CTL_NS=$(ns lb1) etcd_compact || fail "compact"
kill -CONT "${SYS_PID[lb2/xlbd]}"
changed_on_both "$B1" out || fail "lb2 did not converge after the compaction"
comp2=$(fleet_metric lb2 xlb_pool_state_compactions_total)
[ "$comp2" -gt "$comp" ] || fail "no compaction seen (xlb_pool_state_compactions_total $comp -> $comp2)"
grep -q "compacted" "$(node_dir lb2)/xlbd.log" || fail "lb2 did not log the compaction"
echo "# compaction past lb2's watch: read again (compactions $comp -> $comp2), converged"
wait_for 5 same_tables || fail "tables differ after the compaction"

# the whole cluster down for 30 s (b1 stays depooled from above)
sys_hold_start 30
sys_loop_start web http $VIP4 80
before=$(fleet_table lb1 "$VIP")
rev=$(fleet_revision lb1)
etcd_stop_all
down_at=$(now_ms)
wait_for 10 eval "! fleet_connected lb1 && ! fleet_connected lb2" || fail "loss not noticed"
echo "# cluster down: lb1 status says: $(node_ctl lb1 status | grep 'pool state')"
[ "$(fleet_metric lb1 xlb_pool_state_connected)" = 0 ] || fail "metric still says connected"
grep -q "etcd: lost .* keeping the pool state applied at revision $rev" "$(node_dir lb1)/xlbd.log" ||
	fail "lb1 did not log the loss: $(grep etcd "$(node_dir lb1)/xlbd.log" | tail -3)"
out=$(fleet_pool lb1 depool web "$B2" 2>&1) && fail "a change with etcd down accepted: $out"
case $out in *"etcd is unreachable"*"nothing written"*) ;; *) fail "refusal says: $out" ;; esac
echo "# change refused: $out"
out=$(node_ctl lb2 backend depool web "$B2" 2>&1) && fail "a local change accepted: $out"
while [ $(($(now_ms) - down_at)) -lt 30000 ]; do
	[ "$(fleet_table lb1 "$VIP")" = "$before" ] && [ "$(fleet_table lb2 "$VIP")" = "$before" ] ||
		fail "a table changed with etcd down"
	sleep 1
done
sys_loop_stop web
loop=$SYS_SUMMARY
sys_hold_stop
hold=$SYS_SUMMARY
sys_none "$loop" failed || fail "requests failed while etcd was down: $loop"
sys_none "$hold" broken || fail "held connections broke: $hold"
echo "# 30 s without etcd: tables unchanged; requests $loop; held $hold"
# lb2 restarted while etcd is down: the state it had (b1 depooled)
sys_stop lb2/xlbd
sys_xlbd_start lb2
wait_for 10 eval "[ \"\$(fleet_revision lb2)\" = $rev ]" || fail "lb2 restarted with revision $(fleet_revision lb2), not $rev"
wait_for 10 eval "[ \"\$(fleet_table lb2 $VIP)\" = \"$before\" ]" ||
	fail "lb2 restarted with another table: $(fleet_table lb2 "$VIP")"
echo "# lb2 restarted with etcd down: revision $rev and its table from the state file (b1 out)"

# etcd back: following again within 1 s of it being healthy
for n in $FLEET_ETCD; do etcd_start "$n"; done
etcd_wait_healthy 30 || fail "cluster back"
t0=$(now_ms)
fleet_wait_connected 10 || fail "the nodes do not follow etcd again"
back=$(($(now_ms) - t0))
echo "# etcd healthy again: both nodes following after $back ms"
[ "$back" -le 1000 ] || fail "took more than 1 s"

# a change made while the nodes were cut off from etcd (etcd up)
for n in lb1 lb2; do fleet_cut "$n"; done
wait_for 10 eval "! fleet_connected lb1 && ! fleet_connected lb2" || fail "cut not noticed"
put_via e1 "pool/backends/$VIP/$B1" '{"pooled":"yes"}' || fail "put"
sleep 1
[ "$(fleet_table lb1 "$VIP")" = "$before" ] || fail "a cut node changed its table"
t0=$(now_ms)
for n in lb1 lb2; do fleet_uncut "$n"; done
changed_on_both "$B1" in || fail "the change did not reach both after the cut"
conv=$(($(now_ms) - t0))
echo "# cut off from etcd while b1 was pooled there: both converged $conv ms after the cut ended"
[ "$conv" -le 1000 ] || fail "took more than 1 s"
wait_for 5 same_tables || fail "tables differ at the end"
exit 0
