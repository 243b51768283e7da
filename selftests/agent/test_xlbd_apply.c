// SPDX-License-Identifier: GPL-2.0
/*
 * xlbd's runtime model against the real datapath maps (the balancer is
 * loaded, not attached): a reload writes only what changed, ids survive
 * reloads and an agent restart (adoption), runtime state round-trips
 * through the state file text.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "../lib/test.h"
#include "bgp/speaker.h"
#include "core/xlbd.h"
#include "maps/dataplane.h"

#define HEAD                                                             \
	"router-id 192.0.2.10\nlocal-as 65010\n"                         \
	"allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }\n" \
	"encap-source 192.0.2.10 2001:db8::10\n"                         \
	"xdp interface lo\nstate-file /nonexistent/xlb-test-state\n"

static const char conf_a[] = HEAD
	"vip 203.0.113.1 tcp 80 { backend 198.51.100.1; backend 198.51.100.2 }\n"
	"vip 203.0.113.2 udp 53 { backend 198.51.100.1; backend 198.51.100.3 }\n"
	"vip 203.0.113.3 tcp 443 { backend 198.51.100.4 }\n";

/* .1 unchanged; .2 gets a new weight and loses .3 for .5; .3 goes; .4 comes */
static const char conf_b[] = HEAD
	"vip 203.0.113.1 tcp 80 { backend 198.51.100.1; backend 198.51.100.2 }\n"
	"vip 203.0.113.2 udp 53 { backend 198.51.100.1 weight 300; backend 198.51.100.5 }\n"
	"vip 203.0.113.4 tcp 80 { backend 198.51.100.6 }\n";

static struct xlb_conf *parse(const char *text)
{
	char err[CONF_ERR_MAX];
	struct xlb_conf *c = NULL;

	if (!ASSERT_OK(conf_parse_string("test.conf", text, &c, err, sizeof(err)), err))
		return NULL;
	return c;
}

static bool apply(struct xlbd *d, const char *text)
{
	char err[CONF_ERR_MAX] = "";
	struct xlb_conf *c = parse(text);

	if (!c)
		return false;
	if (!ASSERT_OK(xlbd_apply(d, c, err, sizeof(err)), err)) {
		if (d->conf != c)
			conf_free(c);
		return false;
	}
	return true;
}

static bool vip_entry(struct xlb_dp *dp, const char *addr, __u8 proto, __u16 port,
		      struct xlb_vip *out)
{
	struct xlb_vip_key k = { .proto = proto, .port = htons(port),
				 .family = XLB_FAMILY_V4 };

	inet_pton(AF_INET, addr, &k.addr.v4);
	return !bpf_map_lookup_elem(xlb_dp_map_fd(dp, "vips"), &k, out);
}

static int count_vip(const struct xlb_vip_key *key, const struct xlb_vip *vip, void *arg)
{
	(void)key;
	(void)vip;
	(*(size_t *)arg)++;
	return 0;
}

static struct rt_backend *backend(struct xlbd *d, const char *vip, const char *be)
{
	struct rt_vip *v = rt_vip_find(d, vip);

	return v ? rt_backend_find(v, be) : NULL;
}

