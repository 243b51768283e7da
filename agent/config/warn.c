// SPDX-License-Identifier: GPL-2.0
/*
 * Warnings about a config that parses: what it asks that will not work as
 * written. They never refuse a file (`xlbd -n --strict` makes them errors
 * for CI); `xlbd -n` prints them, and xlbd logs them at start and on every
 * reload.
 *
 *  - routes: a VIP a BGP session cannot carry — an IPv6 VIP over an IPv4
 *    session (or the other way round) needs a next hop of the VIP's family,
 *    which only the VIP's `next-hop` or `encap-source` can give; without
 *    one the VIP is never sent to that neighbor;
 *  - this host: interfaces named by `xdp interface` and `add-address` that
 *    do not exist here, exec checks whose program is missing or that their
 *    user cannot run, exec check users that do not exist.
 *
 * The config holds no certificate or key file today (https checks use the
 * system's CA store): there is none to check.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>

#include "config/warn.h"

/* The exec checker's PATH (health/exec.c sets the same). */
static const char *const exec_path[] = {
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
};

struct warner {
	conf_warn_fn fn;
	void *arg;
	size_t n;
};

static void warn(struct warner *w, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(struct warner *w, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->fn(w->arg, line, msg);
	w->n++;
}

/* Can a session of this family carry VIP v (RFC 4760 next hop of v's
 * family, as bgp/routes.c picks it)? */
static bool next_hop_there(const struct xlb_conf *c, const struct conf_vip *v, __u8 session)
{
	if (v->addr.family == session || v->next_hop.family == v->addr.family)
		return true;
	return (v->addr.family == XLB_FAMILY_V4 ? c->encap_src4 : c->encap_src6).family != 0;
}

size_t conf_warn_routes(const struct xlb_conf *c, conf_warn_fn fn, void *arg)
{
	struct warner w = { .fn = fn, .arg = arg };
	size_t i, k;

	for (i = 0; i < c->n_vips; i++) {
		const struct conf_vip *v = &c->vips[i];
		char label[CONF_VIP_LABEL_MAX], list[256] = "", a[CONF_ADDR_STRLEN];
		size_t at = 0, n = 0;
		bool v6 = v->addr.family == XLB_FAMILY_V6;

		for (k = 0; k < c->n_neighbors; k++) {
			const struct conf_neighbor *nb = &c->neighbors[k];

			if (next_hop_there(c, v, nb->addr.family))
				continue;
			if (at < sizeof(list))
				at += snprintf(list + at, sizeof(list) - at, "%s%s", n ? ", " : "",
					       conf_addr_str(&nb->addr, a, sizeof(a)));
			n++;
		}
		if (!n)
			continue;
		conf_vip_label(v, label, sizeof(label));
		warn(&w, v->line,
		     "vip %s is not announced to %s %s: an %s route needs an %s next hop, which "
		     "an %s session does not give (set the vip's `next-hop`, or an %s "
		     "`encap-source`)", label, n > 1 ? "neighbors" : "neighbor", list,
		     v6 ? "IPv6" : "IPv4", v6 ? "IPv6" : "IPv4", v6 ? "IPv4" : "IPv6",
		     v6 ? "IPv6" : "IPv4");
	}
	return w.n;
}

/* Is the file executable by uid/gid (and its supplementary groups), as
 * far as its mode tells? */
static bool runnable_by(const struct stat *st, const struct passwd *pw)
{
	gid_t groups[64];
	int n = 64, i;

	if (pw->pw_uid == 0)
		return st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH);
	if (st->st_uid == pw->pw_uid)
		return st->st_mode & S_IXUSR;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		n = 0;
	for (i = 0; i < n; i++)
		if (groups[i] == st->st_gid)
			return st->st_mode & S_IXGRP;
	return st->st_mode & S_IXOTH;
}

/* Shell words that are not a program on the PATH (the check may well be
 * right): builtins and keywords an exec check might start with. */
static bool shell_word(const char *w)
{
	static const char *const words[] = {
		"!", ".", ":", "[", "[[", "case", "cd", "command", "eval", "exec", "exit", "for",
		"if", "read", "return", "set", "test", "true", "false", "until", "while", "{", "(",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

/* The program an exec check runs: `/bin/sh -c COMMAND` runs its first
 * word. One with shell syntax in it (a variable, a redirection, quotes)
 * cannot be told without running the shell: not checked. */
static void check_exec(struct warner *w, const struct conf_vip *v)
{
	const struct conf_health *h = &v->health;
	char label[CONF_VIP_LABEL_MAX], prog[256], path[512];
	const struct passwd *pw;
	struct stat st;
	size_t n, i;
	const char *s = h->command;

	conf_vip_label(v, label, sizeof(label));
	pw = getpwnam(h->user);
	if (!pw)
		warn(w, v->line, "vip %s: exec check user '%s' does not exist on this host", label,
		     h->user);
	s += strspn(s, " \t");
	n = strcspn(s, " \t\n");
	if (!n || n >= sizeof(prog))
		return;
	memcpy(prog, s, n);
	prog[n] = '\0';
	if (strpbrk(prog, "=;|&<>()$`\"'\\{}*?[~#") || shell_word(prog))
		return;
	if (strchr(prog, '/')) {
		snprintf(path, sizeof(path), "%s", prog);
		if (stat(path, &st)) {
			warn(w, v->line, "vip %s: exec check program %s: %s", label, path,
			     strerror(errno));
			return;
		}
	} else {
		for (i = 0; i < sizeof(exec_path) / sizeof(exec_path[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", exec_path[i], prog);
			if (!stat(path, &st) && S_ISREG(st.st_mode))
				break;
		}
		if (i == sizeof(exec_path) / sizeof(exec_path[0])) {
			warn(w, v->line, "vip %s: exec check program '%s' is not in the checks' PATH "
			     "(/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)", label,
			     prog);
			return;
		}
	}
	if (!S_ISREG(st.st_mode)) {
		warn(w, v->line, "vip %s: exec check program %s is not a regular file", label, path);
		return;
	}
	if (pw && !runnable_by(&st, pw))
		warn(w, v->line, "vip %s: exec check program %s is not executable by its user %s "
		     "(mode %04o, owner uid %u gid %u)", label, path, h->user,
		     (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid,
		     (unsigned int)st.st_gid);
}

size_t conf_warn_host(const struct xlb_conf *c, bool xdp, conf_warn_fn fn, void *arg)
{
	struct warner w = { .fn = fn, .arg = arg };
	size_t i;

	if (xdp && c->xdp_ifname && !if_nametoindex(c->xdp_ifname))
		warn(&w, c->line.xdp, "xdp interface %s: no such interface on this host",
		     c->xdp_ifname);
	for (i = 0; i < c->n_vips; i++) {
		const struct conf_vip *v = &c->vips[i];
		char label[CONF_VIP_LABEL_MAX];

		if (v->add_address && !if_nametoindex(v->add_address)) {
			conf_vip_label(v, label, sizeof(label));
			warn(&w, v->line, "vip %s: add-address %s: no such interface on this host",
			     label, v->add_address);
		}
		if (v->health.kind == CONF_HC_EXEC && v->health.command)
			check_exec(&w, v);
	}
	return w.n;
}
