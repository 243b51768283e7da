#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fleet's etcd over TLS with client certificates and etcd
# authentication (a member that wants both; lib/fleet.sh, lib/etcd.sh):
#  - the nodes log in (user and password file), follow etcd over https,
#    and a depool typed on one node reaches both;
#  - the password never shows: not in `xlbd -nv` (the file's path does),
#    not in any log, not in xlbctl's answers;
#  - a wrong password (lb2 restarted with another one in its file): a
#    clear error (etcd's reason) in the log and in status, retried slowly,
#    and nothing changes on lb2 (it serves the state it had); the right
#    password back: it follows and converges;
#  - a node without the client certificate is refused by etcd and says
#    so, changing nothing either.
# About 30 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbs$$"
SYS_DNS=""
FLEET_ETCD="e1"
FLEET_TLS=1
PW="pw-$$-S3cr3t"
FLEET_AUTH="xlb $PW"
ETCD_RUN=/run/$TOPO-etcd
FLEET_POOL_EXTRA="    user xlb password-file $ETCD_RUN/xlb.pw"
. selftests/lib/fleet.sh
mkdir -p "$ETCD_RUN"
echo "$PW" >"$ETCD_RUN/xlb.pw"
chmod 0600 "$ETCD_RUN/xlb.pw"
fleet_up

VIP=$VIP4:80/tcp
B1=${SYS_ADDR4[b1]}
same_tables() { [ "$(fleet_table lb1 "$VIP")" = "$(fleet_table lb2 "$VIP")" ]; }

[ "$(fleet_field lb1 endpoint)" = "https://${FLEET_ADDR[e1]}:2379" ] ||
	fail "lb1 follows $(fleet_field lb1 endpoint)"
fleet_timed lb1 "$VIP" "$B1" out pool depool web "$B1" || fail "depool over TLS: $FLEET_OUT"
echo "# over TLS with a login: $FLEET_OUT (both nodes in $(echo $FLEET_MS | cut -d' ' -f1) ms)"

# the password: nowhere but in its file
nv=$("$XLBD" -nv -f "$(node_dir lb1)/xlb.conf") || fail "xlbd -nv"
echo "$nv" | grep -q "password-file $ETCD_RUN/xlb.pw" || fail "-nv does not name the file: $nv"
for where in "$nv" "$(cat "$SYS_RUN"/*.log)" "$(node_ctl lb1 status; node_ctl lb1 pool show;
	node_ctl lb1 -j status; node_ctl lb1 fleet status)"; do
	case $where in *"$PW"*) fail "the password shows" ;; esac
done
echo "# -nv: $(echo "$nv" | grep password-file | sed 's/^ *//'); the password in no output or log"

# a wrong password on lb2: refused, said clearly, nothing changes there
before=$(fleet_table lb2 "$VIP")
rev=$(fleet_revision lb2)
echo "wrong-$PW" >"$ETCD_RUN/xlb.pw"
sys_stop lb2/xlbd
: >"$(node_dir lb2)/xlbd.log"
sys_xlbd_start lb2
wait_for 10 grep -q "login as xlb refused: etcdserver: authentication failed" "$(node_dir lb2)/xlbd.log" ||
	fail "no clear error: $(grep etcd "$(node_dir lb2)/xlbd.log")"
err=$(fleet_field lb2 last_error)
case $err in *"authentication failed"*) ;; *) fail "status says: $err" ;; esac
echo "# wrong password: $(grep -m1 'login as xlb refused' "$(node_dir lb2)/xlbd.log" | sed 's/^[a-z]*: //')"
fleet_pool lb1 pool web "$B1" >/dev/null || fail "pool b1 back (via lb1)"
sleep 1
fleet_connected lb2 && fail "lb2 connected with a wrong password"
[ "$(fleet_table lb2 "$VIP")" = "$before" ] || fail "lb2's table changed"
[ "$(fleet_revision lb2)" = "$rev" ] || fail "lb2's revision changed"
case "$(cat "$(node_dir lb2)"/xlbd.log)" in *"$PW"*) fail "a password in the log" ;; esac
echo "# lb2 keeps revision $rev and its table (b1 out) while lb1 pooled b1 again"
echo "$PW" >"$ETCD_RUN/xlb.pw"
sys_stop lb2/xlbd
sys_xlbd_start lb2
fleet_wait_connected 10 lb2 || fail "lb2 does not log in with the right password"
wait_for 5 same_tables || fail "lb2 did not converge"
echo "# the right password: lb2 follows and has b1 back"

# no client certificate: etcd refuses the connection
sys_stop lb2/xlbd
sed -i 's| cert [^ ]* key [^ ]*$||' "$(node_dir lb2)/xlb.conf"
grep -q "tls ca [^ ]*$" "$(node_dir lb2)/xlb.conf" || fail "config edit: $(grep tls "$(node_dir lb2)/xlb.conf")"
: >"$(node_dir lb2)/xlbd.log"
sys_xlbd_start lb2
wait_for 10 eval "fleet_field lb2 last_error | grep -qi 'ssl\|tls\|certificate\|handshake\|alert'" ||
	fail "no TLS error for a missing client certificate: $(fleet_field lb2 last_error)"
fleet_connected lb2 && fail "lb2 connected without a client certificate"
wait_for 5 same_tables || fail "lb2's table changed without etcd"
echo "# no client certificate: $(fleet_field lb2 last_error)"
exit 0