void test_xlbd_reload_diff(void)
{
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	struct xlb_vip v1, v2, v1b, v2b, v3b, v4b;
	struct xlbd d = {};
	struct rt_backend *b, *b2;
	struct xlb_backend be;
	__u32 id_keep, id_gone, gen_gone;
	__u64 writes;

	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		return;
	if (!apply(&d, conf_a))
		goto out;
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.1", IPPROTO_TCP, 80, &v1), "vip 1 written");
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.2", IPPROTO_UDP, 53, &v2), "vip 2 written");
	b = backend(&d, "203.0.113.2:53/udp", "198.51.100.1");
	id_keep = b ? b->id : 0;
	b = backend(&d, "203.0.113.2:53/udp", "198.51.100.3");
	id_gone = b ? b->id : 0;
	gen_gone = b ? b->gen : 0;
	ASSERT_TRUE(id_keep && id_gone, "backend ids given");
	/* equal weights: the table's slots split evenly, to within one */
	b = backend(&d, "203.0.113.1:80/tcp", "198.51.100.1");
	b2 = backend(&d, "203.0.113.1:80/tcp", "198.51.100.2");
	if (ASSERT_TRUE(b && b2, "find vip 1 backends")) {
		ASSERT_EQ(b->slots + b2->slots, (__u32)XLB_RING_DEFAULT, "slots add up");
		ASSERT_GE(b->slots, (__u32)XLB_RING_DEFAULT / 2, "half the slots each");
		ASSERT_GE(b2->slots, (__u32)XLB_RING_DEFAULT / 2, "half the slots each");
	}

	if (!apply(&d, conf_b))
		goto out;
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.1", IPPROTO_TCP, 80, &v1b), "vip 1 still there");
	ASSERT_EQ(v1b.ring_id, v1.ring_id, "unchanged VIP: same table map (not rewritten)");
	ASSERT_EQ(v1b.flags, v1.flags, "unchanged VIP: same table region");
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.2", IPPROTO_UDP, 53, &v2b), "vip 2 still there");
	ASSERT_EQ(v2b.id, v2.id, "changed VIP keeps its id");
	/* same size: the other region of the same map, no new map */
	ASSERT_EQ(v2b.ring_id, v2.ring_id, "changed VIP: same table map");
	ASSERT_NEQ(v2b.flags & XLB_VIP_F_RING_HI, v2.flags & XLB_VIP_F_RING_HI,
		   "changed VIP: new table in the other region");
	b = backend(&d, "203.0.113.2:53/udp", "198.51.100.1");
	ASSERT_EQ(b ? b->id : 0, id_keep, "kept backend keeps its id");
	ASSERT_OK(xlb_dp_backend_get(d.dp, id_gone, &be), "read dropped backend");
	/* its id may serve another backend by now, but under a new
	 * generation: flow entries that named the dropped one are stale */
	ASSERT_TRUE(!(be.flags & XLB_BE_F_PRESENT) || be.gen != gen_gone,
		    "dropped backend no longer present");
	ASSERT_FALSE(vip_entry(d.dp, "203.0.113.3", IPPROTO_TCP, 443, &v3b), "vip 3 removed");
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.4", IPPROTO_TCP, 80, &v4b), "vip 4 added");

	/* the same config again: nothing is written at all */
	writes = xlb_dp_map_writes();
	if (!apply(&d, conf_b))
		goto out;
	ASSERT_EQ(xlb_dp_map_writes(), writes, "no-change reload writes no map");
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.2", IPPROTO_UDP, 53, &v1), "vip 2");
	ASSERT_EQ(v1.ring_id, v2b.ring_id, "no-change reload leaves the table slot");
out:
	xlbd_release(&d, true);
	xlb_dp_close(d.dp);
}

/* A second xlbd on the same maps (an agent restart) adopts the ids. */
void test_xlbd_adopt(void)
{
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	struct xlbd d = {}, d2 = {};
	size_t i, k;

	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		return;
	/* a first config that takes ids 0.., then one that frees the first
	 * ones, so fresh allocation would hand out different ids */
	if (!apply(&d, conf_a) || !apply(&d, conf_b))
		goto out;
	d2.dp = d.dp;
	if (!ASSERT_OK(xlbd_adopt(&d2), "adopt") || !apply(&d2, conf_b))
		goto out;
	for (i = 0; i < d.n_vips; i++) {
		struct rt_vip *a = &d.vips[i], *b = &d2.vips[i];

		ASSERT_EQ(b->id, a->id, "adopted VIP id");
		for (k = 0; k < a->n_backends; k++) {
			ASSERT_EQ(b->backends[k].id, a->backends[k].id, "adopted backend id");
			ASSERT_EQ(b->backends[k].gen, a->backends[k].gen, "adopted generation");
		}
	}
out:
	xlbd_release(&d2, false);
	xlbd_release(&d, true);
	xlb_dp_close(d.dp);
}

