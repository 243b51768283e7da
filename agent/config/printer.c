// SPDX-License-Identifier: GPL-2.0
/*
 * Normalized print of a parsed config (`xlbd -nv`).
 *
 * The print is itself a valid xlb.conf: global statements in a fixed
 * order, then neighbors, then vips (both in file order), one statement
 * per line, four spaces of indent per block, and every default spelled
 * out (health timing and ports included), so what the daemon will do is
 * visible without knowing the defaults. conf_print() replaces neighbor
 * passwords with "<hidden>" (output for logs and terminals);
 * conf_print_full() keeps them, and parsing its output gives back an
 * equal config (the golden tests check this).
 */
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

#define IND	"    "

/* "text" with \" and \\ escaped: the lexer's only escapes. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* Bare when it reads back as the same single word, else quoted. */
static void put_word(FILE *f, const char *s)
{
	const char *q;

	for (q = s; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || strchr("._-/:@+,=%", *q)))
			break;
	if (*s && !*q)
		fputs(s, f);
	else
		put_quoted(f, s);
}

static void put_addr(FILE *f, const struct conf_addr *a)
{
	char buf[CONF_ADDR_STRLEN];

	fputs(conf_addr_str(a, buf, sizeof(buf)), f);
}

static void put_duration(FILE *f, const char *kw, __u32 ms)
{
	char buf[32];

	fprintf(f, " %s %s", kw, conf_duration_str(ms, buf, sizeof(buf)));
}

static void print_globals(FILE *f, const struct xlb_conf *conf)
{
	struct conf_addr rid = { .family = XLB_FAMILY_V4 };
	size_t i;

	if (conf->has_router_id) {
		rid.addr.v4 = conf->router_id;
		fputs("router-id ", f);
		put_addr(f, &rid);
		fputc('\n', f);
	}
	if (conf->local_as)
		fprintf(f, "local-as %u\n", conf->local_as);
	if (conf->n_allowed) {
		fputs("allowed-prefixes {\n", f);
		for (i = 0; i < conf->n_allowed; i++) {
			fputs(IND, f);
			put_addr(f, &conf->allowed[i].net);
			fprintf(f, "/%u max %u\n", conf->allowed[i].len, conf->allowed[i].max_len);
		}
		fputs("}\n", f);
	}
	if (conf->encap_src4.family || conf->encap_src6.family) {
		fputs("encap-source", f);
		if (conf->encap_src4.family) {
			fputc(' ', f);
			put_addr(f, &conf->encap_src4);
		}
		if (conf->encap_src6.family) {
			fputc(' ', f);
			put_addr(f, &conf->encap_src6);
		}
		fputc('\n', f);
	}
	if (conf->xdp_ifname) {
		fputs("xdp interface ", f);
		put_word(f, conf->xdp_ifname);
		fprintf(f, " mode %s\n", conf->xdp_mode == CONF_XDP_GENERIC ? "generic" : "native");
	}
	fputs("pin-path ", f);
	put_word(f, conf->pin_path);
	fputs("\ncontrol-socket ", f);
	put_word(f, conf->socket_path);
	if (conf->socket_group) {
		fputs(" group ", f);
		put_word(f, conf->socket_group);
	}
	fputs("\nstate-file ", f);
	put_word(f, conf->state_file);
	if (conf->disable_file) {
		fputs("\ndisable-file ", f);
		put_word(f, conf->disable_file);
	}
	fprintf(f, "\nflow-table %u\n", conf->flow_entries);
	if (conf->metrics.addr.family) {
		fputs("metrics listen ", f);
		put_addr(f, &conf->metrics.addr);
		fprintf(f, " port %u\n", conf->metrics.port);
	}
}

