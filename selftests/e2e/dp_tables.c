// SPDX-License-Identifier: GPL-2.0
/*
 * dp_tables: the Maglev tables a running balancer uses, read back from
 * xlbd's pinned maps and compared with the tables a fresh build computes
 * from the config — the scale tests' and the control benchmark's way of
 * saying "every table is right" without trusting xlbd's own view.
 *
 *   dp_tables check PIN_DIR CONF [DOWN]
 *	Every forwarding VIP of CONF: its entry in `vips`, its active table,
 *	equal slot for slot to maglev_build() of its configured backends
 *	(weights as configured; a backend whose address is a line of the
 *	file DOWN gets weight 0), with the ids the datapath gave them
 *	(`backends`: address and VIP id). Prints "ok N VIPs" or one line per
 *	VIP that differs; exit 0 / 1.
 *   dp_tables wait PIN_DIR CONF DOWN TIMEOUT_MS
 *	The same, polled: builds the wanted tables first and prints
 *	"ready", then reads the VIP entries every millisecond (a table is
 *	read again only when its entry changed) until every table is the
 *	wanted one, and prints "done MONO_MS" (CLOCK_MONOTONIC, ms, of the
 *	poll that saw it). Polls every 5 ms: reading 500 VIP entries every
 *	millisecond would take a core from the xlbd being measured. Exit 1
 *	at the timeout, naming a VIP still wrong.
 *   dp_tables build CONF [DOWN]
 *	The unavoidable work, timed in-process: parse CONF and build every
 *	forwarding VIP's table once. Prints "parse MS build MS tables N".
 *
 * The table layout is the datapath's (include/xlb_shared.h, bpf/maps.h):
 * ring_read() is the one place that knows it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "config/config.h"
#include "maps/maglev.h"
#include "xlb_shared.h"

struct maps {
	int vips, backends, rings;
	struct xlb_backend be[XLB_MAX_BACKENDS];
};

struct want {
	const struct conf_vip *c;
	struct xlb_vip_key key;
	__u32 *table;		/* wanted; NULL before it is built */
	struct xlb_vip seen;	/* the entry last compared */
	__u32 seen_map;		/* its table's map id then */
	bool ok;		/* the table seen then was the wanted one */
};

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int pin_open(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "dp_tables: %s: %s\n", path, strerror(errno));
	return fd;
}

static int maps_open(const char *dir, struct maps *m)
{
	m->vips = pin_open(dir, "vips");
	m->backends = pin_open(dir, "backends");
	m->rings = pin_open(dir, "rings");
	return m->vips < 0 || m->backends < 0 || m->rings < 0 ? -1 : 0;
}

static void backends_read(struct maps *m)
{
	__u32 id;

	for (id = 0; id < XLB_MAX_BACKENDS; id++)
		if (bpf_map_lookup_elem(m->backends, &id, &m->be[id]))
			memset(&m->be[id], 0, sizeof(m->be[id]));
}

/* The datapath's id of backend address a in VIP vip_id; 0 if none. */
static __u32 backend_id(const struct maps *m, __u32 vip_id, const struct conf_addr *a)
{
	__u32 id;

	for (id = 1; id < XLB_MAX_BACKENDS; id++)
		if (m->be[id].family == a->family && m->be[id].vip_id == vip_id &&
		    !memcmp(&m->be[id].addr, &a->addr, sizeof(a->addr)))
			return id;
	return 0;
}

static void vip_key(const struct conf_vip *c, struct xlb_vip_key *k)
{
	memset(k, 0, sizeof(*k));
	k->addr = c->addr.addr;
	k->family = c->addr.family;
	k->proto = c->proto;
	k->port = htons(c->port);
}

/* The active table of vip into out (vip->ring_size ids); *map_id gets
 * what identifies that table's storage. The VIP's inner map of `rings`
 * holds two tables of its size; XLB_VIP_F_RING_HI says the active one
 * is the second. The backend ids only (second chance's previous owners
 * dropped). */
