// SPDX-License-Identifier: GPL-2.0
/*
 * What the config parser hands the daemon (agent/config/): defaults
 * filled in, values converted (durations to ms, communities packed,
 * addresses in network order, DNS names to numbers), statement order
 * free, and the model's helpers (conf.c): conf_vip_format,
 * conf_vip_same_key, conf_vip_equal, conf_health_equal, conf_addr_eq.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "config/config.h"
#include "../lib/test.h"

#define BASE                                                                                       \
	"allowed-prefixes { 203.0.113.0/24; 2001:db8:ffff::/48 }\n"                                \
	"encap-source 192.0.2.10 2001:db8::10\n"                                                   \
	"xdp interface eth0\n"

static struct xlb_conf *parse(const char *text)
{
	struct xlb_conf *conf = NULL;
	char err[CONF_ERR_MAX];

	if (!ASSERT_OK(conf_parse_string("t.conf", text, &conf, err, sizeof(err)), err))
		return NULL;
	return conf;
}

static bool addr_is(const struct conf_addr *a, const char *want)
{
	struct conf_addr w = { 0 };

	if (inet_pton(AF_INET, want, &w.addr.v4) == 1)
		w.family = XLB_FAMILY_V4;
	else if (inet_pton(AF_INET6, want, w.addr.bytes) == 1)
		w.family = XLB_FAMILY_V6;
	return a->family == w.family && !memcmp(&a->addr, &w.addr, sizeof(w.addr));
}

void test_config_defaults(void)
{
	struct xlb_conf *conf;
	const struct conf_vip *v;
	const struct conf_neighbor *nb;

	conf = parse(BASE "router-id 192.0.2.10\nlocal-as 65010\n"
			  "neighbor 192.0.2.1 { remote-as 65000; bfd }\n"
			  "vip 203.0.113.10 tcp 80 { backend 198.51.100.1; health tcp }\n"
			  "vip 203.0.113.20 local { health exec /bin/true }\n"
			  "vip 203.0.113.21 local { health http port 80 }\n"
			  "vip 203.0.113.22 local { health dns query example.org }\n");
	if (!conf)
		return;
	ASSERT_STREQ(conf->file, "t.conf", "file");
	ASSERT_STREQ(conf->pin_path, "/sys/fs/bpf/xlb", "pin-path");
	ASSERT_STREQ(conf->socket_path, "/run/xlb/xlbd.sock", "control-socket");
	ASSERT_TRUE(conf->socket_group == NULL, "no group");
	ASSERT_STREQ(conf->state_file, "/var/lib/xlb/state", "state-file");
	ASSERT_EQ(conf->flow_entries, XLB_FLOWS_DEFAULT, "flow-table");
	ASSERT_EQ(conf->xdp_mode, CONF_XDP_NATIVE, "xdp mode");
	ASSERT_STREQ(conf->xdp_ifname, "eth0", "xdp interface");
	ASSERT_EQ(conf->router_id, htonl(0xc000020a), "router-id, network order");
	ASSERT_TRUE(conf->has_router_id, "has router-id");
	ASSERT_EQ(conf->n_allowed, 2, "allowed");
	ASSERT_EQ(conf->allowed[0].len, 24, "len");
	ASSERT_EQ(conf->allowed[0].max_len, 32, "max default v4");
	ASSERT_EQ(conf->allowed[1].max_len, 128, "max default v6");
	ASSERT_TRUE(addr_is(&conf->encap_src4, "192.0.2.10"), "encap v4");
	ASSERT_TRUE(addr_is(&conf->encap_src6, "2001:db8::10"), "encap v6");

	nb = &conf->neighbors[0];
	ASSERT_EQ(nb->hold_time, 90, "hold-time");
	ASSERT_EQ(nb->port, 179, "port");
	ASSERT_EQ(nb->drain_ms, 0, "drain");
	ASSERT_EQ(nb->multihop, 0, "multihop");
	ASSERT_FALSE(nb->passive || nb->ttl_security || nb->graceful_restart, "flags off");
	ASSERT_TRUE(nb->password == NULL && nb->description == NULL, "no strings");
	ASSERT_EQ(nb->local_address.family, 0, "no local-address");
	ASSERT_TRUE(nb->bfd.enabled, "bfd");
	ASSERT_EQ(nb->bfd.interval_ms, 300, "bfd interval");
	ASSERT_EQ(nb->bfd.min_rx_ms, 300, "bfd min-rx");
	ASSERT_EQ(nb->bfd.multiplier, 3, "bfd multiplier");
	ASSERT_EQ(nb->line, 6, "line");

	v = &conf->vips[0];
	ASSERT_EQ(v->proto, IPPROTO_TCP, "proto");
	ASSERT_EQ(v->port, 80, "port");
	ASSERT_FALSE(v->local || v->hash_src, "forwarding, 5-tuple");
	ASSERT_EQ(v->encap, XLB_ENCAP_IPIP, "encap");
	ASSERT_EQ(v->gue_port, XLB_GUE_PORT_DEFAULT, "gue port");
	ASSERT_EQ(v->ring_size, XLB_RING_DEFAULT, "ring-size");
	ASSERT_EQ(v->min_healthy, 1, "min-healthy");
	ASSERT_EQ(v->hold_down_ms, 10000, "hold-down");
	ASSERT_FALSE(v->has_med || v->has_local_pref, "no med, local-pref");
	ASSERT_EQ(v->prepend, 0, "prepend");
	ASSERT_EQ(v->next_hop.family, 0, "next-hop self");
	ASSERT_EQ(v->n_communities + v->n_large_communities, 0, "no communities");
	ASSERT_TRUE(v->name == NULL, "no name");
	ASSERT_EQ(v->n_backends, 1, "backends");
	ASSERT_EQ(v->backends[0].weight, 100, "weight");
	ASSERT_EQ(v->backends[0].line, 7, "backend line");
	ASSERT_EQ(v->line, 7, "vip line");
	ASSERT_EQ(v->health.kind, CONF_HC_TCP, "tcp");
	ASSERT_EQ(v->health.interval_ms, 1000, "interval");
	ASSERT_EQ(v->health.fast_interval_ms, 250, "fast-interval max(100ms, interval/4)");
	ASSERT_EQ(v->health.timeout_ms, 500, "timeout min(1s, interval/2)");
	ASSERT_EQ(v->health.rise, 2, "rise");
	ASSERT_EQ(v->health.fall, 2, "fall");
	ASSERT_EQ(v->health.port, 80, "port from the vip");

	v = &conf->vips[1];
	ASSERT_TRUE(v->local, "local");
	ASSERT_EQ(v->proto, 0, "no proto");
	ASSERT_EQ(v->port, 0, "no port");
	ASSERT_EQ(v->n_backends, 0, "no backends");
	ASSERT_EQ(v->health.kind, CONF_HC_EXEC, "exec");
	ASSERT_STREQ(v->health.command, "/bin/true", "bare word command");
	ASSERT_STREQ(v->health.user, "nobody", "user");
	ASSERT_EQ(v->health.port, 0, "exec: no port");

	v = &conf->vips[2];
	ASSERT_STREQ(v->health.path, "/", "path");
	ASSERT_TRUE(v->health.host == NULL && v->health.expect == NULL, "no host, expect");
	ASSERT_EQ(v->health.n_status, 0, "status: 200..399");

	v = &conf->vips[3];
	ASSERT_EQ(v->health.qtype, 1, "type A");
	ASSERT_EQ(v->health.rcode, 0, "NOERROR");
	ASSERT_EQ(v->health.port, 53, "dns port on a local vip");
	conf_free(conf);
}

void test_config_values(void)
{
	struct xlb_conf *conf;
	const struct conf_vip *v;
	const struct conf_health *h;

	conf = parse(BASE "flow-table 1024\n"
				    "vip 2001:db8:ffff::1 udp all {\n"
				    "  hash source; encap gue port 7000; ring-size 1009; min-healthy 2\n"
				    "  hold-down 1h; med 0; local-pref 4294967295; prepend 32\n"
				    "  next-hop 2001:db8::99\n"
				    "  community 0:0 65535:65535; community 65000:53\n"
				    "  large-community 4294967295:0:7\n"
				    "  health dns query example.org. type 65535 rcode 15 tcp nonempty "
				    "interval 1h fast-interval 100ms timeout 59m rise 100 fall 1 "
				    "address 2001:db8::53\n"
				    "  backend 2001:db8:1::1 weight 0; backend 198.51.100.1 weight 1000000\n"
				    "}\n"
				    "vip 203.0.113.10 tcp 443 {\n"
				    "  health https path \"/a?b=c\" host h.example status 200 599 "
				    "expect \"say \\\"ok\\\"\" insecure interval 100ms\n"
				    "  backend 198.51.100.2\n"
				    "}\n");
	if (!conf)
		return;
	ASSERT_EQ(conf->flow_entries, 1024, "flow-table");
	v = &conf->vips[0];
	ASSERT_TRUE(addr_is(&v->addr, "2001:db8:ffff::1"), "v6 vip");
	ASSERT_EQ(v->proto, IPPROTO_UDP, "udp");
	ASSERT_EQ(v->port, 0, "all ports");
	ASSERT_TRUE(v->hash_src, "hash source");
	ASSERT_EQ(v->encap, XLB_ENCAP_GUE, "gue");
	ASSERT_EQ(v->gue_port, 7000, "gue port");
	ASSERT_EQ(v->ring_size, 1009, "ring-size");
	ASSERT_EQ(v->min_healthy, 2, "min-healthy");
	ASSERT_EQ(v->hold_down_ms, 3600000, "1h");
	ASSERT_TRUE(v->has_med && v->med == 0, "med 0 is set");
	ASSERT_TRUE(v->has_local_pref && v->local_pref == 4294967295u, "local-pref");
	ASSERT_EQ(v->prepend, 32, "prepend");
	ASSERT_TRUE(addr_is(&v->next_hop, "2001:db8::99"), "next-hop");
	if (ASSERT_EQ(v->n_communities, 3, "communities add up")) {
		ASSERT_EQ(v->communities[0], 0, "0:0");
		ASSERT_EQ(v->communities[1], 0xffffffffu, "65535:65535");
		ASSERT_EQ(v->communities[2], (65000u << 16) | 53, "65000:53");
	}
	if (ASSERT_EQ(v->n_large_communities, 1, "large")) {
		ASSERT_EQ(v->large_communities[0][0], 4294967295u, "global");
		ASSERT_EQ(v->large_communities[0][1], 0, "local1");
		ASSERT_EQ(v->large_communities[0][2], 7, "local2");
	}
	h = &v->health;
	ASSERT_EQ(h->kind, CONF_HC_DNS, "dns");
	ASSERT_STREQ(h->query, "example.org.", "query");
	ASSERT_EQ(h->qtype, 65535, "type");
	ASSERT_EQ(h->rcode, 15, "rcode");
	ASSERT_TRUE(h->dns_tcp && h->nonempty, "tcp nonempty");
	ASSERT_EQ(h->interval_ms, 3600000, "interval");
	ASSERT_EQ(h->fast_interval_ms, 100, "fast-interval");
	ASSERT_EQ(h->timeout_ms, 59 * 60000, "timeout");
	ASSERT_EQ(h->rise, 100, "rise");
	ASSERT_EQ(h->fall, 1, "fall");
	ASSERT_EQ(h->port, 53, "dns on an all-ports vip: 53");
	ASSERT_TRUE(addr_is(&h->address, "2001:db8::53"), "address");
	if (ASSERT_EQ(v->n_backends, 2, "backends")) {
		ASSERT_TRUE(addr_is(&v->backends[0].addr, "2001:db8:1::1"), "be0");
		ASSERT_EQ(v->backends[0].weight, 0, "weight 0");
		ASSERT_TRUE(addr_is(&v->backends[1].addr, "198.51.100.1"), "be1: 6in4 family");
		ASSERT_EQ(v->backends[1].weight, 1000000, "weight max");
	}

	h = &conf->vips[1].health;
	ASSERT_EQ(h->kind, CONF_HC_HTTPS, "https");
	ASSERT_STREQ(h->path, "/a?b=c", "path");
	ASSERT_STREQ(h->host, "h.example", "host");
	ASSERT_STREQ(h->expect, "say \"ok\"", "expect, unescaped");
	ASSERT_TRUE(h->insecure, "insecure");
	if (ASSERT_EQ(h->n_status, 2, "status"))
		ASSERT_TRUE(h->status[0] == 200 && h->status[1] == 599, "codes");
	ASSERT_EQ(h->port, 443, "port");
	ASSERT_EQ(h->fast_interval_ms, 100, "fast-interval floor");
	ASSERT_EQ(h->timeout_ms, 50, "timeout interval/2");
	conf_free(conf);
}

/* A duration takes units wherever a duration goes: hold-time, which took
 * bare seconds, takes "9s", "1m" too (and still bare seconds). */
