// SPDX-License-Identifier: GPL-2.0
/*
 * xlbd: reads the config, attaches the balancer, keeps the maps in step
 * with config and runtime state, answers xlbctl on the control socket.
 * One event loop; signals arrive through a signalfd.
 *
 *   xlbd [-f FILE] [-d[d]] [-k] [-u USER] [-n [-v] [--strict]] [-h] [-V]
 *   (GNU long options too: --config, --debug, --keep, --user, --check, ...)
 *
 * Once started it drops every capability it does not need (lib/privdrop.c)
 * and, with -u, becomes USER.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/signalfd.h>

#include "bgp/speaker.h"
#include "config/config.h"
#include "config/warn.h"
#include "core/flow_scan.h"
#include "core/xlbd.h"
#include "ctl/server.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/privdrop.h"
#include "maps/dataplane.h"
#include "metrics/server.h"

#define XLBD_DEFAULT_CONF "/etc/xlb/xlb.conf"
#define NEXTHOP_REFRESH_MS 5000

static void usage(FILE *f)
{
	fprintf(f, "usage: xlbd [OPTION]...\n"
		   "  -f, --config FILE  config file (default " XLBD_DEFAULT_CONF ")\n"
		   "  -d, --debug        log to stderr instead of syslog, with timestamps;\n"
		   "                     twice (-dd) adds debug messages\n"
		   "  -k, --keep         keep the datapath attached, its maps pinned and the VIP\n"
		   "                     addresses it added (add-address) on exit: for a restart\n"
		   "                     or upgrade\n"
		   "  -u, --user USER    run as USER after start-up (with only the capabilities\n"
		   "                     needed)\n"
		   "  -n, --check        check the config and exit: errors, and a warning for what\n"
		   "                     would not work on this host\n"
		   "  -v, --verbose      with -n: print the config normalized\n"
		   "      --strict       with -n: warnings count as errors (exit 1)\n"
		   "  -h, --help         print this help and exit\n"
		   "  -V, --version      print the version and exit\n");
}

struct options {
	const char *path;	/* -f */
	const char *user;	/* -u */
	int debug;		/* -d, -dd */
	bool keep;		/* -k */
	bool check, verbose;	/* -n, -v */
	bool strict;		/* --strict */
};

/* -n: "FILE:LINE: warning: ..." on stderr, as compilers write them */
static void check_warn(void *arg, int line, const char *msg)
{
	const char *path = arg;

	if (line)
		fprintf(stderr, "%s:%d: warning: %s\n", path, line, msg);
	else
		fprintf(stderr, "%s: warning: %s\n", path, msg);
}

/* xlbd -n: errors (exit 1), then the warnings of config/warn.c (exit 0,
 * or 1 with --strict). */
static int check_only(const struct options *o)
{
	char err[CONF_ERR_MAX];
	struct xlb_conf *conf;
	size_t warnings;

	if (conf_parse_file(o->path, &conf, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	warnings = conf_warn_routes(conf, check_warn, (void *)o->path) +
		   conf_warn_host(conf, true, check_warn, (void *)o->path);
	if (o->verbose)
		conf_print(stdout, conf);
	conf_free(conf);
	if (warnings && o->strict) {
		fprintf(stderr, "%s: %zu warning%s, refused (--strict)\n", o->path, warnings,
			warnings > 1 ? "s" : "");
		return 1;
	}
	if (!o->verbose)
		fprintf(stderr, "%s: configuration OK%s\n", o->path,
			warnings ? " (with warnings)" : "");
	return 0;
}

static struct ev_timer stop_timer;
static bool stopping;

static void t_stop(struct evloop *el, void *arg)
{
	(void)arg;
	evloop_stop(el);
}

/* Graceful: every BGP route re-announced with GRACEFUL_SHUTDOWN, the
 * neighbors' drain time, a Cease with a shutdown message; then exit. */
static void shutdown_start(struct xlbd *d)
{
	uint32_t wait = 0;

	if (stopping) {
		evloop_stop(d->el); /* a second signal: now */
		return;
	}
	stopping = true;
	xlbd_notify_stopping(d);
	if (d->bgp)
		wait = bgp_speaker_shutdown(d->bgp, "xlbd shutting down");
	if (wait)
		log_info("draining BGP for %u ms before exit", wait);
	/* a little time for the Cease messages to leave */
	evloop_timer_set(d->el, &stop_timer, wait + 100, t_stop, d);
}

static void on_signal(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;
	struct xlbd *d = arg;

	(void)el;
	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_info("SIGHUP: reloading %s", d->conf_path);
			xlbd_reload(d, NULL, 0);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: shutting down", si.ssi_signo);
			shutdown_start(d);
			break;
		}
	}
}

