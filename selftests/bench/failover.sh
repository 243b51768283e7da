#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover benchmark (`make bench`, selftests/bench/run): how fast traffic
# stops going where it can no longer be served. Three parts, each in its
# own namespaces and process (see the top of each for the method):
#
#   failover_withdraw.sh  failover.service_withdraw (and _same_timers):
#       unbound killed on a host-mode VIP -> route gone from a BIRD leaf,
#       xlbd next to ExaBGP's healthcheck; about 85 s
#   failover_bfd.sh       failover.bfd_detect, failover.bfd_detect_sigstop:
#       peering link blackholed / xlbd SIGSTOP'ed -> route gone from the
#       leaf, BFD 3 x 100 ms next to the hold timer alone; about 165 s
#   failover_backend.sh   failover.backend_remove: a backend's HTTP server
#       killed -> backend out of the datapath's Maglev table, next to a
#       bare probe loop; about 10 s
#   failover_event.sh     failover.service_event: unbound killed on a
#       host-mode VIP with watch-socket (the socket's destruction) next to
#       one with polling only (100 ms x 2), one xlbd; about 35 s
#   failover_bfd20.sh     failover.bfd_detect_20: links blackholed, BFD
#       3 x 20 ms next to 3 x 100 ms; about 50 s
#
# With the default 20 runs per figure the whole takes about 6 minutes on
# a shared 2-core machine; each part says how long it took.
# Route times are taken from the leaf's kernel table through rtnetlink
# (route_gone.py), table times from xlbd's pinned maps (maglev_gone.py).
# Each part prints `# ...` lines with the median and max of each side,
# its bench lines and `# target` lines; a run that took the wrong path
# (the route never left, left by another cause, ...) fails the part.
#
# Exits 1 if a part failed, 77 if not root. Environment: BUILD,
# FAILOVER_BENCH_RUNS (runs per figure, default 20), FAILOVER_BENCH_PARTS
# (default "withdraw bfd backend event bfd20").
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
export BUILD
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, XDP)"; exit 77; }

failed=0
for part in ${FAILOVER_BENCH_PARTS:-withdraw bfd backend event bfd20}; do
	script=selftests/bench/failover_$part.sh
	[ -x "$script" ] || { echo "# FAIL failover: no part $part" >&2; failed=1; continue; }
	t0=$SECONDS
	"$script" || failed=1
	echo "# failover: part $part took $((SECONDS - t0)) s"
done
exit "$failed"
