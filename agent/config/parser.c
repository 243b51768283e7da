// SPDX-License-Identifier: GPL-2.0
/*
 * Parser of xlb.conf (the language is in doc/xlb.conf.5).
 *
 * The text is cut into tokens first (lexer.c). Statements are then read
 * block by block with one table of keywords per block (top level,
 * neighbor, bfd, vip, pool-state), each row naming the handler that reads the
 * keyword's arguments; the block loop (cursor.c) refuses unknown
 * keywords, repeats of non-repeatable ones and forwarding-only keywords
 * in local vips, and checks that a statement ends where its handler
 * stopped. Checks that concern one block run when its '}' is read; checks
 * that need statements from elsewhere in the file (allowed-prefixes,
 * encap-source, xdp, router-id, local-as) run after the whole file
 * (validate.c). The first error stops everything; the half-built config
 * is freed with conf_free() (conf.c).
 *
 * This file: entry points, top-level and neighbor statements.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "config/parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --- top level --- */

static int g_router_id(struct parser *p, void *obj, const struct tok *kw)
{
	struct xlb_conf *conf = obj;
	struct conf_addr a;
	int err;

	err = get_addr(p, "router-id", XLB_FAMILY_V4, &a);
	if (err)
		return err;
	if (!a.addr.v4)
		return p_err(p, kw->line, "router-id must not be 0.0.0.0");
	conf->router_id = a.addr.v4;
	conf->has_router_id = true;
	return 0;
}

/* An AS number of 4 octets other than AS_TRANS. */
static int get_as(struct parser *p, const char *what, __u32 *out)
{
	int line = p_peek(p)->line;
	int err;

	err = get_u32(p, what, 1, UINT32_MAX, out);
	if (err)
		return err;
	if (*out == CONF_AS_TRANS)
		return p_err(p, line, "%s %u is AS_TRANS (RFC 6793), not a real AS number", what,
			     *out);
	return 0;
}

static int g_local_as(struct parser *p, void *obj, const struct tok *kw)
{
	struct xlb_conf *conf = obj;

	(void)kw;
	return get_as(p, "local-as", &conf->local_as);
}

static int g_allowed_entry(struct parser *p, struct xlb_conf *conf)
{
	int line = p_peek(p)->line;
	char s[CONF_ADDR_STRLEN];
	struct conf_prefix pfx, *slot;
	size_t i;
	__u32 max;
	int err;

	err = get_prefix(p, "allowed-prefixes", &pfx);
	if (err)
		return err;
	if (!p_at_end(p)) {
		const char *const kws[] = { "max" };
		size_t k;

		err = get_choice(p, "allowed-prefixes", kws, ARRAY_SIZE(kws), &k);
		if (err)
			return err;
		err = get_u32(p, "allowed-prefixes max", pfx.len, pfx.max_len, &max);
		if (err)
			return err;
		pfx.max_len = max;
	}
	for (i = 0; i < conf->n_allowed; i++) {
		const struct conf_prefix *o = &conf->allowed[i];

		if (o->len == pfx.len && conf_addr_eq(&o->net, &pfx.net))
			return p_err(p, line, "allowed-prefixes: %s/%u given twice",
				     conf_addr_str(&pfx.net, s, sizeof(s)), pfx.len);
	}
	slot = p_append(&conf->allowed, &conf->n_allowed, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = pfx;
	return 0;
}

/* allowed-prefixes { PREFIX [max N] ... }: entries separated by ';' or
 * newlines; may be given more than once, entries add up. */
static int g_allowed(struct parser *p, void *obj, const struct tok *kw)
{
	struct xlb_conf *conf = obj;
	const struct tok *t;
	char buf[96];
	int open_line;
	int err;

	open_line = p_peek(p)->line;
	err = p_expect_lbrace(p, "allowed-prefixes");
	if (err)
		return err;
	(void)kw;
	for (;;) {
		t = p_peek(p);
		if (t->type == TOK_EOS) {
			p_next(p);
			continue;
		}
		if (t->type == TOK_RBRACE) {
			p_next(p);
			return 0;
		}
		if (t->type == TOK_EOF)
			return p_err(p, open_line,
				     "unterminated allowed-prefixes block (no '}' before end of file)");
		err = g_allowed_entry(p, conf);
		if (err)
			return err;
		t = p_peek(p);
		if (t->type == TOK_EOS)
			p_next(p);
		else if (t->type != TOK_RBRACE && t->type != TOK_EOF)
			return p_err(p, t->line, "unexpected %s after allowed prefix",
				     lex_describe(t, buf, sizeof(buf)));
	}
}

static int g_encap_source(struct parser *p, void *obj, const struct tok *kw)
{
	struct xlb_conf *conf = obj;
	struct conf_addr a;
	int i, err;

	(void)kw;
	for (i = 0; i < 2 && (i == 0 || !p_at_end(p)); i++) {
		int line = p_peek(p)->line;
		struct conf_addr *slot;

		err = get_addr(p, "encap-source", 0, &a);
		if (err)
			return err;
		slot = a.family == XLB_FAMILY_V4 ? &conf->encap_src4 : &conf->encap_src6;
		if (slot->family)
			return p_err(p, line, "encap-source: two %s addresses",
				     a.family == XLB_FAMILY_V4 ? "IPv4" : "IPv6");
		*slot = a;
	}
	return 0;
}

/* Linux interface names: 1..15 bytes, no '/', ':' or white space. */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 15 && !strpbrk(s, "/: \t");
}

