#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every xlbctl command with -j against a real xlbd (XDP on a veth, two
# backends with real servers and real traffic, forwarding VIPs of both
# families sharing an address, an all-ports GUE VIP, a host-mode VIP with
# its check, a BIRD leaf with BFD, the metrics endpoint), and xlbctl(8)
# held to its word:
#  - each command's output is parsed by Python's json and agrees with the
#    document xlbctl(8) gives for it in JSON OUTPUT (every key documented
#    with its type, every documented key there: numbers are numbers,
#    share_percent included, booleans booleans); a command of `xlbctl
#    help` without a case here fails the test, so a new command comes with
#    its JSON;
#  - the names agree: `vip show` and `backend show` text say what their
#    JSON says (admin, up, route, usable/total, health, pool, share, flows,
#    packets), and so do the metrics (xlb_vip_backends_usable is
#    backends_usable, xlb_vip_announced the VIP's place in route_held_by,
#    xlb_backend_weight/pooled, packets);
#  - host mode: `vip show` of the host-mode VIP gives its check, not
#    backends; `backend show` of it exits 1;
#  - every example of xlbctl(8)'s EXAMPLES runs and exits 0;
#  - the bash completion offers the running xlbd's VIP names.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOPO="xlbj$$"
. selftests/lib/xlbd_node.sh
. selftests/lib/leaf.sh
PY=/usr/bin/python3
MAN=doc/xlbctl.8
DOC="$PY selftests/lib/xlbctl_doc.py"
PORT=9273

need_root
xlbd_node_up
topo_servers || fail "servers"
# the host-mode VIP's service: a TCP port on the node itself
spawn lb "$RUN/svc.log" socat TCP-LISTEN:8053,fork,reuseaddr SYSTEM:true
leaf_start bird "$(ns leaf)" neighbor=$LB4 bfd bfd_interval=100 bfd_mult=3 || fail "BIRD leaf"
cat >"$RUN/xlb.conf" <<EOF
router-id $LB4
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
$(xlbd_node_conf)
metrics listen 127.0.0.1 port $PORT
neighbor 192.0.2.1 { remote-as 65000; hold-time 9s; bfd { interval 100ms multiplier 3 } }
vip $VIP4 tcp 80 {
    name web
    health http path "/" interval 200ms timeout 150ms rise 2 fall 2
    backend 198.51.100.11
    backend 198.51.100.12 weight 50
}
vip $VIP4 udp 53 {
    name dns
    health tcp port 80 interval 200ms timeout 150ms
    backend 198.51.100.11
    backend 198.51.100.12
}
vip $VIP6 tcp 80 { name web6; backend 2001:db8:b::11; backend 2001:db8:b::12 }
vip 203.0.113.11 udp all { name any; hash source; encap gue; backend 198.51.100.11 }
vip 203.0.113.20 local {
    name anycast
    add-address lo
    health tcp port 8053 interval 200ms timeout 150ms rise 1 watch-socket *:8053/tcp
}
EOF
xlbd_check lb
xlbd_start -d
leaf_wait_route bird $VIP4/32 15 || fail "$VIP4 never announced"
leaf_wait_route bird 203.0.113.20/32 10 || fail "the host-mode VIP never announced"
leaf_wait_bfd bird $LB4 Up 10 || fail "BFD never Up"
for i in $(seq 6); do
	nsx client curl -s -m 3 "http://$VIP4/" >/dev/null || fail "HTTP to $VIP4"
	nsx client curl -s -m 3 -g "http://[$VIP6]/" >/dev/null || fail "HTTP to $VIP6"
done

# run TITLE ARGS...: xlbctl -j ARGS must exit 0 and print a document that
# agrees with xlbctl(8)'s TITLE; it is kept in $RUN/last.json
ran=()
run() {
	local title=$1 out
	shift
	ran+=("$*")
	node_ctl lb -j "$@" >"$RUN/last.json" 2>"$RUN/last.err" ||
		fail "xlbctl -j $*: exit $?: $(cat "$RUN/last.err")"
	out=$($DOC check $MAN "$title" <"$RUN/last.json") ||
		fail "xlbctl -j $* disagrees with xlbctl(8) \"$title\":
$out"
}

