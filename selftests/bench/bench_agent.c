// SPDX-License-Identifier: GPL-2.0
/*
 * Agent benchmark (`make bench`): milliseconds for the two pieces of agent
 * work whose cost grows with the configuration, each next to a baseline
 * measured the same way in the same run.
 *
 * maglev.build.N: one maglev_build() (agent/maps/maglev.c) of N backends
 * with equal weights and distinct addresses. Baseline: a plain loop that
 * writes the same ids round-robin into a table of the same size, so the
 * ratio is what the Maglev permutations cost over touching every slot
 * once. The table has XLB_RING_DEFAULT (65537) slots unless the builder
 * refuses that size for N backends (maglev_size_ok: at least
 * MAGLEV_SLOTS_PER_BACKEND slots per backend); then the smallest prime
 * above that minimum, said in a comment line.
 *
 * reload.1000vips: a no-change reload, conf_parse_file() + xlbd_apply()
 * of the file already running, against the real balancer loaded (not
 * attached). Baseline: conf_parse_file() of the same file alone. 1000
 * VIPs with 10 backends each do not fit the datapath (XLB_MAX_VIPS
 * forwarding VIPs, XLB_MAX_BACKENDS - 1 backend ids) and the parser
 * refuses such a file whether a datapath runs or not, so the 1000 VIPs
 * are as many forwarding VIPs with 10 backends as the backend ids allow,
 * and local (host-mode) VIPs for the rest.
 *
 * metrics.scrape.1000vips: one page of the metrics endpoint,
 * xlbd_metrics_collect(), for the same 1000 VIPs (4090 backends) against
 * the real balancer's maps. Baseline: reading the counters that page
 * needs (the stats map, every forwarding VIP's and every backend's
 * per-CPU entry) and nothing else, so the ratio is what building the
 * text costs over the map reads it cannot avoid. Each page is checked to
 * hold one xlb_vip_info sample per VIP and one
 * xlb_backend_packets_total sample per backend.
 *
 * A benchmark of the wrong work is worthless: every Maglev table (and
 * every baseline table) is checked to hold only the given ids, each with
 * its equal share to within one slot; every reload must succeed, log that
 * it found nothing new, changed or removed, and — the target —
 * make no map write at all (xlb_dp_map_writes()). Any mismatch exits 1.
 *
 * Timing: CLOCK_MONOTONIC around each call, a few unmeasured runs first,
 * then the median of the measured runs; measured and baseline runs
 * alternate (which goes first alternates too). The process is pinned to
 * one CPU.
 *
 * Output: `#` comment lines, then one line per measurement:
 *	bench NAME VALUE ms baseline VALUE ratio R
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>

#include "core/xlbd.h"
#include "lib/log.h"
#include "maps/dataplane.h"
#include "maps/maglev.h"
#include "../lib/bench_util.h"

#define RUNS_DEFAULT	20	/* measured runs per benchmark */
#define WARMUP_DEFAULT	3	/* unmeasured runs before them */

#define MAGLEV_TARGET_N		100	/* the issue: 100 backends ... */
#define MAGLEV_TARGET_MS	5.0	/* ... in under 5 ms */

#define RELOAD_VIPS		1000
#define RELOAD_BE_PER_VIP	10
/* forwarding VIPs: as many as the backend ids allow at 10 backends each */
#define RELOAD_FWD_VIPS		((XLB_MAX_BACKENDS - 1) / RELOAD_BE_PER_VIP)
#define RELOAD_LOCAL_VIPS	(RELOAD_VIPS - RELOAD_FWD_VIPS)
#define RELOAD_PORTS_PER_ADDR	10	/* forwarding VIPs per address */
#define RELOAD_LOCAL_V4		155	/* local VIPs 203.0.113.100-254; the rest IPv6 */

_Static_assert(RELOAD_FWD_VIPS <= XLB_MAX_VIPS, "forwarding VIPs fit the datapath");
_Static_assert(RELOAD_FWD_VIPS / 2 / RELOAD_PORTS_PER_ADDR < 99,
	       "IPv4 forwarding VIPs stay below the local ones (203.0.113.100)");

static const size_t maglev_sizes[] = { 10, 100, 1000 };
#define N_MAGLEV (sizeof(maglev_sizes) / sizeof(maglev_sizes[0]))

