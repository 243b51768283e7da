// SPDX-License-Identifier: GPL-2.0
/*
 * The control command table and resolver (agent/ctl/commands.c): command
 * lines to canonical requests (prefix matching, ambiguity, default show,
 * argument shapes and canonical forms, options anywhere), usage errors
 * with their messages, help at every level, VIP argument forms, and the
 * lookup the daemon's dispatch uses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ctl/commands.h"
#include "../lib/test.h"

#define MAXW 12

/* Split a command line at spaces (no quoting needed here). */
static int split(const char *line, char *store, size_t len, char **argv)
{
	int argc = 0;
	char *p, *save;

	snprintf(store, len, "%s", line);
	for (p = strtok_r(store, " ", &save); p && argc < MAXW; p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	argv[argc] = NULL;
	return argc;
}

static void join(const struct ctl_request *req, char *out, size_t len)
{
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < req->argc; i++)
		n += snprintf(out + n, len - n, "%s%s", i ? " " : "", req->argv[i]);
}

static const struct {
	const char *in;
	int ret;
	const char *out;	/* canonical words (ret 0) or error substring */
} resolve_cases[] = {
	/* full words and prefixes */
	{ "vip show", 0, "vip show" },
	{ "v sh", 0, "vip show" },
	{ "vip", 0, "vip show" },
	{ "v", 0, "vip show" },
	{ "vip show 203.0.113.10:53/udp", 0, "vip show 203.0.113.10:53/udp" },
	{ "vip show dns-1", 0, "vip show dns-1" },
	{ "vip d 203.0.113.10:53/UDP", 0, "vip disable 203.0.113.10:53/udp" },
	{ "vip en [2001:DB8:0::1]:80/tcp", 0, "vip enable [2001:db8::1]:80/tcp" },
	{ "ba sh 203.0.113.30:*/tcp", 0, "backend show 203.0.113.30:*/tcp" },
	{ "backend depool 203.0.113.10:53/udp 198.51.100.11", 0,
	  "backend depool 203.0.113.10:53/udp 198.51.100.11" },
	{ "backend depool 203.0.113.10:53/udp 198.51.100.11 --now", 0,
	  "backend depool 203.0.113.10:53/udp 198.51.100.11 --now" },
	{ "ba dep --n 203.0.113.10:53/udp 2001:0db8::0011", 0,
	  "backend depool 203.0.113.10:53/udp 2001:db8::11 --now" },
	{ "backend pool web 198.51.100.11", 0, "backend pool web 198.51.100.11" },
	{ "backend set web 198.51.100.11 weight 0200", 0,
	  "backend set web 198.51.100.11 weight 200" },
	{ "backend set web 198.51.100.11 w 0", 0, "backend set web 198.51.100.11 weight 0" },
	{ "stats", 0, "stats" },
	{ "stats", 0, "stats" },
	{ "statu", 0, "status" },
	{ "r", 0, "reload" },
	{ "bgp", 0, "bgp show" },
	{ "bg n sh 192.0.2.1", 0, "bgp neighbor shutdown 192.0.2.1" },
	{ "bgp neighbor enable 2001:db8::1", 0, "bgp neighbor enable 2001:db8::1" },
	{ "health show 203.0.113.20/local", 0, "health show 203.0.113.20/local" },
	{ "bfd", 0, "bfd show" },
	{ "vip show [2001:db8::20]/local", 0, "vip show 2001:db8::20/local" },
	{ "vip show 2001:db8::20/local", 0, "vip show 2001:db8::20/local" },
	/* an option with a value, and a positional's alternative */
	{ "vip disable --address 203.0.113.10", 0, "vip disable --address 203.0.113.10" },
	{ "vip dis --addr 2001:DB8::1", 0, "vip disable --address 2001:db8::1" },
	{ "vip en --a 203.0.113.10", 0, "vip enable --address 203.0.113.10" },
	{ "flow show", 0, "flow show" },
	{ "flow show web", 0, "flow show web" },
	{ "flow show web 198.51.100.11 --limit 010", 0, "flow show web 198.51.100.11 --limit 10" },
	{ "flow show --limit 0 web", 0, "flow show web --limit 0" },
	{ "flow lookup 198.51.100.7:40000 203.0.113.10:80", 0,
	  "flow lookup 198.51.100.7:40000 203.0.113.10:80" },
	{ "flow lookup 198.51.100.7 203.0.113.10 u", 0, "flow lookup 198.51.100.7 203.0.113.10 udp" },
	{ "flo l [2001:DB8::7]:53 web", 0, "flow lookup [2001:db8::7]:53 web" },
	{ "fl st", -EINVAL, "ambiguous object or command 'fl': flow, fleet" },
	{ "flow lookup 2001:db8::7 203.0.113.10:53/UDP tcp", 0,
	  "flow lookup 2001:db8::7 203.0.113.10:53/udp tcp" },
	{ "completion bash", 0, "completion bash" },
	/* the fleet's pool state: options with a value come last, canonical */
	{ "pool depool web 198.51.100.11", 0, "pool depool web 198.51.100.11" },
	{ "po dep --rev 0042 web --f 198.51.100.11", 0,
	  "pool depool web 198.51.100.11 --force --revision 42" },
	{ "pool weight web 198.51.100.11 --revision 9 5", 0,
	  "pool weight web 198.51.100.11 5 --revision 9" },
	{ "pool in web 2001:db8::0011", 0, "pool inactive web 2001:db8::11" },
	{ "pool dis web --revision 3", 0, "pool disable web --revision 3" },
	{ "pool", 0, "pool show" },
	{ "fle st", 0, "fleet status" },
	{ "pool depool web 198.51.100.11 --revision", -EINVAL, "--revision needs N" },
	{ "pool depool web 198.51.100.11 --revision x", -EINVAL, "--revision 'x' is not a number" },
	{ "pool pool web 198.51.100.11 --force", -EINVAL, "unknown option '--force'" },
	{ "pool weight web 198.51.100.11", -EINVAL, "pool weight: missing N" },
	/* usage errors */
	{ "", -EINVAL, "missing OBJECT" },
	{ "frob", -EINVAL, "unknown object or command 'frob'" },
	{ "s", -EINVAL, "ambiguous object or command 's': stats, status" },
	{ "stat", -EINVAL, "ambiguous object or command 'stat': stats, status" },
	{ "backend s x", -EINVAL, "backend: ambiguous command 's': show, set" },
	{ "backend", -EINVAL, "backend: missing COMMAND" },
	{ "vip frob", -EINVAL, "vip: unknown command 'frob'" },
	{ "vip show 2001:db8::1:80/local", 0, "vip show 2001:db8::1:80/local" },
	{ "vip show a b", -EINVAL, "vip show: unexpected argument 'b'" },
	{ "vip disable", -EINVAL, "vip disable: missing VIP (or --address ADDR)" },
	{ "backend show", -EINVAL, "backend show: missing VIP" },
	{ "backend depool web", -EINVAL, "backend depool: missing BACKEND" },
	{ "backend depool web nothost", -EINVAL, "BACKEND 'nothost' is not an IP address" },
	{ "backend depool web 198.51.100.11 --later", -EINVAL, "unknown option '--later'" },
	{ "backend pool web 198.51.100.11 --now", -EINVAL, "unknown option '--now'" },
	{ "backend depool web 198.51.100.11 --", -EINVAL, "unknown option '--'" },
	{ "backend set web 198.51.100.11 weight", -EINVAL, "missing N" },
	{ "backend set web 198.51.100.11 weight -1", -EINVAL, "'-1' is not a number" },
	{ "backend set web 198.51.100.11 weight 4294967296", -EINVAL,
	  "backend set: weight 4294967296 out of range 0..1000000" },
	{ "backend set web 198.51.100.11 weight 1000001", -EINVAL,
	  "backend set: weight 1000001 out of range 0..1000000" },
	{ "backend set web 198.51.100.11 weight x", -EINVAL,
	  "backend set: weight 'x' is not a number (0..1000000)" },
	{ "vip disable --address", -EINVAL, "vip disable: --address needs ADDR" },
	{ "vip disable --address web", -EINVAL, "vip disable: --address 'web' is not an IP address" },
	{ "vip disable web --address 203.0.113.10", -EINVAL, "unexpected argument 'web'" },
	{ "flow show --limit 1000001", -EINVAL, "flow show: --limit 1000001 out of range 0..1000000" },
	{ "flow lookup 198.51.100.7:0 web", -EINVAL, "port must be 1..65535" },
	{ "flow lookup [198.51.100.7]:80 web", -EINVAL, "brackets are for IPv6" },
	{ "flow lookup 198.51.100.x web", -EINVAL, "is not an address" },
	{ "flow lookup 198.51.100.7", -EINVAL, "flow lookup: missing VIP[:PORT]" },
	{ "flow lookup 198.51.100.7 203.0.113.10:99999", -EINVAL, "port must be 1..65535" },
	{ "completion zsh", -EINVAL, "unknown keyword 'zsh'" },
	{ "backend set web 198.51.100.11 height 1", -EINVAL, "unknown keyword 'height'" },
	{ "bgp neighbor 192.0.2.1", -EINVAL, "unknown keyword '192.0.2.1'" },
	{ "stats now", -EINVAL, "stats: unexpected argument 'now'" },
	{ "vip show 203.0.113.10:53", -EINVAL, "is not a VIP" },
	{ "vip show 203.0.113.10:53/sctp", -EINVAL, "protocol must be tcp, udp or local" },
	{ "vip show 203.0.113.10:0/tcp", -EINVAL, "write * for all ports" },
	{ "vip show 203.0.113.10:65536/tcp", -EINVAL, "port must be 1..65535" },
	{ "vip show 203.0.113.10:+80/tcp", -EINVAL, "port must be 1..65535" },
	{ "vip show 203.0.113.10/tcp", -EINVAL, "missing :PORT" },
	{ "vip show 203.0.113.10:80/local", -EINVAL, "a local VIP has no port" },
	{ "vip show 2001:db8::1:80/tcp", -EINVAL, "with brackets" },
	{ "vip show [2001:db8::1/tcp", -EINVAL, "missing ']'" },
	{ "vip show [203.0.113.1]:80/tcp", -EINVAL, "brackets are for IPv6" },
	{ "vip show [2001:db8::1]80/tcp", -EINVAL, "expected ':' after ']'" },
	{ "vip show 300.0.0.1:80/tcp", -EINVAL, "'300.0.0.1' is not an IP address" },
	{ "vip show 9lives", -EINVAL, "is not a VIP" },
	{ "vip show bad$name", -EINVAL, "is not a VIP" },
};

