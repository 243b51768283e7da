/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parsed configuration of xlbd (the language is described in
 * doc/xlb.conf.5 and README). A struct xlb_conf is immutable once parsed:
 * a reload parses a new one, compares, and swaps.
 *
 * Addresses are network order in union xlb_addr with a family
 * (XLB_FAMILY_V4/V6); durations are milliseconds. The parser fills in
 * every default named below, so a field is unset only where the comment
 * says what unset means.
 */
#ifndef XLB_CONFIG_H
#define XLB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include <sys/socket.h>
#include "xlb_shared.h"

#define CONF_ERR_MAX 512	/* room for "file:line: message" */
#define CONF_VIP_STRLEN 64	/* room for conf_vip_format(): [v6]:port/proto */
#define CONF_ADDR_STRLEN 64	/* room for any address as text, with a /len */

struct conf_addr {
	union xlb_addr addr;
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6; 0 = unset */
};

/* allowed-prefixes entry: PREFIX/LEN [max MAXLEN] */
struct conf_prefix {
	struct conf_addr net;	/* host bits zero */
	__u8 len;
	__u8 max_len;		/* longest announcement allowed inside; default 32/128 */
};

enum conf_hc_kind {
	CONF_HC_NONE = 0,
	CONF_HC_TCP,
	CONF_HC_HTTP,
	CONF_HC_HTTPS,
	CONF_HC_DNS,
	CONF_HC_EXEC,
};

#define CONF_HTTP_STATUS_MAX 8
#define CONF_WATCH_SOCKETS_MAX 4

/* `watch-socket`: a local service's socket whose closing fails the check */
struct conf_watch_socket {
	struct conf_addr addr;	/* the socket's local address; family 0 = any (`*`) */
	__u16 port;		/* host order, > 0 */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
};

struct conf_health {
	enum conf_hc_kind kind;
	__u32 interval_ms;	/* default 1000 */
	__u32 fast_interval_ms;	/* while a state change is in progress; 100..interval,
				 * default max(100, interval/4) */
	__u32 timeout_ms;	/* < interval; default min(1000, interval/2) */
	__u32 rise;		/* default 2 */
	__u32 fall;		/* default 2 */
	__u16 port;		/* filled by the parser: given, else the VIP's port, else 53
				 * for dns (tcp/http need it if the VIP has none); 0 for exec */
	struct conf_addr address; /* probe this address instead of the backend's / VIP's */
	/* http, https */
	char *path;		/* default "/" */
	char *host;		/* Host header; NULL = address */
	__u16 status[CONF_HTTP_STATUS_MAX]; /* accepted status codes; empty = 200..399 */
	size_t n_status;
	char *expect;		/* body must contain this; NULL = anything */
	bool insecure;		/* https: no certificate verification */
	/* dns */
	char *query;		/* name to ask */
	__u16 qtype;		/* RR type number; default 1 (A) */
	__u8 rcode;		/* expected rcode; default 0 (NOERROR) */
	bool dns_tcp;		/* over TCP instead of UDP */
	bool nonempty;		/* answer section must not be empty */
	/* exec */
	char *command;		/* run by /bin/sh -c */
	char *user;		/* run as this user; default "nobody" */
	/* host mode: events that fail the check at once (health/watch.c) */
	struct conf_watch_socket watch_socket[CONF_WATCH_SOCKETS_MAX];
	size_t n_watch_socket;
	char *watch_pidfile;	/* `watch-process FILE`: the process it names; NULL = none */
};

struct conf_backend {
	struct conf_addr addr;
	__u32 weight;		/* default 100; 0 = no new flows */
	int line;
};

