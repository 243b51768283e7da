/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon: struct xlbd (the running config, the runtime model of
 * core/model.h, the subsystems it drives) and what each file of core/
 * offers the others, file by file.
 */
#ifndef XLB_CORE_XLBD_H
#define XLB_CORE_XLBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <linux/types.h>

#include "config/config.h"
#include "core/model.h"
#include "lib/buf.h"
#include "lib/evloop.h"
#include "lib/privdrop.h"
#include "version.h"	/* XLB_VERSION, generated into build/ (tools/version.sh) */

struct evloop;
struct xlb_dp;
struct xlb_vip_key;
struct maglev_backend;
struct ctl_server;
struct bgp_speaker;
struct metrics_server;
struct xlbd_pool;

struct xlbd {
	const char *conf_path;
	struct xlb_conf *conf;
	struct rt_vip *vips;
	size_t n_vips;
	struct conf_addr *addrs_disabled;	/* vip disable --address: kept across reloads */
	size_t n_addrs_disabled;
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
	struct xlbd_pool *pool;		/* NULL without `pool-state etcd` (core/pool.h) */
	int64_t pool_revision;		/* etcd revision of the pool state applied (or read
					 * back from the state file); 0 = none */
	__u8 vip_ids[XLB_MAX_VIPS];	/* 1 = in use */
	__u8 be_ids[XLB_MAX_BACKENDS];	/* 1 = in use */
	/* changes on their way to the datapath (tables.c) */
	struct ev_defer changes;	/* the end-of-turn write */
	__s32 queue_head, queue_tail;	/* VIPs whose table waits, by index */
	size_t n_queued;		/* in that queue */
	size_t tables_pending;		/* VIPs with something to write */
	bool routes_dirty;		/* route states may have changed */
	bool hold_changes;		/* start-up: mark, write nothing yet */
	bool sc_state_dirty;		/* second chance's tables changed since the state
					 * file was saved */
	uint64_t tables_written;	/* Maglev tables written since start */
	struct xlbd_waiter *waiters;	/* answers held until nothing waits */
	size_t n_waiters;
	/* the address markers in `vips` (apply.c): address, family, flags */
	struct xlbd_marker *markers;
	size_t n_markers;
	/* the round of next-hop lookups under way (nexthops.c) */
	struct ev_defer nh_turn;
	struct nexthop_resolver *nh_res;	/* NULL: no round under way */
	size_t nh_vip, nh_be;		/* where the round is */
	/* instance.c: what xlbd holds for its life; -1 = not held */
	int lock_socket;		/* flock on CONTROL-SOCKET.lock */
	int lock_pins;			/* flock on the pin directory */
	int lock_iface;			/* abstract unix socket of the XDP interface */
	char *pins_made;		/* the pin directory, when this xlbd made it */
};

/* An address marker: a VIP address and which protocols have an
 * all-ports VIP there. */
