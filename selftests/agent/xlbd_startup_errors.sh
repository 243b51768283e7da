#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbd never fails silently, and `xlbd -n` says what will not work here.
#
# Start-up failures, with stderr a file (not a terminal), no -d, and no
# syslog to catch anything (xlbd logs to syslog then; this test runs it in
# a mount namespace where /dev/log does not exist): each exits non-zero
# with an `error:` line on stderr — a config error, a missing XDP
# interface, a user that does not exist, `-v` without `-n`. With -d the
# lines carry an ISO 8601 time with milliseconds. Under systemd (stderr is
# the journal, JOURNAL_STREAM names it) the error goes to syslog alone.
#
# `xlbd -n` on a config that parses but asks for what this host lacks: a
# warning line each (FILE:LINE: warning: ...), exit 0; with --strict the
# warnings are errors (exit 1); a config without such things has none.
set -u
cd "$(dirname "$0")/../.." || exit 1
XLBD="$BUILD/agent/xlbd"
command -v unshare >/dev/null || { echo "unshare not installed"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (mount namespace)"; exit 77; }
T=$(mktemp -d /tmp/xlb-startup.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
chmod 0755 "$T"
errors=0

err() {
	echo "FAIL: $*"
	errors=$((errors + 1))
}

# nolog NAME ARGS...: xlbd ARGS with stderr to $T/NAME.err, stdout to
# NAME.out, no terminal, and no /dev/log (a tmpfs over /dev hides it, with
# /dev/null kept); the status in NAME.rc
nolog() {
	local name=$1
	shift
	unshare -m sh -c 'mount -t tmpfs none /dev && touch /dev/null &&
		mount --bind "$1" /dev/null && shift && exec "$@"' sh "$T/devnull" \
		env -u JOURNAL_STREAM "$XLBD" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	echo $? >"$T/$name.rc"
}
: >"$T/devnull"
rc() { cat "$T/$1.rc"; }

# fails NAME STATUS ERE: exit STATUS, an error: line matching ERE on stderr
fails() {
	[ "$(rc "$1")" = "$2" ] || err "$1: exit $(rc "$1"), want $2 (stderr: $(cat "$T/$1.err"))"
	grep -qE -- "$3" "$T/$1.err" || err "$1: no line /$3/ on stderr: '$(cat "$T/$1.err")'"
}

base() {
	cat <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }
encap-source 192.0.2.10
pin-path $T/pins
control-socket $T/xlbd.sock
state-file $T/state
EOF
}

# ---- start-up failures, syslog mode, no /dev/log
{ base; echo "vip 203.0.113.10 local { frobnicate }"; } >"$T/bad.conf"
nolog badconf -f "$T/bad.conf"
fails badconf 1 "^[^ ]* ?error: $T/bad.conf:8: "

{ base; echo "xdp interface xlbnosuch0"; echo "vip 203.0.113.10 tcp 80 { backend 192.0.2.50 }"; } \
	>"$T/noif.conf"
nolog noif -f "$T/noif.conf"
fails noif 1 "error: xdp interface xlbnosuch0: no such interface"
grep -q "warning: .*xlbnosuch0" "$T/noif.err" && err "noif: the missing interface is a warning"
[ -e "$T/pins" ] && err "noif: the pin directory was made: something was touched"
[ -e "$T/xlbd.sock" ] && err "noif: a control socket was made"

{ base; echo "vip 203.0.113.10 local { name web }"; } >"$T/ok.conf"
nolog nouser -u xlb-no-such-user -f "$T/ok.conf"
fails nouser 1 "error: .*xlb-no-such-user"

# the issue's case: -v without -n (a typo for -nv) is refused, loudly
nolog vonly -v -f "$T/ok.conf"
fails vonly 2 "-v only goes with -n"

# -d: the same lines, each with its time
"$XLBD" -d -f "$T/noif.conf" >/dev/null 2>"$T/d.err" </dev/null
ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{2}:[0-9]{2}'
grep -qE "^$ts error: xdp interface xlbnosuch0" "$T/d.err" ||
	err "-d: no ISO 8601 time with milliseconds on the error line: $(cat "$T/d.err")"
bad=$(grep -vE "^$ts (error|warning|info|debug): " "$T/d.err")
[ -z "$bad" ] || err "-d: lines without a time: $bad"

# under systemd (stderr is the journal): not twice in the journal
exec 3>"$T/journal.err"
js=$(stat -c '%d:%i' "$T/journal.err")
JOURNAL_STREAM=$js "$XLBD" -f "$T/noif.conf" >/dev/null 2>&3 </dev/null
exec 3>&-
[ -s "$T/journal.err" ] && err "stderr is the journal: the error was written there too: $(cat "$T/journal.err")"

# ---- xlbd -n: warnings for what this host lacks
printf '#!/bin/sh\nexit 0\n' >"$T/root-only.sh"
chmod 0700 "$T/root-only.sh"
printf '#!/bin/sh\nexit 0\n' >"$T/ok.sh"
chmod 0755 "$T/ok.sh"
{
	base
	echo "neighbor 192.0.2.1 { remote-as 65000 }"
	echo "xdp interface xlbnosuch0"
	echo "vip 203.0.113.10 tcp 80 { backend 192.0.2.50 }"
	echo "vip 203.0.113.11 local { name gone; health exec \"$T/missing-check --x\" }"
	echo "vip 203.0.113.12 local { health exec \"xlb-no-such-program\" }"
	echo "vip 203.0.113.13 local { health exec \"$T/root-only.sh\" }"
	echo "vip 203.0.113.14 local { health exec \"$T/ok.sh\"; add-address xlbnosuch1 }"
	echo "vip 203.0.113.15 local { health exec \"test -e /etc/hostname\" }"
	echo "vip 2001:db8:ffff::10 local { name web6 }"
} >"$T/warn.conf"
"$XLBD" -n -f "$T/warn.conf" >"$T/n.out" 2>"$T/n.err"
[ $? = 0 ] || err "xlbd -n with warnings: exit non-zero: $(cat "$T/n.err")"
F=$T/warn.conf
for want in \
	"^$F:9: warning: xdp interface xlbnosuch0: no such interface" \
	"^$F:11: warning: vip gone \(203.0.113.11/local\): exec check program $T/missing-check: No such file" \
	"^$F:12: warning: vip 203.0.113.12/local: exec check program 'xlb-no-such-program' is not in the checks' PATH" \
	"^$F:13: warning: vip 203.0.113.13/local: exec check program $T/root-only.sh is not executable by its user nobody" \
	"^$F:14: warning: vip 203.0.113.14/local: add-address xlbnosuch1: no such interface" \
	"^$F:16: warning: vip web6 \(2001:db8:ffff::10/local\) is not announced to neighbor 192.0.2.1: an IPv6 route needs an IPv6 next hop" \
	"^$F: configuration OK \(with warnings\)$"; do
	grep -qE "$want" "$T/n.err" || err "xlbd -n: no line /$want/"
done
[ "$(grep -c warning: "$T/n.err")" = 6 ] || err "xlbd -n: not 6 warnings: $(cat "$T/n.err")"
grep -q "ok.sh\|15: " "$T/n.err" && err "xlbd -n warns about a check that is fine"
"$XLBD" -n --strict -f "$T/warn.conf" >/dev/null 2>"$T/strict.err"
[ $? = 1 ] || err "xlbd -n --strict with warnings does not exit 1"
grep -q "6 warnings, refused (--strict)" "$T/strict.err" || err "--strict: $(tail -1 "$T/strict.err")"
"$XLBD" -n --strict -f "$T/ok.conf" >/dev/null 2>"$T/strict-ok.err" ||
	err "xlbd -n --strict on a clean config: $(cat "$T/strict-ok.err")"
[ "$(cat "$T/strict-ok.err")" = "$T/ok.conf: configuration OK" ] ||
	err "a clean config: $(cat "$T/strict-ok.err")"
"$XLBD" --strict -f "$T/ok.conf" >/dev/null 2>&1 </dev/null
[ $? = 2 ] || err "--strict without -n is not a usage error"

[ $errors -eq 0 ] || exit 1
echo "start-up failures: an error: line each without a terminal or syslog; -n: 6 warnings, --strict refuses"
