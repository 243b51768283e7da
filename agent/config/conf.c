// SPDX-License-Identifier: GPL-2.0
/*
 * The config model's own operations, for everyone who holds a struct
 * xlb_conf (the parser, the printer, xlbd, the CLI's messages): the text
 * forms of its values (addresses, durations, VIP identities, DNS type and
 * rcode names, health kinds), equality and identity (a reload keeps what
 * did not change), and freeing it.
 *
 * Equality is by meaning, not by bytes: an address compares its family
 * and the bytes that family uses, a status list its n_status entries. The
 * bytes past them (struct padding, the rest of an IPv4 address's union,
 * unused status slots) say nothing, and whoever fills a struct need not
 * zero them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *conf_addr_str(const struct conf_addr *a, char *buf, size_t len)
{
	int af = a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;

	if (!a->family || !inet_ntop(af, &a->addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *conf_duration_str(__u32 ms, char *buf, size_t len)
{
	if (ms && ms % 3600000 == 0)
		snprintf(buf, len, "%uh", ms / 3600000);
	else if (ms && ms % 60000 == 0)
		snprintf(buf, len, "%um", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%us", ms / 1000);
	else
		snprintf(buf, len, "%ums", ms);
	return buf;
}

int conf_vip_format(const struct conf_vip *vip, char *buf, size_t len)
{
	char a[CONF_ADDR_STRLEN], port[8];
	const char *proto = vip->proto == IPPROTO_UDP ? "udp" : "tcp";
	int n;

	conf_addr_str(&vip->addr, a, sizeof(a));
	if (vip->local) {
		n = snprintf(buf, len, "%s/local", a);
	} else {
		if (vip->port)
			snprintf(port, sizeof(port), "%u", vip->port);
		else
			snprintf(port, sizeof(port), "*");
		if (vip->addr.family == XLB_FAMILY_V6)
			n = snprintf(buf, len, "[%s]:%s/%s", a, port, proto);
		else
			n = snprintf(buf, len, "%s:%s/%s", a, port, proto);
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int conf_watch_socket_format(const struct conf_watch_socket *w, char *buf, size_t len)
{
	const char *proto = w->proto == IPPROTO_UDP ? "udp" : "tcp";
	char a[INET6_ADDRSTRLEN];
	int n;

	if (!w->addr.family)
		n = snprintf(buf, len, "*:%u/%s", w->port, proto);
	else if (w->addr.family == XLB_FAMILY_V6)
		n = snprintf(buf, len, "[%s]:%u/%s", conf_addr_str(&w->addr, a, sizeof(a)), w->port,
			     proto);
	else
		n = snprintf(buf, len, "%s:%u/%s", conf_addr_str(&w->addr, a, sizeof(a)), w->port,
			     proto);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int conf_watch_socket_parse(const char *text, const struct conf_addr *vip_addr,
			    struct conf_watch_socket *out, char *why, size_t whylen)
{
	char buf[96], *slash, *port, *end;
	unsigned long v;

	memset(out, 0, sizeof(*out));
	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf)) {
		snprintf(why, whylen, "too long");
		return -EINVAL;
	}
	slash = strrchr(buf, '/');
	if (!slash) {
		snprintf(why, whylen, "no /tcp or /udp");
		return -EINVAL;
	}
	*slash++ = '\0';
	if (!strcmp(slash, "tcp"))
		out->proto = IPPROTO_TCP;
	else if (!strcmp(slash, "udp"))
		out->proto = IPPROTO_UDP;
	else {
		snprintf(why, whylen, "protocol '%s' is not tcp or udp", slash);
		return -EINVAL;
	}
	/* [IPv6]:PORT, IPv4:PORT, *:PORT or PORT */
	port = buf;
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || close[1] != ':') {
			snprintf(why, whylen, "an IPv6 address needs [ADDRESS]:PORT");
			return -EINVAL;
		}
		*close = '\0';
		port = close + 2;
		if (inet_pton(AF_INET6, buf + 1, out->addr.addr.bytes) != 1) {
			snprintf(why, whylen, "'%s' is not an IPv6 address", buf + 1);
			return -EINVAL;
		}
		out->addr.family = XLB_FAMILY_V6;
	} else if (strchr(buf, ':')) {
		char *colon = strrchr(buf, ':');

		*colon = '\0';
		port = colon + 1;
		if (strchr(buf, ':')) {
			snprintf(why, whylen, "an IPv6 address needs [ADDRESS]:PORT");
			return -EINVAL;
		}
		if (strcmp(buf, "*")) {
			if (inet_pton(AF_INET, buf, &out->addr.addr.v4) != 1) {
				snprintf(why, whylen, "'%s' is not an IPv4 address, [IPv6] or *",
					 buf);
				return -EINVAL;
			}
			out->addr.family = XLB_FAMILY_V4;
		}
	} else if (vip_addr) {
		out->addr = *vip_addr;
	}
	errno = 0;
	v = strtoul(port, &end, 10);
	if (!*port || *end || port[0] == '-' || port[0] == '+' || errno || v < 1 || v > 65535) {
		snprintf(why, whylen, "port '%s' is not 1..65535", port);
		return -EINVAL;
	}
	out->port = v;
	return 0;
}