static int ring_read(const struct maps *m, const struct xlb_vip *vip, __u32 *out, __u32 *map_id)
{
	__u32 base = vip->flags & XLB_VIP_F_RING_HI ? vip->ring_size : 0;
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (((size_t)base + vip->ring_size) * 8 + page - 1) / page * page;
	__u32 inner_id, i;
	__u64 *slot;
	int fd;

	if (bpf_map_lookup_elem(m->rings, &vip->ring_id, &inner_id))
		return -errno;
	*map_id = inner_id;
	fd = bpf_map_get_fd_by_id(inner_id);
	if (fd < 0)
		return -errno;
	slot = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (slot == MAP_FAILED)
		return -errno;
	/* array elements are 8 bytes apart (a 4-byte value takes 8); the
	 * backend in a slot word's low half (XLB_SLOT_BE): the high half is
	 * second chance's previous owner, this node's history, not the
	 * table a fresh build computes */
	for (i = 0; i < vip->ring_size; i++)
		out[i] = XLB_SLOT_BE((__u32)slot[base + i]);
	munmap(slot, len);
	return 0;
}

static bool is_down(char **down, size_t n_down, const struct conf_addr *a)
{
	char s[INET6_ADDRSTRLEN];
	size_t i;

	conf_addr_str(a, s, sizeof(s));
	for (i = 0; i < n_down; i++)
		if (!strcmp(down[i], s))
			return true;
	return false;
}

/* The DOWN file: one address a line. */
static int down_read(const char *path, char ***out, size_t *n)
{
	char line[128], **v = NULL;
	size_t cap = 0;
	FILE *f;

	*n = 0;
	if (!path)
		return 0;
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "dp_tables: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[(*n)++] = strdup(line);
	}
	fclose(f);
	*out = v;
	return 0;
}

/* The table c should have: ids from the datapath when m is given, else
 * 1..n (the build benchmark). */
static int want_build(const struct maps *m, __u32 vip_id, const struct conf_vip *c, char **down,
		      size_t n_down, __u32 *table)
{
	struct maglev_backend *mb = calloc(c->n_backends + 1, sizeof(*mb));
	size_t k;
	int err;

	if (!mb)
		return -ENOMEM;
	for (k = 0; k < c->n_backends; k++) {
		const struct conf_backend *b = &c->backends[k];

		mb[k].id = m ? backend_id(m, vip_id, &b->addr) : k + 1;
		mb[k].weight = is_down(down, n_down, &b->addr) ? 0 : b->weight;
		mb[k].addr = b->addr.addr;
		mb[k].family = b->addr.family;
		if (!mb[k].id && mb[k].weight) {
			char s[INET6_ADDRSTRLEN];

			fprintf(stderr, "dp_tables: backend %s of VIP id %u not in `backends`\n",
				conf_addr_str(&b->addr, s, sizeof(s)), vip_id);
			free(mb);
			return -ENOENT;
		}
	}
	err = maglev_build(mb, c->n_backends, table, c->ring_size);
	free(mb);
	return err;
}

/* Compare w's active table with the wanted one, reading it only if its
 * entry changed since last time. 1 equal, 0 not, -errno. */
static int want_compare(const struct maps *m, struct want *w, __u32 *scratch, bool force)
{
	struct xlb_vip vip;
	__u32 map_id = 0;
	int err;

	if (bpf_map_lookup_elem(m->vips, &w->key, &vip))
		return errno == ENOENT ? 0 : -errno;
	if (!force && !memcmp(&vip, &w->seen, sizeof(vip)))
		return w->ok;
	if (vip.ring_size != w->c->ring_size)
		return 0;
	err = ring_read(m, &vip, scratch, &map_id);
	if (err)
		return err;
	if (!force && map_id == w->seen_map && !memcmp(&vip, &w->seen, sizeof(vip)))
		return w->ok;
	w->seen = vip;
	w->seen_map = map_id;
	w->ok = !memcmp(scratch, w->table, (size_t)vip.ring_size * sizeof(*scratch));
	return w->ok;
}

static void usage(void)
{
	fprintf(stderr, "usage: dp_tables check PIN_DIR CONF [DOWN]\n"
			"       dp_tables wait PIN_DIR CONF DOWN TIMEOUT_MS\n"
			"       dp_tables build CONF [DOWN]\n");
	exit(2);
}

static struct xlb_conf *conf_load(const char *path)
{
	char err[CONF_ERR_MAX];
	struct xlb_conf *c;

