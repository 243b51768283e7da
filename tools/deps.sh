#!/bin/sh
# Install the Debian packages xlb needs, in two sets:
#
#   tools/deps.sh build    what `make` needs to build xlb (compilers, libraries)
#   tools/deps.sh [all]    that and what the tests, the demo and the
#                          benchmarks run (`make deps`, `make check`, `make demo`,
#                          `make bench`)
#
# Installs only what is missing and says what. As root it runs apt-get;
# otherwise it names what is missing, prints the command and exits 1.
#
# Safe on a production host. The test set holds daemons (BIRD, FRR, GoBGP,
# ExaBGP, unbound, Prometheus, etcd) that an xlb user may already run for
# real, and xlb's tests only ever run their own instances in namespaces. So:
# - no service that was installed before is ever stopped, disabled or
#   restarted: while apt-get runs, a policy-rc.d (the Debian interface that
#   invoke-rc.d and deb-systemd-invoke ask before they start, stop or
#   restart anything from a package script) refuses every action, and the
#   previous policy-rc.d, if any, is put back afterwards;
# - a daemon installed by this run is not started (same policy) and, where
#   the package enabled it for the next boot, disabled again, since the
#   tests never use the system instance. Packages already there keep
#   their state.
#
# Test hooks (selftests/agent/deps_policy.sh): XLB_DEPS_ONLY="PKG|FILE.deb ..."
# installs exactly those instead of the sets (apt-get update is skipped
# when they are all local files).
set -e

# build: compilers, libbpf/libxdp/libmnl, bpftool for the skeletons, and
#   the libraries xlbd links: libcurl (http/https probes), libmicrohttpd
#   (the metrics endpoint), libcap-ng (privileges after start-up), libsystemd
#   (sd_notify: readiness, reload and stop for a Type=notify unit), json-c
#   (etcd's JSON), libssl-dev for libcrypto (base64 of etcd's keys and
#   values, SHA-256 of the Maglev tables' fingerprints);
#   libclang-rt-dev for clang's libFuzzer (`make` builds the fuzz targets)
BUILD_PKGS="make gcc clang llvm libc6-dev libbpf-dev libxdp-dev libelf-dev zlib1g-dev
libmnl-dev bpftool libcurl4-openssl-dev libmicrohttpd-dev libcap-ng-dev libsystemd-dev
libjson-c-dev libssl-dev libclang-rt-dev"
# tests/demo: iproute2 (netns, veth), ethtool (GRO on veth), socat and curl
#   (real TCP/UDP traffic), xdp-tools (xdp-loader for operators), tcpdump,
#   procps, python3
# BGP interop tests: real leaf daemons (bird2, frr, gobgpd; gobgpd brings
#   the gobgp CLI) and exabgp as the benchmark baseline
# health checks: real servers (unbound for dns; python3 http.server with a
#   certificate from openssl)
# BFD and fault tests: nftables (a blackholed link: drop rules on a veth);
#   BIRD's protocol bfd and FRR's bfdd come with bird2 and frr
# metrics: prometheus brings promtool, which checks the page, and the
#   server, which the e2e test runs in a namespace of its own to scrape xlbd
# operations kit tests: mandoc and groff-base (man pages render without
#   warnings), systemd for systemd-analyze (verify the unit; nothing is
#   started) and man-db (verify looks up the unit's Documentation= pages),
#   util-linux's setpriv (xlbd under the unit's capability set)
# failover benchmark: bind9-dnsutils (dig: the check command of ExaBGP's
#   healthcheck, the baseline, on the same unbound xlbd checks)
# fleet tests, demo and benchmark: etcd-server (real etcd members in
#   namespaces) and etcd-client (etcdctl: the harness and the baseline)
TEST_PKGS="xdp-tools iproute2 ethtool socat curl procps python3 tcpdump
bird2 frr gobgpd exabgp unbound openssl nftables prometheus
mandoc groff-base systemd man-db util-linux bind9-dnsutils etcd-server etcd-client"

POLICY=/usr/sbin/policy-rc.d
POLICY_SAVED=/usr/sbin/policy-rc.d.xlb-deps-saved
POLICY_MARK="# xlb tools/deps.sh: refuse every service action while installing"

case ${1:-all} in
build) want=$BUILD_PKGS ;;
all) want="$BUILD_PKGS $TEST_PKGS" ;;
*)
	echo "usage: tools/deps.sh [build|all]" >&2
	exit 2
	;;
esac
[ -n "${XLB_DEPS_ONLY:-}" ] && want=$XLB_DEPS_ONLY

# pkg_name PKG|FILE.deb: the package name
pkg_name() {
	case $1 in
	*.deb) dpkg-deb -f "$1" Package ;;
	*) echo "$1" ;;
	esac
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing="" local_only=1
for p in $want; do
	case $p in
	*.deb) ;;
	*) local_only=0 ;;
	esac
	# a local file is always installed (the hook installs or upgrades it)
	case $p in
	*.deb) missing="$missing $p" ;;
	*) installed "$p" || missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: install them as root: apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing:$missing"

# The refusing policy, with the one that was there (if any) saved. A saved
# one next to our own policy is what a killed earlier run left: put it back
# first.
policy_restore() {
	if [ -f "$POLICY" ] && grep -qF "$POLICY_MARK" "$POLICY"; then
		rm -f "$POLICY"
	fi
	if [ -e "$POLICY_SAVED" ] && [ ! -e "$POLICY" ]; then
		mv "$POLICY_SAVED" "$POLICY"
	fi
}
policy_restore
if [ -e "$POLICY" ]; then
	cp -p "$POLICY" "$POLICY_SAVED"
fi
trap policy_restore EXIT
trap 'exit 130' INT TERM
printf '#!/bin/sh\n%s\nexit 101\n' "$POLICY_MARK" > "$POLICY.tmp"
chmod 0755 "$POLICY.tmp"
mv -f "$POLICY.tmp" "$POLICY"

new=""
for p in $missing; do
	n=$(pkg_name "$p")
	installed "$n" || new="$new $n"
done

export DEBIAN_FRONTEND=noninteractive
[ "$local_only" = 1 ] || apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

# Daemons this run installed stay off at the next boot too; what was there
# before is never touched.
for n in $new; do
	for f in $(dpkg -L "$n" 2>/dev/null); do
		case $f in
		/lib/systemd/system/*.service | /usr/lib/systemd/system/*.service)
			[ -f "$f" ] || continue
			unit=${f##*/}
			case $unit in *@.service) continue ;; esac
			if command -v systemctl >/dev/null 2>&1 &&
				systemctl is-enabled --quiet "$unit" 2>/dev/null; then
				systemctl disable --quiet "$unit" 2>/dev/null &&
					echo "deps: $unit (new with $n) left disabled: the tests run their own"
			fi
			;;
		/etc/init.d/*)
			[ -x "$f" ] || continue
			if [ ! -d /run/systemd/system ] && command -v update-rc.d >/dev/null 2>&1 &&
				ls /etc/rc[2345].d/S??"${f##*/}" >/dev/null 2>&1; then
				update-rc.d "${f##*/}" disable >/dev/null 2>&1 &&
					echo "deps: ${f##*/} (new with $n) left disabled: the tests run their own"
			fi
			;;
		esac
	done
done
