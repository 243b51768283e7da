// SPDX-License-Identifier: GPL-2.0
/*
 * What xlbd exports to Prometheus (README "Metrics" lists it), and the
 * endpoint's life: opened at start when `metrics listen` is set, moved,
 * opened or closed by a reload.
 *
 * The page is built from the same sources as xlbctl's answers: the
 * per-CPU counters of the datapath summed (stats, vip_stats, be_stats),
 * the runtime model (announce decision, pool state, weights), the health
 * checks, the BGP peers and their BFD sessions. It runs on the event
 * loop like every other event, so it never sees a half-applied change.
 *
 * Label values: vip as xlbctl writes it (203.0.113.10:80/tcp,
 * [2001:db8::1]:80/tcp, 203.0.113.20/local), backend and neighbor as
 * addresses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "bfd/bfd.h"
#include "bgp/speaker.h"
#include "core/pool.h"
#include "core/xlbd.h"
#include "health/health.h"
#include "lib/log.h"
#include "maps/dataplane.h"
#include "metrics/expo.h"
#include "metrics/server.h"

static void addr_str(const struct conf_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &a->addr, buf, len))
		snprintf(buf, len, "?");
}

static void put_info(struct expo *e, struct xlbd *d)
{
	expo_family(e, "xlb_info", EXPO_GAUGE, "xlbd's version (value always 1).");
	expo_u64(e, 1, "version", XLB_VERSION, NULL);
	expo_family(e, "xlb_start_time_seconds", EXPO_GAUGE,
		    "Unix time when xlbd started.");
	expo_u64(e, (uint64_t)d->started, NULL);
	expo_family(e, "xlb_config_generation", EXPO_GAUGE,
		    "Configs loaded since start: 1 for the first, +1 per successful reload.");
	expo_u64(e, 1 + d->reloads_ok, NULL);
	expo_family(e, "xlb_config_reloads_total", EXPO_COUNTER,
		    "Reloads (SIGHUP or xlbctl reload) by result; a failed one keeps the running "
		    "config.");
	expo_u64(e, d->reloads_ok, "result", "ok", NULL);
	expo_u64(e, d->reloads_failed, "result", "failed", NULL);
	expo_family(e, "xlb_config_last_reload_successful", EXPO_GAUGE,
		    "1 if the last reload succeeded (or there was none yet), else 0.");
	expo_u64(e, !d->last_reload_failed, NULL);
	expo_family(e, "xlb_config_last_reload_success_timestamp_seconds", EXPO_GAUGE,
		    "Unix time of the last successful config load (start or reload).");
	expo_u64(e, (uint64_t)d->config_loaded, NULL);
}

/* Second chance's counters (sc_stats). The backends' side is read there,
 * with `xlb-setup decap-stats prometheus`. */
static void put_second_chance(struct expo *e, struct xlbd *d)
{
	__u64 sc[XLB_SC_STAT_MAX];
	int err;

	err = xlb_dp_sc_stats_read(d->dp, sc);
	if (err) {
		log_warnx("metrics: cannot read the second-chance counters: %s", strerror(-err));
		return;
	}
	expo_family(e, "xlb_second_chance_hops_total", EXPO_COUNTER,
		    "Flows without a flow entry sent to their slot's backend with the previous "
		    "table's backend as a second-chance hop (their entries keep it).");
	expo_u64(e, sc[XLB_SC_STAT_HOP], NULL);
	expo_family(e, "xlb_second_chance_hops_skipped_total", EXPO_COUNTER,
		    "Such flows whose previous backend could not take a hop (gone, or of the "
		    "other address family).");
	expo_u64(e, sc[XLB_SC_STAT_HOP_SKIPPED], NULL);
}

