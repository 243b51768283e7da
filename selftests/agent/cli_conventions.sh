#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The conventions operators expect of xlbd, xlbctl and xlb-setup:
#   - `-V` and `--version` print "PROGRAM VERSION" and exit 0, the three
#     with one string: VERSION at the top of the tree, with what
#     `git describe` says when built from git;
#   - `-h` and `--help` print the usage on stdout and exit 0;
#   - every short option has its GNU long form, which does the same (run
#     both ways and compared); an unknown option is a usage error (exit 2,
#     a message on stderr).
set -u
cd "$(dirname "$0")/../.." || exit 1
XLBD="$BUILD/agent/xlbd"
XLBCTL="$BUILD/tools/xlbctl"
SETUP="$BUILD/tools/xlb-setup"
T=$(mktemp -d /tmp/xlb-cli.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
errors=0

err() {
	echo "FAIL: $*"
	errors=$((errors + 1))
}

# run NAME CMD...: stdout, stderr and status into $T/NAME.{out,err,rc}
run() {
	local name=$1
	shift
	"$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	echo $? >"$T/$name.rc"
}
rc() { cat "$T/$1.rc"; }

# same NAME_A NAME_B WHAT: two runs gave the same status, stdout and stderr
same() {
	[ "$(rc "$1")" = "$(rc "$2")" ] || err "$3: exit $(rc "$1") vs $(rc "$2")"
	cmp -s "$T/$1.out" "$T/$2.out" || err "$3: stdout differs: $(diff "$T/$1.out" "$T/$2.out")"
	cmp -s "$T/$1.err" "$T/$2.err" || err "$3: stderr differs: $(diff "$T/$1.err" "$T/$2.err")"
}

# ---- the version: one string, from VERSION and git (build/version.h, as
# tools/version.sh wrote it when these binaries were built)
want=$(sed -n 's/^#define XLB_VERSION "\(.*\)"$/\1/p' "$BUILD/version.h" 2>/dev/null)
[ -n "$want" ] || err "no XLB_VERSION in $BUILD/version.h"
base=$(cat VERSION)
if [ -e .git ]; then
	# VERSION-gHASH[-dirty], or a release tag's X.Y.Z[-N-gHASH][-dirty]
	hash=$(echo "$want" | sed -n 's/.*-g\([0-9a-f]\{7,\}\)\(-dirty\)\{0,1\}$/\1/p')
	if [ -n "$hash" ]; then
		git cat-file -e "$hash^{commit}" 2>/dev/null ||
			err "version $want: $hash is not a commit of this tree"
	elif ! git describe --tags --match 'v[0-9]*' >/dev/null 2>&1; then
		err "version $want: built from git, but no -gHASH from git describe"
	fi
	case $want in
	"$base"-g* | [0-9]*.[0-9]*) ;;
	*) err "version $want does not start with VERSION ($base) or a release" ;;
	esac
else
	[ "$want" = "$base" ] || err "version $want outside git, VERSION says $base"
fi
versions=""
for prog in "$XLBD" "$XLBCTL" "$SETUP"; do
	name=$(basename "$prog")
	for opt in -V --version; do
		run v "$prog" $opt
		[ "$(rc v)" = 0 ] || err "$name $opt exits $(rc v)"
		[ -s "$T/v.err" ] && err "$name $opt writes to stderr: $(cat "$T/v.err")"
		line=$(head -1 "$T/v.out")
		v=$(echo "$line" | awk -v n="$name" '$1 == n { print $2 }')
		[ -n "$v" ] || err "$name $opt: '$line' is not '$name VERSION'"
		[ "$v" = "$want" ] || err "$name $opt says '$v', build/version.h '$want'"
		versions="$versions$v"$'\n'
	done
done
[ "$(echo -n "$versions" | sort -u | wc -l)" = 1 ] ||
	err "the programs disagree on the version: $(echo -n "$versions" | sort -u | tr '\n' ' ')"

