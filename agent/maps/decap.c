// SPDX-License-Identifier: GPL-2.0
/*
 * Backend side: load bpf/decap.bpf.c, pin its maps next to the balancer's
 * (decap_addrs, decap_cfg, decap_stats, decap_sc_stats) and attach it with libxdp, so a
 * backend without tunnel devices takes encapsulated traffic.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "maps/decap.h"
#include "bpf/decap.skel.h"

const char *const xlb_decap_stat_names[XLB_DECAP_STAT_MAX] = XLB_DECAP_STAT_NAMES;
const char *const xlb_decap_sc_names[XLB_DECAP_SC_MAX] = XLB_DECAP_SC_NAMES;

static int pin_path(char *buf, size_t len, const char *root, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", root, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xlb_decap_attach(int ifindex, const char *pin_root, __be16 gue_port)
{
	struct xlb_decap_config cfg = { .gue_port = gue_port };
	struct xdp_program *prog = NULL;
	char path[PATH_MAX];
	struct bpf_map *map;
	struct decap *skel;
	__u32 zero = 0;
	int err;

	skel = decap__open();
	if (!skel)
		return -errno;
	bpf_object__for_each_map(map, skel->obj) {
		if (strchr(bpf_map__name(map), '.'))
			continue;
		err = pin_path(path, sizeof(path), pin_root, bpf_map__name(map));
		if (!err && bpf_map__set_pin_path(map, path))
			err = -errno;
		if (err)
			goto out;
	}
	{
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .obj = skel->obj,
				    .prog_name = "xlb_decap");

		prog = xdp_program__create(&xopts);
		err = libxdp_get_error(prog);
		if (err) {
			prog = NULL;
			goto out;
		}
	}
	err = xdp_program__attach(prog, ifindex, XDP_MODE_NATIVE, 0);
	if (err)
		goto out;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_cfg), &zero, &cfg, BPF_ANY))
		err = -errno;
out:
	if (prog)
		xdp_program__close(prog);
	decap__destroy(skel);
	return err;
}

int xlb_decap_addr_add(const char *pin_root, const struct xlb_decap_key *key)
{
	char path[PATH_MAX];
	__u8 one = 1;
	int fd, err;

	err = pin_path(path, sizeof(path), pin_root, "decap_addrs");
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(fd, key, &one, BPF_ANY) ? -errno : 0;
	close(fd);
	return err;
}

/* A per-CPU array of __u64 pinned as `name`: its n values summed. */
static int percpu_read(const char *pin_root, const char *name, __u64 *out, __u32 n)
{
	int ncpus = libbpf_num_possible_cpus(), fd, c, err = 0;
	char path[PATH_MAX];
	__u64 *vals;
	__u32 i;

	if (ncpus <= 0)
		return ncpus < 0 ? ncpus : -EINVAL;
	err = pin_path(path, sizeof(path), pin_root, name);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals) {
		close(fd);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &i, vals)) {
			err = -errno;
			break;
		}
		out[i] = 0;
		for (c = 0; c < ncpus; c++)
			out[i] += vals[c];
	}
	free(vals);
	close(fd);
	return err;
}

int xlb_decap_stats_read(const char *pin_root, __u64 out[XLB_DECAP_STAT_MAX])
{
	return percpu_read(pin_root, "decap_stats", out, XLB_DECAP_STAT_MAX);
}

int xlb_decap_sc_stats_read(const char *pin_root, __u64 out[XLB_DECAP_SC_MAX])
{
	return percpu_read(pin_root, "decap_sc_stats", out, XLB_DECAP_SC_MAX);
}