/* Datapath counters: which of the stats map's entries go where. */
static void put_datapath(struct expo *e, struct xlbd *d)
{
	static const struct {
		int idx;
		const char *name, *help;
	} one[] = {
		{ XLB_STAT_FLOW_HIT, "xlb_flow_table_hits_total",
		  "Packets forwarded by their flow table entry." },
		{ XLB_STAT_FLOW_MISS, "xlb_flow_table_misses_total",
		  "Packets for which Maglev chose the backend (no entry, a stale one, or a TCP "
		  "SYN)." },
		{ XLB_STAT_FLOW_STALE, "xlb_flow_table_stale_total",
		  "Flow table entries found whose backend was gone or failed." },
		{ XLB_STAT_ICMP_STEERED, "xlb_icmp_steered_total",
		  "ICMP errors sent on to the backend of the flow they are about." },
		{ XLB_STAT_TOO_BIG_SENT, "xlb_icmp_too_big_sent_total",
		  "Fragmentation-needed / packet-too-big answers sent to clients." },
		{ XLB_STAT_FRAG_FORWARDED, "xlb_fragments_forwarded_total",
		  "Non-first fragments forwarded." },
		{ XLB_STAT_NH_FIB, "xlb_nexthop_fib_lookups_total",
		  "Packets whose next hop came from bpf_fib_lookup, not the cached one." },
	};
	__u64 st[XLB_STAT_MAX];
	size_t i;
	int err;

	err = xlb_dp_stats_read(d->dp, st);
	if (err) {
		log_warnx("metrics: cannot read the datapath counters: %s", strerror(-err));
		return;
	}
	expo_family(e, "xlb_xdp_packets_total", EXPO_COUNTER,
		    "Packets seen by the balancer, by XDP action.");
	expo_u64(e, st[XLB_STAT_TX], "action", "tx", NULL);
	expo_u64(e, st[XLB_STAT_REDIRECT], "action", "redirect", NULL);
	expo_u64(e, st[XLB_STAT_PASS], "action", "pass", NULL);
	expo_u64(e, st[XLB_STAT_DROP], "action", "drop", NULL);
	expo_family(e, "xlb_xdp_passed_packets_total", EXPO_COUNTER,
		    "Packets passed to the kernel, by reason (README: Pass or drop).");
	for (i = XLB_STAT_PASS_NOT_IP; i <= XLB_STAT_PASS_NO_NEIGH; i++)
		expo_u64(e, st[i], "reason", xlb_stat_names[i] + strlen("pass_"), NULL);
	expo_family(e, "xlb_xdp_dropped_packets_total", EXPO_COUNTER,
		    "Packets for a VIP dropped, by reason (README: Pass or drop).");
	for (i = XLB_STAT_DROP_L4_TRUNCATED; i <= XLB_STAT_DROP_ENCAP; i++)
		expo_u64(e, st[i], "reason", xlb_stat_names[i] + strlen("drop_"), NULL);
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		expo_family(e, one[i].name, EXPO_COUNTER, one[i].help);
		expo_u64(e, st[one[i].idx], NULL);
	}
	put_second_chance(e, d);
}

/* Why a VIP is (not) announced, in the order model.c decides it. */
static const char *vip_state(struct xlbd *d, const struct rt_vip *v)
{
	switch (rt_vip_route(d, v)) {
	case BGP_ROUTE_ANNOUNCED:
		return "announced";
	case BGP_ROUTE_GSHUT:
		return "graceful_shutdown";
	default:
		break;
	}
	if (rt_vip_admin_down(v))
		return "disabled";
	if (v->file_disabled)
		return "disable_file";
	if (rt_vip_would_announce(v, NULL))
		return "hold_down";
	return "unhealthy";
}

static const char *const vip_states[] = {
	"announced", "graceful_shutdown", "disabled", "disable_file", "hold_down", "unhealthy",
};

/* Label values, made once per page: a thousand VIPs with four thousand
 * backends appear in a dozen families each. */
struct labels {
	char (*vip)[CONF_VIP_STRLEN];	/* d->vips[i] */
	char (*be)[INET6_ADDRSTRLEN];	/* backend k of d->vips[i]: be[be_at[i] + k] */
	size_t *be_at;
};

static int labels_make(struct labels *l, struct xlbd *d)
{
	size_t i, k, n = 0;

	for (i = 0; i < d->n_vips; i++)
		n += d->vips[i].n_backends;
	l->vip = calloc(d->n_vips + 1, sizeof(*l->vip));
	l->be = calloc(n + 1, sizeof(*l->be));
	l->be_at = calloc(d->n_vips + 1, sizeof(*l->be_at));
	if (!l->vip || !l->be || !l->be_at)
		return -ENOMEM;
	for (i = 0, n = 0; i < d->n_vips; i++) {
		conf_vip_format(d->vips[i].conf, l->vip[i], sizeof(l->vip[i]));
		l->be_at[i] = n;
		for (k = 0; k < d->vips[i].n_backends; k++, n++)
			addr_str(&d->vips[i].backends[k].conf->addr, l->be[n], sizeof(l->be[n]));
	}
	return 0;
}