void test_ctl_resolve_table(void)
{
	struct ctl_request req;
	char store[512], got[512], err[256];
	char *argv[MAXW + 1];
	struct buf text;
	size_t i;

	buf_init(&text, 0);
	for (i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++) {
		int argc = split(resolve_cases[i].in, store, sizeof(store), argv);
		int ret;

		test_ctx("'%s'", resolve_cases[i].in);
		buf_reset(&text);
		ret = ctl_resolve(argc, argv, &req, err, sizeof(err), &text);
		ASSERT_EQ(ret, resolve_cases[i].ret, "result");
		if (ret == 0) {
			join(&req, got, sizeof(got));
			ASSERT_STREQ(got, resolve_cases[i].out, "canonical");
			ASSERT_OK_PTR(req.cmd, "command");
			ASSERT_EQ(req.first_arg, req.cmd->object ? 2 : 1, "first_arg");
			ASSERT_TRUE(req.argv[req.argc] == NULL, "NULL-terminated");
		} else {
			if (!ASSERT_TRUE(strstr(err, resolve_cases[i].out), "message"))
				printf("    got '%s'\n", err);
			ASSERT_TRUE(strstr(buf_str(&text), "usage: "), "usage text");
			ASSERT_EQ(req.argc, 0, "no request");
		}
	}
	test_ctx(NULL);
	buf_free(&text);
}

