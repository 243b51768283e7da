#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbd's least privilege, on the real datapath in network namespaces:
# after start-up xlbd holds exactly the capabilities lib/privdrop.c lists
# (permitted = effective; inheritable, ambient and bounding sets empty;
# no_new_privs), exec checks run with no capability at all, as nobody and
# as root alike, a timed-out check's process group (another user's) is
# killed, and everything later still works with the reduced set: a reload
# that adds a VIP, a backend and an IPv6 BGP neighbor (a new listener on
# port 179), a depool (a new Maglev table: a new map), SIGTERM (detach,
# unpin). Then the same as a dedicated user (-u nobody): uid and gid
# changed, the same capabilities, exec checks as the same user get none,
# a reload adds a host-mode VIP's address on lo, SIGTERM removes it.
# First, a config without exec checks as another user: CAP_SETUID,
# CAP_SETGID and CAP_KILL are dropped too, and a reload that adds such a
# check is refused at its line.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xsc$$"
. selftests/lib/xlbd_node.sh
# xlbd is up once it has dropped its privileges
XLBD_READY_LOG="xlbd running"
# CAP_KILL 5, CAP_SETGID 6, CAP_SETUID 7, CAP_NET_BIND_SERVICE 10,
# CAP_NET_ADMIN 12, CAP_BPF 39
KEEP=00000080000014e0
# without an exec check as another user: CAP_BPF, CAP_NET_ADMIN,
# CAP_NET_BIND_SERVICE only
KEEP_NO_EXEC=0000008000001400
NOBODY=$(id -u nobody)
NOGROUP=$(id -g nobody)
# the timed-out check: a sleep no other test runs
SLEEP="sleep 30.$$"

# (after a failure, the checks xlbd did not kill go with everything else
# in the namespace)
need_root
[ -n "$NOBODY" ] || skip "no user nobody"

stop_xlbd() {
	kill "$XLBD_PID"
	wait "$XLBD_PID" 2>/dev/null
	XLBD_PID=""
	nsx lb ip link show lb0 | grep -q "prog/xdp" && fail "$1: still attached after SIGTERM"
	[ -e "$TOPO_BPFFS/lb/vips" ] && fail "$1: maps still pinned after SIGTERM"
	grep -q "datapath detached, maps unpinned" "$RUN/xlbd.log" || fail "$1: no detach logged"
}

# field NAME of /proc/PID/status (or of a copy of it)
status_field() { awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "$2"; }

# xlbd's capability sets: exactly the kept ones ($2, default $KEEP)
check_daemon_caps() {
	local st=/proc/$XLBD_PID/status f want=${2:-$KEEP}
	for f in CapEff CapPrm; do
		[ "$(status_field $f "$st")" = "$want" ] ||
			fail "$1: xlbd $f $(status_field $f "$st"), want $want"
	done
	for f in CapInh CapAmb CapBnd; do
		[ "$(status_field $f "$st")" = 0000000000000000 ] ||
			fail "$1: xlbd $f $(status_field $f "$st"), want none"
	done
	[ "$(status_field NoNewPrivs "$st")" = 1 ] || fail "$1: xlbd without no_new_privs"
	if [ "$want" = $KEEP ]; then
		grep -q "privileges dropped: keeping cap_kill,cap_setgid,cap_setuid,cap_net_bind_service,cap_net_admin,cap_bpf" \
			"$RUN/xlbd.log" || fail "$1: the drop is not logged"
	fi
}

# what an exec check wrote about itself: its uid and no capability
check_child() {
	local who=$1 uid=$2 f
	wait_for 5 eval '[ -s "$RUN/chk/$who.status" ] && [ -s "$RUN/chk/$who.id" ]'
	[ -s "$RUN/chk/$who.status" ] || fail "$3: the exec check as $who did not run"
	grep -q "^uid=$uid(" "$RUN/chk/$who.id" || fail "$3: check as $who: $(cat "$RUN/chk/$who.id")"
	for f in CapEff CapPrm CapInh CapAmb CapBnd; do
		[ "$(status_field $f "$RUN/chk/$who.status")" = 0000000000000000 ] ||
			fail "$3: exec check as $who has $f $(status_field $f "$RUN/chk/$who.status")"
	done
	[ "$(status_field NoNewPrivs "$RUN/chk/$who.status")" = 1 ] ||
		fail "$3: exec check as $who without no_new_privs"
}

