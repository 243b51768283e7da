// SPDX-License-Identifier: GPL-2.0
/*
 * The control command table and its resolver (see commands.h): prefix
 * matching of words, `help` at every level, argument patterns checked and
 * rewritten canonically, VIP and address arguments parsed for both sides.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl/commands.h"

const struct ctl_cmd ctl_cmds[CTL_CMD__COUNT] = {
	{ CTL_CMD_VIP_SHOW, "vip", "show", "[VIP]",
	  "VIPs: state, health, announcement",
	  "Without VIP, every VIP in one line each; with VIP, that one in detail.\n"
	  "Runtime state (disabled, depooled) is shown next to the configured one.", 0 },
	{ CTL_CMD_VIP_DISABLE, "vip", "disable", "VIP",
	  "stop announcing VIP from this node",
	  "Withdraws VIP's route from this node's BGP neighbors, so traffic moves to\n"
	  "the other nodes; packets that still arrive are forwarded. Runtime state,\n"
	  "kept across xlbd restarts until `vip enable`.", 0 },
	{ CTL_CMD_VIP_ENABLE, "vip", "enable", "VIP",
	  "announce VIP again (undo disable)",
	  "VIP is announced again as soon as it has enough healthy backends.", 0 },
	{ CTL_CMD_BACKEND_SHOW, "backend", "show", "VIP",
	  "VIP's backends: weight, state, traffic", NULL, 0 },
	{ CTL_CMD_BACKEND_DEPOOL, "backend", "depool", "VIP BACKEND [--now]",
	  "take BACKEND out of VIP",
	  "BACKEND leaves VIP's Maglev table: new flows go to the other backends,\n"
	  "established flows stay on BACKEND until they end. With --now its\n"
	  "established flows move too (they break). Runtime state, kept across\n"
	  "xlbd restarts until `backend pool`.", 0 },
	{ CTL_CMD_BACKEND_POOL, "backend", "pool", "VIP BACKEND",
	  "put BACKEND back into VIP",
	  "BACKEND takes new flows again as soon as it is healthy.", 0 },
	{ CTL_CMD_BACKEND_SET, "backend", "set", "VIP BACKEND weight N",
	  "change BACKEND's weight in VIP",
	  "Overrides the configured weight (0: no new flows) until set again.\n"
	  "Runtime state, kept across xlbd restarts.", 0 },
	{ CTL_CMD_STATS, NULL, "stats", "",
	  "datapath counters",
	  "Packets passed and dropped by reason, per VIP and per backend.", 0 },
	{ CTL_CMD_RELOAD, NULL, "reload", "",
	  "re-read the config file and apply it",
	  "Parses the config file again; if it is valid, applies the difference\n"
	  "(VIPs, backends, neighbors) without breaking established flows. An\n"
	  "invalid file changes nothing and the error says where it is.",
	  CTL_CMD_F_SLOW },
	{ CTL_CMD_STATUS, NULL, "status", "",
	  "xlbd: version, uptime, config, datapath", NULL, 0 },
	{ CTL_CMD_BGP_SHOW, "bgp", "show", "",
	  "BGP sessions", NULL, 0 },
	{ CTL_CMD_BGP_NEIGHBOR, "bgp", "neighbor", "shutdown|enable NEIGHBOR",
	  "graceful shutdown / re-enable",
	  "shutdown: announce VIPs with the GRACEFUL_SHUTDOWN community (RFC 8326),\n"
	  "then close the session; enable: open it again.", 0 },
	{ CTL_CMD_HEALTH_SHOW, "health", "show", "[VIP]",
	  "health checks", NULL, 0 },
	{ CTL_CMD_BFD_SHOW, "bfd", "show", "",
	  "BFD sessions", NULL, 0 },
};

/* Argument kinds named in patterns, with the legend help prints. */
static const struct {
	const char *token;
	const char *legend;
} arg_kinds[] = {
	{ "VIP", "ADDR:PORT/tcp|udp, [ADDR6]:PORT/tcp|udp, PORT * for all ports,\n"
		 "         ADDR/local for a host-mode VIP, or the VIP's name" },
	{ "BACKEND", "a backend's address" },
	{ "NEIGHBOR", "a BGP neighbor's address" },
	{ "N", "a number" },
};

#define WORDS_MAX 16	/* candidates at one level */

/*
 * Copy s into out as a quotable, one-line, printable form: at most 40
 * bytes, other bytes as '?'. Messages carry it back to terminals and
 * over the wire.
 */
