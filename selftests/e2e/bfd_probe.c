// SPDX-License-Identifier: GPL-2.0
/*
 * bfd_probe: one BFD session from the command line, with xlbd's own BFD
 * code (agent/bfd/) on an event loop of its own. The BFD interop tests
 * run it against BIRD's and FRR's BFD; it is also handy by hand.
 *
 *   bfd_probe [-l LOCAL] [-i INTERVAL] [-r MIN_RX] [-m MULT] [-I ALT_INTERVAL]
 *             [-p PORT] [-P PEER_PORT] [-d] PEER
 *
 * Intervals in ms (default 300, min-rx = interval, multiplier 3,
 * alternate interval 600). One line per event on stdout, each starting
 * with the Unix time in ms:
 *   MS state STATE diag=DIAG remote=STATE tx_us=N rx_us=N detect_us=N
 *   MS down DIAG                   the client callback (Up -> Down)
 *   MS poll-done tx_us=N rx_us=N detect_us=N   a Poll Sequence ended
 *   MS show {JSON}                 on SIGUSR1: the `bfd show` document
 *   MS interval MS                 on SIGUSR2: switched to the other interval
 * SIGTERM/SIGINT: the session is destroyed (AdminDown) and the program
 * exits 0 after the AdminDown packets. Exit 1 on a usage or socket error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/signalfd.h>

#include "bfd/bfd.h"
#include "bfd/session.h"
#include "core/show.h"
#include "lib/json.h"
#include "lib/log.h"

struct probe {
	struct evloop *el;
	struct bfd *b;
	struct bfd_session *s;
	struct conf_bfd cfg;
	uint32_t alt_ms;
	bool polling;
	struct ev_timer t_watch, t_exit;
};

static unsigned long long unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void print_timers(const struct bfd_sm *sm)
{
	printf(" tx_us=%u rx_us=%u detect_us=%llu\n", bfd_sm_tx_negotiated_us(sm),
	       bfd_sm_rx_interval_us(sm), (unsigned long long)bfd_sm_detect_us(sm));
	fflush(stdout);
}

static void on_notify(void *arg, struct bfd_session *s, enum bfd_state old)
{
	const struct bfd_sm *sm = bfd_session_sm(s);

	(void)arg;
	(void)old;
	printf("%llu state %s diag=%u remote=%s", unix_ms(), bfd_state_name(sm->state),
	       sm->local_diag, bfd_state_name(sm->remote_state));
	print_timers(sm);
}

static void on_down(void *arg, struct bfd_session *s, enum bfd_diag diag)
{
	(void)arg;
	(void)s;
	printf("%llu down %u %s\n", unix_ms(), diag, bfd_diag_name(diag));
	fflush(stdout);
}

/* Poll Sequences are not events of the API: look every few ms */
static void t_watch(struct evloop *el, void *arg)
{
	struct probe *pr = arg;
	const struct bfd_sm *sm = bfd_session_sm(pr->s);

	if (pr->polling && !sm->poll) {
		printf("%llu poll-done", unix_ms());
		print_timers(sm);
	}
	pr->polling = sm->poll;
	evloop_timer_set(el, &pr->t_watch, 5, t_watch, pr);
}

static void t_exit(struct evloop *el, void *arg)
{
	(void)arg;
	evloop_stop(el);
}

