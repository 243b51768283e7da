// SPDX-License-Identifier: GPL-2.0
/*
 * The control command table and its resolver (see commands.h): prefix
 * matching of words, `help` at every level, argument patterns checked and
 * rewritten canonically, VIP and address arguments parsed for both sides.
 */
#include <arpa/inet.h>
#include <ctype.h>
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
	  "VIPs: state, route, backends",
	  "Without VIP, one line per VIP: admin state, whether it is up, its\n"
	  "address's route, usable/total backends (host mode: its check), traffic.\n"
	  "With VIP, that VIP in detail: settings, the route of its address and\n"
	  "the VIPs that hold it up, its backends, its checks.\n"
	  "Runtime state (disabled, depooled) is shown next to the configured one.", 0 },
	{ CTL_CMD_VIP_DISABLE, "vip", "disable", "VIP|--address ADDR",
	  "take VIP (or every VIP on ADDR) out of this node's announcements",
	  "Routes are per address: the address's host route stays announced while\n"
	  "another VIP on it is up, and the answer says which. A disabled VIP's\n"
	  "packets that still arrive are forwarded (a node that dropped them would\n"
	  "black-hole the clients ECMP sends to it). With --address ADDR every VIP\n"
	  "on ADDR is taken out, and so is one a reload adds there: the route is\n"
	  "withdrawn (after GRACEFUL_SHUTDOWN for the neighbors' drain time).\n"
	  "Runtime state, kept across xlbd restarts until `vip enable`.", 0 },
	{ CTL_CMD_VIP_ENABLE, "vip", "enable", "VIP|--address ADDR",
	  "undo vip disable (of VIP, or of ADDR)",
	  "VIP is announced again as soon as it has enough usable backends and its\n"
	  "address is not disabled (`vip enable --address ADDR`).", 0 },
	{ CTL_CMD_BACKEND_SHOW, "backend", "show", "VIP",
	  "VIP's backends: weight, state, share, flows, traffic",
	  "One line per backend: configured and runtime weight, health, pool\n"
	  "state, share of the Maglev table, flow-table entries (a drain is over\n"
	  "when a depooled backend has none left), packets, bytes. A host-mode VIP\n"
	  "has no backends (exit 1).", 0 },
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
	{ CTL_CMD_FLOW_SHOW, "flow", "show", "[VIP] [BACKEND] [--limit N]",
	  "flow-table entries (of VIP, of BACKEND)",
	  "One line per entry: protocol, client, VIP, backend, as ipvsadm -Lnc\n"
	  "does. The table is large: at most --limit entries are listed (default\n"
	  "100, 0 for all), and the answer says how many matched.", 0 },
	{ CTL_CMD_FLOW_LOOKUP, "flow", "lookup", "CLIENT[:PORT] VIP[:PORT] [tcp|udp]",
	  "which backend a flow has, or would get, and why",
	  "The flow's entry in the flow table if it has one (and whether its\n"
	  "backend still takes it), else the Maglev slot its hash picks, computed\n"
	  "as the datapath does. PROTO and the ports default to the VIP's when\n"
	  "only one VIP fits; a 5-tuple VIP needs the client's port.", 0 },
	{ CTL_CMD_COMPLETION, NULL, "completion", "bash",
	  "print the bash completion script",
	  "Generated from this command table, so it offers exactly these commands.\n"
	  "make install puts it where bash-completion finds it.", CTL_CMD_F_LOCAL },
	{ CTL_CMD_BGP_ROUTES, "bgp", "routes", "[NEIGHBOR]",
	  "prefixes sent to each neighbor, with their attributes",
	  "The Adj-RIB-Out: every prefix each neighbor (or NEIGHBOR) has from this\n"
	  "node, with the attributes it was sent with (next hop, origin, AS path,\n"
	  "MED, LOCAL_PREF, communities) and its VIP; then how many VIPs that\n"
	  "session does not carry, and why.", 0 },
	{ CTL_CMD_POOL_SHOW, "pool", "show", "[VIP]",
	  "the fleet's pool state in etcd, and what this node applied",
	  "Per backend: what etcd says (pooled, weight, the revision of its key, an\n"
	  "unreadable value), what this node applied, its health here. The\n"
	  "revision shown is what --revision takes. Needs `pool-state etcd`.", 0 },
	{ CTL_CMD_POOL_DEPOOL, "pool", "depool", "VIP BACKEND [--force] [--revision N]",
	  "drain BACKEND of VIP on every node (etcd)",
	  "Writes {\"pooled\": \"no\"} for BACKEND in etcd; every node of the cluster\n"
	  "takes it out of VIP's table, its established flows stay. Refused if VIP\n"
	  "would be left with fewer usable backends than its min-healthy or the\n"
	  "depool-threshold, unless --force. The write is a transaction: it fails,\n"
	  "writing nothing, if VIP's pool changed in etcd since the revision this\n"
	  "node has applied (or since --revision N, from `pool show`). Returns once\n"
	  "this node has applied the change.", CTL_CMD_F_SLOW },
	{ CTL_CMD_POOL_POOL, "pool", "pool", "VIP BACKEND [--revision N]",
	  "put BACKEND of VIP back on every node (etcd)",
	  "Writes {\"pooled\": \"yes\"} (the weight stays), as a transaction like\n"
	  "`pool depool`.", CTL_CMD_F_SLOW },
	{ CTL_CMD_POOL_INACTIVE, "pool", "inactive", "VIP BACKEND [--force] [--revision N]",
	  "take BACKEND out of VIP's pool altogether (etcd)",
	  "Writes {\"pooled\": \"inactive\"}: out of the table on every node, its\n"
	  "established flows move too, and it no longer counts as one of VIP's\n"
	  "backends for the depool threshold (a machine being decommissioned).\n"
	  "Checked and written like `pool depool`.", CTL_CMD_F_SLOW },
	{ CTL_CMD_POOL_WEIGHT, "pool", "weight", "VIP BACKEND N [--force] [--revision N]",
	  "set BACKEND's weight in VIP on every node (etcd)",
	  "Writes the weight (0..1000000) into BACKEND's key; 0 takes no new flows\n"
	  "and is checked like a depool.", CTL_CMD_F_SLOW },
	{ CTL_CMD_POOL_DISABLE, "pool", "disable", "VIP [--revision N]",
	  "withdraw VIP from every node (etcd)",
	  "Writes {\"enabled\": false} for VIP: every node withdraws it gracefully,\n"
	  "as `vip disable` does on one node.", CTL_CMD_F_SLOW },
	{ CTL_CMD_POOL_ENABLE, "pool", "enable", "VIP [--revision N]",
	  "announce VIP again from every node (etcd)", NULL, CTL_CMD_F_SLOW },
	{ CTL_CMD_FLEET_STATUS, "fleet", "status", "",
	  "the nodes registered in etcd: revision, tables, divergence",
	  "Every node registered under the cluster's prefix: address, version, the\n"
	  "etcd revision it has applied and a fingerprint of each VIP's Maglev\n"
	  "table. A node behind the latest change is flagged LAGGING, a table that\n"
	  "differs from the other nodes' for the same VIP DIFFERS (a flow could\n"
	  "then reach another backend through that node).", CTL_CMD_F_SLOW },
};