/* What the brief's "b" case is really about: the candidates named. */
void test_ctl_resolve_ambiguous(void)
{
	char *argv[] = { "b", NULL };
	char *argv2[] = { "h", NULL };
	struct ctl_request req;
	char err[256];
	struct buf text;

	buf_init(&text, 0);
	ASSERT_EQ(ctl_resolve(1, argv, &req, err, sizeof(err), &text), -EINVAL, "b");
	ASSERT_STREQ(err, "ambiguous object or command 'b': backend, bgp, bfd", "b candidates");
	ASSERT_EQ(ctl_resolve(1, argv2, &req, err, sizeof(err), &text), -EINVAL, "h");
	ASSERT_STREQ(err, "ambiguous object or command 'h': health, help", "h candidates");
	buf_free(&text);
}

/* Hostile words: long, control characters, non-ASCII; messages stay one
 * short printable line. */
void test_ctl_resolve_hostile(void)
{
	char longw[1000], store[64];
	char *argv[4];
	struct ctl_request req;
	char err[256];
	struct buf text;
	size_t i;

	memset(longw, 'v', sizeof(longw) - 1);
	longw[sizeof(longw) - 1] = '\0';
	buf_init(&text, 0);
	argv[0] = longw;
	ASSERT_EQ(ctl_resolve(1, argv, &req, err, sizeof(err), &text), -EINVAL, "long word");
	ASSERT_LT(strlen(err), 120, "message short");
	snprintf(store, sizeof(store), "vip\n\x1b[31m\xff");
	argv[0] = "vip";
	argv[1] = "show";
	argv[2] = store;
	ASSERT_EQ(ctl_resolve(3, argv, &req, err, sizeof(err), &text), -EINVAL, "control bytes");
	for (i = 0; err[i]; i++)
		ASSERT_TRUE(err[i] >= 0x20 && err[i] < 0x7f, "printable message");
	argv[2] = longw;
	ASSERT_EQ(ctl_resolve(3, argv, &req, err, sizeof(err), &text), -EINVAL, "long VIP");
	argv[0] = "";
	ASSERT_EQ(ctl_resolve(1, argv, &req, err, sizeof(err), &text), -EINVAL, "empty word");
	buf_free(&text);
}

