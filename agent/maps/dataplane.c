// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace side of the balancer's maps: load the XDP program (or adopt
 * the maps a previous instance pinned), attach it through libxdp, and
 * write VIPs, backends and Maglev tables.
 *
 * Consistency rules the datapath relies on:
 * - A Maglev table is written completely into the region of the VIP's map
 *   in `rings` that the VIP entry does not use before the entry is
 *   switched to it in one update; the previous table stays in place until
 *   the next change of that VIP, so a packet that read the old VIP entry
 *   still finds a table (a packet that read it two changes ago and is
 *   still reading it may see a slot of the newer table: each slot is
 *   written whole, and holds a backend of one of the two).
 * - Second chance needs nothing more here: a VIP's previous table travels
 *   in the high half of its table's slots (XLB_SLOT, maglev_prev_merge).
 * - Each VIP address has a marker entry (proto 0, port 0) while any VIP
 *   uses it; its flags say which protocols have an all-ports VIP. The
 *   marker is written before the address's first VIP entry and removed
 *   after its last.
 * - `vip_filter` has the bit of every address with a marker, set before
 *   the marker is written and cleared after it is removed: the datapath
 *   passes a packet whose destination's bit is clear without looking
 *   further. It is rebuilt from the markers when the maps are opened
 *   (adopted maps, or a map an upgrade created empty), and marked ready
 *   only then; until then the datapath asks the markers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <linux/if_link.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "maps/dataplane.h"
#include "bpf/xlb.skel.h"

#define XLB_PROG_NAME "xlb_balancer"
#define KERNEL_ENOTSUPP 524	/* include/linux/errno.h, not in the uapi */

const char *const xlb_stat_names[XLB_STAT_MAX] = XLB_STAT_NAMES;
const char *const xlb_sc_stat_names[XLB_SC_STAT_MAX] = XLB_SC_STAT_NAMES;

/* Map writes made by this process (tests and benchmarks check that a
 * no-change reload makes none). */
static __u64 dp_map_writes;

/* An inner map of `rings` as this process knows it. */
struct dp_ring {
	int fd;			/* -1: none known */
	__u32 entries;		/* its slots: 2 x the table size + XLB_RING_META */
};

/* After a map's two tables: for each, a fingerprint of what it was built
 * from (two slots, low half first), so a restart knows a table is in
 * place without building it again. The datapath never reads them. */
#define XLB_RING_META	4

static void dp_ring_close(struct dp_ring *r);

struct xlb_dp {
	struct xlb *skel;
	struct dp_ring rings[XLB_RING_SLOTS];	/* by slot of `rings` */
	bool rings_unknown;	/* maps there may not be in rings[] (adopted, not read) */
	/* new maps for slots of `rings`, made visible by xlb_dp_tables_commit */
	__u32 pend_slot[XLB_RING_SLOTS];
	struct dp_ring pend[XLB_RING_SLOTS];
	size_t n_pend;
	struct xdp_program *xdp_prog;	/* set while attached through libxdp */
	__u32 replaced_flags;		/* set while attached by replacing a running balancer */
	int ifindex;
	enum xdp_attach_mode attach_mode;
	bool adopted;			/* took over a running balancer */
	bool dispatcher;		/* attached through libxdp's multi-program dispatcher */
	char pin_root[PATH_MAX];
};

static void dp_filter_add(struct xlb_vip_filter *f, const struct xlb_vip_key *k)
{
	__u32 bit = xlb_vip_filter_bit(&k->addr, k->family);

	f->bits[bit / 64] |= 1ULL << (bit % 64);
}

/* next, made ready, written over cur only if it differs */
static int dp_filter_store(int fd, const struct xlb_vip_filter *cur, struct xlb_vip_filter *next)
{
	__u32 zero = 0;

	next->ready = 1;
	if (!memcmp(cur, next, sizeof(*cur)))
		return 0;
	dp_map_writes++;
	return bpf_map_update_elem(fd, &zero, next, BPF_ANY) ? -errno : 0;
}

/* Address markers (and `extra`, an address about to get its first VIP)
 * as the bits of vip_filter, written only if that changes a bit. Adding
 * to a ready filter sets one bit; anything else rebuilds it from the
 * markers. */
static int dp_filter_write(struct xlb_dp *dp, const struct xlb_vip_key *extra)
{
	int vips_fd = bpf_map__fd(dp->skel->maps.vips);
	int fd = bpf_map__fd(dp->skel->maps.vip_filter);
	struct xlb_vip_filter *cur, *next;
	struct xlb_vip_key key, nkey;
	void *prev = NULL;
	__u32 zero = 0;
	int err = 0;

	cur = calloc(1, sizeof(*cur));
	next = calloc(1, sizeof(*next));
	if (!cur || !next) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &zero, cur)) {
		err = -errno;
		goto out;
	}
	if (extra && cur->ready) {
		*next = *cur;
		goto add;
	}
	while (!bpf_map_get_next_key(vips_fd, prev, &nkey)) {
		key = nkey;
		prev = &key;
		if (key.proto == 0) {
			dp_filter_add(next, &key);
		}
	}
