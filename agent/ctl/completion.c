// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl completion bash`: the bash completion script, written from the
 * command table (commands.c) so it offers exactly the commands, keywords
 * and options xlbctl takes, and cannot drift from them. It completes
 * xlbctl's options, OBJECT and COMMAND (after an abbreviation too, as
 * xlbctl resolves prefixes), the keywords and options of each command's
 * pattern, and VIP arguments with the names of the running xlbd's VIPs
 * (asked with `xlbctl -j vip show`, on the socket given with -s).
 */
#include <string.h>

#include "ctl/commands.h"

/* The words a pattern token offers: a keyword, keyword alternatives
 * (a|b), or nothing for an argument kind (VIP, N, ...). */
static void token_words(struct buf *out, const char *tok, size_t len)
{
	size_t i;

	if (len && tok[0] >= 'a' && tok[0] <= 'z')
		for (i = 0; i < len; i++)
			buf_putc(out, tok[i] == '|' ? ' ' : tok[i]);
}

/* Is the (unbracketed) token a VIP argument? */
static bool token_vip(const char *tok, size_t len)
{
	return (len >= 3 && !strncmp(tok, "VIP", 3) && (len == 3 || tok[3] == '|' || tok[3] == '['));
}

/*
 * One command's case: positional words by index (pos[N]), the VIP
 * positions (vip[N]=1) and the options (opts).
 */
