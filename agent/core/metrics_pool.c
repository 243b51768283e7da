// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics of the fleet (README "Metrics"): each forwarding VIP's table
 * fingerprint (with or without etcd: two nodes with the same value send
 * every flow to the same backend), and with `pool-state etcd` the link to
 * etcd, the revision applied, the writes made through this node, and what
 * this node sees of the others (their registrations): how many there are,
 * how many lag, and for which VIP some table differs from this node's.
 */
#include <string.h>

#include "core/pool.h"
#include "maps/fingerprint.h"
#include "metrics/expo.h"

static void put_fingerprints(struct expo *e, struct xlbd *d)
{
	char vip[CONF_VIP_STRLEN];
	size_t i;

	expo_family(e, "xlb_vip_table_fingerprint", EXPO_GAUGE,
		    "48-bit fingerprint of the VIP's Maglev table as written to the datapath "
		    "(backend addresses per slot): equal on two nodes exactly when they send "
		    "every flow to the same backend.");
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];

		if (v->conf->local || !v->ring_size)
			continue;
		conf_vip_format(v->conf, vip, sizeof(vip));
		expo_u64(e, v->fingerprint & MAGLEV_FP_MASK, "vip", vip, NULL);
	}
}

/* From this node's copy of the registrations: does another node hold a
 * different table for vip (fp: this node's, as text)? */
static bool differs(const struct pool_view *view, const char *self, const char *vip,
		    const char *fp)
{
	size_t i, t;

	for (i = 0; i < view->n_nodes; i++) {
		const struct pool_view_node *n = &view->nodes[i];

		if (n->bad || !strcmp(n->name, self))
			continue;
		for (t = 0; t < n->v.n_tables; t++)
			if (!strcmp(n->v.tables[t].vip, vip) && strcmp(n->v.tables[t].fingerprint, fp))
				return true;
	}
	return false;
}

static void put_fleet(struct expo *e, struct xlbd *d)
{
	const struct pool_view *view = pool_store_view(d->pool->store);
	char vip[CONF_VIP_STRLEN], fp[POOL_FP_STRLEN];
	size_t i, lagging = 0;

	for (i = 0; i < view->n_nodes; i++)
		lagging += !view->nodes[i].bad && view->nodes[i].v.revision < view->intent_revision;
	expo_family(e, "xlb_fleet_nodes", EXPO_GAUGE,
		    "Nodes registered in etcd under the cluster's prefix, as this node sees them.");
	expo_u64(e, view->n_nodes, NULL);
	expo_family(e, "xlb_fleet_nodes_lagging", EXPO_GAUGE,
		    "Registered nodes that have not applied the latest pool change.");
	expo_u64(e, lagging, NULL);
	expo_family(e, "xlb_fleet_table_differs", EXPO_GAUGE,
		    "1 when another registered node has a different table for the VIP.");
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];

		if (v->conf->local || !v->ring_size)
			continue;
		conf_vip_format(v->conf, vip, sizeof(vip));
		maglev_fingerprint_str(v->fingerprint, fp);
		expo_u64(e, differs(view, d->pool->name, vip, fp), "vip", vip, NULL);
	}
}

void xlbd_metrics_pool(struct expo *e, struct xlbd *d)
{
	struct xlbd_pool *pl = d->pool;
	struct pool_store_status st;

	put_fingerprints(e, d);
	if (!pl)
		return;
	pool_store_status(pl->store, &st);
	expo_family(e, "xlb_pool_state_info", EXPO_GAUGE,
		    "The pool state comes from etcd (value 1): the cluster's prefix, this node's "
		    "name in it.");
	expo_u64(e, 1, "prefix", pool_store_prefix(pl->store), "node", pl->name, NULL);
	expo_family(e, "xlb_pool_state_connected", EXPO_GAUGE,
		    "1 while this node follows etcd (its watch is up); 0: it serves the last "
		    "state it applied.");
	expo_u64(e, st.up, NULL);
	expo_family(e, "xlb_pool_state_applied_revision", EXPO_GAUGE,
		    "etcd revision of the latest pool change this node has applied.");
	expo_u64(e, d->pool_revision > 0 ? (uint64_t)d->pool_revision : 0, NULL);
	expo_family(e, "xlb_pool_state_store_revision", EXPO_GAUGE,
		    "etcd's revision as this node last heard it (any key of the store).");
	expo_u64(e, st.store_revision > 0 ? (uint64_t)st.store_revision : 0, NULL);
	expo_family(e, "xlb_pool_state_link_change_timestamp_seconds", EXPO_GAUGE,
		    "Unix time the link to etcd last came up or went down.");
	expo_u64(e, (uint64_t)pl->link_at, NULL);
	expo_family(e, "xlb_pool_state_last_change_timestamp_seconds", EXPO_GAUGE,
		    "Unix time this node last applied a pool change from etcd.");
	expo_u64(e, (uint64_t)pl->applied_at, NULL);
	expo_family(e, "xlb_pool_state_connects_total", EXPO_COUNTER,
		    "Watches of the prefix set up (1 + reconnections).");
	expo_u64(e, st.connects, NULL);
	expo_family(e, "xlb_pool_state_failures_total", EXPO_COUNTER,
		    "Connections to etcd lost or not made (each retry counts).");
	expo_u64(e, st.failures, NULL);
	expo_family(e, "xlb_pool_state_compactions_total", EXPO_COUNTER,
		    "Watches that fell behind a compaction and read the prefix again.");
	expo_u64(e, st.compactions, NULL);
	expo_family(e, "xlb_pool_state_events_total", EXPO_COUNTER,
		    "Watch events received (every key under the prefix).");
	expo_u64(e, st.events, NULL);
	expo_family(e, "xlb_pool_state_bad_values_total", EXPO_COUNTER,
		    "Values in etcd this node could not read (it kept what it had).");
	expo_u64(e, pl->bad_values, NULL);
	expo_family(e, "xlb_pool_state_writes_total", EXPO_COUNTER,
		    "xlbctl pool changes through this node: ok, conflict (the pool changed "
		    "meanwhile), refused (threshold), failed (etcd).");
	expo_u64(e, pl->writes_ok, "result", "ok", NULL);
	expo_u64(e, pl->writes_conflict, "result", "conflict", NULL);
	expo_u64(e, pl->writes_refused, "result", "refused", NULL);
	expo_u64(e, pl->writes_failed, "result", "failed", NULL);
	expo_family(e, "xlb_pool_state_registered", EXPO_GAUGE,
		    "1 while this node's registration (its lease) is in etcd.");
	expo_u64(e, st.registered, NULL);
	put_fleet(e, d);
}
