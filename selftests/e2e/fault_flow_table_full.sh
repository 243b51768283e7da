#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: the flow table full. xlbd runs the balancer with a small flow
# table (flow-table: 512 entries per possible CPU; the table is an LRU
# hash with one LRU list per CPU, each holding flow-table / CPUs). Load:
# 40 active long-lived TCP connections (a line every 50 ms), 40 idle ones
# (a line only when a phase begins), new connections and UDP queries. A
# flood of distinct flows — TCP ACKs and UDP datagrams, each from a new
# source port (a SYN would take no entry), from every CPU — turns the
# table over four times, twice: the second time while a backend is added
# to the VIP of the long connections, which changes its Maglev table.
# Asserted:
# - the table is full (entries >= 90 % of what the online CPUs hold), the
#   flood's flows all went through Maglev (flow_miss) and spread evenly
#   over the backends; new connections and UDP queries during the flood
#   all work and spread over the backends;
# - every active connection keeps its backend across the Maglev change
#   (its entry, used every 50 ms, is never the least recently used one);
# - idle connections lost their entries to the flood: after the change
#   they follow the new table, and the ones whose slot moved to the new
#   backend are reset there (about a third; at least 3 of 40) while the
#   others go on with their backend — what the flow table guarantees,
#   README "Flow table".
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbf$$"
. selftests/lib/fault_dp.sh

