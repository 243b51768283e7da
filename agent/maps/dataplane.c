// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace side of the balancer's maps: load the XDP program (or adopt
 * the maps a previous instance pinned), attach it through libxdp, and
 * write VIPs, backends and Maglev tables.
 *
 * Consistency rules the datapath relies on:
 * - A Maglev table is written completely into the VIP's inactive slot of
 *   `rings` before the VIP entry is switched to it in one update; the
 *   previous table stays in place until the next change of that VIP, so a
 *   packet that read the old VIP entry still finds a table.
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

const char *const xlb_stat_names[XLB_STAT_MAX] = XLB_STAT_NAMES;
const char *const xlb_sc_stat_names[XLB_SC_STAT_MAX] = XLB_SC_STAT_NAMES;

/* Map writes made by this process (tests and benchmarks check that a
 * no-change reload makes none). */
static __u64 dp_map_writes;

struct xlb_dp {
	struct xlb *skel;
	struct xdp_program *xdp_prog;	/* set while attached through libxdp */
	__u32 replaced_flags;		/* set while attached by replacing a running balancer */
	int ifindex;
	enum xdp_attach_mode attach_mode;
	bool adopted;			/* took over a running balancer */
	bool dispatcher;		/* attached through libxdp's multi-program dispatcher */
	char pin_root[PATH_MAX];
};

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
	__u32 zero = 0, bit;
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
			bit = xlb_vip_filter_bit(&key.addr, key.family);
			next->bits[bit / 64] |= 1ULL << (bit % 64);
		}
	}
add:
	if (extra) {
		bit = xlb_vip_filter_bit(&extra->addr, extra->family);
		next->bits[bit / 64] |= 1ULL << (bit % 64);
	}
	next->ready = 1;
	if (memcmp(cur, next, sizeof(*cur))) {
		dp_map_writes++;
		if (bpf_map_update_elem(fd, &zero, next, BPF_ANY))
			err = -errno;
	}
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
	int err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
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
	if (!dp)
		return;
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

int xlb_dp_config_set(struct xlb_dp *dp, const struct xlb_config *cfg)
{
	__u32 zero = 0;

	return map_update(bpf_map__fd(dp->skel->maps.config), &zero, cfg);
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

/* A new, complete Maglev table, written through a mapping of the array
 * while no VIP points at it yet. Array elements are 8-byte aligned in the
 * kernel (a 4-byte value takes 8), hence the stride. */
static int ring_create(const __u32 *ring, __u32 size)
{
	LIBBPF_OPTS(bpf_map_create_opts, copts, .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)size * sizeof(__u64), i;
	__u64 *slot;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xlb_ring", sizeof(__u32), sizeof(__u32), size,
			    &copts);
	if (fd < 0)
		return -errno;
	len = (len + page - 1) / page * page;
	slot = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (slot == MAP_FAILED) {
		int err = -errno;

		close(fd);
		return err;
	}
	dp_map_writes++;
	for (i = 0; i < size; i++)
		slot[i] = ring[i];
	munmap(slot, len);
	return fd;
}

int xlb_dp_vip_set(struct xlb_dp *dp, const struct xlb_vip_key *key, const struct xlb_vip *vip,
		   const __u32 *ring, __u32 ring_size)
{
	int vips_fd = bpf_map__fd(dp->skel->maps.vips);
	int rings_fd = bpf_map__fd(dp->skel->maps.rings);
	struct xlb_vip_encap enc = { .encap = vip->encap, .gue_port = vip->gue_port };
	struct xlb_vip cur, next = *vip;
	__u32 id = vip->id;
	int ring_fd, err;

	if (vip->id >= XLB_MAX_VIPS || !ring_size || key->proto == 0)
		return -EINVAL;
	next.ring_id = vip->id * 2;
	/* switch to the other slot of this VIP if it is running now */
	if (!bpf_map_lookup_elem(vips_fd, key, &cur) && cur.id == vip->id &&
	    cur.ring_id == next.ring_id)
		next.ring_id++;
	next.ring_size = ring_size;

	ring_fd = ring_create(ring, ring_size);
	if (ring_fd < 0)
		return ring_fd;
	err = map_update(rings_fd, &next.ring_id, &ring_fd);
	close(ring_fd);
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
	int rings_fd = bpf_map__fd(dp->skel->maps.rings);
	struct xlb_vip cur;
	__u32 slot;
	int err;

	if (bpf_map_lookup_elem(vips_fd, key, &cur))
		return -errno;
	dp_map_writes++;
	if (bpf_map_delete_elem(vips_fd, key))
		return -errno;
	for (slot = cur.id * 2; slot < cur.id * 2 + 2; slot++)
		bpf_map_delete_elem(rings_fd, &slot);
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
