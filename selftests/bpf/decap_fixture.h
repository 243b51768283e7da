/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared fixture of the decap program's packet tests (test_decap.c,
 * test_decap_hop.c): the real bpf/decap.bpf.o loaded with local addresses
 * DCP_LOCAL4/DCP_LOCAL6 and GUE port DCP_GUE_PORT, frames built with the
 * packet builder (an inner frame as the client sent it, the same packet
 * tunnelled by the balancer), runs through BPF_PROG_TEST_RUN, and checks
 * of the action, the output frame and every counter of `decap_stats`.
 *
 * Functions returning bool have already reported a failed check.
 */
#ifndef XLB_SELFTESTS_DECAP_FIXTURE_H
#define XLB_SELFTESTS_DECAP_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "xlb_shared.h"
#include "../lib/pkt.h"

#define DCP_LOCAL4	"192.0.2.10"	/* in decap_addrs */
#define DCP_LOCAL6	"2001:db8::10"	/* in decap_addrs */
#define DCP_OTHER4	"192.0.2.11"
#define DCP_OTHER6	"2001:db8::11"
#define DCP_LB4		"198.51.100.1"	/* balancer: outer source */
#define DCP_LB6		"2001:db8:1b::1"
#define DCP_CLIENT4	"203.0.113.7"
#define DCP_CLIENT6	"2001:db8:c::7"
#define DCP_VIP4	"192.0.2.100"
#define DCP_VIP6	"2001:db8:f::100"
#define DCP_GUE_PORT	6080
#define DCP_GUE_SPORT	51234		/* outer UDP source port of the frames built */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct decap;

struct dcp_env {
	struct decap *skel;
	int prog_fd;
	int stats_fd;
	int sc_stats_fd;
	int cfg_fd;
	int ncpus;
};

/* Loads the program, adds DCP_LOCAL4/6, sets DCP_GUE_PORT. */
bool dcp_open(struct dcp_env *env);
void dcp_close(struct dcp_env *env);
int dcp_set_gue_port(struct dcp_env *env, __u16 port);
int dcp_add_addr(struct dcp_env *env, const char *str);
/* Counters the checks see: `decap_stats` (enum xlb_decap_stat), then
 * `decap_sc_stats` (enum xlb_decap_sc_stat) at DCP_SC(i). */
#define DCP_SC(i)	(XLB_DECAP_STAT_MAX + (i))
#define DCP_NSTATS	(XLB_DECAP_STAT_MAX + XLB_DECAP_SC_MAX)
/* Both summed over CPUs. */
bool dcp_stats_read(struct dcp_env *env, __u64 out[DCP_NSTATS]);

struct dcp_run {
	__u32 retval;
	__u8 out[PKT_BUF_SIZE];
	__u32 out_len;
};

/* One run; ingress_ifindex 0: the test run's own (lo). */
bool dcp_run(struct dcp_env *env, const void *in, size_t len, __u32 ingress_ifindex,
	     struct dcp_run *r);

/* Counters that must move by one in a check, ended by -1; rx is not
 * listed (it always moves by one). */
#define DCP_STATS(...)	((const int[]){ __VA_ARGS__, -1 })

/*
 * Runs one packet and checks the verdict, the output (want NULL: the
 * input itself) unless dropped, and that rx and exactly the counters of
 * `moved` moved by one, every other counter not at all.
 */
bool dcp_check_ifindex(struct dcp_env *env, const void *in, size_t in_len,
		       __u32 ingress_ifindex, __u32 want_act, const void *want, size_t want_len,
		       const int *moved);
bool dcp_check(struct dcp_env *env, const void *in, size_t in_len, __u32 want_act,
	       const void *want, size_t want_len, int stat);

/* --- packets --- */

enum dcp_l2 { L2_PLAIN, L2_VLAN, L2_QINQ_1AD, L2_TWO_TAGS, L2_MAX };
extern const char *const dcp_l2_names[];

/* Ethernet plus the L2 variant; the type of the last field comes from the
 * next layer. */
void dcp_build_l2(struct pkt *p, enum dcp_l2 l2);
size_t dcp_l2_len(enum dcp_l2 l2);

/* The packet the client sent: UDP with a payload, or a TCP segment
 * (ACK|PSH with 50 bytes, from DCP_CLIENT4/6 port 40000 to port 80). */
int dcp_build_inner(struct pkt *p, enum dcp_l2 l2, bool v6, bool tcp, __u8 tos);

/* How the tunnelled frame is made. */
struct dcp_outer {
	const char *dst;	/* outer destination; family picks IPv4/IPv6 */
	__u8 proto;		/* IP-in-IP: 4 or 41 (or another); 0 with GUE */
	bool udp;		/* UDP to dport with gue[] then the inner packet */
	__u16 dport;		/* 0: DCP_GUE_PORT */
	__u8 gue[24];		/* GUE header bytes before the inner packet */
	size_t gue_len;
	__u8 tos;		/* outer TOS / traffic class */
	__u8 ttl;		/* outer TTL / hop limit; 0: 64 */
	bool df;		/* IPv4: don't fragment */
	bool mf;		/* IPv4: more fragments */
	__u16 frag_off;		/* IPv4: fragment offset */
	bool opts;		/* IPv4: 4 bytes of options */
	bool ext;		/* IPv6: a destination-options header first */
	bool zero_csum;		/* IPv4 GUE: UDP checksum 0 */
};

/* Tunnelled frame: `l2`, the outer headers `o`, then `inner` bytes (an IP
 * packet, or anything a malformed case wants). */
int dcp_build_outer(struct pkt *p, enum dcp_l2 l2, const struct dcp_outer *o,
		    const void *inner, size_t inner_len);
/* Outer header bytes a case adds after L2 (IP, UDP, GUE). */
size_t dcp_outer_len(const struct dcp_outer *o);
/* The inner IP packet of a built inner frame. */
const __u8 *dcp_ip_of(const struct pkt *p, enum dcp_l2 l2, size_t *len);

#endif /* XLB_SELFTESTS_DECAP_FIXTURE_H */