static void command_case(struct buf *out, const struct ctl_cmd *c)
{
	char pat[160], *p, *save;
	int pos = 0;

	buf_printf(out, "\t\"%s%s%s\")\n", c->object ? c->object : "", c->object ? " " : "",
		   c->name);
	buf_puts(out, "\t\topts=\"");
	snprintf(pat, sizeof(pat), "%s", c->args);
	for (p = strtok_r(pat, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		char *bar = strstr(p, "|--");

		if (!strncmp(p, "[--", 3) || bar) {
			const char *o = bar ? bar + 1 : p + 1;

			buf_printf(out, "%.*s ", (int)strcspn(o, "] "), o);
		}
	}
	buf_puts(out, "\"\n");
	snprintf(pat, sizeof(pat), "%s", c->args);
	for (p = strtok_r(pat, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		size_t len = strlen(p);

		if (!strncmp(p, "[--", 3)) {
			/* an option's value is a word of its own, not a position */
			if (p[len - 1] != ']')
				strtok_r(NULL, " ", &save);
			continue;
		}
		if (strstr(p, "|--"))
			strtok_r(NULL, " ", &save);
		if (p[0] == '[') {
			p++;
			len -= 2;
		}
		buf_printf(out, "\t\tpos[%d]=\"", pos);
		token_words(out, p, len);
		buf_puts(out, "\"\n");
		if (token_vip(p, len))
			buf_printf(out, "\t\tvip[%d]=1\n", pos);
		pos++;
	}
	buf_puts(out, "\t\t;;\n");
}

/* The options that take a value ("--address --limit"), as a case
 * pattern ("--address | --limit"); "--" alone (matching nothing xlbctl
 * takes) when there are none. */
static void valued_options(struct buf *out)
{
	char pat[160], *p, *save;
	bool any = false;
	size_t i;

	for (i = 0; i < CTL_CMD__COUNT; i++) {
		snprintf(pat, sizeof(pat), "%s", ctl_cmds[i].args);
		for (p = strtok_r(pat, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
			char *bar = strstr(p, "|--");
			const char *o = bar ? bar + 1 : p + 1;
			size_t len = strcspn(o, "] ");

			if (!bar && (strncmp(p, "[--", 3) || p[strlen(p) - 1] == ']'))
				continue;
			buf_printf(out, "%s%.*s", any ? " | " : "", (int)len, o);
			any = true;
		}
	}
	if (!any)
		buf_puts(out, "--");
}

/* words: the objects and the commands without object, then help */
static void top_words(struct buf *out)
{
	size_t i, j;

	for (i = 0; i < CTL_CMD__COUNT; i++) {
		const char *w = ctl_cmds[i].object ?: ctl_cmds[i].name;

		for (j = 0; j < i; j++)
			if (!strcmp(ctl_cmds[j].object ?: ctl_cmds[j].name, w))
				break;
		if (j == i)
			buf_printf(out, "%s ", w);
	}
	buf_puts(out, "help");
}

int ctl_completion_bash(struct buf *out)
{
	size_t i, j;

	buf_puts(out,
		 "# bash completion for " CTL_PROG ", written by `" CTL_PROG " completion bash`\n"
		 "# from its command table: regenerate it, never edit it.\n"
		 "\n"
		 "# the one word of \"$2\" that \"$1\" is, or is an unambiguous prefix of\n"
		 "_xlbctl_word() {\n"
		 "\tlocal w found= n=0\n"
		 "\tfor w in $2; do\n"
		 "\t\t[ \"$w\" = \"$1\" ] && { echo \"$w\"; return; }\n"
		 "\t\tcase $w in \"$1\"*) found=$w; n=$((n + 1)) ;; esac\n"
		 "\tdone\n"
		 "\t[ $n -eq 1 ] && echo \"$found\"\n"
		 "}\n"
		 "\n"
		 "_xlbctl() {\n"
		 "\tlocal cur=${COMP_WORDS[COMP_CWORD]} i=1 sock= obj cmd key opts w n=0\n"
		 "\tlocal -a pos=() vip=() args=()\n"
		 "\tCOMPREPLY=()\n"
		 "\t# xlbctl's own options come first\n"
		 "\twhile [ $i -lt $COMP_CWORD ]; do\n"
		 "\t\tcase ${COMP_WORDS[i]} in\n"
		 "\t\t-s) sock=${COMP_WORDS[i + 1]}; i=$((i + 2)) ;;\n"
		 "\t\t-*) i=$((i + 1)) ;;\n"
		 "\t\t*) break ;;\n"
		 "\t\tesac\n"
		 "\tdone\n"
		 "\tif [ \"${COMP_WORDS[COMP_CWORD - 1]}\" = -s ]; then\n"
		 "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
		 "\t\treturn\n"
		 "\tfi\n"
		 "\tif [ $i -eq $COMP_CWORD ]; then\n"
		 "\t\tcase $cur in\n"
		 "\t\t-*) COMPREPLY=($(compgen -W \"-j -p -s -h -V\" -- \"$cur\")) ;;\n"
		 "\t\t*) COMPREPLY=($(compgen -W \"");
	top_words(out);
	buf_puts(out, "\" -- \"$cur\")) ;;\n"
		      "\t\tesac\n"
		      "\t\treturn\n"
		      "\tfi\n"
		      "\tobj=$(_xlbctl_word \"${COMP_WORDS[i]}\" \"");
	top_words(out);
	buf_puts(out, "\")\n"
		      "\t[ -n \"$obj\" ] || return\n"
		      "\ti=$((i + 1))\n"
		      "\tcase $obj in\n"
		      "\thelp)\n"
		      "\t\t[ $i -eq $COMP_CWORD ] && COMPREPLY=($(compgen -W \"");
	top_words(out);
	buf_puts(out, "\" -- \"$cur\"))\n"
		      "\t\treturn ;;\n");
	/* an object's commands */
	for (i = 0; i < CTL_CMD__COUNT; i++) {
		const char *o = ctl_cmds[i].object;

		if (!o)
			continue;
		for (j = 0; j < i; j++)
			if (ctl_cmds[j].object && !strcmp(ctl_cmds[j].object, o))
				break;
		if (j < i)
			continue;
		buf_printf(out, "\t%s)\n\t\tw=\"", o);
		for (j = i; j < CTL_CMD__COUNT; j++)
			if (ctl_cmds[j].object && !strcmp(ctl_cmds[j].object, o))
				buf_printf(out, "%s ", ctl_cmds[j].name);
		buf_puts(out, "help\"\n"
			      "\t\tif [ $i -eq $COMP_CWORD ]; then\n"
			      "\t\t\tCOMPREPLY=($(compgen -W \"$w\" -- \"$cur\"))\n"
			      "\t\t\treturn\n"
			      "\t\tfi\n"
			      "\t\tcmd=$(_xlbctl_word \"${COMP_WORDS[i]}\" \"$w\")\n"
			      "\t\t[ -n \"$cmd\" ] || return\n"
			      "\t\tkey=\"$obj $cmd\"\n"
			      "\t\ti=$((i + 1)) ;;\n");
	}
	buf_puts(out, "\t*) key=$obj ;;\n"
		      "\tesac\n"
		      "\tcase $key in\n");
	for (i = 0; i < CTL_CMD__COUNT; i++)
		command_case(out, &ctl_cmds[i]);
	buf_puts(out,
		 "\t*) return ;;\n"
		 "\tesac\n"
		 "\tif [[ $cur == -* ]]; then\n"
		 "\t\tCOMPREPLY=($(compgen -W \"$opts help\" -- \"$cur\"))\n"
		 "\t\treturn\n"
		 "\tfi\n"
		 "\t# the position of the word under the cursor, options and their\n"
		 "\t# values left out\n"
		 "\twhile [ $i -lt $COMP_CWORD ]; do\n"
		 "\t\tcase ${COMP_WORDS[i]} in\n"
		 "\t\t");
	valued_options(out);
	buf_puts(out,
		 ") i=$((i + 2)) ;;\n"
		 "\t\t-*) i=$((i + 1)) ;;\n"
		 "\t\t*) n=$((n + 1)); i=$((i + 1)) ;;\n"
		 "\t\tesac\n"
		 "\tdone\n"
		 "\tcase ${COMP_WORDS[COMP_CWORD - 1]} in ");
	valued_options(out);
	buf_puts(out,
		 ") return ;; esac\n"
		 "\tw=${pos[n]}\n"
		 "\tif [ \"${vip[n]}\" = 1 ]; then\n"
		 "\t\tw=\"$w $(" CTL_PROG " ${sock:+-s \"$sock\"} -j vip show 2>/dev/null |\n"
		 "\t\t\tgrep -o '\"name\":\"[^\"]*\"' | cut -d'\"' -f4)\"\n"
		 "\tfi\n"
		 "\tCOMPREPLY=($(compgen -W \"$w\" -- \"$cur\"))\n"
		 "}\n"
		 "complete -F _xlbctl " CTL_PROG "\n");
	return out->err;
}