static const char *quote(const char *s, char *out, size_t len)
{
	size_t i, max = len - 4;

	if (max > 40)
		max = 40;
	for (i = 0; s[i] && i < max; i++)
		out[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	if (s[i])
		memcpy(out + i, "...", 4);
	else
		out[i] = '\0';
	return out;
}

#define Q(s) quote((s), (char[48]){ 0 }, 48)

static int usage_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int usage_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Index of the name `word` is, or is the only name it is a prefix of;
 * -1 if none, -2 if several (then err lists them).
 */
static int match_word(const char *word, const char *const *names, size_t n, const char *what,
		      char *err, size_t errlen)
{
	size_t i, wlen = strlen(word), len;
	int found = -1, count = 0;
	char list[256];

	if (!wlen) {
		usage_err(err, errlen, "empty %s", what);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(word, names[i]))
			return i;
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strncmp(word, names[i], wlen))
			continue;
		len = strlen(list);
		snprintf(list + len, sizeof(list) - len, "%s%s", count ? ", " : "", names[i]);
		found = i;
		count++;
	}
	if (count == 1)
		return found;
	if (count > 1) {
		usage_err(err, errlen, "ambiguous %s '%s': %s", what, Q(word), list);
		return -2;
	}
	usage_err(err, errlen, "unknown %s '%s'", what, Q(word));
	return -1;
}

/* Top-level words: objects in table order, commands without object, help. */
static size_t top_words(const char **names)
{
	size_t i, j, n = 0;

	for (i = 0; i < CTL_CMD__COUNT; i++) {
		const char *w = ctl_cmds[i].object ?: ctl_cmds[i].name;

		for (j = 0; j < n; j++)
			if (!strcmp(names[j], w))
				break;
		if (j == n)
			names[n++] = w;
	}
	names[n++] = "help";
	return n;
}

/* Commands of one object, then help; cmds[k] is the row of names[k]. */
static size_t object_words(const char *object, const char **names, const struct ctl_cmd **cmds)
{
	size_t i, n = 0;

	for (i = 0; i < CTL_CMD__COUNT; i++) {
		if (!ctl_cmds[i].object || strcmp(ctl_cmds[i].object, object))
			continue;
		cmds[n] = &ctl_cmds[i];
		names[n++] = ctl_cmds[i].name;
	}
	cmds[n] = NULL;
	names[n++] = "help";
	return n;
}

static bool is_object(const char *w)
{
	size_t i;

	for (i = 0; i < CTL_CMD__COUNT; i++)
		if (ctl_cmds[i].object && !strcmp(ctl_cmds[i].object, w))
			return true;
	return false;
}

static const struct ctl_cmd *toplevel_cmd(const char *w)
{
	size_t i;

	for (i = 0; i < CTL_CMD__COUNT; i++)
		if (!ctl_cmds[i].object && !strcmp(ctl_cmds[i].name, w))
			return &ctl_cmds[i];
	return NULL;
}