static int help_of(const char *line, struct buf *text)
{
	struct ctl_request req;
	char store[256], err[256];
	char *argv[MAXW + 1];
	int argc = split(line, store, sizeof(store), argv);

	buf_reset(text);
	return ctl_resolve(argc, argv, &req, err, sizeof(err), text);
}

void test_ctl_help_levels(void)
{
	static const struct {
		const char *in;
		const char *has;	/* in the help */
		const char *hasnt;	/* not in it */
	} cases[] = {
		{ "help", "\n  backend depool VIP BACKEND [--now]     take BACKEND out of VIP\n", NULL },
		{ "help", "\n  bfd show ", "Not implemented yet" },
		{ "help", "-s SOCKET", NULL },
		{ "help", "bgp show", NULL },
		{ "help help", "OBJECT COMMAND", NULL },
		{ "vip help", "usage: xlbctl [OPTIONS] vip COMMAND [ARGS]\n\n  vip show [VIP] ", "BACKEND" },
		{ "v h", "\n  vip enable VIP|--address ADDR ", "BACKEND" },
		{ "help vip", "\n  vip enable VIP|--address ADDR ", "-s SOCKET" },
		{ "vip disable help", "\nADDR           an IP address (every VIP on it)\n", "NEIGHBOR" },
		{ "flow lookup help", "\nCLIENT[:PORT]  a client's address", "BACKEND" },
		{ "help flow show", "--limit N", NULL },
		{ "backend depool help", "usage: xlbctl backend depool VIP BACKEND [--now]\n",
		  "vip show" },
		{ "backend depool help", "established flows", NULL },
		{ "backend depool help", "\nBACKEND        a backend's address\n", "NEIGHBOR" },
		{ "vip show help", "\nVIP            ADDR:PORT/tcp|udp", "BACKEND" },
		{ "help backend depool", "--now", NULL },
		{ "ba dep help", "usage: xlbctl backend depool", NULL },
		{ "stats help", "usage: xlbctl stats\n", "\nVIP " },
		{ "help stats", "datapath counters", NULL },
		{ "bgp help", "\n  bgp show ", "Not implemented yet" },
		{ "bfd help", "\n  bfd show ", "Not implemented yet" },
		{ "bfd show help", "usage: xlbctl bfd show\n", "Not implemented yet" },
		{ "bgp neighbor help", "shutdown|enable NEIGHBOR", NULL },
		{ "help health", "  health show [VIP] ", NULL },
	};
	struct buf text;
	size_t i;

	buf_init(&text, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("'%s'", cases[i].in);
		ASSERT_EQ(help_of(cases[i].in, &text), CTL_HELP, "help");
		if (!ASSERT_TRUE(strstr(buf_str(&text), cases[i].has), "has"))
			printf("%s\n", buf_str(&text));
		if (cases[i].hasnt)
			ASSERT_FALSE(strstr(buf_str(&text), cases[i].hasnt), "has not");
	}
	test_ctx(NULL);
	/* help about something unknown is a usage error */
	ASSERT_EQ(help_of("help frob", &text), -EINVAL, "help frob");
	buf_free(&text);
}