# ---- help: stdout, exit 0; an unknown option: stderr, exit 2
for prog in "$XLBD" "$XLBCTL" "$SETUP"; do
	name=$(basename "$prog")
	for opt in -h --help; do
		run h "$prog" $opt
		[ "$(rc h)" = 0 ] || err "$name $opt exits $(rc h)"
		grep -q -- '--help' "$T/h.out" || err "$name $opt: no usage on stdout (--help not in it)"
		[ -s "$T/h.err" ] && err "$name $opt writes to stderr: $(cat "$T/h.err")"
	done
	for opt in --frobnicate -Z; do
		run u "$prog" $opt
		[ "$(rc u)" = 2 ] || err "$name $opt (unknown) exits $(rc u), not 2"
		[ -s "$T/u.err" ] || err "$name $opt (unknown): nothing on stderr"
		[ -s "$T/u.out" ] && err "$name $opt (unknown) writes to stdout"
	done
	# every long option of the help's option lines is taken (not "unknown")
	for lo in $(grep -E '^ *-' "$T/h.out" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		run l "$prog" "$lo" --frobnicate
		grep -q -- "unrecognized option '$lo'\|unknown option '$lo'" "$T/l.err" &&
			err "$name does not know $lo, which its help lists"
	done
done

# ---- long forms do what the short ones do
cat >"$T/ok.conf" <<EOF
router-id 192.0.2.10
local-as 65010
allowed-prefixes { 203.0.113.0/24 max 32 }
control-socket $T/xlbd.sock
state-file $T/state
neighbor 192.0.2.1 { remote-as 65000 }
vip 203.0.113.10 local { name web }
EOF
run s "$XLBD" -n -f "$T/ok.conf"
run l "$XLBD" --check --config "$T/ok.conf"
same s l "xlbd -n -f / --check --config"
[ "$(rc s)" = 0 ] || err "xlbd -n on a good config: $(cat "$T/s.err")"
run s "$XLBD" -nv -f "$T/ok.conf"
run l "$XLBD" --check --verbose --config="$T/ok.conf"
same s l "xlbd -nv -f / --check --verbose --config="
grep -q '^vip 203.0.113.10 local' "$T/l.out" || err "xlbd --check --verbose prints no config"
# a run that stops at once, before anything is touched: a user that is not
run s "$XLBD" -d -k -u no-such-user-xlb -f "$T/ok.conf"
run l "$XLBD" --debug --keep --user no-such-user-xlb --config "$T/ok.conf"
[ "$(rc s)" = 1 ] && [ "$(rc l)" = 1 ] || err "xlbd -u/--user no-such-user: exit $(rc s)/$(rc l)"
grep -q 'no-such-user-xlb' "$T/l.err" || err "xlbd --user: no message naming the user"
[ "$(sed 's/^[^ ]* //' "$T/s.err")" = "$(sed 's/^[^ ]* //' "$T/l.err")" ] ||
	err "xlbd -u vs --user: $(cat "$T/s.err") / $(cat "$T/l.err")"

run s "$XLBCTL" -j -s "$T/none.sock" status
run l "$XLBCTL" --json --socket "$T/none.sock" status
same s l "xlbctl -j -s / --json --socket"
grep -q "none.sock" "$T/l.err" || err "xlbctl --socket not used: $(cat "$T/l.err")"
run s "$XLBCTL" -p -s "$T/none.sock" status
run l "$XLBCTL" --pretty --socket="$T/none.sock" status
same s l "xlbctl -p / --pretty"
run l "$XLBCTL" --socket
grep -q "needs a SOCKET" "$T/l.err" || err "xlbctl --socket without a path: $(cat "$T/l.err")"

run s "$SETUP" -v -p "$T/no-pins" stats
run l "$SETUP" --verbose --pin-root "$T/no-pins" stats
[ "$(rc s)" = "$(rc l)" ] || err "xlb-setup -p / --pin-root: exit $(rc s) vs $(rc l)"
grep -q "$T/no-pins" "$T/l.err" || err "xlb-setup --pin-root not used: $(cat "$T/l.err")"

[ $errors -eq 0 ] || exit 1
echo "version $want on all three; -h/--help, -V/--version and the long options agree"
