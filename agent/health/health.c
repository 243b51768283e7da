// SPDX-License-Identifier: GPL-2.0
/*
 * One health check on the event loop: its probe schedule, the timeout
 * that cancels a probe, the rise/fall verdict (rise_fall.c) and the change
 * callback, and what `xlbctl health show` prints. The probes themselves
 * are the checkers' (tcp.c, http.c, dns.c, exec.c); this file only starts
 * one per due time, and takes its result from hc_probe_done() or from
 * the timeout, whichever comes first.
 *
 * Each check owns two timers and no fd: `next` for the next probe and
 * `timeout` for the probe in flight. Probes are paced from the start of
 * the previous one, so a check keeps its phase and a thousand checks
 * spread over an interval stay spread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/random.h>

#include "health/health.h"
#include "lib/json.h"

struct hc {
	struct evloop *el;
	struct conf_health cfg;		/* own copy, strings included */
	struct hc_target target;	/* own copy; cfg->address applied */
	const struct hc_checker *checker;
	hc_change_fn fn;
	void *arg;
	struct hc_sm sm;
	struct ev_timer next_t;		/* next probe */
	struct ev_timer timeout_t;	/* the probe in flight */
	struct hc_probe probe;
	bool in_flight;
	uint64_t started_ms;		/* loop time of the latest probe's start */
	struct timespec started;	/* the same, precise, for the latency */
	/* the latest finished probe */
	bool has_result;
	bool last_ok;
	char detail[HC_DETAIL_MAX];
	uint64_t latency_us;
	uint64_t ended_ms;
	/* the latest change of state */
	bool has_change;
	char *reason;			/* heap: only checks that changed have one
					 * (a fixed 192 bytes was 0.9 MB at 4595 checks) */
	uint64_t changed_ms;
	/* counts since hc_new() */
	uint64_t n_probes, n_ok, n_fail, n_timeout, n_events;
	/* event watches (watch.c) and the latest event */
	struct hc_watch *watch;
	char *event;			/* heap: only checks that had one */
	uint64_t event_ms;
};

static const struct hc_checker *checker_of(enum conf_hc_kind kind)
{
	switch (kind) {
	case CONF_HC_TCP:
		return &hc_checker_tcp;
	case CONF_HC_HTTP:
		return &hc_checker_http;
	case CONF_HC_HTTPS:
		return &hc_checker_https;
	case CONF_HC_DNS:
		return &hc_checker_dns;
	case CONF_HC_EXEC:
		return &hc_checker_exec;
	default:
		return NULL;
	}
}

static const char *state_name(enum hc_state s)
{
	switch (s) {
	case HC_UP:
		return "up";
	case HC_DOWN:
		return "down";
	default:
		return "unknown";
	}
}

/* Spreads the first probes of checks made together; not security. */
static uint32_t jitter(uint32_t range)
{
	static uint64_t x;

	if (!range)
		return 0;
	if (!x) {
		if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
			x = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
		x |= 1;
	}
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (uint32_t)(x % range);
}