static int g_xdp(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const iface[] = { "interface" };
	static const char *const mode[] = { "mode" };
	static const char *const modes[] = { "native", "generic" };
	struct xlb_conf *conf = obj;
	size_t k;
	int line, err;

	conf->line.xdp = kw->line;
	err = get_choice(p, "xdp", iface, ARRAY_SIZE(iface), &k);
	if (err)
		return err;
	line = p_peek(p)->line;
	err = get_text(p, "xdp interface", &conf->xdp_ifname);
	if (err)
		return err;
	if (!ifname_ok(conf->xdp_ifname))
		return p_err(p, line,
			     "xdp interface: '%s' is not an interface name (1 to 15 characters, "
			     "no '/', ':' or spaces)",
			     conf->xdp_ifname);
	if (p_at_end(p))
		return 0;
	err = get_choice(p, "xdp", mode, ARRAY_SIZE(mode), &k);
	if (err)
		return err;
	err = get_choice(p, "xdp mode", modes, ARRAY_SIZE(modes), &k);
	if (err)
		return err;
	conf->xdp_mode = k == 0 ? CONF_XDP_NATIVE : CONF_XDP_GENERIC;
	return 0;
}

static int g_pin_path(struct parser *p, void *obj, const struct tok *kw)
{
	((struct xlb_conf *)obj)->line.pin_path = kw->line;
	return get_path(p, "pin-path", &((struct xlb_conf *)obj)->pin_path);
}

static int g_control_socket(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const group[] = { "group" };
	struct xlb_conf *conf = obj;
	size_t k;
	int err;

	conf->line.control_socket = kw->line;
	err = get_path(p, "control-socket", &conf->socket_path);
	if (err || p_at_end(p))
		return err;
	err = get_choice(p, "control-socket", group, ARRAY_SIZE(group), &k);
	if (err)
		return err;
	return get_text(p, "control-socket group", &conf->socket_group);
}

static int g_state_file(struct parser *p, void *obj, const struct tok *kw)
{
	((struct xlb_conf *)obj)->line.state_file = kw->line;
	return get_path(p, "state-file", &((struct xlb_conf *)obj)->state_file);
}

static int g_disable_file(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_path(p, "disable-file", &((struct xlb_conf *)obj)->disable_file);
}

static int g_flow_table(struct parser *p, void *obj, const struct tok *kw)
{
	((struct xlb_conf *)obj)->line.flow_table = kw->line;
	return get_u32(p, "flow-table", CONF_FLOWS_MIN, CONF_FLOWS_MAX,
		       &((struct xlb_conf *)obj)->flow_entries);
}

/* metrics listen ADDR port N: any IPv4 or IPv6 address (0.0.0.0 and ::
 * included); there is no default port: the exporter range is crowded. */
