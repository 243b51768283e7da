// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the flow table and the datapath's choice for a flow (see
 * flows.h). The hash is bpf/hash.h itself, compiled here too, so the two
 * sides cannot drift; selftests/bpf/test_balancer_flows.c checks it
 * against what the datapath stored and chose.
 */
#include <errno.h>
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

/* Without batch operations (not seen on Linux >= 5.6): key by key. */
static int foreach_by_key(int fd, int (*cb)(const struct xlb_dp_flow *f, void *arg), void *arg)
{
	struct xlb_flow_key key, next;
	struct xlb_dp_flow f;
	struct xlb_flow v;
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		flow_from_map(&key, &v, &f);
		err = cb(&f, arg);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

int xlb_dp_flow_foreach(struct xlb_dp *dp, int (*cb)(const struct xlb_dp_flow *f, void *arg),
			void *arg)
{
	int fd = xlb_dp_map_fd(dp, "flows");
	struct xlb_flow_key *keys;
	struct xlb_flow *vals;
	struct xlb_dp_flow f;
	__u64 in = 0, out = 0;
	bool first = true, last = false;
	int err = 0;
	__u32 n, i;

	if (fd < 0)
		return fd;
	keys = calloc(FLOW_BATCH, sizeof(*keys));
	vals = calloc(FLOW_BATCH, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (!last) {
		n = FLOW_BATCH;
		if (bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &n, NULL)) {
			if (errno != ENOENT) {
				err = first && (errno == EINVAL || errno == ENOTSUP ||
						errno == EOPNOTSUPP) ?
					      foreach_by_key(fd, cb, arg) : -errno;
				goto out;
			}
			last = true;	/* ENOENT: these are the last ones */
		}
		first = false;
		in = out;
		for (i = 0; i < n; i++) {
			flow_from_map(&keys[i], &vals[i], &f);
			err = cb(&f, arg);
			if (err)
				goto out;
		}
	}
out:
	free(keys);
	free(vals);
	return err;
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
	__u32 inner_id, s;
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
	if (bpf_map_lookup_elem(fd, &s, backend_id))
		err = -errno;
	else
		*backend_id = XLB_SLOT_BE(*backend_id);
	close(fd);
	return err;
}