void test_config_seconds_units(void)
{
	static const struct {
		const char *value;
		__u32 secs;
	} cases[] = {
		{ "9", 9 }, { "9s", 9 }, { "1m", 60 }, { "3000ms", 3 }, { "0", 0 }, { "0s", 0 },
		{ "18h", 64800 },
	};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xlb_conf *conf;

		test_ctx("hold-time %s", cases[i].value);
		snprintf(text, sizeof(text),
			 "router-id 192.0.2.10\nlocal-as 65010\n"
			 "neighbor 192.0.2.1 { remote-as 65000; hold-time %s }\n", cases[i].value);
		conf = parse(text);
		if (!conf)
			continue;
		ASSERT_EQ(conf->neighbors[0].hold_time, cases[i].secs, "seconds");
		conf_free(conf);
	}
	test_ctx(NULL);
}

/* A UTF-8 byte-order mark at the start of the file (editors on other
 * systems write one) is skipped: line numbers stay right. */
void test_config_bom_skipped(void)
{
	struct xlb_conf *conf = NULL;
	char err[CONF_ERR_MAX];

	conf = parse("\xef\xbb\xbfrouter-id 192.0.2.10\nlocal-as 65010\n");
	if (conf)
		ASSERT_EQ(conf->local_as, 65010, "parsed past the BOM");
	conf_free(conf);
	ASSERT_EQ(conf_parse_string("t.conf", "\xef\xbb\xbfrouter-id 192.0.2.10\nfrob\n", &conf,
				    err, sizeof(err)), -EINVAL, "error after a BOM");
	ASSERT_STREQ(err, "t.conf:2: unknown keyword 'frob' at top level", "line 2");
}