static int g_metrics(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const listen_kw[] = { "listen" };
	static const char *const port_kw[] = { "port" };
	struct conf_metrics *m = &((struct xlb_conf *)obj)->metrics;
	char s[CONF_ADDR_STRLEN];
	__u32 port;
	size_t k;
	int err;

	err = get_choice(p, "metrics", listen_kw, ARRAY_SIZE(listen_kw), &k);
	if (!err)
		err = get_addr(p, "metrics listen", 0, &m->addr);
	if (err)
		return err;
	if (p_at_end(p))
		return p_err(p, kw->line, "metrics listen %s: no port (metrics listen ADDR port N)",
			     conf_addr_str(&m->addr, s, sizeof(s)));
	err = get_choice(p, "metrics listen", port_kw, ARRAY_SIZE(port_kw), &k);
	if (!err)
		err = get_u32(p, "metrics port", 1, 65535, &port);
	if (!err)
		m->port = port;
	return err;
}

/* --- neighbor --- */

static int n_remote_as(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_as(p, "remote-as", &((struct conf_neighbor *)obj)->remote_as);
}

static int n_hold_time(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_neighbor *nb = obj;
	__u32 v;
	int err;

	err = get_seconds(p, "hold-time", 0, 65535, &v);
	if (err)
		return err;
	/* RFC 4271 section 4.2: zero or at least three seconds */
	if (v == 1 || v == 2)
		return p_err(p, kw->line, "hold-time %us is not allowed (0 or 3..65535 seconds)", v);
	nb->hold_time = v;
	return 0;
}

static int n_description(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_text(p, "description", &((struct conf_neighbor *)obj)->description);
}

static int n_password(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_neighbor *nb = obj;
	size_t len;
	int err;

	err = get_text(p, "password", &nb->password);
	if (err)
		return err;
	len = strlen(nb->password);
	if (!len)
		return p_err(p, kw->line, "password must not be empty");
	if (len > CONF_PASSWORD_MAX)
		return p_err(p, kw->line, "password longer than %d bytes (TCP-MD5 limit)",
			     CONF_PASSWORD_MAX);
	return 0;
}

static int n_passive(struct parser *p, void *obj, const struct tok *kw)
{
	(void)p;
	(void)kw;
	((struct conf_neighbor *)obj)->passive = true;
	return 0;
}

static int n_port(struct parser *p, void *obj, const struct tok *kw)
{
	__u32 v;
	int err;

	(void)kw;
	err = get_u32(p, "port", 1, 65535, &v);
	if (!err)
		((struct conf_neighbor *)obj)->port = v;
	return err;
}

static int n_local_address(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_neighbor *nb = obj;
	char a[CONF_ADDR_STRLEN], b[CONF_ADDR_STRLEN];
	int err;

	err = get_addr(p, "local-address", 0, &nb->local_address);
	if (err)
		return err;
	if (nb->local_address.family != nb->addr.family)
		return p_err(p, kw->line,
			     "local-address %s is not of the same family as neighbor %s",
			     conf_addr_str(&nb->local_address, a, sizeof(a)),
			     conf_addr_str(&nb->addr, b, sizeof(b)));
	return 0;
}

static int n_multihop(struct parser *p, void *obj, const struct tok *kw)
{
	__u32 v;
	int err;

	(void)kw;
	err = get_u32(p, "multihop", 1, 255, &v);
	if (!err)
		((struct conf_neighbor *)obj)->multihop = v;
	return err;
}

static int n_ttl_security(struct parser *p, void *obj, const struct tok *kw)
{
	(void)p;
	(void)kw;
	((struct conf_neighbor *)obj)->ttl_security = true;
	return 0;
}

static int n_graceful_restart(struct parser *p, void *obj, const struct tok *kw)
{
	(void)p;
	(void)kw;
	((struct conf_neighbor *)obj)->graceful_restart = true;
	return 0;
}

static int n_drain(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_duration(p, "drain", 0, CONF_HOUR_MS, &((struct conf_neighbor *)obj)->drain_ms);
}

static int b_interval(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_duration(p, "bfd interval", 10, 60000, &((struct conf_bfd *)obj)->interval_ms);
}

static int b_min_rx(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_duration(p, "bfd min-rx", 10, 60000, &((struct conf_bfd *)obj)->min_rx_ms);
}

