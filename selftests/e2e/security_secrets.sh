#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No secret in logs or output: xlbd runs with -dd (debug) and a TCP-MD5
# password towards a real BIRD leaf that has the same key (so the session
# comes up and the debug log has a whole session in it); reloads, a good
# one with the key changed and a broken one around the password line, add
# their messages. The key (both of them) must appear nowhere: not in the
# log, not in `xlbd -nv`, `xlbctl status`, `bgp show`, `vip show`,
# `health show` (text and -j), not in the state file, not in the reload
# error. The config file itself holds it, as it must.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsse$$"
. selftests/lib/bgp.sh
KIND=bird
LB=192.0.2.10
KEY="Xlb-s3cret-Zq7"
KEY2="Xlb-s3cret-Wv9"
D=$RUN/lb

conf() {
	mkdir -p "$D"
	cat >"$D/xlb.conf" <<EOF
router-id $LB
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
neighbor $LEAF4 { remote-as 65000; hold-time 9; password $1 }
vip 203.0.113.10 local { health exec "true" interval 1s }
control-socket $D/xlbd.sock
state-file $D/state
EOF
}

# no_secret WHAT FILE: neither key anywhere in FILE
no_secret() {
	grep -q -e "$KEY" -e "$KEY2" "$2" && fail "$1 shows the password: $(grep -e "$KEY" -e "$KEY2" "$2" | head -3)"
	return 0
}

bgp_setup lb
conf "\"$KEY\""
grep -q "$KEY" "$D/xlb.conf" || fail "the test's config has no key"
leaf_start $KIND "$(ns leaf)" neighbor=$LB "md5=$KEY" || fail "leaf start"
node_start lb
leaf_wait_route $KIND 203.0.113.10/32 20 || fail "no session with the key"

"$XLBD" -nv -f "$D/xlb.conf" >"$D/nv.out" 2>&1 || fail "xlbd -nv: $(cat "$D/nv.out")"
grep -q 'password "<hidden>"' "$D/nv.out" || fail "xlbd -nv does not hide the password: $(cat "$D/nv.out")"
no_secret "xlbd -nv" "$D/nv.out"
"$XLBD" -n -f "$D/xlb.conf" >"$D/n.out" 2>&1
no_secret "xlbd -n" "$D/n.out"

show_all() {
	local j
	for j in "" -j; do
		node_ctl lb $j status
		node_ctl lb $j bgp show
		node_ctl lb $j vip show
		node_ctl lb $j health show
		node_ctl lb $j stats
	done >"$D/show.out" 2>&1
	grep -q "Established" "$D/show.out" || fail "bgp show without the session: $(cat "$D/show.out")"
	no_secret "xlbctl ($1)" "$D/show.out"
}
show_all "key 1"

# a reload that changes the key: the session comes back with the new one
conf "\"$KEY2\""
node_ctl lb reload >"$D/reload.out" 2>&1 || fail "reload with a new key: $(cat "$D/reload.out")"
no_secret "reload" "$D/reload.out"
leaf_stop $KIND
leaf_start $KIND "$(ns leaf)" neighbor=$LB "md5=$KEY2" || fail "leaf start with the new key"
leaf_wait_route $KIND 203.0.113.10/32 20 || fail "no session with the new key"
# a broken one: a key with a space, unquoted, and a second word after it
conf "$KEY $KEY2"
node_ctl lb reload >"$D/reload.out" 2>&1 && fail "a broken password line was accepted"
grep -q "xlb.conf:4: unexpected word after password" "$D/reload.out" ||
	fail "broken reload: $(cat "$D/reload.out")"
no_secret "the reload error" "$D/reload.out"
node_ctl lb vip disable 203.0.113.10/local >/dev/null || fail "vip disable"
node_ctl lb vip enable 203.0.113.10/local >/dev/null || fail "vip enable"
show_all "key 2"
no_secret "the state file" "$D/state"
node_kill lb TERM
no_secret "the -dd log" "$D/xlbd.log"
grep -q "debug: neighbor $LEAF4" "$D/xlbd.log" || fail "no debug lines in the log"
echo "security secrets: all checks passed"
exit 0