/* Global statements may come after what depends on them. */
void test_config_order_free(void)
{
	struct xlb_conf *conf;

	conf = parse("neighbor 192.0.2.1 { remote-as 65000 }\n"
		     "vip 203.0.113.10 udp 53 { backend 2001:db8::1 }\n"
		     "vip 203.0.113.11 local { }\n"
		     "xdp interface eth0 mode generic\n"
		     "encap-source 2001:db8::10\n"
		     "allowed-prefixes { 203.0.113.0/25 max 31 }\n"
		     "allowed-prefixes { 203.0.113.0/28 max 32 }\n"
		     "local-as 4294967295\n"
		     "router-id 192.0.2.10\n");
	if (!conf)
		return;
	ASSERT_EQ(conf->local_as, 4294967295u, "local-as");
	ASSERT_EQ(conf->xdp_mode, CONF_XDP_GENERIC, "generic");
	ASSERT_EQ(conf->n_allowed, 2, "allowed-prefixes add up");
	ASSERT_EQ(conf->encap_src4.family, 0, "no v4 source");
	conf_free(conf);
}

/* Layout: ';' and newlines, one-line blocks, continuations, comments,
 * CRLF line ends, keyword-like words as values. */
void test_config_layout(void)
{
	struct xlb_conf *conf;

	conf = parse("# comment\r\n"
		     "allowed-prefixes {203.0.113.0/24}   # no spaces needed\r\n"
		     "xdp interface eth0;encap-source 192.0.2.1;;\r\n"
		     "control-socket \"/run/xlb d/s#ock\" group \\\r\n"
		     "    vip\r\n"
		     "vip 203.0.113.1 tcp 80 {backend 198.51.100.1 weight 5}\n"
		     "vip 203.0.113.2 local { name local;health exec \"a;b # c\" }");
	if (!conf)
		return;
	ASSERT_STREQ(conf->socket_path, "/run/xlb d/s#ock", "quoted path");
	ASSERT_STREQ(conf->socket_group, "vip", "keyword as a value");
	ASSERT_EQ(conf->n_vips, 2, "vips");
	if (conf->n_vips == 2) {
		ASSERT_EQ(conf->vips[0].line, 6, "line after a continuation");
		ASSERT_EQ(conf->vips[0].backends[0].weight, 5, "weight before '}'");
		ASSERT_STREQ(conf->vips[1].name, "local", "name");
		ASSERT_STREQ(conf->vips[1].health.command, "a;b # c", "command");
	}
	conf_free(conf);
}