void test_xlbd_state_roundtrip(void)
{
	char text[4096], text2[4096], err[CONF_ERR_MAX];
	struct xlbd d = {}, d2 = {};
	struct rt_backend *b;
	struct rt_vip *v;

	if (!apply(&d, conf_a) || !apply(&d2, conf_a))
		goto out;
	v = rt_vip_find(&d, "203.0.113.1:80/tcp");
	if (!ASSERT_TRUE(v != NULL, "find vip"))
		goto out;
	v->disabled = true;
	b = backend(&d, "203.0.113.2:53/udp", "198.51.100.3");
	if (!ASSERT_TRUE(b != NULL, "find backend"))
		goto out;
	b->pool = RT_DEPOOLED;
	b = backend(&d, "203.0.113.1:80/tcp", "198.51.100.2");
	b->pool = RT_DEPOOLED_NOW;
	b->has_weight = true;
	b->weight = 7;
	if (!ASSERT_OK(xlbd_state_format(&d, text, sizeof(text)), "format"))
		goto out;
	ASSERT_TRUE(strstr(text, "disable 203.0.113.1:80/tcp\n") != NULL, "disable line");
	ASSERT_TRUE(strstr(text, "depool 203.0.113.2:53/udp 198.51.100.3 drain\n") != NULL,
		    "drain line");
	ASSERT_TRUE(strstr(text, "depool 203.0.113.1:80/tcp 198.51.100.2 now\n") != NULL,
		    "now line");
	ASSERT_TRUE(strstr(text, "weight 203.0.113.1:80/tcp 198.51.100.2 7\n") != NULL,
		    "weight line");
	if (!ASSERT_OK(xlbd_state_parse(&d2, text, err, sizeof(err)), err))
		goto out;
	ASSERT_OK(xlbd_state_format(&d2, text2, sizeof(text2)), "format again");
	ASSERT_STREQ(text2, text, "state survives the round trip");

	/* lines about VIPs no longer configured are dropped quietly */
	ASSERT_OK(xlbd_state_parse(&d2, "disable 203.0.113.99:80/tcp\n", err, sizeof(err)),
		  "unknown VIP ignored");
	ASSERT_EQ(xlbd_state_parse(&d2, "# x\ndepool 203.0.113.1:80/tcp 198.51.100.2 later\n", err,
				   sizeof(err)),
		  -EINVAL, "bad line refused");
	ASSERT_STREQ(err, "/nonexistent/xlb-test-state:2: unreadable line", "message names line 2");
out:
	xlbd_release(&d, false);
	xlbd_release(&d2, false);
}

/* The datapath limit counts forwarding VIPs only, as the parser does: a
 * config with more than XLB_MAX_VIPS VIPs, most of them local, applies. */
void test_xlbd_apply_local_vips_uncounted(void)
{
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	size_t len = 0, i, n_dp = 0;
	char *text = NULL;
	struct xlbd d = {};
	FILE *f;

	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		return;
	f = open_memstream(&text, &len);
	if (!ASSERT_OK_PTR(f, "open_memstream"))
		goto out;
	fputs(HEAD "vip 203.0.113.1 tcp 80 { backend 198.51.100.1 }\n", f);
	for (i = 1; i <= XLB_MAX_VIPS + 8; i++)
		fprintf(f, "vip 2001:db8:ffff::%zx local { }\n", i);
	if (!ASSERT_OK(fclose(f), "fclose") || !apply(&d, text))
		goto out;
	ASSERT_EQ(d.n_vips, (size_t)XLB_MAX_VIPS + 9, "every VIP running");
	ASSERT_OK(xlb_dp_vip_foreach(d.dp, count_vip, &n_dp), "list datapath VIPs");
	ASSERT_EQ(n_dp, (size_t)1, "only the forwarding VIP in the datapath");
out:
	free(text);
	xlbd_release(&d, true);
	xlb_dp_close(d.dp);
}

/* Without CAP_SETUID (dropped at start-up: no exec check then ran as
 * another user) a reload adding one is refused at its line, before
 * anything changes; one as xlbd's own user is fine. No datapath, no
 * event loop: the checks are not started. */
