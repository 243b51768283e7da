// SPDX-License-Identifier: GPL-2.0
/*
 * Second chance in xlbd (agent/core/second_chance.c) against the real
 * datapath maps (the balancer loaded, not attached): which table is a
 * VIP's previous one after a change, a burst of changes, a change after
 * the settle time; its owners in the high half of the slots written;
 * retired when its keep is over; none without second chance or across a
 * ring-size change; and kept in the state file, so a restarted xlbd (with
 * maps of its own: no flow table) uses it, with or without a config
 * change while it was down; a restart over its own maps reads the table in
 * place only when its previous owners are the ones it would write. The
 * expected owners come from maglev_build on the backends' addresses,
 * independently of the agent's code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "../lib/test.h"
#include "core/xlbd.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "maps/dataplane.h"
#include "maps/fingerprint.h"
#include "maps/maglev.h"

#define RING	1009
#define VIP_SC	"203.0.113.1:80/tcp"
#define VIP_OFF	"203.0.113.2:80/tcp"

/* Both VIPs with backends .1-.3 and `more` after them (".4 weight 200"). */
static void conf_text(char *buf, size_t len, const char *state, const char *more, __u32 ring)
{
	snprintf(buf, len,
		 "router-id 192.0.2.10\nlocal-as 65010\n"
		 "allowed-prefixes { 203.0.113.0/24 max 32 }\n"
		 "encap-source 192.0.2.10\nxdp interface lo\nstate-file %s\n"
		 "vip 203.0.113.1 tcp 80 { encap gue; second-chance on keep 10m; ring-size %u\n"
		 "  backend 198.51.100.1; backend 198.51.100.2; backend 198.51.100.3 %s }\n"
		 "vip 203.0.113.2 tcp 80 { encap gue; second-chance off; ring-size %u\n"
		 "  backend 198.51.100.1; backend 198.51.100.2; backend 198.51.100.3 %s }\n",
		 state, ring, more, ring, more);
}

static bool apply(struct xlbd *d, const char *text)
{
	char err[CONF_ERR_MAX] = "";
	struct xlb_conf *c = NULL;

	if (!ASSERT_OK(conf_parse_string("test.conf", text, &c, err, sizeof(err)), err))
		return false;
	if (!ASSERT_OK(xlbd_apply(d, c, err, sizeof(err)), err)) {
		if (d->conf != c)
			conf_free(c);
		return false;
	}
	return true;
}

/* The VIP's table as the datapath reads it. */
static bool words(struct xlbd *d, const char *spec, __u32 *w, __u32 n)
{
	struct rt_vip *v = rt_vip_find(d, spec);
	struct xlb_vip_key key;
	struct xlb_vip vip;
	__u32 inner, base, i;
	int fd;

	if (!ASSERT_TRUE(v != NULL, spec))
		return false;
	xlbd_vip_key(v->conf, &key);
	if (!ASSERT_OK(bpf_map_lookup_elem(xlb_dp_map_fd(d->dp, "vips"), &key, &vip) ? -errno : 0,
		       "vip entry") ||
	    !ASSERT_EQ(vip.ring_size, n, "table size") ||
	    !ASSERT_OK(bpf_map_lookup_elem(xlb_dp_map_fd(d->dp, "rings"), &vip.ring_id, &inner) ?
			       -errno : 0, "rings"))
		return false;
	fd = bpf_map_get_fd_by_id(inner);
	if (!ASSERT_GE(fd, 0, "the table by id"))
		return false;
	/* the map holds two tables of the size: the entry names the active one */
	base = vip.flags & XLB_VIP_F_RING_HI ? n : 0;
	for (i = 0; i < n; i++) {
		__u32 at = base + i;

		if (!ASSERT_OK(bpf_map_lookup_elem(fd, &at, &w[i]) ? -errno : 0, "table slot"))
			break;
	}
	close(fd);
	return i == n;
}

