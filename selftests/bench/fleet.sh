#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fleet.depool_propagation (`make bench`): the fleet of e2e/fleet_* (3 etcd
# members, 2 xlb nodes with their pool state in etcd, BIRD leaf, backends;
# selftests/lib/fleet.sh), a depool typed on lb1 timed until it is in both
# nodes' datapath tables, next to etcd's own put-to-watch time in the same
# run (selftests/bench/fleet_propagation.py says how). About 30 s.
#
#   FLEET_BENCH_RUNS=N   runs per side (default 20)
set -u
cd "$(dirname "$0")/../.." || exit 1
SYS="xlbb$$"
SYS_DNS=""
. selftests/lib/fleet.sh
[ "$(id -u)" -eq 0 ] || { echo "# fleet bench needs root (network namespaces, XDP)"; exit 77; }
command -v etcd >/dev/null || { echo "# fleet bench: no etcd (make deps)"; exit 77; }
trap fleet_down EXIT
trap 'exit 130' INT TERM
fail() { sys_fail "$*"; }
fleet_up >"$ETCD_RUN/up.log" 2>&1 || { cat "$ETCD_RUN/up.log"; exit 1; }

nsx lb1 "$SYS_PY" selftests/bench/fleet_propagation.py "$(sys_dir lb1)/xlbd.sock" \
	"$VIP4:80/tcp" "${SYS_ADDR4[b1]}" "$(etcd_endpoints e1)" "$FLEET_PREFIX" \
	"${FLEET_BENCH_RUNS:-20}" "$SYS_BPFFS/lb1/xlb" "$SYS_BPFFS/lb2/xlb"