/* Every row: resolvable by its full words with sample arguments, found
 * again by ctl_cmd_lookup, and reachable through help. */
void test_ctl_table_rows(void)
{
	struct ctl_request req, again;
	char line[256], store[256], err[256], words[64];
	char *argv[MAXW + 1];
	struct buf text;
	size_t i;
	int first;

	buf_init(&text, 0);
	for (i = 0; i < CTL_CMD__COUNT; i++) {
		const struct ctl_cmd *c = &ctl_cmds[i];
		size_t n;
		char *p;
		int argc;

		test_ctx("row %zu", i);
		ASSERT_EQ(c->id, i, "rows in enum order");
		ctl_cmd_format(c, words, sizeof(words));
		n = snprintf(line, sizeof(line), "%s", words);
		/* sample arguments from the pattern */
		snprintf(store, sizeof(store), "%s", c->args);
		for (p = strtok(store, " "); p; p = strtok(NULL, " ")) {
			const char *a = p;

			if (!strncmp(p, "[--", 3)) {
				/* an option, with its value if it has one */
				if (p[strlen(p) - 1] != ']')
					strtok(NULL, " ");
				continue;
			}
			if (strstr(p, "|--")) {
				/* X|--opt KIND: X alone */
				*strstr(p, "|--") = '\0';
				strtok(NULL, " ");
			}
			if (p[0] == '[') {
				p++;
				p[strlen(p) - 1] = '\0';
				a = p;
			}
			if (!strcmp(p, "VIP"))
				a = "203.0.113.10:53/udp";
			else if (!strcmp(p, "BACKEND") || !strcmp(p, "NEIGHBOR") ||
				 !strcmp(p, "ADDR"))
				a = "192.0.2.1";
			else if (!strcmp(p, "CLIENT[:PORT]"))
				a = "198.51.100.7:40000";
			else if (!strcmp(p, "VIP[:PORT]"))
				a = "203.0.113.10:53";
			else if (!strcmp(p, "N"))
				a = "7";
			else if (strchr(p, '|'))
				*strchr(p, '|') = '\0';
			n += snprintf(line + n, sizeof(line) - n, " %s", a);
		}
		argc = split(line, store, sizeof(store), argv);
		if (!ASSERT_OK(ctl_resolve(argc, argv, &req, err, sizeof(err), &text), line)) {
			printf("    %s\n", err);
			continue;
		}
		ASSERT_TRUE(req.cmd == c, "same row");
		ASSERT_TRUE(ctl_cmd_lookup(req.argc, req.argv, &first) == c, "lookup");
		ASSERT_EQ(first, req.first_arg, "lookup first_arg");
		/* canonical words resolve to themselves */
		ASSERT_OK(ctl_resolve(req.argc, req.argv, &again, err, sizeof(err), &text),
			  "canonical resolves");
		ASSERT_EQ(again.argc, req.argc, "idempotent");
		snprintf(line, sizeof(line), "help %s", words);
		ASSERT_EQ(help_of(line, &text), CTL_HELP, "help");
	}
	test_ctx(NULL);
	{
		char *bad[] = { "vip", "sh" };

		ASSERT_TRUE(ctl_cmd_lookup(2, bad, &first) == NULL, "lookup is exact");
		ASSERT_TRUE(ctl_cmd_lookup(0, bad, &first) == NULL, "lookup of nothing");
	}
	buf_free(&text);
}