static void labels_free(struct labels *l)
{
	free(l->vip);
	free(l->be);
	free(l->be_at);
}

static const char *be_label(const struct labels *l, size_t i, size_t k)
{
	return l->be[l->be_at[i] + k];
}

static void put_vips(struct expo *e, struct xlbd *d, const struct labels *l)
{
	size_t i, k, healthy;

	expo_family(e, "xlb_vip_info", EXPO_GAUGE,
		    "Each configured VIP (value 1): its name and mode (forward or local).");
	for (i = 0; i < d->n_vips; i++) {
		const struct conf_vip *c = d->vips[i].conf;

		expo_u64(e, 1, "vip", l->vip[i], "name", c->name ? c->name : "", "mode",
			 c->local ? "local" : "forward", NULL);
	}
	expo_family(e, "xlb_vip_announced", EXPO_GAUGE,
		    "1 while xlbd has the VIP announced to its BGP neighbors (graceful shutdown "
		    "included), else 0.");
	for (i = 0; i < d->n_vips; i++)
		expo_u64(e, rt_vip_route(d, &d->vips[i]) != BGP_ROUTE_WITHDRAWN, "vip", l->vip[i],
			 NULL);
	expo_family(e, "xlb_vip_state", EXPO_GAUGE,
		    "The VIP's announce state, 1 for the current one: announced, "
		    "graceful_shutdown, or why it is withdrawn (disabled, disable_file, hold_down, "
		    "unhealthy).");
	for (i = 0; i < d->n_vips; i++) {
		const char *now = vip_state(d, &d->vips[i]);

		for (k = 0; k < sizeof(vip_states) / sizeof(vip_states[0]); k++)
			expo_u64(e, !strcmp(now, vip_states[k]), "vip", l->vip[i], "state",
				 vip_states[k], NULL);
	}
	expo_family(e, "xlb_vip_backends", EXPO_GAUGE, "Backends configured for the VIP.");
	for (i = 0; i < d->n_vips; i++)
		expo_u64(e, d->vips[i].n_backends, "vip", l->vip[i], NULL);
	expo_family(e, "xlb_vip_backends_usable", EXPO_GAUGE,
		    "Backends that take new flows and passed their check (what min-healthy "
		    "counts).");
	for (i = 0; i < d->n_vips; i++) {
		rt_vip_would_announce(&d->vips[i], &healthy);
		expo_u64(e, healthy, "vip", l->vip[i], NULL);
	}
	expo_family(e, "xlb_vip_min_healthy", EXPO_GAUGE,
		    "The VIP's min-healthy: fewer usable backends withdraw it.");
	for (i = 0; i < d->n_vips; i++)
		expo_u64(e, d->vips[i].conf->min_healthy, "vip", l->vip[i], NULL);
	expo_family(e, "xlb_vip_second_chance_previous_table", EXPO_GAUGE,
		    "1 while the VIP's previous Maglev table is in use for second chance "
		    "(forwarding VIPs with second-chance on).");
	for (i = 0; i < d->n_vips; i++)
		if (d->vips[i].conf->second_chance)
			expo_u64(e, d->vips[i].sc.prev.size != 0, "vip", l->vip[i], NULL);
	expo_family(e, "xlb_vip_second_chance_moved_slots", EXPO_GAUGE,
		    "Slots of the VIP's table whose backend differs in the previous table: "
		    "flows there without an entry get a second-chance hop.");
	for (i = 0; i < d->n_vips; i++)
		if (d->vips[i].conf->second_chance)
			expo_u64(e, d->vips[i].sc.prev_slots, "vip", l->vip[i], NULL);
}

/* Forwarding VIPs' and their backends' counters from the datapath, each
 * entry read once for both families (packets and bytes). */
