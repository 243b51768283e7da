// SPDX-License-Identifier: GPL-2.0
/*
 * xlb-setup: the datapath without xlbd, from the command line. Backends
 * load the decap program with it (`decap`); `detach` takes off a balancer
 * that `xlbd -k` left running; `attach` and `vip` program a balancer by
 * hand, as the datapath live test and fault tests do (xlbd does this
 * from its config file). It programs through the same code as the agent
 * (agent/maps/dataplane.c, maglev.c, decap.c).
 *
 *   xlb-setup [-v] [-p PIN_ROOT] attach DEV [generic] [src4 ADDR] [src6 ADDR]
 *   xlb-setup [-p PIN_ROOT] vip ID ADDR tcp|udp PORT [hash src] [gue PORT]
 *             [ring SIZE] backend ADDR[@WEIGHT] ...
 *   xlb-setup [-p PIN_ROOT] stats
 *   xlb-setup [-p PIN_ROOT] detach DEV
 *   xlb-setup [-p PIN_ROOT] decap DEV [gue PORT]
 *   xlb-setup [-p PIN_ROOT] decap-stats [prometheus]
 *   xlb-setup decap-detach DEV
 *
 * Options: -p/--pin-root, -v/--verbose, -h/--help, -V/--version.
 * Backend ids of VIP n are n*16+1 .. n*16+15.
 */
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "lib/bpf_log.h"
#include "maps/dataplane.h"
#include "maps/decap.h"
#include "maps/maglev.h"
#include "maps/nexthop.h"
#include "version.h"

#define BACKENDS_PER_VIP 15

static const char *pin_root = "/sys/fs/bpf/xlb";

static void usage_print(FILE *f)
{
	fprintf(f,
		"usage: xlb-setup [OPTION]... attach DEV [generic] [src4 ADDR] [src6 ADDR]\n"
		"       xlb-setup [OPTION]... vip ID ADDR tcp|udp PORT [hash src] [gue PORT]\n"
		"                 [ring SIZE] backend ADDR[@WEIGHT] ...\n"
		"       xlb-setup [OPTION]... stats\n"
		"       xlb-setup [OPTION]... detach DEV\n"
		"       xlb-setup [OPTION]... decap DEV [gue PORT]\n"
		"       xlb-setup [OPTION]... decap-stats [prometheus]\n"
		"       xlb-setup decap-detach DEV\n"
		"  -p, --pin-root DIR  where the maps are pinned (default /sys/fs/bpf/xlb)\n"
		"  -v, --verbose       show libbpf's and libxdp's messages\n"
		"  -h, --help          print this help and exit\n"
		"  -V, --version       print the version and exit\n");
}

static int usage(void)
{
	usage_print(stderr);
	return 2;
}

static int parse_addr(const char *s, union xlb_addr *a, __u8 *family)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		*family = XLB_FAMILY_V4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		*family = XLB_FAMILY_V6;
		return 0;
	}
	fprintf(stderr, "xlb-setup: '%s' is not an IP address\n", s);
	return -EINVAL;
}

static int parse_u32(const char *s, __u32 max, __u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > max) {
		fprintf(stderr, "xlb-setup: '%s' is not a number up to %u\n", s, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int dev_index(const char *dev)
{
	int ifindex = if_nametoindex(dev);

	if (!ifindex)
		fprintf(stderr, "xlb-setup: no interface '%s'\n", dev);
	return ifindex;
}

static int open_pinned(struct xlb_dp **dp)
{
	struct xlb_dp_opts opts = { .pin_root = pin_root };
	int err = xlb_dp_open(&opts, dp);

	if (err) {
		bpf_log_flush(stderr);
		fprintf(stderr, "xlb-setup: cannot open the maps under %s: %s\n", pin_root,
			strerror(-err));
	}
	return err;
}

static int cmd_attach(int argc, char **argv)
{
	struct xlb_dp_opts opts = { .pin_root = pin_root, .mode = XLB_DP_MODE_NATIVE };
	struct xlb_config cfg = {};
	struct xlb_dp *dp;
	__u8 family;
	int i, err;

	if (argc < 1)
		return usage();
	opts.ifindex = dev_index(argv[0]);
	if (!opts.ifindex)
		return 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "generic")) {
			opts.mode = XLB_DP_MODE_GENERIC;
		} else if (!strcmp(argv[i], "src4") && i + 1 < argc) {
			union xlb_addr a;

			if (parse_addr(argv[++i], &a, &family) || family != XLB_FAMILY_V4)
				return usage();
			cfg.src_v4 = a.v4;
			cfg.has_v4 = 1;
		} else if (!strcmp(argv[i], "src6") && i + 1 < argc) {
			if (parse_addr(argv[++i], &cfg.src_v6, &family) || family != XLB_FAMILY_V6)
				return usage();
			cfg.has_v6 = 1;
		} else {
			return usage();
		}
	}
	err = xlb_dp_open(&opts, &dp);
	if (err) {
		bpf_log_flush(stderr);
		fprintf(stderr, "xlb-setup: cannot load and attach the balancer on %s: %s\n",
			argv[0], strerror(-err));
		return 1;
	}
	err = xlb_dp_config_set(dp, &cfg);
	if (err)
		fprintf(stderr, "xlb-setup: cannot write config: %s\n", strerror(-err));
	/* stays attached (libxdp pins its dispatcher); maps stay pinned */
	xlb_dp_close(dp);
	return err ? 1 : 0;
}

