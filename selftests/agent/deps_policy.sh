#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/deps.sh on a host that runs its own daemons: installing never
# stops, restarts or starts a service.
#
# Everything happens in a private mount namespace with overlays on /etc,
# /var and /usr/sbin, so the packages, the dpkg database and the policy
# file it installs vanish with the namespace and the host is never
# changed. Two throw-away packages built here with dpkg-deb play the
# daemons: "running" is installed and its service started before, and its
# upgrade's postinst asks to restart it; "new" is installed by deps.sh and
# its postinst asks to start it. The postinsts ask policy-rc.d exactly as
# invoke-rc.d and deb-systemd-invoke do before they act (PID 1 here is
# neither systemd nor sysvinit, so invoke-rc.d itself would refuse for
# want of a runlevel and prove nothing).
#
# Checks: the running daemon keeps its PID and gets no stop/restart; the
# new one is never started; a host without a policy-rc.d has none after,
# one with its own gets it back byte for byte; a non-root run names what
# is missing and installs nothing.
set -u
cd "$(dirname "$0")/../.." || exit 1
for t in unshare dpkg-deb apt-get setpriv; do
	command -v $t >/dev/null || { echo "$t not installed (make deps)"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "needs root (mount namespace, dpkg)"; exit 77; }
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || { echo "no overlayfs in this kernel"; exit 77; }

W=$(mktemp -d /tmp/xlb-deps-policy.XXXXXX) || exit 1
chmod 0755 "$W"
cleanup() {
	local f
	# the daemons outlive the namespace: stop them by their PIDs
	for f in "$W"/run/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/run" "$W/debs"
TAG=xlbdeps$$

# mkdeb NAME VERSION POSTINST_ACTION: a package whose init script starts a
# sleep as its daemon, and whose postinst asks for ACTION (start/restart)
mkdeb() {
	local name=$1 ver=$2 action=$3 d="$W/build/$1-$2"

	mkdir -p "$d/DEBIAN" "$d/etc/init.d"
	cat > "$d/DEBIAN/control" <<-EOF
	Package: $name
	Version: $ver
	Architecture: all
	Maintainer: xlb tests <tests@example.invalid>
	Description: throw-away daemon for the deps_policy test
	EOF
	cat > "$d/etc/init.d/$name" <<-EOF
	#!/bin/sh
	# the daemon: a sleep, its PID in $W/run
	pidf=$W/run/$name.pid
	echo "\$1" >> $W/run/$name.actions
	case "\$1" in
	start) setsid sleep 100000 </dev/null >/dev/null 2>&1 & echo \$! > "\$pidf" ;;
	stop) [ -f "\$pidf" ] && kill "\$(cat "\$pidf")" && rm -f "\$pidf" ;;
	restart) "\$0" stop; "\$0" start ;;
	esac
	exit 0
	EOF
	chmod 0755 "$d/etc/init.d/$name"
	cat > "$d/DEBIAN/postinst" <<-EOF
	#!/bin/sh
	# what invoke-rc.d / deb-systemd-invoke do: ask the policy first
	if [ -x /usr/sbin/policy-rc.d ]; then
		/usr/sbin/policy-rc.d $name $action
		rc=\$?
		[ \$rc = 101 ] && exit 0
	fi
	/etc/init.d/$name $action
	EOF
	chmod 0755 "$d/DEBIAN/postinst"
	dpkg-deb --root-owner-group -b "$d" "$W/debs/$name-$ver.deb" >/dev/null || return 1
}

RUNNING=$TAG-running
NEW=$TAG-new
mkdeb "$RUNNING" 1.0 start && mkdeb "$RUNNING" 1.1 restart && mkdeb "$NEW" 1.0 start ||
	{ echo "FAIL: cannot build the test packages"; exit 1; }