static int put_traffic(struct expo *e, struct xlbd *d, const struct labels *l)
{
	struct xlb_traffic *vt, *bt;
	size_t i, k, n = 0, w;
	bool *ok;

	for (i = 0; i < d->n_vips; i++)
		n += d->vips[i].n_backends;
	vt = calloc(d->n_vips + 1, sizeof(*vt));
	bt = calloc(n + 1, sizeof(*bt));
	ok = calloc(d->n_vips + n + 1, sizeof(*ok));
	if (!vt || !bt || !ok) {
		free(vt);
		free(bt);
		free(ok);
		return -ENOMEM;
	}
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];

		ok[i] = v->has_id && !xlb_dp_vip_stats_read(d->dp, v->id, &vt[i]);
		for (k = 0; k < v->n_backends; k++)
			ok[d->n_vips + l->be_at[i] + k] =
				v->backends[k].id &&
				!xlb_dp_be_stats_read(d->dp, v->backends[k].id, &bt[l->be_at[i] + k]);
	}
	for (w = 0; w < 2; w++) {
		if (w == 0)
			expo_family(e, "xlb_vip_packets_total", EXPO_COUNTER,
				    "Packets forwarded for the VIP.");
		else
			expo_family(e, "xlb_vip_bytes_total", EXPO_COUNTER,
				    "Bytes of the VIP's frames as received (Ethernet header "
				    "included).");
		for (i = 0; i < d->n_vips; i++)
			if (ok[i])
				expo_u64(e, w ? vt[i].bytes : vt[i].packets, "vip", l->vip[i], NULL);
	}
	for (w = 0; w < 2; w++) {
		if (w == 0)
			expo_family(e, "xlb_backend_packets_total", EXPO_COUNTER,
				    "Packets sent to the backend.");
		else
			expo_family(e, "xlb_backend_bytes_total", EXPO_COUNTER,
				    "Bytes of the frames sent to the backend, as received (before "
				    "encapsulation).");
		for (i = 0; i < d->n_vips; i++) {
			for (k = 0; k < d->vips[i].n_backends; k++) {
				size_t j = l->be_at[i] + k;

				if (ok[d->n_vips + j])
					expo_u64(e, w ? bt[j].bytes : bt[j].packets, "vip",
						 l->vip[i], "backend", be_label(l, i, k), NULL);
			}
		}
	}
	free(vt);
	free(bt);
	free(ok);
	return 0;
}

static void put_backends(struct expo *e, struct xlbd *d, const struct labels *l)
{
	size_t i, k, w;

	for (w = 0; w < 2; w++) {
		if (w == 0)
			expo_family(e, "xlb_backend_weight", EXPO_GAUGE,
				    "Weight the backend has in the Maglev table now: the "
				    "configured or runtime weight, 0 when depooled or failed.");
		else
			expo_family(e, "xlb_backend_pooled", EXPO_GAUGE,
				    "1 unless an operator depooled the backend (xlbctl backend "
				    "depool, or its pool state in etcd).");
		for (i = 0; i < d->n_vips; i++) {
			const struct rt_vip *v = &d->vips[i];

			if (v->conf->local)
				continue;
			for (k = 0; k < v->n_backends; k++) {
				const struct rt_backend *b = &v->backends[k];

				expo_u64(e, w ? b->pool == RT_POOLED : rt_backend_weight(b), "vip",
					 l->vip[i], "backend", be_label(l, i, k), NULL);
			}
		}
	}
}

/* One health check's samples; backend NULL for a host-mode VIP's own. */
typedef void (*hc_put_fn)(struct expo *e, const struct hc *hc, const char *vip,
			  const char *backend);

static void hc_up(struct expo *e, const struct hc *hc, const char *vip, const char *be)
{
	expo_u64(e, hc_state(hc) == HC_UP, "vip", vip, "backend", be, NULL);
}

static void hc_probes(struct expo *e, const struct hc *hc, const char *vip, const char *be)
{
	struct hc_counts c;

	hc_get_counts(hc, &c);
	expo_u64(e, c.successes, "vip", vip, "backend", be, "result", "ok", NULL);
	expo_u64(e, c.failures, "vip", vip, "backend", be, "result", "failed", NULL);
}

static void hc_timeouts(struct expo *e, const struct hc *hc, const char *vip, const char *be)
{
	struct hc_counts c;

	hc_get_counts(hc, &c);
	expo_u64(e, c.timeouts, "vip", vip, "backend", be, NULL);
}

static void hc_latency(struct expo *e, const struct hc *hc, const char *vip, const char *be)
{
	uint64_t us;

	if (hc_last_latency_us(hc, &us))
		expo_f64(e, us / 1e6, "vip", vip, "backend", be, NULL);
}

static void checks_each(struct expo *e, struct xlbd *d, const struct labels *l, hc_put_fn fn)
{
	size_t i, k;

	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];

		if (v->hc)
			fn(e, v->hc, l->vip[i], NULL);
		for (k = 0; k < v->n_backends; k++)
			if (v->backends[k].hc)
				fn(e, v->backends[k].hc, l->vip[i], be_label(l, i, k));
	}
}

