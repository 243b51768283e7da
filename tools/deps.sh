#!/bin/sh
# Install the Debian packages xlb needs to build, test, demo and benchmark.
# Idempotent: installs only what is missing and says what it installs.
set -e

# build: compilers, libbpf/libxdp/libmnl, bpftool for skeletons
# tests/demo: iproute2 (netns, veth), ethtool (GRO on veth), socat and curl
#   (real TCP/UDP traffic), xdp-tools (xdp-loader for operators), llvm for
#   the sanitizer runtime
PKGS="make gcc clang llvm libc6-dev libbpf-dev libxdp-dev libelf-dev zlib1g-dev
libmnl-dev bpftool xdp-tools iproute2 ethtool socat curl procps python3 tcpdump"

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