# The scenario, run inside the namespace.
cat > "$W/inside.sh" <<EOF
set -u
W=$W
RUNNING=$RUNNING
NEW=$NEW
errors=0
err() { echo "FAIL: \$*"; errors=\$((errors + 1)); }
mount -t tmpfs tmpfs "\$W/ov" || exit 1
for m in etc var usr/sbin; do
	n=\${m//\//_}
	mkdir -p "\$W/ov/\$n.up" "\$W/ov/\$n.work"
	mount -t overlay overlay -o "lowerdir=/\$m,upperdir=\$W/ov/\$n.up,workdir=\$W/ov/\$n.work" "/\$m" ||
		{ echo "FAIL: overlay on /\$m"; exit 1; }
done

# --- a host without a policy-rc.d, a daemon of its own running
rm -f /usr/sbin/policy-rc.d
dpkg -i "\$W/debs/\$RUNNING-1.0.deb" >/dev/null 2>&1 || { echo "FAIL: dpkg -i"; exit 1; }
before=\$(cat "\$W/run/\$RUNNING.pid" 2>/dev/null)
[ -n "\$before" ] && kill -0 "\$before" 2>/dev/null ||
	{ echo "FAIL: the host's daemon did not start (test setup)"; exit 1; }
: > "\$W/run/\$RUNNING.actions"
XLB_DEPS_ONLY="\$W/debs/\$RUNNING-1.1.deb \$W/debs/\$NEW-1.0.deb" tools/deps.sh all \
	> "\$W/deps1.out" 2>&1 || { cat "\$W/deps1.out"; err "deps.sh failed"; }
after=\$(cat "\$W/run/\$RUNNING.pid" 2>/dev/null)
[ "\$after" = "\$before" ] && kill -0 "\$before" 2>/dev/null ||
	err "the host's running daemon was restarted or stopped (pid \$before -> \${after:-none})"
[ -s "\$W/run/\$RUNNING.actions" ] &&
	err "the host's daemon got: \$(tr '\n' ' ' < "\$W/run/\$RUNNING.actions")"
[ -e "\$W/run/\$NEW.actions" ] && err "the newly installed daemon was started"
v=\$(dpkg-query -W -f='\${Version}' "\$RUNNING")
[ "\$v" = 1.1 ] || err "the upgrade was not installed (version \$v)"
dpkg-query -W -f='\${Status}' "\$NEW" | grep -q 'install ok installed' ||
	err "the new package was not installed"
[ -e /usr/sbin/policy-rc.d ] && err "a policy-rc.d was left behind"
[ -e /usr/sbin/policy-rc.d.xlb-deps-saved ] && err "a saved policy was left behind"

# --- a host with a policy of its own (one that allows everything)
printf '#!/bin/sh\n# the operator s own\nexit 0\n' > /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
sum=\$(sha256sum < /usr/sbin/policy-rc.d)
XLB_DEPS_ONLY="\$W/debs/\$RUNNING-1.1.deb" tools/deps.sh all > "\$W/deps2.out" 2>&1 ||
	{ cat "\$W/deps2.out"; err "deps.sh failed (second run)"; }
[ "\$(cat "\$W/run/\$RUNNING.pid" 2>/dev/null)" = "\$before" ] ||
	err "reinstalling restarted the host's daemon"
[ "\$(sha256sum < /usr/sbin/policy-rc.d 2>/dev/null)" = "\$sum" ] ||
	err "the host's own policy-rc.d was not put back as it was"
[ -e /usr/sbin/policy-rc.d.xlb-deps-saved ] && err "a saved policy was left behind"

# --- a run killed half way left our policy and the saved one: the next run mends it
mv /usr/sbin/policy-rc.d /usr/sbin/policy-rc.d.xlb-deps-saved
printf '#!/bin/sh\n# xlb tools/deps.sh: refuse every service action while installing\nexit 101\n' \
	> /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
XLB_DEPS_ONLY="\$W/debs/\$RUNNING-1.1.deb" tools/deps.sh all > "\$W/deps3.out" 2>&1 ||
	{ cat "\$W/deps3.out"; err "deps.sh failed (third run)"; }
[ "\$(sha256sum < /usr/sbin/policy-rc.d 2>/dev/null)" = "\$sum" ] ||
	err "after an interrupted run the host's policy-rc.d was not restored"

# --- not root: names what is missing, installs nothing
out=\$(XLB_DEPS_ONLY="\$NEW xlb-no-such-package" setpriv --reuid=65534 --regid=65534 \
	--clear-groups tools/deps.sh build 2>&1)
rc=\$?
[ \$rc -eq 1 ] || err "non-root with a missing package exited \$rc, not 1"
case \$out in
*"missing Debian packages: xlb-no-such-package"*"apt-get install xlb-no-such-package"*) ;;
*) err "non-root output does not name the missing package: \$out" ;;
esac
exit \$errors
EOF
mkdir -p "$W/ov"
unshare -m --propagation private bash "$W/inside.sh"
rc=$?
[ $rc -eq 0 ] || exit 1
# and the host itself was not changed
if dpkg-query -W "$RUNNING" >/dev/null 2>&1 || [ -e "/etc/init.d/$RUNNING" ]; then
	echo "FAIL: the test package reached the host"
	exit 1
fi
echo "deps.sh: host daemon left alone, new daemon not started, policy restored"