# --- every command
run "vip show" vip show
run "vip show VIP" vip show web
run "vip show VIP" vip show anycast
run "vip show VIP" vip show any
run "backend show" backend show web
run "backend show" backend show "[$VIP6]:80/tcp"
run "health show" health show
run "health show" health show anycast
run "stats" stats
run "status" status
run "bgp show" bgp show
run "bgp routes" bgp routes
run "bgp routes" bgp routes 192.0.2.1
[ "$(json_get '[0].prefixes|len' <"$RUN/last.json")" -ge 3 ] ||
	fail "bgp routes: not every announced prefix: $(cat "$RUN/last.json")"
run "bfd show" bfd show
run "flow show" flow show
run "flow show" flow show web 198.51.100.11 --limit 2
cport=$(xlbctl_json lb flow show web -- '.flows[0].client_port')
[ -n "$cport" ] && [ "$cport" != null ] || fail "no flow entry of web after the traffic: $(node_ctl lb flow show)"
run "flow lookup" flow lookup "$CLIENT4:$cport" $VIP4:80
[ "$(json_get .reason <"$RUN/last.json")" = flow-entry ] || fail "lookup of a real flow: $(cat "$RUN/last.json")"
run "flow lookup" flow lookup 198.51.100.7:40000 web
# the backend lookup says a new flow would get is the one it gets
want=$(xlbctl_json lb flow lookup "$CLIENT4:40123" web -- .backend)
[ "$(xlbctl_json lb flow lookup "$CLIENT4:40123" web -- .reason)" = maglev ] || fail "lookup of a new flow"
got=$(nsx client curl -s -m 3 --local-port 40123 "http://$VIP4/")
[ "198.51.100.1${got#b}" = "$want" ] || fail "flow lookup said $want, the connection got $got"
[ "$(xlbctl_json lb flow lookup "$CLIENT4:40123" web -- .reason)" = flow-entry ] ||
	fail "no flow entry after the connection: $(node_ctl lb flow lookup "$CLIENT4:40123" web)"
echo "flow lookup: $CLIENT4:40123 would get $want, and got $got"
run "flow lookup" flow lookup 198.51.100.7 203.0.113.11:9999 udp
run "backend depool" backend depool web 198.51.100.12
run "backend depool" backend pool web 198.51.100.12
run "backend depool" backend set web 198.51.100.12 weight 50
run "vip disable" vip disable dns
run "vip disable" vip enable dns
run "vip disable" vip disable --address 203.0.113.11
run "vip disable" vip enable --address 203.0.113.11
run "reload" reload
run "bgp neighbor" bgp neighbor shutdown 192.0.2.1
run "bgp neighbor" bgp neighbor enable 192.0.2.1
# not JSON: xlbctl answers it itself, -j or not
ran+=("completion bash")
# the fleet's commands need etcd (pool-state etcd): e2e/fleet_depool runs
# each with -j against xlbctl(8)
ran+=("pool show" "pool depool" "pool pool" "pool inactive" "pool weight" "pool disable"
	"pool enable" "fleet status")
node_ctl lb -j completion bash | head -1 | grep -q "^# bash completion for xlbctl" ||
	fail "completion bash with -j"
echo "${#ran[@]} commands: every -j output agrees with xlbctl(8)"

# every command of xlbctl help has a case (a|b keywords: each)
missing=""
while read -r words; do
	found=""
	for r in "${ran[@]}"; do
		[[ "$r " == "$words "* ]] && found=1 && break
	done
	[ -n "$found" ] || missing="$missing, $words"