add:
	if (extra)
		dp_filter_add(next, extra);
	err = dp_filter_store(fd, cur, next);
out:
	free(cur);
	free(next);
	return err;
}

int xlb_dp_filter_set(struct xlb_dp *dp, const struct xlb_vip_key *addrs, size_t n)
{
	int fd = bpf_map__fd(dp->skel->maps.vip_filter);
	struct xlb_vip_filter *cur, *next;
	__u32 zero = 0;
	size_t i;
	int err = 0;

	cur = calloc(1, sizeof(*cur));
	next = calloc(1, sizeof(*next));
	if (!cur || !next) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &zero, cur)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < n; i++)
		dp_filter_add(next, &addrs[i]);
	err = dp_filter_store(fd, cur, next);
out:
	free(cur);
	free(next);
	return err;
}

/*
 * A balancer left running by a previous xlbd (killed, or told to keep the
 * datapath) is attached on its own: replace it in one netlink operation
 * (XDP_FLAGS_REPLACE) so not a packet misses the program. Returns 1 when
 * it replaced, 0 when there was nothing to replace.
 */
static int dp_replace_running(struct xlb_dp *dp, int ifindex, enum xlb_dp_mode mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, aopts);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), flags;
	int old_fd, err;

	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		return 0;
	if (q.attach_mode != XDP_ATTACHED_DRV && q.attach_mode != XDP_ATTACHED_SKB)
		return 0;
	old_fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (old_fd < 0) /* EPERM: looking at it needs CAP_SYS_ADMIN */
		return errno == EPERM ? -EPERM : 0;
	if (bpf_obj_get_info_by_fd(old_fd, &info, &len) || strcmp(info.name, XLB_PROG_NAME)) {
		close(old_fd);
		return 0;
	}
	flags = q.attach_mode == XDP_ATTACHED_DRV ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
	if ((mode == XLB_DP_MODE_GENERIC) != (flags == XDP_FLAGS_SKB_MODE)) {
		close(old_fd);
		return -EBUSY; /* running in the other mode: the caller says so */
	}
	err = xlb__load(dp->skel);
	/* the filter complete before the program sees a packet */
	if (!err)
		err = dp_filter_write(dp, NULL);
	if (!err) {
		aopts.old_prog_fd = old_fd;
		err = bpf_xdp_attach(ifindex, bpf_program__fd(dp->skel->progs.xlb_balancer),
				     flags | XDP_FLAGS_REPLACE, &aopts);
	}
	close(old_fd);
	if (err)
		return err;
	dp->replaced_flags = flags;
	dp->ifindex = ifindex;
	dp->adopted = true;
	return 1;
}

static int dp_pin_setup(struct xlb_dp *dp)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int n;

	bpf_object__for_each_map(map, dp->skel->obj) {
		const char *name = bpf_map__name(map);

		/* .rodata/.bss style internal maps are not ours to pin */
		if (strchr(name, '.'))
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dp->pin_root, name);
		if (n < 0 || (size_t)n >= sizeof(path))
			return -ENAMETOOLONG;
		/* libbpf reuses a compatible map pinned there, else pins
		 * the new one after load */
		if (bpf_map__set_pin_path(map, path))
			return -errno;
	}
	return 0;
}

/* Did libxdp attach through its dispatcher, or (where the kernel refuses
 * freplace programs) the balancer alone? Asked once, at attach time,
 * while xlbd still has every capability (reading programs by id needs
 * CAP_SYS_ADMIN). Unsure counts as the dispatcher: it keeps the
 * capability its detach needs. */
static bool dp_uses_dispatcher(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	bool legacy;

	if (libxdp_get_error(mp))
		return true;
	legacy = xdp_multiprog__is_legacy(mp);
	xdp_multiprog__close(mp);
	return !legacy;
}

