// SPDX-License-Identifier: GPL-2.0
/*
 * This node's registration in etcd (pool-state etcd): its name, version,
 * address, the revision it applied, whether it follows etcd, and each
 * forwarding VIP's table fingerprint, which `xlbctl fleet status` compares
 * across nodes. Published when the pool's view is applied, when the link
 * comes or goes, and when tables were written (tables.c): a consumer of
 * the model, calling nothing that changes it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/pool.h"
#include "maps/fingerprint.h"

void xlbd_pool_publish(struct xlbd *d)
{
	struct xlbd_pool *pl = d->pool;
	struct pool_node_value nv = { 0 };
	const struct xlb_conf *c = d->conf;
	const struct conf_addr *a;
	size_t i, k, n = 0;

	if (!pl || !pl->store)
		return;
	snprintf(nv.name, sizeof(nv.name), "%s", pl->name);
	snprintf(nv.version, sizeof(nv.version), "%s", XLB_VERSION);
	a = c->encap_src4.family ? &c->encap_src4 : c->encap_src6.family ? &c->encap_src6 : NULL;
	if (a) {
		conf_addr_str(a, nv.address, sizeof(nv.address));
	} else if (c->has_router_id) {
		struct conf_addr rid = { .family = XLB_FAMILY_V4, .addr.v4 = c->router_id };

		conf_addr_str(&rid, nv.address, sizeof(nv.address));
	}
	nv.revision = d->pool_revision;
	nv.connected = pl->up;
	nv.tables = calloc(d->n_vips ? d->n_vips : 1, sizeof(*nv.tables));
	if (!nv.tables)
		return;
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];
		struct pool_node_table *t = &nv.tables[n];

		if (v->conf->local || !v->ring_size)
			continue;
		conf_vip_format(v->conf, t->vip, sizeof(t->vip));
		maglev_fingerprint_str(v->fingerprint, t->fingerprint);
		for (k = 0; k < v->n_backends; k++)
			t->backends += v->backends[k].slots > 0;
		n++;
	}
	nv.n_tables = n;
	pool_store_register(pl->store, &nv);
	free(nv.tables);
}