static struct ev_timer nh_timer, disable_timer, sc_timer;

#define DISABLE_FILE_CHECK_MS 200

static void disable_files(struct evloop *el, void *arg)
{
	xlbd_disable_files_check(arg);
	evloop_timer_set(el, &disable_timer, DISABLE_FILE_CHECK_MS, disable_files, arg);
}

#define SC_EXPIRE_CHECK_MS 1000

/* second chance: retire previous tables whose keep is over */
static void sc_expire(struct evloop *el, void *arg)
{
	xlbd_tables_sc_expire(arg);
	evloop_timer_set(el, &sc_timer, SC_EXPIRE_CHECK_MS, sc_expire, arg);
}

static void nexthop_refresh(struct evloop *el, void *arg)
{
	struct xlbd *d = arg;

	/* look the next hops up again, a few ms per turn: a neighbour that
	 * was unknown at start, or a route or MAC that changed since */
	xlbd_nexthops_refresh(d);
	/* and put back a VIP address someone deleted */
	xlbd_vipaddr_sync(d, false);
	evloop_timer_set(el, &nh_timer, NEXTHOP_REFRESH_MS, nexthop_refresh, d);
}

static int datapath_open(struct xlbd *d)
{
	const struct xlb_conf *c = d->conf;
	struct xlb_dp_opts opts = {
		.pin_root = c->pin_path,
		.flow_entries = c->flow_entries,
		.mode = c->xdp_mode == CONF_XDP_GENERIC ? XLB_DP_MODE_GENERIC : XLB_DP_MODE_NATIVE,
	};
	int err;

	opts.ifindex = if_nametoindex(c->xdp_ifname);
	if (!opts.ifindex) {
		log_errx("xdp interface %s: no such interface", c->xdp_ifname);
		return -ENODEV;
	}
	err = xlb_dp_open(&opts, &d->dp);
	if (err == -EOPNOTSUPP && opts.mode == XLB_DP_MODE_NATIVE) {
		log_errx("%s: the driver cannot run XDP in native mode; use `xdp interface %s "
			 "mode generic` (slower)", c->xdp_ifname, c->xdp_ifname);
		return err;
	}
	if (err == -EBUSY) {
		log_errx("%s: a balancer runs there in the other XDP mode; stop it first "
			 "(xlb-setup detach %s) or change the mode", c->xdp_ifname, c->xdp_ifname);
		return err;
	}
	if (err == -EPERM) { /* a capability, not the verifier (EACCES): no libbpf log */
		log_errx("cannot attach the balancer to %s: %s (xlbd needs CAP_BPF, CAP_PERFMON and "
			 "CAP_NET_ADMIN, and CAP_SYS_ADMIN to take over an XDP program already there)",
			 c->xdp_ifname, strerror(-err));
		return err;
	}
	if (err) {
		log_bpf_dump();
		log_errx("cannot attach the balancer to %s: %s", c->xdp_ifname, strerror(-err));
		return err;
	}
	log_info("balancer %s %s (%s mode), maps under %s",
		 xlb_dp_adopted(d->dp) ? "took over on" : "attached to", c->xdp_ifname,
		 xlb_dp_attach_mode(d->dp), c->pin_path);
	return 0;
}

/* Everything that needs privileges has happened: drop what the rest of
 * xlbd's life does not need (lib/privdrop.c says what it keeps and why). */
