#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Nothing a BGP peer sends can crash, hang or leak xlbd. A scripted raw
# peer (selftests/lib/rawbgp.py) in the leaf namespace brings a session with
# a real xlbd to OpenSent, OpenConfirm or Established and sends one
# malformed or unexpected thing per case. Each case checks the NOTIFICATION
# xlbd answers with (code, subcode, and data where RFC 4271, 6608 and 7313
# define it), that xlbd closes the connection in order (a FIN after its
# NOTIFICATION, never a RST that could throw the NOTIFICATION away — each
# case's bytes arrive in one write, and one case sends 64 KB more behind
# its malformed UPDATE, unread when xlbd closes), that `xlbctl bgp show -j`
# reports the error and the session is down, and that xlbd lives on. Then:
# RFC 7606 attribute errors that must not reset the session
# (treat-as-withdraw, attribute-discard) with the counters checked, the
# peer's NOTIFICATIONs (a Cease with a shutdown communication, RFC 9003, and
# ones with odd data) shown as received and never answered, not even a
# malformed one (RFC 4271 sec 6.4), the hold timer on a silent peer and on
# a message that never completes, 1 MB of random bytes and 1 MB of
# KEEPALIVEs (RSS of xlbd before and after), ROUTE-REFRESH for a family
# not negotiated (ignored) and for IPv4 (answered), and the reconnect back-off
# (1 s, doubling; reset by a session that comes up) measured on xlbd's own
# connections. At the end xlbd still serves: `xlbctl status`, a clean
# session that receives the VIP, as many file descriptors as before.
#
# The raw peer connects to xlbd (which accepts a configured neighbor's
# connection in Idle, Connect and Active), so cases do not wait out the
# back-off; the back-off case listens on port 179 for xlbd instead.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbw$$"
. selftests/lib/bgp.sh
export PYTHONUTF8=1
node_is_xlbd || skip "the raw peer tests xlbd itself, not the BIRD stand-in"
T0=$(now_ms)

bgp_setup lb
node_conf lb <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000; description "raw peer" }
vip $VIP4 local { name web4 }
EOF
node_start lb
PID=${NODE_PID[lb]}

# raw ARGS...: one rawbgp.py session; GOT is its result line
# (CODE/SUBCODE DATA END MS KEEPALIVES SENT ROUTES, see rawbgp.py)
raw() {
	GOT=$(nsx leaf /usr/bin/python3 selftests/lib/rawbgp.py session \
		--peer "${NODE_ADDR4[lb]}" --local $LEAF4 "$@" 2>"$RUN/raw.err") ||
		fail "rawbgp.py session $*: $(cat "$RUN/raw.err")"
}

# peer_show: STATE LAST_ERROR MESSAGES_IN PREFIXES_RECEIVED LAST_NOTIFICATION_RECEIVED TEXT
# from xlbctl -j bgp show ("-" for a null error or notification)
peer_show() { node_ctl lb -j bgp show | /usr/bin/python3 selftests/lib/rawbgp.py show $LEAF4; }

# alive WHEN: xlbd runs
alive() { pid_alive "$PID" || fail "xlbd is gone ($1)"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }
nfds() { find "/proc/$PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# within VALUE LOW HIGH
within() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# after a reset: down, the error reported, xlbd alive
check_reset() {
	local name=$1 want=$2 st err _
	alive "$name"
	read -r st err _ <<<"$(peer_show)"
	case $st in Idle | Connect | Active) ;; *) fail "$name: state $st after the reset" ;; esac
	[ "$err" = "$want" ] || fail "$name: bgp show last_error $err, expected $want"
}