int xlb_dp_open(const struct xlb_dp_opts *opts, struct xlb_dp **out)
{
	struct xlb_dp *dp;
	size_t i;
	int err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	for (i = 0; i < XLB_RING_SLOTS; i++)
		dp->rings[i].fd = -1;
	/* pinned maps may hold tables this process has not read yet */
	dp->rings_unknown = true;
	dp->skel = xlb__open();
	if (!dp->skel) {
		err = -errno;
		goto err_free;
	}
	err = bpf_map__set_max_entries(dp->skel->maps.flows,
				       opts->flow_entries ? opts->flow_entries : XLB_FLOWS_DEFAULT);
	if (!err)
		err = bpf_map__set_max_entries(dp->skel->maps.frags, opts->frag_entries ?
						      opts->frag_entries : XLB_FRAGS_DEFAULT);
	if (err)
		goto err_destroy;
	if (opts->pin_root) {
		snprintf(dp->pin_root, sizeof(dp->pin_root), "%s", opts->pin_root);
		err = dp_pin_setup(dp);
		if (err)
			goto err_destroy;
	}

	if (opts->mode == XLB_DP_MODE_NONE) {
		err = xlb__load(dp->skel);
		if (!err)
			err = dp_filter_write(dp, NULL);
		if (err)
			goto err_destroy;
	} else {
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .obj = dp->skel->obj,
				    .prog_name = XLB_PROG_NAME);
		struct xdp_program *prog;

		err = dp_replace_running(dp, opts->ifindex, opts->mode);
		if (err < 0)
			goto err_destroy;
		if (err == 1)
			goto done;
		prog = xdp_program__create(&xopts);
		err = libxdp_get_error(prog);
		if (err)
			goto err_destroy;
		dp->attach_mode = opts->mode == XLB_DP_MODE_GENERIC ? XDP_MODE_SKB :
								      XDP_MODE_NATIVE;
		err = xdp_program__attach(prog, opts->ifindex, dp->attach_mode, 0);
		if (err) {
			xdp_program__close(prog);
			goto err_destroy;
		}
		dp->xdp_prog = prog;
		dp->ifindex = opts->ifindex;
		dp->dispatcher = dp_uses_dispatcher(opts->ifindex);
		/* libxdp loads and attaches in one step: until this, the
		 * datapath asks the markers (the filter is not ready) */
		err = dp_filter_write(dp, NULL);
		if (err) {
			xlb_dp_detach(dp);
			goto err_destroy;
		}
	}
done:
	*out = dp;
	return 0;

err_destroy:
	xlb__destroy(dp->skel);
err_free:
	free(dp);
	return err < 0 ? err : -EINVAL;
}

int xlb_dp_detach(struct xlb_dp *dp)
{
	int err;

	if (dp->replaced_flags) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, aopts,
			    .old_prog_fd = bpf_program__fd(dp->skel->progs.xlb_balancer));

		err = bpf_xdp_detach(dp->ifindex, dp->replaced_flags | XDP_FLAGS_REPLACE, &aopts);
		if (!err)
			dp->replaced_flags = 0;
		return err;
	}
	if (!dp->xdp_prog)
		return -ENOENT;
	if (!dp->dispatcher) {
		/* the balancer alone on the interface: detach it ourselves,
		 * only if it is still ours (XDP_FLAGS_REPLACE with our fd).
		 * libxdp would look the program up by id first, which needs
		 * CAP_SYS_ADMIN; this needs CAP_NET_ADMIN, which xlbd keeps
		 * after dropping privileges */
		LIBBPF_OPTS(bpf_xdp_attach_opts, aopts, .old_prog_fd = xdp_program__fd(dp->xdp_prog));
		__u32 flags = dp->attach_mode == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;

		err = bpf_xdp_detach(dp->ifindex, flags | XDP_FLAGS_REPLACE, &aopts);
	} else {
		err = xdp_program__detach(dp->xdp_prog, dp->ifindex, dp->attach_mode, 0);
	}
	if (!err) {
		xdp_program__close(dp->xdp_prog);
		dp->xdp_prog = NULL;
	}
	return err;
}

void xlb_dp_close(struct xlb_dp *dp)
{
	size_t i;

	if (!dp)
		return;
	for (i = 0; i < XLB_RING_SLOTS; i++)
		dp_ring_close(&dp->rings[i]);
	for (i = 0; i < dp->n_pend; i++)
		dp_ring_close(&dp->pend[i]);
	if (dp->xdp_prog)
		xdp_program__close(dp->xdp_prog);
	xlb__destroy(dp->skel);
	free(dp);
}

int xlb_dp_unpin(struct xlb_dp *dp)
{
	struct bpf_map *map;
	int err = 0;

	if (!dp->pin_root[0])
		return 0;
	bpf_object__for_each_map(map, dp->skel->obj) {
		if (bpf_map__pin_path(map) && bpf_map__is_pinned(map) &&
		    bpf_map__unpin(map, NULL) && !err)
			err = -errno;
	}
	rmdir(dp->pin_root);
	return err;
}

bool xlb_dp_uses_dispatcher(const struct xlb_dp *dp)
{
	return dp && dp->xdp_prog && dp->dispatcher;
}

const char *xlb_dp_pin_root(const struct xlb_dp *dp)
{
	return dp && dp->pin_root[0] ? dp->pin_root : NULL;
}

bool xlb_dp_adopted(const struct xlb_dp *dp)
{
	return dp->adopted;
}