int ctl_cmd_format(const struct ctl_cmd *cmd, char *buf, size_t len)
{
	int n;

	if (cmd->object)
		n = snprintf(buf, len, "%s %s", cmd->object, cmd->name);
	else
		n = snprintf(buf, len, "%s", cmd->name);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* ---- help ---- */

static void usage_line(struct buf *out, const char *lead, const struct ctl_cmd *cmd)
{
	char words[64];

	ctl_cmd_format(cmd, words, sizeof(words));
	buf_printf(out, "%s%s %s%s%s\n", lead, CTL_PROG, words, *cmd->args ? " " : "", cmd->args);
}

static void summary_line(struct buf *out, const struct ctl_cmd *cmd)
{
	char words[128];
	int n;

	ctl_cmd_format(cmd, words, sizeof(words));
	n = strlen(words);
	if (*cmd->args)
		snprintf(words + n, sizeof(words) - n, " %s", cmd->args);
	buf_printf(out, "  %-37s  %s\n", words, cmd->summary);
}

/* The legend of every argument kind the given commands use. */
static void legend(struct buf *out, const struct ctl_cmd *const *cmds, size_t n)
{
	bool first = true;
	size_t k, i;

	for (k = 0; k < sizeof(arg_kinds) / sizeof(arg_kinds[0]); k++) {
		size_t tlen = strlen(arg_kinds[k].token);
		bool used = false;

		for (i = 0; i < n && !used; i++) {
			const char *p = cmds[i]->args;

			/* a whole token, possibly in brackets */
			while ((p = strstr(p, arg_kinds[k].token))) {
				bool start = p == cmds[i]->args || p[-1] == ' ' || p[-1] == '[';
				char end = p[tlen];

				if (start && (end == '\0' || end == ' ' || end == ']')) {
					used = true;
					break;
				}
				p += tlen;
			}
		}
		if (!used)
			continue;
		if (first)
			buf_putc(out, '\n');
		first = false;
		buf_printf(out, "%-9s%s\n", arg_kinds[k].token, arg_kinds[k].legend);
	}
}

int ctl_help(struct buf *out, const char *object, const struct ctl_cmd *cmd)
{
	const struct ctl_cmd *sel[CTL_CMD__COUNT];
	size_t i, n = 0, planned = 0;

	if (cmd) {
		usage_line(out, "usage: ", cmd);
		buf_printf(out, "\n%s\n", cmd->summary);
		if (cmd->doc)
			buf_printf(out, "%s\n", cmd->doc);
		if (cmd->flags & CTL_CMD_F_PLANNED)
			buf_puts(out, "Not implemented yet: xlbd answers with an error.\n");
		sel[0] = cmd;
		legend(out, sel, 1);
		return out->err;
	}
	for (i = 0; i < CTL_CMD__COUNT; i++)
		if (!object || (ctl_cmds[i].object && !strcmp(ctl_cmds[i].object, object)))
			sel[n++] = &ctl_cmds[i];
	if (object) {
		buf_printf(out, "usage: " CTL_PROG " [OPTIONS] %s COMMAND [ARGS]\n\n", object);
	} else {
		buf_puts(out, "usage: " CTL_PROG " [-j] [-p] [-s SOCKET] OBJECT COMMAND [ARGS]\n"
			      "       " CTL_PROG " [OPTIONS] help [OBJECT [COMMAND]]\n"
			      "       " CTL_PROG " -h | -V\n\n");
	}
	for (i = 0; i < n; i++) {
		if (sel[i]->flags & CTL_CMD_F_PLANNED)
			planned++;
		else
			summary_line(out, sel[i]);
	}
	if (planned) {
		buf_puts(out, n > planned ? "\nNot implemented yet (xlbd answers with an error):\n"
					  : "Not implemented yet (xlbd answers with an error):\n");
		for (i = 0; i < n; i++)
			if (sel[i]->flags & CTL_CMD_F_PLANNED)
				summary_line(out, sel[i]);
	}
	legend(out, sel, n);
	if (!object) {
		buf_puts(out, "\n"
			 "-j        JSON output\n"
			 "-p        pretty-printed JSON output (implies -j)\n"
			 "-s SOCKET xlbd's control socket (default " CTL_SOCKET_DEFAULT ")\n"
			 "-h, -V    this help, the version\n"
			 "\n"
			 "OBJECT and COMMAND may be abbreviated (`" CTL_PROG " v sh` is `" CTL_PROG
			 " vip show`).\n"
			 "`help` after an OBJECT or a COMMAND explains it. Exit status: 0 done,\n"
			 "1 the command failed, 2 usage error.\n");
	}
	return out->err;
}

int ctl_usage(struct buf *out, const char *object, const struct ctl_cmd *cmd)
{
	const char *names[WORDS_MAX];
	size_t i, n;

	if (cmd) {
		usage_line(out, "usage: ", cmd);
		return out->err;
	}
	if (object) {
		for (i = 0, n = 0; i < CTL_CMD__COUNT; i++)
			if (ctl_cmds[i].object && !strcmp(ctl_cmds[i].object, object))
				usage_line(out, n++ ? "       " : "usage: ", &ctl_cmds[i]);
		return out->err;
	}
	buf_puts(out, "usage: " CTL_PROG " [-j] [-p] [-s SOCKET] OBJECT COMMAND [ARGS]\n"
		      "OBJECT:");
	n = top_words(names);
	for (i = 0; i < n; i++)
		if (is_object(names[i]))
			buf_printf(out, " %s", names[i]);
	buf_puts(out, "; without OBJECT:");
	for (i = 0; i < n; i++)
		if (!is_object(names[i]))
			buf_printf(out, " %s", names[i]);
	buf_puts(out, "\nTry `" CTL_PROG " help`.\n");
	return out->err;
}

/* ---- arguments ---- */

int ctl_addr_parse(const char *s, struct conf_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, s, &addr->addr.v4) == 1) {
		addr->family = XLB_FAMILY_V4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr->addr.bytes) == 1) {
		addr->family = XLB_FAMILY_V6;
		return 0;
	}
	memset(addr, 0, sizeof(*addr));
	return -EINVAL;
}

