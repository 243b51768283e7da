// SPDX-License-Identifier: GPL-2.0
/*
 * pool_follow: xlbd's pool-state store (agent/pool/) on an event loop of
 * its own, following a prefix in a real etcd. e2e/fleet_store runs it
 * against a 3-member cluster while it kills, cuts off and compacts
 * members, so the client is tested apart from the rest of xlbd.
 *
 *   pool_follow -e URL[,URL...] -p PREFIX -n NAME [-u USER -w PASSWORD_FILE]
 *               [-c CA -C CERT -K KEY] [-d]
 *
 * One line per event on stdout, each starting with the Unix time in ms:
 *   MS up ENDPOINT                the watch is set up (again)
 *   MS down ERROR                 the store is lost
 *   MS view REV N_BACKENDS N_VIPS N_NODES   the view changed (REV: intent revision)
 *   MS be VIP BACKEND POOLED WEIGHT|-      every backend key, after an intent change
 *   MS vip VIP enabled|disabled|bad         every VIP key, after an intent change
 * It registers itself under PREFIX/nodes/NAME with the intent revision it
 * has seen. SIGUSR1 prints `MS status STATE connects=N failures=N
 * compactions=N registered=0|1 endpoint=URL error=...`. SIGTERM/SIGINT
 * end it (exit 0). -d: xlbd's debug log on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "lib/evloop.h"
#include "lib/log.h"
#include "pool/store.h"

struct follow {
	struct evloop *el;
	struct pool_store *s;
	const char *name;
};

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void registration(struct follow *f)
{
	const struct pool_view *v = pool_store_view(f->s);
	struct pool_node_value nv = { .revision = v->intent_revision, .connected = true };

	snprintf(nv.name, sizeof(nv.name), "%s", f->name);
	snprintf(nv.version, sizeof(nv.version), "pool_follow");
	pool_store_register(f->s, &nv);
}

static void changed(void *arg, bool intent)
{
	struct follow *f = arg;
	const struct pool_view *v = pool_store_view(f->s);
	size_t i;

	printf("%llu view %lld %zu %zu %zu\n", now_ms(), (long long)v->intent_revision, v->n_bes,
	       v->n_vips, v->n_nodes);
	if (intent) {
		for (i = 0; i < v->n_bes; i++) {
			const struct pool_view_be *b = &v->bes[i];
			char w[16] = "-";

			if (!b->bad && b->v.has_weight)
				snprintf(w, sizeof(w), "%u", b->v.weight);
			printf("%llu be %s %s %s %s\n", now_ms(), b->vip, b->backend,
			       b->bad ? "bad" : pool_pooled_name(b->v.pooled), w);
		}
		for (i = 0; i < v->n_vips; i++)
			printf("%llu vip %s %s\n", now_ms(), v->vips[i].vip,
			       v->vips[i].bad ? "bad" : v->vips[i].v.enabled ? "enabled" : "disabled");
		registration(f);
	}
	fflush(stdout);
}

static void link_cb(void *arg, bool up)
{
	struct follow *f = arg;
	struct pool_store_status st;

	pool_store_status(f->s, &st);
	if (up)
		printf("%llu up %s\n", now_ms(), st.endpoint);
	else
		printf("%llu down %s\n", now_ms(), st.last_error);
	fflush(stdout);
}

static void on_signal(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct follow *f = arg;
	struct signalfd_siginfo si;
	struct pool_store_status st;

	(void)events;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo != SIGUSR1) {
		evloop_stop(el);
		return;
	}
	pool_store_status(f->s, &st);
	printf("%llu status %s connects=%llu failures=%llu compactions=%llu registered=%d "
	       "endpoint=%s error=%s\n",
	       now_ms(), pool_sm_state_name(st.state), (unsigned long long)st.connects,
	       (unsigned long long)st.failures, (unsigned long long)st.compactions, st.registered,
	       st.endpoint, st.last_error);
	fflush(stdout);
}

static int read_file(const char *path, char **out, size_t *len)
{
	FILE *fp = fopen(path, "re");
	char *buf;
	long n;

	if (!fp)
		return -errno;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, n + 1);
	if (!buf || fread(buf, 1, n, fp) != (size_t)n) {
		fclose(fp);
		free(buf);
		return -EIO;
	}
	fclose(fp);
	*out = buf;
	*len = n;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: pool_follow -e URL[,URL...] -p PREFIX -n NAME [-u USER -w FILE] "
			"[-c CA -C CERT -K KEY] [-d]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	struct pool_store_ops ops = { .changed = changed, .link = link_cb };
	struct pool_store_cfg cfg = { 0 };
	const char *eps[16], *pwfile = NULL, *ca = NULL, *cert = NULL, *key = NULL;
	char *list = NULL, *tok, *save = NULL, *pw = NULL, *blob[3] = { 0 };
	struct follow f = { 0 };
	size_t n = 0, len[3] = { 0 };
	sigset_t mask;
	bool debug = false;
	int c, sfd, err;

	while ((c = getopt(argc, argv, "e:p:n:u:w:c:C:K:d")) != -1) {
		switch (c) {
		case 'e':
			list = strdup(optarg);
			break;
		case 'p':
			cfg.prefix = optarg;
			break;
		case 'n':
			f.name = optarg;
			break;
		case 'u':
			cfg.user = optarg;
			break;
		case 'w':
			pwfile = optarg;
			break;
		case 'c':
			ca = optarg;
			break;
		case 'C':
			cert = optarg;
			break;
		case 'K':
			key = optarg;
			break;
		case 'd':
			debug = true;
			break;
		default:
			usage();
		}
	}
	if (!list || !cfg.prefix || !f.name || (cfg.user && !pwfile))
		usage();
	for (tok = strtok_r(list, ",", &save); tok && n < 16; tok = strtok_r(NULL, ",", &save))
		eps[n++] = tok;
	log_init("pool_follow", true, debug);
	if (pwfile) {
		size_t l;

		if (read_file(pwfile, &pw, &l)) {
			fprintf(stderr, "cannot read %s\n", pwfile);
			return 1;
		}
		pw[strcspn(pw, "\n")] = '\0';
		cfg.password = pw;
	}
	if ((ca && read_file(ca, &blob[0], &len[0])) || (cert && read_file(cert, &blob[1], &len[1])) ||
	    (key && read_file(key, &blob[2], &len[2]))) {
		fprintf(stderr, "cannot read the TLS files\n");
		return 1;
	}
	cfg.client = (struct etcd_client_cfg){ .endpoints = eps, .n_endpoints = n,
					       .ca = { blob[0], len[0] },
					       .cert = { blob[1], len[1] },
					       .key = { blob[2], len[2] },
					       .connect_timeout_ms = 1000 };
	cfg.node_name = f.name;
	if (evloop_new(&f.el))
		return 1;
	err = pool_store_new(f.el, &cfg, &ops, &f, &f.s);
	if (pw)
		explicit_bzero(pw, strlen(pw));
	if (err) {
		fprintf(stderr, "pool_store_new: %s\n", strerror(-err));
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || evloop_add_fd(f.el, sfd, EPOLLIN, on_signal, &f))
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	registration(&f);
	pool_store_start(f.s);
	evloop_run(f.el);
	pool_store_free(f.s);
	evloop_free(f.el);
	close(sfd);
	free(pw);
	free(list);
	free(blob[0]);
	free(blob[1]);
	free(blob[2]);
	return 0;
}