static void put_health(struct expo *e, struct xlbd *d, const struct labels *l)
{
	expo_family(e, "xlb_health_check_up", EXPO_GAUGE,
		    "1 while the check passes (after rise successes), 0 when it failed (after "
		    "fall failures) or has no verdict yet. No backend label: a host-mode VIP's "
		    "own check.");
	checks_each(e, d, l, hc_up);
	expo_family(e, "xlb_health_check_probes_total", EXPO_COUNTER,
		    "Probes ended, by result (timeouts count as failed).");
	checks_each(e, d, l, hc_probes);
	expo_family(e, "xlb_health_check_timeouts_total", EXPO_COUNTER,
		    "Probes cancelled at the check's timeout.");
	checks_each(e, d, l, hc_timeouts);
	expo_family(e, "xlb_health_check_latency_seconds", EXPO_GAUGE,
		    "How long the latest probe took.");
	checks_each(e, d, l, hc_latency);
}

/* The speaker's peer for each configured neighbor, in config order. */
static struct bgp_peer *peer_of(struct xlbd *d, size_t i, char *name, size_t len)
{
	addr_str(&d->conf->neighbors[i].addr, name, len);
	return d->bgp ? bgp_speaker_peer(d->bgp, name) : NULL;
}

static void put_bgp(struct expo *e, struct xlbd *d)
{
	char nb[INET6_ADDRSTRLEN];
	struct bgp_peer *p;
	size_t i;

	expo_family(e, "xlb_bgp_session_state", EXPO_GAUGE,
		    "BGP session state as in the BGP4-MIB's bgpPeerState: 1 idle, 2 connect, "
		    "3 active, 4 opensent, 5 openconfirm, 6 established.");
	for (i = 0; i < d->conf->n_neighbors; i++)
		if ((p = peer_of(d, i, nb, sizeof(nb))))
			expo_u64(e, p->state + 1, "neighbor", nb, NULL);
	expo_family(e, "xlb_bgp_session_established", EXPO_GAUGE,
		    "1 while the BGP session is established, else 0.");
	for (i = 0; i < d->conf->n_neighbors; i++)
		if ((p = peer_of(d, i, nb, sizeof(nb))))
			expo_u64(e, p->state == BGP_ESTABLISHED, "neighbor", nb, NULL);
	expo_family(e, "xlb_bgp_session_state_change_timestamp_seconds", EXPO_GAUGE,
		    "Unix time of the session's last state change (0: none yet).");
	for (i = 0; i < d->conf->n_neighbors; i++)
		if ((p = peer_of(d, i, nb, sizeof(nb))))
			expo_u64(e, (uint64_t)p->state_since, "neighbor", nb, NULL);
	expo_family(e, "xlb_bgp_session_downs_total", EXPO_COUNTER,
		    "Times the BGP session left Established (a flapping session counts up).");
	for (i = 0; i < d->conf->n_neighbors; i++)
		if ((p = peer_of(d, i, nb, sizeof(nb))))
			expo_u64(e, p->dropped, "neighbor", nb, NULL);
	expo_family(e, "xlb_bgp_routes_announced", EXPO_GAUGE,
		    "Routes (VIP host routes) the neighbor has from us now.");
	for (i = 0; i < d->conf->n_neighbors; i++)
		if ((p = peer_of(d, i, nb, sizeof(nb))))
			expo_u64(e, bgp_peer_announced(p), "neighbor", nb, NULL);
	expo_family(e, "xlb_bgp_messages_received_total", EXPO_COUNTER,
		    "BGP messages received from the neighbor.");
	for (i = 0; i < d->conf->n_neighbors; i++)
		if ((p = peer_of(d, i, nb, sizeof(nb))))
			expo_u64(e, p->msgs_in, "neighbor", nb, NULL);
	expo_family(e, "xlb_bgp_messages_sent_total", EXPO_COUNTER,
		    "BGP messages sent to the neighbor.");
	for (i = 0; i < d->conf->n_neighbors; i++)
		if ((p = peer_of(d, i, nb, sizeof(nb))))
			expo_u64(e, p->msgs_out, "neighbor", nb, NULL);
}