/* The table of backends "198.51.100.N" (weights) with the ids d's model
 * gives them in VIP `spec` (0 for one it does not have), built here. */
static bool expect(struct xlbd *d, const char *spec, const int *be, const __u32 *wt, size_t n,
		   __u32 *table, __u32 size)
{
	struct rt_vip *v = rt_vip_find(d, spec);
	struct maglev_backend mb[8] = {};
	char a[32];
	size_t i;
	__u32 s;

	for (i = 0; i < n; i++) {
		struct rt_backend *b;

		snprintf(a, sizeof(a), "198.51.100.%d", be[i]);
		b = v ? rt_backend_find(v, a) : NULL;
		mb[i].id = b ? b->id : 100 + i;
		mb[i].weight = wt[i];
		mb[i].family = XLB_FAMILY_V4;
		inet_pton(AF_INET, a, &mb[i].addr.v4);
	}
	if (!ASSERT_OK(maglev_build(mb, n, table, size), "maglev_build"))
		return false;
	for (s = 0; s < size; s++)
		if (table[s] >= 100)
			table[s] = 0;
	return true;
}

/* w holds cur in its low halves and prev where it differs in the high
 * halves; returns the number of slots with a previous owner. */
static size_t check_words(const __u32 *w, const __u32 *cur, const __u32 *prev, __u32 size)
{
	size_t moved = 0;
	__u32 s;

	for (s = 0; s < size; s++) {
		__u32 want_prev = prev && prev[s] != cur[s] ? prev[s] : 0;

		if (!ASSERT_EQ(XLB_SLOT_BE(w[s]), cur[s], "slot: the current owner") ||
		    !ASSERT_EQ(XLB_SLOT_PREV(w[s]), want_prev, "slot: the previous owner"))
			break;
		moved += want_prev != 0;
	}
	return moved;
}

static const int be3[] = { 1, 2, 3 }, be4[] = { 1, 2, 3, 4 }, be5[] = { 1, 2, 3, 4, 5 };
static const __u32 w1[] = { 100, 100, 100, 100, 100 }, w4heavy[] = { 100, 100, 100, 200 };