# a check that outlives its timeout is killed with its process group
# (nobody's): without CAP_KILL they would pile up, one a second
check_timeout_kill() {
	local n
	sleep 3
	n=$(pgrep -c -f -x "$SLEEP")
	[ "$n" -le 1 ] || fail "$1: $n timed-out exec checks still running (not killed)"
	ctl health show 203.0.113.22/local | grep -qi "timeout\|timed out" ||
		fail "$1: timeout not shown: $(ctl health show 203.0.113.22/local)"
}

listening() { nsx lb ss -ltnH "( sport = :179 )" | grep -q "$1"; }

write_conf() {
	cat >"$RUN/xlb.conf" <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
$(xlbd_node_conf "$RUN/st/state")
neighbor 192.0.2.1 { remote-as 65000; passive; password "caps-test-key" }
vip $VIP4 tcp 80 { name web; backend 198.51.100.11 $1 }
vip 203.0.113.20 local { health exec "id >$RUN/chk/nobody.id; cat /proc/\$\$/status >$RUN/chk/nobody.status" user nobody interval 1s timeout 800ms }
vip 203.0.113.21 local { health exec "id >$RUN/chk/root.id; cat /proc/\$\$/status >$RUN/chk/root.status" user root interval 1s timeout 800ms }
vip 203.0.113.22 local { health exec "$SLEEP" user nobody interval 1s timeout 300ms }
$2
EOF
}

xlbd_node_up
mkdir -p "$RUN/chk" "$RUN/st"
chmod 1777 "$RUN/chk"
topo_servers || fail "servers"

# ---- as root, no exec check as another user: no CAP_SETUID ----
cat >"$RUN/xlb.conf" <<EOF
allowed-prefixes { 203.0.113.0/24 max 32 }
$(xlbd_node_conf "$RUN/st/state")
vip $VIP4 tcp 80 { name web; backend 198.51.100.11 }
vip 203.0.113.21 local { health exec "id >$RUN/chk/root.id; cat /proc/\$\$/status >$RUN/chk/root.status" user root interval 1s timeout 800ms }
EOF
xlbd_start -d
check_daemon_caps "no exec users" $KEEP_NO_EXEC
grep -q "cap_setuid, cap_setgid and cap_kill dropped too" "$RUN/xlbd.log" || fail "no exec users: not logged"
check_child root 0 "no exec users"
echo 'vip 203.0.113.20 local { health exec "true" user nobody }' >>"$RUN/xlb.conf"
out=$(ctl reload 2>&1) && fail "a reload adding an exec check as nobody was accepted without CAP_SETUID"
echo "$out" | grep -q "xlb.conf:9: health exec as user nobody needs CAP_SETUID and CAP_SETGID, which xlbd dropped at start-up" ||
	fail "reload refused without file:line and reason: $out"
