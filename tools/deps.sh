#!/bin/sh
# Install the Debian packages xlb needs to build, test, demo and benchmark.
# Idempotent: installs only what is missing and says what it installs.
set -e

# build: compilers, libbpf/libxdp/libmnl, bpftool for skeletons
# tests/demo: iproute2 (netns, veth), ethtool (GRO on veth), socat and curl
#   (real TCP/UDP traffic), xdp-tools (xdp-loader for operators), llvm for
#   the sanitizer runtime, libclang-rt-dev for clang's libFuzzer (make fuzz
#   and the fuzz pass in make check)
# BGP interop tests: real leaf daemons (bird2, frr, gobgpd; gobgpd brings the
#   gobgp CLI) and exabgp as the benchmark baseline. The tests run their own
#   instances in namespaces; the system-wide services are never used
#   (stopped below if the package scripts started them)
# health checks: libcurl (http/https probes); the tests run real servers:
#   unbound (dns), python3 http.server with a certificate from openssl
# least privilege: libcap-ng (xlbd drops capabilities and changes user
#   after start-up)
# BFD interop tests: nftables (a blackholed link: drop rules on a veth);
#   BIRD's protocol bfd and FRR's bfdd come with bird2 and frr
# metrics: libmicrohttpd serves the Prometheus endpoint; prometheus brings
#   promtool, which checks the page in the e2e test, and the server, which
#   the test runs in a namespace of its own to scrape xlbd (the system
#   service is stopped below)
# operations kit tests: mandoc and groff-base (man pages render without
#   warnings), systemd for systemd-analyze (verify the unit; nothing is
#   started) and man-db (verify looks up the unit's Documentation= pages),
#   util-linux's setpriv (xlbd under the unit's capability set)
# failover benchmark: bind9-dnsutils (dig: the check command of ExaBGP's
#   healthcheck, the baseline, on the same unbound xlbd checks)
PKGS="make gcc clang llvm libc6-dev libbpf-dev libxdp-dev libelf-dev zlib1g-dev
libmnl-dev bpftool xdp-tools iproute2 ethtool socat curl procps python3 tcpdump
libclang-rt-dev bird2 frr gobgpd exabgp libcurl4-openssl-dev unbound openssl
nftables libmicrohttpd-dev prometheus mandoc groff-base systemd man-db util-linux
libcap-ng-dev bind9-dnsutils"
SERVICES="bird frr gobgpd exabgp unbound prometheus"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root (or install these packages yourself)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
# package scripts may start the daemons' system services: leave them stopped
# (where there is no service manager this does nothing)
for s in $SERVICES; do
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		systemctl disable --now "$s" >/dev/null 2>&1 || true
	elif [ -x "/etc/init.d/$s" ]; then
		"/etc/init.d/$s" stop >/dev/null 2>&1 || true
	fi
done
