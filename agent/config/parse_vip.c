// SPDX-License-Identifier: GPL-2.0
/*
 * vip blocks of xlb.conf:
 *
 *	vip ADDRESS tcp|udp PORT|all { ... }	forwarding vip (XDP + Maglev)
 *	vip ADDRESS local { ... }		host mode: announce only
 *
 * Checks that concern one vip run here: the key and the name are unique,
 * backends are unique and fit the datapath's tables, the Maglev table is
 * prime and large enough for the backends (maps/maglev.h), min-healthy
 * can be met, the announce attributes are well formed, and a local vip
 * uses none of the forwarding statements.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>

#include "config/parse.h"
#include "maps/maglev.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > CONF_NAME_MAX)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 1; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int v_name(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_vip *vip = obj;
	size_t i;
	int err;

	err = get_text(p, "name", &vip->name);
	if (err)
		return err;
	if (!name_ok(vip->name))
		return p_err(p, kw->line,
			     "name: '%s' is not a valid name (a letter, then letters, digits, "
			     "'.', '_' or '-'; at most %d)",
			     vip->name, CONF_NAME_MAX);
	for (i = 0; &p->conf->vips[i] != vip; i++) {
		const struct conf_vip *o = &p->conf->vips[i];

		if (o->name && !strcmp(o->name, vip->name))
			return p_err(p, kw->line, "duplicate vip name '%s' (first on line %d)",
				     vip->name, o->line);
	}
	return 0;
}

static int v_hash(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const kinds[] = { "5-tuple", "source" };
	size_t k;
	int err;

	(void)kw;
	err = get_choice(p, "hash", kinds, ARRAY_SIZE(kinds), &k);
	if (!err)
		((struct conf_vip *)obj)->hash_src = k == 1;
	return err;
}

static int v_encap(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const kinds[] = { "ipip", "gue" };
	static const char *const port[] = { "port" };
	struct conf_vip *vip = obj;
	size_t k;
	__u32 v;
	int err;

	(void)kw;
	err = get_choice(p, "encap", kinds, ARRAY_SIZE(kinds), &k);
	if (err)
		return err;
	vip->encap = k == 0 ? XLB_ENCAP_IPIP : XLB_ENCAP_GUE;
	if (vip->encap != XLB_ENCAP_GUE || p_at_end(p))
		return 0;
	err = get_choice(p, "encap gue", port, ARRAY_SIZE(port), &k);
	if (err)
		return err;
	err = get_u32(p, "encap gue port", 1, 65535, &v);
	if (!err)
		vip->gue_port = v;
	return err;
}

/* second-chance on|off [keep DURATION] */
static int v_second_chance(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const onoff[] = { "on", "off" };
	struct conf_vip *vip = obj;
	const struct tok *t;
	char buf[96];
	size_t k;
	int err;

	(void)kw;
	err = get_choice(p, "second-chance", onoff, ARRAY_SIZE(onoff), &k);
	if (err)
		return err;
	vip->second_chance = k == 0;
	if (p_at_end(p))
		return 0;
	t = p_peek(p);
	if (t->type != TOK_WORD || strcmp(t->text, "keep"))
		return p_err(p, t->line, "second-chance: %s where only 'keep DURATION' may follow",
			     lex_describe(t, buf, sizeof(buf)));
	p_next(p);
	return get_duration(p, "second-chance keep", 1000, CONF_SC_KEEP_MAX_MS,
			    &vip->second_chance_keep_ms);
}

static int v_min_healthy(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_u32(p, "min-healthy", 1, XLB_MAX_BACKENDS - 1,
		       &((struct conf_vip *)obj)->min_healthy);
}

static int v_hold_down(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_duration(p, "hold-down", 0, CONF_HOUR_MS,
			    &((struct conf_vip *)obj)->hold_down_ms);
}

static int v_ring_size(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_vip *vip = obj;
	int err;

	err = get_u32(p, "ring-size", 1, CONF_RING_MAX, &vip->ring_size);
	if (err)
		return err;
	if (!maglev_is_prime(vip->ring_size))
		return p_err(p, kw->line, "ring-size %u is not prime", vip->ring_size);
	return 0;
}

static int v_med(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_vip *vip = obj;

	(void)kw;
	vip->has_med = true;
	return get_u32(p, "med", 0, UINT32_MAX, &vip->med);
}

static int v_local_pref(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_vip *vip = obj;

	(void)kw;
	vip->has_local_pref = true;
	return get_u32(p, "local-pref", 0, UINT32_MAX, &vip->local_pref);
}