/* --- VIP helpers --- */

static struct xlb_conf *parse_vips(const char *vips)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", BASE, vips);
	return parse(text);
}

void test_config_vip_format(void)
{
	static const struct {
		const char *vip;
		const char *want;
	} cases[] = {
		{ "vip 203.0.113.10 udp 53 { backend 198.51.100.1 }", "203.0.113.10:53/udp" },
		{ "vip 2001:db8:ffff::1 tcp 80 { backend 198.51.100.1 }", "[2001:db8:ffff::1]:80/tcp" },
		{ "vip 203.0.113.30 tcp all { backend 198.51.100.1 }", "203.0.113.30:*/tcp" },
		{ "vip 2001:db8:ffff:0:0::30 udp all { backend 198.51.100.1 }",
		  "[2001:db8:ffff::30]:*/udp" },
		{ "vip 203.0.113.20 local { }", "203.0.113.20/local" },
		{ "vip 2001:db8:ffff::20 local { }", "2001:db8:ffff::20/local" },
		{ "vip 203.0.113.255 tcp 65535 { backend 198.51.100.1 }", "203.0.113.255:65535/tcp" },
	};
	char buf[CONF_VIP_STRLEN];
	struct xlb_conf *conf;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("%s", cases[i].want);
		conf = parse_vips(cases[i].vip);
		if (!conf)
			continue;
		ASSERT_OK(conf_vip_format(&conf->vips[0], buf, sizeof(buf)), "format");
		ASSERT_STREQ(buf, cases[i].want, "text");
		conf_free(conf);
	}
	test_ctx(NULL);

	/* the longest identity fits CONF_VIP_STRLEN; a short buffer is cut */
	conf = parse_vips("vip 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff udp 65535 { backend 10.0.0.1 }");
	if (!conf)
		return;
	ASSERT_OK(conf_vip_format(&conf->vips[0], buf, sizeof(buf)), "longest");
	ASSERT_STREQ(buf, "[2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]:65535/udp", "longest");
	ASSERT_EQ(conf_vip_format(&conf->vips[0], buf, 10), -ENOSPC, "short buffer");
	ASSERT_STREQ(buf, "[2001:db8", "cut");
	conf_free(conf);
}