done < <(node_ctl lb help | sed -n 's/^  \([a-z][a-z]*\( [a-z|]*\)\{0,2\}\).*/\1/p' |
	sed 's/  .*//' | awk '{
		n = split($NF, alt, "|")
		for (i = 1; i <= n; i++) { $NF = alt[i]; print }
	}' | awk '{ out = $1; for (i = 2; i <= NF && $i ~ /^[a-z]+$/; i++) out = out " " $i; print out }' |
	sort -u)
[ -z "$missing" ] || fail "commands of xlbctl help without a -j case here: ${missing#, }"
$DOC titles $MAN >"$RUN/titles"
[ "$(wc -l <"$RUN/titles")" -ge 14 ] || fail "too few JSON documents in xlbctl(8): $(cat "$RUN/titles")"

# --- the same names in text, JSON and metrics (a quiet moment: no traffic)
wait_for 10 leaf_session_up bird $LB4 || fail "session not back after enable"
leaf_wait_route bird $VIP4/32 10 || fail "$VIP4 not back after enable"
node_ctl lb -j vip show >"$RUN/vips.json"
node_ctl lb vip show >"$RUN/vips.txt"
node_ctl lb -j backend show web >"$RUN/be.json"
node_ctl lb backend show web >"$RUN/be.txt"
node_ctl lb -j status >"$RUN/status.json"
node_ctl lb status >"$RUN/status.txt"
nsx lb curl -sS -m 5 "http://127.0.0.1:$PORT/metrics" >"$RUN/metrics" || fail "scrape"
out=$($PY - "$RUN" <<'PYEOF'
import json, sys
run = sys.argv[1]
load = lambda f: json.load(open("%s/%s" % (run, f)))
vips, bes, status = load("vips.json"), load("be.json"), load("status.json")
txt = lambda f: open("%s/%s" % (run, f)).read().split("\n")
metrics = {}
for line in txt("metrics"):
    if line and not line.startswith("#"):
        k, v = line.rsplit(" ", 1)
        metrics[k] = float(v)
err = []
def same(what, got, want):
    if str(got) != str(want):
        err.append("%s: text/metric %r, JSON %r" % (what, got, want))
lines = {l.split()[0]: l.split() for l in txt("vips.txt")[1:] if l and not l.startswith("(")}
for v in vips:
    t = lines.get(v["vip"])
    if not t:
        err.append("vip show: no line for %s" % v["vip"])
        continue
    same(v["vip"] + " name", t[1], v["name"] or "-")
    same(v["vip"] + " admin", t[2], v["admin"])
    same(v["vip"] + " up", t[3], "up" if v["up"] else "down")
    same(v["vip"] + " route", t[4], v["route"])
    if v["mode"] == "local":
        same(v["vip"] + " check", " ".join(t[5:7]), "check " + (v["check_state"] or "none"))
        same(v["vip"] + " packets", t[7], "-")
    else:
        same(v["vip"] + " backends", t[5], "%d/%d" % (v["backends_usable"], v["backends_total"]))
        same(v["vip"] + " packets", t[6], v["packets"])
        same(v["vip"] + " bytes", t[7], v["bytes"])
        lbl = '{vip="%s"}' % v["vip"]
        same(v["vip"] + " xlb_vip_backends_usable", int(metrics["xlb_vip_backends_usable" + lbl]),
             v["backends_usable"])
        same(v["vip"] + " xlb_vip_backends", int(metrics["xlb_vip_backends" + lbl]), v["backends_total"])
        same(v["vip"] + " xlb_vip_packets_total", int(metrics.get("xlb_vip_packets_total" + lbl, -1)),
             v["packets"])
    same(v["vip"] + " xlb_vip_announced", int(metrics['xlb_vip_announced{vip="%s"}' % v["vip"]]),
         int(v["vip"] in v["route_held_by"]))
    if not isinstance(v["up"], bool) or not isinstance(v["route_held_by"], list):
        err.append("%s: up/route_held_by types" % v["vip"])
local = [v for v in vips if v["mode"] == "local"][0]
if local["check_state"] != "up" or "backends_usable" in local:
    err.append("host-mode VIP: %r" % local)
belines = {l.split()[0]: l.split() for l in txt("be.txt")[1:] if l}
for b in bes:
    t = belines.get(b["backend"])
    if not t:
        err.append("backend show: no line for %s" % b["backend"])
        continue
    if not isinstance(b["share_percent"], (int, float)) or isinstance(b["share_percent"], bool):
        err.append("share_percent is not a number: %r" % b["share_percent"])
    same(b["backend"] + " weight", t[1], b["weight"])
    same(b["backend"] + " runtime", t[2], "-" if b["weight_runtime"] is None else b["weight_runtime"])
    same(b["backend"] + " health", t[3], b["health"])
    same(b["backend"] + " pool", t[4], b["pool"])
    same(b["backend"] + " share", t[5], "%.2f%%" % b["share_percent"])
    same(b["backend"] + " flows", t[6], b["flows"])
    same(b["backend"] + " packets", t[7], b["packets"])
    lbl = '{vip="203.0.113.10:80/tcp",backend="%s"}' % b["backend"]
    same(b["backend"] + " xlb_backend_weight", int(metrics["xlb_backend_weight" + lbl]),
         b["weight_effective"])
    same(b["backend"] + " xlb_backend_pooled", int(metrics["xlb_backend_pooled" + lbl]),
         int(b["pool"] == "pooled"))
    same(b["backend"] + " xlb_backend_packets_total", int(metrics["xlb_backend_packets_total" + lbl]),
         b["packets"])
st = {l[:13].strip(): l[13:] for l in txt("status.txt")[1:] if l}
same("status datapath", st["datapath"].split(",")[0], "%s (%s mode)" % (status["interface"], status["xdp_mode"]))
same("status vips", st["vips"], status["vips"])
for e in err:
    print(e)
sys.exit(1 if err else 0)
PYEOF
) || fail "text, JSON and metrics disagree:
$out"
echo "text, JSON and metrics name the same things the same ($(json_get '|len' <"$RUN/vips.json") VIPs)"