static void on_signal(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct probe *pr = arg;
	struct signalfd_siginfo si;

	(void)events;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGUSR1) {
		struct buf out;
		struct json_writer w;

		buf_init(&out, 0);
		json_init(&w, &out, false);
		show_bfd(pr->b, NULL, NULL, &w);
		json_finish(&w);
		printf("%llu show %s", unix_ms(), buf_str(&out));
		fflush(stdout);
		buf_free(&out);
		return;
	}
	if (si.ssi_signo == SIGUSR2) {
		uint32_t cur = pr->cfg.interval_ms;

		pr->cfg.interval_ms = pr->alt_ms;
		pr->cfg.min_rx_ms = pr->alt_ms;
		pr->alt_ms = cur;
		bfd_session_set(pr->s, &pr->cfg);
		/* the Final may come before the next look */
		pr->polling = bfd_session_sm(pr->s)->poll;
		printf("%llu interval %u\n", unix_ms(), pr->cfg.interval_ms);
		fflush(stdout);
		return;
	}
	/* TERM/INT: AdminDown, then leave once it has been sent a few times */
	if (pr->s) {
		const struct bfd_sm *sm = bfd_session_sm(pr->s);
		uint64_t tx = bfd_sm_tx_negotiated_us(sm) / 1000, linger = 0;

		/* as long as bfd_session_destroy() keeps sending AdminDown */
		if (sm->state == BFD_STATE_UP || sm->state == BFD_STATE_INIT)
			linger = sm->detect_mult * (tx && tx < 1000 ? tx : 1000);

		evloop_timer_cancel(el, &pr->t_watch);
		bfd_session_destroy(pr->s);
		pr->s = NULL;
		evloop_timer_set(el, &pr->t_exit, linger + 10, t_exit, pr);
	}
}

static int parse_addr(const char *s, struct conf_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->addr.v4) == 1) {
		a->family = XLB_FAMILY_V4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr.bytes) == 1) {
		a->family = XLB_FAMILY_V6;
		return 0;
	}
	return -EINVAL;
}

static void usage(void)
{
	fprintf(stderr, "usage: bfd_probe [-l LOCAL] [-i INTERVAL_MS] [-r MIN_RX_MS] [-m MULT]\n"
			"                 [-I ALT_INTERVAL_MS] [-p PORT] [-P PEER_PORT] [-d] PEER\n");
	exit(1);
}

int main(int argc, char **argv)
{
	struct probe pr = { .cfg = { .enabled = true, .interval_ms = 300, .multiplier = 3 },
			    .alt_ms = 600 };
	struct conf_addr peer, local = {};
	struct bfd_opts o = {};
	bool debug = false;
	sigset_t mask;
	int c, sfd, err;

	while ((c = getopt(argc, argv, "l:i:r:m:I:p:P:d")) != -1) {
		switch (c) {
		case 'l':
			if (parse_addr(optarg, &local))
				usage();
			break;
		case 'i':
			pr.cfg.interval_ms = atoi(optarg);
			break;
		case 'r':
			pr.cfg.min_rx_ms = atoi(optarg);
			break;
		case 'm':
			pr.cfg.multiplier = atoi(optarg);
			break;
		case 'I':
			pr.alt_ms = atoi(optarg);
			break;
		case 'p':
			o.port = atoi(optarg);
			break;
		case 'P':
			o.peer_port = atoi(optarg);
			break;
		case 'd':
			debug = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || parse_addr(argv[optind], &peer))
		usage();
	if (!pr.cfg.min_rx_ms)
		pr.cfg.min_rx_ms = pr.cfg.interval_ms;
	log_init("bfd_probe", true, debug);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || evloop_new(&pr.el) || bfd_new(pr.el, &o, &pr.b)) {
		fprintf(stderr, "bfd_probe: set-up failed\n");
		return 1;
	}
	evloop_add_fd(pr.el, sfd, EPOLLIN, on_signal, &pr);
	bfd_set_notify(pr.b, on_notify, &pr);
	err = bfd_session_new(pr.b, &peer, local.family ? &local : NULL, &pr.cfg, on_down, &pr,
			      &pr.s);
	if (err) {
		fprintf(stderr, "bfd_probe: session: %s\n", strerror(-err));
		return 1;
	}
	printf("%llu start peer=%s interval=%u min_rx=%u multiplier=%u\n", unix_ms(),
	       argv[optind], pr.cfg.interval_ms, pr.cfg.min_rx_ms, pr.cfg.multiplier);
	fflush(stdout);
	evloop_timer_set(pr.el, &pr.t_watch, 5, t_watch, &pr);
	evloop_run(pr.el);
	bfd_free(pr.b);
	evloop_del_fd(pr.el, sfd);
	close(sfd);
	evloop_free(pr.el);
	return 0;
}