static int cmd_vip(int argc, char **argv)
{
	struct maglev_backend bes[BACKENDS_PER_VIP];
	struct xlb_vip_key key = {};
	struct xlb_vip vip = { .gue_port = htons(XLB_GUE_PORT_DEFAULT) };
	__u32 ring_size = XLB_RING_DEFAULT, port, v, *ring = NULL;
	struct xlb_dp *dp = NULL;
	size_t n = 0;
	int i, err;

	if (argc < 4)
		return usage();
	if (parse_u32(argv[0], XLB_MAX_VIPS - 1, &vip.id) ||
	    parse_addr(argv[1], &key.addr, &key.family) || parse_u32(argv[3], 65535, &port))
		return usage();
	if (!strcmp(argv[2], "tcp"))
		key.proto = IPPROTO_TCP;
	else if (!strcmp(argv[2], "udp"))
		key.proto = IPPROTO_UDP;
	else
		return usage();
	key.port = htons(port);

	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "hash") && i + 1 < argc && !strcmp(argv[i + 1], "src")) {
			vip.flags |= XLB_VIP_F_HASH_SRC;
			i++;
		} else if (!strcmp(argv[i], "gue") && i + 1 < argc) {
			if (parse_u32(argv[++i], 65535, &v))
				return usage();
			vip.encap = XLB_ENCAP_GUE;
			vip.gue_port = htons(v);
		} else if (!strcmp(argv[i], "ring") && i + 1 < argc) {
			if (parse_u32(argv[++i], UINT32_MAX, &ring_size))
				return usage();
		} else if (!strcmp(argv[i], "backend") && i + 1 < argc) {
			char *spec = argv[++i], *at = strchr(spec, '@');
			struct maglev_backend *b = &bes[n];

			if (n == BACKENDS_PER_VIP) {
				fprintf(stderr, "xlb-setup: at most %d backends\n", BACKENDS_PER_VIP);
				return 2;
			}
			b->weight = 100;
			if (at) {
				*at = '\0';
				if (parse_u32(at + 1, 1000000, &b->weight))
					return usage();
			}
			if (parse_addr(spec, &b->addr, &b->family))
				return usage();
			b->id = vip.id * (BACKENDS_PER_VIP + 1) + n + 1;
			n++;
		} else {
			return usage();
		}
	}
	if (!maglev_is_prime(ring_size) || !maglev_size_ok(ring_size, n)) {
		fprintf(stderr, "xlb-setup: ring size %u must be prime and at least %u per backend\n",
			ring_size, MAGLEV_SLOTS_PER_BACKEND);
		return 2;
	}
	ring = calloc(ring_size, sizeof(*ring));
	if (!ring)
		return 1;
	err = maglev_build(bes, n, ring, ring_size);
	if (err) {
		fprintf(stderr, "xlb-setup: maglev: %s\n", strerror(-err));
		goto out;
	}
	err = open_pinned(&dp);
	if (err)
		goto out;
	for (i = 0; i < (int)n; i++) {
		struct xlb_backend be = { .addr = bes[i].addr, .family = bes[i].family,
					  .flags = XLB_BE_F_PRESENT };
		struct nexthop_info nh;

		/* cache the next hop when it resolves; else the datapath
		 * asks the FIB per packet */
		if (!nexthop_resolve(be.family, &be.addr, 1000, &nh))
			nexthop_to_backend(&nh, &be);
		err = xlb_dp_backend_set(dp, bes[i].id, &be);
		if (err)
			goto out;
	}
	err = xlb_dp_vip_set(dp, &key, &vip, ring, ring_size);