const char *xlb_dp_attach_mode(const struct xlb_dp *dp)
{
	__u32 skb = dp->replaced_flags ? dp->replaced_flags & XDP_FLAGS_SKB_MODE :
					 dp->attach_mode == XDP_MODE_SKB;

	if (!dp->xdp_prog && !dp->replaced_flags)
		return "none";
	return skb ? "generic" : "native";
}

int xlb_dp_vip_foreach_all(struct xlb_dp *dp,
			   int (*cb)(const struct xlb_vip_key *key, const struct xlb_vip *vip,
				     void *arg),
			   void *arg)
{
	int fd = bpf_map__fd(dp->skel->maps.vips);
	struct xlb_vip_key key, next;
	struct xlb_vip vip;
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &vip))
			continue;
		err = cb(&key, &vip, arg);
		if (err)
			return err;
	}
	return 0;
}

int xlb_dp_vip_foreach(struct xlb_dp *dp,
		       int (*cb)(const struct xlb_vip_key *key, const struct xlb_vip *vip, void *arg),
		       void *arg)
{
	int fd = bpf_map__fd(dp->skel->maps.vips);
	struct xlb_vip_key key, next;
	struct xlb_vip vip;
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.proto == 0 || bpf_map_lookup_elem(fd, &key, &vip))
			continue;
		err = cb(&key, &vip, arg);
		if (err)
			return err;
	}
	return 0;
}

int xlb_dp_prog_fd(const struct xlb_dp *dp)
{
	return bpf_program__fd(dp->skel->progs.xlb_balancer);
}

int xlb_dp_map_fd(const struct xlb_dp *dp, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(dp->skel->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

__u64 xlb_dp_map_writes(void)
{
	return dp_map_writes;
}

static int map_update(int fd, const void *key, const void *value)
{
	dp_map_writes++;
	return bpf_map_update_elem(fd, key, value, BPF_ANY) ? -errno : 0;
}

/* n entries of one map: in one system call (BPF_MAP_UPDATE_BATCH), or
 * one by one from where the kernel stopped when it has no batch update
 * for this map. Each entry counts as a write. */
static int map_update_many(int fd, const void *keys, const void *vals, size_t n, size_t ksz,
			   size_t vsz)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = BPF_ANY);
	__u32 count = n;
	size_t i;

	if (!n)
		return 0;
	dp_map_writes += n;
	if (!bpf_map_update_batch(fd, keys, vals, &count, &o))
		return 0;
	/* no batch update for this map type: the kernel's own ENOTSUPP */
	if (errno != EINVAL && errno != EOPNOTSUPP && errno != KERNEL_ENOTSUPP)
		return -errno;
	for (i = count < n ? count : 0; i < n; i++)
		if (bpf_map_update_elem(fd, (const char *)keys + i * ksz,
					(const char *)vals + i * vsz, BPF_ANY))
			return -errno;
	return 0;
}

int xlb_dp_config_set(struct xlb_dp *dp, const struct xlb_config *cfg)
{
	__u32 zero = 0;

	return map_update(bpf_map__fd(dp->skel->maps.config), &zero, cfg);
}

int xlb_dp_config_get(struct xlb_dp *dp, struct xlb_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.config), &zero, cfg) ? -errno : 0;
}

int xlb_dp_backends_write(struct xlb_dp *dp, const __u32 *ids, const struct xlb_backend *bes,
			  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == XLB_BACKEND_NONE || ids[i] >= XLB_MAX_BACKENDS)
			return -EINVAL;
	return map_update_many(bpf_map__fd(dp->skel->maps.backends), ids, bes, n, sizeof(*ids),
			       sizeof(*bes));
}

int xlb_dp_backends_read(struct xlb_dp *dp, struct xlb_backend *all)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	int fd = bpf_map__fd(dp->skel->maps.backends);
	__u32 *keys, out_batch = 0, count = XLB_MAX_BACKENDS, id;
	int err = 0;

	keys = calloc(XLB_MAX_BACKENDS, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	/* an array has every key: one call reads them all (the kernel says
	 * ENOENT when it reached the end, which it did) */
	if (bpf_map_lookup_batch(fd, NULL, &out_batch, keys, all, &count, &o) && errno != ENOENT) {
		for (id = 0; id < XLB_MAX_BACKENDS && !err; id++)
			if (bpf_map_lookup_elem(fd, &id, &all[id]))
				err = -errno;
	} else if (count != XLB_MAX_BACKENDS) {
		err = -EIO;
	}
	free(keys);
	return err;
}

int xlb_dp_vip_get(struct xlb_dp *dp, const struct xlb_vip_key *key, struct xlb_vip *vip)
{
	return bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.vips), key, vip) ? -errno : 0;
}

