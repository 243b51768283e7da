// SPDX-License-Identifier: GPL-2.0
/*
 * The pool-state block: where the runtime pool state of this node comes
 * from (doc/xlb.conf.5).
 *
 *   pool-state etcd {
 *       endpoints http://192.0.2.40:2379 http://192.0.2.41:2379
 *       prefix /xlb/prod
 *       name lb1
 *       tls ca /etc/xlb/etcd-ca.pem cert /etc/xlb/etcd.pem key /etc/xlb/etcd-key.pem
 *       user xlb password-file /etc/xlb/etcd.password
 *       depool-threshold 0.5
 *   }
 *
 * Endpoints are kept normalized (scheme://HOST:PORT, the port spelled
 * out), so two configs naming the same members compare equal. Files are
 * only named here; xlbd reads them when it starts (core/pool.c), and the
 * password file's contents never enter the config.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "config/parse.h"
#include "pool/names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define URL_MAX 300

/* http(s)://HOST[:PORT][/] with HOST an IPv4 address, [IPv6] or a DNS
 * name: the normalized URL into out, or a reason into why. */
static bool url_norm(const char *s, char *out, size_t len, bool *https, char *why, size_t wlen)
{
	char host[256];
	const char *h, *end, *port = NULL;
	unsigned long pn = CONF_ETCD_PORT;
	struct in6_addr a6;
	size_t hl, i;
	char *e;

	if (!strncmp(s, "http://", 7)) {
		*https = false;
		h = s + 7;
	} else if (!strncmp(s, "https://", 8)) {
		*https = true;
		h = s + 8;
	} else {
		snprintf(why, wlen, "not an http:// or https:// URL");
		return false;
	}
	if (*h == '[') {
		end = strchr(h, ']');
		if (!end) {
			snprintf(why, wlen, "missing ']'");
			return false;
		}
		hl = end - h - 1;
		if (hl >= sizeof(host))
			goto bad_host;
		memcpy(host, h + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1) {
			snprintf(why, wlen, "'%.60s' is not an IPv6 address", host);
			return false;
		}
		end++;
	} else {
		end = h + strcspn(h, ":/");
		hl = end - h;
		if (!hl || hl >= sizeof(host))
			goto bad_host;
		memcpy(host, h, hl);
		host[hl] = '\0';
		for (i = 0; i < hl; i++)
			if (!((host[i] >= 'a' && host[i] <= 'z') || (host[i] >= 'A' && host[i] <= 'Z') ||
			      (host[i] >= '0' && host[i] <= '9') || host[i] == '.' || host[i] == '-'))
				goto bad_host;
	}
	if (*end == ':') {
		port = end + 1;
		errno = 0;
		pn = strtoul(port, &e, 10);
		if (errno || e == port || pn < 1 || pn > 65535 || (*e && strcmp(e, "/"))) {
			snprintf(why, wlen, "the port must be 1..65535 (and no path)");
			return false;
		}
	} else if (*end && strcmp(end, "/")) {
		snprintf(why, wlen, "no path allowed (the API is at /v3/)");
		return false;
	}
	if (snprintf(out, len, "%s://%s%s%s:%lu", *https ? "https" : "http", *h == '[' ? "[" : "",
		     host, *h == '[' ? "]" : "", pn) >= (int)len) {
		snprintf(why, wlen, "too long");
		return false;
	}
	return true;
bad_host:
	snprintf(why, wlen, "no host name or address");
	return false;
}

static int ps_endpoints(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_pool_state *ps = obj;
	char url[URL_MAX], why[96];
	bool https = false, first_https = false;
	const struct tok *t;
	char **slot;
	size_t i;

	if (p_at_end(p))
		return p_err(p, kw->line, "missing argument for endpoints");
	while (!p_at_end(p)) {
		t = p_peek(p);
		if (t->type != TOK_WORD && t->type != TOK_STRING)
			return p_err(p, t->line, "endpoints: expected a URL");
		if (!url_norm(t->text, url, sizeof(url), &https, why, sizeof(why)))
			return p_err(p, t->line, "endpoints: '%.100s': %s", t->text, why);
		if (ps->n_endpoints && https != first_https)
			return p_err(p, t->line, "endpoints: all http:// or all https://, not both");
		first_https = https;
		for (i = 0; i < ps->n_endpoints; i++)
			if (!strcmp(ps->endpoints[i], url))
				return p_err(p, t->line, "endpoints: %s given twice", url);
		if (ps->n_endpoints == CONF_ENDPOINTS_MAX)
			return p_err(p, t->line, "endpoints: more than %d", CONF_ENDPOINTS_MAX);
		slot = p_append(&ps->endpoints, &ps->n_endpoints, sizeof(*slot));
		if (!slot || !(*slot = strdup(url)))
			return -ENOMEM;
		p_next(p);
	}
	return 0;
}

static int ps_prefix(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_pool_state *ps = obj;
	int err;

	err = get_text(p, "prefix", &ps->prefix);
	if (err)
		return err;
	if (!pool_prefix_valid(ps->prefix))
		return p_err(p, kw->line,
			     "prefix '%.100s': must start with '/', not end with one, at most %d "
			     "printable characters without spaces or '//'",
			     ps->prefix, POOL_PREFIX_MAX);
	return 0;
}

