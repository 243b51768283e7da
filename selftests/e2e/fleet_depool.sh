#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fleet's pool state in etcd (issue 14), end to end: a 3-member etcd
# cluster, two xlb nodes behind a BIRD leaf with ECMP, three backends
# serving HTTP, held connections through both nodes and requests back to
# back, while the pool of web changes with `xlbctl pool` typed on one
# node only:
#  - depool: both nodes' datapath tables drop the backend (time measured
#    from the call), the tables are the same on both nodes (read from the
#    pinned maps, and as the fingerprints both registered), the
#    connections it held go on (drain), no request fails (none all along:
#    only the connections held on the backend made inactive break);
#  - weight: both tables move to the new shares, still equal;
#  - inactive: out on both nodes, its flows move, not counted in the pool;
#  - re-pool: back on both, equal again;
#  - the threshold: a depool below the depool-threshold, and one below a
#    VIP's min-healthy, refused (nothing written); --force accepted;
#  - the local `xlbctl backend depool` and `vip disable` are refused with
#    a pointer to `xlbctl pool`, and change nothing;
#  - every pool and fleet command's -j output agrees with xlbctl(8)'s
#    JSON OUTPUT (e2e/ctl_json_all leaves them to this test: they need
#    etcd), and so does status with its pool_state.
# About 40 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbf$$"
SYS_DNS=""
SYS_EXTRA_VIPS="vip 203.0.113.12 tcp 80 {
    name web3
    min-healthy 3
    health http path \"/\" interval 300ms timeout 250ms rise 2 fall 2
    backend 198.51.100.11
    backend 198.51.100.12
    backend 198.51.100.13
}"
. selftests/lib/fleet.sh
fleet_up

VIP=$VIP4:80/tcp
B1=${SYS_ADDR4[b1]}
B2=${SYS_ADDR4[b2]}
B3=${SYS_ADDR4[b3]}

same_tables() {
	local a b
	a=$(fleet_table lb1 "$VIP") && b=$(fleet_table lb2 "$VIP") && [ "$a" = "$b" ] ||
		{ echo "tables: lb1 $a / lb2 $b"; return 1; }
	# what the nodes registered says the same
	[ "$(fleet_fingerprint lb1 "$VIP")" = "$(fleet_fingerprint lb2 "$VIP")" ] &&
		[ -n "$(fleet_fingerprint lb1 "$VIP")" ]
}
slots_of() { fleet_table "$1" "$VIP" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# the baseline: every backend in both tables, the same tables
wait_for 10 same_tables || fail "tables differ before any change"
[ -n "$(slots_of lb1 "$B1")" ] || fail "b1 not in the table: $(fleet_table lb1 "$VIP")"
echo "# start: $(fleet_table lb1 "$VIP")"

# traffic through both nodes for the whole test
sys_hold_start 30
echo "# held: $(sys_hold_spread) through $(sys_hold_spread node)"
sys_loop_start web http $VIP4 80

# depool typed once, on lb1
fleet_timed lb1 "$VIP" "$B1" out pool depool web "$B1" || fail "pool depool: $FLEET_OUT"
echo "# $FLEET_OUT"
echo "# b1 out of both nodes' tables: $(echo $FLEET_MS | cut -d' ' -f1) ms after the call," \
	"$(echo $FLEET_MS | cut -d' ' -f2) ms after xlbctl returned"
case $FLEET_OUT in *"applied here"*) ;; *) fail "the answer did not wait for this node" ;; esac
wait_for 5 same_tables || fail "tables differ after the depool"
[ -z "$(slots_of lb2 "$B1")" ] || fail "b1 has slots on lb2"
[ "$(fleet_get "pool/backends/$VIP/$B1")" = '{"pooled":"no"}' ] ||
	fail "etcd has $(fleet_get "pool/backends/$VIP/$B1")"
[ "$(sys_backend_field lb2 web "$B1" pool)" = depooled ] || fail "lb2 does not say depooled"

# new requests avoid b1; held connections on it go on
sys_http $VIP4 80 30 >"$SYS_RUN/after_depool"
grep -q 'b1=' "$SYS_RUN/after_depool" && fail "new requests reached b1: $(cat "$SYS_RUN/after_depool")"

# weight: b2 to 300 on every node, typed on lb2
out=$(fleet_pool lb2 weight web "$B2" 300) || fail "pool weight: $out"
echo "# $out"
wait_for 5 same_tables || fail "tables differ after the weight change"
s2=$(slots_of lb1 "$B2")
s3=$(slots_of lb1 "$B3")
[ "$s2" -gt $((2 * s3)) ] || fail "weight 300 vs 100 gives $s2 vs $s3 slots"
echo "# weight 300: b2 $s2 slots, b3 $s3 (both nodes)"

# inactive: b3 out of the pool, its flows move (b1 depooled and b3
# inactive leave b2 of the 2 backends still in the pool: enough)
fleet_timed lb1 "$VIP" "$B3" out pool inactive web "$B3" || fail "pool inactive: $FLEET_OUT"
echo "# $FLEET_OUT ($(echo $FLEET_MS | cut -d' ' -f1) ms)"
wait_for 5 same_tables || fail "tables differ after inactive"
[ "$(sys_backend_field lb1 web "$B3" pool)" = inactive ] || fail "lb1 does not say inactive"

