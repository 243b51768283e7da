// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the flow table and the datapath's choice for a flow (see
 * flows.h). The hash is bpf/hash.h itself, compiled here too, so the two
 * sides cannot drift; selftests/bpf/test_balancer_flows.c checks it
 * against what the datapath stored and chose.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "maps/dataplane.h"
#include "maps/flows.h"
#include "../../bpf/hash.h"

/* Entries per batched read: 64 KiB of keys and values at a time. */
#define FLOW_BATCH 1024

static void flow_from_map(const struct xlb_flow_key *k, const struct xlb_flow *v,
			  struct xlb_dp_flow *f)
{
	memset(f, 0, sizeof(*f));
	f->family = k->family;
	f->proto = k->proto;
	f->client = k->src;
	f->vip = k->dst;
	f->client_port = ntohs(k->sport);
	f->vip_port = ntohs(k->dport);
	if (v) {
		f->backend_id = v->backend_id;
		f->backend_gen = v->backend_gen;
		f->hash = v->hash;
		f->vip_id = v->vip_id;
		f->hop_id = XLB_FLOW_HOP_ID(v->hop);
	}
}

static void flow_key(const struct xlb_dp_flow *f, struct xlb_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = f->family;
	k->proto = f->proto;
	k->src = f->client;
	k->dst = f->vip;
	k->sport = htons(f->client_port);
	k->dport = htons(f->vip_port);
}

struct xlb_dp_flow_walk {
	int fd;
	bool by_key;		/* no batch operations (not seen on Linux >= 5.6) */
	bool started, done;
	__u64 cursor;		/* the batch position to go on from */
	struct xlb_flow_key key; /* by_key: the last key read */
	struct xlb_flow_key keys[FLOW_BATCH];
	struct xlb_flow vals[FLOW_BATCH];
};

int xlb_dp_flow_walk_new(int flows_fd, struct xlb_dp_flow_walk **out)
{
	struct xlb_dp_flow_walk *w;

	if (flows_fd < 0)
		return flows_fd;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = flows_fd;
	*out = w;
	return 0;
}

void xlb_dp_flow_walk_free(struct xlb_dp_flow_walk *w)
{
	free(w);
}

int xlb_dp_flows_fd(struct xlb_dp *dp)
{
	return xlb_dp_map_fd(dp, "flows");
}

/* Key by key, up to max entries. */
static int step_by_key(struct xlb_dp_flow_walk *w, __u32 max,
		       int (*cb)(const struct xlb_dp_flow *f, void *arg), void *arg)
{
	struct xlb_flow_key next;
	struct xlb_dp_flow f;
	struct xlb_flow v;
	__u32 n;
	int err;

	for (n = 0; n < max; n++) {
		if (bpf_map_get_next_key(w->fd, w->started ? &w->key : NULL, &next)) {
			if (errno != ENOENT)
				return -errno;
			w->done = true;
			return 1;
		}
		w->key = next;
		w->started = true;
		if (bpf_map_lookup_elem(w->fd, &next, &v))
			continue;
		flow_from_map(&next, &v, &f);
		err = cb(&f, arg);
		if (err)
			return err;
	}
	return 0;
}

int xlb_dp_flow_walk_step(struct xlb_dp_flow_walk *w, __u32 max,
			  int (*cb)(const struct xlb_dp_flow *f, void *arg), void *arg)
{
	struct xlb_dp_flow f;
	__u32 done = 0, n, i;
	__u64 out = 0;
	bool last;
	int err;

	if (w->done)
		return 1;
	if (w->by_key)
		return step_by_key(w, max, cb, arg);
	while (done < max) {
		n = FLOW_BATCH;
		last = false;
		if (bpf_map_lookup_batch(w->fd, w->started ? &w->cursor : NULL, &out, w->keys,
					 w->vals, &n, NULL)) {
			if (errno != ENOENT) {
				if (!w->started && (errno == EINVAL || errno == ENOTSUP ||
						    errno == EOPNOTSUPP)) {
					w->by_key = true;
					return step_by_key(w, max, cb, arg);
				}
				return -errno;
			}
			last = true;	/* ENOENT: these are the last ones */
		}
		w->started = true;
		w->cursor = out;
		for (i = 0; i < n; i++) {
			flow_from_map(&w->keys[i], &w->vals[i], &f);
			err = cb(&f, arg);
			if (err)
				return err;
		}
		done += n;
		if (last) {
			w->done = true;
			return 1;
		}
	}
	return 0;
}

int xlb_dp_flow_foreach(struct xlb_dp *dp, int (*cb)(const struct xlb_dp_flow *f, void *arg),
			void *arg)
{
	struct xlb_dp_flow_walk *w;
	int err;

	err = xlb_dp_flow_walk_new(xlb_dp_flows_fd(dp), &w);
	if (err)
		return err;
	do
		err = xlb_dp_flow_walk_step(w, UINT32_MAX, cb, arg);
	while (!err);
	xlb_dp_flow_walk_free(w);
	return err == 1 ? 0 : err;
}

int xlb_dp_flow_get(struct xlb_dp *dp, struct xlb_dp_flow *f)
{
	int fd = xlb_dp_map_fd(dp, "flows");
	struct xlb_flow_key k;
	struct xlb_flow v;

	if (fd < 0)
		return fd;
	flow_key(f, &k);
	if (bpf_map_lookup_elem(fd, &k, &v))
		return -errno;
	flow_from_map(&k, &v, f);
	return 0;
}

__u32 xlb_dp_flow_hash(const struct xlb_dp_flow *f, bool by_src)
{
	struct xlb_flow_key k;

	flow_key(f, &k);
	return by_src ? hash_src(&k) : hash_flow(&k);
}

int xlb_dp_ring_slot(struct xlb_dp *dp, const struct xlb_vip_key *key, __u32 hash,
		     __u32 *slot, __u32 *backend_id)
{
	int vips_fd = xlb_dp_map_fd(dp, "vips"), rings_fd = xlb_dp_map_fd(dp, "rings");
	__u32 inner_id, s, at;
	struct xlb_vip vip;
	int fd, err = 0;

	if (vips_fd < 0 || rings_fd < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(vips_fd, key, &vip) || !vip.ring_size)
		return -ENOENT;
	if (bpf_map_lookup_elem(rings_fd, &vip.ring_id, &inner_id))
		return -ENOENT;
	s = hash % vip.ring_size;
	*slot = s;
	fd = bpf_map_get_fd_by_id(inner_id);
	if (fd < 0)
		return -errno;
	/* the VIP's map holds two tables; the entry's flag names the active one */
	at = s + (vip.flags & XLB_VIP_F_RING_HI ? vip.ring_size : 0);
	if (bpf_map_lookup_elem(fd, &at, backend_id))
		err = -errno;
	else
		*backend_id = XLB_SLOT_BE(*backend_id);
	close(fd);
	return err;
}