static int ps_name(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_pool_state *ps = obj;
	int err;

	err = get_text(p, "name", &ps->name);
	if (err)
		return err;
	if (!pool_node_name_valid(ps->name))
		return p_err(p, kw->line,
			     "name '%.100s': letters, digits, '.', '_' and '-', starting with a "
			     "letter or digit, at most %d",
			     ps->name, POOL_NODE_NAME_MAX);
	return 0;
}

/* tls [ca FILE] [cert FILE key FILE] */
static int ps_tls(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const words[] = { "ca", "cert", "key" };
	struct conf_pool_state *ps = obj;
	char **fields[] = { &ps->tls_ca, &ps->tls_cert, &ps->tls_key };
	size_t k;
	int err;

	if (p_at_end(p))
		return p_err(p, kw->line, "missing argument for tls (ca FILE, cert FILE key FILE)");
	while (!p_at_end(p)) {
		int line = p_peek(p)->line;

		err = get_choice(p, "tls", words, ARRAY_SIZE(words), &k);
		if (err)
			return err;
		if (*fields[k])
			return p_err(p, line, "tls: %s given twice", words[k]);
		err = get_path(p, k == 0 ? "tls ca" : k == 1 ? "tls cert" : "tls key", fields[k]);
		if (err)
			return err;
	}
	if (!ps->tls_cert != !ps->tls_key)
		return p_err(p, kw->line, "tls: cert and key go together");
	return 0;
}

/* user NAME password-file FILE */
static int ps_user(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const pwf[] = { "password-file" };
	struct conf_pool_state *ps = obj;
	size_t k;
	int err;

	err = get_text(p, "user", &ps->user);
	if (err)
		return err;
	if (!ps->user[0] || strpbrk(ps->user, " \t"))
		return p_err(p, kw->line, "user: an etcd user name without spaces");
	if (p_at_end(p))
		return p_err(p, kw->line,
			     "user %.64s: no password-file (user NAME password-file FILE)",
			     ps->user);
	err = get_choice(p, "user", pwf, ARRAY_SIZE(pwf), &k);
	if (err)
		return err;
	return get_path(p, "password-file", &ps->password_file);
}

/* depool-threshold F: 0..1 with at most two decimals, kept in percent */
static int ps_threshold(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_pool_state *ps = obj;
	const struct tok *t;
	unsigned pct = 0, scale = 10;
	const char *s;

	(void)kw;
	if (p_at_end(p))
		return p_err(p, p_peek(p)->line, "missing argument for depool-threshold");
	t = p_peek(p);
	s = t->text;
	if (t->type != TOK_WORD && t->type != TOK_NUMBER)
		goto bad;
	if (!strcmp(s, "1") || !strcmp(s, "1.0") || !strcmp(s, "1.00")) {
		pct = 100;
	} else {
		if (s[0] != '0')
			goto bad;
		if (s[1]) {
			if (s[1] != '.' || !s[2] || strlen(s) > 4)
				goto bad;
			for (s += 2; *s; s++, scale /= 10) {
				if (*s < '0' || *s > '9')
					goto bad;
				pct += (*s - '0') * scale;
			}
		}
	}
	ps->depool_threshold = pct;
	p_next(p);
	return 0;
bad:
	return p_err(p, t->line, "depool-threshold: '%.32s' is not a fraction 0..1 (0.5, 0.25, 1)",
		     t->text);
}

static const struct kw pool_kws[] = {
	{ "endpoints", ps_endpoints, 0 },
	{ "prefix", ps_prefix, 0 },
	{ "name", ps_name, 0 },
	{ "tls", ps_tls, 0 },
	{ "user", ps_user, 0 },
	{ "depool-threshold", ps_threshold, 0 },
};

enum { PKW_ENDPOINTS = 0, PKW_PREFIX, PKW_NAME, PKW_TLS };

int parse_pool_state(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const kinds[] = { "etcd" };
	struct xlb_conf *conf = obj;
	struct conf_pool_state *ps = &conf->pool;
	int seen[ARRAY_SIZE(pool_kws)] = { 0 };
	struct block b = {
		.name = "pool-state",
		.kws = pool_kws,
		.n_kws = ARRAY_SIZE(pool_kws),
		.seen = seen,
	};
	size_t k;
	int err;

	conf->line.pool_state = kw->line;
	ps->line = kw->line;
	err = get_choice(p, "pool-state", kinds, ARRAY_SIZE(kinds), &k);
	if (err)
		return err;
	ps->etcd = true;
	ps->depool_threshold = CONF_DEPOOL_THRESHOLD;
	b.open_line = p_peek(p)->line;
	err = p_expect_lbrace(p, "pool-state etcd");
	if (err)
		return err;
	err = p_block(p, &b, ps);
	if (err)
		return err;
	if (!seen[PKW_ENDPOINTS])
		return p_err(p, kw->line, "pool-state etcd has no endpoints");
	if (!seen[PKW_PREFIX])
		return p_err(p, kw->line, "pool-state etcd has no prefix");
	if (seen[PKW_TLS] && !strncmp(ps->endpoints[0], "http://", 7))
		return p_err(p, seen[PKW_TLS], "tls: the endpoints are http://, not https://");
	return 0;
}
