// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl flow show` (flow-table entries, as `ipvsadm -Lnc` lists LVS's
 * connections), `xlbctl flow lookup` (which backend a flow has or would
 * get, and why: its flow entry, or the Maglev slot its hash picks, as
 * the datapath computes it), and the flow counts of `backend show`. The
 * table's layout is agent/maps/flows.c's; this file sees struct
 * xlb_dp_flow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/show.h"
#include "lib/json.h"
#include "maps/dataplane.h"
#include "maps/flows.h"
#include "maps/maglev.h"

/* The model by datapath id: which VIP and backend an entry names. */
struct flow_index {
	const struct rt_vip *vip[XLB_MAX_VIPS];
	const struct rt_backend *be[XLB_MAX_BACKENDS];
};

static struct flow_index *flow_index_new(struct xlbd *d)
{
	struct flow_index *ix = calloc(1, sizeof(*ix));
	size_t i, k;

	if (!ix)
		return NULL;
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];

		if (!v->has_id || v->id >= XLB_MAX_VIPS)
			continue;
		ix->vip[v->id] = v;
		for (k = 0; k < v->n_backends; k++)
			if (v->backends[k].id && v->backends[k].id < XLB_MAX_BACKENDS)
				ix->be[v->backends[k].id] = &v->backends[k];
	}
	return ix;
}

static const struct rt_backend *flow_backend(const struct flow_index *ix,
					     const struct xlb_dp_flow *f)
{
	return f->backend_id < XLB_MAX_BACKENDS ? ix->be[f->backend_id] : NULL;
}

/* Does the entry still send its flow to its backend? (the datapath's
 * test: the backend present, and the same one: its generation) */
static bool flow_valid(const struct rt_backend *b, const struct xlb_dp_flow *f)
{
	return b && b->gen == f->backend_gen && rt_backend_keeps_flows(b);
}

static const char *proto_name(__u8 proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "?";
}

static const char *addr_text(const union xlb_addr *a, __u8 family, char *buf, size_t len)
{
	struct conf_addr ca = { .addr = *a, .family = family };

	return conf_addr_str(&ca, buf, len);
}

/* "198.51.100.7:40000", "[2001:db8::7]:40000" */
static const char *endpoint_text(const union xlb_addr *a, __u8 family, __u16 port, char *buf,
				 size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	addr_text(a, family, addr, sizeof(addr));
	snprintf(buf, len, family == XLB_FAMILY_V6 ? "[%s]:%u" : "%s:%u", addr, port);
	return buf;
}

/* ---- flow counts per backend (backend show) ---- */

struct count_ctx {
	const struct rt_vip *v;
	__u32 *counts;		/* by index of v->backends */
	__u32 *slot_of;		/* backend id -> index + 1 */
};

static int count_one(const struct xlb_dp_flow *f, void *arg)
{
	struct count_ctx *c = arg;
	__u32 i;

	if (f->vip_id != c->v->id || f->backend_id >= XLB_MAX_BACKENDS)
		return 0;
	i = c->slot_of[f->backend_id];
	if (i && c->v->backends[i - 1].gen == f->backend_gen)
		c->counts[i - 1]++;
	return 0;
}

int show_flow_counts(struct xlbd *d, const struct rt_vip *v, __u32 *counts)
{
	struct count_ctx c = { .v = v, .counts = counts };
	size_t k;
	int err;

	memset(counts, 0, v->n_backends * sizeof(*counts));
	if (!d->dp || !v->has_id)
		return -ENOENT;
	c.slot_of = calloc(XLB_MAX_BACKENDS, sizeof(*c.slot_of));
	if (!c.slot_of)
		return -ENOMEM;
	for (k = 0; k < v->n_backends; k++)
		if (v->backends[k].id && v->backends[k].id < XLB_MAX_BACKENDS)
			c.slot_of[v->backends[k].id] = k + 1;
	err = xlb_dp_flow_foreach(d->dp, count_one, &c);
	free(c.slot_of);
	return err;
}

/* ---- flow show ---- */

struct list_ctx {
	const struct flow_index *ix;
	const struct rt_vip *vip;		/* only this VIP's entries; NULL: all */
	const struct rt_backend *be;		/* only this backend's; NULL: all */
	__u32 limit;				/* 0: no limit */
	__u64 matched, shown;
	struct buf *text;
	struct json_writer *w;
};