void test_config_vip_compare(void)
{
	static const struct {
		const char *name;
		const char *a, *b;
		bool same_key, equal;
	} cases[] = {
		{ "identical", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }", true, true },
		{ "defaults spelled out",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; health tcp }",
		  "vip 203.0.113.1 tcp 80 { hash 5-tuple; encap ipip; ring-size 65537; min-healthy 1\n"
		  "hold-down 10s; prepend 0; next-hop self; backend 10.0.0.1 weight 100\n"
		  "health tcp port 80 interval 1s fast-interval 250ms timeout 500ms rise 2 fall 2 }",
		  true, true },
		{ "other port", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 tcp 81 { backend 10.0.0.1 }", false, false },
		{ "other proto", "vip 203.0.113.1 tcp 53 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 udp 53 { backend 10.0.0.1 }", false, false },
		{ "all ports", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 tcp all { backend 10.0.0.1 }", false, false },
		{ "other address", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.2 tcp 80 { backend 10.0.0.1 }", false, false },
		{ "local vs forwarding", "vip 203.0.113.1 local { }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }", false, false },
		{ "local same", "vip 203.0.113.1 local { health exec /bin/true }",
		  "vip 203.0.113.1 local { health exec /bin/true user nobody }", true, true },
		{ "local other check", "vip 203.0.113.1 local { health exec /bin/true }",
		  "vip 203.0.113.1 local { health exec /bin/false }", true, false },
		{ "local no check", "vip 203.0.113.1 local { health exec /bin/true }",
		  "vip 203.0.113.1 local { }", true, false },
		{ "weight", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 weight 0 }", true, false },
		{ "backend order", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; backend 10.0.0.2 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.2; backend 10.0.0.1 }", true, false },
		{ "backend added", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; backend 10.0.0.2 }", true, false },
		{ "name", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; name web }", true, false },
		{ "hash", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; hash source }", true, false },
		{ "gue port", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; encap gue }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; encap gue port 6081 }", true, false },
		{ "med set to 0", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; med 0 }", true, false },
		{ "community order", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; community 1:1 1:2 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; community 1:2 1:1 }", true, false },
		{ "large community", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; large-community 1:2:3 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; large-community 1:2:4 }", true, false },
		{ "next-hop", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; next-hop 192.0.2.1 }", true, false },
		{ "health timing", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; health tcp }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; health tcp rise 3 }", true, false },
		{ "http status", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; health http status 200 }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; health http status 204 }", true, false },
		{ "http host", "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; health http }",
		  "vip 203.0.113.1 tcp 80 { backend 10.0.0.1; health http host a }", true, false },
		{ "v6 spelled apart", "vip 2001:db8:ffff::1 tcp 80 { backend 2001:db8::1 }",
		  "vip 2001:DB8:FFFF:0::0:1 tcp 80 { backend 2001:0db8::0001 }", true, true },
	};
	struct xlb_conf *a, *b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("%s", cases[i].name);
		a = parse_vips(cases[i].a);
		b = parse_vips(cases[i].b);
		if (a && b) {
			ASSERT_EQ(conf_vip_same_key(&a->vips[0], &b->vips[0]), cases[i].same_key,
				  "same key");
			ASSERT_EQ(conf_vip_same_key(&b->vips[0], &a->vips[0]), cases[i].same_key,
				  "same key, swapped");
			ASSERT_EQ(conf_vip_equal(&a->vips[0], &b->vips[0]), cases[i].equal, "equal");
			ASSERT_EQ(conf_vip_equal(&b->vips[0], &a->vips[0]), cases[i].equal,
				  "equal, swapped");
			ASSERT_TRUE(conf_vip_equal(&a->vips[0], &a->vips[0]), "equal to itself");
		}
		conf_free(a);
		conf_free(b);
	}
	test_ctx(NULL);
}