struct bench {
	unsigned int runs;
	unsigned int warmup;
	const char *only;	/* run only names starting with this */
	double *t;		/* per-run times, ms */
	double *t_base;
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool selected(const struct bench *b, const char *name)
{
	return !b->only || !strncmp(name, b->only, strlen(b->only));
}

static void print_result(const char *name, double v, double base)
{
	printf("bench %s %.3f ms baseline %.4f ratio %.2f\n", name, v, base,
	       base > 0 ? v / base : 0.0);
	fflush(stdout);
}

/* --- maglev.build.N --- */

/* Backend k (id k + 1): 198.51.100.1-254 first, then 2001:db8::be:k. */
static void maglev_backends(struct maglev_backend *bes, size_t n)
{
	size_t k;

	memset(bes, 0, n * sizeof(*bes));
	for (k = 0; k < n; k++) {
		bes[k].id = k + 1;
		bes[k].weight = 1;
		if (k < 254) {
			bes[k].family = XLB_FAMILY_V4;
			bes[k].addr.v4 = htonl(0xc6336401 + k); /* 198.51.100.1 + k */
		} else {
			bes[k].family = XLB_FAMILY_V6;
			bes[k].addr.bytes[0] = 0x20;
			bes[k].addr.bytes[1] = 0x01;
			bes[k].addr.bytes[2] = 0x0d;
			bes[k].addr.bytes[3] = 0xb8;
			bes[k].addr.bytes[12] = 0x00;
			bes[k].addr.bytes[13] = 0xbe;
			bes[k].addr.bytes[14] = k >> 8;
			bes[k].addr.bytes[15] = k;
		}
	}
}

/* XLB_RING_DEFAULT, or the smallest prime the builder accepts for n. */
static __u32 maglev_table_size(size_t n)
{
	__u32 size = XLB_RING_DEFAULT;

	if (maglev_size_ok(size, n))
		return size;
	size = n * MAGLEV_SLOTS_PER_BACKEND;
	while (!maglev_is_prime(size) || !maglev_size_ok(size, n))
		size++;
	return size;
}

/* The baseline: every slot written once with the ids in turn. noinline
 * and the barrier keep the stores from being dropped or merged. */
static __attribute__((noinline)) void plain_fill(const struct maglev_backend *bes, size_t n,
						 __u32 *table, __u32 size)
{
	size_t j = 0;
	__u32 i;

	for (i = 0; i < size; i++) {
		table[i] = bes[j].id;
		if (++j == n)
			j = 0;
	}
	asm volatile("" : : "r"(table) : "memory");
}

/* Every slot holds one of ids 1..n and, with equal weights, every
 * backend has size/n slots, rounded down or up. */
static int maglev_check(const char *name, const char *what, const __u32 *table, __u32 size,
			size_t n, __u32 *count)
{
	__u32 i, lo = size / n, hi = lo + (size % n != 0);

	memset(count, 0, (n + 1) * sizeof(*count));
	for (i = 0; i < size; i++) {
		if (table[i] < 1 || table[i] > n) {
			fprintf(stderr, "%s: %s: slot %u holds %u, not a backend id\n", name, what,
				i, table[i]);
			return -EPROTO;
		}
		count[table[i]]++;
	}
	for (i = 1; i <= n; i++) {
		if (count[i] < lo || count[i] > hi) {
			fprintf(stderr, "%s: %s: backend %u has %u slots, want %u..%u\n", name,
				what, i, count[i], lo, hi);
			return -EPROTO;
		}
	}
	return 0;
}

/* One build and one plain fill, in the order given; times to *tb, *tf. */
static int maglev_pair(const char *name, const struct maglev_backend *bes, size_t n,
		       __u32 *table, __u32 size, __u32 *count, bool fill_first, double *tb,
		       double *tf)
{
	double t0;
	int err;

	if (fill_first) {
		t0 = now_ms();
		plain_fill(bes, n, table, size);
		*tf = now_ms() - t0;
		err = maglev_check(name, "plain fill", table, size, n, count);
		if (err)
			return err;
	}
	t0 = now_ms();
	err = maglev_build(bes, n, table, size);
	*tb = now_ms() - t0;
	if (err) {
		fprintf(stderr, "%s: maglev_build: %s\n", name, strerror(-err));
		return err;
	}
	err = maglev_check(name, "maglev_build", table, size, n, count);
	if (err || fill_first)
		return err;
	t0 = now_ms();
	plain_fill(bes, n, table, size);
	*tf = now_ms() - t0;
	return maglev_check(name, "plain fill", table, size, n, count);
}

static int bench_maglev(struct bench *b, size_t n, double *result)
{
	struct maglev_backend *bes = calloc(n, sizeof(*bes));
	__u32 size = maglev_table_size(n), *table, *count;
	double tb = 0, tf = 0;
	char name[32];
	unsigned int i;
	int err = 0;

	snprintf(name, sizeof(name), "maglev.build.%zu", n);
	table = calloc(size, sizeof(*table));
	count = calloc(n + 1, sizeof(*count));
	if (!bes || !table || !count) {
		err = -ENOMEM;
		goto out;
	}
	maglev_backends(bes, n);
	if (size != XLB_RING_DEFAULT)
		printf("# %s: table of %u slots, not %u: maglev_size_ok(%u, %zu) is false (at "
		       "least %d slots per backend), so the smallest prime >= %zu\n",
		       name, size, XLB_RING_DEFAULT, XLB_RING_DEFAULT, n,
		       MAGLEV_SLOTS_PER_BACKEND, n * MAGLEV_SLOTS_PER_BACKEND);
	for (i = 0; i < b->warmup + b->runs; i++) {
		err = maglev_pair(name, bes, n, table, size, count, i & 1, &tb, &tf);
		if (err)
			goto out;
		if (i >= b->warmup) {
			b->t[i - b->warmup] = tb;
			b->t_base[i - b->warmup] = tf;
		}
	}
	*result = bench_median(b->t, b->runs);
	print_result(name, *result, bench_median(b->t_base, b->runs));
out:
	free(bes);
	free(table);
	free(count);
	return err;
}

/* --- reload.1000vips --- */

/*
 * The config: forwarding VIPs half IPv4 (203.0.113.1-), half IPv6
 * (2001:db8:ffff::1-), RELOAD_PORTS_PER_ADDR ports per address, TCP and
 * UDP in turn, each with RELOAD_BE_PER_VIP backends from 198.51.100.0/24
 * (shared between VIPs, as real servers serve several) or 2001:db8:be::/96;
 * then local VIPs, each on its own address, with a TCP check.
 */
static char *reload_conf_text(size_t *len)
{
	const size_t half = RELOAD_FWD_VIPS / 2;
	char *buf = NULL;
	size_t v, k;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fprintf(f, "# bench_agent: %d forwarding VIPs x %d backends, %d local VIPs\n"
		   "router-id 192.0.2.10\nlocal-as 65010\n"
		   "allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }\n"
		   "encap-source 192.0.2.10 2001:db8::10\n"
		   "xdp interface lo\n"
		   "state-file /nonexistent/xlb-bench-state\n",
		RELOAD_FWD_VIPS, RELOAD_BE_PER_VIP, RELOAD_LOCAL_VIPS);
	for (v = 0; v < RELOAD_FWD_VIPS; v++) {
		bool v6 = v >= half;
		size_t i = v6 ? v - half : v;
		size_t addr = 1 + i / RELOAD_PORTS_PER_ADDR;
		const char *proto = i % 2 ? "udp" : "tcp";
		unsigned int port = 8000 + i % RELOAD_PORTS_PER_ADDR;

		if (v6)
			fprintf(f, "vip 2001:db8:ffff::%zx %s %u {\n", addr, proto, port);
		else
			fprintf(f, "vip 203.0.113.%zu %s %u {\n", addr, proto, port);
		for (k = 0; k < RELOAD_BE_PER_VIP; k++) {
			size_t be = v * RELOAD_BE_PER_VIP + k;

			if (v6)
				fprintf(f, "\tbackend 2001:db8:be::%zx\n", be + 1);
			else
				fprintf(f, "\tbackend 198.51.100.%zu\n", 1 + be % 250);
		}
		fprintf(f, "}\n");
	}
	for (v = 0; v < RELOAD_LOCAL_VIPS; v++) {
		if (v < RELOAD_LOCAL_V4)
			fprintf(f, "vip 203.0.113.%zu local { health tcp port 80 }\n", 100 + v);
		else
			fprintf(f, "vip 2001:db8:ffff:1::%zx local { health tcp port 80 }\n",
				v - RELOAD_LOCAL_V4 + 1);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int reload_conf_write(char *path, size_t *len)
{
	char *text = reload_conf_text(len);
	ssize_t n;
	int fd;

	if (!text)
		return -ENOMEM;
	fd = mkstemp(path);
	if (fd < 0) {
		free(text);
		return -errno;
	}
	n = write(fd, text, *len);
	free(text);
	if (close(fd) || n != (ssize_t)*len) {
		unlink(path);
		return -EIO;
	}
	return 0;
}

/* What xlbd_reload() does short of saving the state file. */
static int reload_once(struct xlbd *d, const char *path, char *err, size_t errlen)
{
	struct xlb_conf *conf;
	int rc;

	rc = conf_parse_file(path, &conf, err, errlen);
	if (rc)
		return rc;
	rc = xlbd_apply(d, conf, err, errlen);
	if (rc && d->conf != conf)
		conf_free(conf);
	return rc;
}

static int parse_once(const char *path, char *err, size_t errlen)
{
	struct xlb_conf *conf;
	int rc;

	rc = conf_parse_file(path, &conf, err, errlen);
	if (!rc)
		conf_free(conf);
	return rc;
}

static int count_vip_cb(const struct xlb_vip_key *key, const struct xlb_vip *vip, void *arg)
{
	(void)key;
	(void)vip;
	(*(size_t *)arg)++;
	return 0;
}

/*
 * xlbd_apply logs one line per apply to stderr. The benchmark keeps them
 * (and anything else written there meanwhile) in a file and checks them:
 * the first apply found every VIP new, every reload after it nothing.
 */
struct log_capture {
	FILE *file;
	int saved_fd;		/* the real stderr while capturing; -1 = not */
};

static int log_capture_start(struct log_capture *lc)
{
	fflush(stderr);
	lc->file = tmpfile();
	lc->saved_fd = lc->file ? dup(STDERR_FILENO) : -1;
	if (lc->saved_fd < 0 || dup2(fileno(lc->file), STDERR_FILENO) < 0) {
		int err = -errno;

		if (lc->saved_fd >= 0)
			close(lc->saved_fd);
		lc->saved_fd = -1;
		return err;
	}
	return 0;
}

static void log_capture_stop(struct log_capture *lc)
{
	if (lc->saved_fd < 0)
		return;
	fflush(stderr);
	dup2(lc->saved_fd, STDERR_FILENO);
	close(lc->saved_fd);
	lc->saved_fd = -1;
}

/* Line i of the log (0 = the first apply) says it found `news` new VIPs
 * and nothing else; anything else there is shown. */
static int log_check(struct log_capture *lc, unsigned int applies)
{
	char line[1024], want[96];
	unsigned int n = 0, bad = 0;

	rewind(lc->file);
	while (fgets(line, sizeof(line), lc->file)) {
		size_t l = strlen(line), w;

		snprintf(want, sizeof(want), ": %d VIPs (%d new, 0 changed, 0 removed)\n",
			 RELOAD_VIPS, n ? 0 : RELOAD_VIPS);
		w = strlen(want);
		if (n < applies && !strncmp(line, "info: config ", 13) && l > w &&
		    !strcmp(line + l - w, want)) {
			n++;
			continue;
		}
		if (!bad++)
			fprintf(stderr, "reload.1000vips: unexpected log line%s:\n",
				n ? " after a reload" : "");
		fprintf(stderr, "  %s", line);
	}
	if (bad || n != applies) {
		fprintf(stderr, "reload.1000vips: %u of %u applies logged as expected (the first "
				"%d new VIPs, every reload 0 new, 0 changed, 0 removed)\n", n,
			applies, RELOAD_VIPS);
		return -EPROTO;
	}
	return 0;
}

static int bench_reload(struct bench *b)
{
	struct xlb_dp_opts opts = { .flow_entries = 1024, .mode = XLB_DP_MODE_NONE };
	char path[] = "/tmp/xlb-bench-agent-XXXXXX", err[CONF_ERR_MAX] = "";
	struct log_capture lc = { .saved_fd = -1 };
	unsigned int i, reloads = 0;
	struct xlbd *d = NULL;
	size_t len, n_dp_vips = 0;
	__u64 writes_first, writes;
	double t0, t_first, vr, vp;
	int rc;

	rc = reload_conf_write(path, &len);
	if (rc) {
		fprintf(stderr, "reload.1000vips: writing the config: %s\n", strerror(-rc));
		return rc;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		rc = -ENOMEM;
		goto out;
	}
	d->conf_path = path;
	rc = xlb_dp_open(&opts, &d->dp);
	if (rc) {
		fprintf(stderr, "reload.1000vips: loading the balancer: %s\n", strerror(-rc));
		goto out;
	}
	rc = log_capture_start(&lc);
	if (rc) {
		fprintf(stderr, "reload.1000vips: capturing the log: %s\n", strerror(-rc));
		goto out;
	}

	/* the first apply programs every forwarding VIP: setup, not measured */
	writes = xlb_dp_map_writes();
	t0 = now_ms();
	rc = reload_once(d, path, err, sizeof(err));
	t_first = now_ms() - t0;
	writes_first = xlb_dp_map_writes() - writes;
	if (!rc)
		rc = xlb_dp_vip_foreach(d->dp, count_vip_cb, &n_dp_vips);
	if (rc) {
		log_capture_stop(&lc);
		log_check(&lc, 1);
		fprintf(stderr, "reload.1000vips: first apply: %s\n", err[0] ? err : strerror(-rc));
		goto out;
	}

	writes = xlb_dp_map_writes();
	for (i = 0; i < b->warmup + b->runs; i++) {
		double tr = 0, tp = 0;
		int pass;

		for (pass = 0; pass < 2; pass++) {
			bool do_reload = (pass == 0) == !(i & 1);

			t0 = now_ms();
			rc = do_reload ? reload_once(d, path, err, sizeof(err)) :
					 parse_once(path, err, sizeof(err));
			*(do_reload ? &tr : &tp) = now_ms() - t0;
			if (rc)
				break;
			reloads += do_reload;
		}
		if (rc)
			break;
		if (i >= b->warmup) {
			b->t[i - b->warmup] = tr;
			b->t_base[i - b->warmup] = tp;
		}
	}
	writes = xlb_dp_map_writes() - writes;
	log_capture_stop(&lc);
	if (rc) {
		fprintf(stderr, "reload.1000vips: reload: %s\n", err[0] ? err : strerror(-rc));
		goto out;
	}
	rc = log_check(&lc, 1 + reloads);
	if (rc)
		goto out;
	if (d->n_vips != RELOAD_VIPS || n_dp_vips != RELOAD_FWD_VIPS) {
		fprintf(stderr, "reload.1000vips: %zu VIPs running, %zu in the datapath; want %d "
				"and %d\n", d->n_vips, n_dp_vips, RELOAD_VIPS, RELOAD_FWD_VIPS);
		rc = -EPROTO;
		goto out;
	}

	printf("# reload.1000vips: %d VIPs x %d backends do not fit the datapath (at most %d "
	       "forwarding VIPs and %d backend ids; the parser refuses such a file, with or "
	       "without a datapath)\n", RELOAD_VIPS, RELOAD_BE_PER_VIP, XLB_MAX_VIPS,
	       XLB_MAX_BACKENDS - 1);
	printf("# reload.1000vips: so %d VIPs = %d forwarding VIPs x %d backends (%d backend "
	       "ids, the most that fit at %d per VIP) + %d local (host-mode) VIPs; generated "
	       "file of %zu bytes\n", RELOAD_VIPS, RELOAD_FWD_VIPS, RELOAD_BE_PER_VIP,
	       RELOAD_FWD_VIPS * RELOAD_BE_PER_VIP, RELOAD_BE_PER_VIP, RELOAD_LOCAL_VIPS, len);
	printf("# reload.1000vips: real balancer loaded (mode none, not attached); the first "
	       "apply made %llu map writes (%d tables of %d slots) in %.0f ms, not measured\n",
	       (unsigned long long)writes_first, RELOAD_FWD_VIPS, XLB_RING_DEFAULT, t_first);
	printf("# reload.1000vips: value = conf_parse_file + xlbd_apply of the unchanged file "
	       "(no state-file save); baseline = conf_parse_file of it alone\n");
	printf("# reload.1000vips: %u no-change reloads made %llu map writes "
	       "(xlb_dp_map_writes) and each logged 0 new, 0 changed, 0 removed\n", reloads,
	       (unsigned long long)writes);
	vr = bench_median(b->t, b->runs);
	vp = bench_median(b->t_base, b->runs);
	print_result("reload.1000vips", vr, vp);
	printf("# target: a no-change reload of %d VIPs touches no map: %s\n", RELOAD_VIPS,
	       writes ? "NOT met" : "met");
	fflush(stdout);
	if (writes) {
		fprintf(stderr, "reload.1000vips: no-change reloads wrote maps (%llu writes in %u "
				"reloads)\n", (unsigned long long)writes, reloads);
		rc = -EPROTO;
	}
out:
	log_capture_stop(&lc);
	if (lc.file)
		fclose(lc.file);
	if (d) {
		xlbd_release(d, false);
		xlb_dp_close(d->dp);
		free(d);
	}
	unlink(path);
	return rc;
}

/* --- metrics.scrape.1000vips --- */

static size_t count_lines(const char *page, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p = page;

	while (p && *p) {
		n += !strncmp(p, prefix, len);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return n;
}

/* The map reads a page needs, alone. */
static int counters_read(struct xlbd *d)
{
	__u64 st[XLB_STAT_MAX];
	struct xlb_traffic t;
	size_t i, k;
	int rc = xlb_dp_stats_read(d->dp, st);

	for (i = 0; i < d->n_vips && !rc; i++) {
		if (d->vips[i].has_id)
			rc = xlb_dp_vip_stats_read(d->dp, d->vips[i].id, &t);
		for (k = 0; k < d->vips[i].n_backends && !rc; k++)
			rc = xlb_dp_be_stats_read(d->dp, d->vips[i].backends[k].id, &t);
	}
	return rc;
}

static int bench_scrape(struct bench *b)
{
	struct xlb_dp_opts opts = { .flow_entries = 1024, .mode = XLB_DP_MODE_NONE };
	char path[] = "/tmp/xlb-bench-agent-XXXXXX", err[CONF_ERR_MAX] = "";
	struct log_capture lc = { .saved_fd = -1 };
	struct xlbd *d = NULL;
	struct buf page;
	size_t len, bytes = 0;
	unsigned int i;
	double t0;
	int rc;

	buf_init(&page, 0);
	rc = reload_conf_write(path, &len);
	if (rc) {
		fprintf(stderr, "metrics.scrape: writing the config: %s\n", strerror(-rc));
		return rc;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		rc = -ENOMEM;
		goto out;
	}
	d->conf_path = path;
	rc = xlb_dp_open(&opts, &d->dp);
	if (rc) {
		fprintf(stderr, "metrics.scrape: loading the balancer: %s\n", strerror(-rc));
		goto out;
	}
	/* the apply's log line is not for the benchmark's output */
	rc = log_capture_start(&lc);
	if (!rc)
		rc = reload_once(d, path, err, sizeof(err));
	log_capture_stop(&lc);
	if (rc) {
		fprintf(stderr, "metrics.scrape: apply: %s\n", err[0] ? err : strerror(-rc));
		goto out;
	}
	/* the announce decision reads the loop's clock; made after the
	 * apply, so no health check starts */
	rc = evloop_new(&d->el);
	if (rc)
		goto out;
	for (i = 0; i < b->warmup + b->runs; i++) {
		double tc = 0, tb = 0;
		int pass;

		for (pass = 0; pass < 2 && !rc; pass++) {
			bool collect = (pass == 0) == !(i & 1);

			buf_reset(&page);
			t0 = now_ms();
			rc = collect ? xlbd_metrics_collect(d, &page) : counters_read(d);
			*(collect ? &tc : &tb) = now_ms() - t0;
			if (!rc && collect) {
				size_t vips = count_lines(buf_str(&page), "xlb_vip_info{");
				size_t bes = count_lines(buf_str(&page), "xlb_backend_packets_total{");

				if (vips != RELOAD_VIPS ||
				    bes != RELOAD_FWD_VIPS * RELOAD_BE_PER_VIP) {
					fprintf(stderr, "metrics.scrape: the page has %zu VIPs and "
							"%zu backends; want %d and %d\n", vips, bes,
						RELOAD_VIPS, RELOAD_FWD_VIPS * RELOAD_BE_PER_VIP);
					rc = -EPROTO;
				}
				bytes = page.len;
			}
		}
		if (rc) {
			if (rc != -EPROTO)
				fprintf(stderr, "metrics.scrape: %s\n", strerror(-rc));
			goto out;
		}
		if (i >= b->warmup) {
			b->t[i - b->warmup] = tc;
			b->t_base[i - b->warmup] = tb;
		}
	}
	printf("# metrics.scrape.1000vips: xlbd_metrics_collect() of %d VIPs (%d forwarding, "
	       "%d backends) against the loaded balancer's maps, a page of %zu bytes; "
	       "baseline = the per-CPU counter reads that page needs, alone\n", RELOAD_VIPS,
	       RELOAD_FWD_VIPS, RELOAD_FWD_VIPS * RELOAD_BE_PER_VIP, bytes);
	print_result("metrics.scrape.1000vips", bench_median(b->t, b->runs), bench_median(b->t_base, b->runs));
out:
	if (lc.file)
		fclose(lc.file);
	if (d) {
		xlbd_release(d, false);
		xlb_dp_close(d->dp);
		evloop_free(d->el);
		free(d);
	}
	buf_free(&page);
	unlink(path);
	return rc;
}

/* --- main --- */

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-n RUNS] [-w WARMUP] [-c CPU] [-t NAME]\n"
		"  -n RUNS    measured runs per benchmark (default %d)\n"
		"  -w WARMUP  unmeasured runs before them (default %d)\n"
		"  -c CPU     pin to this CPU (default: the last one allowed)\n"
		"  -t NAME    run only the benchmarks whose name starts with NAME\n"
		"             (maglev, maglev.build.100, reload, ...)\n",
		prog, RUNS_DEFAULT, WARMUP_DEFAULT);
}

int main(int argc, char **argv)
{
	struct bench b = { .runs = RUNS_DEFAULT, .warmup = WARMUP_DEFAULT };
	long runs = RUNS_DEFAULT, warmup = WARMUP_DEFAULT;
	double target_ms = -1;
	int opt, cpu = -1, err = 0;
	bool any_maglev = false;
	char name[32];
	size_t i;

	while ((opt = getopt(argc, argv, "n:w:c:t:h")) != -1) {
		switch (opt) {
		case 'n':
			runs = strtol(optarg, NULL, 10);
			break;
		case 'w':
			warmup = strtol(optarg, NULL, 10);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 't':
			b.only = optarg;
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (runs < 1 || runs > 100000 || warmup < 0 || warmup > 100000 || optind < argc) {
		usage(argv[0]);
		return 2;
	}
	b.runs = runs;
	b.warmup = warmup;
	libbpf_set_print(libbpf_print);
	log_init("bench_agent", true, false);

	cpu = bench_pin_cpu(cpu);
	if (cpu < 0) {
		fprintf(stderr, "bench_agent: pinning to a CPU: %s\n", strerror(-cpu));
		return 1;
	}
	b.t = calloc(b.runs, sizeof(*b.t));
	b.t_base = calloc(b.runs, sizeof(*b.t_base));
	if (!b.t || !b.t_base) {
		err = -ENOMEM;
		goto out;
	}

	printf("# method: CLOCK_MONOTONIC around each call, median of %u runs after %u "
	       "warm-up runs, measured and baseline runs alternating; pinned to CPU %d\n",
	       b.runs, b.warmup, cpu);
	for (i = 0; i < N_MAGLEV; i++) {
		snprintf(name, sizeof(name), "maglev.build.%zu", maglev_sizes[i]);
		any_maglev |= selected(&b, name);
	}
	if (any_maglev) {
		printf("# maglev.build.N: maglev_build() of one table, N backends, equal weights, "
		       "distinct addresses (198.51.100.1-254, then 2001:db8::be:0-); table "
		       "%d slots\n", XLB_RING_DEFAULT);
		printf("# maglev baseline = a plain loop writing the same ids round-robin into a "
		       "table of the same size; every table checked (only those ids, equal "
		       "shares within one slot)\n");
		fflush(stdout);
	}
	for (i = 0; i < N_MAGLEV; i++) {
		double v;

		snprintf(name, sizeof(name), "maglev.build.%zu", maglev_sizes[i]);
		if (!selected(&b, name))
			continue;
		err = bench_maglev(&b, maglev_sizes[i], &v);
		if (err)
			goto out;
		if (maglev_sizes[i] == MAGLEV_TARGET_N)
			target_ms = v;
	}
	if (target_ms >= 0)
		printf("# target: maglev.build.%d under %.0f ms: %s (%.3f ms)\n", MAGLEV_TARGET_N,
		       MAGLEV_TARGET_MS, target_ms < MAGLEV_TARGET_MS ? "met" : "NOT met",
		       target_ms);
	fflush(stdout);
	if (selected(&b, "reload.1000vips"))
		err = bench_reload(&b);
	if (!err && selected(&b, "metrics.scrape.1000vips"))
		err = bench_scrape(&b);
out:
	free(b.t);
	free(b.t_base);
	if (err)
		fprintf(stderr, "bench_agent: FAILED\n");
	return err ? 1 : 0;
}
