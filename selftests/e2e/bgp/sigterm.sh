#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test: bgp_bird_sigterm bird
# test: bgp_frr_sigterm frr
# test: bgp_gobgp_sigterm gobgp
#
# Taking an xlb node out with SIGTERM (`systemctl stop`/`restart`) with a
# leaf (bird, frr or gobgp: $1): every route is re-announced with
# GRACEFUL_SHUTDOWN (65535:0, RFC 8326) at once, withdrawn after the
# neighbor's drain (2 s), and the Cease carries the RFC 8203 shutdown
# communication "xlbd shutting down", as the leaf reports it; xlbd exits 0
# after it; started again, the node announces its VIPs again without the
# community.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOPO="xlbt$$"
. selftests/lib/bgp.sh
bgp_kind "${1:-}"
node_is_xlbd || { echo "SIGTERM's graceful shutdown is xlbd's own (no stand-in)"; exit 77; }

bgp_setup lb
node_peer_conf lb $LEAF4 'hold-time 9; drain 2s' <<EOF2
vip $VIP4 local { name web4; community 65000:53 }
vip $VIP6 local { name web6; next-hop 2001:db8:1::10 }
EOF2
leaf_start "$KIND" "$(ns leaf)" neighbor=192.0.2.10 || fail "leaf start"
node_start lb
leaf_wait_route "$KIND" $VIP4/32 15 "communities=65000:53 " || fail "no route for $VIP4"
leaf_wait_route "$KIND" $VIP6/128 5 || fail "no route for $VIP6"

pid=${NODE_PID[lb]}
t0=$(now_ms)
kill -TERM "$pid"
leaf_wait_route "$KIND" $VIP4/32 1.5 "communities=65000:53,65535:0 " ||
	fail "no GRACEFUL_SHUTDOWN at the leaf within 1.5 s: $(leaf_route "$KIND" $VIP4/32)"
leaf_wait_route "$KIND" $VIP6/128 1 "65535:0" ||
	fail "no GRACEFUL_SHUTDOWN on $VIP6: $(leaf_route "$KIND" $VIP6/128)"
gs_ms=$(ms_since "$t0")
leaf_wait_gone "$KIND" $VIP4/32 6 || fail "not withdrawn after the drain"
leaf_wait_gone "$KIND" $VIP6/128 1 || fail "$VIP6 not withdrawn after the drain"
gone_ms=$(ms_since "$t0")
wait "$pid"
rc=$?
exit_ms=$(ms_since "$t0")
NODE_PID[lb]=""
echo "SIGTERM: 65535:0 at the leaf after $gs_ms ms, withdrawn after $gone_ms ms, xlbd exited ($rc) after $exit_ms ms (drain 2 s)"
[ $rc -eq 0 ] || fail "xlbd exited with $rc on SIGTERM"
[ "$gone_ms" -ge 1700 ] || fail "withdrawn after $gone_ms ms, before the 2 s drain"
[ "$exit_ms" -le 5000 ] || fail "xlbd took $exit_ms ms to exit (drain 2 s)"
# RFC 8203: the Cease carried why
wait_for 3 eval '[ "$(leaf_shutdown_text "$KIND" 192.0.2.10)" = "xlbd shutting down" ]' ||
	fail "the leaf reports the shutdown communication as '$(leaf_shutdown_text "$KIND" 192.0.2.10)', not 'xlbd shutting down'"
echo "SIGTERM: the leaf reports '$(leaf_shutdown_text "$KIND" 192.0.2.10)'"

t0=$(now_ms)
node_start lb
# as in restart.sh: a leaf may wait seconds before it accepts the node
# again after the Cease (GoBGP ~9 s here)
leaf_wait_route "$KIND" $VIP4/32 40 "communities=65000:53 " ||
	fail "not back (without 65535:0) after the restart: '$(leaf_route "$KIND" $VIP4/32)'"
leaf_wait_route "$KIND" $VIP6/128 5 || fail "$VIP6 not back after the restart"
echo "restart: routes back after $(ms_since "$t0") ms"
echo "bgp $KIND sigterm: all checks passed"
exit 0