# re-pool both, weight back
fleet_timed lb2 "$VIP" "$B3" in pool pool web "$B3" || fail "pool pool b3: $FLEET_OUT"
fleet_timed lb2 "$VIP" "$B1" in pool pool web "$B1" || fail "pool pool b1: $FLEET_OUT"
echo "# $FLEET_OUT ($(echo $FLEET_MS | cut -d' ' -f1) ms)"
out=$(fleet_pool lb1 weight web "$B2" 100) || fail "weight back: $out"
wait_for 5 same_tables || fail "tables differ after the re-pool"
echo "# end: $(fleet_table lb1 "$VIP")"

# the threshold: web (min-healthy 1, 3 backends, depool-threshold 0.5)
# keeps 2 usable; web3 (min-healthy 3) keeps all three
fleet_pool lb1 depool web "$B1" >/dev/null || fail "first depool refused"
before=$(fleet_get "pool/backends/$VIP/$B2")
out=$(fleet_pool lb1 depool web "$B2" 2>&1) && fail "second depool accepted: $out"
echo "# $out"
case $out in *refused*"fewer than 2"*"depool-threshold 50%"*--force*) ;; *) fail "refusal: $out" ;; esac
[ "$(fleet_get "pool/backends/$VIP/$B2")" = "$before" ] || fail "a refused depool wrote etcd"
out=$(fleet_pool lb1 weight web "$B2" 0 2>&1) && fail "weight 0 below the threshold accepted: $out"
out=$(fleet_pool lb1 depool web3 "$B1" 2>&1) && fail "depool below min-healthy accepted: $out"
echo "# $out"
case $out in *refused*"fewer than 3"*"min-healthy 3"*) ;; *) fail "refusal: $out" ;; esac
out=$(fleet_pool lb2 depool web "$B2" --force) || fail "--force refused: $out"
echo "# --force: $out"
wait_for 5 same_tables || fail "tables differ after the forced depool"
for b in "$B1" "$B2"; do fleet_pool lb1 pool web "$b" >/dev/null || fail "pool $b"; done
wait_for 5 same_tables || fail "tables differ at the end"

# -j of every pool and fleet command against xlbctl(8)
doc() { # TITLE ARGS...: xlbctl -j ARGS on lb1 agrees with xlbctl(8)'s TITLE
	local title=$1 out
	shift
	node_ctl lb1 -j "$@" >"$SYS_RUN/doc.json" 2>"$SYS_RUN/doc.err" ||
		fail "xlbctl -j $*: $(cat "$SYS_RUN/doc.err")"
	out=$($SYS_PY selftests/lib/xlbctl_doc.py check doc/xlbctl.8 "$title" <"$SYS_RUN/doc.json") ||
		fail "xlbctl -j $* disagrees with xlbctl(8) \"$title\": $out"
}
doc "pool show" pool show
doc "pool show" pool show web
doc "pool depool" pool depool web "$B3"
doc "pool depool" pool inactive web "$B3"
doc "pool depool" pool weight web "$B3" 90
doc "pool depool" pool pool web "$B3"
doc "pool depool" pool weight web "$B3" 100
doc "pool depool" pool disable web3
doc "pool depool" pool enable web3
doc "fleet status" fleet status
doc "status" status
echo "# -j of pool show, depool, inactive, weight, pool, disable, enable, fleet status, status: as xlbctl(8) says"
# xlbctl(8)'s EXAMPLES of the fleet, as written
n=0
while read -r line; do
	case $line in "xlbctl pool "* | "xlbctl fleet "*) ;; *) continue ;; esac
	read -ra words <<<"${line#xlbctl }"
	out=$(node_ctl lb1 "${words[@]}" 2>&1) || fail "xlbctl(8) example '$line': exit $?: $out"
	[ -n "$out" ] || fail "xlbctl(8) example '$line' printed nothing"
	n=$((n + 1))
done < <($SYS_PY selftests/lib/xlbctl_doc.py examples doc/xlbctl.8)
[ $n -ge 4 ] || fail "only $n fleet examples in xlbctl(8)"
echo "# xlbctl(8): $n fleet examples run"

# local changes on an etcd node: refused, nothing changes
before=$(fleet_table lb1 "$VIP")
out=$(node_ctl lb1 backend depool web "$B2" 2>&1) && fail "local depool accepted: $out"
case $out in *"xlbctl pool depool"*) ;; *) fail "local depool refusal says: $out" ;; esac
out=$(node_ctl lb1 vip disable web 2>&1) && fail "local vip disable accepted: $out"
echo "# local change refused: $out"
[ "$(fleet_table lb1 "$VIP")" = "$before" ] || fail "a refused local change changed the table"

sys_loop_stop web
loop=$SYS_SUMMARY
sys_hold_stop
echo "# requests: $loop"
echo "# held: $SYS_SUMMARY"
sys_none "$loop" failed || fail "requests failed: $loop"
# only the connections b3 held broke: `inactive` moves its flows (as
# depool --now does); the drains (depool) broke none
awk '$3 == "broken" && $2 != "b3"' "$SYS_RUN/hold/result" | grep -q . &&
	fail "held connections broke on other backends than b3: $(grep broken "$SYS_RUN/hold/result")"
[ "$(awk '$2 == "b3"' "$SYS_RUN/hold/ready" | wc -l)" = "$(grep -c broken "$SYS_RUN/hold/result")" ] ||
	fail "b3 held $(awk '$2 == "b3"' "$SYS_RUN/hold/ready" | wc -l), broken: $SYS_SUMMARY"
exit 0
