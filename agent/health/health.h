/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Health checks on xlbd's event loop: one struct hc per checked target (a
 * backend of a forwarding VIP, or a host-mode VIP itself). Each probe is
 * non-blocking; the rise/fall state machine (with the faster interval
 * while a change is in progress) lives in health.c and rise_fall.c, the
 * probes in one file per checker (tcp.c, http.c, dns.c, exec.c) behind
 * struct hc_checker.
 *
 * hc_new() copies the check's settings and the target (address and label),
 * so neither needs to outlive the call; `address` in the check, when set,
 * replaces the target's address. The first probe runs within one
 * fast-interval of hc_new() (at a random point in it, so that many checks
 * made at once do not probe in step); each later one an interval (or a
 * fast-interval, see hc_sm_next_ms) after the start of the one before, or
 * at once when that probe took longer. A probe that has not ended after
 * `timeout` is cancelled and counts as a failure.
 *
 * The change callback runs on the loop, after the result that caused it
 * is recorded and the next probe scheduled; it may call hc_free() on any
 * check, this one included. Exec checks need SIGCHLD not to be ignored
 * (their children are reaped through a pidfd). The http and https checks
 * of a process share one libcurl multi handle, on one loop at a time: run
 * every check on the same loop.
 */
#ifndef XLB_HEALTH_H
#define XLB_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/buf.h"
#include "lib/evloop.h"
#include "health/watch.h"

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
 * latency of the last probe, counts. Either output may be NULL: text gets
 * one line (no indentation, ends in a newline), json one object. */
void hc_show(const struct hc *hc, struct buf *text, struct json_writer *json);

/*
 * An event says the target has failed (host mode: its service's socket
 * closed, its process exited; see watch.c): DOWN at once, whatever fall
 * says, and the change callback runs now. A probe in flight is dropped
 * (it started before the event), and the next one starts at once to
 * confirm; the way back up is the usual one (rise passing probes).
 */
void hc_event_down(struct hc *hc, const char *detail);

/* Probes ended since hc_new(), by outcome (timeouts are failures too). */
struct hc_counts {
	uint64_t probes;
	uint64_t successes;
	uint64_t failures;
	uint64_t timeouts;
	uint64_t events;	/* hc_event_down() calls */
};
void hc_get_counts(const struct hc *hc, struct hc_counts *out);
/* How long the latest finished probe took; false before the first. */
bool hc_last_latency_us(const struct hc *hc, uint64_t *us);
/* The latest probe's detail ("connected", "HTTP 503, want 200..399"); ""
 * before the first result. */
const char *hc_last_detail(const struct hc *hc);
/* The target's label given to hc_new() ("" if none). */
const char *hc_label(const struct hc *hc);

/* --- for the checkers --- */

#define HC_DETAIL_MAX 160	/* longest detail kept, NUL included */
#define HC_STAGE_MAX 48

/* One probe in flight. A checker starts it and must call hc_probe_done
 * exactly once (from a callback on the loop, never from start itself),
 * unless the probe is cancelled first. hc_probe_done must be the
 * checker's last use of the probe: the change callback it may run can
 * free the check, and pr with it, so the checker frees its own state
 * (pr->priv) first, keeping the detail in a buffer of its own (the
 * detail is copied). */
struct hc_probe {
	struct hc *hc;
	struct evloop *el;
	const struct conf_health *cfg;
	const struct hc_target *target;
	void *priv;		/* the checker's state */
	/* what the probe is doing ("connect", "no answer", "still running"):
	 * names a failed start ("connect: Network is unreachable") and a
	 * timeout ("timeout after 500 ms: connect"); set by the checker */
	char stage[HC_STAGE_MAX];
};

struct hc_checker {
	const char *name;
	int (*start)(struct hc_probe *pr);	/* 0, or -errno (having freed what it
						 * made): counts as a failure */
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
/* An event that proves the target down (hc_event_down): DOWN with a full
 * failure run, no success counted; returns true when the state changed. */
bool hc_sm_down(struct hc_sm *sm, const struct conf_health *cfg);
/* Interval until the next probe: fast while a change is under way. */
uint32_t hc_sm_next_ms(const struct hc_sm *sm, const struct conf_health *cfg);

#endif