void test_ctl_vip_parse_match(void)
{
	struct conf_vip conf = { 0 };
	struct ctl_vip v;
	char out[CTL_VIP_STRLEN], err[160];

	ASSERT_OK(ctl_vip_parse("203.0.113.10:53/udp", &v, err, sizeof(err)), "v4");
	ASSERT_EQ(v.addr.family, XLB_FAMILY_V4, "family");
	ASSERT_EQ(v.proto, IPPROTO_UDP, "proto");
	ASSERT_EQ(v.port, 53, "port");
	ASSERT_FALSE(v.local || v.is_name, "kind");
	conf.addr.family = XLB_FAMILY_V4;
	inet_pton(AF_INET, "203.0.113.10", &conf.addr.addr.v4);
	conf.proto = IPPROTO_UDP;
	conf.port = 53;
	ASSERT_TRUE(ctl_vip_match(&v, &conf), "matches");
	conf.port = 54;
	ASSERT_FALSE(ctl_vip_match(&v, &conf), "other port");
	conf.port = 53;
	conf.proto = IPPROTO_TCP;
	ASSERT_FALSE(ctl_vip_match(&v, &conf), "other protocol");

	ASSERT_OK(ctl_vip_parse("203.0.113.10:*/tcp", &v, err, sizeof(err)), "all ports");
	ASSERT_EQ(v.port, 0, "port 0");
	ASSERT_FALSE(ctl_vip_match(&v, &conf), "port 53 is not all ports");
	conf.port = 0;
	ASSERT_TRUE(ctl_vip_match(&v, &conf), "all ports match");
	ASSERT_OK(ctl_vip_format(&v, out, sizeof(out)), "format");
	ASSERT_STREQ(out, "203.0.113.10:*/tcp", "formatted");

	conf.name = "web";
	ASSERT_OK(ctl_vip_parse("web", &v, err, sizeof(err)), "name");
	ASSERT_TRUE(v.is_name, "is name");
	ASSERT_TRUE(ctl_vip_match(&v, &conf), "by name");
	ASSERT_OK(ctl_vip_parse("web2", &v, err, sizeof(err)), "other name");
	ASSERT_FALSE(ctl_vip_match(&v, &conf), "other name does not match");
	conf.name = NULL;
	ASSERT_FALSE(ctl_vip_match(&v, &conf), "VIP without name");

	ASSERT_OK(ctl_vip_parse("[2001:db8::20]/LOCAL", &v, err, sizeof(err)), "v6 local");
	ASSERT_TRUE(v.local, "local");
	memset(&conf, 0, sizeof(conf));
	conf.addr.family = XLB_FAMILY_V6;
	inet_pton(AF_INET6, "2001:db8::20", conf.addr.addr.bytes);
	conf.local = true;
	ASSERT_TRUE(ctl_vip_match(&v, &conf), "local matches");
	conf.local = false;
	ASSERT_FALSE(ctl_vip_match(&v, &conf), "forwarding VIP on the same address");
	ASSERT_OK(ctl_vip_format(&v, out, sizeof(out)), "format");
	ASSERT_STREQ(out, "2001:db8::20/local", "v6 local formatted");
	ASSERT_EQ(ctl_vip_format(&v, out, 8), -ENOSPC, "small buffer");

	/* a name at the length limit, and one past it */
	memset(out, 'n', CTL_VIP_NAME_MAX);
	out[CTL_VIP_NAME_MAX] = '\0';
	ASSERT_OK(ctl_vip_parse(out, &v, err, sizeof(err)), "63-byte name");
	{
		char longer[CTL_VIP_NAME_MAX + 2];

		memset(longer, 'n', CTL_VIP_NAME_MAX + 1);
		longer[CTL_VIP_NAME_MAX + 1] = '\0';
		ASSERT_EQ(ctl_vip_parse(longer, &v, err, sizeof(err)), -EINVAL, "64-byte name");
	}
}