static int privs_setup(struct xlbd *d)
{
	const char *pins = xlb_dp_pin_root(d->dp);
	char err[256], kept[160];
	unsigned flags;
	int rc;

	if (d->user.set && pins && chown(pins, d->user.uid, d->user.gid)) {
		/* xlbd's own directory: as the user it must unpin at exit */
		log_err("-u %s: chown %s", d->user.name, pins);
		return -1;
	}
	flags = xlbd_privs_needed(d);
	if (xlb_dp_uses_dispatcher(d->dp))
		flags |= PRIVS_SYS_ADMIN;
	rc = privs_drop(&d->user, flags, err, sizeof(err));
	if (rc) {
		log_errx("%s", err);
		return rc;
	}
	d->privs_dropped = true;
	d->privs = flags;
	privs_describe(kept, sizeof(kept));
	log_info("privileges dropped: keeping %s%s%s%s", kept,
		 flags & PRIVS_SYS_ADMIN ? " (libxdp dispatcher)" : "",
		 d->user.set ? ", running as user " : "", d->user.set ? d->user.name : "");
	if (!(flags & PRIVS_EXEC_USERS))
		log_info("no exec check runs as another user: cap_setuid, cap_setgid and cap_kill "
			 "dropped too (a reload that adds one is refused)");
	/* as the user, the state file must still be writable: find out
	 * now, not at the first depool */
	if (d->user.set && xlbd_state_save(d)) {
		log_errx("-u %s: the state file's directory must be writable by %s",
			 d->user.name, d->user.name);
		return -EACCES;
	}
	return 0;
}

#define OPT_STRICT 0x100

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'f' },
	{ "debug", no_argument, NULL, 'd' },
	{ "keep", no_argument, NULL, 'k' },
	{ "user", required_argument, NULL, 'u' },
	{ "check", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{}
};

