#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbctl's bash completion (`xlbctl completion bash`, written from the
# command table) offers every command: run in bash as bash runs it
# (COMP_WORDS, COMP_CWORD, then the function `complete -p` names), it
# gives every OBJECT and command of `xlbctl help` at the top, each
# object's commands (after an abbreviation too), the keywords and options
# of the commands' patterns, and xlbctl's own options. The truth is
# `xlbctl help`, not the generator's table walk.
set -u
cd "$(dirname "$0")/../.." || exit 1
XLBCTL="$BUILD/tools/xlbctl"
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
errors=0
err() {
	echo "FAIL: $*"
	errors=$((errors + 1))
}

"$XLBCTL" completion bash >"$TMP/xlbctl.bash" || { echo "FAIL: xlbctl completion bash"; exit 1; }
bash -n "$TMP/xlbctl.bash" || err "the script does not parse"
cmp -s "$TMP/xlbctl.bash" "$BUILD/tools/xlbctl.bash" || err "the build's xlbctl.bash is stale"

# offers WORD...: the completions bash computes for that command line
# (the word under the cursor is the last one), one per line, sorted
offers() {
	bash -c '
		. "$1"; shift
		fn=$(complete -p xlbctl | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		COMP_WORDS=(xlbctl "$@")
		COMP_CWORD=$#
		"$fn"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$TMP/xlbctl.bash" "$@" | sed '/^$/d' | sort
}
# want "LINE" "WORDS": each of WORDS is offered for LINE (a LINE that
# ends in a space completes a new, empty word)
want() {
	local got w words
	read -ra words <<<"$1"
	[[ $1 == *" " || -z $1 ]] && words+=("")
	got=$(offers "${words[@]}")
	for w in $2; do
		echo "$got" | grep -qx -- "$w" || err "'xlbctl $1' does not offer '$w' (offers: $(echo $got))"
	done
}

# every command of xlbctl help: "  OBJ CMD ARGS  summary" or "  CMD ARGS  summary"
help=$("$XLBCTL" help | sed -n 's/^  \([a-z][a-z]*\)\( [a-z][a-z]*\)\{0,1\}.*/\1\2/p' | sort -u)
[ "$(echo "$help" | wc -l)" -ge 14 ] || err "xlbctl help lists too few commands: $help"
tops=$(echo "$help" | awk '{ print $1 }' | sort -u)
top_offers=$(offers "")
for t in $tops help; do
	echo "$top_offers" | grep -qx "$t" || err "top level does not offer '$t'"
done
# the shortest prefix of $1 that no other top-level word starts with
short() {
	local i p
	for ((i = 1; i <= ${#1}; i++)); do
		p=${1:0:i}
		[ "$(printf '%s\n' $tops help | grep -c "^$p")" = 1 ] && { echo "$p"; return; }
	done
	echo "$1"
}
n=0
while read -r obj cmd; do
	[ -n "$cmd" ] || continue
	# an object's words: its commands; "completion bash" is a command
	# with a keyword, offered the same way
	want "$obj " "$cmd"
	want "$(short "$obj") " "$cmd"
	n=$((n + 1))
done <<<"$help"
[ $n -ge 12 ] || err "only $n object commands checked"

# keywords and options of the patterns, xlbctl's own options
want "backend set web 198.51.100.11 " weight
want "bgp neighbor " "shutdown enable"
want "flow lookup 198.51.100.7:40000 203.0.113.10:80 " "tcp udp"
want "completion " bash
want "backend depool web 198.51.100.11 --" --now
want "vip disable --" --address
want "vip enable --" --address
want "flow show --" --limit
want "-" "-j -p -s -h -V"
want "-j " "vip backend"
want "-s /run/x.sock v " "show disable enable"
# nothing where a value goes
[ -z "$(offers backend set web 198.51.100.11 weight "")" ] || err "offers a word for N"
[ -z "$(offers frob "")" ] || err "offers words after an unknown object"

[ $errors -eq 0 ] || exit 1
echo "completion: every command of xlbctl help offered ($n object commands), keywords and options"
