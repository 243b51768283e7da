// SPDX-License-Identifier: GPL-2.0
/*
 * The health statement of a vip block:
 *
 *	health KIND [KIND's arguments] [OPTION VALUE ...]
 *
 * One table lists every option with the kinds that take it, so an option
 * of another kind is refused like an unknown keyword. After the options,
 * the defaults are filled in (so the printer spells them out and the
 * health checkers never guess) and the timing rules are checked:
 *
 *	interval	100ms..1h, default 1s
 *	fast-interval	100ms..interval, default max(100ms, interval / 4)
 *	timeout		10ms..1h and shorter than interval,
 *			default min(1s, interval / 2)
 *
 * A probe must end before the next one is due, hence timeout < interval;
 * half the interval leaves room for the answer to be late without the
 * probes overlapping. The probed port defaults to the vip's port (dns: 53
 * when the vip has none); tcp, http and https need `port` on an all-ports
 * vip or a local vip, since there is no port to default to.
 *
 * Local vips only, any kind: events that fail the check at once
 * (health/watch.c):
 *
 *	watch-socket [[ADDRESS:]PORT/PROTO]	up to 4 times
 *	watch-pidfile PATH
 *
 * ADDRESS is an IPv4 address, [IPv6] or * (any); without it, the vip's
 * address (a socket on the wildcard serves it too). Without the argument
 * at all: the check's own socket, the vip's address, the check's port
 * and protocol (dns: udp unless `tcp`; tcp, http, https: tcp); an exec
 * check has neither, so it must say PORT/PROTO. The argument is one word
 * with a '/', so it never takes the next option for itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "config/parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define H_TCP	(1U << CONF_HC_TCP)
#define H_HTTP	(1U << CONF_HC_HTTP)
#define H_HTTPS	(1U << CONF_HC_HTTPS)
#define H_DNS	(1U << CONF_HC_DNS)
#define H_EXEC	(1U << CONF_HC_EXEC)
#define H_WEB	(H_HTTP | H_HTTPS)
#define H_NET	(H_TCP | H_WEB | H_DNS)
#define H_ALL	(H_NET | H_EXEC)

#define HC_INTERVAL_MIN	100
#define HC_TIMEOUT_MIN	10
#define HC_COUNT_MAX	100	/* rise, fall */

/* The health statement being read. */
struct hc {
	struct conf_health *h;
	const struct conf_vip *vip;
	const char *kind;	/* its name, for messages */
	char what[32];		/* "health KIND" */
};

static int o_interval(struct parser *p, struct hc *c, const struct tok *t)
{
	(void)t;
	return get_duration(p, "health interval", HC_INTERVAL_MIN, CONF_HOUR_MS,
			    &c->h->interval_ms);
}

static int o_fast_interval(struct parser *p, struct hc *c, const struct tok *t)
{
	(void)t;
	return get_duration(p, "health fast-interval", HC_INTERVAL_MIN, CONF_HOUR_MS,
			    &c->h->fast_interval_ms);
}

static int o_timeout(struct parser *p, struct hc *c, const struct tok *t)
{
	(void)t;
	return get_duration(p, "health timeout", HC_TIMEOUT_MIN, CONF_HOUR_MS, &c->h->timeout_ms);
}

static int o_rise(struct parser *p, struct hc *c, const struct tok *t)
{
	(void)t;
	return get_u32(p, "health rise", 1, HC_COUNT_MAX, &c->h->rise);
}

static int o_fall(struct parser *p, struct hc *c, const struct tok *t)
{
	(void)t;
	return get_u32(p, "health fall", 1, HC_COUNT_MAX, &c->h->fall);
}

static int o_port(struct parser *p, struct hc *c, const struct tok *t)
{
	__u32 v;
	int err;

	(void)t;
	err = get_u32(p, "health port", 1, 65535, &v);
	if (!err)
		c->h->port = v;
	return err;
}

static int o_address(struct parser *p, struct hc *c, const struct tok *t)
{
	(void)t;
	return get_addr(p, "health address", 0, &c->h->address);
}

/* No white space or control characters: they would break the request. */
static bool http_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static int o_path(struct parser *p, struct hc *c, const struct tok *t)
{
	int err;

	err = get_text(p, "health path", &c->h->path);
	if (err)
		return err;
	if (c->h->path[0] != '/' || !http_safe(c->h->path))
		return p_err(p, t->line, "health path: '%s' must start with '/' and have no spaces",
			     c->h->path);
	return 0;
}