static int v_prepend(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_u32(p, "prepend", 0, CONF_PREPEND_MAX, &((struct conf_vip *)obj)->prepend);
}

static int v_next_hop(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_vip *vip = obj;
	char a[CONF_ADDR_STRLEN], b[CONF_ADDR_STRLEN];
	const struct tok *t = p_peek(p);
	int err;

	if (t->type == TOK_WORD && !strcmp(t->text, "self")) {
		p_next(p);
		memset(&vip->next_hop, 0, sizeof(vip->next_hop));
		return 0;
	}
	err = get_addr(p, "next-hop", 0, &vip->next_hop);
	if (err)
		return err;
	if (vip->next_hop.family != vip->addr.family)
		return p_err(p, kw->line, "next-hop %s is not of the same family as vip %s",
			     conf_addr_str(&vip->next_hop, a, sizeof(a)),
			     conf_addr_str(&vip->addr, b, sizeof(b)));
	return 0;
}

/* "N:N[:N]": nparts decimal parts separated by ':', each <= max. */
static bool parts_parse(const char *s, __u32 *parts, int nparts, __u64 max)
{
	int i;

	for (i = 0; i < nparts; i++) {
		__u64 v = 0;
		const char *start = s;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (*s++ - '0');
			if (v > max)
				return false;
		}
		if (s == start)
			return false;
		parts[i] = v;
		if (i < nparts - 1 && *s++ != ':')
			return false;
	}
	return *s == '\0';
}

/* community AS:VALUE ...: RFC 1997, each part 0..65535 */
static int v_community(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_vip *vip = obj;
	const struct tok *t;
	char buf[96];
	__u32 parts[2], c, *slot;
	size_t i;
	int err;

	if (p_at_end(p))
		return p_err(p, kw->line, "missing argument for community");
	while (!p_at_end(p)) {
		err = get_word(p, "community", &t);
		if (err)
			return err;
		if (!parts_parse(t->text, parts, 2, 65535))
			return p_err(p, t->line, "community: %s is not AS:VALUE (each 0..65535)",
				     lex_describe(t, buf, sizeof(buf)));
		c = parts[0] << 16 | parts[1];
		for (i = 0; i < vip->n_communities; i++)
			if (vip->communities[i] == c)
				return p_err(p, t->line, "community %u:%u given twice", parts[0],
					     parts[1]);
		slot = p_append(&vip->communities, &vip->n_communities, sizeof(*slot));
		if (!slot)
			return -ENOMEM;
		*slot = c;
	}
	return 0;
}

/* large-community GLOBAL:LOCAL1:LOCAL2 ...: RFC 8092, each part 32 bits */
static int v_large_community(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_vip *vip = obj;
	const struct tok *t;
	char buf[96];
	__u32 parts[3], (*slot)[3];
	size_t i;
	int err;

	if (p_at_end(p))
		return p_err(p, kw->line, "missing argument for large-community");
	while (!p_at_end(p)) {
		err = get_word(p, "large-community", &t);
		if (err)
			return err;
		if (!parts_parse(t->text, parts, 3, UINT32_MAX))
			return p_err(p, t->line,
				     "large-community: %s is not GLOBAL:LOCAL1:LOCAL2 "
				     "(each 0..4294967295)",
				     lex_describe(t, buf, sizeof(buf)));
		for (i = 0; i < vip->n_large_communities; i++)
			if (!memcmp(vip->large_communities[i], parts, sizeof(parts)))
				return p_err(p, t->line, "large-community %u:%u:%u given twice",
					     parts[0], parts[1], parts[2]);
		slot = p_append(&vip->large_communities, &vip->n_large_communities,
				sizeof(*slot));
		if (!slot)
			return -ENOMEM;
		memcpy(*slot, parts, sizeof(parts));
	}
	return 0;
}

static int v_health(struct parser *p, void *obj, const struct tok *kw)
{
	return parse_health(p, obj, kw);
}