struct conf_vip {
	char *name;		/* optional `name`; NULL = none */
	char *disable_file;	/* while this file exists the VIP is withdrawn; NULL = none */
	char *add_address;	/* local VIP: interface xlbd puts the address on; NULL = none */
	struct conf_addr addr;
	__u8 proto;		/* IPPROTO_TCP / IPPROTO_UDP; 0 for local VIPs */
	__u16 port;		/* host order; 0 = all ports */
	bool local;		/* host mode: announce only, no forwarding */
	bool hash_src;		/* hash the source address only */
	__u8 encap;		/* enum xlb_encap */
	__u16 gue_port;		/* host order; default XLB_GUE_PORT_DEFAULT */
	__u32 ring_size;	/* prime; default XLB_RING_DEFAULT */
	bool second_chance;	/* a moved flow's previous owner rides along as a GUE hop;
				 * default on for TCP over GUE, else off (README) */
	__u32 second_chance_keep_ms; /* the previous table stays in use this long after
				      * the last table change; default 1 h */
	__u32 min_healthy;	/* default 1 */
	__u32 hold_down_ms;	/* default 10000 */
	/* announce attributes */
	bool has_med;
	__u32 med;
	bool has_local_pref;
	__u32 local_pref;
	__u32 prepend;		/* extra copies of the local AS */
	struct conf_addr next_hop; /* unset = self */
	__u32 *communities;	/* (asn << 16) | value */
	size_t n_communities;
	__u32 (*large_communities)[3];
	size_t n_large_communities;
	struct conf_health health;
	struct conf_backend *backends;
	size_t n_backends;
	int line;
};

struct conf_bfd {
	bool enabled;
	__u32 interval_ms;	/* desired min TX; default 300 */
	__u32 min_rx_ms;	/* required min RX; default = interval */
	__u32 multiplier;	/* default 3 */
};

struct conf_neighbor {
	struct conf_addr addr;
	char *description;
	__u32 remote_as;
	__u16 hold_time;	/* seconds; default 90; 0 or >= 3 */
	__u16 port;		/* default 179 */
	bool passive;
	char *password;		/* TCP-MD5 key; never printed */
	struct conf_addr local_address;
	__u8 multihop;		/* TTL for eBGP multihop; 0 = directly connected */
	bool ttl_security;	/* GTSM (RFC 5082) */
	bool graceful_restart;	/* advertise GR: off by default, see README */
	__u32 drain_ms;		/* graceful-shutdown wait before withdraw; default 0 */
	struct conf_bfd bfd;
	int line;
};

/* `metrics listen ADDR port N`: the Prometheus endpoint (off by default) */
struct conf_metrics {
	struct conf_addr addr;	/* where to listen; family 0 = no endpoint */
	__u16 port;		/* host order; required with the address */
};

/* `pool-state etcd { ... }`: the runtime pool state (pooled, depooled,
 * inactive, weights, VIP enable) comes from etcd for every node of the
 * cluster instead of this node's state file (doc/xlb.conf.5). */
struct conf_pool_state {
	bool etcd;			/* false: no pool-state, the local state file */
	char **endpoints;		/* base URLs, normalized: http://HOST:PORT, https://... */
	size_t n_endpoints;
	char *prefix;			/* /xlb/CLUSTER: every key of the cluster under it */
	char *name;			/* this node's name in etcd; NULL = the host name */
	char *tls_ca;			/* PEM files; NULL = none (system trust store, */
	char *tls_cert;			/* no client certificate) */
	char *tls_key;
	char *user;			/* etcd user; NULL = no login */
	char *password_file;		/* the user's password (its first line); only the
					 * path is ever printed */
	__u32 depool_threshold;		/* percent of a VIP's backends that must stay
					 * pooled after an `xlbctl pool` change; default 50 */
	int line;
};

enum conf_xdp_mode {
	CONF_XDP_NATIVE = 0,
	CONF_XDP_GENERIC,
};

struct xlb_conf {
	char *file;			/* as given to the parser */
	__be32 router_id;
	bool has_router_id;
	__u32 local_as;
	struct conf_prefix *allowed;	/* allowed-prefixes */
	size_t n_allowed;
	struct conf_addr encap_src4;	/* encap-source, IPv4 part */
	struct conf_addr encap_src6;	/* encap-source, IPv6 part */
	char *xdp_ifname;		/* xdp interface; NULL = no datapath (host mode only) */
	enum conf_xdp_mode xdp_mode;
	char *pin_path;			/* default /sys/fs/bpf/xlb */
	char *socket_path;		/* control-socket; default /run/xlb/xlbd.sock */
	char *socket_group;		/* group allowed on the socket; NULL = root only */
	char *state_file;		/* default /var/lib/xlb/state */
	char *disable_file;		/* while this file exists every VIP is withdrawn; NULL = none */
	__u32 flow_entries;		/* flow-table size; default XLB_FLOWS_DEFAULT */
	struct conf_metrics metrics;	/* metrics listen; unset = off */
	struct conf_pool_state pool;	/* pool-state; unset = the local state file */
	struct {			/* lines of the settings a reload cannot change,
					 * for its error; 0 = not in the file */
		int xdp, pin_path, control_socket, state_file, flow_table, pool_state;
	} line;
	struct conf_neighbor *neighbors;
	size_t n_neighbors;
	struct conf_vip *vips;
	size_t n_vips;
};