void test_xlbd_apply_privs_refused(void)
{
	static const char base[] = "allowed-prefixes { 203.0.113.0/24 }\n"
				   "vip 203.0.113.1 local { }\n";
	char text[512], err[CONF_ERR_MAX] = "", want[CONF_ERR_MAX];
	struct xlb_conf *c;
	struct xlbd d = {};
	struct passwd *me = getpwuid(geteuid());

	if (!ASSERT_OK_PTR(me, "own user") || !apply(&d, base))
		return;
	d.privs_dropped = true;
	d.privs = 0;
	snprintf(text, sizeof(text), "%svip 203.0.113.2 local { health exec \"true\" user nobody }\n",
		 base);
	c = parse(text);
	if (!c)
		goto out;
	if (geteuid() != getpwnam("nobody")->pw_uid) {
		ASSERT_EQ(xlbd_apply(&d, c, err, sizeof(err)), -EPERM, "refused");
		snprintf(want, sizeof(want), "test.conf:3: health exec as user nobody needs "
			 "CAP_SETUID and CAP_SETGID, which xlbd dropped at start-up (no exec check "
			 "needed another user then): restart xlbd to apply it");
		ASSERT_STREQ(err, want, "message");
		ASSERT_EQ(d.n_vips, (size_t)1, "nothing changed");
		conf_free(c);
	}
	/* the daemon's own user needs no privilege */
	snprintf(text, sizeof(text), "%svip 203.0.113.2 local { health exec \"true\" user %s }\n",
		 base, me->pw_name);
	ASSERT_TRUE(apply(&d, text), "as xlbd's own user");
	ASSERT_EQ(d.n_vips, (size_t)2, "applied");
	/* kept at start-up: anything goes */
	d.privs = PRIVS_EXEC_USERS;
	snprintf(text, sizeof(text), "%svip 203.0.113.2 local { health exec \"true\" user nobody }\n",
		 base);
	ASSERT_TRUE(apply(&d, text), "with CAP_SETUID kept");
out:
	xlbd_release(&d, false);
}

/*
 * An agent restart (a second xlbd adopting the maps): the state file's
 * depools are in the model before any table is made, and a checked
 * backend the previous xlbd had taken out (its check failed) stays out
 * until its own check passes. Both were wrong before: the config's tables
 * went out first, putting a drained backend back for a moment (under load
 * e2e/fault_agent_kill saw a new connection reach it), and a failed
 * backend took new connections again for fall x interval. With all of
 * that, the new xlbd computes exactly what the previous one left in the
 * maps (tables, entries, markers, the config entry): it writes nothing.
 */
void test_xlbd_restart_runtime_state(void)
{
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	char conf[1024], state[] = "/tmp/xlb-test-state-XXXXXX", tmp[64], err[CONF_ERR_MAX] = "";
	struct xlbd d = {}, d2 = {};
	struct rt_backend *b;
	struct xlb_backend be;
	struct xlb_conf *c = NULL;
	__u64 w, w_start;
	size_t i;
	int fd;

	fd = mkstemp(state);
	if (!ASSERT_GE(fd, 0, "mkstemp"))
		return;
	close(fd);
	snprintf(conf, sizeof(conf),
		 "router-id 192.0.2.10\nlocal-as 65010\n"
		 "allowed-prefixes { 203.0.113.0/24 max 32 }\n"
		 "encap-source 192.0.2.10\nxdp interface lo\nstate-file %s\n"
		 "vip 203.0.113.1 tcp 80 { health tcp interval 1s\n"
		 "  backend 198.51.100.1; backend 198.51.100.2; backend 198.51.100.3 }\n"
		 "vip 203.0.113.2 tcp 80 { backend 198.51.100.1; backend 198.51.100.2 }\n",
		 state);
	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		goto out_file;
	if (!apply(&d, conf))
		goto out;
	/* the first xlbd: .1 drained and .2 failed in the checked VIP, .2
	 * depooled --now in the unchecked one */
	b = backend(&d, "203.0.113.1:80/tcp", "198.51.100.1");
	if (!ASSERT_TRUE(b != NULL, "find backend"))
		goto out;
	b->pool = RT_DEPOOLED;
	b = backend(&d, "203.0.113.1:80/tcp", "198.51.100.2");
	b->healthy = false;
	b = backend(&d, "203.0.113.2:80/tcp", "198.51.100.2");
	b->pool = RT_DEPOOLED_NOW;
	for (i = 0; i < d.n_vips; i++)
		ASSERT_OK(xlbd_vip_sync(&d, &d.vips[i]), "sync");
	if (!ASSERT_OK(xlbd_state_save(&d), "state save"))
		goto out;

	/* killed; the second one adopts the maps and starts */
	d2.dp = d.dp;
	c = parse(conf);
	if (!c || !ASSERT_OK(xlbd_adopt(&d2), "adopt"))
		goto out;
	w = xlb_dp_map_writes();
	fd = xlbd_apply_start(&d2, c, err, sizeof(err));
	if (d2.conf == c)
		c = NULL;
	if (!ASSERT_OK(fd, err))
		goto out;
	w_start = xlb_dp_map_writes() - w;
	ASSERT_EQ(w_start, (__u64)0, "a restart over what it would write writes nothing");

	b = backend(&d2, "203.0.113.1:80/tcp", "198.51.100.1");
	if (!ASSERT_TRUE(b != NULL, "find backend"))
		goto out;
	ASSERT_EQ(b->pool, RT_DEPOOLED, "drain came back from the state file");
	ASSERT_EQ(b->slots, 0U, "drained backend: no slot");
	b = backend(&d2, "203.0.113.1:80/tcp", "198.51.100.2");
	ASSERT_FALSE(b->healthy, "failed backend stays out until its check passes");
	ASSERT_EQ(b->slots, 0U, "failed backend: no slot");
	ASSERT_OK(xlb_dp_backend_get(d2.dp, b->id, &be), "read backend");
	ASSERT_FALSE(be.flags & XLB_BE_F_PRESENT, "failed backend keeps no flows");
	b = backend(&d2, "203.0.113.1:80/tcp", "198.51.100.3");
	ASSERT_EQ(b->slots, (__u32)XLB_RING_DEFAULT, "the one backend left has every slot");
	b = backend(&d2, "203.0.113.2:80/tcp", "198.51.100.2");
	ASSERT_EQ(b->pool, RT_DEPOOLED_NOW, "depool --now came back");
	/* nothing would ever bring an unchecked backend back */
	ASSERT_TRUE(b->healthy, "unchecked backend is not taken for failed");
	ASSERT_OK(xlb_dp_backend_get(d2.dp, b->id, &be), "read backend");
	ASSERT_FALSE(be.flags & XLB_BE_F_PRESENT, "depooled --now keeps no flows");
out:
	conf_free(c);
	xlbd_release(&d2, false);
	xlbd_release(&d, true);
	xlb_dp_close(d.dp);
out_file:
	unlink(state);
	snprintf(tmp, sizeof(tmp), "%s.tmp", state);
	unlink(tmp);
}

