#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault: one BGP peer sends garbage and oversized messages while xlbd has
# a healthy session with a real leaf. xlbd has two neighbors: the BIRD 2
# leaf (192.0.2.1) and a scripted raw peer (selftests/lib/rawbgp.py,
# 192.0.2.2 in the leaf's namespace, passive on xlbd's side) that opens a
# session and breaks it in another way each time. For each case: the
# NOTIFICATION RFC 4271 / RFC 7606 asks for (code/subcode and data),
# xlbd closes the connection, or, for the errors RFC 7606 handles without
# a reset, the session stays up and the bad route is not counted. All
# along the leaf's session never drops and its table stays exact, xlbd is
# the same process with as many file descriptors at the end as after the
# first case, and a clean session with the raw peer still works.
# e2e/bgp_malformed covers the rest of the decoder cases (OPEN, FSM,
# floods, hold timer, back-off) against the raw peer alone.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbfg$$"
. selftests/lib/bgp.sh
. selftests/lib/fault.sh
export PYTHONUTF8=1
RAW=192.0.2.2

bgp_setup lb
nsx leaf ip addr add $RAW/25 dev br0
fault_vips 3 1
fault_lb_conf "hold-time 9" \
	"neighbor $RAW { remote-as 65000; hold-time 9; passive; description \"raw peer\" }"
fault_begin bird
fault_recovered bird 20 "start"

raw() {
	GOT=$(nsx leaf /usr/bin/python3 selftests/lib/rawbgp.py session --peer "$LB" --local $RAW \
		--id $RAW "$@" 2>"$RUN/raw.err") || fail "rawbgp.py session $*: $(cat "$RUN/raw.err")"
}
raw_field() { node_bgp lb $RAW "$1"; }
nfds() { find "/proc/$FAULT_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# name | what the raw peer sends in Established | NOTIFICATION: code/subcode
# and data in hex ("none -": none) | the connection at the end of the
# case: closed by xlbd, or open (the raw peer ends it with a Cease)
CASES="
# oversized without extended messages (RFC 8654 not offered): sec 6.1,
# data = the bad length; the header alone (xlbd answers before the body,
# and a body still arriving after its close would make our kernel drop
# the NOTIFICATION on the RST)
update-4097         hdr:type=2,len=4097                          1/2   1001 closed
update-65535        hdr:type=2,len=65535                         1/2   ffff closed
keepalive-4096      hdr:type=4,len=4096                          1/2   1000 closed
# the largest message allowed: accepted, the route counted
update-4096         update:size=4096                            none  - open
# header garbage: bad marker, unknown types (data = the type)
bad-marker          hdr:type=2,marker=0                         1/1   - closed
type-0              hdr:type=0                                  1/3   00 closed
type-255            hdr:type=255                                1/3   ff closed
random-64k          flood:65536                                 1/1   - closed
# cut attributes, RFC 7606 sec 4: treat-as-withdraw, no reset
attr-stray-byte     update:tail=40                              none  - open
attr-header-cut     update:tail=4006                            none  - open
attr-overrun        update:tail=40060a                          none  - open
as-path-overrun     update:omit=2,extra=40/2/02050000fde8       none  - open
next-hop-3-bytes    update:omit=3,extra=40/3/c00002             none  - open
# cut attributes that reset (RFC 7606 sec 4, 7.11; RFC 4760 sec 7)
attr-len-past-msg   update:alen=200                             3/1   - closed
mp-reach-cut        update:extra=80/14/0001                     3/9   800e020001 closed
mp-reach-bad-nh     update:extra=80/14/00010104c0000201         3/9   800e0800010104c0000201 closed
# a malformed NOTIFICATION — shorter than its 21 bytes (no room for code
# and subcode) or longer than 4096: RFC 4271 sec 6.4, a NOTIFICATION is
# never answered with one; xlbd closes, and bgp show says why
notification-19     hdr:type=3                                  none  - closed
notification-20     hdr:type=3,body=1                           none  - closed
notification-4097   hdr:type=3,len=4097                         none  - closed
"
n=0
while read -r -a f; do
	[ ${#f[@]} -ge 5 ] && [[ ${f[0]} != "#"* ]] || continue
	name=${f[0]} spec=${f[1]} want="${f[2]} ${f[3]}" want_end=${f[4]}
	rx0=$(raw_field prefixes_received)
	raw --reach established --wait 1.5 --send "$spec" --end cease:done
	read -r code data end ms _ _ routes <<<"$GOT"
	[ "$code $data" = "$want" ] || fail "$name: NOTIFICATION $code $data, expected $want"
	[ "$end" = "$want_end" ] || fail "$name: the connection is $end at the end, expected $want_end"
	rx=$(($(raw_field prefixes_received) - rx0))
	case $name in
	update-4096) [ $rx -eq 1 ] || fail "$name: $rx prefixes counted, expected 1" ;;
	*) [ $rx -eq 0 ] || fail "$name: $rx prefixes counted from a broken UPDATE" ;;
	esac
	if [ "$want" != "none -" ]; then
		node_bgp lb $RAW last_error | grep -q "\"code\": ${want%%/*}," ||
			fail "$name: last_error $(raw_field last_error)"
		echo "$name: $code $data after $ms ms, closed"
	else
		echo "$name: no NOTIFICATION, $end, $rx prefix(es) counted"
	fi
	case $name in
	notification-*)
		node_bgp lb $RAW last_error | grep -q "malformed NOTIFICATION from the peer" ||
			fail "$name: bgp show does not say why: $(raw_field last_error)"
		;;
	esac
	fault_alive "$name"
	n=$((n + 1))
	[ $n -eq 1 ] && fds0=$(nfds)
done <<<"$CASES"

# a clean session still works and gets the VIPs
raw --reach established --wait 1 --end cease:done
read -r code data end _ _ _ routes <<<"$GOT"
[ "$code $data $end" = "none - open" ] && [ "$routes" -eq 3 ] ||
	fail "clean session at the end: $code $data $end, $routes IPv4 route(s) (want 3)"
fault_settled bird "after $n cases"
[ "$(fault_count established)" -eq 1 ] && [ "$(fault_count dropped)" -eq 0 ] ||
	fail "the leaf's session dropped: established $(fault_count established), dropped $(fault_count dropped)"
wait_for 2 eval '[ "$(nfds)" -eq "$fds0" ]' || fail "xlbd has $(nfds) file descriptors open, $fds0 after the first case"
echo "leaf session up all along, its table exact; $(nfds) fds as after the first case"
echo "fault bgp_garbage: $n cases passed in $(ms_since "$T0") ms"
exit 0