out:
	if (err)
		fprintf(stderr, "xlb-setup: vip: %s\n", strerror(-err));
	if (dp)
		xlb_dp_close(dp);
	free(ring);
	return err ? 1 : 0;
}

static int cmd_stats(void)
{
	__u64 st[XLB_STAT_MAX];
	struct xlb_dp *dp;
	__u32 id;
	int i, err;

	err = open_pinned(&dp);
	if (err)
		return 1;
	err = xlb_dp_stats_read(dp, st);
	for (i = 0; !err && i < XLB_STAT_MAX; i++)
		if (st[i])
			printf("%-20s %llu\n", xlb_stat_names[i], (unsigned long long)st[i]);
	for (id = 1; !err && id < XLB_MAX_BACKENDS; id++) {
		char addr[INET6_ADDRSTRLEN] = "?";
		struct xlb_backend be;
		struct xlb_traffic t;

		if (xlb_dp_be_stats_read(dp, id, &t) || !t.packets)
			continue;
		if (!xlb_dp_backend_get(dp, id, &be))
			inet_ntop(be.family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &be.addr, addr,
				  sizeof(addr));
		printf("backend %-4u %-16s vip %-3u packets %-6llu bytes %llu\n", id, addr,
		       id / (BACKENDS_PER_VIP + 1), (unsigned long long)t.packets,
		       (unsigned long long)t.bytes);
	}
	xlb_dp_close(dp);
	return err ? 1 : 0;
}

/* Detach the program called `name` from DEV, leaving other XDP programs. */
static int detach_named(const char *dev, const char *name)
{
	struct xdp_multiprog *mp;
	struct xdp_program *prog = NULL;
	int ifindex = dev_index(dev), err = -ENOENT;

	if (!ifindex)
		return 1;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp)) {
		fprintf(stderr, "xlb-setup: no XDP program on %s\n", dev);
		return 1;
	}
	if (xdp_multiprog__is_legacy(mp)) {
		prog = xdp_multiprog__main_prog(mp);
		if (prog && !strcmp(xdp_program__name(prog), name))
			err = xdp_program__detach(prog, ifindex, xdp_multiprog__attach_mode(mp), 0);
	} else {
		while ((prog = xdp_multiprog__next_prog(prog, mp))) {
			if (strcmp(xdp_program__name(prog), name))
				continue;
			err = xdp_program__detach(prog, ifindex, xdp_multiprog__attach_mode(mp), 0);
			break;
		}
	}
	xdp_multiprog__close(mp);
	if (err)
		fprintf(stderr, "xlb-setup: cannot detach %s from %s: %s\n", name, dev,
			strerror(-err));
	return err ? 1 : 0;
}

static int cmd_detach(int argc, char **argv)
{
	struct xlb_dp *dp;
	int rc;

	if (argc != 1)
		return usage();
	rc = detach_named(argv[0], "xlb_balancer");
	if (!open_pinned(&dp)) {
		xlb_dp_unpin(dp);
		xlb_dp_close(dp);
	}
	return rc;
}

static void forwarding_note(const char *dev);

