#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counting and listing flows never holds xlbd up. A busy balancer's flow
# table is full; reading 250000 entries takes xlbd 0.1 s
# or more, and `backend show` (the FLOWS column), `vip show VIP` and
# `flow show` used to read it in one go on the event loop: a monitoring
# script polling `backend show` froze BFD, BGP, the checks and every other
# xlbctl answer that long, every time. Now a pass reads the table a slice
# per loop turn and the answer comes when it is done.
#
# Checks, with 250000 entries put into a real xlbd's pinned flow table
# (selftests/e2e/flow_fill.c: map contents, not traffic): backend show
# counts exactly what was put there per backend, in text and -j; while it
# runs, `xlbctl status` is answered again and again (answers that began
# and ended inside the backend show: the loop kept turning); vip show VIP
# gives the same counts; flow show --limit lists that many and says how
# many matched; several counts at once all come back right.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbfc$$"
. selftests/lib/xlbd_node.sh
N=250000

xlbd_node_up
cat >"$RUN/xlb.conf" <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
$(xlbd_node_conf)
flow-table 524288
# (per-CPU LRU lists: one CPU's inserts fill half of it)
vip $VIP4 tcp 80 {
    name web
    backend 198.51.100.11
    backend 198.51.100.12
}
EOF
xlbd_start -d

id1=$(xlbctl_json lb backend show web -- '[backend=198.51.100.11].id') &&
	id2=$(xlbctl_json lb backend show web -- '[backend=198.51.100.12].id') ||
	fail "backend ids"
filled=$("$BUILD/selftests/flow_fill" "$TOPO_BPFFS/lb" "$VIP4" 80 $N "$id1" "$id2") ||
	fail "flow_fill"
want1=${filled#*"$id1="} want1=${want1%% *}
want2=${filled#*"$id2="} want2=${want2%% *}
echo "flow table: $filled (backend ids)"

# backend show while status is asked every few ms: the statuses that
# began after backend show and were answered before it were served
# between slices of the pass
now_ns() { date +%s%N; }
t0=$(now_ns)
ctl -j backend show web >"$RUN/bs.json" 2>"$RUN/bs.err" &
bs=$!
: >"$RUN/status.times"
while kill -0 $bs 2>/dev/null; do
	s=$(now_ns)
	ctl status >/dev/null 2>&1 || fail "status failed during backend show"
	echo "$s $(now_ns)" >>"$RUN/status.times"
done
wait $bs || fail "backend show: $(cat "$RUN/bs.err")"
t1=$(now_ns)
inside=$(awk -v a="$t0" -v b="$t1" '$1 > a && $2 < b' "$RUN/status.times" | wc -l)
slowest=$(awk '{ d = ($2 - $1) / 1e6; if (d > m) m = d } END { printf "%d", m }' "$RUN/status.times")
echo "backend show over $N entries: $(((t1 - t0) / 1000000)) ms; $inside status answers" \
	"inside it, the slowest $slowest ms"
[ "$inside" -ge 2 ] || fail "xlbd answered no status while it counted flows: the loop stood still"
got1=$(json_get '[backend=198.51.100.11].flows' <"$RUN/bs.json")
got2=$(json_get '[backend=198.51.100.12].flows' <"$RUN/bs.json")
[ "$got1 $got2" = "$want1 $want2" ] || fail "backend show -j counted $got1 $got2, want $want1 $want2"
ctl backend show web | grep "^198.51.100.11 " | grep -qw "$want1" || fail "backend show text: $(ctl backend show web)"

# vip show VIP counts the same way
v1=$(xlbctl_json lb vip show web -- '.backends[backend=198.51.100.11].flows')
[ "$v1" = "$want1" ] || fail "vip show web counted $v1, want $want1"
ctl vip show web | grep "198.51.100.11" | grep -qw "$want1" || fail "vip show text: $(ctl vip show web)"

# flow show: the first 5 of one backend's, and how many matched
out=$(ctl -j flow show web 198.51.100.12 --limit 5) || fail "flow show"
[ "$(echo "$out" | json_get '.shown')" = 5 ] && [ "$(echo "$out" | json_get '.matched')" = "$want2" ] &&
	[ "$(echo "$out" | json_get '.flows|len')" = 5 ] || fail "flow show --limit 5: $out"

# several at once: each answered, each right
pids=()
for i in 1 2 3 4; do
	ctl -j backend show web >"$RUN/bs$i.json" 2>&1 &
	pids+=($!)
done
for i in 1 2 3 4; do
	wait "${pids[$((i - 1))]}" || fail "concurrent backend show $i: $(cat "$RUN/bs$i.json")"
	[ "$(json_get '[backend=198.51.100.12].flows' <"$RUN/bs$i.json")" = "$want2" ] ||
		fail "concurrent backend show $i: $(cat "$RUN/bs$i.json")"
done
echo "4 backend shows at once: all counted $want1 / $want2"
echo "flow counts: all checks passed"