const char *conf_vip_label(const struct conf_vip *vip, char *buf, size_t len)
{
	char id[CONF_VIP_STRLEN];

	if (conf_vip_format(vip, id, sizeof(id)))
		snprintf(id, sizeof(id), "?");
	if (vip->name)
		snprintf(buf, len, "%s (%s)", vip->name, id);
	else
		snprintf(buf, len, "%s", id);
	return buf;
}

static const char *const hc_kind_names[] = {
	[CONF_HC_TCP] = "tcp", [CONF_HC_HTTP] = "http", [CONF_HC_HTTPS] = "https",
	[CONF_HC_DNS] = "dns", [CONF_HC_EXEC] = "exec",
};

const char *conf_health_kind_name(enum conf_hc_kind kind)
{
	if (kind <= CONF_HC_NONE || kind >= ARRAY_SIZE(hc_kind_names))
		return NULL;
	return hc_kind_names[kind];
}

/* Names of numbers, both ways: the DNS types and rcodes a check can name. */
struct code_name {
	const char *name;
	unsigned value;
};

static const struct code_name dns_types[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 },
	{ "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 },
};

static const struct code_name dns_rcodes[] = {
	{ "NOERROR", 0 }, { "SERVFAIL", 2 }, { "NXDOMAIN", 3 }, { "REFUSED", 5 },
};

static const char *code_name(const struct code_name *t, size_t n, unsigned value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

static int code_parse(const struct code_name *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i].value;
	return -1;
}

const char *conf_dns_type_name(__u16 type)
{
	return code_name(dns_types, ARRAY_SIZE(dns_types), type);
}

const char *conf_dns_rcode_name(__u8 rcode)
{
	return code_name(dns_rcodes, ARRAY_SIZE(dns_rcodes), rcode);
}

int conf_dns_type_parse(const char *name)
{
	return code_parse(dns_types, ARRAY_SIZE(dns_types), name);
}

int conf_dns_rcode_parse(const char *name)
{
	return code_parse(dns_rcodes, ARRAY_SIZE(dns_rcodes), name);
}

socklen_t conf_addr_sockaddr(const struct conf_addr *a, __u16 port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == XLB_FAMILY_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = a->addr.v4;
		return sizeof(*sin);
	}
	if (a->family == XLB_FAMILY_V6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->addr.bytes, sizeof(sin6->sin6_addr));
		return sizeof(*sin6);
	}
	return 0;
}

bool conf_addr_eq(const struct conf_addr *a, const struct conf_addr *b)
{
	if (a->family != b->family)
		return false;
	switch (a->family) {
	case XLB_FAMILY_V4:
		return a->addr.v4 == b->addr.v4;
	case XLB_FAMILY_V6:
		return !memcmp(a->addr.bytes, b->addr.bytes, sizeof(a->addr.bytes));
	default:
		return true;	/* both unset */
	}
}

/* Two optional strings: both unset, or the same text. */
static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool conf_vip_same_key(const struct conf_vip *a, const struct conf_vip *b)
{
	if (!conf_addr_eq(&a->addr, &b->addr) || a->local != b->local)
		return false;
	return a->local || (a->proto == b->proto && a->port == b->port);
}

static bool watch_equal(const struct conf_health *a, const struct conf_health *b)
{
	size_t i;

	if (a->n_watch_socket != b->n_watch_socket || !str_eq(a->watch_pidfile, b->watch_pidfile))
		return false;
	for (i = 0; i < a->n_watch_socket; i++)
		if (!conf_addr_eq(&a->watch_socket[i].addr, &b->watch_socket[i].addr) ||
		    a->watch_socket[i].port != b->watch_socket[i].port ||
		    a->watch_socket[i].proto != b->watch_socket[i].proto)
			return false;
	return true;
}