/* A setting a reload cannot change is refused with the file:line of its
 * statement (the file alone when the statement went), and the refused
 * reload writes no map and keeps the running config. */
void test_xlbd_reload_needs_restart(void)
{
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	char err[CONF_ERR_MAX] = "";
	struct xlb_conf *c;
	struct xlbd d = {};
	__u64 writes;
	int rc;

	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		return;
	if (!apply(&d, HEAD "flow-table 2048\n" "vip 203.0.113.1 tcp 80 { backend 198.51.100.1 }\n"))
		goto out;
	writes = xlb_dp_map_writes();
	c = parse(HEAD "flow-table 4096\n" "vip 203.0.113.1 tcp 80 { backend 198.51.100.2 }\n");
	if (!c)
		goto out;
	rc = xlbd_apply(&d, c, err, sizeof(err));
	ASSERT_EQ(rc, -EINVAL, "refused");
	ASSERT_STREQ(err, "test.conf:7: flow-table changed: restart xlbd to apply it", "message");
	if (d.conf != c)
		conf_free(c);
	c = parse(HEAD "vip 203.0.113.1 tcp 80 { backend 198.51.100.2 }\n");
	if (!c)
		goto out;
	rc = xlbd_apply(&d, c, err, sizeof(err));
	ASSERT_EQ(rc, -EINVAL, "refused");
	ASSERT_STREQ(err, "test.conf: flow-table changed (now the default): restart xlbd to apply it",
		     "message without the statement");
	if (d.conf != c)
		conf_free(c);
	ASSERT_EQ(xlb_dp_map_writes(), writes, "refused reloads write no map");
	ASSERT_TRUE(rt_backend_find(&d.vips[0], "198.51.100.1") != NULL, "running config kept");
out:
	xlbd_release(&d, true);
	xlb_dp_close(d.dp);
}

static void stop_turn(struct evloop *el, void *arg)
{
	(void)arg;
	evloop_stop(el);
}

/* One turn of the loop: what was asked for runs, then the loop stops. */
static void one_turn(struct xlbd *d)
{
	struct ev_defer stop = {};

	evloop_defer(d->el, &stop, stop_turn, NULL);
	ASSERT_OK(evloop_run(d->el), "run");
}