static int b_multiplier(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_u32(p, "bfd multiplier", 1, 255, &((struct conf_bfd *)obj)->multiplier);
}

static const struct kw bfd_kws[] = {
	{ "interval", b_interval, 0 },
	{ "min-rx", b_min_rx, 0 },
	{ "multiplier", b_multiplier, 0 },
};

/* bfd [{ interval D min-rx D multiplier N }]: the block is a list of
 * settings, which may share a line without ';'. */
static int n_bfd(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_bfd *bfd = &((struct conf_neighbor *)obj)->bfd;
	int seen[ARRAY_SIZE(bfd_kws)] = { 0 };
	struct block b = {
		.name = "bfd",
		.open_line = p_peek(p)->line,
		.kws = bfd_kws,
		.n_kws = ARRAY_SIZE(bfd_kws),
		.seen = seen,
	};
	const struct tok *t;
	size_t i;
	int err;

	(void)kw;
	bfd->enabled = true;
	bfd->interval_ms = CONF_BFD_INTERVAL_MS;
	bfd->multiplier = CONF_BFD_MULTIPLIER;
	if (p_peek(p)->type == TOK_LBRACE) {
		p_next(p);
		/* the statement loop of p_block, without end-of-statement
		 * separators: every setting takes exactly one value */
		for (;;) {
			char buf[96];

			t = p_next(p);
			if (t->type == TOK_EOS)
				continue;
			if (t->type == TOK_RBRACE)
				break;
			if (t->type == TOK_EOF)
				return p_err(p, b.open_line,
					     "unterminated bfd block (no '}' before end of file)");
			if (t->type != TOK_WORD && t->type != TOK_NUMBER)
				return p_err(p, t->line, "expected a keyword in bfd block, got %s",
					     lex_describe(t, buf, sizeof(buf)));
			if (!p_kw_find(&b, t->text, &i))
				return p_err(p, t->line, "unknown keyword '%s' in bfd block",
					     t->text);
			if (seen[i])
				return p_err(p, t->line,
					     "duplicate '%s' in bfd block (first on line %d)",
					     t->text, seen[i]);
			seen[i] = t->line;
			err = bfd_kws[i].fn(p, bfd, t);
			if (err)
				return err;
		}
	}
	if (!seen[1])
		bfd->min_rx_ms = bfd->interval_ms;
	return 0;
}

static const struct kw neighbor_kws[] = {
	{ "remote-as", n_remote_as, 0 },
	{ "hold-time", n_hold_time, 0 },
	{ "description", n_description, 0 },
	{ "password", n_password, KW_SECRET },
	{ "passive", n_passive, 0 },
	{ "port", n_port, 0 },
	{ "local-address", n_local_address, 0 },
	{ "multihop", n_multihop, 0 },
	{ "ttl-security", n_ttl_security, 0 },
	{ "graceful-restart", n_graceful_restart, 0 },
	{ "drain", n_drain, 0 },
	{ "bfd", n_bfd, 0 },
};

enum { NKW_REMOTE_AS = 0 };