static int o_host(struct parser *p, struct hc *c, const struct tok *t)
{
	int err;

	err = get_text(p, "health host", &c->h->host);
	if (err)
		return err;
	if (!c->h->host[0] || !http_safe(c->h->host))
		return p_err(p, t->line, "health host: '%s' is not a host name", c->h->host);
	return 0;
}

static int o_status(struct parser *p, struct hc *c, const struct tok *t)
{
	struct conf_health *h = c->h;
	__u32 v;
	size_t i;
	int err;

	do {
		int line = p_peek(p)->line;

		err = get_u32(p, "health status", 100, 599, &v);
		if (err)
			return err;
		for (i = 0; i < h->n_status; i++)
			if (h->status[i] == v)
				return p_err(p, line, "health status %u given twice", v);
		if (h->n_status == CONF_HTTP_STATUS_MAX)
			return p_err(p, line, "health status: more than %d codes",
				     CONF_HTTP_STATUS_MAX);
		h->status[h->n_status++] = v;
	} while (p_peek(p)->type == TOK_NUMBER);
	(void)t;
	return 0;
}

static int o_expect(struct parser *p, struct hc *c, const struct tok *t)
{
	int err;

	err = get_text(p, "health expect", &c->h->expect);
	if (err)
		return err;
	if (!c->h->expect[0])
		return p_err(p, t->line, "health expect: empty text");
	return 0;
}

static int o_insecure(struct parser *p, struct hc *c, const struct tok *t)
{
	(void)p;
	(void)t;
	c->h->insecure = true;
	return 0;
}

/* A domain name in text form: labels of letters, digits, '-' and '_'
 * (SRV, DKIM names) of 1..63 bytes, 253 in all, optional final dot; or
 * "." for the root. */