static int v_backend(struct parser *p, void *obj, const struct tok *kw)
{
	static const char *const weight[] = { "weight" };
	struct conf_vip *vip = obj;
	char s[CONF_ADDR_STRLEN], v[CONF_VIP_STRLEN];
	struct conf_backend *be;
	struct conf_addr a;
	size_t i, k;
	int err;

	err = get_addr(p, "backend", 0, &a);
	if (err)
		return err;
	for (i = 0; i < vip->n_backends; i++) {
		if (conf_addr_eq(&vip->backends[i].addr, &a)) {
			conf_vip_format(vip, v, sizeof(v));
			return p_err(p, kw->line,
				     "duplicate backend %s in vip %s (first on line %d)",
				     conf_addr_str(&a, s, sizeof(s)), v, vip->backends[i].line);
		}
	}
	if (p->n_fwd_backends >= XLB_MAX_BACKENDS - 1)
		return p_err(p, kw->line, "too many backends (at most %d in all vips together)",
			     XLB_MAX_BACKENDS - 1);
	be = p_append(&vip->backends, &vip->n_backends, sizeof(*be));
	if (!be)
		return -ENOMEM;
	p->n_fwd_backends++;
	be->addr = a;
	be->weight = CONF_WEIGHT;
	be->line = kw->line;
	if (p_at_end(p))
		return 0;
	err = get_choice(p, "backend", weight, ARRAY_SIZE(weight), &k);
	if (err)
		return err;
	return get_u32(p, "backend weight", 0, CONF_WEIGHT_MAX, &be->weight);
}

static int v_disable_file(struct parser *p, void *obj, const struct tok *kw)
{
	(void)kw;
	return get_path(p, "disable-file", &((struct conf_vip *)obj)->disable_file);
}

/* add-address IFNAME: xlbd puts the VIP's address on IFNAME (usually lo) */
static int v_add_address(struct parser *p, void *obj, const struct tok *kw)
{
	struct conf_vip *vip = obj;
	const struct tok *t;
	size_t len;
	int err;

	(void)kw;
	err = get_word(p, "add-address", &t);
	if (err)
		return err;
	len = strlen(t->text);
	if (len >= IFNAMSIZ || strpbrk(t->text, "/:") || !strcmp(t->text, ".") ||
	    !strcmp(t->text, ".."))
		return p_err(p, t->line, "add-address: '%s' is not an interface name", t->text);
	vip->add_address = strdup(t->text);
	return vip->add_address ? 0 : -ENOMEM;
}

static const struct kw vip_kws[] = {
	{ "name", v_name, 0 },
	{ "hash", v_hash, KW_FORWARD },
	{ "encap", v_encap, KW_FORWARD },
	{ "min-healthy", v_min_healthy, KW_FORWARD },
	{ "hold-down", v_hold_down, 0 },
	{ "ring-size", v_ring_size, KW_FORWARD },
	{ "med", v_med, 0 },
	{ "local-pref", v_local_pref, 0 },
	{ "prepend", v_prepend, 0 },
	{ "next-hop", v_next_hop, 0 },
	{ "community", v_community, KW_REPEAT },
	{ "large-community", v_large_community, KW_REPEAT },
	{ "health", v_health, 0 },
	{ "backend", v_backend, KW_REPEAT | KW_FORWARD },
	{ "disable-file", v_disable_file, 0 },
	{ "add-address", v_add_address, KW_LOCAL },
	{ "second-chance", v_second_chance, KW_FORWARD },
};

enum { VKW_ENCAP = 2, VKW_MIN_HEALTHY = 3, VKW_RING_SIZE = 5, VKW_SECOND_CHANCE = 16 };

/* vip ADDRESS (tcp|udp PORT|all | local): fills addr, proto, port, local */
static int vip_head(struct parser *p, struct conf_vip *vip)
{
	static const char *const kinds[] = { "tcp", "udp", "local" };
	const struct tok *t;
	char buf[96];
	size_t k;
	__u32 port;
	int err;

	err = get_addr(p, "vip", 0, &vip->addr);
	if (err)
		return err;
	err = get_choice(p, "vip", kinds, ARRAY_SIZE(kinds), &k);
	if (err)
		return err;
	if (k == 2) {
		vip->local = true;
	} else {
		vip->proto = k == 0 ? IPPROTO_TCP : IPPROTO_UDP;
		t = p_peek(p);
		if (t->type == TOK_WORD && !strcmp(t->text, "all")) {
			p_next(p);
		} else if (t->type == TOK_WORD || t->type == TOK_STRING) {
			return p_err(p, t->line, "vip port: %s is not a port number or 'all'",
				     lex_describe(t, buf, sizeof(buf)));
		} else {
			err = get_u32(p, "vip port", 1, 65535, &port);
			if (err)
				return err;
			vip->port = port;
		}
	}
	t = p_peek(p);
	if (t->type == TOK_WORD &&
	    (!strcmp(t->text, "local") || !strcmp(t->text, "tcp") || !strcmp(t->text, "udp")))
		return p_err(p, t->line, "a local vip has no protocol or port");
	return 0;
}

