/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control commands, shared by xlbctl and xlbd: one table of
 * OBJECT COMMAND [ARGS] rows (bpftool/ip style) and the code that turns
 * an argv into the canonical request, so the CLI and the daemon agree on
 * what a command line means.
 *
 * xlbctl resolves a command line before it contacts the daemon (a usage
 * error never needs xlbd); the control-socket server resolves the words it
 * receives again (any client may write to the socket) and hands the daemon
 * only canonical, validated requests:
 *
 *   - OBJECT and COMMAND are matched by unambiguous prefix ("v sh" is
 *     "vip show"; an exact name wins over a longer one), keywords inside
 *     ARGS too ("weight", "shutdown|enable"), options ("--now") as well;
 *   - `help` in place of any word, or right after the command, asks for
 *     help on what precedes it; `help OBJECT [COMMAND]` works too;
 *   - an OBJECT without COMMAND means its `show`, when `show` needs no
 *     argument (`xlbctl vip` is `xlbctl vip show`);
 *   - ARGS are checked against the command's pattern (count and shape)
 *     and rewritten canonically: full keywords, addresses as inet_ntop
 *     writes them, VIPs as conf_vip_format() writes them (so the daemon
 *     may compare strings, or use ctl_vip_match()), numbers without
 *     leading zeros, options last in pattern order.
 *
 * Argument patterns (cmd->args, also the usage text): VIP, BACKEND /
 * NEIGHBOR / ADDR (an IPv4 or IPv6 address), CLIENT[:PORT] (an address,
 * maybe with a port: 192.0.2.7:40000, [2001:db8::7]:40000), VIP[:PORT]
 * (a VIP, or an address maybe with a port), N (decimal; after `weight`
 * 0..CTL_WEIGHT_MAX, after --limit 0..CTL_FLOW_LIMIT_MAX, else
 * 0..4294967295), a lowercase keyword, keyword alternatives a|b, [X]
 * optional (at the end), [--flag] an option that may stand anywhere after
 * the command, [--opt KIND] an option with a value, X|--opt KIND the
 * positional X or, instead, the option with its value.
 *
 * VIP forms: 203.0.113.10:53/udp, [2001:db8::1]:80/tcp, 203.0.113.30:*\/tcp
 * (all ports), 203.0.113.20/local or 2001:db8::20/local (host mode;
 * [2001:db8::20]/local is accepted too), or a VIP's config `name`
 * ([A-Za-z][A-Za-z0-9._-]*, at most CTL_VIP_NAME_MAX bytes). Protocol
 * words are case-insensitive.
 */
#ifndef XLB_CTL_COMMANDS_H
#define XLB_CTL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "ctl/proto.h"
#include "lib/buf.h"

#define CTL_PROG		"xlbctl"
#define CTL_SOCKET_DEFAULT	"/run/xlb/xlbd.sock"
#define CTL_VIP_NAME_MAX	63
#define CTL_VIP_STRLEN		64	/* "[v6]:65535/local" and a name fit */
#define CTL_WEIGHT_MAX		1000000	/* a backend's weight (the config's limit too) */
#define CTL_FLOW_LIMIT_MAX	1000000	/* flow show --limit */
#define CTL_FLOW_LIMIT_DEFAULT	100

enum ctl_cmd_id {
	CTL_CMD_VIP_SHOW,
	CTL_CMD_VIP_DISABLE,
	CTL_CMD_VIP_ENABLE,
	CTL_CMD_BACKEND_SHOW,
	CTL_CMD_BACKEND_DEPOOL,
	CTL_CMD_BACKEND_POOL,
	CTL_CMD_BACKEND_SET,
	CTL_CMD_STATS,
	CTL_CMD_RELOAD,
	CTL_CMD_STATUS,
	CTL_CMD_BGP_SHOW,
	CTL_CMD_BGP_NEIGHBOR,
	CTL_CMD_HEALTH_SHOW,
	CTL_CMD_BFD_SHOW,
	CTL_CMD_FLOW_SHOW,
	CTL_CMD_FLOW_LOOKUP,
	CTL_CMD_COMPLETION,
	CTL_CMD_BGP_ROUTES,
	CTL_CMD_POOL_SHOW,
	CTL_CMD_POOL_DEPOOL,
	CTL_CMD_POOL_POOL,
	CTL_CMD_POOL_INACTIVE,
	CTL_CMD_POOL_WEIGHT,
	CTL_CMD_POOL_DISABLE,
	CTL_CMD_POOL_ENABLE,
	CTL_CMD_FLEET_STATUS,
	CTL_CMD__COUNT
};

/* In the table so xlbctl and help know it, but the subsystem has not
 * landed: the control-socket server answers `error 1 ... not implemented
 * yet` without calling the daemon. Remove the flag with the handler. */
#define CTL_CMD_F_PLANNED	0x1
/* May take long (reload): xlbctl waits CTL_TIMEOUT_SLOW_MS for it. */
#define CTL_CMD_F_SLOW		0x2
/* xlbctl answers it itself (completion): never sent to xlbd, and the
 * control-socket server refuses it. */
#define CTL_CMD_F_LOCAL		0x4

