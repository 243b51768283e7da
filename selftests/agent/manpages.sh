#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The man pages against the programs: every page in doc/ renders without
# a warning (mandoc -T lint, groff -ww); every option xlbd -h and xlbctl -h
# list is documented in the page's OPTIONS and every option documented
# there exists; every xlbctl command of `xlbctl help` has an entry in
# COMMANDS and every entry there is a command; every statement keyword of
# the normalized print (xlbd -nv) of the sample and golden configs is in
# xlb.conf(5).
set -u
cd "$(dirname "$0")/../.." || exit 1
XLBD="$BUILD/agent/xlbd"
XLBCTL="$BUILD/tools/xlbctl"
errors=0

err() {
	echo "FAIL: $*"
	errors=$((errors + 1))
}
for t in mandoc groff; do
	command -v $t >/dev/null || { echo "$t not installed (make deps)"; exit 77; }
done

# ---- rendering
for page in doc/*.[1-8]; do
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	[ $? -eq 0 ] && [ -z "$out" ] || err "mandoc -T lint $page: $out"
	out=$(groff -man -ww -z "$page" 2>&1)
	[ -z "$out" ] || err "groff -ww $page: $out"
done

# The tags (.TP's next line) of section SECTION of a page, roff removed:
# `.BI "backend set " "VIP BACKEND"` -> `backend set VIP BACKEND`.
tags() {
	awk -v sect="$2" '
		/^\.SH / { in_sect = ($0 == ".SH " sect); next }
		in_sect && /^\.TP/ { want = 1; next }
		in_sect && want { print; want = 0 }
	' "$1" | sed -e 's/^\.[A-Z]* //' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/"//g' \
		-e 's/  */ /g'
}

# The single-letter options of a tag list or a help text: -x at a word start.
opts_of() { grep -o -- '\(^\|[ [|]\)-[a-zA-Z]' | tr -d ' [|' | sort -u; }
# The GNU long options: --word.
longopts_of() { grep -o -- '--[a-z][a-z-]*' | sort -u; }

# same_set WHAT LIST_A NAME_A LIST_B NAME_B: every line of each is in the other
same_set() {
	local missing
	missing=$(comm -23 <(echo "$2" | sort -u) <(echo "$4" | sort -u) | tr '\n' ' ')
	[ -z "${missing// /}" ] || err "$1 in $3 but not in $5: $missing"
	missing=$(comm -13 <(echo "$2" | sort -u) <(echo "$4" | sort -u) | tr '\n' ' ')
	[ -z "${missing// /}" ] || err "$1 in $5 but not in $3: $missing"
}

# ---- xlbd(8)
help=$("$XLBD" -h) || err "xlbd -h exits non-zero"
same_set "xlbd options" "$( { echo "$help"; echo " -h"; } | opts_of)" "xlbd -h" \
	"$(tags doc/xlbd.8 OPTIONS | opts_of)" "xlbd(8) OPTIONS"
same_set "xlbd long options" "$(echo "$help" | longopts_of)" "xlbd -h" \
	"$(tags doc/xlbd.8 OPTIONS | longopts_of)" "xlbd(8) OPTIONS"
for sig in SIGHUP SIGTERM SIGINT; do
	grep -q "$sig" doc/xlbd.8 || err "xlbd(8) does not mention $sig"
done

# ---- xlbctl(8)
help=$("$XLBCTL" -h) || err "xlbctl -h exits non-zero"
same_set "xlbctl options" "$(echo "$help" | grep '^-' | opts_of)" "xlbctl -h" \
	"$(tags doc/xlbctl.8 OPTIONS | opts_of)" "xlbctl(8) OPTIONS"
same_set "xlbctl long options" "$(echo "$help" | grep '^-' | longopts_of)" "xlbctl -h" \
	"$(tags doc/xlbctl.8 OPTIONS | longopts_of)" "xlbctl(8) OPTIONS"
# Commands: the leading lower-case words of each entry, `a|b` as two
# commands (`bgp neighbor shutdown|enable NEIGHBOR`).
cmd_words() {
	awk '{
		n = 0
		for (i = 1; i <= NF && $i ~ /^[a-z][a-z|-]*$/; i++)
			w[++n] = $i
		if (!n)
			next
		k = split(w[n], alt, "|")
		prefix = ""
		for (i = 1; i < n; i++)
			prefix = prefix w[i] " "
		for (i = 1; i <= k; i++)
			print prefix alt[i]
	}' | sort -u
}
listed=$( { "$XLBCTL" help | sed -n 's/^  \([a-z]\)/\1/p' | sed 's/  .*//'; echo help; } | cmd_words)
[ "$(echo "$listed" | wc -l)" -ge 10 ] || err "xlbctl help lists too few commands: $listed"
same_set "xlbctl commands" "$listed" "xlbctl help" \
	"$(tags doc/xlbctl.8 COMMANDS | cmd_words)" "xlbctl(8) COMMANDS"
# long options of commands (--now)
for o in $("$XLBCTL" help | grep -o -- '--[a-z-]*' | sort -u); do
	grep -q -- "${o//-/\\\\-}" doc/xlbctl.8 || err "xlbctl(8) does not document $o"
done

# ---- xlb.conf(5): every statement keyword the normalized print writes
words=$(for f in doc/examples/xlb.conf selftests/agent/conf/*.conf; do
	"$XLBD" -nv -f "$f" || err "xlbd -nv -f $f fails"
done | awk '$1 ~ /^[a-z][a-z-]*$/ { print $1 }' | sort -u)
[ "$(echo "$words" | wc -l)" -ge 30 ] || err "too few keywords from xlbd -nv: $words"
# the words of the page's entries: .TP tags and the synopses in .nf blocks
documented=$(awk '
	/^\.nf/ { nf = 1 } /^\.fi/ { nf = 0 }
	/^\.B/ && (nf || prev ~ /^\.TP/) { print }
	{ prev = $0 }
' doc/xlb.conf.5 | sed -e 's/^\.[A-Z]* //' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/[]["{}|]/ /g' |
	tr ' ' '\n' | sort -u)
for w in $words; do
	echo "$documented" | grep -qx -- "$w" || err "xlb.conf(5) has no entry for '$w'"
done

[ $errors -eq 0 ] || exit 1
echo "man pages: lint clean, options, commands and config keywords documented"
