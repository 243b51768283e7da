// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl pool show [VIP]`: per backend, what etcd says next to what this
 * node applied and sees (health, table slots); and `xlbctl fleet status`:
 * every node registered in etcd, the revision it has applied, each VIP's
 * table fingerprint, with the laggards and the differing tables flagged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "core/pool.h"
#include "core/show.h"
#include "health/health.h"
#include "lib/json.h"
#include "maps/fingerprint.h"

static void addr_fmt(const struct conf_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &a->addr, buf, len))
		snprintf(buf, len, "?");
}

static const char *health_name(const struct rt_backend *b)
{
	return !b->hc ? "unchecked" : b->hc_state == HC_UP ? "up" :
				      b->hc_state == HC_DOWN ? "down" : "unknown";
}

static void store_json(struct xlbd *d, struct json_writer *w)
{
	struct pool_store_status st;

	pool_store_status(d->pool->store, &st);
	json_key(w, "store");
	json_object_start(w);
	json_kv_string(w, "prefix", pool_store_prefix(d->pool->store));
	json_kv_string(w, "node", d->pool->name);
	json_kv_bool(w, "connected", st.up);
	json_kv_string(w, "endpoint", st.endpoint);
	json_kv_s64(w, "store_revision", st.store_revision);
	json_kv_s64(w, "applied_revision", d->pool_revision);
	if (st.last_error[0])
		json_kv_string(w, "last_error", st.last_error);
	else
		json_kv_null(w, "last_error");
	json_object_end(w);
}

/* One line on the link, for `pool show` and `status`. */
void show_pool_link(struct xlbd *d, struct buf *text)
{
	struct pool_store_status st;

	pool_store_status(d->pool->store, &st);
	if (st.up)
		buf_printf(text, "etcd: following %s/ at %s as %s, applied revision %lld\n",
			   pool_store_prefix(d->pool->store), st.endpoint, d->pool->name,
			   (long long)d->pool_revision);
	else
		buf_printf(text, "etcd: NOT CONNECTED (%s): serving the pool state of revision %lld "
			   "as %s\n", st.last_error[0] ? st.last_error : "connecting",
			   (long long)d->pool_revision, d->pool->name);
}

static void be_json(struct json_writer *w, const struct pool_view_be *pb)
{
	json_key(w, "etcd");
	if (!pb) {
		json_null(w);
		return;
	}
	json_object_start(w);
	json_kv_s64(w, "revision", pb->mod_revision);
	if (pb->bad) {
		json_kv_string(w, "error", pb->why);
	} else {
		json_kv_string(w, "pooled", pool_pooled_name(pb->v.pooled));
		if (pb->v.has_weight)
			json_kv_u64(w, "weight", pb->v.weight);
		else
			json_kv_null(w, "weight");
	}
	json_object_end(w);
}

void show_pool(struct xlbd *d, const struct rt_vip *only, struct buf *text,
	       struct json_writer *w)
{
	const struct pool_view *view = pool_store_view(d->pool->store);
	char vip[CONF_VIP_STRLEN], be[INET6_ADDRSTRLEN], etcd[64], here[48], rev[24];
	size_t i, k;

	if (w) {
		json_object_start(w);
		store_json(d, w);
		json_key(w, "vips");
		json_array_start(w);
	} else {
		show_pool_link(d, text);
	}
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];
		const struct pool_view_vip *pv;

		if (only && v != only)
			continue;
		conf_vip_format(v->conf, vip, sizeof(vip));
		pv = pool_view_vip(view, vip);
		if (w) {
			json_object_start(w);
			json_kv_string(w, "vip", vip);
			if (v->conf->name)
				json_kv_string(w, "name", v->conf->name);
			else
				json_kv_null(w, "name");
			json_key(w, "etcd");
			if (!pv) {
				json_null(w);
			} else {
				json_object_start(w);
				json_kv_s64(w, "revision", pv->mod_revision);
				if (pv->bad)
					json_kv_string(w, "error", pv->why);
				else
					json_kv_bool(w, "enabled", pv->v.enabled);
				json_object_end(w);
			}
			json_kv_string(w, "admin", v->disabled ? "disabled" : "enabled");
			json_key(w, "backends");
			json_array_start(w);
		} else {
			buf_printf(text, "\nvip %s%s%s%s: %s in etcd, %s here\n", vip,
				   v->conf->name ? " (" : "", v->conf->name ? v->conf->name : "",
				   v->conf->name ? ")" : "",
				   !pv ? "enabled (no key)" : pv->bad ? "UNREADABLE VALUE" :
				   pv->v.enabled ? "enabled" : "disabled",
				   v->disabled ? "disabled" : "enabled");
			if (!v->conf->local)
				buf_printf(text, "  %-40s %-20s %8s  %-18s %-9s %7s\n", "backend",
					   "etcd", "revision", "here", "health", "slots");
		}
		for (k = 0; k < v->n_backends; k++) {
			const struct rt_backend *b = &v->backends[k];
			const struct pool_view_be *pb;

			addr_fmt(&b->conf->addr, be, sizeof(be));
			pb = pool_view_backend(view, vip, be);
			if (w) {
				json_object_start(w);
				json_kv_string(w, "backend", be);
				be_json(w, pb);
				json_kv_string(w, "pool", rt_pool_name(b->pool));
				json_kv_u64(w, "weight", rt_backend_weight(b));
				json_kv_u64(w, "weight_configured", b->conf->weight);
				json_kv_string(w, "health", health_name(b));
				json_kv_u64(w, "slots", b->slots);
				json_object_end(w);
				continue;
			}
			if (!pb)
				snprintf(etcd, sizeof(etcd), "(no key: yes)");
			else if (pb->bad)
				snprintf(etcd, sizeof(etcd), "UNREADABLE");
			else if (pb->v.has_weight)
				snprintf(etcd, sizeof(etcd), "%s, weight %u",
					 pool_pooled_name(pb->v.pooled), pb->v.weight);
			else
				snprintf(etcd, sizeof(etcd), "%s", pool_pooled_name(pb->v.pooled));
			snprintf(here, sizeof(here), "%s %u", rt_pool_name(b->pool),
				 rt_backend_weight(b));
			if (pb)
				snprintf(rev, sizeof(rev), "%lld", (long long)pb->mod_revision);
			else
				snprintf(rev, sizeof(rev), "-");
			buf_printf(text, "  %-40s %-20s %8s  %-18s %-9s %7u\n", be, etcd, rev, here,
				   health_name(b), b->slots);
			if (pb && pb->bad)
				buf_printf(text, "    unreadable: %s (this node keeps what it had)\n",
					   pb->why);
		}
		if (w) {
			json_array_end(w);
			json_object_end(w);
		}
	}
	if (w) {
		json_array_end(w);
		json_object_end(w);
	}
}