/* The command line into o: -1 to go on, else the exit status. */
static int options_parse(int argc, char **argv, struct options *o)
{
	int opt;

	*o = (struct options){ .path = XLBD_DEFAULT_CONF };
	while ((opt = getopt_long(argc, argv, "f:dknu:vhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->path = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'k':
			o->keep = true;
			break;
		case 'd':
			o->debug++;
			break;
		case 'n':
			o->check = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("xlbd %s\n", XLB_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "xlbd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if ((o->strict || o->verbose) && !o->check) {
		fprintf(stderr, "xlbd: %s only goes with -n (--check)\n",
			o->strict ? "--strict" : "-v");
		usage(stderr);
		return 2;
	}
	return -1;
}

/* SIGHUP, SIGTERM and SIGINT through a signalfd on the loop. */
static int signals_open(struct xlbd *d)
{
	sigset_t sigs;
	int sfd;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || evloop_add_fd(d->el, sfd, EPOLLIN, on_signal, d)) {
		log_err("signalfd");
		return -1;
	}
	return 0;
}

/* The balancer (taking over a running one), the config and the state
 * file into the model and the maps, the VIP addresses. */
static int datapath_start(struct xlbd *d, struct xlb_conf *conf)
{
	char err[CONF_ERR_MAX] = "";

	/* the datapath settings come from the first config; reload refuses
	 * to change them */
	d->conf = conf;
	if (conf->xdp_ifname) {
		if (datapath_open(d))
			return -1;
		if (xlbd_adopt(d))
			log_warnx("cannot read the running datapath's state; starting afresh");
	}
	d->conf = NULL;
	if (xlbd_apply_start(d, conf, err, sizeof(err))) {
		log_errx("%s", err);
		if (!d->conf)
			conf_free(conf);
		return -1;
	}
	xlbd_vipaddr_sync(d, true);
	return 0;
}

/* Everything that talks to the world: signals, the control socket,
 * metrics, BGP; then the privileges go and the periodic work starts. */
static int services_start(struct xlbd *d)
{
	char err[CONF_ERR_MAX] = "";
	int rc;

	if (signals_open(d))
		return -1;
	rc = xlbd_ctl_open(d);
	if (rc) {
		log_errx("control socket %s: %s", d->conf->socket_path, strerror(-rc));
		return -1;
	}
	if (xlbd_metrics_start(d, err, sizeof(err))) {
		log_errx("%s", err);
		return -1;
	}
	if (xlbd_bgp_start(d)) {
		log_errx("cannot start the BGP speaker");
		return -1;
	}
	/* before the privileges go: the TLS and password files may be root's */
	if (xlbd_pool_start(d, err, sizeof(err))) {
		log_warnx("%s", err);
		return -1;
	}
	if (privs_setup(d))
		return -1;
	xlbd_disable_files_check(d);
	xlbd_announce_changed(d);
	/* the first round of next-hop lookups, spread over the first turns */
	xlbd_nexthops_refresh(d);
	evloop_timer_set(d->el, &nh_timer, NEXTHOP_REFRESH_MS, nexthop_refresh, d);
	evloop_timer_set(d->el, &disable_timer, DISABLE_FILE_CHECK_MS, disable_files, d);
	evloop_timer_set(d->el, &sc_timer, SC_EXPIRE_CHECK_MS, sc_expire, d);
	log_info("xlbd running: %zu VIPs, control socket %s", d->n_vips, d->conf->socket_path);
	/* the datapath, the tables and the socket are there: systemd's
	 * `start` may return now */
	xlbd_notify_ready(d);
	return 0;
}

/* Exit: routes, addresses, the socket, then the datapath — detached and
 * unpinned, or left running with -k. Nothing here waits on the size of
 * the config: a detached datapath is not emptied entry by entry (its
 * maps go with their last reference), only one that could not be
 * detached is, so that it passes everything. */
static void teardown(struct xlbd *d)
{
	xlbd_pool_stop(d);
	metrics_server_close(d->metrics);
	d->metrics = NULL;
	bgp_speaker_free(d->bgp);
	d->bgp = NULL;
	/* after the routes are gone: the addresses go last */
	if (!d->keep_datapath)
		xlbd_vipaddr_clear(d);
	/* second chance's tables changed in the last second */
	xlbd_state_flush(d);
	flow_scan_cancel_all(d);
	if (d->ctl) {
		xlbd_changes_waiters_drop(d);
		ctl_server_close(d->ctl);
		d->ctl = NULL;
	}
	if (d->dp && !d->keep_datapath) {
		/* EPERM here: libxdp needs CAP_SYS_ADMIN to find the program
		 * it attached (BPF_PROG_GET_FD_BY_ID) */
		int derr = xlb_dp_detach(d->dp);

		xlbd_release(d, derr != 0);
		xlb_dp_unpin(d->dp);
		if (derr)
			log_warnx("cannot detach the balancer: %s (maps emptied and unpinned; "
				  "`xlb-setup detach IFACE` takes it off)", strerror(-derr));
		else
			log_info("datapath detached, maps unpinned");
	} else {
		if (d->dp) {
			/* what the model says is what the next xlbd finds */
			if (d->tables_pending)
				xlbd_changes_apply(d);
			log_info("datapath left running (-k): maps stay pinned");
		}
		xlbd_release(d, false);
	}
	xlb_dp_close(d->dp);
	xlbd_instance_unlock(d);
	evloop_free(d->el);
}

int main(int argc, char **argv)
{
	char err[CONF_ERR_MAX] = "";
	struct xlb_conf *conf;
	struct options o;
	struct xlbd d = { .lock_socket = -1, .lock_pins = -1, .lock_iface = -1 };
	int rc;

	rc = options_parse(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.check)
		return check_only(&o);

	log_init("xlbd", o.debug || isatty(STDERR_FILENO), o.debug > 1);
	log_timestamps(true);
	log_route_bpf();
	d.conf_path = o.path;
	d.keep_datapath = o.keep;
	d.started = time(NULL);
	d.config_loaded = d.started;
	snprintf(d.last_reload, sizeof(d.last_reload), "none yet");
	if (o.user && privs_user_lookup(o.user, &d.user, err, sizeof(err))) {
		log_errx("%s", err);
		return 1;
	}
	if (conf_parse_file(o.path, &conf, err, sizeof(err))) {
		log_errx("%s", err);
		return 1;
	}
	/* the interface: datapath_open() says it as an error */
	xlbd_conf_warnings(conf, false);
	if (evloop_new(&d.el))
		fatalx("cannot create the event loop");
	/* before anything is touched: another xlbd here makes this one stop */
	if (xlbd_instance_lock(&d, conf, err, sizeof(err))) {
		log_errx("%s", err);
		xlbd_instance_unlock(&d);
		evloop_free(d.el);
		conf_free(conf);
		return 1;
	}
	rc = 1;
	if (!datapath_start(&d, conf) && !services_start(&d))
		rc = evloop_run(d.el) ? 1 : 0;
	teardown(&d);
	/* a failure is never silent (each path above says why; this is the
	 * last resort for one that did not) */
	if (rc && !log_error_count())
		log_errx("exiting after a failure");
	return rc;
}