static bool domain_ok(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (!strcmp(s, "."))
		return true;
	if (n && s[n - 1] == '.')
		n--;
	if (n < 1 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (!label)
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

static int o_query(struct parser *p, struct hc *c, const struct tok *t)
{
	int err;

	err = get_text(p, "health query", &c->h->query);
	if (err)
		return err;
	if (!domain_ok(c->h->query))
		return p_err(p, t->line, "health query: '%s' is not a domain name", c->h->query);
	return 0;
}

/* A DNS code in mnemonic form (parse() gives its value, or < 0) or as a
 * number from min to max. */
static int get_dns_code(struct parser *p, const char *what, __u32 min, __u32 max,
			int (*parse)(const char *), const char *names, __u32 *out)
{
	const struct tok *v = p_peek(p);
	char buf[96];
	int err;

	if (v->type == TOK_NUMBER)
		return get_u32(p, what, min, max, out);
	err = get_word(p, what, &v);
	if (err)
		return err;
	err = parse(v->text);
	if (err < 0)
		return p_err(p, v->line, "%s: %s is not one of %s or a number", what,
			     lex_describe(v, buf, sizeof(buf)), names);
	*out = err;
	return 0;
}

static int o_type(struct parser *p, struct hc *c, const struct tok *t)
{
	__u32 n;
	int err;

	(void)t;
	err = get_dns_code(p, "health type", 1, 65535, conf_dns_type_parse,
			   "A, AAAA, NS, SOA, MX, TXT, CNAME, PTR, SRV", &n);
	if (!err)
		c->h->qtype = n;
	return err;
}

static int o_rcode(struct parser *p, struct hc *c, const struct tok *t)
{
	__u32 n;
	int err;

	(void)t;
	err = get_dns_code(p, "health rcode", 0, 15, conf_dns_rcode_parse,
			   "NOERROR, NXDOMAIN, SERVFAIL, REFUSED", &n);
	if (!err)
		c->h->rcode = n;
	return err;
}

static int o_dns_tcp(struct parser *p, struct hc *c, const struct tok *t)
{
	(void)p;
	(void)t;
	c->h->dns_tcp = true;
	return 0;
}

static int o_nonempty(struct parser *p, struct hc *c, const struct tok *t)
{
	(void)p;
	(void)t;
	c->h->nonempty = true;
	return 0;
}

/* Login names as useradd(8) takes them, without the trailing '$'. */
static bool user_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 32 || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

static int o_user(struct parser *p, struct hc *c, const struct tok *t)
{
	int err;

	err = get_text(p, "health user", &c->h->user);
	if (err)
		return err;
	if (!user_ok(c->h->user))
		return p_err(p, t->line, "health user: '%s' is not a user name", c->h->user);
	return 0;
}

static int o_watch_socket(struct parser *p, struct hc *c, const struct tok *t)
{
	struct conf_health *h = c->h;
	const struct tok *v = p_peek(p);
	struct conf_watch_socket *w;
	char why[128];

	if (!c->vip->local)
		return p_err(p, t->line,
			     "health watch-socket: only on a local vip (the service runs on this host)");
	if (h->n_watch_socket == CONF_WATCH_SOCKETS_MAX)
		return p_err(p, t->line, "health watch-socket: more than %d sockets",
			     CONF_WATCH_SOCKETS_MAX);
	w = &h->watch_socket[h->n_watch_socket];
	/* port 0: the check's own socket, filled in by health_finish */
	memset(w, 0, sizeof(*w));
	if ((v->type == TOK_WORD || v->type == TOK_NUMBER) && strchr(v->text, '/')) {
		p_next(p);
		if (conf_watch_socket_parse(v->text, &c->vip->addr, w, why, sizeof(why)))
			return p_err(p, v->line, "health watch-socket '%s': %s", v->text, why);
	}
	h->n_watch_socket++;
	return 0;
}

static int o_watch_pidfile(struct parser *p, struct hc *c, const struct tok *t)
{
	if (!c->vip->local)
		return p_err(p, t->line,
			     "health watch-pidfile: only on a local vip (the service runs on this host)");
	return get_path(p, "health watch-pidfile", &c->h->watch_pidfile);
}

static const struct {
	const char *name;
	unsigned kinds;		/* H_* */
	int (*fn)(struct parser *p, struct hc *c, const struct tok *t);
	bool repeat;		/* may be given more than once */
} opts[] = {
	{ "interval", H_ALL, o_interval },
	{ "fast-interval", H_ALL, o_fast_interval },
	{ "timeout", H_ALL, o_timeout },
	{ "rise", H_ALL, o_rise },
	{ "fall", H_ALL, o_fall },
	{ "port", H_NET, o_port },
	{ "address", H_NET, o_address },
	{ "path", H_WEB, o_path },
	{ "host", H_WEB, o_host },
	{ "status", H_WEB, o_status },
	{ "expect", H_WEB, o_expect },
	{ "insecure", H_HTTPS, o_insecure },
	{ "query", H_DNS, o_query },
	{ "type", H_DNS, o_type },
	{ "rcode", H_DNS, o_rcode },
	{ "tcp", H_DNS, o_dns_tcp },
	{ "nonempty", H_DNS, o_nonempty },
	{ "user", H_EXEC, o_user },
	{ "watch-socket", H_ALL, o_watch_socket, true },
	{ "watch-pidfile", H_ALL, o_watch_pidfile },
};

/* The defaults of the watched sockets (the check's own port and
 * protocol), then no socket twice. */
static int watch_finish(struct parser *p, struct hc *c, int line)
{
	struct conf_health *h = c->h;
	char a[64];
	size_t i, j;

	for (i = 0; i < h->n_watch_socket; i++) {
		struct conf_watch_socket *w = &h->watch_socket[i];

		if (w->port)
			continue;
		if (h->kind == CONF_HC_EXEC)
			return p_err(p, line,
				     "health exec: watch-socket needs PORT/PROTO (an exec check has "
				     "no port of its own)");
		w->addr = c->vip->addr;
		w->port = h->port;
		w->proto = h->kind == CONF_HC_DNS && !h->dns_tcp ? IPPROTO_UDP : IPPROTO_TCP;
	}
	for (i = 0; i < h->n_watch_socket; i++)
		for (j = 0; j < i; j++)
			if (conf_addr_eq(&h->watch_socket[i].addr, &h->watch_socket[j].addr) &&
			    h->watch_socket[i].port == h->watch_socket[j].port &&
			    h->watch_socket[i].proto == h->watch_socket[j].proto) {
				conf_watch_socket_format(&h->watch_socket[i], a, sizeof(a));
				return p_err(p, line, "health watch-socket %s given twice", a);
			}
	return 0;
}

/* Fill in what was not given, then check the timing rules. */
static int health_finish(struct parser *p, struct hc *c, int line)
{
	struct conf_health *h = c->h;
	char a[32], b[32];

	if (!h->interval_ms)
		h->interval_ms = CONF_HC_INTERVAL_MS;
	if (!h->fast_interval_ms) {
		h->fast_interval_ms = h->interval_ms / 4;
		if (h->fast_interval_ms < CONF_HC_FAST_MIN_MS)
			h->fast_interval_ms = CONF_HC_FAST_MIN_MS;
	}
	if (h->fast_interval_ms > h->interval_ms)
		return p_err(p, line, "health fast-interval %s is longer than interval %s",
			     conf_duration_str(h->fast_interval_ms, a, sizeof(a)),
			     conf_duration_str(h->interval_ms, b, sizeof(b)));
	if (!h->timeout_ms) {
		h->timeout_ms = h->interval_ms / 2;
		if (h->timeout_ms > CONF_HC_TIMEOUT_MAX_MS)
			h->timeout_ms = CONF_HC_TIMEOUT_MAX_MS;
	}
	if (h->timeout_ms >= h->interval_ms)
		return p_err(p, line, "health timeout %s must be shorter than interval %s",
			     conf_duration_str(h->timeout_ms, a, sizeof(a)),
			     conf_duration_str(h->interval_ms, b, sizeof(b)));
	if (!h->rise)
		h->rise = CONF_HC_RISE;
	if (!h->fall)
		h->fall = CONF_HC_FALL;

	switch (h->kind) {
	case CONF_HC_DNS:
		if (!h->query)
			return p_err(p, line, "health dns needs 'query'");
		if (!h->qtype)
			h->qtype = 1;
		if (!h->port)
			h->port = c->vip->port ? c->vip->port : CONF_DNS_PORT;
		break;
	case CONF_HC_HTTP:
	case CONF_HC_HTTPS:
		if (!h->path) {
			h->path = strdup(CONF_HTTP_PATH);
			if (!h->path)
				return -ENOMEM;
		}
		/* fall through */
	case CONF_HC_TCP:
		if (!h->port && !c->vip->port)
			return p_err(p, line, "health %s needs 'port' on %s", c->kind,
				     c->vip->local ? "a local vip" : "an all-ports vip");
		if (!h->port)
			h->port = c->vip->port;
		break;
	case CONF_HC_EXEC:
		if (!h->user) {
			h->user = strdup(CONF_HC_USER);
			if (!h->user)
				return -ENOMEM;
		}
		break;
	default:
		break;
	}
	return watch_finish(p, c, line);
}

int parse_health(struct parser *p, struct conf_vip *vip, const struct tok *kw)
{
	static const char *const kinds[] = { "tcp", "http", "https", "dns", "exec" };
	struct hc c = { .h = &vip->health, .vip = vip };
	int seen[ARRAY_SIZE(opts)] = { 0 };
	const struct tok *t;
	size_t k, i;
	int err;

	err = get_choice(p, "health", kinds, ARRAY_SIZE(kinds), &k);
	if (err)
		return err;
	c.h->kind = CONF_HC_TCP + k;
	c.kind = conf_health_kind_name(c.h->kind);
	snprintf(c.what, sizeof(c.what), "health %s", c.kind);
	if (c.h->kind == CONF_HC_EXEC) {
		t = p_peek(p);
		err = get_text(p, c.what, &c.h->command);
		if (err)
			return err;
		if (!c.h->command[0])
			return p_err(p, t->line, "health exec: empty command");
	}
	while (!p_at_end(p)) {
		err = get_word(p, c.what, &t);
		if (err)
			return err;
		for (i = 0; i < ARRAY_SIZE(opts); i++)
			if (!strcmp(opts[i].name, t->text) && opts[i].kinds & (1U << c.h->kind))
				break;
		if (i == ARRAY_SIZE(opts))
			return p_err(p, t->line, "unknown keyword '%s' in %s", t->text, c.what);
		if (seen[i] && !opts[i].repeat)
			return p_err(p, t->line, "duplicate '%s' in %s", t->text, c.what);
		seen[i] = t->line;
		err = opts[i].fn(p, &c, t);
		if (err)
			return err;
	}
	return health_finish(p, &c, kw->line);
}