static int list_one(const struct xlb_dp_flow *f, void *arg)
{
	struct list_ctx *c = arg;
	const struct rt_backend *b = flow_backend(c->ix, f);
	const struct rt_vip *v = f->vip_id < XLB_MAX_VIPS ? c->ix->vip[f->vip_id] : NULL;
	char client[INET6_ADDRSTRLEN + 8], vip[INET6_ADDRSTRLEN + 8], be[INET6_ADDRSTRLEN];
	bool valid = flow_valid(b, f);

	if (c->vip && v != c->vip)
		return 0;
	if (c->be && b != c->be)
		return 0;
	c->matched++;
	if (c->limit && c->shown >= c->limit)
		return 0;
	c->shown++;
	endpoint_text(&f->client, f->family, f->client_port, client, sizeof(client));
	endpoint_text(&f->vip, f->family, f->vip_port, vip, sizeof(vip));
	if (b)
		conf_addr_str(&b->conf->addr, be, sizeof(be));
	if (c->w) {
		json_object_start(c->w);
		json_kv_string(c->w, "protocol", proto_name(f->proto));
		json_kv_string(c->w, "client", addr_text(&f->client, f->family, client,
							 sizeof(client)));
		json_kv_u64(c->w, "client_port", f->client_port);
		json_kv_string(c->w, "vip_address", addr_text(&f->vip, f->family, vip, sizeof(vip)));
		json_kv_u64(c->w, "vip_port", f->vip_port);
		json_kv_string(c->w, "vip_name", v ? v->conf->name : NULL);
		json_kv_string(c->w, "backend", b ? be : NULL);
		json_kv_u64(c->w, "backend_id", f->backend_id);
		json_kv_bool(c->w, "valid", valid);
		json_kv_u64(c->w, "hash", f->hash);
		json_object_end(c->w);
		return 0;
	}
	buf_printf(c->text, "%-3s %-46s %-46s %-39s %s\n", proto_name(f->proto), client, vip,
		   b ? be : "?", valid ? "valid" : "stale");
	return 0;
}

int show_flows(struct xlbd *d, const struct rt_vip *v, const struct rt_backend *b, __u32 limit,
	       struct buf *text, struct json_writer *w)
{
	struct list_ctx c = { .vip = v, .be = b, .limit = limit, .text = text, .w = w };
	struct flow_index *ix;
	int err;

	ix = flow_index_new(d);
	if (!ix)
		return -ENOMEM;
	c.ix = ix;
	if (w) {
		json_object_start(w);
		json_key(w, "flows");
		json_array_start(w);
	} else {
		buf_printf(text, "%-3s %-46s %-46s %-39s %s\n", "PRO", "CLIENT", "VIP", "BACKEND",
			   "ENTRY");
	}
	err = xlb_dp_flow_foreach(d->dp, list_one, &c);
	free(ix);
	if (w) {
		json_array_end(w);
		json_kv_u64(w, "matched", c.matched);
		json_kv_u64(w, "shown", c.shown);
		json_kv_u64(w, "limit", limit);
		json_object_end(w);
	} else if (c.shown < c.matched) {
		buf_printf(text, "%llu of %llu entries shown (--limit %u; 0 for all)\n",
			   (unsigned long long)c.shown, (unsigned long long)c.matched, limit);
	} else {
		buf_printf(text, "%llu entries\n", (unsigned long long)c.matched);
	}
	return err;
}

/* ---- flow lookup ---- */

/* The backend of v with datapath id `id`, or NULL. */
static const struct rt_backend *backend_by_id(const struct rt_vip *v, __u32 id)
{
	size_t k;

	for (k = 0; id && k < v->n_backends; k++)
		if (v->backends[k].id == id)
			return &v->backends[k];
	return NULL;
}

/*
 * The Maglev slot of `hash` in v's table and its backend: read from the
 * datapath's table when xlbd may (*from_dp), else computed from the
 * model as tables.c builds the table it writes.
 */
static int maglev_choice(struct xlbd *d, const struct rt_vip *v, __u32 hash, __u32 *slot,
			 __u32 *be_id, bool *from_dp)
{
	struct xlb_vip_key key;
	struct maglev_backend *mb;
	__u32 *ring;
	int err;

	xlbd_vip_key(v->conf, &key);
	*from_dp = true;
	err = xlb_dp_ring_slot(d->dp, &key, hash, slot, be_id);
	if (err != -EPERM && err != -EACCES)
		return err;
	*from_dp = false;
	mb = calloc(v->n_backends ? v->n_backends : 1, sizeof(*mb));
	ring = malloc((size_t)v->conf->ring_size * sizeof(*ring));
	err = mb && ring ? 0 : -ENOMEM;
	if (!err) {
		rt_vip_maglev_input(v, mb);
		err = maglev_build(mb, v->n_backends, ring, v->conf->ring_size);
	}
	if (!err) {
		*slot = hash % v->conf->ring_size;
		*be_id = ring[*slot];
	}
	free(mb);
	free(ring);
	return err;
}

static void backend_json(struct json_writer *w, const char *key, const struct rt_backend *b,
			 __u32 id)
{
	char a[INET6_ADDRSTRLEN];

	json_key(w, key);
	json_object_start(w);
	json_kv_string(w, "backend", b ? conf_addr_str(&b->conf->addr, a, sizeof(a)) : NULL);
	json_kv_u64(w, "backend_id", id);
	json_object_end(w);
}