int xlb_dp_vips_write(struct xlb_dp *dp, const struct xlb_vip_key *keys,
		      const struct xlb_vip *vals, size_t n)
{
	return map_update_many(bpf_map__fd(dp->skel->maps.vips), keys, vals, n, sizeof(*keys),
			       sizeof(*vals));
}

int xlb_dp_vips_delete(struct xlb_dp *dp, const struct xlb_vip_key *keys, size_t n)
{
	int fd = bpf_map__fd(dp->skel->maps.vips);
	size_t i;

	dp_map_writes += n;
	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, &keys[i]) && errno != ENOENT)
			return -errno;
	return 0;
}

int xlb_dp_encaps_write(struct xlb_dp *dp, const __u32 *vip_ids,
			const struct xlb_vip_encap *encs, size_t n)
{
	return map_update_many(bpf_map__fd(dp->skel->maps.vip_encap), vip_ids, encs, n,
			       sizeof(*vip_ids), sizeof(*encs));
}

int xlb_dp_encap_get(struct xlb_dp *dp, __u32 vip_id, struct xlb_vip_encap *enc)
{
	return bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.vip_encap), &vip_id, enc) ? -errno : 0;
}

int xlb_dp_backend_set(struct xlb_dp *dp, __u32 id, const struct xlb_backend *be)
{
	if (id == XLB_BACKEND_NONE || id >= XLB_MAX_BACKENDS)
		return -EINVAL;
	return map_update(bpf_map__fd(dp->skel->maps.backends), &id, be);
}

int xlb_dp_backend_get(struct xlb_dp *dp, __u32 id, struct xlb_backend *be)
{
	return bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.backends), &id, be) ? -errno : 0;
}

int xlb_dp_backend_del(struct xlb_dp *dp, __u32 id)
{
	struct xlb_backend none = {};

	return xlb_dp_backend_set(dp, id, &none);
}

/* Recompute the marker of one VIP address from the VIPs that use it;
 * `adding` is a VIP of it not written yet, counted as one of them. */
static int dp_marker_refresh(struct xlb_dp *dp, const struct xlb_vip_key *vk,
			     const struct xlb_vip_key *adding)
{
	int fd = bpf_map__fd(dp->skel->maps.vips);
	struct xlb_vip_key key, next, marker_key = {};
	struct xlb_vip marker = { .flags = XLB_VIP_F_MARKER };
	bool used = false;
	void *prev = NULL;

	if (adding) {
		used = true;
		if (adding->port == 0 && adding->proto == IPPROTO_TCP)
			marker.flags |= XLB_VIP_F_ANY_TCP;
		if (adding->port == 0 && adding->proto == IPPROTO_UDP)
			marker.flags |= XLB_VIP_F_ANY_UDP;
	}

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (next.family != vk->family || memcmp(&next.addr, &vk->addr, sizeof(next.addr)) ||
		    next.proto == 0)
			continue;
		used = true;
		if (next.port == 0 && next.proto == IPPROTO_TCP)
			marker.flags |= XLB_VIP_F_ANY_TCP;
		if (next.port == 0 && next.proto == IPPROTO_UDP)
			marker.flags |= XLB_VIP_F_ANY_UDP;
	}
	marker_key.addr = vk->addr;
	marker_key.family = vk->family;
	if (used)
		return map_update(fd, &marker_key, &marker);
	dp_map_writes++;
	if (bpf_map_delete_elem(fd, &marker_key) && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * The tables: each VIP has a map of 2 x size slots in `rings` (an
 * mmapable array) holding two tables; the VIP entry names the map
 * (ring_id) and the active region (XLB_VIP_F_RING_HI). A change writes
 * the inactive region through a mapping of the map, then
 * the caller switches the VIP entry in one update: no update of `rings`,
 * no RCU grace period. Only a VIP with no map of its size yet (a new
 * VIP, a new ring-size, a map written before this layout) gets a new
 * map, in its other slot of `rings`; those updates are staged and made
 * together in xlb_dp_tables_commit(), one BPF_MAP_UPDATE_BATCH (one
 * grace period, ~13 ms here, for all of them: one update each took 512
 * of them for 512 VIPs).
 *
 * Array elements are 8 bytes apart in the kernel (a 4-byte value takes
 * 8): the mapping is read and written as __u64.
 */
static void dp_ring_close(struct dp_ring *r)
{
	if (r->fd >= 0)
		close(r->fd);
	*r = (struct dp_ring){ .fd = -1 };
}

/*
 * Slots base..base+n-1 of r, mapped for the time of one read or write:
 * the kernel maps a map's every page at mmap(), so a mapping kept per
 * VIP would put all the tables (a megabyte per VIP at the default size)
 * in xlbd's resident set. Mapping a region and writing it costs ~0.1 ms,
 * a tenth of building the table. *unmap and *len are for munmap().
 */
static __u64 *dp_ring_map(struct dp_ring *r, __u32 base, __u32 n, int prot, void **unmap,
			  size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t start = (size_t)base * sizeof(__u64) / page * page;
	size_t end = ((size_t)base + n) * sizeof(__u64);
	void *m;

	if ((__u64)base + n > r->entries) {
		errno = ERANGE;
		return NULL;
	}
	*len = (end - start + page - 1) / page * page;
	m = mmap(NULL, *len, prot, MAP_SHARED, r->fd, start);
	if (m == MAP_FAILED)
		return NULL;
	*unmap = m;
	return (__u64 *)((char *)m + ((size_t)base * sizeof(__u64) - start));
}

/* A map of `entries` slots. */
static int dp_ring_new(__u32 entries, struct dp_ring *r)
{
	LIBBPF_OPTS(bpf_map_create_opts, copts, .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);

	*r = (struct dp_ring){ .fd = -1 };
	r->fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xlb_ring", sizeof(__u32), sizeof(__u32),
			       entries, &copts);
	if (r->fd < 0) {
		r->fd = -1;
		return -errno;
	}
	r->entries = entries;
	return 0;
}