/* ---- fleet status ---- */

/* For one VIP: the fingerprint most nodes have ("" when none has a
 * majority: every one then differs). */
static const char *fleet_majority(const struct pool_view *view, const char *vip, size_t *holders)
{
	const char *best = "";
	size_t i, j, t, u, n, best_n = 0, tie = 0;

	*holders = 0;
	for (i = 0; i < view->n_nodes; i++) {
		const struct pool_view_node *a = &view->nodes[i];

		for (t = 0; !a->bad && t < a->v.n_tables; t++) {
			const char *fp = a->v.tables[t].fingerprint;

			if (strcmp(a->v.tables[t].vip, vip))
				continue;
			(*holders)++;
			n = 0;
			for (j = 0; j < view->n_nodes; j++) {
				const struct pool_view_node *b = &view->nodes[j];

				for (u = 0; !b->bad && u < b->v.n_tables; u++)
					n += !strcmp(b->v.tables[u].vip, vip) &&
					     !strcmp(b->v.tables[u].fingerprint, fp);
			}
			if (n > best_n) {
				best_n = n;
				best = fp;
				tie = 0;
			} else if (n == best_n && strcmp(fp, best)) {
				tie = 1;
			}
		}
	}
	return tie ? "" : best;
}

static const struct pool_node_table *node_table(const struct pool_view_node *nd, const char *vip)
{
	size_t t;

	for (t = 0; !nd->bad && t < nd->v.n_tables; t++)
		if (!strcmp(nd->v.tables[t].vip, vip))
			return &nd->v.tables[t];
	return NULL;
}

/* Every VIP any node registered, in order, without repeats. */
static size_t fleet_vips(const struct pool_view *view, const char ***out)
{
	const char **vips = NULL;
	size_t i, t, k, n = 0, cap = 0;

	for (i = 0; i < view->n_nodes; i++)
		for (t = 0; !view->nodes[i].bad && t < view->nodes[i].v.n_tables; t++) {
			const char *v = view->nodes[i].v.tables[t].vip;

			for (k = 0; k < n && strcmp(vips[k], v); k++)
				;
			if (k < n)
				continue;
			if (n == cap) {
				const char **g = realloc(vips, (cap = cap ? cap * 2 : 16) * sizeof(*g));

				if (!g)
					break;
				vips = g;
			}
			vips[n++] = v;
		}
	*out = vips;
	return n;
}

void show_fleet(struct xlbd *d, const struct pool_view *view, int64_t store_revision, bool stale,
		struct buf *text, struct json_writer *w)
{
	const char **vips = NULL;
	size_t n_vips = fleet_vips(view, &vips), i, k, holders;
	int64_t latest = view->intent_revision;
	bool agree = true;
	char line[80];
	int vw = 10;

	/* agreement first: the nodes' rows carry the flags */
	for (k = 0; k < n_vips; k++) {
		const char *maj = fleet_majority(view, vips[k], &holders);

		for (i = 0; i < view->n_nodes; i++) {
			const struct pool_node_table *t = node_table(&view->nodes[i], vips[k]);

			if (t && strcmp(t->fingerprint, maj))
				agree = false;
		}
	}
	for (i = 0; i < view->n_nodes; i++)
		if (view->nodes[i].bad || view->nodes[i].v.revision < latest)
			agree = false;