int ctl_addr_format(const struct conf_addr *addr, char *buf, size_t len)
{
	int af = addr->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;

	if (addr->family != XLB_FAMILY_V4 && addr->family != XLB_FAMILY_V6)
		return -EINVAL;
	return inet_ntop(af, addr->addr.bytes, buf, len) ? 0 : -ENOSPC;
}

static bool name_ok(const char *s)
{
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (i >= CTL_VIP_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int ctl_vip_parse(const char *s, struct ctl_vip *vip, char *err, size_t errlen)
{
	char tmp[CTL_ARG_MAX + 1], *slash, *addr, *port = NULL, *close;
	unsigned long p;
	char *end;

	memset(vip, 0, sizeof(*vip));
	if (strlen(s) > CTL_ARG_MAX)
		return usage_err(err, errlen, "VIP '%s' too long", Q(s));
	strcpy(tmp, s);
	slash = strrchr(tmp, '/');
	if (!slash) {
		if (!name_ok(s))
			return usage_err(err, errlen,
					 "'%s' is not a VIP (ADDR:PORT/PROTO, [ADDR6]:PORT/PROTO, "
					 "ADDR/local or a name)", Q(s));
		vip->is_name = true;
		strcpy(vip->name, s);
		return 0;
	}
	*slash = '\0';
	if (!strcasecmp(slash + 1, "local"))
		vip->local = true;
	else if (!strcasecmp(slash + 1, "tcp"))
		vip->proto = IPPROTO_TCP;
	else if (!strcasecmp(slash + 1, "udp"))
		vip->proto = IPPROTO_UDP;
	else
		return usage_err(err, errlen, "VIP '%s': protocol must be tcp, udp or local", Q(s));

	addr = tmp;
	if (*addr == '[') {
		close = strchr(addr, ']');
		if (!close)
			return usage_err(err, errlen, "VIP '%s': missing ']'", Q(s));
		*close = '\0';
		addr++;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return usage_err(err, errlen, "VIP '%s': expected ':' after ']'", Q(s));
		if (!strchr(addr, ':'))
			return usage_err(err, errlen, "VIP '%s': brackets are for IPv6 addresses",
					 Q(s));
	} else if (!vip->local) {
		port = strrchr(addr, ':');
		if (port)
			*port++ = '\0';
		if (port && strchr(addr, ':'))
			return usage_err(err, errlen,
					 "VIP '%s': write an IPv6 VIP with brackets: [ADDR]:PORT/%s",
					 Q(s), slash + 1);
	}
	if (ctl_addr_parse(addr, &vip->addr)) {
		char *colon = vip->local ? strrchr(addr, ':') : NULL;

		if (colon) {
			*colon = '\0';
			if (inet_pton(AF_INET, addr, &vip->addr.addr.v4) == 1)
				return usage_err(err, errlen, "VIP '%s': a local VIP has no port",
						 Q(s));
			*colon = ':';
		}
		return usage_err(err, errlen, "VIP '%s': '%s' is not an IP address", Q(s), Q(addr));
	}
	if (vip->local) {
		if (port)
			return usage_err(err, errlen, "VIP '%s': a local VIP has no port", Q(s));
		return 0;
	}
	if (!port)
		return usage_err(err, errlen, "VIP '%s': missing :PORT (or :* for all ports)", Q(s));
	if (!strcmp(port, "*"))
		return 0;
	if (*port < '0' || *port > '9')
		return usage_err(err, errlen, "VIP '%s': port must be 1..65535 or *", Q(s));
	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno || *end || p > 65535)
		return usage_err(err, errlen, "VIP '%s': port must be 1..65535 or *", Q(s));
	if (p == 0)
		return usage_err(err, errlen, "VIP '%s': port 0: write * for all ports", Q(s));
	vip->port = p;
	return 0;
}

int ctl_vip_format(const struct ctl_vip *vip, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], port[8];
	bool v6 = vip->addr.family == XLB_FAMILY_V6;
	int n;

	if (vip->is_name) {
		n = snprintf(buf, len, "%s", vip->name);
	} else {
		if (ctl_addr_format(&vip->addr, a, sizeof(a)))
			return -EINVAL;
		if (vip->port)
			snprintf(port, sizeof(port), "%u", vip->port);
		else
			strcpy(port, "*");
		if (vip->local)
			n = snprintf(buf, len, "%s/local", a);
		else
			n = snprintf(buf, len, "%s%s%s:%s/%s", v6 ? "[" : "", a, v6 ? "]" : "",
				     port, vip->proto == IPPROTO_TCP ? "tcp" : "udp");
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

bool ctl_vip_match(const struct ctl_vip *vip, const struct conf_vip *conf)
{
	if (vip->is_name)
		return conf->name && !strcmp(vip->name, conf->name);
	if (vip->addr.family != conf->addr.family || vip->local != conf->local)
		return false;
	if (vip->addr.family == XLB_FAMILY_V4) {
		if (vip->addr.addr.v4 != conf->addr.addr.v4)
			return false;
	} else if (memcmp(vip->addr.addr.bytes, conf->addr.addr.bytes, 16)) {
		return false;
	}
	if (vip->local)
		return true;
	return vip->proto == conf->proto && vip->port == conf->port;
}

/* ---- resolution ---- */

struct resolver {
	struct ctl_request *req;
	size_t used;		/* bytes of req->strings */
	char *err;
	size_t errlen;
};

/* Append word w; *field (if not NULL) points at it too. */
static int add_word(struct resolver *r, const char *w, const char **field)
{
	size_t n = strlen(w) + 1;
	struct ctl_request *req = r->req;

	if (req->argc >= CTL_ARGC_MAX || n > CTL_ARG_MAX + 1 || n > sizeof(req->strings) - r->used)
		return usage_err(r->err, r->errlen, "too many arguments");
	memcpy(req->strings + r->used, w, n);
	req->argv[req->argc++] = req->strings + r->used;
	req->argv[req->argc] = NULL;
	if (field)
		*field = req->strings + r->used;
	r->used += n;
	return 0;
}

/* One positional token of a pattern, without brackets, against one word. */
static int convert_arg(struct resolver *r, const char *cmdname, const char *tok, size_t toklen,
		       const char *word)
{
	char out[CTL_ARG_MAX + 1], kw[64];
	const char *names[WORDS_MAX];
	struct conf_addr addr;
	struct ctl_vip vip;
	size_t n = 0;
	char *p, *end;
	unsigned long v;
	int i;

	struct ctl_args *a = &r->req->args;

	if (toklen == 3 && !strncmp(tok, "VIP", 3)) {
		char why[160];

		if (ctl_vip_parse(word, &vip, why, sizeof(why)))
			return usage_err(r->err, r->errlen, "%s: %s", cmdname, why);
		ctl_vip_format(&vip, out, sizeof(out));
		return add_word(r, out, &a->vip);
	}
	if ((toklen == 7 && !strncmp(tok, "BACKEND", 7)) ||
	    (toklen == 8 && !strncmp(tok, "NEIGHBOR", 8))) {
		if (ctl_addr_parse(word, &addr))
			return usage_err(r->err, r->errlen, "%s: %.*s '%s' is not an IP address",
					 cmdname, (int)toklen, tok, Q(word));
		ctl_addr_format(&addr, out, sizeof(out));
		return add_word(r, out, toklen == 7 ? &a->backend : &a->neighbor);
	}
	if (toklen == 1 && tok[0] == 'N') {
		errno = 0;
		v = strtoul(word, &end, 10);
		if (*word < '0' || *word > '9' || errno || *end || v > 0xffffffffUL)
			return usage_err(r->err, r->errlen, "%s: '%s' is not a number (0..%u)",
					 cmdname, Q(word), 0xffffffffU);
		a->n = v;
		snprintf(out, sizeof(out), "%lu", v);
		return add_word(r, out, NULL);
	}
	/* keyword or keyword|keyword */
	if (toklen >= sizeof(kw))
		return -EINVAL;
	memcpy(kw, tok, toklen);
	kw[toklen] = '\0';
	for (p = strtok_r(kw, "|", &end); p && n < WORDS_MAX; p = strtok_r(NULL, "|", &end))
		names[n++] = p;
	i = match_word(word, names, n, "keyword", r->err, r->errlen);
	if (i < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", r->err ? r->err : "");
		return usage_err(r->err, r->errlen, "%s: %s (expected %.*s)", cmdname, why,
				 (int)toklen, tok);
	}
	return add_word(r, names[i], n > 1 ? &a->keyword : NULL);
}

/* The field of struct ctl_args an option sets (the options patterns name). */
static int add_option(struct resolver *r, const char *flag)
{
	if (!strcmp(flag, "--now"))
		r->req->args.now = true;
	return add_word(r, flag, NULL);
}

/* Check args against cmd->args and append them canonically. */
static int parse_args(struct resolver *r, const struct ctl_cmd *cmd, int argc,
		      char *const *argv)
{
	const char *flags[8];
	bool flag_set[8] = { false };
	const char *toks[16];
	size_t toklens[16];
	bool opt[16];
	size_t nflags = 0, ntoks = 0, t, f;
	char cmdname[64], pat[128], *p, *save;
	bool used[CTL_ARGC_MAX + 1] = { false };
	int i, next = 0, err;

	ctl_cmd_format(cmd, cmdname, sizeof(cmdname));
	if (argc > CTL_ARGC_MAX)
		return usage_err(r->err, r->errlen, "%s: too many arguments", cmdname);
	snprintf(pat, sizeof(pat), "%s", cmd->args);
	for (p = strtok_r(pat, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		size_t len = strlen(p);

		if (!strncmp(p, "[--", 3) && nflags < 8) {
			p[len - 1] = '\0';
			flags[nflags++] = p + 1;
		} else if (ntoks < 16) {
			opt[ntoks] = p[0] == '[';
			toks[ntoks] = p + opt[ntoks];
			toklens[ntoks] = len - 2 * opt[ntoks];
			ntoks++;
		}
	}

	/* options first, wherever they stand */
	for (i = 0; i < argc; i++) {
		char why[160];
		int k;

		if (argv[i][0] != '-' || argv[i][1] != '-')
			continue;
		if (!argv[i][2])
			return usage_err(r->err, r->errlen, "%s: unknown option '--'", cmdname);
		k = nflags ? match_word(argv[i], flags, nflags, "option", why, sizeof(why)) : -1;
		if (k < 0) {
			if (!nflags)
				snprintf(why, sizeof(why), "unknown option '%s'", Q(argv[i]));
			return usage_err(r->err, r->errlen, "%s: %s", cmdname, why);
		}
		flag_set[k] = true;
		used[i] = true;
	}

	for (t = 0; t < ntoks; t++) {
		while (next < argc && used[next])
			next++;
		if (next >= argc) {
			if (opt[t])
				break;
			return usage_err(r->err, r->errlen, "%s: missing %.*s", cmdname,
					 (int)toklens[t], toks[t]);
		}
		err = convert_arg(r, cmdname, toks[t], toklens[t], argv[next]);
		if (err)
			return err;
		used[next++] = true;
	}
	for (i = 0; i < argc; i++)
		if (!used[i])
			return usage_err(r->err, r->errlen, "%s: unexpected argument '%s'", cmdname,
					 Q(argv[i]));
	for (f = 0; f < nflags; f++)
		if (flag_set[f] && (err = add_option(r, flags[f])))
			return err;
	return 0;
}

/* What the words name: an object and maybe a command. Sets *nused to the
 * words consumed; *cmd NULL and *object set when only an object was named
 * (or it was followed by help). */
enum walk_end { WALK_CMD, WALK_OBJECT, WALK_HELP_TOP, WALK_HELP_OBJECT };

static int walk(int argc, char *const *argv, const char **object, const struct ctl_cmd **cmd,
		int *nused, enum walk_end *end, char *err, size_t errlen)
{
	const char *names[WORDS_MAX];
	const struct ctl_cmd *cmds[WORDS_MAX];
	size_t n;
	int i;

	*object = NULL;
	*cmd = NULL;
	*nused = 0;
	if (argc < 1)
		return usage_err(err, errlen, "missing OBJECT or command");
	n = top_words(names);
	i = match_word(argv[0], names, n, "object or command", err, errlen);
	if (i < 0)
		return -EINVAL;
	*nused = 1;
	if (!strcmp(names[i], "help")) {
		*end = WALK_HELP_TOP;
		return 0;
	}
	if (!is_object(names[i])) {
		*cmd = toplevel_cmd(names[i]);
		*end = WALK_CMD;
		return 0;
	}
	*object = names[i];
	if (argc < 2) {
		*end = WALK_OBJECT;
		return 0;
	}
	n = object_words(*object, names, cmds);
	i = match_word(argv[1], names, n, "command", err, errlen);
	if (i < 0) {
		char why[200];

		snprintf(why, sizeof(why), "%s", err ? err : "");
		return usage_err(err, errlen, "%s: %s", *object, why);
	}
	*nused = 2;
	if (!cmds[i]) {
		*end = WALK_HELP_OBJECT;
		return 0;
	}
	*cmd = cmds[i];
	*end = WALK_CMD;
	return 0;
}

/* `show` of object, if it takes no required argument. */
static const struct ctl_cmd *default_cmd(const char *object)
{
	size_t i;

	for (i = 0; i < CTL_CMD__COUNT; i++) {
		const struct ctl_cmd *c = &ctl_cmds[i];

		if (c->object && !strcmp(c->object, object) && !strcmp(c->name, "show") &&
		    (!*c->args || c->args[0] == '['))
			return c;
	}
	return NULL;
}

static int help_for(int argc, char *const *argv, char *err, size_t errlen, struct buf *text)
{
	const struct ctl_cmd *cmd;
	const char *object;
	enum walk_end end;
	int nused, ret;

	if (argc == 0)
		return ctl_help(text, NULL, NULL) ?: CTL_HELP;
	ret = walk(argc, argv, &object, &cmd, &nused, &end, err, errlen);
	if (ret) {
		ctl_usage(text, nused >= 1 ? object : NULL, NULL);
		return ret;
	}
	if (end == WALK_HELP_TOP)
		return ctl_help(text, NULL, NULL) ?: CTL_HELP;
	if (cmd)
		return ctl_help(text, NULL, cmd) ?: CTL_HELP;
	return ctl_help(text, object, NULL) ?: CTL_HELP;
}

int ctl_resolve(int argc, char *const *argv, struct ctl_request *req, char *err, size_t errlen,
		struct buf *text)
{
	struct resolver r = { .req = req, .err = err, .errlen = errlen };
	const struct ctl_cmd *cmd;
	const char *object;
	enum walk_end end;
	int nused, ret;

	req->cmd = NULL;
	req->argc = 0;
	req->first_arg = 0;
	req->argv[0] = NULL;
	memset(&req->args, 0, sizeof(req->args));
	if (err && errlen)
		err[0] = '\0';

	ret = walk(argc, argv, &object, &cmd, &nused, &end, err, errlen);
	if (ret) {
		/* usage of what was recognised */
		ctl_usage(text, nused >= 1 ? object : NULL, NULL);
		return ret;
	}
	switch (end) {
	case WALK_HELP_TOP:
		return help_for(argc - 1, argv + 1, err, errlen, text);
	case WALK_HELP_OBJECT:
		return ctl_help(text, object, NULL) ?: CTL_HELP;
	case WALK_OBJECT:
		cmd = default_cmd(object);
		if (!cmd) {
			ctl_usage(text, object, NULL);
			return usage_err(err, errlen, "%s: missing COMMAND", object);
		}
		break;
	case WALK_CMD:
		break;
	}
	if (nused < argc && !strcmp(argv[nused], "help"))
		return ctl_help(text, NULL, cmd) ?: CTL_HELP;

	if (cmd->object)
		ret = add_word(&r, cmd->object, NULL);
	ret = ret ?: add_word(&r, cmd->name, NULL);
	req->first_arg = req->argc;
	ret = ret ?: parse_args(&r, cmd, argc - nused, argv + nused);
	if (ret) {
		ctl_usage(text, NULL, cmd);
		req->argc = 0;
		req->argv[0] = NULL;
		memset(&req->args, 0, sizeof(req->args));
		return ret;
	}
	req->cmd = cmd;
	return 0;
}

const struct ctl_cmd *ctl_cmd_lookup(int argc, char *const *argv, int *first_arg)
{
	size_t i;

	for (i = 0; i < CTL_CMD__COUNT; i++) {
		const struct ctl_cmd *c = &ctl_cmds[i];

		if (c->object) {
			if (argc < 2 || strcmp(argv[0], c->object) || strcmp(argv[1], c->name))
				continue;
			*first_arg = 2;
		} else {
			if (argc < 1 || strcmp(argv[0], c->name))
				continue;
			*first_arg = 1;
		}
		return c;
	}
	return NULL;
}