/* The map in slot `slot` of `rings` as it will be after the commit. */
static struct dp_ring *dp_ring_at(struct xlb_dp *dp, __u32 slot)
{
	size_t i;

	for (i = 0; i < dp->n_pend; i++)
		if (dp->pend_slot[i] == slot)
			return &dp->pend[i];
	return &dp->rings[slot];
}

/* Stage r (ours now) as the new map of `slot`. */
static int dp_ring_stage(struct xlb_dp *dp, __u32 slot, struct dp_ring *r)
{
	struct dp_ring *cur = dp_ring_at(dp, slot);

	if (cur != &dp->rings[slot]) {
		/* staged twice in one commit: the first one never showed */
		dp_ring_close(cur);
		*cur = *r;
		return 0;
	}
	dp->pend_slot[dp->n_pend] = slot;
	dp->pend[dp->n_pend++] = *r;
	return 0;
}

static int dp_ring_fill(struct dp_ring *r, __u32 base, const __u32 *ring, __u32 size)
{
	__u64 *slot;
	void *m;
	size_t len;
	__u32 i;

	slot = dp_ring_map(r, base, size, PROT_READ | PROT_WRITE, &m, &len);
	if (!slot)
		return -errno;
	dp_map_writes++;
	for (i = 0; i < size; i++)
		slot[i] = ring[i];
	munmap(m, len);
	return 0;
}

/* Slots of a map holding two tables of size (and their fingerprints). */
static __u32 ring_entries(__u32 size)
{
	return 2 * size + XLB_RING_META;
}

/* The fingerprint of region `hi` of r, a map of two tables of size: part
 * of writing that table (not counted as a write of its own). */
static int dp_ring_fp_put(struct dp_ring *r, __u32 size, bool hi, __u64 fp)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = BPF_ANY);
	__u32 keys[2] = { 2 * size + 2 * hi, 2 * size + 2 * hi + 1 };
	__u32 vals[2] = { (__u32)fp, (__u32)(fp >> 32) };
	__u32 count = 2, i;

	if (!bpf_map_update_batch(r->fd, keys, vals, &count, &o))
		return 0;
	for (i = 0; i < 2; i++)
		if (bpf_map_update_elem(r->fd, &keys[i], &vals[i], BPF_ANY))
			return -errno;
	return 0;
}

int xlb_dp_table_fp(struct xlb_dp *dp, const struct xlb_vip *vip, __u64 *fp)
{
	__u32 at, i, v;
	struct dp_ring *r;

	*fp = 0;
	if (vip->ring_id >= XLB_RING_SLOTS)
		return -EINVAL;
	r = &dp->rings[vip->ring_id];
	if (r->fd < 0 || r->entries != ring_entries(vip->ring_size))
		return -ENOENT; /* none, or a map from before fingerprints */
	at = 2 * vip->ring_size + (vip->flags & XLB_VIP_F_RING_HI ? 2 : 0);
	for (i = 0; i < 2; i++) {
		__u32 k = at + i;

		if (bpf_map_lookup_elem(r->fd, &k, &v))
			return -errno;
		*fp |= (__u64)v << (32 * i);
	}
	return 0;
}