static int str_copy(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

static void cfg_free(struct conf_health *c)
{
	free(c->path);
	free(c->host);
	free(c->expect);
	free(c->query);
	free(c->command);
	free(c->user);
	free(c->watch_pidfile);
}

static int cfg_copy(struct conf_health *dst, const struct conf_health *src)
{
	*dst = *src;
	if (str_copy(&dst->path, src->path) || str_copy(&dst->host, src->host) ||
	    str_copy(&dst->expect, src->expect) || str_copy(&dst->query, src->query) ||
	    str_copy(&dst->command, src->command) || str_copy(&dst->user, src->user) ||
	    str_copy(&dst->watch_pidfile, src->watch_pidfile)) {
		cfg_free(dst);
		return -ENOMEM;
	}
	return 0;
}

static void probe_start(struct evloop *el, void *arg);
static void probe_timeout(struct evloop *el, void *arg);

static void schedule_next(struct hc *hc)
{
	uint64_t now = evloop_now_ms(hc->el);
	uint64_t due = hc->started_ms + hc_sm_next_ms(&hc->sm, &hc->cfg);

	/* -ENOMEM growing the timer heap: nothing to do but stop probing,
	 * which the state shows as a check without recent results */
	evloop_timer_set(hc->el, &hc->next_t, due > now ? due - now : 0, probe_start, hc);
}

static uint64_t since_us(const struct timespec *t0)
{
	struct timespec t;
	int64_t us;

	clock_gettime(CLOCK_MONOTONIC, &t);
	us = (int64_t)(t.tv_sec - t0->tv_sec) * 1000000 + (t.tv_nsec - t0->tv_nsec) / 1000;
	return us > 0 ? (uint64_t)us : 0;
}

/* The end of a probe, whichever way it ended. The change callback runs
 * last: it may free hc. */
static void probe_result(struct hc *hc, bool ok, const char *detail)
{
	char reason[HC_DETAIL_MAX + 32], *copy;
	uint32_t run;

	hc->in_flight = false;
	evloop_timer_cancel(hc->el, &hc->timeout_t);
	hc->has_result = true;
	hc->last_ok = ok;
	snprintf(hc->detail, sizeof(hc->detail), "%s", detail && *detail ? detail : (ok ? "ok" : "failed"));
	hc->latency_us = since_us(&hc->started);
	hc->ended_ms = evloop_now_ms(hc->el);
	hc->n_probes++;
	if (ok) {
		hc->n_ok++;
		hc_watch_probe_ok(hc->watch);
	} else {
		hc->n_fail++;
	}

	if (!hc_sm_result(&hc->sm, &hc->cfg, ok)) {
		schedule_next(hc);
		return;
	}
	schedule_next(hc);
	run = ok ? hc->sm.ok_run : hc->sm.fail_run;
	snprintf(reason, sizeof(reason), "%" PRIu32 " %s: %s", run,
		 ok ? (run == 1 ? "success" : "successes") : (run == 1 ? "failure" : "failures"),
		 hc->detail);
	copy = strdup(reason);
	if (copy) {
		free(hc->reason);
		hc->reason = copy;
	}
	hc->has_change = true;
	hc->changed_ms = hc->ended_ms;
	if (hc->fn)
		hc->fn(hc->arg, hc, hc->sm.state, reason);
}

static void probe_start(struct evloop *el, void *arg)
{
	struct hc *hc = arg;
	char detail[HC_DETAIL_MAX];
	int err;

	hc->probe = (struct hc_probe){
		.hc = hc, .el = el, .cfg = &hc->cfg, .target = &hc->target,
	};
	hc->started_ms = evloop_now_ms(el);
	clock_gettime(CLOCK_MONOTONIC, &hc->started);
	hc->in_flight = true;
	err = evloop_timer_set(el, &hc->timeout_t, hc->cfg.timeout_ms, probe_timeout, hc);
	if (!err)
		err = hc->checker->start(&hc->probe);
	if (err) {
		/* the checker freed what it had; a failed start is a failure */
		snprintf(detail, sizeof(detail), "%s: %s",
			 hc->probe.stage[0] ? hc->probe.stage : hc->checker->name, strerror(-err));
		probe_result(hc, false, detail);
	}
}

static void probe_timeout(struct evloop *el, void *arg)
{
	struct hc *hc = arg;
	char detail[HC_DETAIL_MAX];

	(void)el;
	if (!hc->in_flight)
		return;
	/* the stage may live in the checker's state: read it before cancel */
	snprintf(detail, sizeof(detail), "timeout after %" PRIu32 " ms%s%s", hc->cfg.timeout_ms,
		 hc->probe.stage[0] ? ": " : "", hc->probe.stage);
	hc->checker->cancel(&hc->probe);
	hc->n_timeout++;
	probe_result(hc, false, detail);
}

void hc_probe_done(struct hc_probe *pr, bool ok, const char *detail)
{
	struct hc *hc = pr->hc;

	if (!hc || !hc->in_flight || pr != &hc->probe)
		return;
	probe_result(hc, ok, detail);
}

/* a watch's event, for the check it serves */
static void watch_down(void *arg, const char *detail)
{
	hc_event_down(arg, detail);
}

int hc_new(struct evloop *el, const struct conf_health *cfg, const struct hc_target *t,
	   hc_change_fn fn, void *arg, struct hc **out)
{
	const struct hc_checker *checker = checker_of(cfg->kind);
	struct hc *hc;
	uint32_t first;

	if (!checker || !cfg->interval_ms || !cfg->timeout_ms)
		return -EINVAL;
	hc = calloc(1, sizeof(*hc));
	if (!hc)
		return -ENOMEM;
	if (cfg_copy(&hc->cfg, cfg)) {
		free(hc);
		return -ENOMEM;
	}
	hc->target = *t;
	if (cfg->address.family)
		hc->target.addr = cfg->address;
	if (cfg->port)
		hc->target.port = cfg->port;
	if (str_copy((char **)&hc->target.label, t->label)) {
		cfg_free(&hc->cfg);
		free(hc);
		return -ENOMEM;
	}
	hc->el = el;
	hc->checker = checker;
	hc->fn = fn;
	hc->arg = arg;
	hc->sm.state = HC_UNKNOWN;

	first = hc_sm_next_ms(&hc->sm, &hc->cfg);
	if (evloop_timer_set(el, &hc->next_t, jitter(first), probe_start, hc) ||
	    hc_watch_new(el, &hc->cfg, hc->target.label, watch_down, hc, &hc->watch)) {
		hc_free(hc);
		return -ENOMEM;
	}
	*out = hc;
	return 0;
}

void hc_free(struct hc *hc)
{
	if (!hc)
		return;
	hc_watch_free(hc->watch);
	evloop_timer_cancel(hc->el, &hc->next_t);
	evloop_timer_cancel(hc->el, &hc->timeout_t);
	if (hc->in_flight) {
		hc->in_flight = false;
		hc->checker->cancel(&hc->probe);
	}
	cfg_free(&hc->cfg);
	free((char *)hc->target.label);
	free(hc->reason);
	free(hc->event);
	free(hc);
}

void hc_event_down(struct hc *hc, const char *detail)
{
	char *copy;

	/* the probe in flight began before the event: whatever it says is
	 * about the service before it went */
	if (hc->in_flight) {
		hc->in_flight = false;
		evloop_timer_cancel(hc->el, &hc->timeout_t);
		hc->checker->cancel(&hc->probe);
	}
	hc->n_events++;
	copy = strndup(detail && *detail ? detail : "event", HC_DETAIL_MAX - 1);
	if (copy) {
		free(hc->event);
		hc->event = copy;
	}
	hc->event_ms = evloop_now_ms(hc->el);
	/* a confirming probe at once, after the callback below has acted */
	hc->started_ms = hc->event_ms;
	evloop_timer_set(hc->el, &hc->next_t, 0, probe_start, hc);
	if (!hc_sm_down(&hc->sm, &hc->cfg))
		return;
	copy = strdup(hc->event ? hc->event : "event");
	if (copy) {
		free(hc->reason);
		hc->reason = copy;
	}
	hc->has_change = true;
	hc->changed_ms = hc->event_ms;
	if (hc->fn)
		hc->fn(hc->arg, hc, hc->sm.state, hc->reason ? hc->reason : "event");
}

enum hc_state hc_state(const struct hc *hc)
{
	return hc->sm.state;
}

void hc_get_counts(const struct hc *hc, struct hc_counts *out)
{
	*out = (struct hc_counts){
		.probes = hc->n_probes,
		.successes = hc->n_ok,
		.failures = hc->n_fail,
		.timeouts = hc->n_timeout,
		.events = hc->n_events,
	};
}

bool hc_last_latency_us(const struct hc *hc, uint64_t *us)
{
	*us = hc->latency_us;
	return hc->has_result;
}

const char *hc_last_detail(const struct hc *hc)
{
	return hc->detail;
}

const char *hc_label(const struct hc *hc)
{
	return hc->target.label ? hc->target.label : "";
}

static void addr_format(const struct hc_target *t, bool with_port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	bool v6 = t->addr.family == XLB_FAMILY_V6;

	if (t->addr.family)
		inet_ntop(v6 ? AF_INET6 : AF_INET, t->addr.addr.bytes, a, sizeof(a));
	if (!with_port)
		snprintf(buf, len, "%s", a);
	else if (v6)
		snprintf(buf, len, "[%s]:%u", a, t->port);
	else
		snprintf(buf, len, "%s:%u", a, t->port);
}

void hc_show(const struct hc *hc, struct buf *text, struct json_writer *json)
{
	uint64_t now = evloop_now_ms(hc->el);
	bool has_port = hc->cfg.kind != CONF_HC_EXEC;
	char where[INET6_ADDRSTRLEN + 8];

	addr_format(&hc->target, has_port, where, sizeof(where));
	if (text) {
		buf_printf(text, "%-7s %-5s %s", state_name(hc->sm.state), hc->checker->name, where);
		if (hc->target.label)
			buf_printf(text, " (%s)", hc->target.label);
		if (hc->has_result)
			buf_printf(text, "  last %s %" PRIu64 ".%03" PRIu64 " ms \"%s\" %" PRIu64 " ms ago",
				   hc->last_ok ? "ok" : "failed", hc->latency_us / 1000,
				   hc->latency_us % 1000, hc->detail, now - hc->ended_ms);
		else
			buf_puts(text, "  no result yet");
		if (hc->has_change)
			buf_printf(text, "  changed %" PRIu64 " ms ago: %s", now - hc->changed_ms,
				   hc->reason ? hc->reason : "");
		buf_printf(text,
			   "  probes %" PRIu64 " ok %" PRIu64 " failed %" PRIu64 " (timeouts %" PRIu64
			   ")",
			   hc->n_probes, hc->n_ok, hc->n_fail, hc->n_timeout);
		if (hc->n_events)
			buf_printf(text, "  events %" PRIu64 ", last %" PRIu64 " ms ago: %s",
				   hc->n_events, now - hc->event_ms, hc->event ? hc->event : "");
		buf_puts(text, "\n");
	}
	if (!json)
		return;
	json_object_start(json);
	json_kv_string(json, "kind", hc->checker->name);
	json_kv_string(json, "target", hc->target.label);
	addr_format(&hc->target, false, where, sizeof(where));
	json_kv_string(json, "address", where);
	if (has_port)
		json_kv_u64(json, "port", hc->target.port);
	json_kv_string(json, "state", state_name(hc->sm.state));
	json_kv_u64(json, "rise", hc->cfg.rise);
	json_kv_u64(json, "fall", hc->cfg.fall);
	json_kv_u64(json, "ok_run", hc->sm.ok_run);
	json_kv_u64(json, "fail_run", hc->sm.fail_run);
	json_kv_u64(json, "next_interval_ms", hc_sm_next_ms(&hc->sm, &hc->cfg));
	json_kv_bool(json, "in_flight", hc->in_flight);
	json_key(json, "last");
	if (hc->has_result) {
		json_object_start(json);
		json_kv_bool(json, "ok", hc->last_ok);
		json_kv_string(json, "detail", hc->detail);
		json_kv_u64(json, "latency_us", hc->latency_us);
		json_kv_u64(json, "ago_ms", now - hc->ended_ms);
		json_object_end(json);
	} else {
		json_null(json);
	}
	json_key(json, "change");
	if (hc->has_change) {
		json_object_start(json);
		json_kv_string(json, "reason", hc->reason ? hc->reason : "");
		json_kv_u64(json, "ago_ms", now - hc->changed_ms);
		json_object_end(json);
	} else {
		json_null(json);
	}
	json_kv_u64(json, "probes", hc->n_probes);
	json_kv_u64(json, "successes", hc->n_ok);
	json_kv_u64(json, "failures", hc->n_fail);
	json_kv_u64(json, "timeouts", hc->n_timeout);
	json_kv_u64(json, "events", hc->n_events);
	json_key(json, "last_event");
	if (hc->n_events) {
		json_object_start(json);
		json_kv_string(json, "detail", hc->event ? hc->event : "");
		json_kv_u64(json, "ago_ms", now - hc->event_ms);
		json_object_end(json);
	} else {
		json_null(json);
	}
	json_key(json, "watch");
	hc_watch_show(hc->watch, &hc->cfg, json);
	json_object_end(json);
}
