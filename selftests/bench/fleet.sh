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
TOPO="xlbb$$"
SYS_DNS=""
FAIL_PREFIX="fleet bench: "
. selftests/lib/fleet.sh
fleet_up

nsx lb1 "$SYS_PY" selftests/bench/fleet_propagation.py "$(node_dir lb1)/xlbd.sock" \
	"$VIP4:80/tcp" "${SYS_ADDR4[b1]}" "$(etcd_endpoints e1)" "$FLEET_PREFIX" \
	"${FLEET_BENCH_RUNS:-20}" "$SYS_BPFFS/lb1/xlb" "$SYS_BPFFS/lb2/xlb"