	if (conf_parse_file(path, &c, err, sizeof(err))) {
		fprintf(stderr, "dp_tables: %s\n", err);
		exit(1);
	}
	return c;
}

/* Room for the largest table of c. */
static __u32 *table_alloc(const struct xlb_conf *c)
{
	__u32 max = 1;
	size_t i;

	for (i = 0; i < c->n_vips; i++)
		if (c->vips[i].ring_size > max)
			max = c->vips[i].ring_size;
	return malloc((size_t)max * sizeof(__u32));
}

static int cmd_build(int argc, char **argv)
{
	double t0 = mono_ms(), t1;
	struct xlb_conf *c;
	size_t i, n = 0, n_down;
	char **down = NULL;
	__u32 *table;

	if (argc < 3 || argc > 4)
		usage();
	c = conf_load(argv[2]);
	t1 = mono_ms();
	if (down_read(argc > 3 ? argv[3] : NULL, &down, &n_down))
		return 1;
	table = table_alloc(c);
	if (!table)
		return 1;
	for (i = 0; i < c->n_vips; i++) {
		if (c->vips[i].local)
			continue;
		if (want_build(NULL, 0, &c->vips[i], down, n_down, table))
			return 1;
		n++;
	}
	printf("parse %.1f build %.1f tables %zu\n", t1 - t0, mono_ms() - t1, n);
	return 0;
}

static int cmd_compare(int argc, char **argv, bool wait)
{
	const char *down_path = argc > 4 ? argv[4] : NULL;
	struct maps *m = calloc(1, sizeof(*m));
	double deadline = 0;
	struct xlb_conf *c;
	struct want *w;
	size_t i, n = 0, n_down, bad;
	char **down = NULL;
	__u32 *scratch;
	int rc;

	if (wait ? argc != 6 : argc < 4 || argc > 5)
		usage();
	if (!m || maps_open(argv[2], m))
		return 1;
	c = conf_load(argv[3]);
	if (down_read(down_path, &down, &n_down))
		return 1;
	backends_read(m);
	w = calloc(c->n_vips + 1, sizeof(*w));
	scratch = table_alloc(c);
	if (!w || !scratch)
		return 1;
	for (i = 0; i < c->n_vips; i++) {
		struct xlb_vip vip;

		if (c->vips[i].local)
			continue;
		w[n].c = &c->vips[i];
		vip_key(w[n].c, &w[n].key);
		w[n].table = malloc((size_t)w[n].c->ring_size * sizeof(__u32));
		if (!w[n].table)
			return 1;
		if (bpf_map_lookup_elem(m->vips, &w[n].key, &vip)) {
			char s[96];

			conf_vip_format(w[n].c, s, sizeof(s));
			fprintf(stderr, "dp_tables: vip %s: not in `vips`\n", s);
			return 1;
		}
		if (want_build(m, vip.id, w[n].c, down, n_down, w[n].table))
			return 1;
		n++;
	}
	if (wait) {
		printf("ready\n");
		fflush(stdout);
		deadline = mono_ms() + atof(argv[5]);
	}
	for (;;) {
		bad = n;
		for (i = 0; i < n; i++) {
			char s[96];

			rc = want_compare(m, &w[i], scratch, !wait);
			if (rc < 0) {
				fprintf(stderr, "dp_tables: reading the tables: %s\n", strerror(-rc));
				return 1;
			}
			if (rc)
				continue;
			if (bad == n)
				bad = i;
			if (!wait) {
				conf_vip_format(w[i].c, s, sizeof(s));
				printf("vip %s: table differs from a fresh build\n", s);
			}
		}
		if (bad == n) {
			if (wait)
				printf("done %.1f\n", mono_ms());
			else
				printf("ok %zu VIPs\n", n);
			return 0;
		}
		if (!wait)
			return 1;
		if (mono_ms() > deadline) {
			char s[96];

			conf_vip_format(w[bad].c, s, sizeof(s));
			fprintf(stderr, "dp_tables: timeout: vip %s still has another table\n", s);
			return 1;
		}
		usleep(5000);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "check"))
		return cmd_compare(argc, argv, false);
	if (!strcmp(argv[1], "wait"))
		return cmd_compare(argc, argv, true);
	if (!strcmp(argv[1], "build"))
		return cmd_build(argc, argv);
	usage();
	return 2;
}