bool conf_health_equal(const struct conf_health *a, const struct conf_health *b)
{
	return a->kind == b->kind && a->interval_ms == b->interval_ms &&
	       a->fast_interval_ms == b->fast_interval_ms && a->timeout_ms == b->timeout_ms &&
	       a->rise == b->rise && a->fall == b->fall && a->port == b->port &&
	       conf_addr_eq(&a->address, &b->address) && str_eq(a->path, b->path) &&
	       str_eq(a->host, b->host) && a->n_status == b->n_status &&
	       !memcmp(a->status, b->status, a->n_status * sizeof(a->status[0])) &&
	       str_eq(a->expect, b->expect) && a->insecure == b->insecure &&
	       str_eq(a->query, b->query) && a->qtype == b->qtype && a->rcode == b->rcode &&
	       a->dns_tcp == b->dns_tcp && a->nonempty == b->nonempty &&
	       str_eq(a->command, b->command) && str_eq(a->user, b->user) && watch_equal(a, b);
}

bool conf_vip_equal(const struct conf_vip *a, const struct conf_vip *b)
{
	size_t i;

	if (!conf_vip_same_key(a, b) || !str_eq(a->name, b->name) ||
	    !str_eq(a->disable_file, b->disable_file) ||
	    !str_eq(a->add_address, b->add_address) || a->hash_src != b->hash_src ||
	    a->encap != b->encap || a->gue_port != b->gue_port || a->ring_size != b->ring_size ||
	    a->second_chance != b->second_chance ||
	    a->second_chance_keep_ms != b->second_chance_keep_ms ||
	    a->min_healthy != b->min_healthy || a->hold_down_ms != b->hold_down_ms ||
	    a->has_med != b->has_med || (a->has_med && a->med != b->med) ||
	    a->has_local_pref != b->has_local_pref ||
	    (a->has_local_pref && a->local_pref != b->local_pref) || a->prepend != b->prepend ||
	    !conf_addr_eq(&a->next_hop, &b->next_hop) || a->n_communities != b->n_communities ||
	    a->n_large_communities != b->n_large_communities || a->n_backends != b->n_backends ||
	    !conf_health_equal(&a->health, &b->health))
		return false;
	for (i = 0; i < a->n_communities; i++)
		if (a->communities[i] != b->communities[i])
			return false;
	for (i = 0; i < a->n_large_communities; i++)
		if (memcmp(a->large_communities[i], b->large_communities[i],
			   sizeof(a->large_communities[i])))
			return false;
	for (i = 0; i < a->n_backends; i++)
		if (!conf_addr_eq(&a->backends[i].addr, &b->backends[i].addr) ||
		    a->backends[i].weight != b->backends[i].weight)
			return false;
	return true;
}

static void health_free(struct conf_health *h)
{
	free(h->path);
	free(h->host);
	free(h->expect);
	free(h->query);
	free(h->command);
	free(h->user);
	free(h->watch_pidfile);
}

bool conf_pool_state_equal(const struct conf_pool_state *a, const struct conf_pool_state *b)
{
	size_t i;

	if (a->etcd != b->etcd || a->n_endpoints != b->n_endpoints ||
	    a->depool_threshold != b->depool_threshold || !str_eq(a->prefix, b->prefix) ||
	    !str_eq(a->name, b->name) || !str_eq(a->tls_ca, b->tls_ca) ||
	    !str_eq(a->tls_cert, b->tls_cert) || !str_eq(a->tls_key, b->tls_key) ||
	    !str_eq(a->user, b->user) || !str_eq(a->password_file, b->password_file))
		return false;
	for (i = 0; i < a->n_endpoints; i++)
		if (strcmp(a->endpoints[i], b->endpoints[i]))
			return false;
	return true;
}

static void pool_state_free(struct conf_pool_state *ps)
{
	size_t i;

	for (i = 0; i < ps->n_endpoints; i++)
		free(ps->endpoints[i]);
	free(ps->endpoints);
	free(ps->prefix);
	free(ps->name);
	free(ps->tls_ca);
	free(ps->tls_cert);
	free(ps->tls_key);
	free(ps->user);
	free(ps->password_file);
}

void conf_free(struct xlb_conf *conf)
{
	size_t i;

	if (!conf)
		return;
	pool_state_free(&conf->pool);
	for (i = 0; i < conf->n_neighbors; i++) {
		free(conf->neighbors[i].description);
		free(conf->neighbors[i].password);
	}
	for (i = 0; i < conf->n_vips; i++) {
		struct conf_vip *v = &conf->vips[i];

		free(v->name);
		free(v->disable_file);
		free(v->add_address);
		free(v->communities);
		free(v->large_communities);
		health_free(&v->health);
		free(v->backends);
	}
	free(conf->neighbors);
	free(conf->vips);
	free(conf->allowed);
	free(conf->file);
	free(conf->xdp_ifname);
	free(conf->disable_file);
	free(conf->pin_path);
	free(conf->socket_path);
	free(conf->socket_group);
	free(conf->state_file);
	free(conf);
}
