/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Health checks on xlbd's event loop: one struct hc per checked target (a
 * backend of a forwarding VIP, or a host-mode VIP itself). Each probe is
 * non-blocking; the rise/fall state machine (with the faster interval
 * while a change is in progress) lives in health.c, the probes in one file
 * per checker (tcp.c, http.c, dns.c, exec.c) behind struct hc_checker.
 */
#ifndef XLB_HEALTH_H
#define XLB_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/buf.h"
#include "lib/evloop.h"

struct hc;
struct json_writer;

enum hc_state {
	HC_UNKNOWN = 0,		/* no verdict yet */
	HC_UP,
	HC_DOWN,
};

/* What is probed. */
struct hc_target {
	struct conf_addr addr;	/* the backend's address, or the VIP's (host mode) */
	uint16_t port;		/* from the check, else the VIP's port */
	const char *label;	/* for logs: "203.0.113.10:53/udp backend 198.51.100.11" */
};

/* Called when a target's state changes (after rise/fall). */
typedef void (*hc_change_fn)(void *arg, struct hc *hc, enum hc_state state, const char *reason);

int hc_new(struct evloop *el, const struct conf_health *cfg, const struct hc_target *t,
	   hc_change_fn fn, void *arg, struct hc **out);
void hc_free(struct hc *hc);
enum hc_state hc_state(const struct hc *hc);
/* `xlbctl health show`: state, last result and its detail, last change,
 * latency of the last probe, counts. */
void hc_show(const struct hc *hc, struct buf *text, struct json_writer *json);

/* --- for the checkers --- */

/* One probe in flight. A checker starts it and must call hc_probe_done
 * exactly once (from a callback on the loop, never from start itself),
 * unless the probe is cancelled first. */
struct hc_probe {
	struct hc *hc;
	struct evloop *el;
	const struct conf_health *cfg;
	const struct hc_target *target;
	void *priv;		/* the checker's state */
};

struct hc_checker {
	const char *name;
	int (*start)(struct hc_probe *pr);	/* 0, or -errno: counts as a failure */
	void (*cancel)(struct hc_probe *pr);	/* timeout or shutdown: free everything */
};

void hc_probe_done(struct hc_probe *pr, bool ok, const char *detail);

extern const struct hc_checker hc_checker_tcp, hc_checker_http, hc_checker_https,
	hc_checker_dns, hc_checker_exec;

/* The rise/fall state machine, pure (tested with a fake clock). */
struct hc_sm {
	enum hc_state state;
	uint32_t ok_run;	/* consecutive successes */
	uint32_t fail_run;	/* consecutive failures */
};
/* Feed one probe result; returns true when the state changed. */
bool hc_sm_result(struct hc_sm *sm, const struct conf_health *cfg, bool ok);
/* Interval until the next probe: fast while a change is under way. */
uint32_t hc_sm_next_ms(const struct hc_sm *sm, const struct conf_health *cfg);

#endif
