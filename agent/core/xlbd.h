/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbd's runtime model: the running config, and for every VIP and backend
 * the node-local datapath ids and the operator's runtime state (disabled
 * VIPs, depooled backends, weight overrides) that survives restarts in
 * the state file. apply.c turns it into map writes, state.c persists it,
 * handlers.c answers xlbctl.
 */
#ifndef XLB_CORE_XLBD_H
#define XLB_CORE_XLBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <linux/types.h>

#include "config/config.h"
#include "lib/buf.h"
#include "lib/evloop.h"
#include "lib/privdrop.h"

#define XLB_VERSION "0.1.0"

struct evloop;
struct xlb_dp;
struct ctl_server;
struct bgp_speaker;
struct hc;
struct check_ctx;
struct metrics_server;
enum bgp_route_state;

/* A host-mode VIP's address on its add-address interface */
enum rt_addr {
	RT_ADDR_NONE = 0,	/* not there (or no add-address) */
	RT_ADDR_ADDED,		/* there, added by xlbd (marked) */
	RT_ADDR_PRESENT,	/* there, put there by someone else: never removed */
};

enum rt_pool {
	RT_POOLED = 0,
	RT_DEPOOLED,		/* drain: no new flows, existing flows stay */
	RT_DEPOOLED_NOW,	/* no flows at all: existing ones move */
};

struct rt_backend {
	const struct conf_backend *conf;
	__u32 id;		/* datapath backend id; 0 = none (no datapath) */
	__u32 gen;		/* datapath generation of that id */
	enum rt_pool pool;
	bool has_weight;	/* runtime weight override */
	__u32 weight;		/* the override */
	bool healthy;		/* not failed: stays in the table (unknown counts as healthy) */
	int hc_state;		/* enum hc_state of its check; HC_UNKNOWN without one */
	struct hc *hc;		/* its health check, NULL without one */
	struct check_ctx *hc_ctx;
	__u32 slots;		/* slots in the current Maglev table */
};

struct rt_vip {
	const struct conf_vip *conf;
	__u32 id;		/* datapath VIP id */
	bool has_id;
	bool disabled;		/* administratively withdrawn */
	struct rt_backend *backends;
	size_t n_backends;
	__u32 ring_size;	/* size of the table in the datapath; 0 = none written */
	uint64_t gshut_until;	/* disabled: announced with GRACEFUL_SHUTDOWN until (monotonic ms) */
	uint64_t failed_at;	/* withdrawn by itself at (monotonic ms): hold-down runs */
	int local_state;	/* host mode: enum hc_state of the VIP's own check */
	struct hc *hc;		/* host mode: the local service's check */
	struct check_ctx *hc_ctx;
	int last_route;		/* enum bgp_route_state last given to BGP */
	bool file_disabled;	/* its (or the global) disable file exists */
	enum rt_addr addr_state;	/* add-address: is the address there, whose */
	int addr_err;		/* add-address: last error (-errno), logged once */
};

struct xlbd {
	const char *conf_path;
	struct xlb_conf *conf;
	struct rt_vip *vips;
	size_t n_vips;
	struct evloop *el;
	struct xlb_dp *dp;		/* NULL without `xdp interface` */
	struct ctl_server *ctl;
	struct bgp_speaker *bgp;	/* NULL without neighbors */
	struct ev_timer t_gshut;	/* end of the next graceful shutdown */
	bool keep_datapath;		/* leave XDP and maps in place on exit */
	bool vipaddr_used;		/* some VIP had add-address at the last sync */
	struct privs_user user;		/* -u: the user xlbd runs as after start-up */
	bool privs_dropped;		/* start-up is over: only `privs` are kept */
	unsigned privs;			/* PRIVS_* kept (lib/privdrop.h) */
	time_t started;
	char last_reload[CONF_ERR_MAX + 64]; /* result of the last reload */
	uint64_t reloads_ok, reloads_failed;
	bool last_reload_failed;
	time_t config_loaded;		/* wall clock of the last successful load */
	struct metrics_server *metrics;	/* NULL without `metrics listen` */
	__u8 vip_ids[XLB_MAX_VIPS];	/* 1 = in use */
	__u8 be_ids[XLB_MAX_BACKENDS];	/* 1 = in use */
};

/* apply.c */
/* Make the running state follow `conf` (first start or reload). Takes
 * ownership of conf on success. */
int xlbd_apply(struct xlbd *d, struct xlb_conf *conf, char *err, size_t errlen);
/* First start: apply conf and the state file, then write every table once.
 * Takes ownership of conf once d->conf is set. */