/*
 * Two checks are equal by what they say, not by their bytes: a reload
 * that finds a check "changed" starts it again from no evidence (its
 * rise/fall history is what the announcement rests on). The bytes past
 * the fields (the padding of an address, status slots past n_status) say
 * nothing; xlbd once compared them with memcmp (core/checks.c), so a
 * config whose producer did not zero them would have restarted every
 * check on every reload.
 */
void test_config_health_equal(void)
{
	struct xlb_conf *conf;
	struct conf_health h, k;
	struct conf_vip v;
	size_t fam_end = offsetof(struct conf_addr, family) + sizeof(h.address.family);

	conf = parse_vips("vip 203.0.113.1 tcp 80 { backend 10.0.0.1\n"
			  "health http status 200 204 address 192.0.2.7 }");
	if (!conf)
		return;
	h = conf->vips[0].health;
	ASSERT_EQ(h.n_status, 2, "two status codes");
	ASSERT_TRUE(conf_health_equal(&h, &conf->vips[0].health), "a copy");

	/* the same check, with its meaningless bytes written */
	k = h;
	memset((char *)&k.address + fam_end, 0xa5, sizeof(k.address) - fam_end);
	ASSERT_TRUE(conf_health_equal(&h, &k), "padding of the address does not count");
	k = h;
	k.status[2] = 503;
	ASSERT_TRUE(conf_health_equal(&h, &k), "a status slot past n_status does not count");
	v = conf->vips[0];
	v.health = k;
	ASSERT_TRUE(conf_vip_equal(&conf->vips[0], &v), "nor in the VIP");

	/* what the fields say counts */
	k = h;
	k.status[1] = 503;
	ASSERT_FALSE(conf_health_equal(&h, &k), "another status code");
	k = h;
	k.n_status = 1;
	ASSERT_FALSE(conf_health_equal(&h, &k), "fewer status codes");
	k = h;
	k.address.addr.bytes[3] ^= 1;
	ASSERT_FALSE(conf_health_equal(&h, &k), "another address");
	k = h;
	memset(&k.address, 0, sizeof(k.address));
	ASSERT_FALSE(conf_health_equal(&h, &k), "no address");
	k = h;
	k.port = 81;
	ASSERT_FALSE(conf_health_equal(&h, &k), "another port");
	conf_free(conf);
}

