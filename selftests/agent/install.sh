#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install / uninstall: with DESTDIR, the expected files with their
# modes and no others (xlbctl's bash completion is the installed xlbctl's
# own), the unit with its paths filled in, the installed xlbd checks the
# installed sample config (xlbd -n), an existing
# /etc/xlb/xlb.conf is never overwritten, uninstall removes everything it
# installed and nothing else. With PREFIX and SYSCONFDIR elsewhere (so the
# unit names binaries that exist), systemd-analyze verify passes on the
# installed unit, and its exposure (systemd-analyze security) stays OK.
set -u
cd "$(dirname "$0")/../.." || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
errors=0
err() {
	echo "FAIL: $*"
	errors=$((errors + 1))
}
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed (make deps)"; exit 77; }
make_q() { make --no-print-directory -s BUILD="$BUILD" "$@" >"$TMP/make.out" 2>&1 || { cat "$TMP/make.out"; return 1; }; }

# ---- DESTDIR install, default PREFIX
D=$TMP/root
make_q install DESTDIR="$D" || { echo "FAIL: make install DESTDIR=$D"; exit 1; }
expected="0755 etc/xlb
0644 etc/xlb/xlb.conf.sample
0755 usr/local/bin/xlbctl
0644 usr/local/lib/systemd/system/xlbd.service
0755 usr/local/sbin/xlb-setup
0755 usr/local/sbin/xlbd
0644 usr/local/share/bash-completion/completions/xlbctl
0644 usr/local/share/doc/xlb/README.md
0644 usr/local/share/doc/xlb/architecture.md
0644 usr/local/share/doc/xlb/examples/xlb.conf
$(for f in doc/leaf/*; do echo "0644 usr/local/share/doc/xlb/examples/leaf/${f#doc/leaf/}"; done)
0644 usr/local/share/doc/xlb/runbook.md
0644 usr/local/share/man/man5/xlb.conf.5
0644 usr/local/share/man/man8/xlbctl.8
0644 usr/local/share/man/man8/xlbd.8"
# every regular file, and the config directory (the admin writes there)
got=$( (cd "$D" && find . -type f -printf '%m %P\n' && stat -c '%a %n' etc/xlb) |
	sed 's/^\([0-7]\{3\}\) /0\1 /' | sort -k2)
[ "$got" = "$(echo "$expected" | sort -k2)" ] ||
	err "installed files differ: $(diff <(echo "$expected" | sort -k2) <(echo "$got"))"
[ -e "$D/etc/xlb/xlb.conf" ] && err "install created etc/xlb/xlb.conf"
cmp -s doc/examples/xlb.conf "$D/etc/xlb/xlb.conf.sample" || err "xlb.conf.sample is not doc/examples/xlb.conf"
# the completion is what the installed xlbctl writes from its table
cmp -s <("$D/usr/local/bin/xlbctl" completion bash) "$D/usr/local/share/bash-completion/completions/xlbctl" ||
	err "installed completion is not xlbctl completion bash"

unit=$D/usr/local/lib/systemd/system/xlbd.service
grep -q '@[A-Z]*@' "$unit" && err "placeholders left in the unit: $(grep '@[A-Z]*@' "$unit")"
grep -q '^ExecStart=/usr/local/sbin/xlbd -f /etc/xlb/xlb.conf ' "$unit" || err "ExecStart: $(grep ^ExecStart= "$unit")"

# the installed binaries run; xlbd accepts the installed sample
"$D/usr/local/sbin/xlbd" -n -f "$D/etc/xlb/xlb.conf.sample" 2>"$TMP/check.out" ||
	err "installed xlbd -n on the sample: $(cat "$TMP/check.out")"
"$D/usr/local/bin/xlbctl" -V | grep -q '^xlbctl ' || err "installed xlbctl -V"
"$D/usr/local/sbin/xlb-setup" 2>&1 | grep -q '^usage: xlb-setup' || err "installed xlb-setup"

# a second install over an existing config leaves the config alone
echo "# the admin's own" >"$D/etc/xlb/xlb.conf"
make_q install DESTDIR="$D" || err "second make install"
[ "$(cat "$D/etc/xlb/xlb.conf")" = "# the admin's own" ] || err "make install overwrote xlb.conf"

# uninstall: only the admin's config is left (and the directories above it)
make_q uninstall DESTDIR="$D" || err "make uninstall"
left=$(cd "$D" && find . -type f -printf '%P\n')
[ "$left" = "etc/xlb/xlb.conf" ] || err "after uninstall: $left"
[ -d "$D/usr/local/share/doc/xlb" ] && err "uninstall left share/doc/xlb"

# ---- PREFIX install: the unit against binaries that exist
P=$TMP/prefix
make_q install PREFIX="$P" SYSCONFDIR="$TMP/etc" || err "make install PREFIX=$P"
punit=$P/lib/systemd/system/xlbd.service
grep -q "^ExecStart=$P/sbin/xlbd -f $TMP/etc/xlb/xlb.conf " "$punit" || err "ExecStart with PREFIX: $(grep ^ExecStart= "$punit")"
# verify looks up Documentation= man pages with man(1)
out=$(MANPATH="$P/share/man" systemd-analyze verify "$punit" 2>&1)
[ $? -eq 0 ] && [ -z "$out" ] || err "systemd-analyze verify: $out"
sec=$(systemd-analyze security --offline=true "$punit" 2>&1 | grep 'Overall exposure level')
echo "$sec"
case $sec in
*" OK "* | *" MEDIUM "*) ;;
*) err "exposure above MEDIUM: $sec" ;;
esac

[ $errors -eq 0 ] || exit 1
echo "install: files, modes, unit, sample config, no overwrite, uninstall, systemd-analyze verify"