int xlbd_apply_start(struct xlbd *d, struct xlb_conf *conf, char *err, size_t errlen);
/* Adopt datapath ids of a balancer a previous xlbd left running. */
int xlbd_adopt(struct xlbd *d);
/* Rebuild one VIP's table and backend entries after a runtime change. */
int xlbd_vip_sync(struct xlbd *d, struct rt_vip *v);
/* Re-resolve the VIP's backends' next hops; rewrite entries that changed. */
void xlbd_nexthop_refresh(struct xlbd *d, struct rt_vip *v);
/* Remove every VIP from the datapath and free the runtime model. */
void xlbd_release(struct xlbd *d, bool clear_datapath);
__u32 rt_backend_weight(const struct rt_backend *b);
bool rt_vip_would_announce(const struct rt_vip *v, size_t *healthy);

/* lookup helpers: by name or "ADDR:PORT/PROTO" form, and backend by address */
struct rt_vip *xlbd_vip_find(struct xlbd *d, const char *spec);
struct rt_backend *rt_vip_backend_find(struct rt_vip *v, const char *addr);

/* announce.c: the one place that decides what BGP announces */
/* Route states may have changed: tell the speaker. */
void xlbd_announce_changed(struct xlbd *d);
/* vip disable/enable: graceful shutdown first, then withdraw */
void xlbd_vip_set_disabled(struct xlbd *d, struct rt_vip *v, bool disabled);
/* The route state BGP gets for v (announced, graceful shutdown, withdrawn). */
enum bgp_route_state xlbd_vip_route(struct xlbd *d, const struct rt_vip *v);
/* Look at the disable files; withdraw or re-announce what changed. */
void xlbd_disable_files_check(struct xlbd *d);
/* Start the speaker, or make it follow a new config. */
int xlbd_bgp_start(struct xlbd *d);

/* checks.c: health checks of a VIP's backends (or of a host-mode VIP) */
/* Start the checks v needs that are not running; keep running ones whose
 * check is configured the same. */
int xlbd_checks_start(struct xlbd *d, struct rt_vip *v, const struct conf_vip *old);
void xlbd_checks_stop_backend(struct rt_backend *b);
void xlbd_checks_stop_vip(struct rt_vip *v);
/* `xlbctl health show [VIP]` */
struct json_writer;
void xlbd_checks_show(struct xlbd *d, struct rt_vip *only, struct buf *text,
		      struct json_writer *json);

/* vipaddr.c: host-mode VIP addresses on their interface (add-address) */
/* Add the addresses VIPs want, remove marked ones no VIP wants. force:
 * also when no VIP has add-address (at start). */
int xlbd_vipaddr_sync(struct xlbd *d, bool force);
/* Remove every address xlbd added (exit without -k). */
int xlbd_vipaddr_clear(struct xlbd *d);

/* main.c: reload the config file now; err gets the reason on failure */
int xlbd_reload(struct xlbd *d, char *err, size_t errlen);

/* privs_needed.c: what the config needs from xlbd's privileges */
/* PRIVS_* flags the running config needs kept after start-up. */
unsigned xlbd_privs_needed(const struct xlbd *d);
/* Refuse (file:line, -EPERM) a new config that needs a privilege xlbd
 * dropped at start-up. */
int xlbd_privs_check(const struct xlbd *d, const struct xlb_conf *conf, char *err, size_t errlen);

/* handlers.c: open the control socket and answer xlbctl */
int xlbd_ctl_open(struct xlbd *d);

/* metrics_collect.c: what the Prometheus endpoint (metrics/) exports, and its life */
/* The page (metrics_collect_fn; arg is the struct xlbd). */
int xlbd_metrics_collect(void *arg, struct buf *out);
/* "http://192.0.2.10:9273/metrics" of the running config ("" when off). */
#define CONF_ADDR_URL_MAX 80
void xlbd_metrics_url(struct xlbd *d, char *buf, size_t len);
/* Open the endpoint of the running config, if it has one. */
int xlbd_metrics_start(struct xlbd *d, char *err, size_t errlen);
/* Reload: the endpoint moves in two steps around xlbd_apply(). prepare
 * opens the new listener (and fails, changing nothing, when it cannot);
 * commit keeps it if the new config was applied, else goes back. */
struct xlbd_metrics_change {
	bool change;			/* the new config listens elsewhere (or not at all) */
	struct metrics_server *next;	/* its listener; NULL = off */
};
int xlbd_metrics_prepare(struct xlbd *d, const struct xlb_conf *next,
			 struct xlbd_metrics_change *mc, char *err, size_t errlen);
void xlbd_metrics_commit(struct xlbd *d, struct xlbd_metrics_change *mc, bool applied);

/* state.c */
/* Write the runtime state of every VIP to the state file (atomic). */
int xlbd_state_save(struct xlbd *d);
/* Read the state file into the runtime model of the running config;
 * entries for VIPs or backends no longer configured are dropped. */
int xlbd_state_load(struct xlbd *d);
/* The state as text (the file format), for tests. */
int xlbd_state_format(struct xlbd *d, char *buf, size_t len);
int xlbd_state_parse(struct xlbd *d, const char *text, char *err, size_t errlen);

#endif