/*
 * Changes are applied once per turn of the loop: three changes to two
 * VIPs and a route-only one write two tables; a next hop rewrites the
 * backend's entry and no table; the encapsulation source, markers and
 * everything unchanged are not written again. The config entry holds
 * the encapsulation sources.
 */
void test_xlbd_changes_batched(void)
{
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	struct rt_backend *b1, *b2, *b3;
	struct rt_vip *v1, *v2, *v3;
	struct xlb_config cfg;
	struct xlb_backend be;
	struct xlbd d = {};
	__u64 t0, w0;
	__u32 zero = 0;

	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		return;
	if (!apply(&d, conf_a))
		goto out;
	ASSERT_OK(bpf_map_lookup_elem(xlb_dp_map_fd(d.dp, "config"), &zero, &cfg) ? -errno : 0,
		  "config entry");
	ASSERT_TRUE(cfg.has_v4 && cfg.has_v6, "the encapsulation sources are in the datapath");
	if (!ASSERT_OK(evloop_new(&d.el), "evloop_new"))
		goto out;
	v1 = rt_vip_find(&d, "203.0.113.1:80/tcp");
	v2 = rt_vip_find(&d, "203.0.113.2:53/udp");
	v3 = rt_vip_find(&d, "203.0.113.3:443/tcp");
	b1 = backend(&d, "203.0.113.1:80/tcp", "198.51.100.1");
	b2 = backend(&d, "203.0.113.1:80/tcp", "198.51.100.2");
	b3 = backend(&d, "203.0.113.2:53/udp", "198.51.100.3");
	if (!ASSERT_TRUE(v1 && v2 && v3 && b1 && b2 && b3, "find VIPs and backends"))
		goto out;

	t0 = d.tables_written;
	w0 = xlb_dp_map_writes();
	b1->pool = RT_DEPOOLED;
	xlbd_vip_changed(&d, v1, XLBD_CHANGE_TABLE);
	b2->has_weight = true;
	b2->weight = 5;
	xlbd_vip_changed(&d, v1, XLBD_CHANGE_TABLE);
	b3->healthy = false;
	xlbd_vip_changed(&d, v2, XLBD_CHANGE_TABLE);
	xlbd_vip_changed(&d, v3, XLBD_CHANGE_ROUTE);
	ASSERT_EQ(d.tables_pending, (size_t)2, "two VIPs wait");
	ASSERT_EQ(xlb_dp_map_writes(), w0, "nothing written before the end of the turn");
	one_turn(&d);
	ASSERT_EQ(d.tables_written - t0, (__u64)2, "two VIPs changed: two tables, each once");
	ASSERT_EQ(d.tables_pending, (size_t)0, "nothing waits");
	ASSERT_EQ(b1->slots, 0U, "depooled: no slot");
	ASSERT_EQ(b2->slots, (__u32)XLB_RING_DEFAULT, "the other one has them all");
	/* two tables, two VIP entries, and one backend entry: b3 lost
	 * XLB_BE_F_PRESENT (b1 drains: its entry keeps it) */
	ASSERT_EQ(xlb_dp_map_writes() - w0, (__u64)5, "only what changed is written");

	/* a next hop found: the backend's entry, no table */
	t0 = d.tables_written;
	w0 = xlb_dp_map_writes();
	b2->nh_looked = true;
	b2->has_nh = true;
	b2->nh = (struct nexthop_info){ .ifindex = 1, .mtu = 1500, .smac = { 2, 0, 0, 0, 0, 1 },
					.dmac = { 2, 0, 0, 0, 0, 2 } };
	xlbd_vip_changed(&d, v1, XLBD_CHANGE_NEXTHOP);
	one_turn(&d);
	ASSERT_EQ(d.tables_written, t0, "a next hop writes no table");
	ASSERT_EQ(xlb_dp_map_writes() - w0, (__u64)1, "one entry");
	ASSERT_OK(xlb_dp_backend_get(d.dp, b2->id, &be), "read backend");
	ASSERT_TRUE((be.flags & XLB_BE_F_NEXTHOP) && be.ifindex == 1 && be.mtu == 1500,
		    "the entry has the next hop");

	/* a VIP a reload adds is announced once the datapath has it */
	if (!apply(&d, conf_b))
		goto out;
	v1 = rt_vip_find(&d, "203.0.113.4:80/tcp");
	if (!ASSERT_TRUE(v1, "the new VIP"))
		goto out;
	ASSERT_EQ(rt_vip_route(&d, v1), BGP_ROUTE_WITHDRAWN, "not announced before its entry");
	one_turn(&d);
	ASSERT_TRUE(v1->dp_vip_known, "its entry written at the end of the turn");
	ASSERT_EQ(rt_vip_route(&d, v1), BGP_ROUTE_ANNOUNCED, "then announced");
out:
	xlbd_release(&d, true);
	evloop_free(d.el);
	xlb_dp_close(d.dp);
}