struct xlbd_marker {
	struct xlb_vip_key key;		/* proto 0, port 0 */
	__u16 flags;			/* XLB_VIP_F_MARKER | XLB_VIP_F_ANY_* */
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
/* Remove every VIP from the datapath and free the runtime model. */
void xlbd_release(struct xlbd *d, bool clear_datapath);

/* tables.c: the model into the datapath, at the end of the loop's turn */
/* What changed in a VIP's runtime state. */
enum xlbd_change {
	XLBD_CHANGE_ROUTE,	/* only what its announcement rests on (a check's verdict) */
	XLBD_CHANGE_TABLE,	/* its table too: a backend in or out, pooled, weighted */
	XLBD_CHANGE_NEXTHOP,	/* a backend's next hop: its entry only, no table */
};
/* A VIP's runtime state changed (checks, xlbctl, reloads, the pool
 * state): the one entry point. Marks the VIP; at the end of the loop's
 * turn every marked VIP is written once and the routes are decided
 * once (without a loop — tools, tests — at once). 0, or without a loop
 * the datapath's -errno. */
int xlbd_vip_changed(struct xlbd *d, struct rt_vip *v, enum xlbd_change what);
/* Write v's marked changes now (xlbctl: its answer says whether the
 * datapath took them). 0 or -errno. */
int xlbd_vip_apply(struct xlbd *d, struct rt_vip *v);
/* Mark v's table and write it now. */
int xlbd_vip_sync(struct xlbd *d, struct rt_vip *v);
/* Write every marked change now, however long it takes (start-up, exit
 * with -k), and decide the routes. 0 or the first -errno. */
int xlbd_changes_apply(struct xlbd *d);
/* second chance: retire the previous tables whose time is up (their
 * tables are written again without them), then xlbd_state_flush: every
 * second (main.c's timer). */
void xlbd_tables_sc_expire(struct xlbd *d);
/* Answer the control request being dispatched (body: its answer) once
 * nothing waits to be written: CTL_DEFERRED, or 0 if nothing waits (the
 * answer goes now) or it cannot be held. `xlbctl reload` answers when
 * the datapath has the new config. */
int xlbd_changes_answer_when_done(struct xlbd *d, const struct buf *body);
/* Held answers go now (the control socket closes). */
void xlbd_changes_waiters_drop(struct xlbd *d);
/* The VIP array was replaced (a reload): the queue follows the marks. */
void xlbd_changes_rebase(struct xlbd *d);
/* The datapath's key of a VIP. */
void xlbd_vip_key(const struct conf_vip *c, struct xlb_vip_key *k);

/* nexthops.c: the backends' next hops, looked up in rounds spread over
 * the loop's turns (a few ms each); a changed one rewrites the backend's
 * entry. Starts a round unless one is under way. */
void xlbd_nexthops_refresh(struct xlbd *d);
/* Stop the round under way (exit). */
void xlbd_nexthops_stop(struct xlbd *d);

/* second_chance.c: a VIP's previous table (README "Second chance") */
/* A table in use for less than this is not kept as a previous table: the
 * one before it stays (a burst of changes counts as one). */
#define XLBD_SC_SETTLE_MS	60000
/* The table tables.c is about to write for v, of size slots built from
 * mb[0..n): the model's current and previous tables follow it (the rule
 * in second_chance.c). Sets d->sc_state_dirty when they changed: the
 * state file gets them from xlbd_state_flush. 0 or -errno. */
int xlbd_sc_update(struct xlbd *d, struct rt_vip *v, const struct maglev_backend *mb, size_t n,
		   __u32 size);
/* fp, the fingerprint of v's current table's input (maglev_inputs_hash),
 * combined with its previous table's when one is in use at `size`: what
 * the slots written hold, so that a restart reads a table in place only
 * when its previous owners are the ones it would write. */
__u64 xlbd_sc_fingerprint(const struct rt_vip *v, __u32 size, __u64 fp);
/* Put the previous table's owners into table's slots (maglev_prev_merge)
 * while one is in use at `size`. 0 or -errno (the table is then written
 * without). */
int xlbd_sc_merge(struct rt_vip *v, __u32 *table, __u32 size);
/* The state file's lines of v's tables (the file's format: state.c);
 * appends at buf + *off, -ENOBUFS when it does not fit. */
int xlbd_sc_state_format(const struct rt_vip *v, char *buf, size_t len, size_t *off);
/* One `table` or `previous` line of the state file (the words of it). */
int xlbd_sc_state_line(struct xlbd *d, char **w, int nw);
void rt_sc_free(struct rt_sc *sc);

/* announce.c: hands the route states (model.c decides them) to BGP */
/* Route states may have changed: tell the speaker. */
void xlbd_announce_changed(struct xlbd *d);
/* vip disable/enable: graceful shutdown first, then withdraw */
void xlbd_vip_set_disabled(struct xlbd *d, struct rt_vip *v, bool disabled);
/* vip disable/enable --address: the same for every VIP on address a, and
 * for VIPs a reload adds there later. 0, or -ENOMEM. */
int xlbd_addr_set_disabled(struct xlbd *d, const struct conf_addr *a, bool disabled);
/* The same in the model only (the state file at start-up, before anything
 * is announced). */
int xlbd_addr_mark_disabled(struct xlbd *d, const struct conf_addr *a, bool disabled);
/* Look at the disable files; withdraw or re-announce what changed. */
void xlbd_disable_files_check(struct xlbd *d);
/* Start the speaker, or make it follow a new config. */
int xlbd_bgp_start(struct xlbd *d);

/* checks.c: health checks of a VIP's backends (or of a host-mode VIP) */
/* Start the checks v needs that are not running; keep running ones whose
 * check is configured the same. */
int xlbd_checks_start(struct xlbd *d, struct rt_vip *v, const struct conf_vip *old);
void xlbd_checks_stop_backend(struct rt_backend *b);
/* v is where it is now in d->vips (after a reload): its checks find it
 * there at once. */
void xlbd_checks_rehome(struct xlbd *d, struct rt_vip *v);
void xlbd_checks_stop_vip(struct rt_vip *v);

/* vipaddr.c: host-mode VIP addresses on their interface (add-address) */
/* Add the addresses VIPs want, remove marked ones no VIP wants. force:
 * also when no VIP has add-address (at start). */
int xlbd_vipaddr_sync(struct xlbd *d, bool force);
/* Remove every address xlbd added (exit without -k). */
int xlbd_vipaddr_clear(struct xlbd *d);

/* instance.c: one xlbd per control socket, pin path and XDP interface */
/* Take the locks before anything else is touched; -EWOULDBLOCK or
 * -EADDRINUSE when another xlbd holds one (err names it and its pid). */
int xlbd_instance_lock(struct xlbd *d, const struct xlb_conf *c, char *err, size_t errlen);
/* At exit, after the datapath: let the next xlbd in. */
void xlbd_instance_unlock(struct xlbd *d);

/* notify.c: systemd's Type=notify protocol (sd_notify; nothing without
 * NOTIFY_SOCKET) */
/* READY=1 and the STATUS= line: start-up is complete. */
void xlbd_notify_ready(struct xlbd *d);
/* RELOADING=1 (with MONOTONIC_USEC) as a reload starts; READY=1 when it
 * is over, with the refusal's reason (error) in STATUS= if it failed. */
void xlbd_notify_reloading(struct xlbd *d);
void xlbd_notify_reloaded(struct xlbd *d, const char *error);
/* STOPPING=1: the graceful shutdown has begun. */
void xlbd_notify_stopping(struct xlbd *d);
/* A new STATUS= line (the announced VIPs changed). */
void xlbd_notify_status(struct xlbd *d);

/* reload.c: reload the config file now; err gets the reason on failure */
int xlbd_reload(struct xlbd *d, char *err, size_t errlen);
/* Log what conf asks that will not work (config/warn.c) as warnings with
 * file:line; xdp: also a missing `xdp interface`. */
void xlbd_conf_warnings(const struct xlb_conf *conf, bool xdp);

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

/* pool.c: the pool state from etcd (pool-state etcd) */
/* Read the password and TLS files, connect and follow the cluster's
 * prefix; nothing without pool-state etcd. At start-up, before the
 * privileges go (the files may be root's). */
int xlbd_pool_start(struct xlbd *d, char *err, size_t errlen);
void xlbd_pool_stop(struct xlbd *d);
/* The node's registration changed (a table, the applied revision): put
 * it in etcd. Nothing without pool-state etcd. */
void xlbd_pool_publish(struct xlbd *d);
/* A reload built a new model: apply etcd's state to it again (new VIPs
 * and backends have none yet) and publish. Nothing before the store runs. */
void xlbd_pool_config_changed(struct xlbd *d);

/* state.c */
/* Write the runtime state of every VIP to the state file (atomic). */
int xlbd_state_save(struct xlbd *d);
/* Save the state file if second chance's tables changed (d->sc_state_dirty):
 * at most once a second while the loop runs — a mass change rewrites
 * hundreds of tables a second, and the file (~250 KB at full size) is
 * fsynced — and at start-up and exit. */
void xlbd_state_flush(struct xlbd *d);
/* Read the state file into the runtime model of the running config;
 * entries for VIPs or backends no longer configured are dropped. */
int xlbd_state_load(struct xlbd *d);
/* The state as text (the file format), for tests. */
int xlbd_state_format(struct xlbd *d, char *buf, size_t len);
int xlbd_state_parse(struct xlbd *d, const char *text, char *err, size_t errlen);

#endif