possible=$(cat /sys/devices/system/cpu/possible)
ncpu_possible=$(($(echo "${possible##*-}") + 1))
# the CPUs we may run on: taskset's list (e.g. 0-1,3) spelled out
cpus=""
IFS=, read -ra parts <<<"$(taskset -pc $$ | sed 's/.*: //')"
for part in "${parts[@]}"; do
	cpus="$cpus $(seq -s ' ' "${part%-*}" "${part#*-}")"
done
ncpu=$(echo $cpus | wc -w)
per_cpu=512
flows=$((per_cpu * ncpu_possible))
[ $flows -ge 1024 ] || flows=1024
per_cpu=$((flows / ncpu_possible))

flow_entries() { bpftool -j map dump pinned "$TOPO_BPFFS/lb/flows" | json_get '|len'; }
be_packets() { xlbctl_json lb backend show "$1" -- "[backend=$2].packets"; }
counter() { xlbctl_json lb stats -- ".$1"; }

# flood_start ROUND: per CPU we may run on, 4 x its share of the table in
# distinct flows (half TCP ACKs to :83, half UDP to :9), 1000 a second
# each, two packets per flow (a flow seen twice is "recently used": a
# flood of one-packet flows mostly evicts its own entries); leaves the
# pids in FLOOD_PIDS
flood_start() {
	local cpu i=0 n=$((per_cpu * 2)) span=$((35000 / ncpu)) lo
	FLOOD_PIDS=""
	for cpu in $cpus; do
		lo=$((30000 + i * span))
		i=$((i + 1))
		# each process its own file: appends of two processes to one file
		# once merged into "20482048" (a loaded make check)
		nsx client taskset -c "$cpu" $PY selftests/lib/flood.py tcp $CLIENT4 $VIP4 83 \
			$lo $((lo + span - 1)) $n 1000 2 >"$RUN/flood.$1.tcp.$cpu" &
		FLOOD_PIDS="$FLOOD_PIDS $!"
		nsx client taskset -c "$cpu" $PY selftests/lib/flood.py udp $CLIENT4 $VIP4 9 \
			$lo $((lo + span - 1)) $n 1000 2 >"$RUN/flood.$1.udp.$cpu" &
		FLOOD_PIDS="$FLOOD_PIDS $!"
	done
}
# flood_wait ROUND: wait for it; FLOOD_SENT = packets sent, all processes
flood_wait() {
	local p
	for p in $FLOOD_PIDS; do wait "$p" || fail "flood process failed"; done
	FLOOD_PIDS=""
	FLOOD_SENT=$(cat "$RUN/flood.$1".* | awk '{ s += $1 } END { print s }')
}

fault_setup b3
conf() {
	fault_conf <<EOF
flow-table $flows
vip $VIP4 tcp 82 { name echo; backend 198.51.100.11; backend 198.51.100.12; $1 }
vip $VIP4 udp 5353 { name dns; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP4 tcp 83 { name floodtcp; backend 198.51.100.11; backend 198.51.100.12 }
vip $VIP4 udp 9 { name floodudp; backend 198.51.100.11; backend 198.51.100.12 }
EOF
}
conf ""
xlbd_start -dd
echo "flow table: $flows entries, $per_cpu per possible CPU ($ncpu_possible possible, flooding from $ncpu)"
load_start --long 40 --idle 40 --long-addr "$VIP4" --long-interval 0.05 \
	--new-rate 20 --new-addr "$VIP4" --udp-rate 10 --udp-addr "$VIP4"

# phase 1: the table turned over four times
load_mark
miss0=$(counter flow_miss)
t0=$(be_packets floodtcp 198.51.100.11) t1=$(be_packets floodtcp 198.51.100.12)
u0=$(be_packets floodudp 198.51.100.11) u1=$(be_packets floodudp 198.51.100.12)
flood_start 1
flood_wait 1
sent=$FLOOD_SENT
entries=$(flow_entries)
miss=$(($(counter flow_miss) - miss0))
t0=$(($(be_packets floodtcp 198.51.100.11) - t0)) t1=$(($(be_packets floodtcp 198.51.100.12) - t1))
u0=$(($(be_packets floodudp 198.51.100.11) - u0)) u1=$(($(be_packets floodudp 198.51.100.12) - u1))
echo "flood: $((sent / 2)) flows of 2 packets, $miss flow misses, table holds $entries of" \
	"$flows entries; packets of the TCP flows to b1/b2: $t0/$t1, of the UDP flows: $u0/$u1"
[ "$entries" -ge $((per_cpu * ncpu * 9 / 10)) ] || fail "table not full: $entries entries"
# (a loaded machine may lose a few flood packets on the way)
[ "$miss" -ge $((sent / 2 * 9 / 10)) ] || fail "$((sent / 2)) flows but only $miss misses"
for pair in "$t0 $t1" "$u0 $u1"; do
	set -- $pair
	[ $(($1 + $2)) -ge $((sent * 9 / 20)) ] || fail "flood packets lost: $1 + $2 of $((sent / 2))"
	[ $(($1 * 100 / ($1 + $2))) -ge 40 ] && [ $(($1 * 100 / ($1 + $2))) -le 60 ] ||
		fail "flood flows not spread by Maglev: $1 vs $2"
done

# phase 2: again, and b3 joins the long connections' VIP meanwhile
load_mark
flood_start 2
sleep 0.5
conf "backend 198.51.100.13 weight 300"
ctl reload >/dev/null || fail "reload adding b3"
flood_wait 2
sleep 0.5

# phase 3: the idle connections speak again; new connections reach b3
load_mark
sleep 2
load_stop
load_check || fail "traffic broke with the flow table full"
$PY - "$RUN/load.json" <<'EOP' || fail "flow table guarantees"
import json, sys
s = json.load(open(sys.argv[1]))
ph = s["phases"]
idle = [c for c in s["conns"] if c["kind"] == "idle"]
moved = [c for c in idle if c["error"]]
kept = [c for c in idle if not c["error"]]
print("idle connections: %d kept their backend, %d were reset after the Maglev change "
      "(their entries evicted by the flood)" % (len(kept), len(moved)))
for p in (1, 2):
    assert len(ph[p]["new_backends"]) >= 2, "phase %d: new connections %s" % (p, ph[p]["new_backends"])
assert ph[3]["new_backends"].get("b3", 0) > 0, "new connections never reached b3"
assert len(moved) >= 3, "idle connections should have lost their entries"
# a moved connection is reset by b3, the only backend that gained slots;
# a kept one answered from its first backend at every exchange
for c in moved:
    assert c["per_phase"].get("3", 0) == 0, c
for c in kept:
    assert c["per_phase"].get("3", 0) >= 1, c
EOP
echo "fault flow table full: all checks passed"
exit 0
