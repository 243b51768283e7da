// SPDX-License-Identifier: GPL-2.0
/*
 * Checks of xlb.conf that need statements from anywhere in the file, run
 * once the whole file is read (global statements may come after the
 * neighbors and vips that depend on them):
 *
 *  - a neighbor needs router-id and local-as;
 *  - a vip is announced only inside allowed-prefixes: its address as a
 *    host route (/32, /128) must lie in an entry whose max is 32 or 128,
 *    and without allowed-prefixes nothing is announced at all;
 *  - a forwarding vip needs `xdp interface`;
 *  - a backend needs an encap-source of its own family (the outer header
 *    is of the backend's family).
 *
 * Neighbors and vips are visited in file order, so the first error of
 * the file is the one reported.
 */
#include <string.h>

#include "config/parse.h"

static bool prefix_contains(const struct conf_prefix *pfx, const struct conf_addr *a)
{
	unsigned i;

	if (pfx->net.family != a->family)
		return false;
	for (i = 0; i < pfx->len; i++) {
		__u8 bit = 0x80 >> (i % 8);

		if ((pfx->net.addr.bytes[i / 8] & bit) != (a->addr.bytes[i / 8] & bit))
			return false;
	}
	return true;
}

static int check_neighbor(struct parser *p, const struct conf_neighbor *nb)
{
	const struct xlb_conf *conf = p->conf;
	char s[CONF_ADDR_STRLEN];

	conf_addr_str(&nb->addr, s, sizeof(s));
	if (!conf->has_router_id)
		return p_err(p, nb->line, "neighbor %s needs router-id", s);
	if (!conf->local_as)
		return p_err(p, nb->line, "neighbor %s needs local-as", s);
	return 0;
}

static int check_vip(struct parser *p, const struct conf_vip *vip)
{
	const struct xlb_conf *conf = p->conf;
	unsigned host = vip->addr.family == XLB_FAMILY_V4 ? 32 : 128;
	char s[CONF_ADDR_STRLEN], v[CONF_VIP_STRLEN];
	size_t i;

	conf_vip_format(vip, v, sizeof(v));
	if (!conf->n_allowed)
		return p_err(p, vip->line, "no allowed-prefixes: refusing to announce anything");
	for (i = 0; i < conf->n_allowed; i++) {
		const struct conf_prefix *pfx = &conf->allowed[i];

		if (pfx->max_len >= host && prefix_contains(pfx, &vip->addr))
			break;
	}
	if (i == conf->n_allowed)
		return p_err(p, vip->line, "vip %s/%u is outside allowed-prefixes",
			     conf_addr_str(&vip->addr, s, sizeof(s)), host);
	if (vip->local)
		return 0;
	if (!conf->xdp_ifname)
		return p_err(p, vip->line, "vip %s forwards but there is no 'xdp interface'", v);
	for (i = 0; i < vip->n_backends; i++) {
		const struct conf_backend *be = &vip->backends[i];
		bool v4 = be->addr.family == XLB_FAMILY_V4;

		if ((v4 ? conf->encap_src4.family : conf->encap_src6.family) == 0)
			return p_err(p, be->line,
				     "backend %s needs an %s encap-source (the outer header is "
				     "%s)",
				     conf_addr_str(&be->addr, s, sizeof(s)), v4 ? "IPv4" : "IPv6",
				     v4 ? "IPv4" : "IPv6");
	}
	return 0;
}

int conf_validate(struct parser *p)
{
	const struct xlb_conf *conf = p->conf;
	size_t n = 0, v = 0;
	int err;

	while (n < conf->n_neighbors || v < conf->n_vips) {
		if (v == conf->n_vips ||
		    (n < conf->n_neighbors && conf->neighbors[n].line < conf->vips[v].line))
			err = check_neighbor(p, &conf->neighbors[n++]);
		else
			err = check_vip(p, &conf->vips[v++]);
		if (err)
			return err;
	}
	return 0;
}