/* The password file is named, never read: nothing secret is printed. */
static void print_pool_state(FILE *f, const struct conf_pool_state *ps)
{
	size_t i;

	if (!ps->etcd)
		return;
	fputs("pool-state etcd {\n" IND "endpoints", f);
	for (i = 0; i < ps->n_endpoints; i++) {
		fputc(' ', f);
		put_word(f, ps->endpoints[i]);
	}
	fputs("\n" IND "prefix ", f);
	put_word(f, ps->prefix);
	fputc('\n', f);
	if (ps->name) {
		fputs(IND "name ", f);
		put_word(f, ps->name);
		fputc('\n', f);
	}
	if (ps->tls_ca || ps->tls_cert) {
		fputs(IND "tls", f);
		if (ps->tls_ca) {
			fputs(" ca ", f);
			put_word(f, ps->tls_ca);
		}
		if (ps->tls_cert) {
			fputs(" cert ", f);
			put_word(f, ps->tls_cert);
			fputs(" key ", f);
			put_word(f, ps->tls_key);
		}
		fputc('\n', f);
	}
	if (ps->user) {
		fputs(IND "user ", f);
		put_word(f, ps->user);
		fputs(" password-file ", f);
		put_word(f, ps->password_file);
		fputc('\n', f);
	}
	if (ps->depool_threshold % 10)
		fprintf(f, IND "depool-threshold %u.%02u\n", ps->depool_threshold / 100,
			ps->depool_threshold % 100);
	else if (ps->depool_threshold == 100 || ps->depool_threshold == 0)
		fprintf(f, IND "depool-threshold %u\n", ps->depool_threshold / 100);
	else
		fprintf(f, IND "depool-threshold 0.%u\n", ps->depool_threshold / 10);
	fputs("}\n", f);
}

static void print_neighbor(FILE *f, const struct conf_neighbor *nb, bool hide)
{
	char buf[32];

	fputs("\nneighbor ", f);
	put_addr(f, &nb->addr);
	fprintf(f, " {\n" IND "remote-as %u\n", nb->remote_as);
	if (nb->description) {
		fputs(IND "description ", f);
		put_quoted(f, nb->description);
		fputc('\n', f);
	}
	if (nb->password) {
		fputs(IND "password ", f);
		put_quoted(f, hide ? "<hidden>" : nb->password);
		fputc('\n', f);
	}
	fprintf(f, IND "hold-time %u\n" IND "port %u\n", nb->hold_time, nb->port);
	if (nb->passive)
		fputs(IND "passive\n", f);
	if (nb->local_address.family) {
		fputs(IND "local-address ", f);
		put_addr(f, &nb->local_address);
		fputc('\n', f);
	}
	if (nb->multihop)
		fprintf(f, IND "multihop %u\n", nb->multihop);
	if (nb->ttl_security)
		fputs(IND "ttl-security\n", f);
	if (nb->graceful_restart)
		fputs(IND "graceful-restart\n", f);
	fprintf(f, IND "drain %s\n", conf_duration_str(nb->drain_ms, buf, sizeof(buf)));
	if (nb->bfd.enabled) {
		fprintf(f, IND "bfd {\n" IND IND "interval %s\n",
			conf_duration_str(nb->bfd.interval_ms, buf, sizeof(buf)));
		fprintf(f, IND IND "min-rx %s\n",
			conf_duration_str(nb->bfd.min_rx_ms, buf, sizeof(buf)));
		fprintf(f, IND IND "multiplier %u\n" IND "}\n", nb->bfd.multiplier);
	}
	fputs("}\n", f);
}

static void print_health(FILE *f, const struct conf_health *h)
{
	const char *name = conf_health_kind_name(h->kind);
	size_t i;

	if (!name)
		return;
	fprintf(f, IND "health %s", name);
	switch (h->kind) {
	case CONF_HC_HTTP:
	case CONF_HC_HTTPS:
		fputs(" path ", f);
		put_quoted(f, h->path ? h->path : "/");
		if (h->host) {
			fputs(" host ", f);
			put_quoted(f, h->host);
		}
		if (h->n_status) {
			fputs(" status", f);
			for (i = 0; i < h->n_status; i++)
				fprintf(f, " %u", h->status[i]);
		}
		if (h->expect) {
			fputs(" expect ", f);
			put_quoted(f, h->expect);
		}
		if (h->insecure)
			fputs(" insecure", f);
		break;
	case CONF_HC_DNS:
		fputs(" query ", f);
		put_word(f, h->query ? h->query : ".");
		name = conf_dns_type_name(h->qtype);
		if (name)
			fprintf(f, " type %s", name);
		else
			fprintf(f, " type %u", h->qtype);
		name = conf_dns_rcode_name(h->rcode);
		if (name)
			fprintf(f, " rcode %s", name);
		else
			fprintf(f, " rcode %u", h->rcode);
		if (h->dns_tcp)
			fputs(" tcp", f);
		if (h->nonempty)
			fputs(" nonempty", f);
		break;
	case CONF_HC_EXEC:
		fputc(' ', f);
		put_quoted(f, h->command ? h->command : "");
		fputs(" user ", f);
		put_word(f, h->user ? h->user : "nobody");
		break;
	default:
		break;
	}
	if (h->kind != CONF_HC_EXEC) {
		fprintf(f, " port %u", h->port);
		if (h->address.family) {
			fputs(" address ", f);
			put_addr(f, &h->address);
		}
	}
	put_duration(f, "interval", h->interval_ms);
	put_duration(f, "fast-interval", h->fast_interval_ms);
	put_duration(f, "timeout", h->timeout_ms);
	fprintf(f, " rise %u fall %u", h->rise, h->fall);
	for (i = 0; i < h->n_watch_socket; i++) {
		char w[CONF_VIP_STRLEN];

		conf_watch_socket_format(&h->watch_socket[i], w, sizeof(w));
		fprintf(f, " watch-socket %s", w);
	}
	if (h->watch_pidfile) {
		fputs(" watch-pidfile ", f);
		put_word(f, h->watch_pidfile);
	}
	fputc('\n', f);
}