static void put_bfd(struct expo *e, struct xlbd *d)
{
	struct bfd_session_stats st;
	char nb[INET6_ADDRSTRLEN];
	struct bgp_peer *p;
	size_t i, w;

	for (w = 0; w < 5; w++) {
		switch (w) {
		case 0:
			expo_family(e, "xlb_bfd_session_state", EXPO_GAUGE,
				    "BFD session state as RFC 5880 numbers it: 0 AdminDown, "
				    "1 Down, 2 Init, 3 Up.");
			break;
		case 1:
			expo_family(e, "xlb_bfd_session_up", EXPO_GAUGE,
				    "1 while the BFD session is Up, else 0.");
			break;
		case 2:
			expo_family(e, "xlb_bfd_session_downs_total", EXPO_COUNTER,
				    "Times the BFD session left Up.");
			break;
		case 3:
			expo_family(e, "xlb_bfd_packets_received_total", EXPO_COUNTER,
				    "BFD control packets received for the session.");
			break;
		default:
			expo_family(e, "xlb_bfd_packets_sent_total", EXPO_COUNTER,
				    "BFD control packets sent for the session.");
			break;
		}
		for (i = 0; i < d->conf->n_neighbors; i++) {
			enum bfd_state s;

			p = peer_of(d, i, nb, sizeof(nb));
			if (!p || !p->bfd)
				continue;
			s = bfd_session_state(p->bfd);
			bfd_session_stats(p->bfd, &st);
			expo_u64(e, w == 0 ? (uint64_t)s : w == 1 ? s == BFD_STATE_UP :
					      w == 2 ? st.downs : w == 3 ? st.pkts_in : st.pkts_out,
				 "neighbor", nb, NULL);
		}
	}
}

/* The loop's turns (lib/evloop.h): how long xlbd could not notice a new
 * event, and the tables written or waiting. */
static void put_loop(struct expo *e, struct xlbd *d)
{
	static const uint64_t bounds_us[] = EVLOOP_STATS_BOUNDS_US;
	double le[EVLOOP_STATS_BUCKETS - 1];
	struct evloop_stats st;
	uint64_t recent = 0;
	size_t k;

	if (!d->el)
		return;
	evloop_stats_get(d->el, &st);
	for (k = 0; k < EVLOOP_STATS_BUCKETS - 1; k++)
		le[k] = bounds_us[k] / 1e6;
	for (k = 0; k < 10; k++)
		if (st.second_us[k] > recent)
			recent = st.second_us[k];
	expo_family(e, "xlb_loop_turn_seconds", EXPO_HISTOGRAM,
		    "Turns of xlbd's event loop by busy time (callbacks, due timers and "
		    "end-of-turn work between two waits for events).");
	expo_histogram(e, le, st.hist, EVLOOP_STATS_BUCKETS - 1, st.sum_us / 1e6);
	expo_family(e, "xlb_loop_turn_longest_seconds", EXPO_GAUGE,
		    "The longest turn of the event loop since start.");
	expo_f64(e, st.longest_us / 1e6, NULL);
	expo_family(e, "xlb_loop_turn_longest_recent_seconds", EXPO_GAUGE,
		    "The longest turn of the event loop in the last 10 seconds.");
	expo_f64(e, recent / 1e6, NULL);
	expo_family(e, "xlb_tables_written_total", EXPO_COUNTER,
		    "Maglev tables written to the datapath since start.");
	expo_u64(e, d->tables_written, NULL);
	expo_family(e, "xlb_tables_pending", EXPO_GAUGE,
		    "VIPs whose changes wait to be written (a mass change in progress).");
	expo_u64(e, d->tables_pending, NULL);
}

int xlbd_metrics_collect(void *arg, struct buf *out)
{
	struct xlbd *d = arg;
	struct labels l = {};
	struct expo e;
	int err;

	err = labels_make(&l, d);
	if (err)
		goto out;
	expo_init(&e, out);
	put_info(&e, d);
	put_vips(&e, d, &l);
	if (d->dp) {
		put_datapath(&e, d);
		err = put_traffic(&e, d, &l);
		if (err)
			goto out;
	}
	put_backends(&e, d, &l);
	put_health(&e, d, &l);
	put_bgp(&e, d);
	put_bfd(&e, d);
	put_loop(&e, d);
	xlbd_metrics_pool(&e, d);
	expo_family(&e, "xlb_metrics_scrapes_total", EXPO_COUNTER,
		    "Scrapes of this endpoint answered, this one included.");
	expo_u64(&e, metrics_server_scrapes(d->metrics) + 1, NULL);
	err = expo_finish(&e);
out:
	labels_free(&l);
	return err;
}

