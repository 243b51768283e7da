// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl bgp routes [NEIGHBOR]`: what each neighbor has from us — its
 * Adj-RIB-Out (bgp/routes.c), every prefix with the attributes it was
 * sent with and the VIP it is for, as `birdc show route export` and
 * `gobgp neighbor ADDR adj-out` show theirs — and how many of the VIPs
 * xlbd announces that session does not carry, and why.
 *
 * JSON: an array of
 *   {"neighbor", "remote_as", "state", "prefixes": [{"prefix", "updating",
 *    "vip", "next_hop", "next_hop_link_local", "origin", "as_path": [AS...],
 *    "med", "local_pref" (iBGP), "communities": ["A:B"...],
 *    "large_communities": ["A:B:C"...]}...],
 *    "not_sent": {"family_not_negotiated": N, "no_next_hop": N}}
 * with null for what does not apply; "updating": true for a prefix whose
 * new attributes are on their way (its other members null or empty).
 * xlbctl(8) JSON OUTPUT documents it.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "bgp/speaker.h"
#include "core/show.h"
#include "lib/json.h"

struct walk {
	const struct bgp_peer *p;
	struct buf *text;
	struct json_writer *w;
};

static const char *addr_str(__u8 family, const union xlb_addr *a, char *buf, size_t len)
{
	return inet_ntop(family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, a, buf, len);
}

static void prefix_str(const struct bgp_prefix *pfx, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", addr_str(pfx->family, &pfx->addr, a, sizeof(a)), pfx->len);
}

static void vip_str(const struct conf_vip *v, char *buf, size_t len)
{
	if (v->name)
		snprintf(buf, len, "%s", v->name);
	else if (conf_vip_format(v, buf, len))
		snprintf(buf, len, "?");
}

/* The next hop of the prefix's family (and the IPv6 link-local). */
static const char *next_hop(const struct bgp_prefix *pfx, const struct bgp_attrs *a, char *buf,
			    size_t len)
{
	return pfx->family == XLB_FAMILY_V4 ? addr_str(XLB_FAMILY_V4, &a->next_hop4, buf, len) :
					      addr_str(XLB_FAMILY_V6, &a->next_hop6, buf, len);
}

static void route_json(struct walk *wk, const struct bgp_prefix *pfx, const struct bgp_attrs *a,
		       const struct conf_vip *v)
{
	struct json_writer *w = wk->w;
	char s[CONF_VIP_STRLEN + INET6_ADDRSTRLEN];
	size_t i;

	json_object_start(w);
	prefix_str(pfx, s, sizeof(s));
	json_kv_string(w, "prefix", s);
	json_kv_bool(w, "updating", !a);
	if (!a) {
		static const char *const nulls[] = { "vip", "next_hop", "next_hop_link_local",
						     "origin", "med", "local_pref" };
		static const char *const empty[] = { "as_path", "communities",
						     "large_communities" };

		for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
			json_kv_null(w, nulls[i]);
		for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
			json_key(w, empty[i]);
			json_array_start(w);
			json_array_end(w);
		}
		json_object_end(w);
		return;
	}
	vip_str(v, s, sizeof(s));
	json_kv_string(w, "vip", s);
	json_kv_string(w, "next_hop", next_hop(pfx, a, s, sizeof(s)));
	if (pfx->family == XLB_FAMILY_V6 && a->has_next_hop6_ll)
		json_kv_string(w, "next_hop_link_local",
			       addr_str(XLB_FAMILY_V6, &a->next_hop6_ll, s, sizeof(s)));
	else
		json_kv_null(w, "next_hop_link_local");
	json_kv_string(w, "origin", "IGP");
	json_key(w, "as_path");
	json_array_start(w);
	for (i = 0; !a->ibgp && i <= a->prepend; i++)
		json_u64(w, a->local_as);
	json_array_end(w);
	if (a->has_med)
		json_kv_u64(w, "med", a->med);
	else
		json_kv_null(w, "med");
	if (a->ibgp)
		json_kv_u64(w, "local_pref", a->local_pref);
	else
		json_kv_null(w, "local_pref");
	json_key(w, "communities");
	json_array_start(w);
	for (i = 0; i < a->n_communities; i++)
		json_stringf(w, "%u:%u", a->communities[i] >> 16, a->communities[i] & 0xffff);
	json_array_end(w);
	json_key(w, "large_communities");
	json_array_start(w);
	for (i = 0; i < a->n_large_communities; i++)
		json_stringf(w, "%u:%u:%u", a->large_communities[i][0], a->large_communities[i][1],
			     a->large_communities[i][2]);
	json_array_end(w);
	json_object_end(w);
}