int xlb_dp_table_write(struct xlb_dp *dp, const struct xlb_vip *cur, __u32 vip_id,
		       const __u32 *ring, __u32 ring_size, __u64 fp, struct xlb_vip *next)
{
	__u32 slot = vip_id * 2;
	struct dp_ring *r, fresh;
	bool running = cur && cur->id == vip_id && (cur->ring_id >> 1) == vip_id;
	int err;

	if (vip_id >= XLB_MAX_VIPS || !ring_size || ring_size > UINT32_MAX / 2)
		return -EINVAL;
	if (running)
		slot = cur->ring_id;
	next->id = vip_id;
	next->ring_size = ring_size;
	r = dp_ring_at(dp, slot);
	if (r->fd >= 0 && r->entries == ring_entries(ring_size) &&
	    (!running || cur->ring_size == ring_size)) {
		/* the region the entry does not use (a new VIP: the first) */
		bool hi = running && !(cur->flags & XLB_VIP_F_RING_HI);

		err = dp_ring_fill(r, hi ? ring_size : 0, ring, ring_size);
		if (!err)
			err = dp_ring_fp_put(r, ring_size, hi, fp);
		if (err)
			return err;
		next->ring_id = slot;
		next->flags = hi ? next->flags | XLB_VIP_F_RING_HI : next->flags & ~XLB_VIP_F_RING_HI;
		return 0;
	}
	/* a new map, in the slot the entry does not use */
	if (running)
		slot ^= 1;
	err = dp_ring_new(ring_entries(ring_size), &fresh);
	if (err)
		return err;
	err = dp_ring_fill(&fresh, 0, ring, ring_size);
	if (!err)
		err = dp_ring_fp_put(&fresh, ring_size, false, fp);
	if (!err)
		err = dp_ring_stage(dp, slot, &fresh);
	if (err) {
		dp_ring_close(&fresh);
		return err;
	}
	next->ring_id = slot;
	next->flags &= ~XLB_VIP_F_RING_HI;
	return 0;
}

int xlb_dp_tables_commit(struct xlb_dp *dp)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = BPF_ANY);
	int rings_fd = bpf_map__fd(dp->skel->maps.rings), fds[XLB_RING_SLOTS];
	__u32 count = dp->n_pend;
	size_t i;
	int err = 0;

	if (!dp->n_pend)
		return 0;
	for (i = 0; i < dp->n_pend; i++)
		fds[i] = dp->pend[i].fd;
	dp_map_writes += dp->n_pend;
	/* one grace period for all of them (the kernel waits once per batch) */
	if (bpf_map_update_batch(rings_fd, dp->pend_slot, fds, &count, &o)) {
		err = -errno;
		for (i = 0; i < dp->n_pend && (err == -EINVAL || err == -EOPNOTSUPP ||
					       err == -KERNEL_ENOTSUPP); i++)
			err = bpf_map_update_elem(rings_fd, &dp->pend_slot[i], &fds[i], BPF_ANY) ?
				      -errno : 0;
	}
	for (i = 0; i < dp->n_pend; i++) {
		__u32 slot = dp->pend_slot[i];

		if (err) {
			dp_ring_close(&dp->pend[i]);
			continue;
		}
		dp_ring_close(&dp->rings[slot]);
		dp->rings[slot] = dp->pend[i];
	}
	dp->n_pend = 0;
	return err;
}

int xlb_dp_table_release(struct xlb_dp *dp, __u32 vip_id)
{
	struct dp_ring r;
	__u32 slot;
	int err;

	if (vip_id >= XLB_MAX_VIPS)
		return -EINVAL;
	/* deleting costs a grace period each (and has no batch for these
	 * maps): a one-slot map takes the place of each, in the commit */
	for (slot = vip_id * 2; slot < vip_id * 2 + 2; slot++) {
		if (dp->rings[slot].fd < 0 && dp_ring_at(dp, slot) == &dp->rings[slot] &&
		    !dp->rings_unknown)
			continue;
		err = dp_ring_new(1, &r);
		if (!err)
			err = dp_ring_stage(dp, slot, &r);
		if (err)
			return err;
	}
	return 0;
}

int xlb_dp_tables_adopt(struct xlb_dp *dp)
{
	int rings_fd = bpf_map__fd(dp->skel->maps.rings);
	struct bpf_map_info info;
	__u32 slot, id, len;
	int fd;

	for (slot = 0; slot < XLB_RING_SLOTS; slot++) {
		struct dp_ring *r = &dp->rings[slot];

		if (bpf_map_lookup_elem(rings_fd, &slot, &id))
			continue;
		/* BPF_MAP_GET_FD_BY_ID: CAP_SYS_ADMIN, which xlbd has at start-up */
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			return -errno;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.value_size != sizeof(__u32) ||
		    !(info.map_flags & BPF_F_MMAPABLE)) {
			close(fd);
			continue;
		}
		dp_ring_close(r);
		r->fd = fd;
		r->entries = info.max_entries;
	}
	dp->rings_unknown = false;
	return 0;
}