# ---- one malformed or unexpected thing per session ----
# name | state reached | what the raw peer sends (rawbgp.py MSG, in order) |
# NOTIFICATION expected: code/subcode and data in hex
CASES="
# header (RFC 4271 sec 6.1): data = the bad length or type
bad-marker          opensent    hdr:type=4,marker=0                    1/1 -
length-18           opensent    hdr:len=18                             1/2 0012
length-4097         opensent    hdr:type=2,len=4097                    1/2 1001
open-length-20      opensent    hdr:type=1,body=1                      1/2 0014
unknown-type-7      opensent    hdr:type=7                             1/3 07
# OPEN (sec 6.2; RFC 5492, 6793, 7607): data = the version we speak
open-version-3      opensent    open:version=3                         2/1 0004
open-garbage-body   opensent    hdr:type=1,body=40                     2/1 0004
open-peer-as        opensent    open:as=65001                          2/2 -
open-bgp-id-0       opensent    open:id=0.0.0.0                        2/3 -
open-opt-param-1    opensent    open:param=1                           2/4 -
open-hold-1         opensent    open:hold=1                            2/6 -
open-cap-overrun    opensent    open:caps=0104000100                   2/0 -
open-as4-length-2   opensent    open:caps=41020001                     2/0 -
open-as4-zero       opensent    open:caps=410400000000                 2/2 -
# FSM errors (RFC 6608 sec 4): data = the type of the unexpected message
keepalive-opensent  opensent    keepalive                              5/1 04
update-opensent     opensent    update                                 5/1 02
rr-opensent         opensent    rr                                     5/1 05
update-openconfirm  openconfirm update                                 5/2 02
rr-openconfirm      openconfirm rr                                     5/2 05
open-established    established open                                   5/3 01
# in Established: framing, UPDATE errors that reset (RFC 7606 sec 3 g, 4;
# sec 6.3: data = the unrecognized attribute), ROUTE-REFRESH (RFC 7313
# sec 5: data = the whole message)
keepalive-51-bytes  established hdr:type=4,body=32                     1/2 0033
garbage-after-ka    established keepalive junk:32                      1/1 -
update-garbage      established hdr:type=2,body=100                    3/1 -
update-wlen-1000    established update:wlen=1000                       3/1 -
update-alen-1000    established update:alen=1000                       3/1 -
mp-unreach-twice    established update:extra=80/15/000201,extra=80/15/000201 3/1 -
unknown-well-known  established update:extra=40/99/0102                3/2 4063020102
route-refresh-5     established rr:body=5                              7/1 ffffffffffffffffffffffffffffffff0018050001000100
update-then-64k     established update:wlen=1000 kaflood:65536         3/1 -
"
n=0
while read -r -a f; do
	[ ${#f[@]} -ge 5 ] && [[ ${f[0]} != "#"* ]] || continue
	name=${f[0]} reach=${f[1]} want="${f[-2]} ${f[-1]}"
	args=()
	for m in "${f[@]:2:${#f[@]}-4}"; do args+=(--send "$m"); done
	raw --reach "$reach" --wait 3 --together "${args[@]}"
	read -r code data end ms _ <<<"$GOT"
	[ "$code $data" = "$want" ] || fail "$name: NOTIFICATION $code $data, expected $want"
	[ "$end" != reset ] || fail "$name: xlbd reset the connection after its NOTIFICATION (a RST, not a FIN)"
	[ "$end" = closed ] || fail "$name: xlbd kept the connection open after its NOTIFICATION"
	check_reset "$name" "${want% *}"
	echo "$name: $code $data after $ms ms, closed"
	n=$((n + 1))
	if [ $n -eq 1 ]; then
		fds0=$(nfds) rss0=$(rss_kb)
	fi
done <<<"$CASES"

# last_error is still what it was before a session xlbd did not reset
# (or a local error: its own connect() to the raw peer, which does not listen)
same_error() { [ "$1" = "$err0" ] || [ "$1" = 0/0 ]; }

# ---- RFC 7606: errors that do not reset the session ----
# a valid UPDATE (1 prefix); treat-as-withdraw: NEXT_HOP missing (sec 3 d),
# ORIGIN missing, ORIGIN 5 (sec 7.1); attribute-discard: ATOMIC_AGGREGATE
# of length 1 (sec 7.6), the route stays
read -r _ err0 in0 rx0 _ <<<"$(peer_show)"
raw --reach established --hold 3 --wait 1.5 --send update --send update:omit=3 \
	--send update:omit=1 --send update:origin=5 --send update:extra=40/6/00 --end cease:done
read -r code data end ms ka sent _ <<<"$GOT"
[ "$code $data $end" = "none - open" ] ||
	fail "RFC 7606 cases: $code $data, $end; the session must stay up"
[ "$ka" -ge 1 ] || fail "RFC 7606 cases: no KEEPALIVE from xlbd in 1.5 s (hold 3)"
read -r st err1 in1 rx1 notif text <<<"$(peer_show)"
[ $((in1 - in0)) -eq "$sent" ] || fail "messages_in grew by $((in1 - in0)), the raw peer sent $sent"
[ $((rx1 - rx0)) -eq 2 ] ||
	fail "prefixes_received grew by $((rx1 - rx0)), expected 2 (treat-as-withdraw receives nothing)"
same_error "$err1" || fail "last_error $err1: xlbd sent a NOTIFICATION"
[ "$notif $text" = "6/2 done" ] || fail "the session did not end with our Cease: $notif $text"
alive "RFC 7606 cases"
echo "treat-as-withdraw x3, attribute-discard: session up, KEEPALIVEs from xlbd, $sent messages counted"

# ---- the peer's NOTIFICATION: never answered, shown as received ----
# what the raw peer sends | last_notification_received: code/subcode text
# (a shutdown communication, RFC 9003, as text; anything else as data in
# hex; control characters and bytes that are not UTF-8 escaped; cut at 255)
NOTIFS="
cease:maintenance window — back at 14:00 | 6/2 maintenance window — back at 14:00
notification:6/2/c8414243                | 6/2 data c8 41 42 43
notification:6/4/06410a42ff43ff          | 6/4 A\x0aB\xffC\xff
notification:3/1/x4000                   | 3/1 data$(printf ' a5%.0s' $(seq 82)) ...
"
while IFS='|' read -r spec want; do
	[ -n "$spec" ] || continue
	spec=${spec%"${spec##*[! ]}"} want=${want# }
	raw --reach established --send "$spec" --wait 2
	read -r code data end _ <<<"$GOT"
	[ "$code $data $end" = "none - closed" ] || fail "$spec: xlbd answered $code $data, $end"
	read -r st err _ _ notif text <<<"$(peer_show)"
	[ "$notif $text" = "$want" ] || fail "$spec: last_notification_received '$notif $text', expected '$want'"
	same_error "$err" || fail "$spec: last_error $err after the peer's NOTIFICATION"
	alive "$spec"
	echo "peer NOTIFICATION ${spec:0:40}: closed, shown as '${text:0:60}'"
	n=$((n + 1))
done <<<"$NOTIFS"

# a malformed NOTIFICATION (no room for code and subcode, or past 4096
# bytes) is not answered either (RFC 4271 sec 6.4): xlbd closes, and
# bgp show says what came
for spec in hdr:type=3 hdr:type=3,body=1 hdr:type=3,len=4097; do
	raw --reach established --send "$spec" --wait 2
	read -r code data end _ <<<"$GOT"
	[ "$code $data $end" = "none - closed" ] || fail "malformed NOTIFICATION $spec: xlbd answered $code $data, $end"
	node_bgp lb $LEAF4 last_error | grep -q "malformed NOTIFICATION from the peer (length" ||
		fail "malformed NOTIFICATION $spec: last_error $(node_bgp lb $LEAF4 last_error)"
	alive "malformed NOTIFICATION $spec"
	echo "malformed NOTIFICATION ($spec): closed without an answer"
	n=$((n + 1))
done

# ---- ROUTE-REFRESH (RFC 2918 sec 4): for a family the session did not
# negotiate (the raw peer offers IPv4 unicast only), ignored and logged; for
# IPv4 unicast, the VIP again. ROUTES counts the prefixes of the session:
# the VIP at Established, once more for a refresh that is answered
for spec in rr:afi=2 rr:afi=1,safi=128 rr; do
	want=1
	[ "$spec" = rr ] && want=2
	raw --reach established --send "$spec" --wait 1.5 --end cease:done
	read -r code data end _ _ _ routes <<<"$GOT"
	[ "$code $data $end $routes" = "none - open $want" ] ||
		fail "$spec: $code $data $end, $routes route(s); expected the session up and $want"
	alive "$spec"
	echo "ROUTE-REFRESH $spec: session up, $routes route(s) received"
	n=$((n + 1))
done
grep -q "ROUTE-REFRESH for AFI 2 SAFI 1, which this session did not negotiate: ignored" \
	"$(node_dir lb)/xlbd.log" || fail "the ignored ROUTE-REFRESH is not in the log"

# ---- the hold timer: a silent peer, a message that never completes ----
raw --reach established --hold 3 --silent --wait 6
read -r code data end ms _ <<<"$GOT"
[ "$code $data $end" = "4/0 - closed" ] || fail "silent peer: $code $data, $end"
within "$ms" 2700 4000 || fail "silent peer: hold timer after $ms ms (hold 3 s)"
check_reset "silent peer" 4/0
echo "silent peer: 4/0 after $ms ms (hold 3 s)"
raw --reach established --hold 3 --silent --wait 6 --send hdr:type=2,len=4096,body=100
read -r code data end ms _ <<<"$GOT"
[ "$code $data $end" = "4/0 - closed" ] || fail "partial message: $code $data, $end"
within "$ms" 2700 4000 || fail "partial message: hold timer after $ms ms"
check_reset "partial message" 4/0
echo "100 bytes of a 4096-byte UPDATE, then silence: 4/0 after $ms ms"

# ---- floods ----
rss1=$(rss_kb)
raw --reach opensent --send flood:1048576 --wait 5
read -r code data end ms _ <<<"$GOT"
[ "$code $data $end" = "1/1 - closed" ] || fail "1 MB of random bytes: $code $data, $end"
check_reset "random flood" 1/1
read -r _ _ in0 _ <<<"$(peer_show)"
raw --reach established --send kaflood:1048576 --wait 1 --end cease:done
read -r code data end ms _ sent _ <<<"$GOT"
[ "$code $data $end" = "none - open" ] || fail "1 MB of KEEPALIVEs: $code $data, $end"
read -r _ _ in1 _ <<<"$(peer_show)"
[ $((in1 - in0)) -eq "$sent" ] || fail "KEEPALIVE flood: messages_in grew by $((in1 - in0)), sent $sent"
rss2=$(rss_kb)
alive floods
echo "1 MB random: 1/1, closed; 1 MB of KEEPALIVEs ($sent messages): session up; RSS $rss1 -> $rss2 kB"
[ $((rss2 - rss1)) -le 256 ] || fail "xlbd RSS grew by $((rss2 - rss1)) kB over the floods"

# ---- reconnect back-off: 1 s doubling (75-100 % jitter), reset by success ----
GOT=$(nsx leaf /usr/bin/python3 selftests/lib/rawbgp.py backoff --peer "${NODE_ADDR4[lb]}" \
	--local $LEAF4 --failures 3 2>"$RUN/raw.err") || fail "rawbgp.py backoff: $(cat "$RUN/raw.err")"
read -r _ g1 g2 g3 _ gr <<<"$GOT"
echo "back-off: reconnects after $g1, $g2, $g3 ms; after a session came up: $gr ms"
within "$g1" 700 1300 || fail "first reconnect after $g1 ms, expected ~1 s"
within "$g2" 1400 2500 || fail "second reconnect after $g2 ms, expected ~2 s"
within "$g3" 2900 4600 || fail "third reconnect after $g3 ms, expected ~4 s"
within "$gr" 700 1300 || fail "reconnect after a success took $gr ms, expected ~1 s"
alive back-off

# ---- still serving ----
raw --reach established --wait 1 --end cease:done
read -r code data end _ _ _ routes <<<"$GOT"
[ "$code $data $end" = "none - open" ] && [ "$routes" -eq 1 ] ||
	fail "clean session at the end: $code $data $end, $routes route(s) received (want the VIP)"
node_ctl lb status >/dev/null || fail "xlbctl status"
alive end
wait_for 2 eval '[ "$(nfds)" -eq "$fds0" ]' || fail "xlbd has $(nfds) file descriptors open, $fds0 after the first case"
rss3=$(rss_kb)
echo "after all cases: $(nfds) fds (as after the first), RSS $rss0 -> $rss3 kB"
[ $((rss3 - rss0)) -le 512 ] || fail "xlbd RSS grew by $((rss3 - rss0)) kB over the test"
echo "bgp malformed: $((n + 6)) cases passed in $(ms_since "$T0") ms"
exit 0