void test_xlbd_second_chance(void)
{
	static __u32 w[RING], t3[RING], t4[RING], t4h[RING], t5[RING];
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	char conf[2048], state[] = "/tmp/xlb-test-sc-XXXXXX", tmp[64], err[CONF_ERR_MAX] = "";
	struct xlbd d = {}, d2 = {};
	struct xlb_conf *c = NULL;
	struct rt_vip *v;
	int fd;

	fd = mkstemp(state);
	if (!ASSERT_GE(fd, 0, "mkstemp"))
		return;
	close(fd);
	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		goto out_file;

	test_ctx("first table: no previous one");
	conf_text(conf, sizeof(conf), state, "", RING);
	if (!apply(&d, conf) || !words(&d, VIP_SC, w, RING) ||
	    !expect(&d, VIP_SC, be3, w1, 3, t3, RING))
		goto out;
	ASSERT_EQ(check_words(w, t3, NULL, RING), 0, "no previous owners");

	test_ctx("3 -> 4: the previous owners of the moved slots");
	conf_text(conf, sizeof(conf), state, "; backend 198.51.100.4", RING);
	if (!apply(&d, conf) || !words(&d, VIP_SC, w, RING) ||
	    !expect(&d, VIP_SC, be4, w1, 4, t4, RING))
		goto out;
	ASSERT_GT(check_words(w, t4, t3, RING), RING / 8, "about a quarter of the slots moved");
	v = rt_vip_find(&d, VIP_SC);
	ASSERT_EQ(v->sc.prev_slots, check_words(w, t4, t3, RING), "the model counts them");
	{
		/* the fleet compares tables by fingerprint: the previous
		 * owners are this node's history, not its table */
		struct maglev_backend mb[8];
		uint64_t fp = 0;

		rt_vip_maglev_input(v, mb);
		ASSERT_OK(maglev_fingerprint(t4, RING, mb, v->n_backends, &fp), "fingerprint");
		ASSERT_EQ(v->fingerprint, fp, "the fingerprint is the current table's");
	}
	if (!words(&d, VIP_OFF, w, RING) || !expect(&d, VIP_OFF, be4, w1, 4, t5, RING))
		goto out;
	ASSERT_EQ(check_words(w, t5, NULL, RING), 0, "second-chance off: none");

	test_ctx("a burst: .4 at 200 at once after: the 3-table stays the previous one");
	conf_text(conf, sizeof(conf), state, "; backend 198.51.100.4 weight 200", RING);
	if (!apply(&d, conf) || !words(&d, VIP_SC, w, RING) ||
	    !expect(&d, VIP_SC, be4, w4heavy, 4, t4h, RING))
		goto out;
	ASSERT_GT(check_words(w, t4h, t3, RING), 0, "previous owners from the 3-table");

	test_ctx("settled: .4 back to 100, the 200-table becomes the previous one");
	v = rt_vip_find(&d, VIP_SC);
	v->sc.cur_since -= XLBD_SC_SETTLE_MS + 1000;
	conf_text(conf, sizeof(conf), state, "; backend 198.51.100.4", RING);
	if (!apply(&d, conf) || !words(&d, VIP_SC, w, RING))
		goto out;
	ASSERT_GT(check_words(w, t4, t4h, RING), 0, "previous owners from the 200-table");
	v = rt_vip_find(&d, VIP_SC);
	ASSERT_GE(v->sc.prev_until, clock_wall_ms() + 9 * 60 * 1000, "kept 10 minutes");
	/* what the state file gets: settled, for the restarts below */
	v->sc.cur_since -= XLBD_SC_SETTLE_MS + 1000;
	if (!ASSERT_OK(xlbd_state_save(&d), "state save"))
		goto out;

	test_ctx("restart, maps of its own, same config: the same previous table");
	if (!ASSERT_OK(xlb_dp_open(&opts, &d2.dp), "xlb_dp_open"))
		goto out;
	if (!ASSERT_OK(conf_parse_string("test.conf", conf, &c, err, sizeof(err)), err))
		goto out;
	fd = xlbd_apply_start(&d2, c, err, sizeof(err));
	if (d2.conf == c)
		c = NULL;
	if (!ASSERT_OK(fd, err) || !words(&d2, VIP_SC, w, RING) ||
	    !expect(&d2, VIP_SC, be4, w1, 4, t4, RING) ||
	    !expect(&d2, VIP_SC, be4, w4heavy, 4, t4h, RING))
		goto out;
	ASSERT_GT(check_words(w, t4, t4h, RING), 0, "previous owners from the state file");
	xlbd_release(&d2, true);
	xlb_dp_close(d2.dp);
	memset(&d2, 0, sizeof(d2));

	test_ctx("restart with a backend added while down: the table it had is the previous one");
	conf_text(conf, sizeof(conf), state, "; backend 198.51.100.4; backend 198.51.100.5", RING);
	if (!ASSERT_OK(xlb_dp_open(&opts, &d2.dp), "xlb_dp_open") ||
	    !ASSERT_OK(conf_parse_string("test.conf", conf, &c, err, sizeof(err)), err))
		goto out;
	fd = xlbd_apply_start(&d2, c, err, sizeof(err));
	if (d2.conf == c)
		c = NULL;
	if (!ASSERT_OK(fd, err) || !words(&d2, VIP_SC, w, RING) ||
	    !expect(&d2, VIP_SC, be5, w1, 5, t5, RING) ||
	    !expect(&d2, VIP_SC, be4, w1, 4, t4, RING))
		goto out;
	ASSERT_GT(check_words(w, t5, t4, RING), 0, "previous owners: the 4-table");

	test_ctx("keep over: retired");
	v = rt_vip_find(&d2, VIP_SC);
	v->sc.prev_until = clock_wall_ms() - 1;
	xlbd_tables_sc_expire(&d2);
	if (!words(&d2, VIP_SC, w, RING))
		goto out;
	ASSERT_EQ(check_words(w, t5, NULL, RING), 0, "no previous owners");
	ASSERT_EQ(v->sc.prev.size, 0, "none in the model");

	test_ctx("ring-size change: no previous table");
	v->sc.cur_since -= XLBD_SC_SETTLE_MS + 1000;
	conf_text(conf, sizeof(conf), state, "", 1013);
	{
		static __u32 wb[1013], t3b[1013];

		if (apply(&d2, conf) && words(&d2, VIP_SC, wb, 1013) &&
		    expect(&d2, VIP_SC, be3, w1, 3, t3b, 1013))
			ASSERT_EQ(check_words(wb, t3b, NULL, 1013), 0, "no previous owners");
	}
out:
	test_ctx(NULL);
	conf_free(c);
	if (d2.dp) {
		xlbd_release(&d2, true);
		xlb_dp_close(d2.dp);
	}
	xlbd_release(&d, true);
	xlb_dp_close(d.dp);
out_file:
	unlink(state);
	snprintf(tmp, sizeof(tmp), "%s.tmp", state);
	unlink(tmp);
}

