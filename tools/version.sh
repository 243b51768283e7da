#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tools/version.sh OUT: writes OUT (build/version.h) with XLB_VERSION, the
# one version string of xlbd, xlbctl and xlb-setup. VERSION at the top of
# the tree holds the release; built from git it becomes what `git describe`
# says: a release tag vX.Y.Z as X.Y.Z (plus commits since, -dirty), else
# VERSION-gHASH[-dirty]. Outside git (a tarball): VERSION alone. OUT is
# rewritten only when the string changes, so only the files that print it
# are compiled again.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
base=$(cat "$top/VERSION")
v=$base
if [ -e "$top/.git" ] && command -v git >/dev/null 2>&1; then
	if desc=$(git -C "$top" describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
		v=${desc#v}
	elif desc=$(git -C "$top" describe --always --dirty 2>/dev/null); then
		v="$base-g$desc"
	fi
fi
mkdir -p "$(dirname "$out")"
line="#define XLB_VERSION \"$v\""
if [ ! -f "$out" ] || [ "$(cat "$out")" != "$line" ]; then
	printf '%s\n' "$line" > "$out.tmp"
	mv "$out.tmp" "$out"
fi