/*
 * Parse `path`. On error returns -EINVAL (or -errno when the file cannot
 * be read) and writes "file:line: what is wrong" into err.
 */
int conf_parse_file(const char *path, struct xlb_conf **out, char *err, size_t errlen);
/* Same, from memory; `name` stands for the file in messages. */
int conf_parse_string(const char *name, const char *text, struct xlb_conf **out, char *err,
		      size_t errlen);

/* Normalized print: every default spelled out, fixed order, neighbor
 * passwords printed as "<hidden>" (for xlbd -nv and logs). Returns 0 or
 * -EIO. */
int conf_print(FILE *f, const struct xlb_conf *conf);
/* The same with the passwords: parsing this print gives an equal config. */
int conf_print_full(FILE *f, const struct xlb_conf *conf);

/* --- conf.c: the model's text forms, equality and identity --- */

/* "192.0.2.1", "2001:db8::1"; "?" when unset. Returns buf. */
const char *conf_addr_str(const struct conf_addr *a, char *buf, size_t len);
/* "100ms", "1s", "2m", "1h": the largest unit that is exact. Returns buf. */
const char *conf_duration_str(__u32 ms, char *buf, size_t len);
/* VIP identity as the CLI and logs write it: 203.0.113.10:53/udp,
 * [2001:db8::1]:80/tcp, 203.0.113.30:*\/tcp (all ports), 203.0.113.20/local */
int conf_vip_format(const struct conf_vip *vip, char *buf, size_t len);
/* A watched socket as the config writes it: 203.0.113.10:53/udp,
 * [2001:db8::1]:80/tcp, *:53/udp (any address). */
int conf_watch_socket_format(const struct conf_watch_socket *w, char *buf, size_t len);
/* Read that form (and PORT/PROTO, the address then being vip_addr);
 * returns 0, or -EINVAL with what is wrong in why. */
int conf_watch_socket_parse(const char *text, const struct conf_addr *vip_addr,
			    struct conf_watch_socket *out, char *why, size_t whylen);
/* A VIP as log lines name it: "NAME (IDENTITY)" with a name, else its
 * identity as conf_vip_format() writes it. Returns buf. */
#define CONF_VIP_LABEL_MAX 136
const char *conf_vip_label(const struct conf_vip *vip, char *buf, size_t len);
/* "tcp", "http", "https", "dns", "exec"; NULL for CONF_HC_NONE */
const char *conf_health_kind_name(enum conf_hc_kind kind);
/* The name of a DNS type/rcode as the config writes it, or NULL. */
const char *conf_dns_type_name(__u16 type);
const char *conf_dns_rcode_name(__u8 rcode);
/* inverse: -1 when unknown */
int conf_dns_type_parse(const char *name);
int conf_dns_rcode_parse(const char *name);

/* a with port (host order) as a socket address in ss; returns its
 * length, 0 for an unset address. */
socklen_t conf_addr_sockaddr(const struct conf_addr *a, __u16 port, struct sockaddr_storage *ss);
/* Same family and the same address in it (two unset addresses are equal). */
bool conf_addr_eq(const struct conf_addr *a, const struct conf_addr *b);
/* Do two VIPs describe the same service (address, protocol, port, local)? */
bool conf_vip_same_key(const struct conf_vip *a, const struct conf_vip *b);
/* Would the two checks probe alike (every setting, status codes in order)? */
bool conf_health_equal(const struct conf_health *a, const struct conf_health *b);
/* Do two configs take their pool state from the same place, the same way? */
bool conf_pool_state_equal(const struct conf_pool_state *a, const struct conf_pool_state *b);
/* Is the whole VIP definition equal (same key, same settings, same backends in the same order)? */
bool conf_vip_equal(const struct conf_vip *a, const struct conf_vip *b);
/* Everything a parse allocated; NULL is fine. */
void conf_free(struct xlb_conf *conf);

#endif