/* Argument kinds named in patterns, with the legend help prints. */
static const struct {
	const char *token;
	const char *legend;
} arg_kinds[] = {
	{ "VIP", "ADDR:PORT/tcp|udp, [ADDR6]:PORT/tcp|udp, PORT * for all ports,\n"
		 "               ADDR/local for a host-mode VIP, or the VIP's name" },
	{ "BACKEND", "a backend's address" },
	{ "NEIGHBOR", "a BGP neighbor's address" },
	{ "ADDR", "an IP address (every VIP on it)" },
	{ "CLIENT[:PORT]", "a client's address, maybe with its port: 192.0.2.7:40000,\n"
			   "               [2001:db8::7]:40000" },
	{ "VIP[:PORT]", "a VIP, or a VIP's address, maybe with a port" },
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

				if (start && (end == '\0' || end == ' ' || end == ']' || end == '|')) {
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
		buf_printf(out, "%-15s%s\n", arg_kinds[k].token, arg_kinds[k].legend);
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
			 "-j, --json           JSON output\n"
			 "-p, --pretty         pretty-printed JSON output (implies -j)\n"
			 "-s, --socket SOCKET  xlbd's control socket (default " CTL_SOCKET_DEFAULT ")\n"
			 "-h, --help           this help\n"
			 "-V, --version        the version\n"
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

int ctl_endpoint_parse(const char *s, struct ctl_endpoint *ep, char *err, size_t errlen)
{
	char tmp[CTL_ARG_MAX + 1], *addr = tmp, *port = NULL, *close, *end;
	unsigned long p;

	memset(ep, 0, sizeof(*ep));
	if (strlen(s) > CTL_ARG_MAX)
		return usage_err(err, errlen, "'%s' too long", Q(s));
	strcpy(tmp, s);
	if (*addr == '[') {
		close = strchr(addr, ']');
		if (!close)
			return usage_err(err, errlen, "'%s': missing ']'", Q(s));
		*close = '\0';
		addr++;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return usage_err(err, errlen, "'%s': expected ':' after ']'", Q(s));
		if (!strchr(addr, ':'))
			return usage_err(err, errlen, "'%s': brackets are for IPv6 addresses", Q(s));
	} else if (strchr(addr, ':') == strrchr(addr, ':') && strchr(addr, ':')) {
		/* one colon: IPv4 with a port (IPv6 has at least two) */
		port = strchr(addr, ':');
		*port++ = '\0';
	}
	if (ctl_addr_parse(addr, &ep->addr))
		return usage_err(err, errlen, "'%s' is not an address (ADDR, ADDR:PORT or "
				 "[ADDR6]:PORT)", Q(s));
	if (!port)
		return 0;
	errno = 0;
	p = strtoul(port, &end, 10);
	if (*port < '0' || *port > '9' || errno || *end || p < 1 || p > 65535)
		return usage_err(err, errlen, "'%s': port must be 1..65535", Q(s));
	ep->port = p;
	return 0;
}

int ctl_endpoint_format(const struct ctl_endpoint *ep, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	bool v6 = ep->addr.family == XLB_FAMILY_V6;
	int n;

	if (ctl_addr_format(&ep->addr, a, sizeof(a)))
		return -EINVAL;
	if (!ep->port)
		n = snprintf(buf, len, "%s", a);
	else
		n = snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", a, v6 ? "]" : "", ep->port);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
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

static bool tok_is(const char *tok, size_t toklen, const char *kind)
{
	return toklen == strlen(kind) && !strncmp(tok, kind, toklen);
}

/* A number 0..max; *v gets it. */
static int number_arg(struct resolver *r, const char *cmdname, const char *what,
		      const char *word, unsigned long max, __u32 *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(word, &end, 10);
	if (*word < '0' || *word > '9' || errno || *end)
		return usage_err(r->err, r->errlen, "%s: %s '%s' is not a number (0..%lu)", cmdname,
				 what, Q(word), max);
	if (n > max)
		return usage_err(r->err, r->errlen, "%s: %s %s out of range 0..%lu", cmdname, what,
				 Q(word), max);
	*v = n;
	return 0;
}

/*
 * One token of a pattern (without brackets) against one word. `what`
 * names the word in messages: the keyword before it ("weight"), the
 * option ("--limit"), or the token itself.
 */
static int convert_arg(struct resolver *r, const char *cmdname, const char *tok, size_t toklen,
		       const char *what, const char *word)
{
	char out[CTL_ARG_MAX + 1], kw[64], why[160];
	const char *names[WORDS_MAX] = { NULL };
	struct ctl_endpoint ep;
	struct conf_addr addr;
	struct ctl_vip vip;
	size_t n = 0;
	char *p, *end;
	int i, err;

	struct ctl_args *a = &r->req->args;

	if (tok_is(tok, toklen, "VIP")) {
		if (ctl_vip_parse(word, &vip, why, sizeof(why)))
			return usage_err(r->err, r->errlen, "%s: %s", cmdname, why);
		ctl_vip_format(&vip, out, sizeof(out));
		return add_word(r, out, &a->vip);
	}
	if (tok_is(tok, toklen, "BACKEND") || tok_is(tok, toklen, "NEIGHBOR") ||
	    tok_is(tok, toklen, "ADDR")) {
		if (ctl_addr_parse(word, &addr))
			return usage_err(r->err, r->errlen, "%s: %s '%s' is not an IP address",
					 cmdname, what, Q(word));
		ctl_addr_format(&addr, out, sizeof(out));
		return add_word(r, out, tok[0] == 'B' ? &a->backend :
					tok[0] == 'N' ? &a->neighbor : &a->address);
	}
	if (tok_is(tok, toklen, "CLIENT[:PORT]")) {
		if (ctl_endpoint_parse(word, &ep, why, sizeof(why)))
			return usage_err(r->err, r->errlen, "%s: CLIENT %s", cmdname, why);
		ctl_endpoint_format(&ep, out, sizeof(out));
		return add_word(r, out, &a->client);
	}
	if (tok_is(tok, toklen, "VIP[:PORT]")) {
		/* a VIP as everywhere else, or an address with a port */
		if (strchr(word, '/') || !ctl_vip_parse(word, &vip, NULL, 0)) {
			if (ctl_vip_parse(word, &vip, why, sizeof(why)))
				return usage_err(r->err, r->errlen, "%s: %s", cmdname, why);
			ctl_vip_format(&vip, out, sizeof(out));
			return add_word(r, out, &a->vip);
		}
		if (ctl_endpoint_parse(word, &ep, why, sizeof(why)))
			return usage_err(r->err, r->errlen, "%s: VIP %s", cmdname, why);
		ctl_endpoint_format(&ep, out, sizeof(out));
		return add_word(r, out, &a->dest);
	}
	if (tok_is(tok, toklen, "N")) {
		__u32 *v = !strcmp(what, "--limit")    ? &a->limit :
			   !strcmp(what, "--revision") ? &a->revision :
							 &a->n;
		/* the range of a value is the daemon's, said once, here */
		unsigned long max = !strcmp(what, "weight") ? CTL_WEIGHT_MAX :
				    !strcmp(what, "--limit") ? CTL_FLOW_LIMIT_MAX : 0xffffffffUL;

		err = number_arg(r, cmdname, what, word, max, v);
		if (err)
			return err;
		if (v == &a->limit)
			a->has_limit = true;
		if (v == &a->revision)
			a->has_revision = true;
		snprintf(out, sizeof(out), "%u", *v);
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
		snprintf(why, sizeof(why), "%s", r->err ? r->err : "");
		return usage_err(r->err, r->errlen, "%s: %s (expected %.*s)", cmdname, why,
				 (int)toklen, tok);
	}
	return add_word(r, names[i], n > 1 ? &a->keyword : NULL);
}

/*
 * The pattern, cut into its parts: positional tokens (optional ones in
 * brackets), options (`[--flag]`, `[--opt KIND]` with a value), and the
 * alternative form `TOKEN|--opt KIND`: the positional TOKEN, or instead
 * the option with its value.
 */
#define PAT_MAX 16
struct pattern {
	const char *toks[PAT_MAX];	/* positional */
	size_t toklens[PAT_MAX];
	bool opt[PAT_MAX];		/* optional */
	size_t ntoks;
	const char *opts[8];		/* "--flag" */
	const char *opt_kind[8];	/* its value's kind; NULL: a flag */
	int opt_alt[8];			/* the positional it replaces; -1: none */
	size_t nopts;
	char buf[160];
};

static void pattern_cut(const char *args, struct pattern *pt)
{
	char *p, *save, *bar;

	memset(pt, 0, sizeof(*pt));
	snprintf(pt->buf, sizeof(pt->buf), "%s", args);
	for (p = strtok_r(pt->buf, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		size_t len = strlen(p);

		if (!strncmp(p, "[--", 3) && pt->nopts < 8) {
			pt->opt_alt[pt->nopts] = -1;
			if (p[len - 1] == ']') {
				p[len - 1] = '\0';
			} else {
				/* [--opt KIND] */
				char *kind = strtok_r(NULL, " ", &save);

				if (kind && kind[strlen(kind) - 1] == ']')
					kind[strlen(kind) - 1] = '\0';
				pt->opt_kind[pt->nopts] = kind;
			}
			pt->opts[pt->nopts++] = p + 1;
		} else if ((bar = strstr(p, "|--")) && pt->ntoks < PAT_MAX && pt->nopts < 8) {
			/* TOKEN|--opt KIND */
			*bar = '\0';
			pt->toks[pt->ntoks] = p;
			pt->toklens[pt->ntoks] = strlen(p);
			pt->opt_alt[pt->nopts] = pt->ntoks++;
			pt->opts[pt->nopts] = bar + 1;
			pt->opt_kind[pt->nopts++] = strtok_r(NULL, " ", &save);
		} else if (pt->ntoks < PAT_MAX) {
			pt->opt[pt->ntoks] = p[0] == '[';
			pt->toks[pt->ntoks] = p + pt->opt[pt->ntoks];
			pt->toklens[pt->ntoks] = len - 2 * pt->opt[pt->ntoks];
			pt->ntoks++;
		}
	}
}

/* Check args against cmd->args and append them canonically: positional
 * words first, then the options given, in pattern order. */
static int parse_args(struct resolver *r, const struct ctl_cmd *cmd, int argc,
		      char *const *argv)
{
	int opt_val[8];			/* argv index of each option's value; -1 none */
	bool opt_set[8] = { false }, skip[PAT_MAX] = { false };
	bool used[CTL_ARGC_MAX + 1] = { false };
	struct pattern pt;
	char cmdname[64];
	size_t t, f;
	int i, next = 0, err;

	ctl_cmd_format(cmd, cmdname, sizeof(cmdname));
	if (argc > CTL_ARGC_MAX)
		return usage_err(r->err, r->errlen, "%s: too many arguments", cmdname);
	pattern_cut(cmd->args, &pt);

	/* options first, wherever they stand */
	for (i = 0; i < argc; i++) {
		char why[160];
		int k;

		if (argv[i][0] != '-' || argv[i][1] != '-')
			continue;
		if (!argv[i][2])
			return usage_err(r->err, r->errlen, "%s: unknown option '--'", cmdname);
		k = pt.nopts ? match_word(argv[i], pt.opts, pt.nopts, "option", why, sizeof(why)) :
			       -1;
		if (k < 0) {
			if (!pt.nopts)
				snprintf(why, sizeof(why), "unknown option '%s'", Q(argv[i]));
			return usage_err(r->err, r->errlen, "%s: %s", cmdname, why);
		}
		opt_set[k] = true;
		opt_val[k] = -1;
		used[i] = true;
		if (!pt.opt_kind[k])
			continue;
		if (i + 1 >= argc)
			return usage_err(r->err, r->errlen, "%s: %s needs %s", cmdname, pt.opts[k],
					 pt.opt_kind[k]);
		opt_val[k] = ++i;
		used[i] = true;
		if (pt.opt_alt[k] >= 0)
			skip[pt.opt_alt[k]] = true;
	}

	for (t = 0; t < pt.ntoks; t++) {
		if (skip[t])
			continue;
		while (next < argc && used[next])
			next++;
		if (next >= argc) {
			if (pt.opt[t])
				break;
			for (f = 0; f < pt.nopts; f++)
				if (pt.opt_alt[f] == (int)t)
					return usage_err(r->err, r->errlen, "%s: missing %.*s (or %s %s)",
							 cmdname, (int)pt.toklens[t], pt.toks[t],
							 pt.opts[f], pt.opt_kind[f]);
			return usage_err(r->err, r->errlen, "%s: missing %.*s", cmdname,
					 (int)pt.toklens[t], pt.toks[t]);
		}
		/* a value is named by the keyword before it in the pattern */
		err = convert_arg(r, cmdname, pt.toks[t], pt.toklens[t],
				  t && !pt.opt[t - 1] && islower((unsigned char)pt.toks[t - 1][0]) &&
						  !strchr(pt.toks[t - 1], '|') ?
					  pt.toks[t - 1] : pt.toks[t],
				  argv[next]);
		if (err)
			return err;
		used[next++] = true;
	}
	for (i = 0; i < argc; i++)
		if (!used[i])
			return usage_err(r->err, r->errlen, "%s: unexpected argument '%s'", cmdname,
					 Q(argv[i]));
	for (f = 0; f < pt.nopts; f++) {
		if (!opt_set[f])
			continue;
		if (!strcmp(pt.opts[f], "--now"))
			r->req->args.now = true;
		if (!strcmp(pt.opts[f], "--force"))
			r->req->args.force = true;
		err = add_word(r, pt.opts[f], NULL);
		if (!err && opt_val[f] >= 0)
			err = convert_arg(r, cmdname, pt.opt_kind[f], strlen(pt.opt_kind[f]),
					  pt.opts[f], argv[opt_val[f]]);
		if (err)
			return err;
	}
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