# --- host mode: no backends
out=$(node_ctl lb backend show anycast 2>&1)
[ $? -eq 1 ] || fail "backend show of a host-mode VIP must exit 1: $out"
echo "$out" | grep -q "host-mode VIP: it has no backends" || fail "backend show anycast: $out"
node_ctl lb vip show anycast | grep -q "^    state    up, check up$" || fail "vip show anycast: $(node_ctl lb vip show anycast)"

# --- xlbctl(8)'s EXAMPLES, as written (the socket of the page's test
# instance is ours)
n=0
while read -r line; do
	line=${line/-s \/run\/xlb-test\/xlbd.sock/}
	# the fleet's need etcd: e2e/fleet_depool runs them
	case $line in "xlbctl pool "* | "xlbctl fleet "*) continue ;; esac
	read -ra words <<<"${line#xlbctl }"
	out=$(node_ctl lb "${words[@]}" 2>&1) || fail "xlbctl(8) example '$line': exit $?: $out"
	[ -n "$out" ] || fail "xlbctl(8) example '$line' printed nothing"
	n=$((n + 1))
done < <($DOC examples $MAN)
[ $n -ge 10 ] || fail "only $n examples in xlbctl(8)"
echo "xlbctl(8): $n examples run"

# --- completion of VIP names from the running xlbd
node_ctl lb completion bash >"$RUN/xlbctl.bash"
names=$(nsx lb env PATH="$BUILD/tools:$PATH" bash -c '
	. "$1"
	COMP_WORDS=(xlbctl -s "$2" vip show "")
	COMP_CWORD=5
	_xlbctl
	printf "%s\n" "${COMPREPLY[@]}"' _ "$RUN/xlbctl.bash" "$RUN/xlbd.sock" | sort | tr '\n' ' ')
[ "$names" = "any anycast dns web web6 " ] || fail "completion of VIP names: '$names'"
echo "completion: VIP names from xlbd ($names)"
echo "ctl_json_all: all checks passed"