ctl vip show | grep -q 203.0.113.20 && fail "the refused VIP was applied"
stop_xlbd "no exec users"
rm -f "$RUN"/chk/*
: >"$RUN/xlbd.log"

# ---- as root, with the reduced set ----
write_conf "" ""
"$XLBD" -n -f "$RUN/xlb.conf" 2>/dev/null || fail "config check"
xlbd_start -d
check_daemon_caps root
listening "0.0.0.0:179" || fail "root: no BGP listener on port 179"
check_child nobody "$NOBODY" root
check_child root 0 root
check_timeout_kill root
[ "$(nsx client curl -s -m 3 "http://$VIP4/")" = b1 ] || fail "root: no traffic"

# reload: a backend, a VIP and an IPv6 neighbor more
write_conf "; backend 198.51.100.12" \
	"vip $VIP6 tcp 80 { name web6; backend 2001:db8:b::11 }
neighbor 2001:db8:1::1 { remote-as 65000; passive }"
out=$(ctl reload 2>&1) || fail "reload after the drop: $out"
ctl vip show | grep -q "2001:db8:ffff::10" || fail "reload: new VIP not shown"
[ "$(nsx client curl -s -m 3 "http://[$VIP6]/")" = b1 ] || fail "reload: no traffic to the new VIP"
seen=""
for _ in $(seq 16); do
	seen="$seen $(nsx client curl -s -m 3 "http://$VIP4/")"
done
case "$seen" in *b1*b2* | *b2*b1*) ;; *) fail "reload: the new backend gets no traffic: $seen" ;; esac
listening "\[::\]:179" || fail "reload: no IPv6 BGP listener on port 179"
listening "0.0.0.0:179" || fail "reload: IPv4 BGP listener gone"
# a runtime change: a new Maglev table is a new map (CAP_BPF)
ctl backend depool web 198.51.100.12 >/dev/null || fail "depool after the drop"
for _ in $(seq 8); do
	[ "$(nsx client curl -s -m 3 "http://$VIP4/")" = b1 ] || fail "depool: traffic still reaches b2"
done
ctl backend pool web 198.51.100.12 >/dev/null || fail "pool after the drop"
check_daemon_caps "root, after reload"

# the control socket of the real daemon: malformed requests are refused
# with a usage error and change nothing, a non-root client gets nowhere
raw() { nsx lb socat -t 3 - "UNIX-CONNECT:$RUN/xlbd.sock" 2>/dev/null | head -1; }
[ "$(printf '\026\003\001' | raw)" = "error 2 request line not terminated by a newline" ] ||
	fail "binary request: $(printf '\026\003\001' | raw)"
[ "$(printf 'xlb1 text \000\377\n' | raw)" = "error 2 NUL byte at offset 10" ] ||
	fail "NUL in a request: $(printf 'xlb1 text \000\377\n' | raw)"
[ "$(head -c 4096 /dev/zero | tr '\0' a | raw)" = "error 2 request line longer than 4096 bytes" ] ||
	fail "long request: $(head -c 4096 /dev/zero | tr '\0' a | raw)"
[ "$(printf 'xlb1 text vip disable web\r\n' | raw)" = "error 2 control character 0x0d at offset 25" ] ||
	fail "CRLF request: $(printf 'xlb1 text vip disable web\r\n' | raw)"
printf 'xlb1 text vip disable web now\n' | raw | grep -q "^error 2 " || fail "extra argument accepted"
out=$(nsx lb setpriv --reuid=65534 --regid=65534 --clear-groups "$XLBCTL" -s "$RUN/xlbd.sock" \
	vip disable web 2>&1) && fail "non-root xlbctl disabled a VIP: $out"
[ "$(xlbctl_json lb vip show web -- .admin)" = enabled ] || fail "a refused request changed the VIP: $(ctl vip show web)"
kill -0 "$XLBD_PID" || fail "xlbd died on malformed requests"
stop_xlbd root

# ---- as a dedicated user ----
rm -f "$RUN"/chk/*
chown "$NOBODY:$NOGROUP" "$RUN/st"
: >"$RUN/xlbd.log"
write_conf "" ""
xlbd_start -d -u nobody
check_daemon_caps "-u nobody"
st=/proc/$XLBD_PID/status
[ "$(status_field Uid "$st")" = "$NOBODY $NOBODY $NOBODY $NOBODY" ] ||
	fail "-u nobody: Uid $(status_field Uid "$st")"
[ "$(status_field Gid "$st")" = "$NOGROUP $NOGROUP $NOGROUP $NOGROUP" ] ||
	fail "-u nobody: Gid $(status_field Gid "$st")"
grep -q "running as user nobody" "$RUN/xlbd.log" || fail "-u nobody: not logged"
check_child nobody "$NOBODY" "-u nobody"
check_child root 0 "-u nobody"
check_timeout_kill "-u nobody"
write_conf "; backend 198.51.100.12" "vip $VIP6 tcp 80 { name web6; backend 2001:db8:b::11 }
vip 203.0.113.23 local { add-address lo }"
out=$(ctl reload 2>&1) || fail "-u nobody: reload: $out"
[ "$(nsx client curl -s -m 3 "http://[$VIP6]/")" = b1 ] || fail "-u nobody: no traffic to the new VIP"
nsx lb ip addr show dev lo | grep -q " 203.0.113.23/32" || fail "-u nobody: add-address did not put the VIP on lo"
ctl backend depool web 198.51.100.11 >/dev/null || fail "-u nobody: depool"
grep -q "198.51.100.11" "$RUN/st/state" || fail "-u nobody: state file not written"
[ "$(nsx client curl -s -m 3 "http://$VIP4/")" = b2 ] || fail "-u nobody: depool not applied"
stop_xlbd "-u nobody"
nsx lb ip addr show dev lo | grep -q " 203.0.113.23/32" && fail "-u nobody: the VIP address stayed on lo after SIGTERM"
echo "security caps: all checks passed"
exit 0