static int g_neighbor(struct parser *p, void *obj, const struct tok *kw)
{
	struct xlb_conf *conf = obj;
	int seen[ARRAY_SIZE(neighbor_kws)] = { 0 };
	struct block b = {
		.name = "neighbor",
		.kws = neighbor_kws,
		.n_kws = ARRAY_SIZE(neighbor_kws),
		.seen = seen,
	};
	char s[CONF_ADDR_STRLEN];
	struct conf_neighbor *nb;
	struct conf_addr a;
	size_t i;
	int err;

	err = get_addr(p, "neighbor", 0, &a);
	if (err)
		return err;
	conf_addr_str(&a, s, sizeof(s));
	for (i = 0; i < conf->n_neighbors; i++) {
		const struct conf_neighbor *o = &conf->neighbors[i];

		if (conf_addr_eq(&o->addr, &a))
			return p_err(p, kw->line, "duplicate neighbor %s (first on line %d)", s,
				     o->line);
	}
	nb = p_append(&conf->neighbors, &conf->n_neighbors, sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	nb->addr = a;
	nb->line = kw->line;
	nb->hold_time = CONF_HOLD_TIME;
	nb->port = CONF_BGP_PORT;
	b.open_line = p_peek(p)->line;
	err = p_expect_lbrace(p, "neighbor address");
	if (err)
		return err;
	err = p_block(p, &b, nb);
	if (err)
		return err;
	if (!seen[NKW_REMOTE_AS])
		return p_err(p, nb->line, "neighbor %s has no remote-as", s);
	return 0;
}

static const struct kw top_kws[] = {
	{ "router-id", g_router_id, 0 },
	{ "local-as", g_local_as, 0 },
	{ "allowed-prefixes", g_allowed, KW_REPEAT },
	{ "encap-source", g_encap_source, 0 },
	{ "xdp", g_xdp, 0 },
	{ "pin-path", g_pin_path, 0 },
	{ "control-socket", g_control_socket, 0 },
	{ "state-file", g_state_file, 0 },
	{ "flow-table", g_flow_table, 0 },
	{ "neighbor", g_neighbor, KW_REPEAT },
	{ "vip", parse_vip, KW_REPEAT },
	{ "disable-file", g_disable_file, 0 },
	{ "metrics", g_metrics, 0 },
	{ "pool-state", parse_pool_state, 0 },
};

/* --- entry points --- */

static int set_default(char **field, const char *value)
{
	if (*field)
		return 0;
	*field = strdup(value);
	return *field ? 0 : -ENOMEM;
}

static int parse_text(const char *name, const char *text, size_t len, struct xlb_conf **out,
		      char *err, size_t errlen)
{
	int seen[ARRAY_SIZE(top_kws)] = { 0 };
	struct block top = {
		.kws = top_kws,
		.n_kws = ARRAY_SIZE(top_kws),
		.seen = seen,
	};
	struct parser p = {
		.name = name,
		.err = err,
		.errlen = errlen,
	};
	struct xlb_conf *conf;
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	conf = calloc(1, sizeof(*conf));
	if (!conf)
		return -ENOMEM;
	p.conf = conf;
	conf->flow_entries = XLB_FLOWS_DEFAULT;
	conf->xdp_mode = CONF_XDP_NATIVE;
	conf->file = strdup(name);
	if (!conf->file) {
		ret = -ENOMEM;
		goto out;
	}
	ret = lex_tokenize(name, text, len, &p.tl, err, errlen);
	if (ret)
		goto out;
	ret = p_block(&p, &top, conf);
	if (ret)
		goto out;
	ret = set_default(&conf->pin_path, CONF_PIN_PATH);
	if (!ret)
		ret = set_default(&conf->socket_path, CONF_SOCKET_PATH);
	if (!ret)
		ret = set_default(&conf->state_file, CONF_STATE_FILE);
	if (!ret)
		ret = conf_validate(&p);
out:
	if (ret == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s: out of memory", name);
	lex_free(&p.tl);
	if (ret) {
		conf_free(conf);
		return ret;
	}
	*out = conf;
	return 0;
}

int conf_parse_string(const char *name, const char *text, struct xlb_conf **out, char *err,
		      size_t errlen)
{
	return parse_text(name, text, strlen(text), out, err, errlen);
}

/* What a path that is not a regular file is, for the message. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory, not a regular file";
	if (S_ISFIFO(mode))
		return "a FIFO, not a regular file";
	if (S_ISSOCK(mode))
		return "a socket, not a regular file";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device, not a regular file";
	return "not a regular file";
}

int conf_parse_file(const char *path, struct xlb_conf **out, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	*out = NULL;
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer;
	 * it is refused below like anything that is not a regular file */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONF_FILE_MAX) {
		ret = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		snprintf(err, errlen, "%s: %s", path,
			 ret == -EFBIG ? "larger than 16 MiB" : file_kind(st.st_mode));
		goto out;
	}
	text = malloc(st.st_size + 1);
	if (!text) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	/* read what is there; the size may change under us */
	while (len < (size_t)st.st_size) {
		n = read(fd, text + len, st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			goto out;
		}
		if (n == 0)
			break;
		len += n;
	}
	text[len] = '\0';
	ret = parse_text(path, text, len, out, err, errlen);
out:
	free(text);
	close(fd);
	return ret;
}