/*
 * A restart over a datapath whose tables are in place writes none of
 * them (each is known by the fingerprint kept with it, and read for the
 * slot counts instead of built); a VIP whose backends changed while xlbd
 * was down gets its table, and only it.
 */
void test_xlbd_restart_tables_in_place(void)
{
	static const char changed[] = HEAD
		"vip 203.0.113.1 tcp 80 { backend 198.51.100.1; backend 198.51.100.2 }\n"
		"vip 203.0.113.2 udp 53 { backend 198.51.100.1 weight 300; backend 198.51.100.3 }\n"
		"vip 203.0.113.3 tcp 443 { backend 198.51.100.4 }\n";
	struct xlb_dp_opts opts = { .flow_entries = 1024 };
	struct xlbd d = {}, d2 = {};
	struct xlb_vip v1, v2, v1b, v2b;
	struct rt_backend *b;
	char err[CONF_ERR_MAX] = "";
	struct xlb_conf *c = NULL;
	__u64 w;

	if (!ASSERT_OK(xlb_dp_open(&opts, &d.dp), "xlb_dp_open"))
		return;
	if (!apply(&d, conf_a))
		goto out;
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.1", IPPROTO_TCP, 80, &v1), "vip 1");
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.2", IPPROTO_UDP, 53, &v2), "vip 2");

	/* the same config: nothing written, the slots read from the tables */
	d2.dp = d.dp;
	c = parse(conf_a);
	if (!c || !ASSERT_OK(xlbd_adopt(&d2), "adopt"))
		goto out;
	w = xlb_dp_map_writes();
	ASSERT_OK(xlbd_apply_start(&d2, c, err, sizeof(err)), err);
	if (d2.conf == c)
		c = NULL;
	ASSERT_EQ(xlb_dp_map_writes(), w, "tables in place: no write");
	ASSERT_EQ(d2.tables_written, (__u64)0, "no table built and written");
	b = backend(&d2, "203.0.113.1:80/tcp", "198.51.100.1");
	ASSERT_TRUE(b && b->slots >= XLB_RING_DEFAULT / 2 && b->slots <= XLB_RING_DEFAULT / 2 + 1,
		    "slot counts from the table in place");
	xlbd_release(&d2, false);

	/* one VIP changed meanwhile: its table alone */
	memset(&d2, 0, sizeof(d2));
	d2.dp = d.dp;
	conf_free(c);
	c = parse(changed);
	if (!c || !ASSERT_OK(xlbd_adopt(&d2), "adopt"))
		goto out;
	ASSERT_OK(xlbd_apply_start(&d2, c, err, sizeof(err)), err);
	if (d2.conf == c)
		c = NULL;
	ASSERT_EQ(d2.tables_written, (__u64)1, "one table written");
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.1", IPPROTO_TCP, 80, &v1b), "vip 1");
	ASSERT_TRUE(vip_entry(d.dp, "203.0.113.2", IPPROTO_UDP, 53, &v2b), "vip 2");
	ASSERT_EQ(v1b.flags, v1.flags, "the unchanged VIP keeps its table");
	ASSERT_NEQ(v2b.flags & XLB_VIP_F_RING_HI, v2.flags & XLB_VIP_F_RING_HI,
		   "the changed VIP switched to its new table");
	b = backend(&d2, "203.0.113.2:53/udp", "198.51.100.1");
	ASSERT_TRUE(b && b->slots > XLB_RING_DEFAULT / 2, "weight 300 of 400");
out:
	conf_free(c);
	xlbd_release(&d2, false);
	xlbd_release(&d, true);
	xlb_dp_close(d.dp);
}