/* A restart over the tables in place (xlbd taking over its own pinned
 * maps): the fingerprint kept with a table covers its previous owners, so
 * with the same previous table nothing is built or written and the owners
 * stay; with the previous table retired while xlbd was down, that VIP's
 * table alone is written again, without them. */
void test_xlbd_second_chance_restart_in_place(void)
{
	static __u32 w[RING], w2[RING], t4[RING];
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	char conf[2048], state[] = "/tmp/xlb-test-sc-XXXXXX", tmp[64], err[CONF_ERR_MAX] = "";
	struct xlbd d = {}, d2 = {};
	struct xlb_conf *c = NULL;
	struct rt_vip *v;
	size_t moved;
	__u64 writes;
	int fd;

	fd = mkstemp(state);
	if (!ASSERT_GE(fd, 0, "mkstemp"))
		return;
	close(fd);
	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		goto out_file;
	conf_text(conf, sizeof(conf), state, "", RING);
	if (!apply(&d, conf))
		goto out;
	conf_text(conf, sizeof(conf), state, "; backend 198.51.100.4", RING);
	if (!apply(&d, conf) || !words(&d, VIP_SC, w, RING) ||
	    !expect(&d, VIP_SC, be4, w1, 4, t4, RING))
		goto out;
	v = rt_vip_find(&d, VIP_SC);
	moved = v->sc.prev_slots;
	ASSERT_GT(moved, 0, "previous owners written");
	if (!ASSERT_OK(xlbd_state_save(&d), "state save"))
		goto out;

	test_ctx("same config, same previous table: nothing written");
	d2.dp = d.dp;
	if (!ASSERT_OK(conf_parse_string("test.conf", conf, &c, err, sizeof(err)), err) ||
	    !ASSERT_OK(xlbd_adopt(&d2), "adopt"))
		goto out;
	writes = xlb_dp_map_writes();
	fd = xlbd_apply_start(&d2, c, err, sizeof(err));
	if (d2.conf == c)
		c = NULL;
	if (!ASSERT_OK(fd, err))
		goto out;
	ASSERT_EQ(xlb_dp_map_writes(), writes, "no map write");
	ASSERT_EQ(d2.tables_written, (__u64)0, "no table written");
	v = rt_vip_find(&d2, VIP_SC);
	ASSERT_EQ(v->sc.prev_slots, moved, "the count read from the owners in place");
	if (words(&d2, VIP_SC, w2, RING))
		ASSERT_EQ(memcmp(w, w2, sizeof(w)), 0, "the table with its previous owners stays");
	xlbd_release(&d2, false);
	memset(&d2, 0, sizeof(d2));

	test_ctx("previous table retired while down: its VIP's table written without it");
	v = rt_vip_find(&d, VIP_SC);
	v->sc.prev_until = clock_wall_ms() - 1;
	if (!ASSERT_OK(xlbd_state_save(&d), "state save"))
		goto out;
	d2.dp = d.dp;
	if (!ASSERT_OK(conf_parse_string("test.conf", conf, &c, err, sizeof(err)), err) ||
	    !ASSERT_OK(xlbd_adopt(&d2), "adopt"))
		goto out;
	fd = xlbd_apply_start(&d2, c, err, sizeof(err));
	if (d2.conf == c)
		c = NULL;
	if (!ASSERT_OK(fd, err))
		goto out;
	ASSERT_EQ(d2.tables_written, (__u64)1, "that table alone");
	if (words(&d2, VIP_SC, w2, RING))
		ASSERT_EQ(check_words(w2, t4, NULL, RING), 0, "no previous owners");
out:
	test_ctx(NULL);
	conf_free(c);
	if (d2.conf)
		xlbd_release(&d2, false);
	xlbd_release(&d, true);
	xlb_dp_close(d.dp);
out_file:
	unlink(state);
	snprintf(tmp, sizeof(tmp), "%s.tmp", state);
	unlink(tmp);
}