int show_flow_lookup(struct xlbd *d, const struct rt_vip *v, struct xlb_dp_flow *f,
		     struct buf *text, struct json_writer *w, char *err, size_t errlen)
{
	bool by_src = v->conf->hash_src, from_dp, has_entry, valid = false;
	const struct rt_backend *eb = NULL, *mbk, *answer;
	struct xlb_dp_flow entry = *f;
	char client[INET6_ADDRSTRLEN + 8], vip[96], a[INET6_ADDRSTRLEN];
	__u32 hash, slot = 0, be_id = 0;
	int rc;

	hash = xlb_dp_flow_hash(f, by_src);
	rc = maglev_choice(d, v, hash, &slot, &be_id, &from_dp);
	if (rc) {
		snprintf(err, errlen, "cannot read vip %s's table: %s",
			 conf_vip_format(v->conf, vip, sizeof(vip)) ? "?" : vip, strerror(-rc));
		return rc;
	}
	mbk = backend_by_id(v, be_id);
	has_entry = !xlb_dp_flow_get(d->dp, &entry);
	if (has_entry) {
		eb = backend_by_id(v, entry.backend_id);
		valid = flow_valid(eb, &entry);
	}
	answer = valid ? eb : mbk;
	conf_vip_format(v->conf, vip, sizeof(vip));
	endpoint_text(&f->client, f->family, f->client_port, client, sizeof(client));
	if (w) {
		json_object_start(w);
		json_kv_string(w, "protocol", proto_name(f->proto));
		json_kv_string(w, "client", addr_text(&f->client, f->family, a, sizeof(a)));
		json_kv_u64(w, "client_port", f->client_port);
		json_kv_string(w, "vip", vip);
		json_kv_string(w, "vip_name", v->conf->name);
		json_kv_u64(w, "vip_port", f->vip_port);
		json_kv_string(w, "hash_on", by_src ? "source" : "5-tuple");
		json_kv_u64(w, "hash", hash);
		json_kv_u64(w, "slot", slot);
		json_kv_u64(w, "ring_size", v->conf->ring_size);
		json_kv_string(w, "table", from_dp ? "datapath" : "computed");
		backend_json(w, "maglev", mbk, be_id);
		json_key(w, "entry");
		if (has_entry) {
			json_object_start(w);
			json_kv_string(w, "backend", eb ? conf_addr_str(&eb->conf->addr, a,
									 sizeof(a)) : NULL);
			json_kv_u64(w, "backend_id", entry.backend_id);
			json_kv_bool(w, "valid", valid);
			json_kv_u64(w, "hash", entry.hash);
			json_object_end(w);
		} else {
			json_null(w);
		}
		json_kv_string(w, "backend", answer ? conf_addr_str(&answer->conf->addr, a,
								    sizeof(a)) : NULL);
		json_kv_string(w, "reason", valid ? "flow-entry" : answer ? "maglev" : "no-backend");
		json_object_end(w);
		return 0;
	}
	buf_printf(text, "flow %s %s -> %s%s%s%s", proto_name(f->proto), client, vip,
		   v->conf->name ? " (" : "", v->conf->name ? v->conf->name : "",
		   v->conf->name ? ")" : "");
	if (!v->conf->port)
		buf_printf(text, ", port %u", f->vip_port);
	buf_putc(text, '\n');
	buf_printf(text, "    maglev  hash %u (%s), slot %u of %u: %s", hash,
		   by_src ? "of the client address" : "of the 5-tuple", slot, v->conf->ring_size,
		   mbk ? conf_addr_str(&mbk->conf->addr, a, sizeof(a)) : "no backend");
	buf_printf(text, " (%s)\n", from_dp ? "the datapath's table" :
			 "computed as xlbd wrote the table: reading the datapath's needs "
			 "CAP_SYS_ADMIN");
	if (has_entry)
		buf_printf(text, "    entry   %s, %s\n",
			   eb ? conf_addr_str(&eb->conf->addr, a, sizeof(a)) : "a backend xlbd no "
									      "longer has",
			   valid ? "valid: the flow stays there" :
				   "stale (its backend failed, was removed or depooled --now): "
				   "the next packet goes through Maglev");
	else
		buf_puts(text, "    entry   none on this node (the first packet that is not a "
			       "TCP SYN makes one)\n");
	if (answer)
		buf_printf(text, "    answer  %s, by its %s\n",
			   conf_addr_str(&answer->conf->addr, a, sizeof(a)),
			   valid ? "flow entry" : "Maglev slot");
	else
		buf_puts(text, "    answer  none: the VIP has no backend in its table (dropped, "
			       "drop_no_backend)\n");
	if (valid && mbk != eb)
		buf_printf(text, "    a new connection on this tuple (TCP SYN) would get %s\n",
			   mbk ? conf_addr_str(&mbk->conf->addr, a, sizeof(a)) : "none");
	return 0;
}