/* An address is its family and the bytes that family uses. */
void test_config_addr_eq(void)
{
	struct conf_addr a = { .family = XLB_FAMILY_V4 }, b, u1 = { 0 }, u2 = { 0 };

	inet_pton(AF_INET, "192.0.2.1", &a.addr.v4);
	b = a;
	ASSERT_TRUE(conf_addr_eq(&a, &b), "a copy");
	b.addr.v6[3] = 0x5a5a5a5a;
	ASSERT_TRUE(conf_addr_eq(&a, &b), "IPv4: the union's other 12 bytes do not count");
	b = a;
	b.addr.bytes[3] ^= 1;
	ASSERT_FALSE(conf_addr_eq(&a, &b), "another IPv4 address");
	b = a;
	b.family = XLB_FAMILY_V6;
	ASSERT_FALSE(conf_addr_eq(&a, &b), "another family");

	inet_pton(AF_INET6, "2001:db8::1", a.addr.bytes);
	a.family = XLB_FAMILY_V6;
	b = a;
	ASSERT_TRUE(conf_addr_eq(&a, &b), "IPv6 copy");
	b.addr.bytes[15] ^= 1;
	ASSERT_FALSE(conf_addr_eq(&a, &b), "another IPv6 address");

	u2.addr.bytes[0] = 1;
	ASSERT_TRUE(conf_addr_eq(&u1, &u2), "two unset addresses");
	ASSERT_FALSE(conf_addr_eq(&u1, &a), "unset and set");
}

/* watch-socket: each form and its defaults; watches count in equality. */
void test_config_watch_socket(void)
{
	struct xlb_conf *conf;
	const struct conf_health *h;
	struct conf_health k;
	char buf[CONF_VIP_STRLEN];
	size_t i;
	static const char *const want[] = {
		"203.0.113.5:53/udp",	/* the check's own: dns over UDP on 53 */
		"203.0.113.5:853/tcp",	/* PORT/PROTO: the VIP's address */
		"*:53/tcp",		/* any address */
		"[2001:db8::5]:53/udp",
	};

	conf = parse_vips("vip 203.0.113.5 local { health dns query example.org watch-socket "
			  "watch-socket 853/tcp watch-socket *:53/tcp watch-socket "
			  "[2001:db8::5]:53/udp watch-pidfile /run/unbound.pid }\n"
			  "vip 203.0.113.6 local { health dns query example.org tcp port 5353 "
			  "watch-socket }\n"
			  "vip 203.0.113.7 local { health http port 8080 watch-socket }\n"
			  "vip 203.0.113.8 local { health exec \"/bin/true\" watch-socket 1/udp }\n");
	if (!conf)
		return;
	h = &conf->vips[0].health;
	if (ASSERT_EQ(h->n_watch_socket, 4, "four sockets")) {
		for (i = 0; i < 4; i++) {
			ASSERT_OK(conf_watch_socket_format(&h->watch_socket[i], buf, sizeof(buf)),
				  "format");
			ASSERT_STREQ(buf, want[i], "socket");
		}
		ASSERT_EQ(h->watch_socket[2].addr.family, 0, "* is any address");
	}
	ASSERT_STREQ(h->watch_pidfile, "/run/unbound.pid", "pidfile");
	h = &conf->vips[1].health;
	conf_watch_socket_format(&h->watch_socket[0], buf, sizeof(buf));
	ASSERT_STREQ(buf, "203.0.113.6:5353/tcp", "dns over tcp: the check's port and protocol");
	h = &conf->vips[2].health;
	conf_watch_socket_format(&h->watch_socket[0], buf, sizeof(buf));
	ASSERT_STREQ(buf, "203.0.113.7:8080/tcp", "http: tcp on the check's port");
	h = &conf->vips[3].health;
	conf_watch_socket_format(&h->watch_socket[0], buf, sizeof(buf));
	ASSERT_STREQ(buf, "203.0.113.8:1/udp", "exec: as given");

	h = &conf->vips[0].health;
	k = *h;
	ASSERT_TRUE(conf_health_equal(h, &k), "a copy");
	k.watch_socket[1].port = 854;
	ASSERT_FALSE(conf_health_equal(h, &k), "another port");
	k = *h;
	k.n_watch_socket = 3;
	ASSERT_FALSE(conf_health_equal(h, &k), "one socket fewer");
	k = *h;
	k.watch_socket[0].proto = IPPROTO_TCP;
	ASSERT_FALSE(conf_health_equal(h, &k), "another protocol");
	k = *h;
	k.watch_pidfile = NULL;
	ASSERT_FALSE(conf_health_equal(h, &k), "no pidfile");
	k = *h;
	k.watch_socket[3].port = 99;	/* past n_watch_socket: says nothing */
	k.n_watch_socket = 3;
	{
		struct conf_health j = *h;

		j.n_watch_socket = 3;
		ASSERT_TRUE(conf_health_equal(&j, &k), "a slot past n_watch_socket does not count");
	}
	conf_free(conf);
}