/* The canonical VIP text is exactly what the config printer writes, so
 * the daemon may compare strings with conf_vip_format(). */
void test_ctl_vip_format_is_config_format(void)
{
	static const char *const vips[] = {
		"203.0.113.10:53/udp", "[2001:db8::1]:80/tcp", "203.0.113.30:*/tcp",
		"[2001:db8::5]:*/udp", "203.0.113.20/local", "2001:db8::20/local",
	};
	char ours[CTL_VIP_STRLEN], theirs[CTL_VIP_STRLEN], err[160];
	struct conf_vip conf;
	struct ctl_vip v;
	size_t i;

	for (i = 0; i < sizeof(vips) / sizeof(vips[0]); i++) {
		test_ctx("%s", vips[i]);
		if (!ASSERT_OK(ctl_vip_parse(vips[i], &v, err, sizeof(err)), "parse"))
			continue;
		memset(&conf, 0, sizeof(conf));
		conf.addr = v.addr;
		conf.proto = v.proto;
		conf.port = v.port;
		conf.local = v.local;
		ASSERT_OK(ctl_vip_format(&v, ours, sizeof(ours)), "ctl format");
		ASSERT_OK(conf_vip_format(&conf, theirs, sizeof(theirs)), "config format");
		ASSERT_STREQ(ours, theirs, "same text");
		ASSERT_STREQ(ours, vips[i], "canonical input unchanged");
		ASSERT_TRUE(ctl_vip_match(&v, &conf), "matches");
	}
	test_ctx(NULL);
}

/* After a usage error the text is short: what was recognised, no more. */
void test_ctl_usage_short(void)
{
	static const struct {
		const char *in;
		const char *text;
	} cases[] = {
		{ "backend depool web", "usage: xlbctl backend depool VIP BACKEND [--now]\n" },
		{ "stats x", "usage: xlbctl stats\n" },
		{ "bgp x", "usage: xlbctl bgp show\n"
			   "       xlbctl bgp neighbor shutdown|enable NEIGHBOR\n"
			   "       xlbctl bgp routes [NEIGHBOR]\n" },
		{ "frob", "usage: xlbctl [-j] [-p] [-s SOCKET] OBJECT COMMAND [ARGS]\n"
			  "OBJECT: vip backend bgp health bfd flow pool fleet; without OBJECT: stats "
			  "reload status completion help\nTry `xlbctl help`.\n" },
	};
	struct buf text;
	size_t i;

	buf_init(&text, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("'%s'", cases[i].in);
		ASSERT_EQ(help_of(cases[i].in, &text), -EINVAL, "usage error");
		ASSERT_STREQ(buf_str(&text), cases[i].text, "usage text");
	}
	test_ctx(NULL);
	buf_free(&text);
}