static void print_vip(FILE *f, const struct conf_vip *vip)
{
	char buf[32];
	size_t i;

	fputs("\nvip ", f);
	put_addr(f, &vip->addr);
	if (vip->local)
		fputs(" local {\n", f);
	else if (vip->port)
		fprintf(f, " %s %u {\n", vip->proto == IPPROTO_UDP ? "udp" : "tcp", vip->port);
	else
		fprintf(f, " %s all {\n", vip->proto == IPPROTO_UDP ? "udp" : "tcp");
	if (vip->name) {
		fputs(IND "name ", f);
		put_word(f, vip->name);
		fputc('\n', f);
	}
	if (vip->disable_file) {
		fputs(IND "disable-file ", f);
		put_word(f, vip->disable_file);
		fputc('\n', f);
	}
	if (vip->add_address) {
		fputs(IND "add-address ", f);
		put_word(f, vip->add_address);
		fputc('\n', f);
	}
	if (!vip->local) {
		fprintf(f, IND "hash %s\n", vip->hash_src ? "source" : "5-tuple");
		if (vip->encap == XLB_ENCAP_GUE)
			fprintf(f, IND "encap gue port %u\n", vip->gue_port);
		else
			fputs(IND "encap ipip\n", f);
		fprintf(f, IND "ring-size %u\n" IND "min-healthy %u\n", vip->ring_size,
			vip->min_healthy);
		if (vip->second_chance)
			fprintf(f, IND "second-chance on keep %s\n",
				conf_duration_str(vip->second_chance_keep_ms, buf, sizeof(buf)));
		else
			fputs(IND "second-chance off\n", f);
	}
	fprintf(f, IND "hold-down %s\n", conf_duration_str(vip->hold_down_ms, buf, sizeof(buf)));
	if (vip->has_med)
		fprintf(f, IND "med %u\n", vip->med);
	if (vip->has_local_pref)
		fprintf(f, IND "local-pref %u\n", vip->local_pref);
	fprintf(f, IND "prepend %u\n" IND "next-hop ", vip->prepend);
	if (vip->next_hop.family)
		put_addr(f, &vip->next_hop);
	else
		fputs("self", f);
	fputc('\n', f);
	if (vip->n_communities) {
		fputs(IND "community", f);
		for (i = 0; i < vip->n_communities; i++)
			fprintf(f, " %u:%u", vip->communities[i] >> 16,
				vip->communities[i] & 0xffff);
		fputc('\n', f);
	}
	if (vip->n_large_communities) {
		fputs(IND "large-community", f);
		for (i = 0; i < vip->n_large_communities; i++)
			fprintf(f, " %u:%u:%u", vip->large_communities[i][0],
				vip->large_communities[i][1], vip->large_communities[i][2]);
		fputc('\n', f);
	}
	print_health(f, &vip->health);
	for (i = 0; i < vip->n_backends; i++) {
		fputs(IND "backend ", f);
		put_addr(f, &vip->backends[i].addr);
		fprintf(f, " weight %u\n", vip->backends[i].weight);
	}
	fputs("}\n", f);
}

static int print_conf(FILE *f, const struct xlb_conf *conf, bool hide)
{
	size_t i;

	print_globals(f, conf);
	print_pool_state(f, &conf->pool);
	for (i = 0; i < conf->n_neighbors; i++)
		print_neighbor(f, &conf->neighbors[i], hide);
	for (i = 0; i < conf->n_vips; i++)
		print_vip(f, &conf->vips[i]);
	if (fflush(f) == EOF || ferror(f))
		return -EIO;
	return 0;
}

int conf_print(FILE *f, const struct xlb_conf *conf)
{
	return print_conf(f, conf, true);
}

int conf_print_full(FILE *f, const struct xlb_conf *conf)
{
	return print_conf(f, conf, false);
}
