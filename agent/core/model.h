/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbd's runtime model: for every VIP and backend of the running config,
 * the node-local datapath ids, the health-check verdicts and the
 * operator's runtime state (disabled VIPs, depooled backends, weight
 * overrides; state.c keeps it across restarts). struct xlbd (core/xlbd.h)
 * holds the array of VIPs.
 *
 * model.c answers the questions everyone asks of it, all named rt_*:
 * which VIP or backend an operator means, what weight a backend has in
 * the table, and the announce rule (is a VIP up, which route state BGP
 * gets). Other files change the model and then say so: xlbd_vip_changed()
 * (tables.c) or xlbd_vip_set_disabled() (announce.c).
 */
#ifndef XLB_CORE_MODEL_H
#define XLB_CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "config/config.h"
#include "maps/nexthop.h"
#include "xlb_shared.h"

struct xlbd;
struct hc;
struct check_ctx;
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
	RT_INACTIVE,		/* pool state `inactive` (etcd): out of the pool altogether,
				 * no flows, not counted in the VIP's backends */
};

struct rt_backend {
	const struct conf_backend *conf;
	__u32 id;		/* datapath backend id; 0 = none (no datapath) */
	__u32 gen;		/* datapath generation of that id */
	struct xlb_backend dp_be; /* its entry in `backends` now, if dp_known */
	bool dp_known;		/* written by us, or found there at start */
	bool nh_looked;		/* a round of core/nexthops.c has looked it up */
	bool has_nh;		/* and found nh, its next hop */
	struct nexthop_info nh;
	enum rt_pool pool;
	bool has_weight;	/* runtime weight override */
	__u32 weight;		/* the override */
	bool healthy;		/* not failed: stays in the table (unknown counts as healthy) */
	int hc_state;		/* enum hc_state of its check; HC_UNKNOWN without one */
	struct hc *hc;		/* its health check, NULL without one */
	struct check_ctx *hc_ctx;
	__u32 slots;		/* slots in the current Maglev table */
};

/* A Maglev table as every node builds it: its weighted backends (sorted
 * by family and address) and its size. */
struct rt_table_be {
	union xlb_addr addr;
	__u8 family;
	__u32 weight;
};

struct rt_table {
	struct rt_table_be *be;
	size_t n;
	__u32 size;		/* slots; 0 = no table */
};

/* Second chance (second_chance.c, README "Second chance"): a VIP's
 * current table and the previous one that stays in use after it. Times
 * are wall-clock ms: they are kept in the state file across restarts. */
struct rt_sc {
	struct rt_table cur;	/* the table in the datapath */
	uint64_t cur_since;	/* when it became the current one */
	struct rt_table prev;	/* the previous table; size 0 = none */
	uint64_t prev_until;	/* in use until */
	size_t prev_slots;	/* slots whose owner differs between the two */
};

struct rt_vip {
	const struct conf_vip *conf;
	__u32 id;		/* datapath VIP id */
	bool has_id;
	/* the datapath's side (tables.c): what `vips` and `vip_encap` hold
	 * for it now, and whether its table waits to be written */
	struct xlb_vip dp_vip;
	bool dp_vip_known;	/* dp_vip is its entry (written, or found at start) */
	bool dp_check_table;	/* found at start: compare the table before writing */
	struct xlb_vip_encap dp_encap;
	bool dp_encap_known;
	__u8 dirty;		/* what of it is to be written (tables.c: DIRTY_*) */
	bool queued;		/* in the queue of tables to write */
	__s32 next_queued;	/* the next one there (index in the VIP array), -1: none */
	bool disabled;		/* administratively withdrawn (vip disable VIP) */
	bool addr_disabled;	/* its address is (vip disable --address ADDR) */
	struct rt_backend *backends;
	size_t n_backends;
	__u32 ring_size;	/* size of the table in the datapath; 0 = none written */
	uint64_t fingerprint;	/* of that table (maps/fingerprint.h); valid with ring_size */
	uint64_t gshut_until;	/* admin down: announced with GRACEFUL_SHUTDOWN until (monotonic ms) */
	uint64_t failed_at;	/* withdrawn by itself at (monotonic ms): hold-down runs */
	int local_state;	/* host mode: enum hc_state of the VIP's own check */
	struct hc *hc;		/* host mode: the local service's check */
	struct check_ctx *hc_ctx;
	int last_route;		/* enum bgp_route_state last given to BGP */
	bool file_disabled;	/* its (or the global) disable file exists */
	enum rt_addr addr_state;	/* add-address: is the address there, whose */
	int addr_err;		/* add-address: last error (-errno), logged once */
	struct rt_sc sc;	/* second chance: current and previous table */
};

/* The VIP spec names: its config `name`, or "ADDR:PORT/PROTO" as
 * conf_vip_format() writes it. NULL if none. */
struct rt_vip *rt_vip_find(struct xlbd *d, const char *spec);
/* v's backend with address addr (IPv4 or IPv6 text); NULL if none. */
struct rt_backend *rt_backend_find(struct rt_vip *v, const char *addr);

/* b's weight in its VIP's table: 0 when depooled or failed, else the
 * runtime override or the configured weight. */
__u32 rt_backend_weight(const struct rt_backend *b);
/* The Maglev input of v's table now (what tables.c writes): one entry
 * per backend, weights as rt_backend_weight() says; mb has room for
 * v->n_backends. */
struct maglev_backend;
void rt_vip_maglev_input(const struct rt_vip *v, struct maglev_backend *mb);
/* Does b still take the flows its entries hold (present in the datapath:
 * neither failed nor depooled --now nor inactive)? */
bool rt_backend_keeps_flows(const struct rt_backend *b);
/* "pooled", "depooled", "depooled-now", "inactive" */
const char *rt_pool_name(enum rt_pool p);
/* Is v up: enabled, no disable file, and enough usable backends (host
 * mode: its own check passing)? *healthy (if not NULL) gets the number
 * of usable backends. */
bool rt_vip_would_announce(const struct rt_vip *v, size_t *healthy);
/* The route state BGP gets for v now (announced, graceful shutdown,
 * withdrawn): rt_vip_would_announce() with the hold-down after a failure
 * and the graceful shutdown of a disabled VIP. */
enum bgp_route_state rt_vip_route(struct xlbd *d, const struct rt_vip *v);
/* Disabled by the operator, the VIP itself or its whole address. */
static inline bool rt_vip_admin_down(const struct rt_vip *v)
{
	return v->disabled || v->addr_disabled;
}

/*
 * Routes are per address: BGP sends one host route for an address, and
 * it is up while any VIP on that address is up (web tcp/80 and dns
 * udp/53 on 203.0.113.10 share one /32). The route of address a: the
 * best state of the VIPs on it (announced before graceful shutdown before
 * withdrawn), as bgp/routes.c merges them.
 */
enum bgp_route_state rt_addr_route(struct xlbd *d, const struct conf_addr *a);
/* The next VIP after `prev` (NULL: the first) on address a that gives it
 * its route state `st` (rt_addr_route(d, a), computed once by the
 * caller): the VIPs that hold the route up; none when st is withdrawn. */
struct rt_vip *rt_addr_holder_next(struct xlbd *d, const struct conf_addr *a,
				   enum bgp_route_state st, const struct rt_vip *prev);
/* Is address a taken out by `vip disable --address`? */
bool rt_addr_disabled(const struct xlbd *d, const struct conf_addr *a);
/* "announced", "graceful-shutdown", "withdrawn" */
const char *rt_route_name(enum bgp_route_state s);

#endif