/* "  203.0.113.10/32  next hop 192.0.2.10, origin IGP, AS path 65010,
 * communities 65000:53  (vip web)" */
static void route_text(struct walk *wk, const struct bgp_prefix *pfx, const struct bgp_attrs *a,
		       const struct conf_vip *v)
{
	struct buf *t = wk->text;
	char s[CONF_VIP_STRLEN + INET6_ADDRSTRLEN];
	size_t i;

	prefix_str(pfx, s, sizeof(s));
	buf_printf(t, "  %-22s", s);
	if (!a) {
		buf_printf(t, " (new attributes on their way)\n");
		return;
	}
	buf_printf(t, " next hop %s", next_hop(pfx, a, s, sizeof(s)));
	if (pfx->family == XLB_FAMILY_V6 && a->has_next_hop6_ll)
		buf_printf(t, " %s", addr_str(XLB_FAMILY_V6, &a->next_hop6_ll, s, sizeof(s)));
	buf_printf(t, ", origin IGP, AS path");
	if (a->ibgp)
		buf_printf(t, " (empty)");
	for (i = 0; !a->ibgp && i <= a->prepend; i++)
		buf_printf(t, " %u", a->local_as);
	if (a->has_med)
		buf_printf(t, ", med %u", a->med);
	if (a->ibgp)
		buf_printf(t, ", local-pref %u", a->local_pref);
	for (i = 0; i < a->n_communities; i++)
		buf_printf(t, "%s%u:%u", i ? " " : ", communities ", a->communities[i] >> 16,
			   a->communities[i] & 0xffff);
	for (i = 0; i < a->n_large_communities; i++)
		buf_printf(t, "%s%u:%u:%u", i ? " " : ", large-communities ",
			   a->large_communities[i][0], a->large_communities[i][1],
			   a->large_communities[i][2]);
	vip_str(v, s, sizeof(s));
	buf_printf(t, "  (vip %s)\n", s);
}

static void route_cb(void *arg, const struct bgp_prefix *pfx, const struct bgp_attrs *a,
		     const struct conf_vip *v)
{
	struct walk *wk = arg;

	if (wk->w)
		route_json(wk, pfx, a, v);
	else
		route_text(wk, pfx, a, v);
}

static void peer_routes(struct bgp_peer *p, struct buf *text, struct json_writer *w)
{
	struct walk wk = { .p = p, .text = text, .w = w };
	bool up = p->state == BGP_ESTABLISHED;
	size_t fam = up ? p->unsent_family : 0, nh = up ? p->unsent_next_hop : 0;

	if (w) {
		json_object_start(w);
		json_kv_string(w, "neighbor", p->name);
		json_kv_u64(w, "remote_as", p->conf->remote_as);
		json_kv_string(w, "state", bgp_state_name(p->state));
		json_key(w, "prefixes");
		json_array_start(w);
		bgp_adj_out_walk(p, route_cb, &wk);
		json_array_end(w);
		json_key(w, "not_sent");
		json_object_start(w);
		json_kv_u64(w, "family_not_negotiated", fam);
		json_kv_u64(w, "no_next_hop", nh);
		json_object_end(w);
		json_object_end(w);
		return;
	}
	buf_printf(text, "neighbor %s (AS %u): %s, %zu prefix%s sent\n", p->name, p->conf->remote_as,
		   bgp_state_name(p->state), bgp_peer_announced(p),
		   bgp_peer_announced(p) == 1 ? "" : "es");
	bgp_adj_out_walk(p, route_cb, &wk);
	if (fam)
		buf_printf(text, "  not sent: %zu VIP%s of a family the session did not negotiate\n",
			   fam, fam == 1 ? "" : "s");
	if (nh)
		buf_printf(text, "  not sent: %zu VIP%s without a next hop of %s family on this "
			   "session (set the VIP's next-hop, or encap-source)\n",
			   nh, nh == 1 ? "" : "s", nh == 1 ? "its" : "their");
}

int show_bgp_routes(struct bgp_speaker *sp, struct bgp_peer *only, struct buf *text,
		    struct json_writer *json)
{
	struct bgp_peer *const *peers;
	size_t i, n;

	peers = bgp_speaker_peers(sp, &n);
	if (json)
		json_array_start(json);
	for (i = 0; i < n; i++) {
		if (only && peers[i] != only)
			continue;
		if (!json && text->len)
			buf_putc(text, '\n');
		peer_routes(peers[i], text, json);
	}
	if (json)
		json_array_end(json);
	return 0;
}