/* --- the endpoint's life --- */

static bool same_listen(const struct conf_metrics *a, const struct conf_metrics *b)
{
	return a->addr.family == b->addr.family && a->port == b->port &&
	       !memcmp(&a->addr.addr, &b->addr.addr, sizeof(a->addr.addr));
}

static int open_listener(struct xlbd *d, const struct conf_metrics *m,
			 struct metrics_server **out)
{
	return metrics_server_open(d->el, &m->addr, m->port, xlbd_metrics_collect, d, out);
}

static void listen_name(const struct conf_metrics *m, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(&m->addr, a, sizeof(a));
	snprintf(buf, len, m->addr.family == XLB_FAMILY_V6 ? "[%s]:%u" : "%s:%u", a, m->port);
}

void xlbd_metrics_url(struct xlbd *d, char *buf, size_t len)
{
	char where[INET6_ADDRSTRLEN + 8];

	buf[0] = '\0';
	if (!d->conf || !d->conf->metrics.addr.family)
		return;
	listen_name(&d->conf->metrics, where, sizeof(where));
	snprintf(buf, len, "http://%s/metrics", where);
}

/* The running config's listener again, after it was closed for a new
 * one that did not work out. */
static void reopen_old(struct xlbd *d)
{
	const struct conf_metrics *m = &d->conf->metrics;

	if (m->addr.family && open_listener(d, m, &d->metrics))
		log_warnx("metrics: cannot listen on the old address again: the endpoint is off "
			  "until a reload or restart");
}

int xlbd_metrics_start(struct xlbd *d, char *err, size_t errlen)
{
	const struct conf_metrics *m = &d->conf->metrics;
	char where[INET6_ADDRSTRLEN + 8];
	int rc;

	if (!m->addr.family)
		return 0;
	listen_name(m, where, sizeof(where));
	rc = open_listener(d, m, &d->metrics);
	if (rc) {
		snprintf(err, errlen, "metrics listen %s: %s", where, strerror(-rc));
		return rc;
	}
	log_info("metrics on http://%s/metrics", where);
	return 0;
}

/*
 * Reload, before the new config is applied: open the new listener if the
 * address changed, so that a reload whose address cannot be bound is
 * refused with nothing changed. When the new address overlaps the old
 * one (same port; one of them the wildcard, say) the old listener has to
 * go first; if the new one then fails, the old one comes back.
 */
int xlbd_metrics_prepare(struct xlbd *d, const struct xlb_conf *next,
			 struct xlbd_metrics_change *mc, char *err, size_t errlen)
{
	const struct conf_metrics *old = &d->conf->metrics, *m = &next->metrics;
	char where[INET6_ADDRSTRLEN + 8];
	int rc;

	memset(mc, 0, sizeof(*mc));
	/* the same address: nothing to do, unless its listener was lost
	 * (an earlier move that could not go back) */
	if (same_listen(old, m) && (d->metrics || !m->addr.family))
		return 0;
	mc->change = true;
	if (!m->addr.family)
		return 0;
	listen_name(m, where, sizeof(where));
	rc = open_listener(d, m, &mc->next);
	if (rc == -EADDRINUSE && d->metrics && old->port == m->port) {
		metrics_server_close(d->metrics);
		d->metrics = NULL;
		rc = open_listener(d, m, &mc->next);
		if (rc)
			reopen_old(d);
	}
	if (rc) {
		mc->change = false;
		snprintf(err, errlen, "%s: metrics listen %s: %s", next->file, where,
			 strerror(-rc));
	}
	return rc;
}

void xlbd_metrics_commit(struct xlbd *d, struct xlbd_metrics_change *mc, bool applied)
{
	char where[INET6_ADDRSTRLEN + 8];

	if (!mc->change)
		return;
	if (!applied) {
		/* the running config stays, and its listener with it */
		metrics_server_close(mc->next);
		if (!d->metrics)
			reopen_old(d);
		return;
	}
	metrics_server_close(d->metrics);
	d->metrics = mc->next;
	if (d->metrics) {
		listen_name(&d->conf->metrics, where, sizeof(where));
		log_info("metrics now on http://%s/metrics", where);
	} else {
		log_info("metrics endpoint closed");
	}
}
