/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event watches of one health check (watch.c): watch-socket and
 * watch-pidfile. A watch knows nothing of the check it serves: it calls
 * the function it was given when the service is gone (health.c's
 * hc_event_down behind it).
 */
#ifndef XLB_HEALTH_WATCH_H
#define XLB_HEALTH_WATCH_H

#include "config/config.h"
#include "lib/evloop.h"

struct hc_watch;
struct json_writer;

/* The service is gone; detail says how ("watch-socket ...") */
typedef void (*hc_watch_down_fn)(void *arg, const char *detail);

/* None (*out NULL) unless cfg has watch-socket or watch-pidfile. cfg and
 * label are kept, not copied. */
int hc_watch_new(struct evloop *el, const struct conf_health *cfg, const char *label,
		 hc_watch_down_fn down, void *arg, struct hc_watch **out);
void hc_watch_free(struct hc_watch *w);
/* A probe passed: look at the PID file again if no process is watched. */
void hc_watch_probe_ok(struct hc_watch *w);
/* `health show -j`: the check's "watch" value: null, or {sockets: [...],
 * socket_watch_running, sockets_looked_at (destructions looked into),
 * sockets_gone (events), pidfile, pid (0: no process watched now)}. */
void hc_watch_show(const struct hc_watch *w, const struct conf_health *cfg,
		   struct json_writer *json);

#endif