static void stop_turn(struct evloop *el, void *arg)
{
	(void)arg;
	evloop_stop(el);
}

/* The state file's text into buf ("" if unreadable). */
static void state_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* With a loop, second chance's tables reach the state file from the 1 s
 * timer (xlbd_tables_sc_expire), not from every turn that writes tables: a mass
 * change rewrites hundreds a second, and each save is an fsync of the
 * whole file (at full size with GUE VIPs, saving per turn made a mass
 * change take 23 s and the leaf's BGP session drop). */
void test_xlbd_second_chance_state_saved_per_second(void)
{
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	char conf[2048], text[8192], state[] = "/tmp/xlb-test-sc-XXXXXX", tmp[64];
	struct ev_defer stop = {};
	struct rt_backend *b;
	struct xlbd d = {};
	struct rt_vip *v;
	int fd;

	fd = mkstemp(state);
	if (!ASSERT_GE(fd, 0, "mkstemp"))
		return;
	close(fd);
	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		goto out_file;
	conf_text(conf, sizeof(conf), state, "", RING);
	if (!apply(&d, conf))
		goto out;
	xlbd_state_flush(&d);
	state_text(state, text, sizeof(text));
	ASSERT_TRUE(strstr(text, "198.51.100.3@100") != NULL, "saved: the table with .3");
	if (!ASSERT_OK(evloop_new(&d.el), "evloop_new"))
		goto out;
	v = rt_vip_find(&d, VIP_SC);
	b = v ? rt_backend_find(v, "198.51.100.3") : NULL;
	if (!ASSERT_TRUE(b != NULL, "backend .3"))
		goto out;
	b->healthy = false;
	xlbd_vip_changed(&d, v, XLBD_CHANGE_TABLE);
	evloop_defer(d.el, &stop, stop_turn, NULL);
	ASSERT_OK(evloop_run(d.el), "one turn");
	ASSERT_TRUE(v->sc.prev.size && v->sc.prev.n == 3, "the model has the change");
	state_text(state, text, sizeof(text));
	ASSERT_FALSE(strstr(text, "previous "), "the turn did not save the state file");
	xlbd_tables_sc_expire(&d);
	state_text(state, text, sizeof(text));
	ASSERT_TRUE(strstr(text, "previous " VIP_SC " until") != NULL, "the timer saved it");
out:
	xlbd_release(&d, true);
	if (d.el)
		evloop_free(d.el);
	xlb_dp_close(d.dp);
out_file:
	unlink(state);
	snprintf(tmp, sizeof(tmp), "%s.tmp", state);
	unlink(tmp);
}

/* The state file's table lines: written for second-chance VIPs only,
 * read back to the same tables; a VIP without second chance or gone
 * ignores its lines; malformed lines are refused with their line. */
void test_xlbd_second_chance_state(void)
{
	char conf[2048], text[8192], text2[8192], err[CONF_ERR_MAX] = "";
	struct xlbd d = {}, d2 = {};
	struct rt_vip *v;

	conf_text(conf, sizeof(conf), "/nonexistent/xlb-state", "; backend 198.51.100.4", RING);
	if (!apply(&d, conf) || !apply(&d2, conf))
		goto out;
	v = rt_vip_find(&d, VIP_SC);
	if (!ASSERT_TRUE(v != NULL, "vip"))
		goto out;
	/* no datapath here: make the tables by hand */
	v->sc.cur = (struct rt_table){ .size = RING, .n = 1 };
	v->sc.cur.be = calloc(1, sizeof(*v->sc.cur.be));
	v->sc.prev = (struct rt_table){ .size = RING, .n = 1 };
	v->sc.prev.be = calloc(1, sizeof(*v->sc.prev.be));
	if (!ASSERT_TRUE(v->sc.cur.be && v->sc.prev.be, "calloc"))
		goto out;
	v->sc.cur.be[0] = (struct rt_table_be){ .family = XLB_FAMILY_V4, .weight = 100 };
	inet_pton(AF_INET, "198.51.100.1", &v->sc.cur.be[0].addr.v4);
	v->sc.prev.be[0] = v->sc.cur.be[0];
	v->sc.prev.be[0].weight = 7;
	v->sc.cur_since = 1700000000000ULL;
	v->sc.prev_until = 1700000600000ULL;
	if (!ASSERT_OK(xlbd_state_format(&d, text, sizeof(text)), "format"))
		goto out;
	ASSERT_TRUE(strstr(text, "table " VIP_SC " since 1700000000000 size 1009 198.51.100.1@100\n"),
		    "current table line");
	ASSERT_TRUE(strstr(text, "previous " VIP_SC " until 1700000600000 size 1009 "
				 "198.51.100.1@7\n"), "previous table line");
	ASSERT_FALSE(strstr(text, VIP_OFF " since"), "none for a VIP without second chance");
	if (!ASSERT_OK(xlbd_state_parse(&d2, text, err, sizeof(err)), err) ||
	    !ASSERT_OK(xlbd_state_format(&d2, text2, sizeof(text2)), "format again"))
		goto out;
	ASSERT_STREQ(text2, text, "read back the same");
	ASSERT_OK(xlbd_state_parse(&d2, "table " VIP_OFF " since 1 size 1009 198.51.100.1@1\n"
				   "table 203.0.113.9:80/tcp since 1 size 1009 198.51.100.1@1\n",
				   err, sizeof(err)), "lines of other VIPs ignored");
	ASSERT_EQ(xlbd_state_parse(&d2, "# x\ntable " VIP_SC " since 1 size 1008 198.51.100.1@1\n",
				   err, sizeof(err)), -EINVAL, "size not prime");
	ASSERT_STREQ(err, "/nonexistent/xlb-state:2: unreadable line", "its line");
	ASSERT_EQ(xlbd_state_parse(&d2, "previous " VIP_SC " since 1 size 1009 198.51.100.1@1\n",
				   err, sizeof(err)), -EINVAL, "previous with since");
	ASSERT_EQ(xlbd_state_parse(&d2, "table " VIP_SC " since 1 size 1009 198.51.100.1\n", err,
				   sizeof(err)), -EINVAL, "no weight");
	ASSERT_EQ(xlbd_state_parse(&d2, "table " VIP_SC " since 1 size 1009 x@1\n", err,
				   sizeof(err)), -EINVAL, "no address");
out:
	xlbd_release(&d2, false);
	xlbd_release(&d, false);
}