static int cmd_decap(int argc, char **argv)
{
	__u32 gue_port = XLB_GUE_PORT_DEFAULT;
	struct ifaddrs *ifa_list, *ifa;
	int ifindex, err, n = 0;

	if (argc != 1 && !(argc == 3 && !strcmp(argv[1], "gue")))
		return usage();
	if (argc == 3 && parse_u32(argv[2], 65535, &gue_port))
		return usage();
	ifindex = dev_index(argv[0]);
	if (!ifindex)
		return 1;
	if (getifaddrs(&ifa_list)) {
		perror("xlb-setup: getifaddrs");
		return 1;
	}
	err = xlb_decap_attach(ifindex, pin_root, htons(gue_port));
	for (ifa = ifa_list; !err && ifa; ifa = ifa->ifa_next) {
		struct xlb_decap_key key = {};

		if (!ifa->ifa_addr || strcmp(ifa->ifa_name, argv[0]))
			continue;
		if (ifa->ifa_addr->sa_family == AF_INET) {
			key.family = XLB_FAMILY_V4;
			key.addr.v4 = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr;
		} else if (ifa->ifa_addr->sa_family == AF_INET6) {
			key.family = XLB_FAMILY_V6;
			memcpy(key.addr.bytes, &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		err = xlb_decap_addr_add(pin_root, &key);
		n++;
	}
	freeifaddrs(ifa_list);
	if (err) {
		bpf_log_flush(stderr);
		fprintf(stderr, "xlb-setup: decap on %s: %s\n", argv[0], strerror(-err));
		return 1;
	}
	printf("decap on %s for %d local addresses\n", argv[0], n);
	forwarding_note(argv[0]);
	return 0;
}

/* bpf_fib_lookup refuses to route from an interface that does not
 * forward: second chance's packets for another backend would be dropped
 * (sc_fwd_failed). Said, not changed: turning a backend into a router is
 * the operator's call. */
static void forwarding_note(const char *dev)
{
	static const char *const fams[] = { "ipv4", "ipv6" };
	char path[256], val[8];
	size_t i;

	for (i = 0; i < 2; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding", fams[i], dev);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f) && val[0] == '0')
			printf("note: %s forwarding is off on %s: second-chance packets for another "
			       "backend are dropped (sc_fwd_failed); to send them on: sysctl -w "
			       "net.%s.conf.%s.forwarding=1\n", fams[i], dev, fams[i], dev);
		fclose(f);
	}
}

/* The decap program's counters, as name/value lines (second chance's as
 * sc_NAME) or in Prometheus' text format (for node_exporter's textfile
 * collector). */
static int cmd_decap_stats(int argc, char **argv)
{
	__u64 st[XLB_DECAP_STAT_MAX], sc[XLB_DECAP_SC_MAX];
	bool prom = argc == 1 && !strcmp(argv[0], "prometheus");
	int i, err;

	if (argc > 1 || (argc == 1 && !prom))
		return usage();
	err = xlb_decap_stats_read(pin_root, st);
	if (!err)
		err = xlb_decap_sc_stats_read(pin_root, sc);
	if (err) {
		fprintf(stderr, "xlb-setup: cannot read the decap counters under %s: %s\n",
			pin_root, strerror(-err));
		return 1;
	}
	if (!prom) {
		for (i = 0; i < XLB_DECAP_STAT_MAX; i++)
			printf("%-20s %llu\n", xlb_decap_stat_names[i], (unsigned long long)st[i]);
		for (i = 0; i < XLB_DECAP_SC_MAX; i++)
			printf("sc_%-17s %llu\n", xlb_decap_sc_names[i], (unsigned long long)sc[i]);
		return 0;
	}
	printf("# HELP xlb_decap_packets_total Packets the decap program saw (rx), and what it "
	       "did with those it did not send on to a second-chance hop.\n"
	       "# TYPE xlb_decap_packets_total counter\n");
	for (i = 0; i < XLB_DECAP_STAT_MAX; i++)
		printf("xlb_decap_packets_total{action=\"%s\"} %llu\n", xlb_decap_stat_names[i],
		       (unsigned long long)st[i]);
	printf("# HELP xlb_decap_second_chance_packets_total Packets with a second-chance hop, "
	       "by what became of them.\n# TYPE xlb_decap_second_chance_packets_total counter\n");
	for (i = 0; i < XLB_DECAP_SC_MAX; i++)
		printf("xlb_decap_second_chance_packets_total{result=\"%s\"} %llu\n",
		       xlb_decap_sc_names[i], (unsigned long long)sc[i]);
	return 0;
}

static const struct option long_opts[] = {
	{ "pin-root", required_argument, NULL, 'p' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{}
};

int main(int argc, char **argv)
{
	bool verbose = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "+p:vhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pin_root = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage_print(stdout);
			return 0;
		case 'V':
			printf("xlb-setup %s\n", XLB_VERSION);
			return 0;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	bpf_log_setup(verbose);
	if (argc < 1)
		return usage();
	if (!strcmp(argv[0], "attach"))
		return cmd_attach(argc - 1, argv + 1);
	if (!strcmp(argv[0], "vip"))
		return cmd_vip(argc - 1, argv + 1);
	if (!strcmp(argv[0], "stats"))
		return cmd_stats();
	if (!strcmp(argv[0], "detach"))
		return cmd_detach(argc - 1, argv + 1);
	if (!strcmp(argv[0], "decap"))
		return cmd_decap(argc - 1, argv + 1);
	if (!strcmp(argv[0], "decap-stats"))
		return cmd_decap_stats(argc - 1, argv + 1);
	if (!strcmp(argv[0], "decap-detach") && argc == 2)
		return detach_named(argv[1], "xlb_decap");
	return usage();
}