int xlb_dp_table_read(struct xlb_dp *dp, const struct xlb_vip *vip, __u32 *out)
{
	__u32 base = vip->flags & XLB_VIP_F_RING_HI ? vip->ring_size : 0, i;
	struct dp_ring *r;
	__u64 *slot;
	size_t len;
	void *m;

	if (vip->ring_id >= XLB_RING_SLOTS)
		return -EINVAL;
	r = &dp->rings[vip->ring_id];
	if (r->fd < 0)
		return -ENOENT;
	slot = dp_ring_map(r, base, vip->ring_size, PROT_READ, &m, &len);
	if (!slot)
		return -errno;
	for (i = 0; i < vip->ring_size; i++)
		out[i] = (__u32)slot[i];
	munmap(m, len);
	return 0;
}

int xlb_dp_vip_set(struct xlb_dp *dp, const struct xlb_vip_key *key, const struct xlb_vip *vip,
		   const __u32 *ring, __u32 ring_size)
{
	int vips_fd = bpf_map__fd(dp->skel->maps.vips);
	struct xlb_vip_encap enc = { .encap = vip->encap, .gue_port = vip->gue_port };
	struct xlb_vip cur, next = *vip;
	bool has_cur;
	__u32 id = vip->id;
	int err;

	if (vip->id >= XLB_MAX_VIPS || !ring_size || key->proto == 0)
		return -EINVAL;
	has_cur = !bpf_map_lookup_elem(vips_fd, key, &cur);
	if (has_cur && dp->rings_unknown)
		xlb_dp_tables_adopt(dp);
	err = xlb_dp_table_write(dp, has_cur ? &cur : NULL, id, ring, ring_size, 0, &next);
	if (!err)
		err = xlb_dp_tables_commit(dp);
	if (err)
		return err;
	/* established flows read this by VIP id; one 4-byte word */
	err = map_update(bpf_map__fd(dp->skel->maps.vip_encap), &id, &enc);
	/* the address is known to the filter and has its marker before
	 * the VIP entry can be found */
	if (!err)
		err = dp_filter_write(dp, key);
	if (!err)
		err = dp_marker_refresh(dp, key, key);
	if (!err)
		err = map_update(vips_fd, key, &next);
	return err;
}

int xlb_dp_vip_del(struct xlb_dp *dp, const struct xlb_vip_key *key)
{
	int vips_fd = bpf_map__fd(dp->skel->maps.vips);
	struct xlb_vip cur;
	int err;

	if (bpf_map_lookup_elem(vips_fd, key, &cur))
		return -errno;
	dp_map_writes++;
	if (bpf_map_delete_elem(vips_fd, key))
		return -errno;
	err = xlb_dp_table_release(dp, cur.id);
	if (!err)
		err = xlb_dp_tables_commit(dp);
	if (!err)
		err = dp_marker_refresh(dp, key, NULL);
	if (!err)
		err = dp_filter_write(dp, NULL);
	return err;
}

/* Sum a per-CPU value made of __u64 fields over all possible CPUs. */
static int percpu_sum(int fd, __u32 idx, __u64 *out, size_t nfields)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *vals;
	size_t f;
	int cpu;

	if (ncpus < 0)
		return ncpus;
	vals = calloc((size_t)ncpus * nfields, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &idx, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	memset(out, 0, nfields * sizeof(*out));
	for (cpu = 0; cpu < ncpus; cpu++)
		for (f = 0; f < nfields; f++)
			out[f] += vals[(size_t)cpu * nfields + f];
	free(vals);
	return 0;
}

int xlb_dp_stats_read(struct xlb_dp *dp, __u64 out[XLB_STAT_MAX])
{
	int fd = bpf_map__fd(dp->skel->maps.stats);
	__u32 i;
	int err;

	for (i = 0; i < XLB_STAT_MAX; i++) {
		err = percpu_sum(fd, i, &out[i], 1);
		if (err)
			return err;
	}
	/* every packet ends in exactly one action; counting rx as well
	 * would cost the datapath a map update per packet */
	out[XLB_STAT_RX] = out[XLB_STAT_TX] + out[XLB_STAT_REDIRECT] + out[XLB_STAT_PASS] +
			   out[XLB_STAT_DROP];
	return 0;
}

int xlb_dp_sc_stats_read(struct xlb_dp *dp, __u64 out[XLB_SC_STAT_MAX])
{
	int fd = bpf_map__fd(dp->skel->maps.sc_stats);
	__u32 i;
	int err;

	for (i = 0; i < XLB_SC_STAT_MAX; i++) {
		err = percpu_sum(fd, i, &out[i], 1);
		if (err)
			return err;
	}
	return 0;
}

int xlb_dp_vip_stats_read(struct xlb_dp *dp, __u32 vip_id, struct xlb_traffic *out)
{
	return percpu_sum(bpf_map__fd(dp->skel->maps.vip_stats), vip_id, &out->packets, 2);
}

int xlb_dp_be_stats_read(struct xlb_dp *dp, __u32 backend_id, struct xlb_traffic *out)
{
	return percpu_sum(bpf_map__fd(dp->skel->maps.be_stats), backend_id, &out->packets, 2);
}