struct ctl_cmd {
	enum ctl_cmd_id id;
	const char *object;	/* "vip", "backend", ...; NULL: a command without object */
	const char *name;	/* "show", ...; the whole command when object is NULL */
	const char *args;	/* argument pattern (see above); "" for none */
	const char *summary;	/* one line for the command list */
	const char *doc;	/* more for `help` on this command; may be NULL */
	unsigned flags;		/* CTL_CMD_F_* */
};

extern const struct ctl_cmd ctl_cmds[CTL_CMD__COUNT];

/* A request's arguments by what they are, parsed once by the resolver:
 * the strings are the canonical words (they point into the request's
 * strings, like its argv); NULL or 0 when the command line has none. */
struct ctl_args {
	const char *vip;		/* VIP (conf_vip_format()'s form, or a name) */
	const char *backend;		/* BACKEND: an address as inet_ntop writes it */
	const char *neighbor;		/* NEIGHBOR: the same */
	const char *address;		/* ADDR (--address): the same */
	const char *client;		/* CLIENT[:PORT]: ctl_endpoint_format()'s form */
	const char *dest;		/* VIP[:PORT] given as an address: the same */
	const char *keyword;		/* the keyword given where the pattern offers a|b */
	__u32 n;			/* N */
	__u32 limit;			/* --limit N (0: no limit) */
	bool has_limit;			/* --limit was given */
	bool now;			/* --now */
	bool force;			/* --force */
	bool has_revision;		/* --revision N given */
	__u32 revision;			/* its N */
};

/* A resolved command line: canonical words, ready for ctl_req_encode(). */
struct ctl_request {
	const struct ctl_cmd *cmd;
	int argc;			/* [object] command args... */
	int first_arg;			/* index of the first argument in argv */
	char *argv[CTL_ARGC_MAX + 1];	/* NULL-terminated; point into strings */
	struct ctl_args args;		/* the same arguments, by what they are */
	char strings[CTL_ARGC_MAX * (CTL_ARG_MAX + 1)];
};

/* ctl_resolve() result for a help request. */
#define CTL_HELP 1

/*
 * Resolve argv (the words after xlbctl's options: OBJECT COMMAND ARGS).
 *   0          req holds the canonical request;
 *   CTL_HELP   the help asked for is in text;
 *   -EINVAL    usage error: a one-line message in err, ctl_usage() of what
 *              was recognised (the command, the object or nothing) in text;
 *   -ENOBUFS / -ENOMEM   text could not take the help.
 */
int ctl_resolve(int argc, char *const *argv, struct ctl_request *req, char *err, size_t errlen,
		struct buf *text);

/*
 * The command canonical words name (exact match) and, in *first_arg, the
 * index of its first argument; NULL if they name none. (The daemon gets
 * the resolved request; this checks that words mean the same again.)
 */
const struct ctl_cmd *ctl_cmd_lookup(int argc, char *const *argv, int *first_arg);

/* "vip show", "stats": the command's words, for messages. */
int ctl_cmd_format(const struct ctl_cmd *cmd, char *buf, size_t len);

/* The help text: everything (object NULL, cmd NULL), one object's
 * commands, or one command. */
int ctl_help(struct buf *out, const char *object, const struct ctl_cmd *cmd);
/* The short form after a usage error: the command's usage line, the
 * object's usage lines, or the general usage with the list of words. */
int ctl_usage(struct buf *out, const char *object, const struct ctl_cmd *cmd);

/* completion.c: the bash completion script, from this table. */
int ctl_completion_bash(struct buf *out);

/* A VIP argument, parsed. */
struct ctl_vip {
	bool is_name;			/* the NAME form: only name is set */
	char name[CTL_VIP_NAME_MAX + 1];
	struct conf_addr addr;
	__u8 proto;			/* IPPROTO_TCP / IPPROTO_UDP; 0 when local */
	__u16 port;			/* host order; 0 = all ports */
	bool local;			/* ADDR/local */
};

/* -EINVAL with the reason in err (err may be NULL). */
int ctl_vip_parse(const char *s, struct ctl_vip *vip, char *err, size_t errlen);
/* Canonical text; -ENOSPC if len is too small (CTL_VIP_STRLEN is enough). */
int ctl_vip_format(const struct ctl_vip *vip, char *buf, size_t len);
/* Does the argument name this configured VIP (by name, or by key:
 * address, protocol, port, local)? */
bool ctl_vip_match(const struct ctl_vip *vip, const struct conf_vip *conf);

/* An address with an optional port: ADDR, ADDR:PORT, ADDR6,
 * [ADDR6], [ADDR6]:PORT. */
struct ctl_endpoint {
	struct conf_addr addr;
	__u16 port;			/* host order; 0 = none given */
};

/* -EINVAL with the reason in err (err may be NULL). */
int ctl_endpoint_parse(const char *s, struct ctl_endpoint *ep, char *err, size_t errlen);
/* 192.0.2.7, 192.0.2.7:40000, 2001:db8::7, [2001:db8::7]:40000 */
int ctl_endpoint_format(const struct ctl_endpoint *ep, char *buf, size_t len);

/* An IPv4 or IPv6 address without brackets. */
int ctl_addr_parse(const char *s, struct conf_addr *addr);
int ctl_addr_format(const struct conf_addr *addr, char *buf, size_t len);

#endif