	if (w) {
		json_object_start(w);
		json_kv_string(w, "prefix", pool_store_prefix(d->pool->store));
		json_kv_bool(w, "stale", stale);
		json_kv_s64(w, "store_revision", store_revision);
		json_kv_s64(w, "intent_revision", latest);
		json_kv_bool(w, "agree", agree);
		json_key(w, "nodes");
		json_array_start(w);
	} else {
		if (stale)
			buf_printf(text, "etcd NOT CONNECTED: the fleet as this node saw it last\n");
		buf_printf(text, "fleet %s/: %zu node%s, etcd revision %lld, latest pool change at "
			   "revision %lld\n", pool_store_prefix(d->pool->store), view->n_nodes,
			   view->n_nodes == 1 ? "" : "s", (long long)store_revision, (long long)latest);
		for (i = 0; i < view->n_nodes; i++)
			if (!view->nodes[i].bad && (int)strlen(view->nodes[i].v.version) > vw)
				vw = (int)strlen(view->nodes[i].v.version);
		buf_printf(text, "%-20s %-40s %-*s %9s  %s\n", "node", "address", vw, "version",
			   "revision", "state");
	}
	for (i = 0; i < view->n_nodes; i++) {
		const struct pool_view_node *nd = &view->nodes[i];
		bool lag = !nd->bad && nd->v.revision < latest;

		if (w) {
			json_object_start(w);
			json_kv_string(w, "name", nd->name);
			json_kv_bool(w, "self", !strcmp(nd->name, d->pool->name));
			if (nd->bad) {
				json_kv_string(w, "error", nd->why);
				json_object_end(w);
				continue;
			}
			json_kv_string(w, "address", nd->v.address);
			json_kv_string(w, "version", nd->v.version);
			json_kv_s64(w, "revision", nd->v.revision);
			json_kv_bool(w, "connected", nd->v.connected);
			json_kv_bool(w, "lagging", lag);
			json_key(w, "tables");
			json_object_start(w);
			for (k = 0; k < nd->v.n_tables; k++) {
				const struct pool_node_table *t = &nd->v.tables[k];

				json_key(w, t->vip);
				json_object_start(w);
				json_kv_string(w, "fingerprint", t->fingerprint);
				json_kv_u64(w, "backends", t->backends);
				json_kv_bool(w, "differs",
					     strcmp(t->fingerprint, fleet_majority(view, t->vip, &holders)));
				json_object_end(w);
			}
			json_object_end(w);
			json_object_end(w);
			continue;
		}
		if (nd->bad) {
			buf_printf(text, "%-20s unreadable registration: %s\n", nd->name, nd->why);
			continue;
		}
		if (lag)
			snprintf(line, sizeof(line), "LAGGING (%lld behind)",
				 (long long)(latest - nd->v.revision));
		else
			snprintf(line, sizeof(line), "ok");
		buf_printf(text, "%-20s %-40s %-*s %9lld  %s%s%s\n", nd->name,
			   nd->v.address[0] ? nd->v.address : "-", vw, nd->v.version,
			   (long long)nd->v.revision, line,
			   nd->v.connected ? "" : ", etcd not connected",
			   !strcmp(nd->name, d->pool->name) ? " (this node)" : "");
	}
	if (w) {
		json_array_end(w);
		json_key(w, "vips");
		json_array_start(w);
	} else if (n_vips) {
		buf_printf(text, "\n%-32s", "vip");
		for (i = 0; i < view->n_nodes; i++)
			buf_printf(text, " %-14.14s", view->nodes[i].name);
		buf_puts(text, "\n");
	}
	for (k = 0; k < n_vips; k++) {
		const char *maj = fleet_majority(view, vips[k], &holders);
		bool same = true;

		for (i = 0; i < view->n_nodes; i++) {
			const struct pool_node_table *t = node_table(&view->nodes[i], vips[k]);

			if (t && strcmp(t->fingerprint, maj))
				same = false;
		}
		if (w) {
			json_object_start(w);
			json_kv_string(w, "vip", vips[k]);
			json_kv_bool(w, "agree", same);
			json_kv_string(w, "fingerprint", maj);
			json_kv_u64(w, "nodes", holders);
			json_object_end(w);
			continue;
		}
		buf_printf(text, "%-32s", vips[k]);
		for (i = 0; i < view->n_nodes; i++) {
			const struct pool_node_table *t = node_table(&view->nodes[i], vips[k]);

			if (!t)
				buf_printf(text, " %-14s", "-");
			else if (strcmp(t->fingerprint, maj))
				buf_printf(text, " %s!", t->fingerprint);
			else
				buf_printf(text, " %-14s", t->fingerprint);
		}
		buf_puts(text, same ? "\n" : "  DIFFERS\n");
	}
	if (w) {
		json_array_end(w);
		json_object_end(w);
	} else {
		buf_printf(text, "\n%s\n", agree ? "all nodes agree" :
			   "NODES DISAGREE: see LAGGING and DIFFERS (! marks a table that differs "
			   "from the others')");
	}
	free(vips);
}