/* Same key as an earlier vip, or a local vip sharing an address with a
 * forwarding one (both would announce the address, on different terms). */
static int vip_unique(struct parser *p, const struct conf_vip *vip)
{
	char a[CONF_VIP_STRLEN], b[CONF_VIP_STRLEN];
	size_t i;

	for (i = 0; &p->conf->vips[i] != vip; i++) {
		const struct conf_vip *o = &p->conf->vips[i];

		if (conf_vip_same_key(o, vip)) {
			conf_vip_format(vip, a, sizeof(a));
			return p_err(p, vip->line, "duplicate vip %s (first on line %d)", a,
				     o->line);
		}
		if (o->local != vip->local && conf_addr_eq(&o->addr, &vip->addr)) {
			conf_vip_format(vip, a, sizeof(a));
			conf_vip_format(o, b, sizeof(b));
			return p_err(p, vip->line,
				     "vip %s shares its address with vip %s (line %d): a local "
				     "vip's address must be its own",
				     a, b, o->line);
		}
	}
	return 0;
}

/* After the '}': what needs the whole block, and the defaults that depend on it. */
static int vip_close(struct parser *p, struct conf_vip *vip, const int *seen)
{
	char v[CONF_VIP_STRLEN];

	if (vip->local)
		return 0;
	conf_vip_format(vip, v, sizeof(v));
	if (!vip->n_backends)
		return p_err(p, vip->line, "vip %s has no backends", v);
	if (!maglev_size_ok(vip->ring_size, vip->n_backends))
		return p_err(p, seen[VKW_RING_SIZE] ? seen[VKW_RING_SIZE] : vip->line,
			     "ring-size %u is too small for %zu backends (needs at least %zu)",
			     vip->ring_size, vip->n_backends,
			     vip->n_backends * MAGLEV_SLOTS_PER_BACKEND);
	if (vip->min_healthy > vip->n_backends)
		return p_err(p, seen[VKW_MIN_HEALTHY],
			     "min-healthy %u is more than the %zu backends", vip->min_healthy,
			     vip->n_backends);
	if (!seen[VKW_SECOND_CHANCE]) {
		/* the default: where the hop can travel and has a use */
		vip->second_chance = vip->encap == XLB_ENCAP_GUE && vip->proto == IPPROTO_TCP;
	} else if (vip->second_chance && vip->encap != XLB_ENCAP_GUE) {
		return p_err(p, seen[VKW_SECOND_CHANCE],
			     "second-chance needs encap gue: the hop travels in the GUE header, "
			     "IP in IP has no room for it");
	} else if (vip->second_chance && vip->proto != IPPROTO_TCP) {
		return p_err(p, seen[VKW_SECOND_CHANCE],
			     "second-chance is for tcp vips: a backend has no connection to "
			     "look up for udp");
	}
	return 0;
}

int parse_vip(struct parser *p, void *obj, const struct tok *kw)
{
	struct xlb_conf *conf = obj;
	int seen[ARRAY_SIZE(vip_kws)] = { 0 };
	struct block b = {
		.name = "vip",
		.kws = vip_kws,
		.n_kws = ARRAY_SIZE(vip_kws),
		.seen = seen,
	};
	struct conf_vip *vip;
	int err;

	vip = p_append(&conf->vips, &conf->n_vips, sizeof(*vip));
	if (!vip)
		return -ENOMEM;
	vip->line = kw->line;
	vip->encap = XLB_ENCAP_IPIP;
	vip->gue_port = XLB_GUE_PORT_DEFAULT;
	vip->ring_size = XLB_RING_DEFAULT;
	vip->min_healthy = 1;
	vip->hold_down_ms = CONF_HOLD_DOWN_MS;
	vip->second_chance_keep_ms = CONF_SC_KEEP_MS;
	err = vip_head(p, vip);
	if (err)
		return err;
	err = vip_unique(p, vip);
	if (err)
		return err;
	if (!vip->local && p->n_fwd_vips++ >= XLB_MAX_VIPS)
		return p_err(p, vip->line, "too many forwarding vips (at most %d)", XLB_MAX_VIPS);
	b.forbid = vip->local ? KW_FORWARD : KW_LOCAL;
	b.forbid_in = vip->local ? "a local vip" : "a forwarding vip";
	b.open_line = p_peek(p)->line;
	err = p_expect_lbrace(p, "vip");
	if (err)
		return err;
	err = p_block(p, &b, vip);
	if (err)
		return err;
	return vip_close(p, vip, seen);
}
